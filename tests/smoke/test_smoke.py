"""The production topology as real processes on this machine, one journey through it over HTTPS.

tests/smoke/recipe.py starts what deploy/compose.yaml runs, as plain processes: Caddy with deploy/Caddyfile
(TLS from its own local CA) load-balancing over two gunicorn processes (two workers each), two
`manage.py db_worker` processes (background tasks and the scheduled jobs), PgBouncer in transaction-pooling
mode in front of PostgreSQL (database bo_smoke, made afresh, with the demo town), Redis as the shared cache
and moto's S3 server as the store for generated files. Then a coordinator logs in over https, registers an
incident with an address picked from the suggestions, asks for the team's certificates of contribution,
and downloads the PDF a worker made and stored in the bucket.

The client trusts Caddy's own root certificate (not verify=False): the test then also shows that the
proxy serves a valid chain for the name the browser asked for, as a real certificate would be.

Slow (migrations and the demo take minutes), so it is marked `smoke`: the normal runs leave it out
(pyproject addopts) and .ci/run runs it once: `pytest -m smoke tests/smoke -n 0`.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from email.message import Message
from html import unescape
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.urls import reverse
from django.utils import timezone

from tests.smoke import recipe

# Migrations and the demo town alone take minutes on a busy machine: more than the usual limit per test.
pytestmark = [pytest.mark.smoke, pytest.mark.timeout(1800)]

COORDINATOR = "coordinator@demo.buurtonderzoek.nl"
PASSWORD = "demo-wachtwoord-2026"  # the demo's (dashboards/management/commands/demo.py)
# A scheduled job the test makes due by hand once both workers run; the workers look once a minute.
RACED_JOB = "opruimen"


@dataclass
class Stack:
    topology: recipe.Topology
    raced_at: float  # time.monotonic() when RACED_JOB was made due

    @property
    def base(self) -> str:
        return self.topology.url

    def sql(self, query: str, *params: object) -> list[tuple[Any, ...]]:
        """Straight to PostgreSQL, for what the test checks behind the app's back."""
        with psycopg.connect(recipe.PG_ADMIN.rsplit("/", 1)[0] + "/" + recipe.DATABASE) as connection:
            return connection.execute(query, params).fetchall()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with recipe.running(tmp_path_factory.mktemp("smoke")) as topology:
        stack = Stack(topology, 0.0)
        # The workers' first look created the rows; wait for them, then make one job due for both at once.
        stack.topology.wait_for(
            "worker-1",
            lambda: bool(stack.sql("SELECT 1 FROM scheduling_scheduledjob WHERE name = %s", RACED_JOB)),
            "the workers made the scheduled jobs' rows",
        )
        stack.sql(
            "UPDATE scheduling_scheduledjob SET next_run_at = now(), runs = 0 WHERE name = %s RETURNING 1", RACED_JOB
        )
        stack.raced_at = time.monotonic()
        yield stack


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    """Cookies, no automatic redirects, Caddy's CA trusted; sends Origin on a POST, as browsers do."""

    def __init__(self, stack: Stack) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar),
            urllib.request.HTTPSHandler(context=stack.topology.tls()),
            NoRedirect(),
        )
        self.origin = stack.base

    def fetch(
        self, url: str, form: dict[str, str] | None = None, referer: str = "", *, htmx: bool = False, origin: str = ""
    ) -> tuple[int, Message, bytes]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        headers = {"Referer": referer or url}
        if data is not None:
            headers["Origin"] = origin or self.origin
        if htmx:
            headers["HX-Request"] = "true"  # as htmx asks for a fragment
        request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 (our server)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:  # 3xx (not followed) and 4xx/5xx
            return error.code, error.headers, error.read()


def csrf(page: bytes) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1).decode()


def log_in(stack: Stack) -> Browser:
    browser = Browser(stack)
    login_url = stack.base + reverse("account_login")
    status, _headers, page = browser.fetch(login_url)
    assert status == 200
    status, _headers, _page = browser.fetch(
        login_url, {"csrfmiddlewaretoken": csrf(page), "login": COORDINATOR, "password": PASSWORD}
    )
    assert status == 302, "login refused"
    return browser


def test_a_coordinator_registers_an_incident_and_downloads_what_the_worker_made(stack: Stack) -> None:
    browser = log_in(stack)
    # Behind the proxy the app knows the connection is https: the session cookie is marked Secure.
    session = [cookie for cookie in browser.jar if cookie.name == "sessionid"]
    assert session and session[0].secure

    # Register an incident: the address comes from the suggestions, as the page's htmx asks for them.
    create_url = stack.base + reverse("incident_new")
    status, _headers, page = browser.fetch(create_url)
    assert status == 200
    team = re.search(rb'name="team"[^>]*value="(\d+)"|<option value="(\d+)"[^>]*selected', page)
    assert team, "no team on the form"
    team_id = (team.group(1) or team.group(2)).decode()
    query = urllib.parse.urlencode({"address_query": "Akkerweg 1", "team": team_id})  # a street of the demo town
    _status, _headers, suggestions = browser.fetch(stack.base + reverse("incident_address_suggestions") + "?" + query)
    address = re.search(rb'name="address"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="address"', suggestions)
    assert address, suggestions[:2000]
    now = timezone.localtime()
    status, headers, _page = browser.fetch(
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
    status, _headers, page = browser.fetch(incident_url)
    assert status == 200 and "Rooktest: inbraak via de achterdeur." in page.decode()

    # Certificates of contribution: made by a background worker, offered when done.
    effort_url = stack.base + reverse("team_effort", args=[team_id])
    status, _headers, page = browser.fetch(effort_url)
    assert status == 200
    certificates_url = stack.base + reverse("team_certificates", args=[team_id])
    status, _headers, _page = browser.fetch(
        certificates_url, {"csrfmiddlewaretoken": csrf(page), "jaar": str(now.year)}, referer=effort_url
    )
    assert status == 302
    # The page lists the job with its progress (polled by htmx while it runs); the newest is this one.
    status, _headers, page = browser.fetch(effort_url)
    jobs = [int(pk) for pk in re.findall(rb'id="job-(\d+)"', page)]
    assert jobs, "no job on the page"
    job_id = max(jobs)
    poll_url = stack.base + reverse("jobs:detail", args=[job_id])
    found: dict[str, str] = {}

    def downloadable() -> bool:
        _status, _headers, fragment = browser.fetch(poll_url, htmx=True)
        # The finished job's link, marked for download (as a person sees the "Downloaden" button).
        link = re.search(rb'<a [^>]*href="([^"]+)"[^>]* download[ >]', fragment)
        if link:
            found["url"] = stack.base + unescape(link.group(1).decode())
        return bool(link)

    stack.topology.wait_for("worker-1", downloadable, "a worker made the certificates", seconds=300)
    status, headers, pdf = browser.fetch(found["url"])
    assert status == 200 and pdf.startswith(b"%PDF"), headers

    # The file is an object in the S3 bucket (not on a web process's disk), and the app served exactly it.
    [(stored,)] = stack.sql("SELECT file FROM jobs_job WHERE id = %s", job_id)
    assert stored.startswith(f"jobs/{job_id}/") and stored.endswith(".pdf")
    s3: Any = stack.topology.s3()
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=recipe.BUCKET).get("Contents", [])]
    assert stored in keys, keys
    assert s3.get_object(Bucket=recipe.BUCKET, Key=stored)["Body"].read() == pdf
    assert not (recipe.ROOT / "var" / "media" / stored).exists()

    # A worker made it, not the web request: the task's result names which worker ran it.
    ran_by = stack.sql(
        "SELECT worker_ids FROM django_tasks_database_dbtaskresult"
        " WHERE task_path LIKE %s AND args_kwargs->'args'->>0 = %s",
        "%.run_job",
        str(job_id),
    )
    assert len(ran_by) == 1 and ran_by[0][0] and set(ran_by[0][0]) <= {"recipe-worker-1", "recipe-worker-2"}, ran_by


def test_the_app_sees_https_behind_the_proxy_and_checks_the_origin(stack: Stack) -> None:
    # A form sent from the http:// origin of the same host is refused: the app compares the Origin with
    # the scheme Caddy reported (X-Forwarded-Proto), so the https origin the journey sends passes only
    # because the app sees https.
    browser = Browser(stack)
    login_url = stack.base + reverse("account_login")
    _status, _headers, page = browser.fetch(login_url)
    form = {"csrfmiddlewaretoken": csrf(page), "login": COORDINATOR, "password": PASSWORD}
    status, _headers, _page = browser.fetch(login_url, form, origin=stack.base.replace("https://", "http://"))
    assert status == 403
    status, _headers, _page = browser.fetch(login_url, form)
    assert status == 302
    # Straight to a web process over plain HTTP (no proxy headers): sent to https, as production should.
    direct = f"http://127.0.0.1:{stack.topology.web_ports[0]}/"
    request = urllib.request.Request(direct, headers={"Host": stack.base.removeprefix("https://")})
    with pytest.raises(urllib.error.HTTPError) as redirected:
        urllib.request.build_opener(NoRedirect()).open(request, timeout=30)
    assert redirected.value.code == 301 and redirected.value.headers["Location"].startswith("https://")


def test_the_proxy_spreads_requests_over_both_web_processes_which_serve_the_same_offline_version(
    stack: Stack,
) -> None:
    versions = set()
    for _ in range(12):
        status, _headers, body = Browser(stack).fetch(stack.base + "/sw.js")
        assert status == 200
        versions.add(json.loads(body.decode().split("const CONFIG = ", 1)[1].split(";\n", 1)[0])["version"])
    assert len(versions) == 1, versions
    for number in range(1, recipe.WEB_PROCESSES + 1):
        log = stack.topology.log(f"web-{number}")
        assert len(set(re.findall(r"Booting worker with pid: (\d+)", log))) == recipe.WEB_WORKERS
        # Its access log: the proxy sent it pages of the journey and these, not only health checks (a tie
        # between the two goes to either at random, so over some fifty requests both get some).
        served = re.findall(r'"(?:GET|POST) /(?!healthz)\S* HTTP/1\.1" (?:200|302)', log)
        assert served, f"web-{number} got no page through Caddy"


def test_of_two_workers_exactly_one_runs_a_due_scheduled_job(stack: Stack) -> None:
    # Each worker looks for due jobs once a minute: after a minute and a bit since the job fell due, both
    # have looked at least once. The job ran once, in one worker, and is next due at its regular time.
    time.sleep(max(0.0, stack.raced_at + 75 - time.monotonic()))
    [(runs, succeeded, next_run_at)] = stack.sql(
        "SELECT runs, last_succeeded_at, next_run_at FROM scheduling_scheduledjob WHERE name = %s", RACED_JOB
    )
    assert runs == 1 and succeeded is not None and next_run_at > timezone.now()
    finished = [
        number
        for number in range(1, recipe.WORKERS + 1)
        for _ in re.findall(rf"Geplande taak {RACED_JOB} klaar", stack.topology.log(f"worker-{number}"))
    ]
    assert len(finished) == 1, finished
    # And the hourly job each worker found due at start-up: also once.
    [(hourly_runs,)] = stack.sql("SELECT runs FROM scheduling_scheduledjob WHERE name = 'verlopen-oproepen'")
    assert hourly_runs == 1


@pytest.mark.skipif(not recipe.PGBOUNCER, reason="Debian's pgbouncer is not installed (make system-deps installs it)")
def test_the_app_talked_to_postgresql_through_pgbouncer(stack: Stack) -> None:
    assert stack.topology.env["DATABASE_POOL"] == "pgbouncer"
    assert "login attempt: db=bo_smoke" in stack.topology.log("pgbouncer")


def test_every_process_of_the_topology_is_still_running(stack: Stack) -> None:
    assert {name for name, process in stack.topology.processes.items() if process.poll() is not None} == set()
    assert set(stack.topology.processes) >= {"caddy", "web-1", "web-2", "worker-1", "worker-2", "redis", "s3"}


def test_the_recipe_names_the_process_that_did_not_start(tmp_path: Path) -> None:
    topology = recipe.Topology("https://localhost:1", tmp_path / "ca", {}, tmp_path, "", [])
    topology.start("broken", [recipe.PYTHON, "-c", "print('kapot: poort bezet'); raise SystemExit(3)"], env={})
    with pytest.raises(recipe.ProcessFailed, match=r"(?s)broken exited with code 3 .*kapot: poort bezet"):
        topology.wait_for("broken", lambda: False, "it answers", seconds=30)
    topology.stop()
