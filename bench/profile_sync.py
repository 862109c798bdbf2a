"""Where a visit sync's server time goes: one visit per POST through the whole middleware stack, in process.

    .venv/bin/python bench/profile_sync.py            # CPU and queries per request, then the top functions
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bo_profile .venv/bin/python bench/profile_sync.py

The load benchmark (bench_load.py) measures what 50 phones see; its latency is mostly the listen queue in
front of two workers, so what decides it is the server's CPU per visit. This script measures exactly that,
without the client and the machine's load in the way: the same Demodorp world, the same visits (one in four
spoken with a person block, `bench_load.next_visit`), posted by logged-in volunteers through Django's test
client with CSRF checks on and production middleware, and the process's CPU time per request (on SQLite the
database works inside this process, so its time is included; on PostgreSQL it is not, and the wall time is
printed too). `--front` times the anonymous front page the same way, for the ratio.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

import benchdjango

SQLITE_PATH = Path(__file__).resolve().parent.parent / "var" / "bench" / "profile_sync.sqlite3"


def counting(statements: list[str]):  # type: ignore[no-untyped-def]
    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        statements.append(sql)
        return execute(sql, params, many, context)

    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions (cumulative)")
    parser.add_argument("--top", type=int, default=45)
    args = parser.parse_args()

    if SQLITE_PATH.exists():
        for suffix in ("", "-wal", "-shm", "-writelock"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    benchdjango.setup(SQLITE_PATH, DEBUG="0")

    import bench_load
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from buurtonderzoek.canvass.tests.test_field_support import SPOKEN_WITH_PERSON

    bench_load.SPOKEN.update(SPOKEN_WITH_PERSON)
    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    print("Demodorp: 50 volunteers, 5 canvasses x 10 routes ...", file=sys.stderr)
    bench_load.build_world(50)
    walkers, version = bench_load.load_walkers()

    from django.contrib.auth import get_user_model

    users = {u.email: u for u in get_user_model().objects.filter(email__in=[w.email for w in walkers])}
    phones = []
    for walker in walkers:
        client = Client(enforce_csrf_checks=True, HTTP_ORIGIN="http://testserver")
        client.force_login(users[walker.email])
        client.get("/veld/")  # the field app's page sets the CSRF cookie, as on a phone
        phones.append((client, bench_load.Phone(walker=walker)))

    def post(i: int) -> None:
        client, phone = phones[i % len(phones)]
        body = bench_load.next_visit(phone, version)
        answer = client.post(
            "/api/v1/field/sync/",
            body,
            content_type="application/json",
            HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
        )
        if answer.status_code != 200 or answer.json()["accepted"] != 1:
            raise SystemExit(f"visit refused: {answer.status_code} {answer.content[:300]!r}")

    anonymous = Client()

    def front(_i: int) -> None:
        if anonymous.get("/").status_code != 200:
            raise SystemExit("front page failed")

    for i in range(60):  # warm up: imports, the parsed questionnaire, URL resolver caches
        post(i)
        front(i)

    for name, one in (("visit sync, 1 visit per POST", post), ("front page /", front)):
        cpu: list[float] = []
        wall: list[float] = []
        statements: list[str] = []
        with connection.execute_wrapper(counting(statements)):
            for i in range(args.requests):
                c0, w0 = time.process_time(), time.perf_counter()
                one(i)
                cpu.append(time.process_time() - c0)
                wall.append(time.perf_counter() - w0)
        print(
            f"{name}: CPU median {statistics.median(cpu) * 1000:.2f} ms (mean {statistics.mean(cpu) * 1000:.2f}), "
            f"wall median {statistics.median(wall) * 1000:.2f} ms, "
            f"{len(statements) / args.requests:.1f} statements per request ({connection.vendor})"
        )
        if name.startswith("visit") and args.profile:
            for sql in statements[-24:]:
                print("   ", sql[:200])

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for i in range(args.requests):
            post(i)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
