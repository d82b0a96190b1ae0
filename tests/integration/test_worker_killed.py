"""Issue 16 item 8 (R28): a real worker SIGKILLed in the middle of a letter; another worker (with beat, so the
sweeper runs) finishes the letter within a minute, once."""

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings as conf

from applications.constants import LetterStatus
from applications.decisions.letters import letter_request
from applications.models import Letter

ROOT = Path(__file__).resolve().parents[2]
CELERY = ROOT / ".venv" / "bin" / "celery"


def _worker(env: dict, name: str, *extra: str) -> tuple[subprocess.Popen, threading.Event, list[str]]:
    proc = subprocess.Popen(
        [str(CELERY), "-A", "sectorplan", "worker", "--pool=solo", "--concurrency=1", "--without-gossip",
         "--without-mingle", "--loglevel=INFO", "-n", f"{name}-{os.getpid()}@%h", *extra],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    ready = threading.Event()
    lines: list[str] = []

    def pump():
        for line in proc.stdout:
            lines.append(line)
            if " ready." in line:
                ready.set()

    threading.Thread(target=pump, daemon=True).start()
    return proc, ready, lines


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_r28_letter_is_done_within_a_minute_after_its_worker_is_sigkilled_mid_letter(make_decision, tmp_path, settings):
    private_root = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(private_root), "base_url": None}},
    }
    db = conf.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sectorplan.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": conf.CELERY_BROKER_URL,
        "PRIVATE_STORAGE_ROOT": str(private_root),
        "PYTHONPATH": str(ROOT),
    }
    decision = make_decision("grant")
    first, ready, first_lines = _worker(env, "doomed", "--purge")
    second = None
    try:
        assert ready.wait(60), "worker did not start:\n" + "".join(first_lines[-30:])
        letter = letter_request(decision=decision, by=None)
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            status = Letter.objects.filter(pk=letter.pk).values_list("status", flat=True).get()
            if status != LetterStatus.PENDING:
                break
            time.sleep(0.02)
        assert status == LetterStatus.GENERATING, f"the letter was {status} before the kill"
        os.kill(first.pid, signal.SIGKILL)  # mid-letter: claimed, not stored
        first.wait(timeout=10)
        killed_at = time.monotonic()
        assert Letter.objects.get(pk=letter.pk).status == LetterStatus.GENERATING

        schedule = tmp_path / "beat-schedule"
        second, ready2, lines = _worker(env, "rescuer", "-B", "--scheduler", "celery.beat:PersistentScheduler", "-s", str(schedule))
        assert ready2.wait(60), "second worker did not start:\n" + "".join(lines[-30:])
        while time.monotonic() < killed_at + 60:
            letter.refresh_from_db()
            if letter.status == LetterStatus.DONE:
                break
            time.sleep(0.5)
        took = time.monotonic() - killed_at
        assert letter.status == LetterStatus.DONE, f"not done {took:.0f} s after the kill:\n" + "".join(lines[-40:])
        assert took < 60
        print(f"letter done {took:.1f} s after SIGKILL")
    finally:
        _stop(first)
        if second is not None:
            _stop(second)
    assert Letter.objects.filter(decision=decision).count() == 1
    assert len(list(private_root.rglob("*.pdf"))) == 1
