"""Benchmark: the national address base (issue "Places"), on SQLite and PostgreSQL.

Goals: import 9.9 million addresses from the CSV format and from a bag-light GeoPackage at
>= 60,000 addresses per second with the importing process under 1 GB; a radius query of 150 m and
300 m over those addresses in a median <= 2 ms, at dense (city centre) and sparse points.

    .venv/bin/python bench/bench_places.py                  # everything below, in order
    .venv/bin/python bench/bench_places.py generate         # var/bench/national.{csv,gpkg}, 9.9M addresses
    .venv/bin/python bench/bench_places.py import --db sqlite --source csv [--again]
    .venv/bin/python bench/bench_places.py query --db postgres

Each import runs in a fresh process on a fresh database (SQLite: var/bench/places.sqlite3;
PostgreSQL: database bo_bench on 127.0.0.1, user postgres), so its peak RSS is its own. `--again`
imports the same file a second time into the filled database (the idempotent re-run: nothing
changes). The query run picks random addresses in the 20 densest and the 200 sparsest PC4 areas of
the generator's plan, warms up once, then times `ids_within_radius` (the index-only fast path) and
`addresses_within_radius` (model instances in walking order) per point. Figures are printed and
appended to var/bench/places-results.jsonl; docs/performance.md records them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
OUT = BASE_DIR / "var" / "bench"
CSV = OUT / "national.csv"
GPKG = OUT / "national.gpkg"
SQLITE = OUT / "places.sqlite3"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgres://postgres@127.0.0.1:5432/bo_bench"
COUNT = 9_900_000
RESULTS = OUT / "places-results.jsonl"


def _django(db: str) -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if db == "postgres":
        os.environ["DATABASE_URL"] = PG_URL
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["SQLITE_PATH"] = str(SQLITE)
    import django

    django.setup()


def _fresh_database(db: str) -> None:
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS bo_bench WITH (FORCE)")
        admin.execute("CREATE DATABASE bo_bench")


def _record(figures: dict[str, Any]) -> None:
    figures["load_average"] = [round(v, 1) for v in os.getloadavg()]
    figures["at"] = time.strftime("%Y-%m-%d %H:%M:%S")
    OUT.mkdir(parents=True, exist_ok=True)
    with open(RESULTS, "a", encoding="utf-8") as f:
        f.write(json.dumps(figures) + "\n")


def cmd_generate(count: int) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 (our own manage.py with fixed arguments)
        [
            *(sys.executable, str(BASE_DIR / "manage.py"), "generate_national"),
            *("--count", str(count), "--seed", "1", "--out", str(CSV), "--gpkg", str(GPKG)),
        ],
        check=True,
        env={**os.environ, "SECRET_KEY": "bench-only-secret-key", "DEBUG": "1"},
    )
    seconds = time.perf_counter() - started
    print(
        f"generate: {count:,} addresses in {seconds:.0f} s -> {CSV.name} ({CSV.stat().st_size / 1e9:.2f} GB), "
        f"{GPKG.name} ({GPKG.stat().st_size / 1e9:.2f} GB)"
    )
    _record({"step": "generate", "count": count, "seconds": round(seconds, 1)})


def cmd_import(db: str, source: str, again: bool) -> None:
    if not again:
        _fresh_database(db)
    _django(db)
    from django.core.management import call_command

    from buurtonderzoek.places.importers.csvsource import CsvAddressSource
    from buurtonderzoek.places.importers.gpkg import GpkgAddressSource
    from buurtonderzoek.places.importers.loader import load_addresses

    if not again:
        call_command("migrate", verbosity=0)
    path = CSV if source == "csv" else GPKG
    src = CsvAddressSource(path) if source == "csv" else GpkgAddressSource(path)
    load_before = os.getloadavg()[0]
    cpu_before = time.process_time()
    result = load_addresses(src, progress=sys.stderr.isatty())
    cpu = time.process_time() - cpu_before
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"import {source:4} -> {db:8} {'(again)' if again else '':8}: {result.read:,} addresses in "
        f"{result.seconds:.1f} s = {result.per_second:,.0f}/s ({result.path}; {result.created:,} new, "
        f"{result.updated:,} changed, {result.unchanged:,} unchanged); peak RSS {rss_mb:.0f} MB; "
        f"CPU of this process {cpu:.0f} s; load average {load_before:.1f} -> {os.getloadavg()[0]:.1f}"
    )
    print("  phases: " + ", ".join(f"{k} {v:.1f} s" for k, v in result.phases.items()))
    _record(
        {
            "step": "import",
            "db": db,
            "source": source,
            "again": again,
            "read": result.read,
            "seconds": round(result.seconds, 1),
            "per_second": round(result.per_second),
            "path": result.path,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "peak_rss_mb": round(rss_mb),
            "cpu_seconds": round(cpu),
            "phases": {k: round(v, 1) for k, v in result.phases.items()},
        }
    )


def _sample_points(pc4s: list[str], n: int, rng: random.Random) -> list[tuple[int, int]]:
    from buurtonderzoek.places.models import Address

    points: list[tuple[int, int]] = []
    for pc4 in pc4s:
        upper = f"{int(pc4) + 1:04d}"
        rows = list(Address.objects.filter(postcode__gte=pc4, postcode__lt=upper).values_list("x", "y")[:3000])
        points.extend(rows)
    rng.shuffle(points)
    return points[:n]


def _time(fn: Any, points: list[tuple[int, int]], radius: int) -> tuple[list[float], list[int]]:
    times: list[float] = []
    counts: list[int] = []
    for x, y in points:
        started = time.perf_counter_ns()
        found = fn(x, y, radius)
        times.append((time.perf_counter_ns() - started) / 1e6)
        counts.append(len(found))
    return times, counts


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def cmd_query(db: str, n: int) -> None:
    _django(db)
    from buurtonderzoek.places.generators.national import load_centroids, plan
    from buurtonderzoek.places.models import Address
    from buurtonderzoek.places.queries import addresses_within_radius, ids_within_radius

    total = Address.objects.count()
    plans = plan(COUNT, 1, load_centroids())
    by_density = sorted(plans, key=lambda p: p.share / p.radius**2, reverse=True)
    rng = random.Random(42)
    classes = {
        "dense": _sample_points([p.pc4 for p in by_density[:20]], n, rng),
        "sparse": _sample_points([p.pc4 for p in by_density[-200:]], n, rng),
    }
    print(f"query on {db}: {total:,} addresses; {n} random addresses per class as centres")
    for label, points in classes.items():
        for radius in (150, 300):
            _time(ids_within_radius, points, radius)  # warm-up: the same pages, now cached
            times, counts = _time(ids_within_radius, points, radius)
            full_times, _c = _time(addresses_within_radius, points[: max(50, n // 5)], radius)
            figures = {
                "median_ms": round(statistics.median(times), 3),
                "p95_ms": round(_pct(times, 0.95), 3),
                "max_ms": round(max(times), 3),
                "mean_found": round(statistics.mean(counts)),
                "max_found": max(counts),
                "full_median_ms": round(statistics.median(full_times), 2),
                "full_p95_ms": round(_pct(full_times, 0.95), 2),
            }
            print(
                f"  {label:6} r={radius:3} m: ids median {figures['median_ms']:.2f} ms, "
                f"p95 {figures['p95_ms']:.2f} ms, "
                f"max {figures['max_ms']:.1f} ms; {figures['mean_found']} addresses on average "
                f"(max {figures['max_found']}); as sorted Address objects: median {figures['full_median_ms']:.1f} ms, "
                f"p95 {figures['full_p95_ms']:.1f} ms"
            )
            _record({"step": "query", "db": db, "class": label, "radius": radius, "points": len(points), **figures})


def _child(*args: str) -> None:
    subprocess.run([sys.executable, __file__, *args], check=True)  # noqa: S603 (this script, fixed arguments)


def cmd_all(n: int) -> None:
    if not (CSV.exists() and GPKG.exists()):
        cmd_generate(COUNT)
    for db in ("sqlite", "postgres"):
        _child("import", "--db", db, "--source", "csv")
        _child("import", "--db", db, "--source", "gpkg")
        _child("query", "--db", db, "--points", str(n))
        _child("import", "--db", db, "--source", "csv", "--again")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="step")
    gen = sub.add_parser("generate")
    gen.add_argument("--count", type=int, default=COUNT)
    imp = sub.add_parser("import")
    imp.add_argument("--db", choices=("sqlite", "postgres"), required=True)
    imp.add_argument("--source", choices=("csv", "gpkg"), required=True)
    imp.add_argument("--again", action="store_true", help="import into the filled database (idempotent re-run)")
    qry = sub.add_parser("query")
    qry.add_argument("--db", choices=("sqlite", "postgres"), required=True)
    qry.add_argument("--points", type=int, default=1000)
    every = sub.add_parser("all")
    every.add_argument("--points", type=int, default=1000)
    args = parser.parse_args()
    if args.step == "generate":
        cmd_generate(args.count)
    elif args.step == "import":
        cmd_import(args.db, args.source, args.again)
    elif args.step == "query":
        cmd_query(args.db, args.points)
    else:
        cmd_all(getattr(args, "points", 1000))


if __name__ == "__main__":
    main()
