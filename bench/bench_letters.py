"""Benchmark: a print run of 5,000 invitation letters, made the way the worker makes it.

Goal (issue 8): 5,000 letters in at most 60 s of worker time; the page never waits (the request only
queues the run, tests/test_views.py). This script builds (once) a gemeente of 10 buurten with 500
addresses each, then runs `tasks.make_print_run`'s work (`invitations.build_print_run`) for a run of
all 5,000 addresses with letters, and prints the wall-clock and CPU time, the size of the ZIP, and
how often progress was reported. Figures are printed, not asserted: record them in docs/performance.md.

    .venv/bin/python bench/bench_letters.py            # SQLite file var/bench_letters.sqlite3
    DATABASE_URL=postgres://... .venv/bin/python bench/bench_letters.py
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("SQLITE_PATH", str(BASE_DIR / "var" / "bench_letters.sqlite3"))
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from buurtonderzoek.monitor import actions, invitations  # noqa: E402
from buurtonderzoek.monitor.models import PrintRun, PrintRunStatus, Wave  # noqa: E402
from buurtonderzoek.places.models import Address, Buurt, Gemeente, Wijk  # noqa: E402
from buurtonderzoek.questionnaires.models import QuestionnaireVersion  # noqa: E402
from buurtonderzoek.questionnaires.standard import load_standard_questionnaires  # noqa: E402

CODE = "GM9700"
BUURTEN, PER_BUURT = 10, 500


def build() -> Wave:
    gemeente, _ = Gemeente.objects.get_or_create(code=CODE, defaults={"name": "Briefstad"})
    wijk, _ = Wijk.objects.get_or_create(gemeente=gemeente, code="WK970000", defaults={"name": "Centrum"})
    for b in range(BUURTEN):
        buurt, created = Buurt.objects.get_or_create(
            code=f"BU970000{b:02d}", defaults={"gemeente": gemeente, "wijk": wijk, "name": f"Buurt {b + 1}"}
        )
        if created or not Address.objects.filter(buurt_code=buurt.code).exists():
            Address.objects.bulk_create(
                Address(
                    nummeraanduiding_id=f"97{b:02d}{n:012d}",
                    street=f"Lindelaan {b + 1}",
                    huisnummer=n,
                    postcode=f"97{b:02d}AB",
                    woonplaats="Briefstad",
                    gemeente_code=CODE,
                    buurt_code=buurt.code,
                    x=150_000 + n,
                    y=450_000 + b,
                    lat=52.0,
                    lon=5.0,
                    grid_x=1500,
                )
                for n in range(1, PER_BUURT + 1)
            )
    wave = Wave.objects.filter(gemeente=gemeente).first()
    if wave is None:
        if not QuestionnaireVersion.objects.published().filter(questionnaire__slug="communitymonitor").exists():
            load_standard_questionnaires()
        wave = actions.create_wave(
            gemeente,
            by=None,
            name="Voorjaar",
            starts_on=date(2030, 3, 1),
            ends_on=date(2030, 4, 1),
            version=QuestionnaireVersion.objects.latest_published("communitymonitor"),
            buurten=list(Buurt.objects.filter(gemeente=gemeente)),
            target_per_buurt=100,
        )
    return wave


def main() -> None:
    call_command("migrate", verbosity=0)
    wave = build()
    buurten = list(Buurt.objects.filter(gemeente__code=CODE))
    run = PrintRun.objects.create(
        wave=wave, mode="all", buurt_ids=[b.pk for b in buurten], include_pdf=True, status=PrintRunStatus.RUNNING
    )
    reports: list[int] = []
    wall, cpu = time.perf_counter(), time.process_time()
    run = invitations.build_print_run(run, progress=reports.append)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    size = run.file.size
    print(f"letters: {run.letters} in {len(buurten)} buurten")
    print(f"worker time: {wall:.1f} s wall-clock, {cpu:.1f} s CPU ({run.letters / wall:.0f} letters/s)")
    print(f"download: {size / 1e6:.1f} MB zip; progress reported {len(reports)} times")
    actions.delete_print_run_file(run, by=None)


if __name__ == "__main__":
    main()
