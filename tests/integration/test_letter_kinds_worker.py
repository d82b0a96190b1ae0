"""R26-R28 with a real Celery worker over Redis, one test per letter variant: the decision asks for its letter, the
worker renders and stores the PDF, and the PDF's extracted text holds the R27 elements of that kind.

One worker (a subprocess, ``--pool=solo``) serves the whole module, against this test run's database and broker."""

import hashlib
import io
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings as conf
from pypdf import PdfReader

from applications.constants import LetterStatus
from applications.decisions.letters import letter_request
from tests.letters.cases import VARIANTS, build_case
from tests.letters.test_letter_kinds import PER_VARIANT

ROOT = Path(__file__).resolve().parents[2]
CELERY = ROOT / ".venv" / "bin" / "celery"

#: In every PDF: reference, date, KvK number, the mandate and signatory, the page numbers.
PDF_COMMON = ["SPP-T3-000123", "23 november 2026", "KvK-nummer: 41234567", "namens deze", "A. Voorbeeld",
              "Wettelijke grondslag", "Pagina 1 van"]


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, tmp_path_factory):
    private_root = tmp_path_factory.mktemp("letters-worker")
    db = conf.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sectorplan.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": conf.CELERY_BROKER_URL,
        "PRIVATE_STORAGE_ROOT": str(private_root),
        "PYTHONPATH": str(ROOT),
    }
    proc = subprocess.Popen(
        [str(CELERY), "-A", "sectorplan", "worker", "--pool=solo", "--concurrency=1", "--purge", "--without-gossip",
         "--without-mingle", "--loglevel=INFO", "-n", f"letter-kinds-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    ready, lines = threading.Event(), []

    def pump():
        for line in proc.stdout:
            lines.append(line)
            if " ready." in line:
                ready.set()

    threading.Thread(target=pump, daemon=True).start()
    try:
        assert ready.wait(90), "worker did not start:\n" + "".join(lines[-30:])
        yield {"root": private_root, "log": lines}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("variant", VARIANTS)
def test_r26_r27_real_worker_renders_the_letter_of_each_kind(worker, variant):
    decision = build_case(variant)
    letter = letter_request(decision=decision, by=None)  # autocommit: enqueued at once
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        letter.refresh_from_db()
        if letter.status in (LetterStatus.DONE, LetterStatus.FAILED):
            break
        time.sleep(0.3)
    assert letter.status == LetterStatus.DONE, "".join(worker["log"][-40:])
    data = (worker["root"] / letter.file.name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == letter.sha256
    text = _pdf_text(data)
    # Strings with markup inside them in the HTML (bold amounts) read the same in the PDF's text.
    missing = [s for s in PDF_COMMON + PER_VARIANT[variant] if s not in text]
    assert not missing, f"{variant}: missing {missing} in the PDF text"
    clause = "binnen zes weken beroep instellen" if variant.startswith("objection_ruling") else \
        "binnen zes weken bezwaar maken"
    assert clause in text
