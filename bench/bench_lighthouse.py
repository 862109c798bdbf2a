"""Lighthouse (mobile preset) on a production-like server: performance and accessibility, median of 3 runs.

    python bench/bench_lighthouse.py [--runs 3] [--lighthouse PATH]

The server is what production runs: gunicorn with DEBUG=0, collectstatic into hashed, pre-compressed files
served by WhiteNoise, GZipMiddleware for HTML and JSON, on a fresh SQLite database with the demo town
(`manage.py demo`) plus a survey wave that is open today. Lighthouse is not a project dependency: install
it outside the runtime path (`npm install --prefix var/lighthouse lighthouse@12`) and point --lighthouse at
its binary. Chromium is Debian's, started here with a fresh profile per run and handed to Lighthouse
(--port). The pages: the front page, the field app's route page and its visit form, each survey screen,
and a public alert page; for logged-in pages the browser's cookie jar gets the session cookie of a session
made in the database, as logging in would. Prints a table with the load average before and after.

Also reported: the field app's first load in bytes over the wire (compressed), which must stay under 200 KB.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdjango

BASE = benchdjango.BASE_DIR
WORK = BASE / "var" / "bench" / "lighthouse"
PORT = 8765
ORIGIN = f"http://127.0.0.1:{PORT}"
ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-for-lighthouse-0123456789",
    "SQLITE_PATH": str(WORK / "db.sqlite3"),
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "STATIC_MANIFEST": "1",
    "LOG_LEVEL": "WARNING",
}


def prepare() -> dict[str, tuple[str, str]]:
    """Database, demo data, static files; returns page name -> (url path, session cookie or "")."""
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    os.environ.update(ENV)
    benchdjango.setup(WORK / "db.sqlite3")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    from django.test import Client
    from django.utils import timezone

    from buurtonderzoek.accounts.models import User
    from buurtonderzoek.canvass.models import Route
    from buurtonderzoek.dashboards.demo import DOMAIN, build_demo
    from buurtonderzoek.monitor import actions
    from buurtonderzoek.monitor.models import Wave
    from buurtonderzoek.places.models import Buurt
    from buurtonderzoek.questionnaires.models import QuestionnaireVersion
    from buurtonderzoek.signalements.models import Alert

    gemeente = build_demo(progress=False)
    volunteer = User.objects.get(email=f"vrijwilliger@{DOMAIN}")
    # A logged-in session in the database, as after typing the password (the backend comes from the settings).
    walker = Client()
    walker.force_login(volunteer)
    volunteer_cookie = walker.cookies["sessionid"].value
    route = Route.objects.filter(members=volunteer).order_by("number").first()
    assert route is not None, "the demo gives the volunteer a route"
    stop = route.stops.order_by("order").first()
    assert stop is not None

    today = timezone.localdate()
    buurten = list(Buurt.objects.filter(gemeente=gemeente).order_by("code"))
    wave = actions.create_wave(
        gemeente,
        by=None,
        name="Lighthouse",
        starts_on=today,
        ends_on=today + timedelta(days=14),
        version=QuestionnaireVersion.objects.latest_published("communitymonitor"),
        buurten=buurten,
        target_per_buurt=100,
        public_link_enabled=True,
    )
    resident = Client()
    resident.post(f"/enquete/open/{Wave.objects.get(pk=wave.pk).public_token}/", {"buurt": buurten[0].pk})
    survey_cookie = resident.cookies["sessionid"].value
    sections = [section["id"] for section in wave.version.schema["sections"]]

    alert = Alert.objects.filter(status="published").order_by("pk").first()
    pages: dict[str, tuple[str, str]] = {"front page": ("/", "")}
    pages["field: route"] = (f"/veld/routes/{route.pk}/", volunteer_cookie)
    pages["field: visit form"] = (f"/veld/routes/{route.pk}/#adres-{stop.pk}", volunteer_cookie)
    for number, section in enumerate(sections, start=1):
        pages[f"survey screen {number}"] = (f"/enquete/vragen/?stap={section}", survey_cookie)
    if alert is not None:
        pages["public alert"] = (f"/oproepen/{alert.public_token}/", "")
    return pages


def start_server() -> subprocess.Popen[bytes]:
    env = {**os.environ, **ENV}
    server = subprocess.Popen(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{PORT}", "--workers", "2"],
        cwd=BASE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(WORK / "gunicorn.log").open("wb"),
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", PORT)) == 0:
                return server
        time.sleep(0.2)
    raise SystemExit("gunicorn did not start; see var/bench/lighthouse/gunicorn.log")


def start_chromium(profile: Path) -> tuple[subprocess.Popen[bytes], int]:
    """Debian's Chromium with a fresh profile and a DevTools port, for Lighthouse to drive (--port)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    browser = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            "/usr/bin/chromium",
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            f"--remote-debugging-port={port}",
            f"--user-data-dir={profile}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version", timeout=2):
                return browser, port
        except OSError:
            time.sleep(0.2)
    os.killpg(browser.pid, signal.SIGKILL)
    raise SystemExit("Chromium did not open its DevTools port")


def give_session(port: int, cookie: str) -> None:
    """Put the session cookie in the browser's own cookie jar, where logging in puts it.

    Lighthouse's --extra-headers would send it only with the page's own requests: once the field app's
    service worker controls the page, the route's API request passes through the worker without it,
    gets a 401, and the page shows "log in again" (a layout shift measured on the bench alone).
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
        browser.contexts[0].add_cookies([{"name": "sessionid", "value": cookie, "url": ORIGIN, "httpOnly": True}])


def lighthouse(binary: str, path: str, cookie: str, keep: Path | None) -> tuple[float, float, float, float]:
    """One run: (performance, accessibility, cumulative layout shift, total blocking time in ms).

    With `keep`, the report is copied there (open it with Lighthouse's viewer, or read its audits)."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        for attempt in range(3):
            browser, port = start_chromium(Path(tmp) / f"profile-{attempt}")
            try:
                if cookie:
                    give_session(port, cookie)
                command = [
                    binary,
                    ORIGIN + path,
                    "--only-categories=performance,accessibility",
                    "--output=json",
                    f"--output-path={report}",
                    "--quiet",
                    f"--port={port}",
                ]
                # Lighthouse now and then fails to record the trace on a loaded machine (NO_NAVSTART): run again.
                done = subprocess.run(command, check=attempt == 2, timeout=300)  # noqa: S603 - our own arguments
            finally:
                os.killpg(browser.pid, signal.SIGTERM)
                browser.wait(timeout=30)
            if done.returncode == 0:
                break
        data = json.loads(report.read_text())
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            name = f"{len(list(keep.glob('*.json'))):02d}{re.sub(r'[^a-z0-9]+', '-', path)}.json"
            shutil.copy(report, keep / name)
    if urlsplit(data["finalDisplayedUrl"]).path != urlsplit(ORIGIN + path).path:
        raise SystemExit(f"{path} ended at {data['finalDisplayedUrl']}: not the page asked for (login?)")
    categories, audits = data["categories"], data["audits"]
    failed = [
        f"{ref['id']} ({', '.join(_selectors(audits[ref['id']]))})"
        for ref in categories["accessibility"]["auditRefs"]
        if audits[ref["id"]]["score"] == 0
    ]
    metrics = {m: round(audits[m]["numericValue"]) for m in ("first-contentful-paint", "largest-contentful-paint")}
    shifted = _selectors(audits["layout-shifts"]) if "layout-shifts" in audits else []
    print(f"  {path}: failed accessibility audits {failed or 'none'}; {metrics}; shifted {shifted}", flush=True)
    return (
        round(categories["performance"]["score"] * 100),
        round(categories["accessibility"]["score"] * 100),
        audits["cumulative-layout-shift"]["numericValue"],
        audits["total-blocking-time"]["numericValue"],
    )


def _selectors(audit: dict[str, Any], shown: int = 3) -> list[str]:
    """The first few elements a failed audit names, to know what to fix."""
    items = audit.get("details", {}).get("items", [])[:shown]
    return [str(item.get("node", {}).get("selector", "?")) for item in items]


def field_first_load_bytes(path: str, cookie: str) -> int:
    """Bytes over the wire (gzip accepted) for the route page: HTML, stylesheets, scripts and the modules they
    import, and the route's JSON. Map tiles come from elsewhere and are not counted."""

    def fetch(url: str) -> tuple[str, int]:
        request = urllib.request.Request(  # noqa: S310 - our own local server
            ORIGIN + url, headers={"Cookie": f"sessionid={cookie}", "Accept-Encoding": "gzip"}
        )
        with urllib.request.urlopen(request) as response:  # noqa: S310 - our own local server
            body = response.read()
            if urlsplit(response.url).path != urlsplit(ORIGIN + url).path:
                raise SystemExit(f"{url} was redirected to {response.url}: the session cookie was not accepted")
        print(f"  {len(body):>7} bytes  {url}")
        text = gzip.decompress(body) if body.startswith(b"\x1f\x8b") else body
        return text.decode("utf-8", "replace"), len(body)

    html, total = fetch(path)
    todo = re.findall(r'(?:src|href)="(/static/[^"]+\.(?:js|css))"', html)
    api = re.search(r'data-api="([^"]+)"', html)
    todo += [api.group(1)] if api else []
    seen: set[str] = set()
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        text, size = fetch(url)
        total += size
        if url.endswith(".js"):
            folder = url.rsplit("/", 1)[0]
            todo += [f"{folder}/{module}" for module in re.findall(r'(?:from|import)\s*"\./([^"]+\.js)"', text)]
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="only the pages whose name contains this text")
    parser.add_argument(
        "--lighthouse", default=str(BASE / "var" / "lighthouse" / "node_modules" / ".bin" / "lighthouse")
    )
    parser.add_argument("--keep", type=Path, default=None, help="a folder to keep every Lighthouse report in")
    args = parser.parse_args()
    pages = prepare()
    server = start_server()
    try:
        load_before = os.getloadavg()
        rows = []
        for name, (path, cookie) in pages.items():
            if args.only not in name:
                continue
            runs = [lighthouse(args.lighthouse, path, cookie, args.keep) for _ in range(args.runs)]
            perf = [r[0] for r in runs]
            rows.append(
                (
                    name,
                    statistics.median(perf),
                    f"{min(perf):.0f}-{max(perf):.0f}",
                    statistics.median(r[1] for r in runs),
                    statistics.median(r[2] for r in runs),
                    statistics.median(r[3] for r in runs),
                )
            )
            print(f"{name}: {runs}", flush=True)
        load_after = os.getloadavg()
        route_path, volunteer_cookie = pages["field: route"]
        first_load = field_first_load_bytes(route_path, volunteer_cookie)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print()
    print("| page | performance (median) | range | accessibility | CLS | TBT ms |")
    print("|---|---|---|---|---|---|")
    for name, perf_median, spread, a11y, cls, tbt in rows:
        print(f"| {name} | {perf_median:.0f} | {spread} | {a11y:.0f} | {cls:.3f} | {tbt:.0f} |")
    print()
    print(f"load average before: {load_before[0]:.1f}, after: {load_after[0]:.1f} ({os.cpu_count()} CPUs)")
    print(f"field app first load (route page, CSS, scripts, route JSON), compressed: {first_load / 1024:.0f} KB")


if __name__ == "__main__":
    main()
