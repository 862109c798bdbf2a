"""Benchmark: the police totals and the certificates of contribution (issue 9).

Goals: the police totals (page and API) render in <= 300 ms with a number of queries that does not grow
with the data, for a gemeente with 100 teams, 8,000 reports and 1,000,000 door visits; certificates for
200 volunteers in one PDF in <= 30 s of worker time.

    .venv/bin/python bench/bench_police.py                       # SQLite file var/bench/police.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bo_partners .venv/bin/python bench/bench_police.py
    .venv/bin/python bench/bench_police.py --fresh               # rebuild the data set

The data set (built once, kept between runs): gemeente Politiestad with 100 teams, one police unit,
8,000 sent reports spread over five years (each with its frozen figures: doors, camera leads, first door,
usefulness for two in three, an outcome for half), 1,000,000 door visits over their canvasses (125 per
report) by 2,000 volunteers, of whom 200 walk for team 1. The totals read only the reports' frozen
figures, never the door visits; the visits are there so that the database is as large as the goal says.
Figures are printed, not asserted: record them in docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR / "bench"))
import benchdjango  # noqa: E402

benchdjango.setup(BASE_DIR / "var" / "bench" / "police.sqlite3", FAST_PASSWORD_HASHING="1")  # noqa: S106 - a setting

from allauth.mfa.models import Authenticator  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from buurtonderzoek.accounts.models import Membership, PoliceUnit, Role, Team, User  # noqa: E402
from buurtonderzoek.canvass.models import DoorVisit, Outcome, ReviewStatus  # noqa: E402
from buurtonderzoek.dashboards.certificates import certificates_for, render_certificates  # noqa: E402
from buurtonderzoek.dashboards.tests.fixtures import bulk_reports  # noqa: E402
from buurtonderzoek.handoff.models import PoliceReport, ReportOutcome  # noqa: E402
from buurtonderzoek.places.models import Address, Gemeente  # noqa: E402

CODE = "GM9700"
TEAMS, REPORTS, VISITS_PER_REPORT, VOLUNTEERS, CERT_VOLUNTEERS = 100, 8_000, 125, 2_000, 200
OFFICER = "bench-police@example.nl"
YEARS = 5


def build(fresh: bool) -> tuple[Gemeente, Team]:
    gemeente = Gemeente.objects.filter(code=CODE).first()
    complete = (
        gemeente is not None and PoliceReport.objects.filter(incident__team__gemeente=gemeente).count() == REPORTS
    )
    if complete and not fresh:
        assert gemeente is not None
        return gemeente, Team.objects.get(gemeente=gemeente, name="Team 001")
    if gemeente is not None:
        raise SystemExit("A partial data set exists: delete the database (or its file) and run again.")
    started = time.perf_counter()
    rng = random.Random(9)
    gemeente = Gemeente.objects.create(code=CODE, name="Politiestad")
    unit = PoliceUnit.objects.create(name="Basisteam Politiestad")
    unit.gemeenten.add(gemeente)
    teams = [Team.objects.create(gemeente=gemeente, name=f"Team {t + 1:03d}") for t in range(TEAMS)]
    users = User.objects.bulk_create(
        User(email=f"loper{v}@politiestad.example", full_name=f"Loper {v:04d}") for v in range(VOLUNTEERS)
    )
    Membership.objects.bulk_create(
        Membership(user=u, role=Role.VOLUNTEER, team=teams[0] if i < CERT_VOLUNTEERS else teams[i % TEAMS])
        for i, u in enumerate(users)
    )
    addresses = Address.objects.bulk_create(
        Address(
            nummeraanduiding_id=f"97{i:014d}",
            street=f"Straat {i // 50}",
            huisnummer=i % 50 + 1,
            postcode=f"97{i // 2000:02d}AB",
            woonplaats="Politiestad",
            gemeente_code=CODE,
            x=120_000 + i % 100 * 10,
            y=480_000 + i // 100 * 10,
            lat=52.0,
            lon=5.0,
            grid_x=(120_000 + i % 100 * 10) // 100,
        )
        for i in range(5_000)
    )
    start = timezone.now() - timedelta(days=365 * YEARS)
    step = timedelta(days=365 * YEARS) / REPORTS
    outcomes = [o.value for o in ReportOutcome]

    def spec(i: int) -> dict[str, object]:
        return {
            "doors_visited": VISITS_PER_REPORT,
            "doors_spoken": rng.randint(10, 60),
            "camera_lead_count": rng.randint(0, 4),
            "usefulness": rng.randint(1, 5) if i % 3 else None,
            "helpful_parts": rng.sample(["signalement", "camera_leads", "witnesses", "timeline", "tips"], 2),
            "outcome": rng.choice(outcomes) if i % 2 else "",
        }

    per_team = REPORTS // TEAMS
    for t, team in enumerate(teams):
        with transaction.atomic():
            reports = bulk_reports(
                team, unit, count=per_team, start=start + t * step, step=step * TEAMS, spec=lambda i: spec(i)
            )
            walkers = users[:CERT_VOLUNTEERS] if t == 0 else [u for i, u in enumerate(users) if i % TEAMS == t]
            visits = []
            for report in reports:
                when = report.submitted_at - timedelta(hours=20)
                for v in range(VISITS_PER_REPORT):
                    visits.append(
                        DoorVisit(
                            canvass_id=report.canvass_id,
                            address=addresses[(report.pk * 7 + v) % len(addresses)],
                            volunteer=walkers[(report.pk + v) % len(walkers)],
                            client_uuid=uuid.uuid4(),
                            outcome=Outcome.GESPROKEN if v % 3 == 0 else Outcome.NIET_THUIS,
                            visited_at=when + timedelta(minutes=v),
                            review_status=ReviewStatus.APPROVED,
                        )
                    )
            DoorVisit.objects.bulk_create(visits, batch_size=5_000)
        if t % 10 == 9:
            print(f"  built {t + 1} of {TEAMS} teams ({time.perf_counter() - started:.0f} s)", flush=True)
    print(f"Built the data set in {time.perf_counter() - started:.0f} s")
    return gemeente, teams[0]


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float, float, float]:
    """Median and p90 wall time, median CPU time of this process and mean CPU time of the database
    server process (PostgreSQL; 0 on SQLite), in milliseconds."""
    fn()
    times, cpu = [], []
    db_before = benchdjango.database_cpu_seconds()
    for _ in range(runs):
        begin, begin_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - begin) * 1000)
        cpu.append((time.process_time() - begin_cpu) * 1000)
    db_ms = (benchdjango.database_cpu_seconds() - db_before) * 1000 / runs
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.9))], statistics.median(cpu), db_ms


def queries(client: Client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return len(captured.captured_queries), response.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fresh", action="store_true", help="rebuild the data set")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    gemeente, cert_team = build(args.fresh)
    # Fresh statistics for the query planner, as autovacuum (PostgreSQL) or a maintenance job would keep them.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    user, _ = User.objects.get_or_create(email=OFFICER, defaults={"full_name": "Agent Bench"})
    unit = PoliceUnit.objects.get(name="Basisteam Politiestad")
    Membership.objects.get_or_create(user=user, role=Role.POLICE, police_unit=unit)
    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "JBSWY3DPEHPK3PXP"}}
    )
    client = Client()
    client.force_login(user)

    today = timezone.localdate()
    everything = f"/politie/totalen/?van={today - timedelta(days=366 * YEARS):%Y-%m-%d}&tot={today:%Y-%m-%d}"
    quarter = "/politie/totalen/"
    api = f"/api/v1/police/totals/?van={today - timedelta(days=366 * YEARS):%Y-%m-%d}&tot={today:%Y-%m-%d}"
    visits = DoorVisit.objects.filter(canvass__incident__team__gemeente=gemeente).count()
    reports = PoliceReport.objects.filter(incident__team__gemeente=gemeente).count()
    print(f"Database: {connection.vendor}; {reports:,} reports, {visits:,} door visits, {TEAMS} teams")

    load = os.getloadavg()[0]
    print(f"\n| what (load average {load:.1f}) | median | p90 | CPU median | database CPU mean | queries |")
    print("|---|---|---|---|---|---|")
    for label, url in (
        ("police totals page, all 8,000 reports (5 years)", everything),
        ("police totals page, this quarter", quarter),
        ("police totals API, all 8,000 reports", api),
        ("police start page", "/politie/"),
    ):
        n, status = queries(client, url)
        assert status == 200, (url, status)
        median, p90, cpu, db = timed(partial(client.get, url), args.runs)
        print(f"| {label} | {median:.0f} ms | {p90:.0f} ms | {cpu:.0f} ms | {db:.0f} ms | {n} |")

    # Query count on a small data set: the same page over one day holds a handful of reports.
    small = f"/politie/totalen/?van={today - timedelta(days=30):%Y-%m-%d}&tot={today - timedelta(days=29):%Y-%m-%d}"
    n_small, _ = queries(client, small)
    n_all, _ = queries(client, everything)
    print(f"\nQueries, one day vs five years of reports: {n_small} vs {n_all}")

    # The data set's team 1 has about 140 walkers per year: the pages of the year before make up 200.
    year = timezone.localdate().year - 1
    begin = time.process_time()
    wall = time.perf_counter()
    certificates = certificates_for(cert_team, year)
    of_year = len(certificates)
    certificates = (certificates + certificates_for(cert_team, year - 1))[:CERT_VOLUNTEERS]
    pdf = render_certificates(certificates)
    cpu = time.process_time() - begin
    print(
        f"\nCertificates: {len(certificates)} pages ({of_year} volunteers of {cert_team.name} in {year}, the rest "
        f"from {year - 1}), one PDF of {len(pdf) / 1024:.0f} KiB: {cpu:.1f} s worker CPU time "
        f"({time.perf_counter() - wall:.1f} s wall)"
    )


if __name__ == "__main__":
    main()
