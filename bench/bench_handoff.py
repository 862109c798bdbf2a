"""Benchmark: consolidation, quality, the report PDF and the police inbox (issue 4, "Overdracht en verspreiding").

Goals: consolidation and quality for a canvass of 1,000 doors and 150 spoken visits in <= 500 ms; the
report PDF in <= 3 s (a background task, with progress); the police inbox with 10,000 reports listed
in <= 200 ms with a constant number of queries.

    .venv/bin/python bench/bench_handoff.py            # everything
    .venv/bin/python bench/bench_handoff.py --quick    # fewer runs, 2,000 reports in the inbox

Data (fresh SQLite file in var/bench/handoff.sqlite3 each run): a synthetic city centre (street grid with
two front doors per plot, canvass radius 150 m, about 1,000 doors), 150 spoken visits, approved, whose
answers describe three people and two vehicles with realistic noise (lengths a few cm apart, colour
words that differ, partial kentekens), a camera at every fifth door, contact consent at every tenth;
600 more visits where nobody was home. The answers are checked by the questionnaire engine before
they are stored in bulk. The inbox is filled with copies of the report's row (10,000 of them).

Figures are printed as a Markdown table for docs/performance.md.
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
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
DB_PATH = BASE_DIR / "var" / "bench" / "handoff.sqlite3"
CENTRE_X, CENTRE_Y = 121_000, 487_000


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    """(median ms, p90 ms, last result) over `runs` after one warm-up."""
    result = fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.9))], result


def setup_django() -> None:
    sys.path.insert(0, str(BASE_DIR))
    DB_PATH.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ["SQLITE_PATH"] = str(DB_PATH)
    os.environ.pop("DATABASE_URL", None)
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["SESSION_COOKIE_SECURE"] = "0"
    os.environ["CSRF_COOKIE_SECURE"] = "0"
    os.environ["STATIC_MANIFEST"] = "0"
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["FAST_PASSWORD_HASHING"] = "1"  # noqa: S105 - a switch, not a password
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.MEDIA_ROOT = DB_PATH.parent / "handoff-media"
    call_command("migrate", verbosity=0)


SUSPECTS = [
    {
        "behaviour": "Trok aan de deurklinken van geparkeerde auto's",
        "gender": "man",
        "age_range": {"min": 20, "max": 30},
        "height": {"min": 170, "max": 175},
        "build": "slank",
        "top_type": "hoodie",
        "top_colour": "zwart",
        "trousers": "grijze trainingsbroek",
        "shoes": "witte sneakers",
        "first_seen": "22:40",
        "transport": "te_voet",
        "person_direction": "richting het park",
    },
    {
        "behaviour": "Stond op de uitkijk bij de bushalte",
        "gender": "man",
        "age_range": {"min": 40, "max": 50},
        "height": {"min": 185, "max": 195},
        "build": "zwaar",
        "top_type": "parka",
        "top_colour": "rood",
        "trousers": "blauwe spijkerbroek",
        "first_seen": "23:10",
        "transport": "auto",
    },
    {
        "behaviour": "Liep met een tas vol spullen weg",
        "gender": "vrouw",
        "age_range": {"min": 25, "max": 35},
        "height": {"min": 160, "max": 168},
        "build": "normaal",
        "hair_colour": "blond",
        "hair_length": "lang",
        "top_type": "regenjas",
        "top_colour": "beige",
        "bag": "grote zwarte sporttas",
        "first_seen": "22:55",
        "transport": "fiets",
    },
]
VEHICLES = [
    {
        "vehicle_type": "auto",
        "plate": "XJ-123-4",
        "make_model": "Volkswagen Golf",
        "vehicle_colour": "grijs",
        "vehicle_time": "22:50",
    },
    {
        "vehicle_type": "scooter",
        "plate": "FDK-12-B",
        "make_model": "Piaggio Zip",
        "vehicle_colour": "wit",
        "vehicle_time": "23:20",
    },
]
COLOUR_VARIANTS = {
    "zwart": ["zwart", "zwarte", "donker zwart"],
    "rood": ["rood", "rode", "donkerrood"],
    "grijs": ["grijs", "donkergrijs", "grijze"],
}
PARTIAL = {"XJ-123-4": ["XJ-123-4", "XJ-..-4", "XJ-12.-4"], "FDK-12-B": ["FDK-12-B", "FDK-..-B", "FD"]}


def noisy_person(rng: random.Random, base: dict[str, Any]) -> dict[str, Any]:
    block = dict(base)
    low, high = base["height"]["min"], base["height"]["max"]
    shift = rng.choice([-3, 0, 0, 2, 5])
    block["height"] = {"min": low + shift, "max": high + shift}
    if base["top_colour"] in COLOUR_VARIANTS:
        block["top_colour"] = rng.choice(COLOUR_VARIANTS[base["top_colour"]])
    for key in ("shoes", "trousers", "bag", "person_direction"):
        if key in block and rng.random() < 0.3:
            del block[key]
    block["provenance"] = rng.choice(["eigen_waarneming", "eigen_waarneming", "camera"])
    block["certainty"] = rng.choice(["zeker", "redelijk_zeker", "onzeker"])
    return block


def noisy_vehicle(rng: random.Random, base: dict[str, Any]) -> dict[str, Any]:
    block = dict(base)
    block["plate"] = rng.choice(PARTIAL[base["plate"]])
    if base["vehicle_colour"] in COLOUR_VARIANTS:
        block["vehicle_colour"] = rng.choice(COLOUR_VARIANTS[base["vehicle_colour"]])
    block["vehicle_provenance"] = "eigen_waarneming"
    block["vehicle_certainty"] = rng.choice(["zeker", "redelijk_zeker"])
    return block


def spoken_answers(rng: random.Random, n: int) -> dict[str, Any]:
    persons = [noisy_person(rng, SUSPECTS[rng.randrange(3)])] if rng.random() < 0.35 else []
    vehicles = [noisy_vehicle(rng, VEHICLES[rng.randrange(2)])] if rng.random() < 0.2 else []
    answers: dict[str, Any] = {
        "respondent_type": "bewoner",
        "privacy_notice_shown": "ja",
        "privacy_notice_version": "2026-1",
        "present": rng.choice(["ja", "nee", "weet_niet"]),
        "seen_anything": "ja" if persons or vehicles else "nee",
        "has_camera": "ja" if n % 5 == 0 else "nee",
        "contact_consent": "ja" if n % 10 == 0 else "nee",
    }
    if persons or vehicles:
        answers.update(
            {
                "what": "Zag verdachte mensen bij de auto's",
                "what_time": f"{rng.choice([22, 23])}:{rng.randrange(60):02d}",
                "persons_count": len(persons),
                "vehicles_seen": "ja" if vehicles else "nee",
            }
        )
        if persons:
            answers["persons"] = persons
        if vehicles:
            answers["vehicles"] = vehicles
    if answers["has_camera"] == "ja":
        answers.update(
            {"camera_view": ["straat"], "camera_retention_days": rng.choice([3, 7, 14, 30]), "camera_share": "ja"}
        )
    if answers["contact_consent"] == "ja":
        answers.update({"contact_name": f"Getuige {n}", "contact_method": "telefoon", "contact_phone": "0612345678"})
    return answers


def build_world(spoken: int, not_home: int) -> dict[str, Any]:
    from django.utils import timezone

    from buurtonderzoek.accounts.models import Membership, PoliceUnit, Role, Team, User
    from buurtonderzoek.canvass.actions import plan_canvass
    from buurtonderzoek.canvass.models import DoorVisit, Outcome, ReviewStatus, RouteStop
    from buurtonderzoek.canvass.synthetic import create_addresses, street_grid
    from buurtonderzoek.incidents.actions import register_incident, transition_incident
    from buurtonderzoek.places.models import Buurt, Gemeente, Wijk
    from buurtonderzoek.questionnaires import engine
    from buurtonderzoek.questionnaires.models import QuestionnaireVersion
    from buurtonderzoek.questionnaires.standard import load_standard_questionnaires

    load_standard_questionnaires()
    gemeente = Gemeente.objects.create(code="GM0999", name="Benchdorp")
    wijk = Wijk.objects.create(code="WK099900", name="Centrum", gemeente=gemeente)
    buurt = Buurt.objects.create(code="BU09990000", name="Oude Stad", wijk=wijk, gemeente=gemeente)
    team = Team.objects.create(name="Buurtpreventie Oude Stad", gemeente=gemeente)
    team.buurten.add(buurt)
    unit = PoliceUnit.objects.create(name="Basisteam Benchdorp")
    unit.gemeenten.add(gemeente)
    coordinator = User.objects.create_user("coord@bench.nl", "wachtwoord-voor-bench")
    volunteer = User.objects.create_user("vrijwilliger@bench.nl", "wachtwoord-voor-bench")
    officer = User.objects.create_user("politie@bench.nl", "wachtwoord-voor-bench")
    Membership.objects.create(user=coordinator, team=team, role=Role.COORDINATOR)
    Membership.objects.create(user=volunteer, team=team, role=Role.VOLUNTEER)
    Membership.objects.create(user=officer, police_unit=unit, role=Role.POLICE)
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(officer, "JBSWY3DPEHPK3PXP")

    addresses = create_addresses(
        street_grid(centre_x=CENTRE_X, centre_y=CENTRE_Y, half_size_m=220, flats=2, seed=4),
        gemeente_code=gemeente.code,
        woonplaats="Benchdorp",
    )
    victim = min(addresses, key=lambda a: (a.x - CENTRE_X) ** 2 + (a.y - CENTRE_Y) ** 2)
    now = timezone.now()
    incident = register_incident(
        team,
        by=coordinator,
        incident_type="autokraak",
        occurred_from=now - timedelta(hours=30),
        occurred_until=now - timedelta(hours=28),
        description="Ruiten ingeslagen in de hele straat.",
        victim_consent=True,
        address=victim,
    )
    canvass = plan_canvass(incident, by=coordinator, route_count=25, radius_m=150)
    transition_incident(incident, to="canvass_running", by=coordinator)
    stops = list(RouteStop.objects.filter(canvass=canvass).order_by("route__number", "order"))
    version = QuestionnaireVersion.objects.latest_published("buurtonderzoek")
    rng = random.Random(7)
    rows = []
    first = now - timedelta(hours=20)
    context = {"incident_type": incident.incident_type}
    for n, stop in enumerate(stops[: spoken + not_home]):
        visited_at = first + timedelta(minutes=n)
        if n < spoken:
            answers, errors = engine.check(version.schema, spoken_answers(rng, n), context)
            assert not errors, errors
            rows.append(
                DoorVisit(
                    canvass=canvass,
                    stop=stop,
                    address_id=stop.address_id,
                    volunteer=volunteer,
                    client_uuid=uuid.uuid4(),
                    outcome=Outcome.GESPROKEN,
                    visited_at=visited_at,
                    questionnaire_version=version,
                    answers=answers,
                    review_status=ReviewStatus.APPROVED,
                )
            )
        else:
            rows.append(
                DoorVisit(
                    canvass=canvass,
                    stop=stop,
                    address_id=stop.address_id,
                    volunteer=volunteer,
                    client_uuid=uuid.uuid4(),
                    outcome=Outcome.NIET_THUIS,
                    visited_at=visited_at,
                )
            )
    DoorVisit.objects.bulk_create(rows, batch_size=500)
    return {
        "incident": incident,
        "canvass": canvass,
        "coordinator": coordinator,
        "officer": officer,
        "unit": unit,
        "doors": len(stops),
    }


def fill_inbox(report: Any, count: int) -> None:
    from buurtonderzoek.canvass.models import Canvass
    from buurtonderzoek.handoff.models import PoliceReport

    canvass = report.canvass
    made = 0
    while made < count:
        batch = min(2000, count - made)
        canvasses = Canvass.objects.bulk_create(
            [
                Canvass(
                    incident_id=report.incident_id,
                    centre_x=canvass.centre_x,
                    centre_y=canvass.centre_y,
                    centre_lat=canvass.centre_lat,
                    centre_lon=canvass.centre_lon,
                    radius_m=150,
                )
                for _ in range(batch)
            ]
        )
        PoliceReport.objects.bulk_create(
            [
                PoliceReport(
                    incident_id=report.incident_id,
                    canvass=c,
                    unit_id=report.unit_id,
                    number=f"BO-BENCH-{made + i:06d}",
                    document=report.document,
                    witness_sources=report.witness_sources,
                    quality_score=report.quality_score,
                    doors_visited=report.doors_visited,
                    status=["submitted", "received", "in_progress", "used", "closed"][(made + i) % 5],
                )
                for i, c in enumerate(canvasses)
            ]
        )
        made += batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    runs = 5 if args.quick else 15
    inbox_size = 2_000 if args.quick else 10_000

    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from buurtonderzoek.handoff import actions
    from buurtonderzoek.handoff.document import build_document
    from buurtonderzoek.handoff.models import PoliceReport
    from buurtonderzoek.handoff.tasks import generate_report_pdf
    from buurtonderzoek.signalements import loader, quality

    start = time.perf_counter()
    world = build_world(spoken=150, not_home=600)
    print(f"setup: {world['doors']} doors in the plan, 750 visits stored in {time.perf_counter() - start:.1f} s")
    incident, canvass = world["incident"], world["canvass"]

    def consolidate() -> Any:
        result = loader.load(incident, canvass)
        return result, quality.score(result)

    with CaptureQueriesContext(connection) as queries:
        consolidate()
    median, p90, (result, scored) = timed(consolidate, runs)
    cpu_start = time.process_time()
    for _ in range(runs):
        consolidate()
    consolidation_cpu = (time.process_time() - cpu_start) * 1000 / runs

    def with_document() -> Any:
        result, scored = consolidate()
        return build_document(
            incident=incident,
            consolidation=result,
            quality=scored,
            number="x",
            submitted_at=result.now,
            submitted_by=world["coordinator"],
            unit_name="",
        )

    doc_median, _p90, _doc = timed(with_document, runs)

    client = Client()
    client.force_login(world["coordinator"])
    page_median, page_p90, response = timed(
        lambda: client.get(f"/incidenten/{incident.pk}/signalementen/"), max(3, runs // 3)
    )
    assert response.status_code == 200

    # The report: submit (PDF task deferred to after commit, as in production), then time the task.
    report = actions.submit_report(incident, by=world["coordinator"], unit=world["unit"])
    from buurtonderzoek.handoff import tasks

    progress: list[int] = []
    original_progress = tasks._progress

    def watching(report_id: int, percent: int) -> None:
        progress.append(percent)
        original_progress(report_id, percent)

    tasks._progress = watching
    cold_cpu, cold_start = time.process_time(), time.perf_counter()
    generate_report_pdf.call(report.pk)
    cold, cold_cpu = time.perf_counter() - cold_start, time.process_time() - cold_cpu
    tasks._progress = original_progress
    task_times, task_cpu = [], []
    for _ in range(3 if args.quick else 5):
        t, c = time.perf_counter(), time.process_time()
        generate_report_pdf.call(report.pk)
        task_times.append(time.perf_counter() - t)
        task_cpu.append(time.process_time() - c)
    report.refresh_from_db()
    pages = pdf_pages(report.pdf_police.path)
    size = report.pdf_police.size

    fill_inbox(report, inbox_size - 1)
    officer = Client()
    officer.force_login(world["officer"])
    with CaptureQueriesContext(connection) as inbox_queries:
        officer.get("/verslagen/")
    inbox_median, inbox_p90, inbox_response = timed(lambda: officer.get("/verslagen/"), runs)
    assert inbox_response.status_code == 200 and b"BO-BENCH-" in inbox_response.content
    with CaptureQueriesContext(connection) as filtered_queries:
        officer.get("/verslagen/?status=received&pagina=20")
    api_median, api_p90, api_response = timed(lambda: officer.get("/api/v1/reports/"), runs)
    assert api_response.status_code == 200 and api_response.json()["count"] == inbox_size
    with CaptureQueriesContext(connection) as api_queries:
        officer.get("/api/v1/reports/?offset=5000")

    stats = result.coverage
    rows = [
        (
            "canvass",
            f"{stats.doors_planned} doors planned, {stats.doors_visited} visited, "
            f"{stats.statements_approved} spoken and approved",
        ),
        (
            "consolidation + quality score, median (p90)",
            f"{median:.0f} ms ({p90:.0f} ms) wall, {consolidation_cpu:.0f} ms CPU, {len(queries)} queries",
        ),
        (
            "... found",
            f"{len(result.persons)} persons, {len(result.vehicles)} vehicles, "
            f"{len(result.camera_leads)} camera leads, {len(result.timeline)} timeline entries; score {scored.score}",
        ),
        ("consolidation + quality + report document, median", f"{doc_median:.0f} ms"),
        ("consolidation page (HTML), median (p90)", f"{page_median:.0f} ms ({page_p90:.0f} ms)"),
        (
            "report PDF task (police and team PDF), first run in a fresh process",
            f"{cold:.2f} s wall, {cold_cpu:.2f} s CPU",
        ),
        (
            "report PDF task (police and team PDF), median of warm runs",
            f"{statistics.median(task_times):.2f} s wall, {statistics.median(task_cpu):.2f} s CPU",
        ),
        ("police PDF", f"{pages} pages, {size // 1024} KB"),
        ("PDF progress steps stored on the report", ", ".join(str(p) for p in progress)),
        (
            f"police inbox (HTML), {inbox_size:,} reports, median (p90)",
            f"{inbox_median:.0f} ms ({inbox_p90:.0f} ms), {len(inbox_queries)} queries "
            f"(page 20 of a filter: {len(filtered_queries)})",
        ),
        (
            f"police inbox (API), {inbox_size:,} reports, median (p90)",
            f"{api_median:.0f} ms ({api_p90:.0f} ms), {len(api_queries)} queries at offset 5000",
        ),
        ("reports in the inbox", f"{PoliceReport.objects.count():,}"),
    ]
    print()
    print("| figure | value |")
    print("|---|---|")
    for label, value in rows:
        print(f"| {label} | {value} |")


def pdf_pages(path: str) -> int:
    import subprocess

    output = subprocess.run(["/usr/bin/pdfinfo", path], capture_output=True, text=True, check=True).stdout  # noqa: S603
    return int(next(line.split()[-1] for line in output.splitlines() if line.startswith("Pages:")))


if __name__ == "__main__":
    main()
