"""Letters per second through the worker path against bare WeasyPrint, and the worker's peak memory.

Run: DJANGO_SETTINGS_MODULE=sectorplan.settings.test DATABASE_URL=postgres://... .venv/bin/python bench/letters.py
Options: --n 36 (letters timed per path, mixed kinds), --memory 500 (letters for the memory run; 0 to skip).

* bare: ``weasyprint.HTML(string=html).write_pdf()`` on the letter's HTML with the stylesheet inlined;
* worker path: ``generate_letter.run(letter_id)``, i.e. what a Celery worker does per message: lock and
  claim the row, load the decision, aggregate the registrations, render the template, render the PDF,
  hash it, store it in the private storage and mark the letter done;
* memory: a fresh process (as a worker child with ``--max-tasks-per-child``) generates ``--memory``
  letters; its peak RSS (``ru_maxrss``) is printed, with the RSS after the first 10 letters.

The bench creates its own database (``<name>_letters_bench``) and drops it afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sectorplan.settings.test")


def _rss_kb() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _setup(private_root: str) -> None:
    os.environ["PRIVATE_STORAGE_ROOT"] = private_root
    import django

    django.setup()


def child(ids: list[int]) -> None:
    """Generate the given letters in this process and report time and memory as JSON."""
    from applications.decisions.tasks import generate_letter

    rss_after_10 = 0
    samples = []
    start = time.perf_counter()
    for i, letter_id in enumerate(ids, 1):
        generate_letter.run(letter_id)
        if i == 10:
            rss_after_10 = _rss_kb()
        if i % 50 == 0:
            samples.append((i, _rss_kb()))
    elapsed = time.perf_counter() - start
    print(json.dumps({
        "n": len(ids), "elapsed": elapsed, "rss_after_10_kb": rss_after_10, "rss_end_kb": _rss_kb(),
        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "samples": samples,
    }))


def make_letters(count: int) -> list[int]:
    """``count`` pending letters of mixed kinds: the twelve variants of ``tests/letters/cases.py`` in turn (grant,
    rejection, not considered, release, forfeit, lapse, advance, amendment, settlement with payment and with
    reclaim, objection ruling upheld and rejected), each with its plan lines, ledger, advice or objection."""
    from tests.applications.factories import LetterFactory
    from tests.letters.cases import VARIANTS, build_case, case_employer, case_period

    period = case_period()
    ids = []
    for i in range(count):
        decision = build_case(VARIANTS[i % len(VARIANTS)], employer=case_employer(n=i + 1), period=period, number=i + 1)
        ids.append(LetterFactory(decision=decision).pk)
    return ids


def bare_html(letter_id: int) -> str:
    """The letter's HTML with its stylesheet inlined, so bare WeasyPrint needs no URL fetcher."""
    from django.contrib.staticfiles import finders

    from applications.decisions.rendering import letter_html
    from applications.models import Letter

    css = Path(finders.find("letters/letter.css")).read_text()
    html = letter_html(letter=Letter.objects.get(pk=letter_id))
    start = html.index('<link rel="stylesheet"')
    end = html.index(">", start) + 1
    return html[:start] + f"<style>{css}</style>" + html[end:]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=36)
    parser.add_argument("--memory", type=int, default=500)
    parser.add_argument("--child", type=str, default="")
    args = parser.parse_args()

    if args.child:
        _setup(os.environ["PRIVATE_STORAGE_ROOT"])
        child([int(x) for x in args.child.split(",")])
        return

    private_root = tempfile.mkdtemp(prefix="letters-bench-")
    _setup(private_root)
    from django.conf import settings
    from django.db import connection

    from applications.decisions.tasks import generate_letter

    db = settings.DATABASES["default"]
    db.setdefault("TEST", {})["NAME"] = f"{db['NAME']}_letters_bench"
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        n, m = args.n, args.memory
        ids = make_letters(n + m)
        timed, memory_ids = ids[:n], ids[n:]

        from weasyprint import HTML

        htmls = [bare_html(i) for i in timed]
        HTML(string=htmls[0]).write_pdf()  # warm up fonts and caches for both paths
        generate_letter.run(memory_ids[0] if memory_ids else timed[0])

        start = time.perf_counter()
        for html in htmls:
            HTML(string=html).write_pdf()
        bare = time.perf_counter() - start

        start = time.perf_counter()
        for letter_id in timed:
            generate_letter.run(letter_id)
        worker = time.perf_counter() - start

        bare_rate, worker_rate = n / bare, n / worker
        print(f"letters timed per path:        {n}")
        print(f"bare WeasyPrint:               {bare / n:.3f} s/letter  {bare_rate:.2f} letters/s")
        print(f"worker path (task function):   {worker / n:.3f} s/letter  {worker_rate:.2f} letters/s")
        print(f"ratio worker/bare (speed):     {worker_rate / bare_rate:.2f}x  (aim >= 0.90x)")

        if m:
            rest = memory_ids[1:]
            env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{test_db}",
                   "PRIVATE_STORAGE_ROOT": private_root}
            out = subprocess.run(
                [sys.executable, __file__, "--child", ",".join(map(str, rest))],
                env=env, capture_output=True, text=True, check=True,
            ).stdout.strip().splitlines()[-1]
            mem = json.loads(out)
            per = mem["elapsed"] / mem["n"]
            print(f"memory run:                    {mem['n']} letters in one process, {per:.3f} s/letter")
            print(f"  RSS after 10 letters:        {mem['rss_after_10_kb'] / 1024:.0f} MiB")
            print(f"  RSS at the end:              {mem['rss_end_kb'] / 1024:.0f} MiB")
            print(f"  peak RSS (ru_maxrss):        {mem['maxrss_kb'] / 1024:.0f} MiB")
            print("  RSS every 50 letters (MiB):  " + ", ".join(f"{i}: {kb / 1024:.0f}" for i, kb in mem["samples"]))
        else:
            per = worker / n
        cores = 2
        estimate = 4000 * per / cores
        print(f"estimate 4,000 letters on {cores} cores (2 worker processes): {estimate / 60:.1f} min "
              f"(aim < 8 min; assumes both cores free for the workers)")
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
