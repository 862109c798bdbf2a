"""Benchmark: visit sync under load against the front page of the same server (issue 14).

Goal: 50 concurrent canvassers posting visits to gunicorn (2 workers, production settings) reach at
least 0.25 of the same server's front-page throughput in the same run, p99 under 500 ms, 0 errors,
on SQLite and on PostgreSQL.

    .venv/bin/python bench/bench_load.py --fresh
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bo_load .venv/bin/python bench/bench_load.py --fresh

What happens:
- a team of 50 volunteers in Demodorp, five planned canvasses of 10 routes each, every volunteer
  walking one route; the volunteers get a real (Argon2) password;
- gunicorn starts with 2 workers and the production recipe's settings (config/gunicorn.py: 4 threads each;
  `--threads 1` gives sync workers) on production settings (DEBUG=0, hashed and compressed static
  files from `collectstatic`, as bench_field.py prepares them), SQLite in WAL mode or PostgreSQL;
- 50 simulated phones log in through the login form (GET for the CSRF cookie, POST of e-mail and
  password), like a volunteer at the start of an evening;
- front page: 50 concurrent anonymous clients GET `/` for `--seconds`;
- visit sync: the 50 phones each walk their route, posting every visit as soon as it is saved, the
  way the field app does when it is online (`POST /api/v1/field/sync/` with `{"visits": [visit]}`,
  the session cookie, the X-CSRFToken header, Origin); one visit in four is spoken, with a person
  block the questionnaire engine and the anti-profiling rules check; one post in 50 is a retry of the
  previous one (the phone never heard the answer), which must come back as `duplicate`.

In the first two phases every client is a closed loop without pause (the next request leaves when the
answer is in), so 50 requests are always in flight and the latency is what a queue of 50 does to 2
workers: at a throughput of X per second the mean wait is 50/X seconds, whatever the code does. A third
phase offers the goal's throughput on purpose, a quarter of the front page's rate, the 50 phones
pausing a random (exponential) while between visits, and shows the latency a phone sees at that rate.
The HTTP client is a small asyncio one speaking HTTP/1.0 with one connection per request, as nginx talks to
gunicorn by default. An error is any answer that is not 200 or whose JSON does not say what it should.
The last lines say which parts of the goal the run met.

`--probe` runs gunicorn with bench/load_probe.py, which times every request inside the worker (CPU,
SQL statements, the wait in SQLite's `BEGIN IMMEDIATE` for the write lock, COMMIT, opening and closing
the connection), and prints that per phase next to the client's latency: the difference is time spent
in the listen queue. Those figures depend far less on the machine's load than the throughput does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import benchdjango

BASE_DIR = Path(__file__).resolve().parent.parent
SQLITE_PATH = BASE_DIR / "var" / "bench" / "load.sqlite3"
GEMEENTE = "GM9997"
PASSWORD = "bench-load-wachtwoord-1"  # noqa: S105 - a benchmark account on a throw-away database
CANVASSES = 5
ROUTES_PER_CANVASS = 10
RETRY_EVERY = 50


# Data ---------------------------------------------------------------------------------------------


@dataclass
class Walker:
    email: str
    canvass: int
    stops: list[tuple[int, int]]  # (stop id, address id) in walking order


def build_world(volunteers: int) -> None:
    """Demodorp with 50 volunteers, 5 canvasses x 10 routes, one route per volunteer."""
    from django.contrib.auth.hashers import make_password

    from buurtonderzoek.accounts.models import Role
    from buurtonderzoek.accounts.tests.factories import GemeenteFactory, MembershipFactory, TeamFactory
    from buurtonderzoek.canvass.actions import CANVASS_QUESTIONNAIRE, assign_route_members, plan_canvass
    from buurtonderzoek.incidents.tests.fixtures import central_address, make_incident, make_streets
    from buurtonderzoek.questionnaires.models import QuestionnaireVersion
    from buurtonderzoek.questionnaires.standard import load_standard_questionnaires

    try:
        QuestionnaireVersion.objects.latest_published(CANVASS_QUESTIONNAIRE)
    except QuestionnaireVersion.DoesNotExist:
        load_standard_questionnaires()
    gemeente = GemeenteFactory.create(code=GEMEENTE, name="Demodorp")
    team = TeamFactory.create(name="Buurtpreventie Belasting", gemeente=gemeente)
    coordinator = MembershipFactory.create(user__email="coordinator@load.example.nl", role=Role.COORDINATOR, team=team)
    password = make_password(PASSWORD)  # one Argon2 hash for all: hashing 50 times adds nothing
    walkers = [
        MembershipFactory.create(user__email=f"loper{i:02d}@load.example.nl", role=Role.VOLUNTEER, team=team).user
        for i in range(volunteers)
    ]
    type(walkers[0]).objects.filter(pk__in=[w.pk for w in walkers]).update(password=password)
    make_streets(gemeente.code, half_size_m=260, flats=1)
    centre = central_address(gemeente.code)
    for c in range(CANVASSES):
        incident = make_incident(team, by=coordinator.user, address=centre)
        canvass = plan_canvass(incident, by=coordinator.user, route_count=ROUTES_PER_CANVASS, radius_m=150)
        for r, route in enumerate(canvass.routes.order_by("number")):
            assign_route_members(route, by=coordinator.user, members=[walkers[c * ROUTES_PER_CANVASS + r]])


def load_walkers() -> tuple[list[Walker], int]:
    from buurtonderzoek.canvass.actions import CANVASS_QUESTIONNAIRE
    from buurtonderzoek.canvass.models import Route
    from buurtonderzoek.questionnaires.models import QuestionnaireVersion

    walkers: list[Walker] = []
    for route in Route.objects.filter(canvass__incident__team__gemeente__code=GEMEENTE).prefetch_related("members"):
        stops = list(route.stops.order_by("order").values_list("pk", "address_id"))
        walkers.extend(Walker(m.email, route.canvass_id, stops) for m in route.members.all())
    version = QuestionnaireVersion.objects.latest_published(CANVASS_QUESTIONNAIRE)
    return sorted(walkers, key=lambda w: w.email), version.pk


def visit_count() -> int:
    from buurtonderzoek.canvass.models import DoorVisit

    return DoorVisit.objects.count()


# A tiny HTTP client ---------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def cookies(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, value in self.headers:
            if name == "set-cookie":
                key, _sep, rest = value.partition("=")
                out[key.strip()] = rest.split(";", 1)[0]
        return out


async def http(port: int, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> Answer:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        lines = [f"{method} {path} HTTP/1.0", f"Host: 127.0.0.1:{port}", f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()
        raw = await reader.read()
    finally:
        writer.close()
    head, _sep, content = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parsed = [(k.strip().lower(), v.strip()) for k, _s, v in (h.partition(":") for h in header_lines)]
    return Answer(int(status_line.split()[1]), parsed, content)


@dataclass
class Phone:
    walker: Walker
    cookies: dict[str, str] = field(default_factory=dict)
    position: int = 0
    last_body: bytes = b""

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


async def log_in(port: int, phone: Phone) -> None:
    # The login form allows 30 attempts a minute per address (allauth's limit) and all 50 phones share
    # 127.0.0.1: a phone that hears 429 waits and tries again, as a volunteer would.
    for _attempt in range(30):
        if await _log_in_once(port, phone):
            return
        await asyncio.sleep(5)
    raise RuntimeError(f"{phone.walker.email} could not log in")


async def _log_in_once(port: int, phone: Phone) -> bool:
    page = await http(port, "GET", "/accounts/login/", {})
    phone.cookies.update(page.cookies())
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    assert found, "no CSRF token on the login page"
    form = f"csrfmiddlewaretoken={found.group(1).decode()}&login={phone.walker.email}&password={PASSWORD}"
    answer = await http(
        port,
        "POST",
        "/accounts/login/",
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": phone.cookie_header(),
            "Origin": f"http://127.0.0.1:{port}",
        },
        form.encode(),
    )
    if answer.status == 429:
        return False
    phone.cookies.update(answer.cookies())  # the session, and the CSRF token Django rotates at login
    assert answer.status == 302 and "sessionid" in phone.cookies, (answer.status, answer.body[:500])
    return True


SPOKEN: dict[str, Any] = {}


def next_visit(phone: Phone, version: int) -> bytes:
    """The next door of the route, as the field app's outbox sends it (outbox.js `wire`)."""
    from django.utils import timezone

    walker = phone.walker
    stop, address = walker.stops[phone.position % len(walker.stops)]
    outcome = ("niet_thuis", "briefje", "wil_niet", "gesproken")[phone.position % 4]
    phone.position += 1
    visit: dict[str, Any] = {
        "client_uuid": str(uuid.uuid4()),
        "canvass": walker.canvass,
        "address": address,
        "stop": stop,
        "outcome": outcome,
        "visited_at": (timezone.now() - timedelta(seconds=5)).isoformat(),
    }
    if outcome == "gesproken":
        visit["answers"] = SPOKEN
        visit["questionnaire_version"] = version
    return json.dumps({"visits": [visit]}).encode()


@dataclass
class Figures:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    accepted: int = 0
    duplicates: int = 0
    seconds: float = 0.0
    window: tuple[float, float] = (0.0, 0.0)  # epoch seconds, to find the phase's requests in the probe

    def line(self, name: str) -> str:
        n = len(self.latencies)
        q = statistics.quantiles(self.latencies, n=100, method="inclusive") if n > 1 else [0.0] * 99
        return (
            f"| {name} | {n} | {n / self.seconds:.1f} | {q[49] * 1000:.0f} | {q[94] * 1000:.0f} | "
            f"{q[98] * 1000:.0f} | {max(self.latencies, default=0) * 1000:.0f} | {len(self.errors)} |"
        )

    def rate(self) -> float:
        return len(self.latencies) / self.seconds


async def closed_loop(clients: int, seconds: float, one: Callable[[int], Any], think: float = 0.0) -> Figures:
    """`clients` loops of request after request; with `think`, each waits a random (exponential) pause
    of that mean before its next request, as a volunteer walks to the next door."""
    figures = Figures()
    deadline = time.perf_counter() + seconds
    pauses = random.Random(14)

    async def client(i: int) -> None:
        while time.perf_counter() < deadline:
            if think:
                await asyncio.sleep(pauses.expovariate(1 / think))
                if time.perf_counter() >= deadline:  # a pause that ran past the end sends nothing
                    break
            start = time.perf_counter()
            problem = await one(i)
            figures.latencies.append(time.perf_counter() - start)
            if problem:
                figures.errors.append(problem)

    start, epoch = time.perf_counter(), time.time()
    await asyncio.gather(*(client(i) for i in range(clients)))
    figures.seconds = time.perf_counter() - start
    figures.window = (epoch, time.time())
    return figures


async def front_page(port: int, clients: int, seconds: float) -> Figures:
    async def one(_i: int) -> str | None:
        answer = await http(port, "GET", "/", {"Accept": "text/html", "Accept-Language": "nl"})
        return None if answer.status == 200 and b"</html>" in answer.body else f"front page {answer.status}"

    return await closed_loop(clients, seconds, one)


async def visit_sync(port: int, phones: list[Phone], seconds: float, version: int, think: float = 0.0) -> Figures:
    figures_box: list[Figures] = []
    posts = [0]

    async def one(i: int) -> str | None:
        phone = phones[i]
        posts[0] += 1
        retry = bool(phone.last_body) and posts[0] % RETRY_EVERY == 0
        body = phone.last_body if retry else next_visit(phone, version)
        phone.last_body = body
        answer = await http(
            port,
            "POST",
            "/api/v1/field/sync/",
            {
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Cookie": phone.cookie_header(),
                "X-CSRFToken": phone.cookies["csrftoken"],
                "Origin": f"http://127.0.0.1:{port}",
            },
            body,
        )
        if answer.status != 200:
            return f"sync {answer.status}: {answer.body[:300]!r}"
        data = json.loads(answer.body)
        expected = "duplicate" if retry else "accepted"
        if data["results"][0]["status"] != expected:
            return f"sync {expected} expected: {data['results'][0]}"
        figures = figures_box[0]
        if retry:
            figures.duplicates += 1
        else:
            figures.accepted += 1
        return None

    figures = Figures()
    figures_box.append(figures)
    measured = await closed_loop(len(phones), seconds, one, think)
    measured.accepted, measured.duplicates = figures.accepted, figures.duplicates
    return measured


# The server -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_gunicorn(
    env: dict[str, str], port: int, workers: int, threads: int, log: Any, probe: bool
) -> subprocess.Popen[bytes]:
    # The production settings (config/gunicorn.py: gthread workers), or the probe's, which loads them first.
    config = BASE_DIR / ("bench/load_probe.py" if probe else "config/gunicorn.py")
    # threads=1: gunicorn's sync workers, for comparison.
    worker_class = ["--worker-class", "sync"] if threads == 1 else []
    server = subprocess.Popen(  # noqa: S603 - our own application
        [sys.executable, "-m", "gunicorn", "--config", str(config), "config.wsgi:application",
         "--workers", str(workers), *worker_class,
         "--bind", f"127.0.0.1:{port}", "--backlog", "2048", "--log-level", "warning"],
        env={**env, "GUNICORN_THREADS": str(threads)}, cwd=BASE_DIR, stdout=log, stderr=log,
    )  # fmt: skip
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


async def run(port: int, walkers: list[Walker], version: int, seconds: float) -> tuple[Figures, Figures, Figures, int]:
    phones = [Phone(w) for w in walkers]
    start = time.perf_counter()
    await asyncio.gather(*(log_in(port, p) for p in phones))
    print(f"{len(phones)} phones logged in through the login form in {time.perf_counter() - start:.1f} s")
    # Warm both workers (templates, translations, the questionnaire schema) before anything is timed.
    await front_page(port, 8, 2.0)
    warm = await visit_sync(port, phones[:8], 2.0, version)
    front = await front_page(port, len(phones), seconds)
    sync = await visit_sync(port, phones, seconds, version)
    # The goal's throughput offered on purpose: a quarter of the front page's rate, the phones pausing
    # between visits so that this many arrive per second. Its latencies are what a phone waits when
    # the server is busy at that rate, not the queue of 50 requests always in flight above.
    paced = await visit_sync(port, phones, seconds, version, think=len(phones) / (0.25 * front.rate()))
    return front, sync, paced, warm.accepted + sync.accepted


SYNC = "/api/v1/field/sync/"


def print_probe(rows: list[dict[str, Any]], phases: list[tuple[str, Figures, str]]) -> None:
    """Server time against client time per phase, and where the server time went (load_probe.py)."""

    def q(values: list[float], p: int) -> float:
        return statistics.quantiles(values, n=100, method="inclusive")[p - 1] * 1000 if len(values) > 1 else 0.0

    print("\nInside the server (bench/load_probe.py), per request; ms")
    print(
        "| phase | requests | server p50 / p99 | client p50 / p99 | CPU mean | SQL statements, ms | "
        "BEGIN (lock wait) mean / p99 / max | COMMIT mean / max | connect + close mean / max |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, figures, path in phases:
        start, end = figures.window
        mine = [r for r in rows if start <= r["t"] <= end and r["path"] == path]
        if not mine:
            continue

        def ms(key: str, rows: list[dict[str, Any]] = mine) -> list[float]:
            return [r.get(key, 0.0) for r in rows]

        def mean(values: list[float]) -> float:
            return statistics.fmean(values) * 1000

        conn = [r.get("connect", 0.0) + r.get("close", 0.0) for r in mine]
        print(
            f"| {name} | {len(mine)} | {q(ms('wall'), 50):.1f} / {q(ms('wall'), 99):.1f} | "
            f"{q(figures.latencies, 50):.0f} / {q(figures.latencies, 99):.0f} | {mean(ms('cpu')):.1f} | "
            f"{statistics.fmean(ms('sql_n')):.1f}, {mean(ms('sql')):.1f} | "
            f"{mean(ms('begin')):.1f} / {q(ms('begin'), 99):.1f} / {max(ms('begin')) * 1000:.0f} | "
            f"{mean(ms('commit')):.1f} / {max(ms('commit')) * 1000:.0f} | "
            f"{mean(conn):.1f} / {max(conn) * 1000:.0f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fresh", action="store_true", help="start from an empty database")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--threads", type=int, default=4, help="threads per worker (config/gunicorn.py's gthread); 1: sync workers"
    )
    parser.add_argument(
        "--redis",
        metavar="URL",
        default="",
        help="the shared cache, as the production recipe has it (sessions read from it); emptied first",
    )
    parser.add_argument(
        "--probe", action="store_true", help="time each request inside the server (bench/load_probe.py) and print it"
    )
    args = parser.parse_args()
    postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    if args.fresh and not postgres:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    benchdjango.setup(SQLITE_PATH, FAST_PASSWORD_HASHING="0")  # noqa: S106 - real Argon2, not a password
    from django.core.management import call_command
    from django.db import connection

    if args.fresh and postgres:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)
    from buurtonderzoek.canvass.tests.test_field_support import SPOKEN_WITH_PERSON
    from buurtonderzoek.places.models import Gemeente

    SPOKEN.update(SPOKEN_WITH_PERSON)
    if not Gemeente.objects.filter(code=GEMEENTE).exists():
        start = time.perf_counter()
        build_world(args.clients)
        print(f"data built in {time.perf_counter() - start:.1f} s")
    walkers, version = load_walkers()
    walkers = walkers[: args.clients]
    before = visit_count()
    connection.close()

    from bench_field import production_env

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        env = production_env(tmp, SQLITE_PATH)
        env.update({"ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING", "FAST_PASSWORD_HASHING": "0"})
        if args.redis:
            import redis

            redis.Redis.from_url(args.redis).flushdb()
            env["REDIS_URL"] = args.redis
        if args.probe:
            env["LOAD_PROBE_DIR"] = str(tmp)
        port = free_port()
        log = (tmp / "gunicorn.log").open("w+", encoding="utf-8")
        server = start_gunicorn(env, port, args.workers, args.threads, log, args.probe)
        load_before = os.getloadavg()
        try:
            front, sync, paced, warm = asyncio.run(run(port, walkers, version, args.seconds))
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.seek(0)
            errors = [line for line in log.read().splitlines() if "Traceback" in line or "ERROR" in line]
        load_after = os.getloadavg()
        probed = [json.loads(line) for f in tmp.glob("*.jsonl") for line in f.read_text().splitlines()]

    stored = visit_count() - before
    engine = "PostgreSQL" if postgres else "SQLite (WAL)"
    print(
        f"\n{engine}{', Redis' if args.redis else ''}, gunicorn {args.workers} workers x {args.threads} threads, "
        f"{args.clients} concurrent clients, "
        f"{args.seconds:.0f} s per phase"
    )
    print(f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after (1 min)\n")
    print("| what | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |")
    print("|---|---|---|---|---|---|---|---|")
    print(front.line("front page `/` (anonymous)"))
    print(sync.line("visit sync, one visit per POST, no pause"))
    print(paced.line(f"visit sync offered at 0.25 x the front page ({0.25 * front.rate():.1f}/s)"))
    ratio = sync.rate() / front.rate()
    print(f"\nvisit sync / front page = {ratio:.2f}")
    p99 = [statistics.quantiles(f.latencies, n=100, method="inclusive")[98] * 1000 for f in (sync, paced)]
    errors_seen = len(front.errors + sync.errors + paced.errors)
    print(
        f"goal: ratio >= 0.25 {'met' if ratio >= 0.25 else 'NOT met'}; p99 < 500 ms with no pause "
        f"{'met' if p99[0] < 500 else 'NOT met'} ({p99[0]:.0f} ms), at the goal's rate "
        f"{'met' if p99[1] < 500 else 'NOT met'} ({p99[1]:.0f} ms); 0 errors {'met' if not errors_seen else 'NOT met'}"
    )
    print(
        f"visits accepted {sync.accepted + paced.accepted}, retries answered duplicate "
        f"{sync.duplicates + paced.duplicates}, new rows {stored}"
    )
    if args.probe:
        kept = BASE_DIR / "var" / "bench" / f"load_probe_{'postgres' if postgres else 'sqlite'}.jsonl"
        kept.write_text("".join(json.dumps(r) + "\n" for r in probed), encoding="utf-8")
        print_probe(probed, [("front page", front, "/"), ("sync, no pause", sync, SYNC), ("sync, paced", paced, SYNC)])
    for problem in (front.errors + sync.errors + paced.errors)[:5]:
        print("error:", problem)
    for line in errors[:5]:
        print("server log:", line)
    if stored != paced.accepted + warm:
        print(f"MISMATCH: {stored} rows stored for {paced.accepted + warm} accepted visits (warm-up included)")


if __name__ == "__main__":
    main()
