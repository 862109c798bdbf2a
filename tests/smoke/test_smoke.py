"""The real processes on this machine, one journey through them over HTTP (docs/deployment.md).

PostgreSQL (database bo_smoke, made afresh) behind PgBouncer in transaction-pooling mode, Redis (db 5) as
the shared cache, gunicorn with two worker processes, and `manage.py db_worker` (which also runs the
scheduled jobs). The demo town is loaded with
`manage.py demo`, as `make run` does. Then a coordinator logs in, registers an incident with an address
picked from the suggestions, asks for the team's certificates of contribution, and downloads the PDF the
background worker made. Both gunicorn processes serve the same service worker version.

Slow (migrations and the demo take minutes), so it is marked `smoke`: the normal runs leave it out
(pyproject addopts) and .ci/run runs it once: `pytest -m smoke tests/smoke -n 0`.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from html import unescape
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

# Migrations and the demo town alone take minutes on a busy machine: more than the usual limit per test.
pytestmark = [pytest.mark.smoke, pytest.mark.timeout(1800)]

ROOT = Path(settings.BASE_DIR)
PYTHON = sys.executable
PG_ADMIN = os.environ.get("SMOKE_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
DATABASE = "bo_smoke"
REDIS_URL = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379/5")
# Debian's pgbouncer (Makefile APT_PACKAGES); without it the app talks to PostgreSQL directly.
PGBOUNCER = shutil.which("pgbouncer") or ("/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else "")
COORDINATOR = "coordinator@demo.buurtonderzoek.nl"
PASSWORD = "demo-wachtwoord-2026"  # the demo's (dashboards/management/commands/demo.py)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(port: int) -> dict[str, str]:
    """Production settings (DEBUG off), without anything the pytest run set for the unit tests."""
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}
    env = {name: value for name, value in os.environ.items() if name in keep}
    base = PG_ADMIN.rsplit("/", 1)[0]
    static_root = Path(os.environ.get("STATIC_ROOT", ROOT / "var" / "static"))
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": "smoke-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "DATABASE_URL": f"{base}/{DATABASE}",
            "REDIS_URL": REDIS_URL,
            # Plain HTTP on the loopback: the TLS proxy is not part of this test.
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            # The hashed files of `collectstatic` when CI made them, else plain names.
            "STATIC_MANIFEST": "1" if (static_root / "staticfiles.json").exists() else "0",
            "STATIC_ROOT": str(static_root),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def manage(env: dict[str, str], *args: str, timeout: int = 900) -> str:
    done = subprocess.run(  # noqa: S603 (our interpreter, our command)
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@dataclass
class Stack:
    base: str
    env: dict[str, str]
    logs: Path


def start_pgbouncer(logs: Path) -> tuple[subprocess.Popen[bytes], str, Path]:
    """PgBouncer in transaction-pooling mode in front of bo_smoke, as deploy/compose.yaml runs it."""
    port = free_port()
    # PgBouncer refuses to run as root and then reads its files as the postgres user: a folder it can read.
    folder = Path(tempfile.mkdtemp(prefix="smoke-pgbouncer-"))
    folder.chmod(0o755)
    (folder / "users.txt").write_text('"postgres" ""\n', encoding="utf-8")
    (folder / "pgbouncer.ini").write_text(
        f"""[databases]
{DATABASE} = host=127.0.0.1 port=5432 dbname={DATABASE}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/users.txt
pool_mode = transaction
max_client_conn = 200
default_pool_size = 8
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
""",
        encoding="utf-8",
    )
    for name in ("users.txt", "pgbouncer.ini"):
        (folder / name).chmod(0o644)
    as_user = ["-u", "postgres"] if os.geteuid() == 0 else []
    process = subprocess.Popen(  # noqa: S603
        [PGBOUNCER, *as_user, str(folder / "pgbouncer.ini")],
        stdout=(logs / "pgbouncer.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"postgres://postgres@127.0.0.1:{port}/{DATABASE}"

    def answers() -> bool:
        with psycopg.connect(url, prepare_threshold=None) as connection:
            return connection.execute("SELECT 1").fetchone() == (1,)

    wait_for(answers, "PgBouncer answers", logs)
    return process, url, folder


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    port = free_port()
    env = environment(port)
    redis.Redis.from_url(REDIS_URL).flushdb()  # the smoke test's own database number
    # Migrations and the demo straight to PostgreSQL (as compose's migrate service does)...
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "compilemessages", "--ignore=.venv", "-v0")
    manage(env, "demo")
    logs = tmp_path_factory.mktemp("smoke")
    processes: list[subprocess.Popen[bytes]] = []
    pooler_folder = None
    if PGBOUNCER:
        # ...and the web processes and the worker through PgBouncer in transaction-pooling mode.
        pooler, pooled_url, pooler_folder = start_pgbouncer(logs)
        processes.append(pooler)
        env = {**env, "DATABASE_URL": pooled_url, "DATABASE_POOL": "pgbouncer"}
    processes += [
        subprocess.Popen(  # noqa: S603
            [PYTHON, "-m", "gunicorn", "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=(logs / "gunicorn.log").open("w"),
            stderr=subprocess.STDOUT,
        ),
        subprocess.Popen(  # noqa: S603
            [PYTHON, "manage.py", "db_worker", "--interval", "0.5"],
            cwd=ROOT,
            env=env,
            stdout=(logs / "worker.log").open("w"),
            stderr=subprocess.STDOUT,
        ),
    ]
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: fetch(opener(), base + "/")[0] == 200, "gunicorn answers", logs)
        yield Stack(base, env, logs)
    finally:
        # The pooler last, when nothing uses it any more.
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM)
        for process in reversed(processes):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        if pooler_folder is not None:
            shutil.rmtree(pooler_folder, ignore_errors=True)


def wait_for(check: object, what: str, logs: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return
        except (urllib.error.URLError, ConnectionError, psycopg.OperationalError):
            pass  # not up yet
        time.sleep(0.5)
    details = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(logs.glob("*.log")))
    raise AssertionError(f"timed out waiting until {what}\n{details}")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def opener() -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())


def fetch(
    browser: urllib.request.OpenerDirector,
    url: str,
    form: dict[str, str] | None = None,
    referer: str = "",
    *,
    htmx: bool = False,
) -> tuple[int, dict[str, str], bytes]:
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    headers = {"Referer": referer or url}
    if htmx:
        headers["HX-Request"] = "true"  # as htmx asks for a fragment
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 (our server)
    try:
        with browser.open(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:  # 3xx (not followed) and 4xx/5xx
        return error.code, dict(error.headers), error.read()


def csrf(page: bytes) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1).decode()


def test_a_coordinator_registers_an_incident_and_downloads_what_the_worker_made(stack: Stack) -> None:
    browser = opener()
    login_url = stack.base + reverse("account_login")
    status, _headers, page = fetch(browser, login_url)
    assert status == 200
    status, headers, _page = fetch(
        browser, login_url, {"csrfmiddlewaretoken": csrf(page), "login": COORDINATOR, "password": PASSWORD}
    )
    assert status == 302, "login refused"

    # Register an incident: the address comes from the suggestions, as the page's htmx asks for them.
    create_url = stack.base + reverse("incident_new")
    status, _headers, page = fetch(browser, create_url)
    assert status == 200
    team = re.search(rb'name="team"[^>]*value="(\d+)"|<option value="(\d+)"[^>]*selected', page)
    assert team, "no team on the form"
    team_id = (team.group(1) or team.group(2)).decode()
    query = urllib.parse.urlencode({"address_query": "Akkerweg 1", "team": team_id})  # a street of the demo town
    _status, _headers, suggestions = fetch(browser, stack.base + reverse("incident_address_suggestions") + "?" + query)
    address = re.search(rb'name="address"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="address"', suggestions)
    assert address, suggestions[:2000]
    now = timezone.localtime()
    status, headers, _page = fetch(
        browser,
        create_url,
        {
            "csrfmiddlewaretoken": csrf(page),
            "team": team_id,
            "incident_type": "woninginbraak",
            "occurred_from": (now - timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"),
            "occurred_until": (now - timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M"),
            "address_query": "Akkerweg 1",
            "address": (address.group(1) or address.group(2)).decode(),
            "description": "Rooktest: inbraak via de achterdeur.",
            "victim_consent": "on",
        },
    )
    assert status == 302, _page.decode()[:3000]
    incident_url = stack.base + headers["Location"]
    status, _headers, page = fetch(browser, incident_url)
    assert status == 200 and "Rooktest: inbraak via de achterdeur." in page.decode()

    # Certificates of contribution: made by the background worker, offered when done.
    effort_url = stack.base + reverse("team_effort", args=[team_id])
    status, _headers, page = fetch(browser, effort_url)
    assert status == 200
    certificates_url = stack.base + reverse("team_certificates", args=[team_id])
    status, _headers, _page = fetch(
        browser, certificates_url, {"csrfmiddlewaretoken": csrf(page), "jaar": str(now.year)}, referer=effort_url
    )
    assert status == 302
    # The page lists the job with its progress (polled by htmx while it runs); the newest is this one.
    status, _headers, page = fetch(browser, effort_url)
    jobs = [int(pk) for pk in re.findall(rb'id="job-(\d+)"', page)]
    assert jobs, "no job on the page"
    poll_url = stack.base + reverse("jobs:detail", args=[max(jobs)])
    found: dict[str, str] = {}

    def downloadable() -> bool:
        _status, _headers, fragment = fetch(browser, poll_url, htmx=True)
        # The finished job's link, marked for download (as a person sees the "Downloaden" button).
        link = re.search(rb'<a [^>]*href="([^"]+)"[^>]* download[ >]', fragment)
        if link:
            found["url"] = stack.base + unescape(link.group(1).decode())
        return bool(link)

    wait_for(downloadable, "the worker made the certificates", stack.logs, seconds=300)
    status, headers, pdf = fetch(browser, found["url"])
    assert status == 200 and pdf.startswith(b"%PDF"), headers


def test_both_web_processes_serve_the_same_offline_version(stack: Stack) -> None:
    versions = set()
    for _ in range(12):
        status, _headers, body = fetch(opener(), stack.base + "/sw.js")
        assert status == 200
        versions.add(json.loads(body.decode().split("const CONFIG = ", 1)[1].split(";\n", 1)[0])["version"])
    assert len(versions) == 1, versions
    gunicorn_log = (stack.logs / "gunicorn.log").read_text()
    assert len(set(re.findall(r"Booting worker with pid: (\d+)", gunicorn_log))) == 2


def test_the_worker_runs_the_scheduled_jobs(stack: Stack) -> None:
    # The hourly job is due at once: the worker's scheduler starts it within seconds of starting.
    def ran() -> bool:
        listing = manage(stack.env, "run_scheduled_jobs", "--list")
        return bool(re.search(r"verlopen-oproepen .*\(gelukt\)", listing))

    wait_for(ran, "the worker ran the hourly job", stack.logs, seconds=120)


@pytest.mark.skipif(not PGBOUNCER, reason="Debian's pgbouncer is not installed (make system-deps installs it)")
def test_the_app_talked_to_postgresql_through_pgbouncer(stack: Stack) -> None:
    assert stack.env["DATABASE_POOL"] == "pgbouncer"
    assert "login attempt: db=bo_smoke" in (stack.logs / "pgbouncer.log").read_text()
