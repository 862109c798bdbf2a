"""Benchmark: one year of the whole country on PostgreSQL, and the busiest pages timed on it (issue 14).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bo_national .venv/bin/python bench/bench_national.py --fresh
    ... bench_national.py --scale 0.1     # a tenth of everything, to try it out
    ... bench_national.py --monitor       # also build bench_monitor.py's Benchstad and time its results page

The data (DOMAIN.md section 10: 2-4 million door contacts a year) is generated inside the database
with `INSERT ... SELECT generate_series` (a progress bar per step), never as Python objects:
- 342 gemeenten of very different size (Zipf-like, 16 to 520 buurten; the rounding remainder lands on
  the largest, which makes it a worst case with 201 teams), 13,000 buurten in wijken of 8, 100
  addresses per buurt (1.3 million);
- 700 teams (every gemeente at least one, the large ones more), each covering a contiguous share of
  its gemeente's buurten; 10 members per team, the first a coordinator; a police unit per two
  gemeenten; a municipal officer per gemeente;
- 80,000 incidents over the last 365 days, weighted by the team's number of buurten; 67,000 of them
  had a canvass of 45 doors: 3,000,000 door visits (40% not at home, 30% spoken, 20% a note, 10%
  refused) by the team's members; 50,000 police reports with their frozen figures;
- the roll-ups the grip and team-health pages read (the background job `refresh_grip_figures`: months
  per buurt, door visits per walker and day, then each team's health), timed for all gemeenten, then
  `ANALYZE`, as autovacuum would. The pages use a team's stored health for two refresh intervals (2 hours
  by default) and count it live after that; a worker would have counted it again after one interval, so
  the script counts it for every team (8-12 s) before measuring when it is older than that, or when asked
  (`--count-health`).

Then, through Django's test client in this process (so CPU time is the request's Python work; the
database's own time is only in the wall time), 15 renders after a first one each, as the person who
would open them in the busiest gemeente, team and police unit: the police inbox (HTML and API), the
police start page and totals, the grip page and its API, team health and its API, the coordinator's
start page, the visit sync (one visit per POST, and a batch of 50) on a canvass planned on the
generated addresses, and with --monitor the Communitymonitor results page. The query count of every
page is printed too. Figures are printed, not asserted: record them in docs/performance.md.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR / "bench"))
import benchdjango  # noqa: E402

if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
    sys.exit("bench_national.py runs on PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/bo_national")
benchdjango.setup(BASE_DIR / "var" / "bench" / "national-unused.sqlite3")

from allauth.mfa.models import Authenticator  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from tqdm import tqdm  # noqa: E402

from buurtonderzoek.accounts.models import Membership, PoliceUnit, Role, Team, User  # noqa: E402
from buurtonderzoek.places.models import Gemeente  # noqa: E402

GEMEENTEN, TEAMS, MEMBERS = 342, 700, 10
BUURTEN, PER_BUURT, BUURTEN_PER_WIJK = 13_000, 100, 8
INCIDENTS, CANVASSES, DOORS, REPORTS = 80_000, 67_000, 45, 50_000
FIRST_CODE = 5000  # GM5000-GM5341: clear of the other benchmarks' gemeenten
CELL_M = 500  # every buurt is a 500 m square in one big grid
COLUMNS = 200
ORIGIN_X, ORIGIN_Y = 20_000, 310_000


# Building -------------------------------------------------------------------------------------------


def sizes(total: int, parts: int, exponent: float = 0.65) -> list[int]:
    """`total` split over `parts` like Dutch gemeenten: a few large ones and a long tail, each >= 1."""
    weights = [1 / (i + 3) ** exponent for i in range(parts)]
    scale = (total - parts) / sum(weights)
    counts = [1 + int(w * scale) for w in weights]
    counts[0] += total - sum(counts)
    return counts


@contextmanager
def step(bar: Any, name: str) -> Iterator[None]:
    bar.set_description(name)
    started = time.perf_counter()
    yield
    bar.update(1)
    bar.write(f"  {name}: {time.perf_counter() - started:.1f} s")


def execute(sql: str, params: Any = ()) -> None:
    """One statement; always with parameters, so `%%` means `%` in every statement alike."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def build(scale: float) -> None:
    n_buurten = max(GEMEENTEN, round(BUURTEN * scale))
    n_teams = max(GEMEENTEN, round(TEAMS * scale))
    n_incidents, n_canvasses, n_reports = (round(x * scale) for x in (INCIDENTS, CANVASSES, REPORTS))
    buurten_per_gemeente = sizes(n_buurten, GEMEENTEN)
    # Every gemeente at least one team, the large ones more (never more teams than buurten).
    teams_per_gemeente = [min(b, t) for b, t in zip(buurten_per_gemeente, sizes(n_teams, GEMEENTEN), strict=True)]

    steps = tqdm(total=11, unit="step", file=sys.stdout)
    started = time.perf_counter()
    with step(steps, f"{GEMEENTEN} gemeenten, {n_buurten} buurten, wijken, police units"):
        execute(
            "INSERT INTO places_gemeente (code, name) SELECT 'GM' || (%s + g), 'Landstad ' || (g + 1) "
            "FROM generate_series(0, %s) g",
            [FIRST_CODE, GEMEENTEN - 1],
        )
        gemeenten = dict(Gemeente.objects.filter(code__startswith="GM5").values_list("code", "id"))  # code -> id
        rows_b, rows_w, first = [], [], 0
        for g, count in enumerate(buurten_per_gemeente):
            code = f"{FIRST_CODE + g}"
            for b in range(count):
                w = b // BUURTEN_PER_WIJK
                if b % BUURTEN_PER_WIJK == 0:
                    rows_w.append((f"WK{code}{w:02d}", f"Wijk {w + 1}", gemeenten[f"GM{code}"]))
                rows_b.append(
                    (first + b, f"BU{code}{b:04d}", f"Buurt {b + 1}", f"WK{code}{w:02d}", gemeenten[f"GM{code}"])
                )
            first += count
        with connection.cursor() as cursor:
            cursor.executemany("INSERT INTO places_wijk (code, name, gemeente_id) VALUES (%s, %s, %s)", rows_w)
            cursor.execute(
                "CREATE TEMPORARY TABLE nat_buurt "
                "(idx integer, code varchar(12), name varchar(40), wijk varchar(12), gemeente_id bigint)"
            )
            with cursor.copy("COPY nat_buurt FROM STDIN") as copy:
                for row in rows_b:
                    copy.write_row(row)
            # A square boundary per buurt (lat/lon from a linear approximation of RD: close enough here).
            cursor.execute(
                f"""
                INSERT INTO places_buurt (code, name, wijk_id, gemeente_id, boundary)
                SELECT b.code, b.name, w.id, b.gemeente_id, json_build_object('type', 'Polygon', 'coordinates',
                    json_build_array(json_build_array(
                        json_build_array(lon0, lat0), json_build_array(lon0 + dlon, lat0),
                        json_build_array(lon0 + dlon, lat0 + dlat), json_build_array(lon0, lat0 + dlat),
                        json_build_array(lon0, lat0))))
                FROM (SELECT nb.*,
                        3.3 + ({ORIGIN_X} + (idx % {COLUMNS}) * {CELL_M} - 20000) / 68000.0 AS lon0,
                        50.8 + ({ORIGIN_Y} + (idx / {COLUMNS}) * {CELL_M} - 310000) / 111000.0 AS lat0,
                        {CELL_M} / 68000.0 AS dlon, {CELL_M} / 111000.0 AS dlat
                      FROM nat_buurt nb) b
                JOIN places_wijk w ON w.code = b.wijk
                ORDER BY b.idx
                """
            )
            cursor.execute(
                "INSERT INTO accounts_policeunit (name) SELECT 'Basisteam ' || (u + 1) FROM generate_series(0, %s) u",
                [math.ceil(GEMEENTEN / 2) - 1],
            )
            cursor.execute(
                """
                INSERT INTO accounts_policeunit_gemeenten (policeunit_id, gemeente_id)
                SELECT u.id, g.id FROM places_gemeente g
                JOIN accounts_policeunit u ON u.name = 'Basisteam ' || ((substr(g.code, 3)::int - %s) / 2 + 1)
                WHERE g.code LIKE 'GM5%%'
                """,
                [FIRST_CODE],
            )

    with step(steps, f"{n_buurten * PER_BUURT:,} addresses"):
        execute(
            f"""
            INSERT INTO places_address (nummeraanduiding_id, object_id, object_type, street, huisnummer, huisletter,
                toevoeging, postcode, woonplaats, gemeente_code, buurt_code, x, y, lat, lon, grid_x)
            SELECT 'N' || b.idx || '-' || n, 'V' || b.idx || '-' || n, 'V',
                'Straat ' || b.idx || '-' || (n / 20), 1 + n %% 20, '', '',
                lpad((1000 + b.idx %% 8000)::text, 4, '0') || 'AB',
                'Landstad', 'GM' || substr(b.code, 3, 4), b.code, x, y,
                50.8 + (y - 310000) / 111000.0, 3.3 + (x - 20000) / 68000.0, x / 100
            FROM nat_buurt b
            CROSS JOIN generate_series(0, {PER_BUURT - 1}) n
            CROSS JOIN LATERAL (SELECT {ORIGIN_X} + (b.idx %% {COLUMNS}) * {CELL_M} + 25 + (n %% 10) * 50 AS x,
                                       {ORIGIN_Y} + (b.idx / {COLUMNS}) * {CELL_M} + 25 + (n / 10) * 50 AS y) xy
            ORDER BY b.idx, n
            """
        )

    with step(steps, f"{n_teams} teams with {MEMBERS} members, officers"):
        team_rows = []  # (team idx, gemeente code, first buurt idx, buurten)
        first = 0
        t = 0
        for g, (count, teams) in enumerate(zip(buurten_per_gemeente, teams_per_gemeente, strict=True)):
            share = [count // teams + (1 if i < count % teams else 0) for i in range(teams)]
            start = first
            for s in share:
                team_rows.append((t, f"GM{FIRST_CODE + g}", start, s))
                start += s
                t += 1
            first += count
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE nat_team_in "
                "(idx integer, gemeente varchar(6), first_buurt integer, buurten integer)"
            )
            with cursor.copy("COPY nat_team_in FROM STDIN") as copy:
                for team_row in team_rows:
                    copy.write_row(team_row)
            cursor.execute(
                """
                INSERT INTO accounts_team (name, created_at, gemeente_id)
                SELECT 'Buurtpreventie ' || (t.idx + 1), now() - interval '2 years', g.id
                FROM nat_team_in t JOIN places_gemeente g ON g.code = t.gemeente ORDER BY t.idx
                """
            )
            # A team's buurten are consecutive and so are their addresses: the first id and a count
            # describe them all (one pass over the addresses for the first id of every buurt).
            cursor.execute(
                """
                CREATE TEMPORARY TABLE nat_first AS
                SELECT b.idx, min(a.id) AS first_id FROM places_address a JOIN nat_buurt b ON b.code = a.buurt_code
                GROUP BY b.idx
                """
            )
            cursor.execute(
                """
                CREATE TEMPORARY TABLE nat_team AS
                SELECT t.*, tm.id AS team_id, f.first_id AS first_address, t.buurten * %s AS addresses
                FROM nat_team_in t JOIN accounts_team tm ON tm.name = 'Buurtpreventie ' || (t.idx + 1)
                JOIN nat_first f ON f.idx = t.first_buurt
                """,
                [PER_BUURT],
            )
            cursor.execute(
                """
                INSERT INTO accounts_team_buurten (team_id, buurt_id)
                SELECT t.team_id, pb.id FROM nat_team t
                JOIN nat_buurt b ON b.idx >= t.first_buurt AND b.idx < t.first_buurt + t.buurten
                JOIN places_buurt pb ON pb.code = b.code
                """
            )
            cursor.execute(
                f"""
                INSERT INTO accounts_user (password, is_superuser, first_name, last_name, is_staff, is_active,
                    date_joined, email, full_name, last_login)
                SELECT '!', false, '', '', false, true, now() - interval '1 year',
                    'lid-' || t.idx || '-' || m || '@landstad.example.nl', 'Lid ' || t.idx || '.' || m,
                    now() - (t.idx %% 40) * interval '1 day'
                FROM nat_team t CROSS JOIN generate_series(0, {MEMBERS - 1}) m ORDER BY t.idx, m
                """,
                [],
            )
            cursor.execute("ALTER TABLE nat_team ADD COLUMN first_user bigint")
            cursor.execute(
                "UPDATE nat_team t SET first_user = u.id FROM accounts_user u "
                "WHERE u.email = 'lid-' || t.idx || '-0@landstad.example.nl'"
            )
            cursor.execute(
                f"""
                INSERT INTO accounts_membership (role, created_at, user_id, team_id)
                SELECT CASE WHEN m = 0 THEN 'coordinator' ELSE 'volunteer' END, now() - interval '1 year',
                    t.first_user + m, t.team_id
                FROM nat_team t CROSS JOIN generate_series(0, {MEMBERS - 1}) m
                """
            )
            cursor.execute("CREATE INDEX ON nat_team (idx)")
            cursor.execute("ANALYZE nat_team")

    with step(steps, f"{n_incidents:,} incidents over the last year"):
        # Each incident picks a "slot"; a team has as many slots as buurten, so busy gemeenten have more.
        execute(
            """
            CREATE TEMPORARY TABLE nat_slot AS
            SELECT row_number() OVER (ORDER BY t.idx, s) - 1 AS slot, t.idx AS team
            FROM nat_team t CROSS JOIN LATERAL generate_series(1, t.buurten) s
            """
        )
        execute("CREATE INDEX ON nat_slot (slot)")
        execute(
            """
            INSERT INTO incidents_incident (public_token, incident_type, occurred_from, occurred_until,
                address_id, location_label, x, y, lat, lon, police_registration_number, description,
                victim_consent, status, created_at, updated_at, team_id)
            SELECT md5('nat' || n), (ARRAY['woninginbraak', 'autokraak', 'fietsdiefstal', 'woninginbraak'])[1 + n %% 4],
                at - interval '3 hours', at - interval '1 hour', a.id, a.street || ' ' || a.huisnummer, a.x, a.y,
                a.lat, a.lon, '', 'Landelijke simulatie', true,
                CASE WHEN n <= %s THEN 'closed' ELSE 'registered' END, at, at, t.team_id
            FROM generate_series(1::bigint, %s) n
            CROSS JOIN LATERAL (SELECT now() - ((n * 7919) %% 525600) * interval '1 minute' AS at) w
            JOIN nat_slot s ON s.slot = (n * 104729) %% (SELECT count(*) FROM nat_slot)
            JOIN nat_team t ON t.idx = s.team
            JOIN places_address a ON a.id = t.first_address + (n * 31) %% t.addresses
            """,
            [n_canvasses, n_incidents],
        )

    with step(steps, f"{n_canvasses:,} canvasses"):
        execute(
            f"""
            INSERT INTO canvass_canvass (status, centre_x, centre_y, centre_lat, centre_lon, radius_m,
                excluded_address_ids, door_count, planned_at, created_at, updated_at, incident_id, improvement_note)
            SELECT 'done', i.x, i.y, i.lat, i.lon, 150, '[]', {DOORS}, i.created_at + interval '1 hour',
                i.created_at + interval '1 hour', i.created_at + interval '1 hour', i.id, ''
            FROM incidents_incident i WHERE i.description = 'Landelijke simulatie' AND i.status = 'closed'
            """
        )

    with step(steps, f"{n_canvasses * DOORS:,} door visits"):
        execute(
            f"""
            INSERT INTO canvass_doorvisit (client_uuid, outcome, visited_at, answers, review_status,
                review_comment, created_at, updated_at, address_id, canvass_id, volunteer_id)
            SELECT gen_random_uuid(),
                (ARRAY['niet_thuis', 'niet_thuis', 'niet_thuis', 'niet_thuis', 'gesproken', 'gesproken',
                       'gesproken', 'briefje', 'briefje', 'wil_niet'])[1 + (c.id + k) %% 10],
                c.created_at + interval '3 hours' + k * interval '2 minutes', '{{}}', 'approved', '',
                c.created_at + interval '3 hours' + k * interval '2 minutes',
                c.created_at + interval '3 hours' + k * interval '2 minutes',
                t.first_address + (i.address_id - t.first_address + k * 7) %% t.addresses, c.id,
                t.first_user + (c.id + k) %% {MEMBERS}
            FROM canvass_canvass c
            JOIN incidents_incident i ON i.id = c.incident_id
            JOIN accounts_team tm ON tm.id = i.team_id
            JOIN nat_team t ON t.team_id = tm.id
            CROSS JOIN generate_series(0, {DOORS - 1}) k
            WHERE i.description = 'Landelijke simulatie'
            """
        )

    with step(steps, f"{n_reports:,} police reports"):
        execute(
            f"""
            INSERT INTO handoff_policereport (status, status_changed_at, schema_version, document, witness_sources,
                quality_score, doors_planned, doors_visited, doors_spoken, signalement_count, camera_lead_count,
                submitted_at, outcome, outcome_note, pdf_status, pdf_progress, pdf_error, pdf_police, pdf_team,
                canvass_id, incident_id, unit_id, helpful_parts, first_door_at, hours_to_first_door,
                hours_to_report)
            SELECT (ARRAY['submitted', 'received', 'in_progress', 'used', 'closed', 'closed'])[1 + c.id %% 6],
                c.created_at + interval '1 day', '1.0', '{{}}', '{{}}', 40 + c.id %% 60, {DOORS}, {DOORS},
                {DOORS * 3 // 10}, c.id %% 3, c.id %% 2, c.created_at + interval '1 day', '', '', 'done', 100, '',
                '', '', c.id, c.incident_id, pu.policeunit_id, '[]', c.created_at + interval '3 hours',
                4 + c.id %% 20, 24 + c.id %% 30
            FROM (SELECT * FROM canvass_canvass ORDER BY id LIMIT %s) c
            JOIN incidents_incident i ON i.id = c.incident_id
            JOIN accounts_team tm ON tm.id = i.team_id
            JOIN accounts_policeunit_gemeenten pu ON pu.gemeente_id = tm.gemeente_id
            WHERE i.description = 'Landelijke simulatie'
            """,
            [n_reports],
        )
        execute(
            "UPDATE incidents_incident SET status = 'reported' FROM handoff_policereport r "
            "WHERE r.incident_id = incidents_incident.id AND r.status NOT IN ('used', 'closed')"
        )

    with step(steps, "ANALYZE"):
        execute("ANALYZE")

    with step(steps, f"roll-ups of all {GEMEENTEN} gemeenten (the background job refresh_grip_figures)"):
        roll_up()

    with step(steps, "ANALYZE again"):
        execute("ANALYZE")
    with step(steps, "done"):
        pass
    steps.close()
    print(f"built in {time.perf_counter() - started:.0f} s")


def roll_up() -> None:
    """What the grip and team-health pages read, recounted for every gemeente by the background job."""
    from buurtonderzoek.dashboards.tasks import refresh_grip_figures

    for gemeente_id in Gemeente.objects.filter(code__startswith="GM5").order_by("code").values_list("pk", flat=True):
        refresh_grip_figures.call(gemeente_id)


def health_is_stale() -> bool:
    """True when the busiest gemeente's stored team health is missing or older than one refresh interval:
    with a worker running, the pages would have had it counted again by now."""
    from django.conf import settings
    from django.db.models import Min
    from django.utils import timezone

    from buurtonderzoek.dashboards.models import TeamHealthCount

    gemeente, _team, _unit = busiest()
    oldest = TeamHealthCount.objects.filter(team__gemeente=gemeente).aggregate(m=Min("counted_at"))["m"]
    return oldest is None or oldest < timezone.now() - timedelta(minutes=settings.GRIP_REFRESH_MINUTES)


def count_health() -> None:
    """The last part of the background job alone: each team's health, stored for the pages to read."""
    from buurtonderzoek.dashboards.health import refresh_team_health

    started, teams = time.perf_counter(), 0
    for gemeente in Gemeente.objects.filter(code__startswith="GM5").order_by("code"):
        teams += refresh_team_health(gemeente)
    print(f"health of {teams} teams counted and stored: {time.perf_counter() - started:.1f} s")


# Measuring ------------------------------------------------------------------------------------------


def counts() -> str:
    with connection.cursor() as cursor:
        out = []
        for table in (
            "places_gemeente",
            "places_buurt",
            "places_address",
            "accounts_team",
            "incidents_incident",
            "canvass_canvass",
            "canvass_doorvisit",
            "handoff_policereport",
            "dashboards_areamonth",
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")
            out.append(f"{table.split('_', 1)[1]} {cursor.fetchone()[0]:,}")
    return ", ".join(out)


def person(email: str, *, two_factor: bool = False, **membership: Any) -> Client:
    user = User.objects.filter(email=email).first() or User.objects.create_user(email, "bench-wachtwoord-123")
    if membership:
        Membership.objects.get_or_create(user=user, **membership)
    if two_factor:
        Authenticator.objects.get_or_create(
            user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "JBSWY3DPEHPK3PXP"}}
        )
    client = Client()
    client.force_login(user)
    return client


def timed(name: str, request: Callable[[], Any], renders: int, rows: list[str]) -> None:
    def once() -> tuple[float, float]:
        started, cpu = time.perf_counter(), time.process_time()
        response = request()
        wall, cpu_ms = (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000
        assert response.status_code == 200, (name, response.status_code, response.content[:300])
        return wall, cpu_ms

    first, _cpu = once()
    measured = [once() for _ in range(renders)]
    walls = sorted(w for w, _c in measured)
    with CaptureQueriesContext(connection) as queries:
        request()
    row = (
        f"| {name} | {first:.0f} | {statistics.median(walls):.0f} | {walls[int(0.9 * (len(walls) - 1))]:.0f} | "
        f"{statistics.median(c for _w, c in measured):.0f} | {len(queries)} |"
    )
    print(row, flush=True)
    rows.append(row)


def busiest() -> tuple[Gemeente, Team, PoliceUnit]:
    gemeente = Gemeente.objects.get(code=f"GM{FIRST_CODE}")  # the largest
    team = Team.objects.filter(gemeente=gemeente).order_by("id").first()
    unit = PoliceUnit.objects.filter(gemeenten=gemeente).get()
    assert team is not None
    return gemeente, team, unit


def live_canvass(team: Team) -> tuple[Any, Any, list[tuple[int, int]], int]:
    """A canvass planned today on the generated addresses, its first route walked by a team member."""
    from django.utils import timezone

    from buurtonderzoek.canvass.actions import CANVASS_QUESTIONNAIRE, assign_route_members, plan_canvass
    from buurtonderzoek.incidents.actions import register_incident
    from buurtonderzoek.incidents.models import IncidentType
    from buurtonderzoek.questionnaires.models import QuestionnaireVersion
    from buurtonderzoek.questionnaires.standard import load_standard_questionnaires

    try:
        version = QuestionnaireVersion.objects.latest_published(CANVASS_QUESTIONNAIRE)
    except QuestionnaireVersion.DoesNotExist:
        load_standard_questionnaires()
        version = QuestionnaireVersion.objects.latest_published(CANVASS_QUESTIONNAIRE)
    coordinator = Membership.objects.filter(team=team, role=Role.COORDINATOR).select_related("user").first()
    walker = Membership.objects.filter(team=team, role=Role.VOLUNTEER).select_related("user").first()
    assert coordinator is not None and walker is not None
    address = team.buurten.order_by("id").first()
    from buurtonderzoek.places.models import Address

    assert address is not None
    door = Address.objects.filter(buurt_code=address.code).order_by("id")[45]
    now = timezone.now()
    incident = register_incident(
        team,
        by=coordinator.user,
        incident_type=IncidentType.WONINGINBRAAK,
        occurred_from=now - timedelta(hours=20),
        occurred_until=now - timedelta(hours=18),
        description="Inbraak via de achterdeur (benchmark).",
        victim_consent=True,
        address=door,
    )
    canvass = plan_canvass(incident, by=coordinator.user, route_count=4, radius_m=150)
    route = canvass.routes.order_by("number").first()
    assert route is not None
    assign_route_members(route, by=coordinator.user, members=[walker.user])
    stops = list(route.stops.order_by("order").values_list("pk", "address_id"))
    return walker.user, canvass, stops, version.pk


def measure(renders: int, with_monitor: bool) -> list[str]:
    from buurtonderzoek.canvass.tests.test_field_support import SPOKEN_WITH_PERSON

    gemeente, team, unit = busiest()
    rows: list[str] = []
    police = person("politie@landstad.example.nl", two_factor=True, role=Role.POLICE, police_unit=unit)
    officer = person("gemeente@landstad.example.nl", two_factor=True, role=Role.MUNICIPAL, gemeente=gemeente)
    coordinator_user = Membership.objects.filter(team=team, role=Role.COORDINATOR).values_list("user", flat=True)[0]
    coordinator = Client()
    coordinator.force_login(User.objects.get(pk=coordinator_user))
    from buurtonderzoek.handoff.models import PoliceReport

    inbox = PoliceReport.objects.filter(unit=unit).count()
    teams = Team.objects.filter(gemeente=gemeente).count()
    print(f"\nbusiest: {gemeente.name} ({teams} teams), police unit {unit.name} ({inbox:,} reports), load average "
          f"{os.getloadavg()[0]:.1f}")  # fmt: skip
    from django.db.models import Count, Min
    from django.utils import timezone

    from buurtonderzoek.dashboards.models import TeamHealthCount

    stored = TeamHealthCount.objects.filter(team__gemeente=gemeente).aggregate(n=Count("pk"), oldest=Min("counted_at"))
    age = f", the oldest {(timezone.now() - stored['oldest']).total_seconds() / 60:.0f} min ago" if stored["n"] else ""
    print(f"team health stored for {stored['n']} of its {teams} teams{age}")
    print("(a team whose count is older than 2 refresh intervals is counted live)")
    print("| page (as whom) | first ms | median ms | p90 ms | CPU median ms | queries |")
    print("|---|---|---|---|---|---|")
    timed(f"police inbox `/verslagen/` ({inbox:,} reports)", lambda: police.get("/verslagen/"), renders, rows)
    timed("police reports API `/api/v1/reports/`", lambda: police.get("/api/v1/reports/"), renders, rows)
    timed("police start page `/politie/`", lambda: police.get("/politie/"), renders, rows)
    timed("police totals `/politie/totalen/` (this quarter)", lambda: police.get("/politie/totalen/"), renders, rows)
    grip = f"/gemeente/{gemeente.pk}/grip/"
    timed(f"grip page, largest gemeente ({teams} teams)", lambda: officer.get(grip), renders, rows)
    timed("grip API", lambda: officer.get(f"/api/v1/gemeenten/{gemeente.pk}/grip/"), renders, rows)
    timed("team health page", lambda: officer.get(f"/gemeente/{gemeente.pk}/teams/"), renders, rows)
    timed("team health API", lambda: officer.get(f"/api/v1/gemeenten/{gemeente.pk}/team-health/"), renders, rows)
    timed("municipal start page `/gemeente/`", lambda: officer.get("/gemeente/"), renders, rows)
    timed("coordinator start page `/coordinator/`", lambda: coordinator.get("/coordinator/"), renders, rows)

    walker, canvass, stops, version = live_canvass(team)
    phone = Client()
    phone.force_login(walker)
    position = [0]

    def visits(n: int) -> dict[str, Any]:
        out = []
        for _ in range(n):
            stop, address = stops[position[0] % len(stops)]
            outcome = ("niet_thuis", "briefje", "wil_niet", "gesproken")[position[0] % 4]
            position[0] += 1
            visit: dict[str, Any] = {
                "client_uuid": str(uuid.uuid4()),
                "canvass": canvass.pk,
                "address": address,
                "stop": stop,
                "outcome": outcome,
                "visited_at": (canvass.planned_at + timedelta(minutes=position[0] % 60)).isoformat(),
            }
            if outcome == "gesproken":
                visit["answers"] = SPOKEN_WITH_PERSON
                visit["questionnaire_version"] = version
            out.append(visit)
        return {"visits": out}

    sync = "/api/v1/field/sync/"
    timed("visit sync, one visit per POST", lambda: phone.post(sync, visits(1), content_type="application/json"),
          renders * 2, rows)  # fmt: skip
    timed("visit sync, 50 visits in one POST", lambda: phone.post(sync, visits(50), content_type="application/json"),
          renders, rows)  # fmt: skip
    if with_monitor:
        import bench_monitor

        monitor_gemeente = bench_monitor.build(fresh=False)
        monitor_officer = bench_monitor.officer_client(monitor_gemeente)
        url = f"/monitor/{monitor_gemeente.code}/"
        timed("monitor results (bench_monitor's Benchstad: 50 buurten, 20,600 responses)",
              lambda: monitor_officer.get(url), renders, rows)  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="drop everything and generate the year again")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the data set")
    parser.add_argument("--renders", type=int, default=15)
    parser.add_argument("--monitor", action="store_true", help="also time the Communitymonitor results page")
    parser.add_argument("--roll-up", action="store_true", help="recount the roll-ups of existing data")
    parser.add_argument("--count-health", action="store_true", help="count every team's stored health again")
    parser.add_argument("--no-gc-freeze", action="store_true", help="measure without gunicorn's gc.freeze()")
    args = parser.parse_args()
    if args.fresh:
        execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)
    print(f"database: {connection.settings_dict['NAME']} on PostgreSQL; load average {os.getloadavg()[0]:.1f}")
    if not Gemeente.objects.filter(code=f"GM{FIRST_CODE}").exists():
        build(args.scale)
    elif args.roll_up:
        started = time.perf_counter()
        roll_up()
        execute("ANALYZE")
        print(f"roll-ups of all {GEMEENTEN} gemeenten and ANALYZE: {time.perf_counter() - started:.0f} s")
    if args.count_health or health_is_stale():
        count_health()
    print(counts())
    if not args.no_gc_freeze:
        # As every gunicorn worker does once it has loaded the app (config/gunicorn.py): what is loaded by now
        # stays out of the full garbage collections, which otherwise pause a render 110-230 ms now and then.
        gc.freeze()
    measure(args.renders, args.monitor)
    print(f"load average at the end {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
