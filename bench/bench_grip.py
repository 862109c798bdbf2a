"""Benchmark: the gemeente's grip page and team-health page over five years of activity.

Goal (issue 9): for a gemeente of 500 buurten with 5 years of activity (50,000 incidents, 1 million door
visits, 8,000 reports, 100 teams) each page renders in <= 300 ms with a number of queries that does not
grow with the data.

    .venv/bin/python bench/bench_grip.py                      # SQLite file var/bench_grip.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bo_grip .venv/bin/python bench/bench_grip.py
    .venv/bin/python bench/bench_grip.py --fresh              # rebuild the data set
    .venv/bin/python bench/bench_grip.py --scale 0.1          # a tenth of the data, to try it out

It builds (once, with bulk inserts) the gemeente Gripstad: 50 wijken of 10 buurten with square
boundaries, 200 addresses per buurt, 100 teams of 10 members covering 5 buurten each, incidents spread
over five years in the teams' buurten, a canvass with 20 door visits for each, and a police report for
8,000 of the canvasses (a third used). Then it recounts the monthly roll-up once (the background job,
timed) and renders both pages through Django's test client as the municipal officer: first render,
median and 90th percentile, CPU time, and the query count against a gemeente with almost no data.
Figures are printed, not asserted: record them in docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR / "bench"))
import benchdjango  # noqa: E402

benchdjango.setup(BASE_DIR / "var" / "bench_grip.sqlite3")

from allauth.mfa.models import Authenticator  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import F, OuterRef, Subquery  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from buurtonderzoek.accounts.models import Membership, PoliceUnit, Role, Team, User  # noqa: E402
from buurtonderzoek.canvass.models import Canvass, CanvassStatus, DoorVisit  # noqa: E402
from buurtonderzoek.dashboards.grip import refresh_area_months  # noqa: E402
from buurtonderzoek.dashboards.health import refresh_team_health  # noqa: E402
from buurtonderzoek.dashboards.walkers import refresh_walker_days  # noqa: E402
from buurtonderzoek.handoff.models import PoliceReport, ReportStatus  # noqa: E402
from buurtonderzoek.incidents.models import Incident, IncidentStatus, IncidentType  # noqa: E402
from buurtonderzoek.places.geo import grid_strip, rd_to_wgs84  # noqa: E402
from buurtonderzoek.places.models import Address, Buurt, Gemeente, Wijk  # noqa: E402

CODE, SMALL_CODE = "GM9700", "GM9701"
OFFICER = "bench-grip-officer@example.nl"
ORIGIN_X, ORIGIN_Y = 100_000, 400_000  # RD metres; each buurt is a 500 m square east/north of here
BUURT_M = 500


def _square(col: int, row: int) -> dict[str, object]:
    x0, y0 = ORIGIN_X + col * BUURT_M, ORIGIN_Y + row * BUURT_M
    corners = [
        rd_to_wgs84(x, y) for x, y in ((x0, y0), (x0 + BUURT_M, y0), (x0 + BUURT_M, y0 + BUURT_M), (x0, y0 + BUURT_M))
    ]
    ring = [[lon, lat] for lat, lon in corners]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def build(code: str, *, scale: float, fresh: bool) -> Gemeente:
    existing = Gemeente.objects.filter(code=code).first()
    if existing is not None and not fresh:
        return existing
    if existing is not None:
        print(f"removing the old {code} ...", flush=True)
        old_teams = Team.objects.filter(gemeente=existing)
        PoliceReport.objects.filter(incident__team__in=old_teams).delete()
        DoorVisit.objects.filter(canvass__incident__team__in=old_teams).delete()
        Incident.objects.filter(team__in=old_teams).delete()
        User.objects.filter(email__startswith=f"{code.lower()}-").delete()
        old_teams.delete()
        Address.objects.filter(gemeente_code=code).delete()
        existing.delete()
    rng = random.Random(9)
    started = time.perf_counter()
    n_wijken, per_wijk, per_buurt = max(1, round(50 * scale)), 10, 200
    n_teams, members, incidents, visits_per, reports = (
        max(1, round(100 * scale)),
        10,
        round(50_000 * scale),
        20,
        round(8_000 * scale),
    )
    with transaction.atomic():
        gemeente = Gemeente.objects.create(code=code, name=f"Gripstad {code}")
        buurten: list[Buurt] = []
        for w in range(n_wijken):
            wijk = Wijk.objects.create(code=f"WK{code[2:]}{w:02d}", name=f"Wijk {w + 1}", gemeente=gemeente)
            for b in range(per_wijk):
                buurten.append(
                    Buurt(
                        code=f"BU{code[2:]}{w:02d}{b:02d}",
                        name=f"Buurt {w + 1}.{b + 1}",
                        wijk=wijk,
                        gemeente=gemeente,
                        boundary=_square(b, w),
                    )
                )
        Buurt.objects.bulk_create(buurten)
        buurten = list(Buurt.objects.filter(gemeente=gemeente).order_by("code"))
        addresses = []
        for i, buurt in enumerate(buurten):
            col, row = i % per_wijk, i // per_wijk
            for n in range(per_buurt):
                x = ORIGIN_X + col * BUURT_M + 10 + (n % 20) * 24
                y = ORIGIN_Y + row * BUURT_M + 10 + (n // 20) * 48
                lat, lon = rd_to_wgs84(x, y)
                addresses.append(
                    Address(
                        nummeraanduiding_id=f"{code[2:]}{i:06d}{n:06d}",
                        street=f"Straat {i}",
                        huisnummer=n + 1,
                        postcode="9700AA",
                        woonplaats="Gripstad",
                        gemeente_code=code,
                        buurt_code=buurt.code,
                        x=x,
                        y=y,
                        lat=lat,
                        lon=lon,
                        grid_x=grid_strip(x),
                    )
                )
        Address.objects.bulk_create(addresses, batch_size=5000)
        by_buurt: dict[str, list[Address]] = {}
        for a in Address.objects.filter(gemeente_code=code).only("id", "buurt_code", "x", "y", "lat", "lon"):
            by_buurt.setdefault(a.buurt_code, []).append(a)
        unit, _ = PoliceUnit.objects.get_or_create(name=f"Basisteam {code}")
        unit.gemeenten.add(gemeente)

        teams = Team.objects.bulk_create(Team(name=f"Team {t + 1}", gemeente=gemeente) for t in range(n_teams))
        team_buurten = {}
        for t, team in enumerate(teams):
            covered = buurten[(t * 5) % len(buurten) : (t * 5) % len(buurten) + 5]
            team.buurten.set(covered)
            team_buurten[team.pk] = covered
        users = User.objects.bulk_create(
            User(
                email=f"{code.lower()}-{t}-{m}@example.nl",
                password="!",  # noqa: S106 - an unusable password: nobody logs in as these members
                full_name=f"Lid {t}.{m}",
                last_login=timezone.now() - timedelta(days=rng.randint(0, 40)),
            )
            for t in range(n_teams)
            for m in range(members)
        )
        team_users = {team.pk: users[t * members : (t + 1) * members] for t, team in enumerate(teams)}
        Membership.objects.bulk_create(
            Membership(user=u, team=team, role=Role.COORDINATOR if m == 0 else Role.VOLUNTEER)
            for team in teams
            for m, u in enumerate(team_users[team.pk])
        )
        print(f"  places, teams and users: {time.perf_counter() - started:.0f} s", flush=True)

        now = timezone.now()
        incident_rows = []
        for i in range(incidents):
            team = teams[i % len(teams)]
            buurt = team_buurten[team.pk][rng.randrange(len(team_buurten[team.pk]))]
            address = rng.choice(by_buurt[buurt.code])
            at = now - timedelta(minutes=rng.randrange(5 * 365 * 24 * 60))
            incident_rows.append(
                Incident(
                    team=team,
                    incident_type=IncidentType.FIETSDIEFSTAL,
                    occurred_from=at - timedelta(hours=3),
                    occurred_until=at - timedelta(hours=1),
                    address=address,
                    location_label="Gripstad",
                    x=address.x,
                    y=address.y,
                    lat=address.lat,
                    lon=address.lon,
                    description="Benchmark",
                    victim_consent=True,
                    status=IncidentStatus.CLOSED,
                )
            )
        Incident.objects.bulk_create(incident_rows, batch_size=5000)
        mine = Incident.objects.filter(team__gemeente=gemeente)
        mine.update(created_at=F("occurred_until") + timedelta(hours=1))
        print(f"  {incidents} incidents: {time.perf_counter() - started:.0f} s", flush=True)

        Canvass.objects.bulk_create(
            (
                Canvass(
                    incident_id=inc_id,
                    status=CanvassStatus.DONE,
                    centre_x=x,
                    centre_y=y,
                    centre_lat=lat,
                    centre_lon=lon,
                    radius_m=150,
                    door_count=visits_per,
                )
                for inc_id, x, y, lat, lon in mine.values_list("id", "x", "y", "lat", "lon")
            ),
            batch_size=5000,
        )
        canvasses = Canvass.objects.filter(incident__team__gemeente=gemeente)
        canvasses.update(
            created_at=Subquery(Incident.objects.filter(pk=OuterRef("incident_id")).values("created_at")[:1])
        )
        print(f"  canvasses: {time.perf_counter() - started:.0f} s", flush=True)

        rows = list(canvasses.values_list("id", "created_at", "incident__team_id", "incident__address__buurt_code"))
        _insert_visits(gemeente, by_buurt, team_users, visits_per)
        print(f"  {len(rows) * visits_per} door visits: {time.perf_counter() - started:.0f} s", flush=True)

        reported = rng.sample(rows, min(reports, len(rows)))
        incident_of = dict(canvasses.values_list("id", "incident_id"))
        PoliceReport.objects.bulk_create(
            (
                PoliceReport(
                    incident_id=incident_of[canvass_id],
                    canvass_id=canvass_id,
                    unit=unit,
                    status=ReportStatus.USED if i % 3 == 0 else ReportStatus.CLOSED,
                    doors_visited=visits_per,
                )
                for i, (canvass_id, _created, _team, _buurt) in enumerate(reported)
            ),
            batch_size=5000,
        )
        PoliceReport.objects.filter(unit=unit).update(
            submitted_at=Subquery(Canvass.objects.filter(pk=OuterRef("canvass_id")).values("created_at")[:1])
        )
        print(f"  {len(reported)} reports: {time.perf_counter() - started:.0f} s", flush=True)
    return gemeente


def _insert_visits(
    gemeente: Gemeente, by_buurt: dict[str, list[Address]], team_users: dict[int, list[User]], per: int
) -> None:
    """`per` door visits for every canvass, generated inside the database (INSERT ... SELECT): a million
    Python objects would take most of an hour on a busy machine. Doors are spread over the buurt's
    addresses, walkers over the team's members, three minutes apart from four hours after the canvass."""
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for table, columns in (
            ("bench_k", "k integer"),
            ("bench_buurt", "code varchar(10), first_id bigint, n integer"),
        ):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE TEMPORARY TABLE {table} ({columns})")
        cursor.execute("DROP TABLE IF EXISTS bench_team")
        cursor.execute("CREATE TEMPORARY TABLE bench_team (team_id bigint, first_user bigint, n integer)")
        cursor.executemany("INSERT INTO bench_k VALUES (%s)", [(k,) for k in range(per)])
        cursor.executemany(
            "INSERT INTO bench_buurt VALUES (%s, %s, %s)",
            [(code, min(a.pk for a in addresses), len(addresses)) for code, addresses in by_buurt.items()],
        )
        cursor.executemany(
            "INSERT INTO bench_team VALUES (%s, %s, %s)",
            [(team_id, min(u.pk for u in users), len(users)) for team_id, users in team_users.items()],
        )
        if postgres:
            visited = "c.created_at + interval '4 hours' + k.k * interval '3 minutes'"
            uuid = "gen_random_uuid()"
        else:
            visited = "datetime(c.created_at, '+4 hours', '+' || (k.k * 3) || ' minutes')"  # %% is % for SQLite too
            uuid = "lower(hex(randomblob(16)))"
        cursor.execute(
            f"""
            INSERT INTO canvass_doorvisit (client_uuid, outcome, visited_at, answers, review_status,
                review_comment, created_at, updated_at, address_id, canvass_id, volunteer_id)
            SELECT {uuid}, CASE WHEN k.k %% 3 = 0 THEN 'niet_thuis' ELSE 'gesproken' END, {visited}, '{{}}',
                'approved', '', {visited}, {visited}, b.first_id + ((c.id * 7 + k.k * 13) %% b.n), c.id,
                t.first_user + ((c.id + k.k * 3) %% t.n)
            FROM canvass_canvass c
            JOIN incidents_incident i ON i.id = c.incident_id
            JOIN places_address a ON a.id = i.address_id
            JOIN bench_buurt b ON b.code = a.buurt_code
            JOIN bench_team t ON t.team_id = i.team_id
            CROSS JOIN bench_k k
            JOIN accounts_team tm ON tm.id = i.team_id
            WHERE tm.gemeente_id = %s
            """,
            [gemeente.pk],
        )


def _a_day_of_visits(gemeente: Gemeente) -> int:
    """About a day's door visits (50,000 incidents x 20 doors over five years: ~550) on recent canvasses,
    recorded now, as the phones would send them in."""
    rng = random.Random(11)
    recent = list(
        Canvass.objects.filter(incident__team__gemeente=gemeente)
        .order_by("-created_at")
        .values_list("id", "incident__address_id", "incident__team_id")[:28]
    )
    walkers = {
        team_id: user_id
        for team_id, user_id in Membership.objects.filter(team__gemeente=gemeente).values_list("team_id", "user_id")
    }
    now = timezone.now()
    made = DoorVisit.objects.bulk_create(
        DoorVisit(
            canvass_id=canvass_id,
            address_id=address_id,
            volunteer_id=walkers[team_id],
            outcome="gesproken",
            visited_at=now - timedelta(minutes=rng.randrange(24 * 60)),
        )
        for canvass_id, address_id, team_id in recent
        for _ in range(20)
    )
    return len(made)


def officer_client(gemeente: Gemeente) -> Client:
    email = f"{gemeente.code.lower()}-{OFFICER}"
    user = User.objects.filter(email=email).first() or User.objects.create_user(email, "bench-wachtwoord-123")
    Membership.objects.get_or_create(user=user, gemeente=gemeente, defaults={"role": Role.MUNICIPAL})
    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "JBSWY3DPEHPK3PXP"}}
    )
    client = Client()
    client.force_login(user)
    return client


def timed_both(client: Client, url: str) -> tuple[float, float]:
    """Wall-clock and CPU milliseconds of one request (the test client runs in this process)."""
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    elapsed, cpu_ms = (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, cpu_ms


def measure(name: str, client: Client, urls: list[str], renders: int) -> float:
    first, _ = timed_both(client, urls[0])
    db_before = benchdjango.database_cpu_seconds()
    measured = [timed_both(client, urls[i % len(urls)]) for i in range(renders)]
    db_ms = (benchdjango.database_cpu_seconds() - db_before) * 1000 / renders
    times = sorted(wall for wall, _cpu in measured)
    median, p90 = statistics.median(times), times[int(0.9 * (len(times) - 1))]
    cpu = statistics.median(cpu for _wall, cpu in measured)
    with CaptureQueriesContext(connection) as queries:
        client.get(urls[0])
    database = f", database CPU mean {db_ms:.0f} ms" if connection.vendor == "postgresql" else ""
    print(
        f"{name}: first render {first:.0f} ms; median {median:.0f} ms, p90 {p90:.0f} ms over {renders} renders "
        f"(CPU median {cpu:.0f} ms{database}); {len(queries)} queries; load average {os.getloadavg()[0]:.1f}"
    )
    return median


def refresh_roll_ups(gemeente: Gemeente, small: Gemeente) -> None:
    """The background job's work, timed: the monthly figures and a full walker-day recount for both
    gemeenten, then the incremental walker-day refresh after a day of new visits."""
    for g in (gemeente, small):
        started = time.perf_counter()
        rows = refresh_area_months(g)
        print(f"roll-up of {g.name} (background job): {rows} buurt-months in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        rows = refresh_walker_days(g, full=True)
        print(f"  walker-days, full recount: {rows} rows in {time.perf_counter() - started:.1f} s")
    added = _a_day_of_visits(gemeente)
    started = time.perf_counter()
    rows = refresh_walker_days(gemeente)
    print(
        f"  walker-days, incremental after {added} new visits (a day's work): "
        f"{rows} rows in {(time.perf_counter() - started) * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="rebuild the data set")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full data set")
    parser.add_argument("--renders", type=int, default=15)
    parser.add_argument("--pages-only", action="store_true", help="measure the pages on the roll-ups as they are")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    gemeente = build(CODE, scale=args.scale, fresh=args.fresh)
    small = build(SMALL_CODE, scale=0.01, fresh=args.fresh)
    if connection.vendor == "postgresql":
        # Planner statistics, as autovacuum keeps them in production (it is off on the shared dev server):
        # without them PostgreSQL guesses row counts for the freshly loaded tables and picks worse plans.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    teams = Team.objects.filter(gemeente=gemeente)
    print(
        f"data: {Buurt.objects.filter(gemeente=gemeente).count()} buurten, {teams.count()} teams, "
        f"{Incident.objects.filter(team__in=teams).count()} incidents, "
        f"{DoorVisit.objects.filter(canvass__incident__team__in=teams).count()} door visits, "
        f"{PoliceReport.objects.filter(incident__team__in=teams).count()} reports"
    )
    if not args.pages_only:
        refresh_roll_ups(gemeente, small)
    # The job's last step (also with --pages-only: the pages count a team live once its stored health is
    # older than two refresh intervals).
    for g in (gemeente, small):
        started = time.perf_counter()
        counted = refresh_team_health(g)
        print(f"  team health of {g.name}: {counted} teams counted and stored in {time.perf_counter() - started:.1f} s")

    load = os.getloadavg()[0]
    client, small_client = officer_client(gemeente), officer_client(small)
    grip = f"/gemeente/{gemeente.pk}/grip/"
    wijk = Wijk.objects.filter(gemeente=gemeente).order_by("code").first()
    assert wijk is not None
    grip_urls = [
        grip,
        f"{grip}?figuur=doors_visited",
        f"{grip}?figuur=hours_saved&wijk={wijk.pk}",
        f"{grip}?van=2023-01&tot=2024-12",
    ]
    grip_ms = measure("grip page", client, grip_urls, args.renders)
    health_ms = measure("team-health page (100 teams)", client, [f"/gemeente/{gemeente.pk}/teams/"], args.renders)
    with CaptureQueriesContext(connection) as small_grip:
        small_client.get(f"/gemeente/{small.pk}/grip/")
    with CaptureQueriesContext(connection) as small_health:
        small_client.get(f"/gemeente/{small.pk}/teams/")
    print(f"  queries for a gemeente with 1% of the data: grip {len(small_grip)}, team health {len(small_health)}")
    print(f"  (load average {load:.1f} on {os.cpu_count()} CPUs; wall time grows with other work on the machine)")
    verdict = "MET" if max(grip_ms, health_ms) <= 300 else "NOT MET"
    print("goal: both pages <= 300 ms (median) with a constant number of queries:", verdict)


if __name__ == "__main__":
    main()
