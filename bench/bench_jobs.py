"""Benchmark: every slow download is a background job; the request that asks for it stays fast.

Goals (issues 8 and 14): the page request that starts a job returns in < 200 ms; the worker makes the
largest realistic files (5,000 leaflets, every walking list of a 5,000-door canvass, the monitor CSV
and Excel of a gemeente with 50 buurten and 20,000 responses) with the time printed here; route
improvement with OR-Tools (5 s) runs in the worker, the plan request uses the heuristic; a file that
stays synchronous (one volunteer's certificate) takes < 1 s. Letters: bench/bench_letters.py.

    .venv/bin/python bench/bench_jobs.py             # SQLite file var/bench_jobs.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bo_jobs .venv/bin/python bench/bench_jobs.py
    .venv/bin/python bench/bench_jobs.py --no-monitor   # skip building the 20,000 monitor responses

Requests go through Django's test client with the database task backend (django_tasks_db), so asking
writes the job row and the task row as in production; the worker's part is `run_job.call`, timed as
wall-clock and CPU time of this process. Figures are printed, not asserted: record them in
docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR / "bench"))
import benchdjango  # noqa: E402

benchdjango.setup(BASE_DIR / "var" / "bench_jobs.sqlite3", TASKS_BACKEND="django_tasks_db.DatabaseBackend")

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from buurtonderzoek.accounts.models import Membership, Role, Team, User  # noqa: E402
from buurtonderzoek.canvass.actions import improve_routes_now  # noqa: E402
from buurtonderzoek.canvass.models import Canvass  # noqa: E402
from buurtonderzoek.canvass.optimise import MAX_DOORS, is_available  # noqa: E402
from buurtonderzoek.canvass.planning import preview_plan  # noqa: E402
from buurtonderzoek.canvass.synthetic import create_addresses, street_grid  # noqa: E402
from buurtonderzoek.incidents.models import Incident  # noqa: E402
from buurtonderzoek.incidents.tests.fixtures import make_incident  # noqa: E402
from buurtonderzoek.jobs.models import Job  # noqa: E402
from buurtonderzoek.jobs.tasks import run_job  # noqa: E402
from buurtonderzoek.places.models import Address, Gemeente  # noqa: E402

CODE = "GM9810"
CENTRE_X, CENTRE_Y = 136_000, 456_000
COORDINATOR = "bench-jobs-coordinator@example.nl"
LEAFLETS = 5000


def planned(canvass: Canvass) -> str:
    assert canvass.planned_at is not None
    return canvass.planned_at.isoformat()


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall-clock and CPU milliseconds of one call, and its result."""
    started, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000, result


def canvass_world() -> tuple[User, Incident]:
    gemeente, _ = Gemeente.objects.get_or_create(code=CODE, defaults={"name": "Jobstad"})
    if not Address.objects.filter(gemeente_code=CODE).exists():
        grid = street_grid(centre_x=CENTRE_X, centre_y=CENTRE_Y, half_size_m=900, block_m=70, flats=2, seed=8)
        create_addresses(grid, gemeente_code=CODE, woonplaats="Jobstad", id_prefix="98")
    team, _ = Team.objects.get_or_create(gemeente=gemeente, name="Buurtpreventie Jobstad")
    user = User.objects.filter(email=COORDINATOR).first() or User.objects.create_user(COORDINATOR, "bench-12345678")
    Membership.objects.get_or_create(user=user, team=team, defaults={"role": Role.COORDINATOR})
    incident = Incident.objects.filter(team=team).first()
    if incident is None:
        near = Address.objects.filter(gemeente_code=CODE).in_rd_box(
            x_min=CENTRE_X - 40, y_min=CENTRE_Y - 40, x_max=CENTRE_X + 40, y_max=CENTRE_Y + 40
        )
        victim = min(near, key=lambda a: (a.x - CENTRE_X) ** 2 + (a.y - CENTRE_Y) ** 2)
        incident = make_incident(team, by=user, address=victim)
    return user, incident


def largest_radius(incident: Incident) -> int:
    """The radius whose area holds the most doors a canvass may have (planning.MAX_PLAN_DOORS)."""
    low, high = 100, 1000
    while high - low > 10:
        middle = (low + high) // 2
        try:
            preview_plan(incident, radius_m=middle)
        except Exception:
            high = middle
        else:
            low = middle
    return low


def queue(client: Client, url: str, data: dict[str, Any], runs: int = 7) -> tuple[float, float, int]:
    """Median and max wall-clock ms of the request that asks for a job, and the last job's id."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.post(url, data)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 302, (url, response.status_code)
    job = Job.objects.latest("pk")
    return statistics.median(times), max(times), job.pk


def work(job_id: int) -> tuple[float, float, Job]:
    wall, cpu, _ = timed(lambda: run_job.call(job_id))
    job = Job.objects.get(pk=job_id)
    assert job.done, (job.kind, job.status, job.error)
    return wall, cpu, job


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-monitor", action="store_true", help="skip the monitor exports")
    parser.add_argument("--optimise-seconds", type=float, default=5.0)
    parser.add_argument("--monitor-only", action="store_true", help="only the monitor exports")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']}); load average {os.getloadavg()[0]:.1f}")
    rows: list[tuple[str, str, str]] = []  # (what, request, worker)

    if not args.monitor_only:
        canvass_rows(rows, args.optimise_seconds)
    if not args.no_monitor:
        monitor_rows(rows)

    print()
    print("| file | request that asks for it | worker |")
    print("|---|---|---|")
    for what, request, worker in rows:
        print(f"| {what} | {request} | {worker} |")


def canvass_rows(rows: list[tuple[str, str, str]], optimise_seconds: float) -> None:
    user, incident = canvass_world()
    radius = largest_radius(incident)
    client = Client()
    client.force_login(user)
    Canvass.objects.filter(incident=incident).delete()

    # Planning: the request stores the heuristic's routes and queues the improvement.
    plan_url = reverse("canvass_plan", args=[incident.pk])
    plan_ms, plan_cpu, response = timed(lambda: client.post(plan_url, {"radius_m": radius, "route_count": 40}))
    assert response.status_code == 302, response.status_code
    canvass = Canvass.objects.get(incident=incident)
    doors = canvass.door_count
    print(f"canvass: radius {radius} m, {doors} doors, {canvass.routes.count()} routes")
    canvass.refresh_from_db()
    improve = canvass.improvement_note or "OR-Tools not installed"
    if is_available() and canvass.door_count <= MAX_DOORS:
        wall, cpu, note = timed(
            lambda: improve_routes_now(canvass.pk, planned(canvass), replace_members=True, seconds=optimise_seconds)
        )
        improve = f"{wall / 1000:.1f} s wall, {cpu / 1000:.1f} s CPU: {note}"
    rows.append((f"Plan {doors} doors in 40 routes (heuristic)", f"{plan_ms:.0f} ms ({plan_cpu:.0f} ms CPU)", improve))
    # OR-Tools on a canvass it can handle: the largest the improvement takes.
    small = min(radius, 200)
    Canvass.objects.filter(incident=incident).delete()
    plan_ms, plan_cpu, response = timed(lambda: client.post(plan_url, {"radius_m": small, "route_count": 8}))
    canvass = Canvass.objects.get(incident=incident)
    if is_available() and canvass.door_count <= MAX_DOORS:
        wall, cpu, note = timed(
            lambda: improve_routes_now(canvass.pk, planned(canvass), replace_members=True, seconds=optimise_seconds)
        )
        rows.append(
            (
                f"Plan {canvass.door_count} doors in 8 routes, OR-Tools improvement queued",
                f"{plan_ms:.0f} ms ({plan_cpu:.0f} ms CPU)",
                f"{wall / 1000:.1f} s wall, {cpu / 1000:.1f} s CPU: {note}",
            )
        )
    Canvass.objects.filter(incident=incident).delete()
    client.post(plan_url, {"radius_m": radius, "route_count": 40})
    # The improvement may have replaced the routes; the walking lists below use what is stored.
    canvass = Canvass.objects.get(incident=incident)

    leaflet_url = reverse("canvass_leaflet", args=[incident.pk])
    median, worst, job_id = queue(client, leaflet_url, {"size": "A6", "copies": LEAFLETS})
    wall, cpu, job = work(job_id)
    rows.append(
        (
            f"{LEAFLETS} leaflets A6 (one PDF)",
            f"median {median:.0f} ms, max {worst:.0f} ms",
            f"{wall / 1000:.1f} s wall, {cpu / 1000:.1f} s CPU, {job.size / 1e6:.1f} MB",
        )
    )
    lists_url = reverse("canvass_walking_lists", args=[incident.pk])
    median, worst, job_id = queue(client, lists_url, {})
    wall, cpu, job = work(job_id)
    rows.append(
        (
            f"Every walking list, {canvass.routes.count()} routes, {doors} doors",
            f"median {median:.0f} ms, max {worst:.0f} ms",
            f"{wall / 1000:.1f} s wall, {cpu / 1000:.1f} s CPU, {job.size / 1e6:.1f} MB",
        )
    )
    route = canvass.routes.order_by("-door_count").first()
    assert route is not None
    median, worst, job_id = queue(client, lists_url, {"route": route.pk})
    wall, cpu, job = work(job_id)
    rows.append(
        (
            f"One walking list, the largest route ({route.door_count} doors)",
            f"median {median:.0f} ms, max {worst:.0f} ms",
            f"{wall:.0f} ms wall, {cpu:.0f} ms CPU",
        )
    )

    # What stays synchronous: one volunteer's own certificate (one page).
    from buurtonderzoek.dashboards.certificates import Certificate, render_certificates

    one = Certificate(
        name="Fatima el Amrani", year=2026, team="Buurtpreventie Jobstad", gemeente="Jobstad",
        police="Basisteam Jobstad", canvasses=12, doors=480, spoken=210, reports=9,
    )  # fmt: skip
    render_certificates([one])  # fonts and templates warm, as in a running server
    times = [timed(lambda: render_certificates([one]))[0] for _ in range(5)]
    rows.append(("One volunteer's certificate (synchronous)", f"median {statistics.median(times):.0f} ms", "-"))


def monitor_rows(rows: list[tuple[str, str, str]]) -> None:
    import bench_monitor

    gemeente = bench_monitor.build(False)
    officer = bench_monitor.officer_client(gemeente)
    for fmt in ("csv", "xlsx"):
        url = reverse(f"monitor:export_{fmt}", args=[gemeente.code])
        median, worst, job_id = queue(officer, url, {})
        wall, cpu, job = work(job_id)
        rows.append(
            (
                f"Monitor {fmt.upper()}, 50 buurten, 4 waves, 20,000 responses",
                f"median {median:.0f} ms, max {worst:.0f} ms",
                f"{wall / 1000:.1f} s wall, {cpu / 1000:.1f} s CPU, {job.size / 1e3:.0f} kB",
            )
        )


if __name__ == "__main__":
    main()
