"""Benchmark: the field app, "Mijn route" (issue 3).

Goals: the field app's first load at most 200 KB compressed, map tiles excluded, and later loads
from the phone's cache; a visit saved on the phone in under 100 ms; 200 queued visits synced in
one go in under 5 s server time.

    .venv/bin/python bench/bench_field.py            # everything
    .venv/bin/python bench/bench_field.py --quick    # server only, no browser

What is measured, in a fresh SQLite database with one canvass of about 250 doors in one route:
- sync: `POST /api/v1/field/sync/` with 200 visits (150 without answers, 50 spoken with a person
  block), through Django's test client, so the time is the server's (request, validation by the
  questionnaire engine, 200 transactions); 5 runs, each with new UUIDs. Then the same 200 again
  (all duplicates: what the phone sends after a lost answer).
- first load: Chromium against runserver with production static files (collectstatic into a
  temporary STATIC_ROOT: hashed names, WhiteNoise serving brotli/gzip) opens the route page on an
  empty cache; the compressed bytes of every response are summed (the page and the route JSON,
  which Django does not compress itself, as gzip level 6, what the web server in front does); then
  the page is opened again and what still came from the network is counted.
- local save: 20 visits recorded through the page without network; `performance.now()` around the
  IndexedDB transaction, as the page records it in `window.fieldMetrics.saveTimes`.

Figures are printed as a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
RUNS = 5
BATCH = 200


def setup_django(db_path: Path) -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ["SQLITE_PATH"] = str(db_path)
    os.environ.pop("DATABASE_URL", None)
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["STATIC_MANIFEST"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_route() -> tuple[Any, Any, Any, list[Any]]:
    """A team, a volunteer, an incident and one route of about 250 doors (the volunteer walks it)."""
    from buurtonderzoek.accounts.models import Role
    from buurtonderzoek.accounts.tests.factories import GemeenteFactory, MembershipFactory, TeamFactory
    from buurtonderzoek.canvass.actions import assign_route_members, plan_canvass
    from buurtonderzoek.incidents.tests.fixtures import central_address, make_incident, make_streets

    gemeente = GemeenteFactory.create(code="GM9999", name="Demodorp")
    team = TeamFactory.create(name="Buurtpreventie Bench", gemeente=gemeente)
    alice = MembershipFactory.create(user__email="alice@example.nl", role=Role.COORDINATOR, team=team).user
    bob = MembershipFactory.create(user__email="bob@example.nl", role=Role.VOLUNTEER, team=team).user
    make_streets(gemeente.code, half_size_m=200, flats=1)
    incident = make_incident(team, by=alice, address=central_address(gemeente.code))
    canvass = plan_canvass(incident, by=alice, route_count=1, radius_m=100)
    route = canvass.routes.get()
    assign_route_members(route, by=alice, members=[bob])
    return bob, canvass, route, list(route.stops.order_by("order"))


def visits(canvass: Any, stops: list[Any], version: Any) -> list[dict[str, Any]]:
    from django.utils import timezone

    from buurtonderzoek.canvass.tests.test_field_support import SPOKEN_WITH_PERSON

    at = timezone.now() - timedelta(minutes=30)
    out = []
    for i in range(BATCH):
        stop = stops[i % len(stops)]
        visit: dict[str, Any] = {
            "client_uuid": str(uuid.uuid4()),
            "canvass": canvass.pk,
            "address": stop.address_id,
            "stop": stop.pk,
            "outcome": ("niet_thuis", "briefje", "wil_niet", "gesproken")[i % 4],
            "visited_at": (at + timedelta(seconds=i)).isoformat(),
        }
        if visit["outcome"] == "gesproken":
            visit["answers"] = SPOKEN_WITH_PERSON
            visit["questionnaire_version"] = version.pk
        out.append(visit)
    return out


def sync_benchmark(rows: list[tuple[str, str]], bob: Any, canvass: Any, stops: list[Any]) -> None:
    from django.test import Client

    from buurtonderzoek.canvass.actions import CANVASS_QUESTIONNAIRE
    from buurtonderzoek.canvass.models import DoorVisit
    from buurtonderzoek.questionnaires.models import QuestionnaireVersion

    version = QuestionnaireVersion.objects.latest_published(CANVASS_QUESTIONNAIRE)
    client = Client()
    client.force_login(bob)
    times: list[float] = []
    cpu: list[float] = []
    duplicate_times: list[float] = []
    for _ in range(RUNS):
        batch = visits(canvass, stops, version)
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.post("/api/v1/field/sync/", {"visits": batch}, content_type="application/json")
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        assert response.status_code == 200, response.content
        assert response.json()["accepted"] == BATCH, response.json()
        start = time.perf_counter()
        again = client.post("/api/v1/field/sync/", {"visits": batch}, content_type="application/json")
        duplicate_times.append(time.perf_counter() - start)
        assert again.json()["duplicate"] == BATCH
    assert DoorVisit.objects.count() == RUNS * BATCH
    rows.append(
        (
            f"sync of {BATCH} queued visits in one request (150 without answers, 50 spoken with a person block)",
            f"{statistics.median(times):.2f} s wall median of {RUNS} (min {min(times):.2f} s, max {max(times):.2f} s); "
            f"{statistics.median(cpu):.2f} s CPU median (Python and SQLite in this process)",
        )
    )
    rows.append(
        (
            f"the same {BATCH} sent again (all duplicates: the phone never heard the first answer)",
            f"{statistics.median(duplicate_times) * 1000:.0f} ms median of {RUNS}",
        )
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


SETTINGS = """
from whitenoise.storage import CompressedManifestStaticFilesStorage

from config.settings import *  # noqa: F403

STATIC_ROOT = {static_root!r}


class BenchStorage(CompressedManifestStaticFilesStorage):
    # vendor/chart.js@4.5.1 points at a source map that is not vendored, which stops collectstatic;
    # source-map references are irrelevant to these figures, so this copy does not follow them.
    patterns = tuple(
        (ext, tuple(p for p in found if "sourceMappingURL" not in str(p)))
        for ext, found in CompressedManifestStaticFilesStorage.patterns
    )


STORAGES = {{**STORAGES, "staticfiles": {{"BACKEND": "bench_field_settings.BenchStorage"}}}}  # noqa: F405
"""


def production_env(tmp: Path, db_path: Path) -> dict[str, str]:
    """Settings as in production for static files: hashed names, WhiteNoise, gzip and brotli files.

    STATIC_ROOT goes to a temporary directory (through a settings module that extends ours), so the
    project's var/static, which the tests' live server would pick up, stays untouched.
    """
    (tmp / "bench_field_settings.py").write_text(SETTINGS.format(static_root=str(tmp / "static")), encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": f"{tmp}{os.pathsep}{BASE_DIR}",
        "DJANGO_SETTINGS_MODULE": "bench_field_settings",
        "DEBUG": "0",
        "STATIC_MANIFEST": "1",
        "SQLITE_PATH": str(db_path),
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
    }
    subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, str(BASE_DIR / "manage.py"), "collectstatic", "--noinput", "-v0"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return env


def transferred(response: Any) -> tuple[int, str]:
    """Bytes of the body as they came over the wire, and how they were encoded.

    Static files come compressed from WhiteNoise; Django's own answers (page, JSON) are not
    compressed by the app, so they count as gzip level 6, what the web server in front does.
    """
    encoding = response.headers.get("content-encoding", "")
    if encoding:
        return response.request.sizes()["responseBodySize"], encoding
    return len(gzip.compress(response.body(), compresslevel=6)), "gzip*"


def browser_benchmark(rows: list[tuple[str, str]], db_path: Path, tmp: Path, bob: Any, route: Any) -> None:
    from django.test import Client
    from playwright.sync_api import Response, sync_playwright

    client = Client()
    client.force_login(bob)
    session = client.cookies["sessionid"].value
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    env = production_env(tmp, db_path)
    log = (tmp / "runserver.log").open("w+", encoding="utf-8")
    server = subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, str(BASE_DIR / "manage.py"), "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,  # runserver's access log: which requests reached the server
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        url = f"{origin}/veld/routes/{route.pk}/"
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                      "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
            )  # fmt: skip
            context = browser.new_context(viewport={"width": 390, "height": 844}, locale="nl-NL")
            context.add_cookies([{"name": "sessionid", "value": session, "url": origin}])
            # No request interception here: it would switch off Chromium's HTTP cache. Without
            # internet on this machine the map's tiles fail anyway (they are not counted).

            first: list[Response] = []
            everything: list[Response] = []
            context.on("response", lambda r: everything.append(r))
            page = context.new_page()
            page.on("response", lambda r: first.append(r))
            page.goto(url)
            page.wait_for_selector("main[data-ready='1']", state="attached")
            page.wait_for_load_state("networkidle")
            total = raw = 0
            parts: list[str] = []
            for response in first:
                if not response.url.startswith(origin) or response.status != 200:
                    continue
                size, encoding = transferred(response)
                raw += len(response.body())
                total += size
                name = urlsplit(response.url).path.rstrip("/").rsplit("/", 1)[-1]
                parts.append(f"{name} {size / 1024:.1f} ({encoding})")
            rows.append(
                (
                    "first load of the route page, empty cache: page, CSS, JS (Leaflet, questionnaire engine and "
                    "renderer), route JSON with the questionnaire, icon; production static files (WhiteNoise, "
                    "hashed, brotli); tiles excluded",
                    f"{total / 1024:.0f} KB compressed ({raw / 1024:.0f} KB uncompressed, {len(parts)} responses)",
                )
            )
            print("first load, KB per response:", "; ".join(parts))
            # Then the service worker keeps its own copy of the app's files (once per release). What
            # reached the server during the whole first visit is in runserver's access log.
            page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            page.wait_for_timeout(1500)
            log.flush()
            log.seek(0)
            hits = re.findall(r'"GET (\S+) HTTP/1\.1" (\d+) (\d+)', log.read())
            log.seek(0, os.SEEK_END)
            bodies = {urlsplit(r.url).path: r for r in everything if r.url.startswith(origin)}
            sent = 0
            for path, status, size in hits:
                if path.startswith("/static/") or path not in bodies:
                    sent += int(size)  # WhiteNoise sends static files compressed; the log has their size
                elif status == "200":
                    sent += transferred(bodies[path])[0]
            print("first visit, server hits:", "; ".join(f"{p} {st} {int(n) / 1024:.1f}" for p, st, n in hits))
            twice = sorted({path for path, _s, _n in hits if [h[0] for h in hits].count(path) > 1})
            rows.append(
                (
                    "whole first visit as the server saw it: the page and the service worker's install (its own "
                    "copy of every offline file; hashed files come from the browser's HTTP cache)",
                    f"{len(hits)} requests, {sent / 1024:.0f} KB compressed; "
                    f"asked twice: {', '.join(twice) or 'nothing'}",
                )
            )

            # Load the page again, now under the service worker.
            second: list[Response] = []
            page.on("response", lambda r: second.append(r))
            page.reload()
            page.wait_for_selector("main[data-ready='1']", state="attached")
            page.wait_for_load_state("networkidle")
            network = [r for r in second if r.url.startswith(origin) and not r.from_service_worker]
            from_cache = [r for r in second if r.from_service_worker]
            network_bytes = sum(transferred(r)[0] for r in network if r.status == 200)
            rows.append(
                (
                    "second load (service worker in control)",
                    f"{len(from_cache)} responses from the phone's cache; from the network only "
                    f"{', '.join(sorted({urlsplit(r.url).path for r in network})) or 'nothing'} "
                    f"({network_bytes / 1024:.1f} KB compressed)",
                )
            )

            # Twenty visits saved without network.
            context.set_offline(True)
            stops = page.locator(".stop-button")
            for i in range(20):
                stops.nth(i).click()
                page.locator("#outcome-choices label", has_text="Niet thuis").click()
                page.locator("#save-visit").click()
                page.wait_for_selector("#list-view:not([hidden])")
            saves: list[float] = page.evaluate("window.fieldMetrics.saveTimes")
            rows.append(
                (
                    "a visit saved on the phone (IndexedDB transaction, strict durability), 20 visits",
                    f"{statistics.median(saves):.1f} ms median (max {max(saves):.1f} ms)",
                )
            )
            context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="skip the browser")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "field.sqlite3"
        setup_django(db_path)
        from django.db import connection

        bob, canvass, route, stops = make_route()
        rows: list[tuple[str, str]] = [("route", f"{len(stops)} doors, one walker")]
        sync_benchmark(rows, bob, canvass, stops)
        connection.close()
        if not args.quick:
            browser_benchmark(rows, db_path, Path(tmp), bob, route)
        print("\n| figure | value |\n|---|---|")
        for name, value in rows:
            print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
