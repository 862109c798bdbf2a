"""Benchmark: the canvass plan and the route split (issue 3, "Buurtonderzoek").

Goals: the plan of a 150 m area in the densest part of the national data set (about 1,000 doors)
in <= 300 ms server-side and the plan page interactive in <= 1.5 s; 600 doors split into 8 routes
in <= 300 ms, largest route at most 1.2x the smallest, total straight-line walking length within
15% of what OR-Tools finds in 10 s.

    .venv/bin/python bench/bench_canvass.py            # everything
    .venv/bin/python bench/bench_canvass.py --quick    # no OR-Tools runs, no browser

Data:
- national: the places benchmark database (var/bench/places.sqlite3, 9.9M generated addresses,
  see bench/bench_places.py) when present and filled; the densest 150 m circle is searched on a
  100 m grid of cell counts. Read-only: only the plan query and its map payload are timed there.
- dense: a synthetic city centre in a fresh database (a street grid every 70 m with two-flat
  plots, about 1,000 doors within 150 m); the full plan, plan + split and the page are timed here.
- split: 600 doors nearest the centre of (a) a regular synthetic grid and (b) Lindenhoven, the
  places helper's demo town with curved streets, split into 8 routes, against OR-Tools (10 s).

Figures are printed as a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
NATIONAL = BASE_DIR / "var" / "bench" / "places.sqlite3"
RADIUS = 150
# Amersfoort, the origin of the RD grid: far from Lindenhoven, which the split benchmark adds.
DENSE_X, DENSE_Y = 155_000, 463_000


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median wall time in ms over `runs` (after one warm-up), and the last result.

    The CPU time of the same runs is kept in `timed.cpu_ms`: on a shared, loaded machine it is the
    figure that stays comparable between runs.
    """
    result = fn()
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    timed.cpu_ms = statistics.median(cpu)  # type: ignore[attr-defined]
    return statistics.median(times), result


def cpu() -> str:
    return f" (CPU {timed.cpu_ms:.0f} ms)"  # type: ignore[attr-defined]


def setup_django(db_path: Path) -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ["SQLITE_PATH"] = str(db_path)
    os.environ.pop("DATABASE_URL", None)
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ["STATIC_MANIFEST"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def national_plan(rows: list[tuple[str, str]]) -> tuple[int, int] | None:
    """Plan query + map payload at the densest 150 m circle of the national set (read-only).

    Returns the centre after copying the addresses around it into the bench database, where the
    full plan, split and page are measured on them too; None when the national set is missing.
    """
    if not NATIONAL.exists():
        rows.append(("Plan, national set", "not run: var/bench/places.sqlite3 missing (bench/bench_places.py)"))
        return None
    from django.db import connections

    from buurtonderzoek.canvass.planning import PlanPreview, preview_payload
    from buurtonderzoek.places.models import Address
    from buurtonderzoek.places.queries import addresses_within_radius

    uri = f"file:{NATIONAL}?mode=ro"
    probe = sqlite3.connect(uri, uri=True)
    try:
        total = probe.execute("SELECT count(*) FROM places_address").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        rows.append(("Plan, national set", f"not run: {exc}"))
        return None
    if total < 1_000_000:
        rows.append(("Plan, national set", f"not run: only {total:,} addresses imported"))
        return None
    start = time.perf_counter()
    cells = probe.execute(
        "SELECT grid_x, y / 100 AS gy, count(*) AS n FROM places_address GROUP BY grid_x, gy ORDER BY n DESC LIMIT 12"
    ).fetchall()
    probe.close()
    search_s = time.perf_counter() - start
    connections.databases["national"] = {
        **connections.databases["default"],
        "NAME": uri,
        "OPTIONS": {"uri": True},
        "TEST": {},
    }
    best = (0, 0, 0)
    for gx, gy, _n in cells:
        for dx in (0, 50, 100):
            for dy in (0, 50, 100):
                x, y = gx * 100 + dx, gy * 100 + dy
                n = len(addresses_within_radius(x, y, RADIUS, using="national"))
                if n > best[0]:
                    best = (n, x, y)
    n, x, y = best
    victim = min(addresses_within_radius(x, y, 40, using="national"), key=lambda a: (a.x - x) ** 2 + (a.y - y) ** 2)

    def plan() -> str:
        found = addresses_within_radius(x, y, RADIUS, using="national")
        preview = PlanPreview(found, {victim.pk})
        return json.dumps(preview_payload(preview, victim_address_id=victim.pk))

    ms, payload = timed(plan, 20)
    doors = len(json.loads(payload)["addresses"])
    rows.append(
        (
            f"Plan, national set ({total:,} addresses), densest 150 m: query + map JSON",
            f"{ms:.0f} ms{cpu()} median of 20 · {doors} addresses at RD ({x}, {y}) · {len(payload) / 1024:.0f} KB JSON"
            f" (densest circle found in {search_s:.0f} s)",
        )
    )
    # Copy the neighbourhood (300 m) into the bench database for the write-side measurements.
    around = addresses_within_radius(x, y, 300, using="national")
    for a in around:
        a.pk = None
    Address.objects.bulk_create(around, batch_size=2000)
    return victim.x, victim.y


def area_incident(name: str, gemeente_code: str, x: int, y: int) -> tuple[Any, Any]:
    """A team with a coordinator in the gemeente, and a burglary at the address nearest (x, y)."""
    from buurtonderzoek.accounts.models import Membership, Role, Team, User
    from buurtonderzoek.incidents.tests.fixtures import make_incident
    from buurtonderzoek.places.models import Address, Gemeente

    gemeente, _ = Gemeente.objects.get_or_create(code=gemeente_code or "GM9990", defaults={"name": name})
    team, _ = Team.objects.get_or_create(gemeente=gemeente, name=f"Buurtpreventie {name}")
    user, created = User.objects.get_or_create(email=f"bench-{gemeente.code.lower()}@example.nl")
    if created:
        Membership.objects.create(user=user, team=team, role=Role.COORDINATOR)
    near = Address.objects.in_rd_box(x_min=x - 40, y_min=y - 40, x_max=x + 40, y_max=y + 40)
    victim = min(near, key=lambda a: (a.x - x) ** 2 + (a.y - y) ** 2)
    return user, make_incident(team, by=user, address=victim)


def dense_area() -> tuple[Any, Any]:
    """A synthetic city centre with a coordinator and an incident in the middle."""
    from buurtonderzoek.canvass.synthetic import create_addresses, street_grid

    grid = street_grid(centre_x=DENSE_X, centre_y=DENSE_Y, half_size_m=600, block_m=70, flats=2, seed=5)
    create_addresses(grid, gemeente_code="GM9990", woonplaats="Benchstad")
    return area_incident("Benchstad", "GM9990", DENSE_X, DENSE_Y)


def dense_plan(rows: list[tuple[str, str]], label: str, user: Any, incident: Any) -> None:
    from buurtonderzoek.canvass.actions import plan_canvass, suggested_route_count
    from buurtonderzoek.canvass.planning import preview_payload, preview_plan

    def plan() -> str:
        preview = preview_plan(incident, radius_m=RADIUS)
        return json.dumps(preview_payload(preview, victim_address_id=incident.address_id))

    ms, payload = timed(plan, 20)
    doors = json.loads(payload)["door_count"]
    rows.append(
        (
            f"Plan, {label}, 150 m: query + map JSON (preview_plan)",
            f"{ms:.0f} ms{cpu()} median of 20 · {doors} doors",
        )
    )
    routes = suggested_route_count(doors)
    ms, canvass = timed(lambda: plan_canvass(incident, by=user, route_count=routes, radius_m=RADIUS), 5)
    rows.append(
        (
            f"Plan + split + store, {label}: {doors} doors into {routes} routes (plan_canvass)",
            f"{ms:.0f} ms{cpu()} median of 5 · {canvass.routes.count()} routes",
        )
    )
    from django.test import Client

    client = Client()
    client.force_login(user)
    url = f"/incidenten/{incident.pk}/buurtonderzoek/plan/"
    ms, response = timed(lambda: client.get(url), 10)
    rows.append(
        (
            f"Plan page, {label}, server side (HTML with the map data)",
            f"{ms:.0f} ms{cpu()} median of 10 · {len(response.content) / 1024:.0f} KB",
        )
    )


def split_case(rows: list[tuple[str, str]], name: str, doors: list[Any], *, ortools: bool) -> None:
    from buurtonderzoek.canvass.optimise import is_available, optimise_routes
    from buurtonderzoek.canvass.routing import balance_ratio, split_routes, total_length

    ms, routes = timed(lambda: split_routes(doors, 8), 5)
    length = total_length(routes)
    sizes = sorted(len(r.doors) for r in routes)
    spans = [
        max(
            max(d.x for d in r.doors) - min(d.x for d in r.doors), max(d.y for d in r.doors) - min(d.y for d in r.doors)
        )
        for r in routes
    ]
    line = (
        f"{ms:.0f} ms{cpu()} median of 5 · sizes {sizes[0]}-{sizes[-1]} (max/min {balance_ratio(routes):.2f})"
        f" · {length:,.0f} m total · route extent {statistics.mean(spans):.0f} m mean"
    )
    if ortools and is_available():
        runs = [optimise_routes(doors, 8, time_limit_s=10.0) for _ in range(2)]
        # Only answers that keep the same balance are a fair comparison.
        fair = [r for r in runs if balance_ratio(r) <= 1.2]
        if not fair:
            rows.append((f"Split 600 doors into 8 routes, {name}", line + " · OR-Tools broke the size band in 10 s"))
            return
        best = min(fair, key=total_length)
        o_spans = [
            max(
                max(d.x for d in r.doors) - min(d.x for d in r.doors),
                max(d.y for d in r.doors) - min(d.y for d in r.doors),
            )
            for r in best
        ]
        line += (
            f" · OR-Tools 10 s (best of {len(fair)} balanced): {total_length(best):,.0f} m,"
            f" max/min {balance_ratio(best):.2f},"
            f" extent {statistics.mean(o_spans):.0f} m → ours is {100 * (length / total_length(best) - 1):+.1f}%"
        )
    elif ortools:
        line += " · OR-Tools not installed (pip install -e '.[optimise]')"
    rows.append((f"Split 600 doors into 8 routes, {name}", line))


def split_benchmarks(rows: list[tuple[str, str]], *, ortools: bool) -> None:
    import math

    from buurtonderzoek.canvass.planning import doors_for
    from buurtonderzoek.canvass.routing import Door
    from buurtonderzoek.canvass.synthetic import street_grid
    from buurtonderzoek.places.generators.town import CENTRE_X, CENTRE_Y, GEMEENTE_CODE, generate_town
    from buurtonderzoek.places.models import Address

    grid = street_grid(centre_x=0, centre_y=0, half_size_m=300, seed=3)
    doors = [Door(i, a.x, a.y, a.street, a.huisnummer, "", a.toevoeging) for i, a in enumerate(grid)]
    doors = sorted(doors, key=lambda d: (math.hypot(d.x, d.y), d.id))[:600]
    split_case(rows, "synthetic grid (70 m blocks)", doors, ortools=ortools)

    generate_town(progress=False)
    town = list(Address.objects.filter(gemeente_code=GEMEENTE_CODE))
    town.sort(key=lambda a: (math.hypot(a.x - CENTRE_X, a.y - CENTRE_Y), a.pk))
    split_case(rows, "Lindenhoven (curved streets, demo town)", doors_for(town[:600]), ortools=ortools)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def page_benchmark(rows: list[tuple[str, str]], label: str, db_path: Path, user: Any, incident: Any) -> None:
    """Time from navigation to a map with every address drawn, in Chromium against runserver."""
    from django.test import Client
    from playwright.sync_api import sync_playwright

    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    port = free_port()
    env = {**os.environ, "DEBUG": "1", "SQLITE_PATH": str(db_path), "SECURE_SSL_REDIRECT": "0"}
    server = subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, str(BASE_DIR / "manage.py"), "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        url = f"http://127.0.0.1:{port}/incidenten/{incident.pk}/buurtonderzoek/plan/"
        times: list[float] = []
        doors = "?"
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                      "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
            )  # fmt: skip
            for run in range(6):
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                context.add_cookies([{"name": "sessionid", "value": session, "url": f"http://127.0.0.1:{port}"}])
                # No internet: map tiles fail fast, as on a locked-down server.
                context.route(
                    "**/*",
                    lambda route: (
                        route.continue_() if route.request.url.startswith(f"http://127.0.0.1:{port}") else route.abort()
                    ),
                )
                page = context.new_page()
                start = time.perf_counter()
                page.goto(url)
                page.wait_for_selector('#plan-map[data-ready="1"]', state="attached")
                elapsed = (time.perf_counter() - start) * 1000
                doors = page.get_attribute("#plan-map", "data-doors") or "?"
                if run:  # the first run warms the server and the browser cache
                    times.append(elapsed)
                context.close()
            browser.close()
        rows.append(
            (
                f"Plan page in Chromium, {label}: navigation to a map with all markers (runserver, DEBUG=1, no tiles)",
                f"{statistics.median(times):.0f} ms median of 5 (max {max(times):.0f} ms) · {doors} markers",
            )
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="skip OR-Tools and the browser")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-canvass-"))
    db_path = workdir / "canvass.sqlite3"
    setup_django(db_path)
    rows: list[tuple[str, str]] = []
    areas = []
    centre = national_plan(rows)
    if centre is not None:
        from buurtonderzoek.places.models import Address

        code = Address.objects.in_rd_box(
            x_min=centre[0] - 5, y_min=centre[1] - 5, x_max=centre[0] + 5, y_max=centre[1] + 5
        )[0].gemeente_code
        areas.append(("densest national area (copied)", *area_incident("Nationaal", code, *centre)))
    areas.append(("synthetic centre (~1,000 doors)", *dense_area()))
    for label, user, incident in areas:
        dense_plan(rows, label, user, incident)
    split_benchmarks(rows, ortools=not args.quick)
    if not args.quick:
        for label, user, incident in areas:
            page_benchmark(rows, label, db_path, user, incident)
    shutil.rmtree(workdir, ignore_errors=True)
    print("| measurement | result |")
    print("|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
