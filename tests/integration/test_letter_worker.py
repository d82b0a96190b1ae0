"""A real Celery worker over Redis renders a decision letter (R26-R28)."""

import hashlib
import io
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings as conf
from django.db import connection
from pypdf import PdfReader

from applications.constants import LetterStatus
from applications.decisions.letters import letter_request
from applications.models import Letter

ROOT = Path(__file__).resolve().parents[2]
CELERY = ROOT / ".venv" / "bin" / "celery"


def _start_worker(env: dict) -> tuple[subprocess.Popen, threading.Event, list[str]]:
    proc = subprocess.Popen(
        [str(CELERY), "-A", "sectorplan", "worker", "--pool=solo", "--concurrency=1", "--purge",
         "--without-gossip", "--without-mingle", "--loglevel=INFO", "-n", f"letters-it-{os.getpid()}@%h"],
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


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_real_worker_renders_the_letter_once_with_reference_amount_and_objection_clause_R26_R27_R28(
    make_decision, tmp_path, settings
):

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
    decision = make_decision("grant")  # no letter yet: the real path creates and enqueues it
    assert connection.in_atomic_block is False

    proc, ready, lines = _start_worker(env)
    try:
        assert ready.wait(60), "worker did not start:\n" + "".join(lines[-30:])
        created = letter_request(decision=decision, by=None)  # enqueued on commit (autocommit here)
        letter_request(decision=decision, by=None)  # a second request: same letter, nothing enqueued
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            created.refresh_from_db()
            if created.status in (LetterStatus.DONE, LetterStatus.FAILED):
                break
            time.sleep(0.5)
        assert created.status == LetterStatus.DONE, "".join(lines[-40:])
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    assert Letter.objects.filter(decision=decision).count() == 1
    pdfs = list(private_root.rglob("*.pdf"))
    assert len(pdfs) == 1
    data = pdfs[0].read_bytes()
    assert hashlib.sha256(data).hexdigest() == created.sha256
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages)
    assert "SPP-T3-000123" in text
    assert "€ 12.345,67" in text
    assert "binnen zes weken bezwaar maken" in text
    assert "dag na de datum van deze brief" in text
    assert "Pagina 1 van" in text
