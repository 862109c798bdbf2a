"""Benchmark: the Communitymonitor results page for a gemeente with 50 buurten, 4 waves, 20,000 responses.

Goal (issue 5): the page renders in <= 500 ms with a constant number of queries.

    .venv/bin/python bench/bench_monitor.py            # SQLite file var/bench_monitor.sqlite3
    DATABASE_URL=postgres://... .venv/bin/python bench/bench_monitor.py
    .venv/bin/python bench/bench_monitor.py --fresh    # rebuild the data set

It builds (once) the gemeente Benchstad: 10 wijken of 5 buurten, 800 households per buurt, four
finished waves over the standard monitor questionnaire, 100 invited respondents per buurt per wave
(20,000 completed responses with generated, engine-valid answers), plus some public-link answers.
Then it renders the results page through Django's test client as the municipal officer: a first
render, then the median and 90th percentile of several renders for different indicators, and the
number of queries for a small and the full data set. Figures are printed, not asserted: record them
in docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR / "bench"))
import benchdjango  # noqa: E402

benchdjango.setup(BASE_DIR / "var" / "bench_monitor.sqlite3")

from allauth.mfa.models import Authenticator  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from buurtonderzoek.accounts.models import Membership, Role, User  # noqa: E402
from buurtonderzoek.monitor import actions, aggregates, indicators  # noqa: E402
from buurtonderzoek.monitor.demo import buurt_profile, fill_wave, generate_answers  # noqa: E402
from buurtonderzoek.monitor.models import (  # noqa: E402
    Response,
    ResponseStatus,
    ResultCell,
    Source,
    Wave,
    WaveBuurt,
)
from buurtonderzoek.places.models import Buurt, BuurtPopulation, Gemeente, Wijk  # noqa: E402
from buurtonderzoek.questionnaires.models import QuestionnaireVersion  # noqa: E402
from buurtonderzoek.questionnaires.standard import load_standard_questionnaires  # noqa: E402

CODE = "GM9800"
WIJKEN, BUURTEN_PER_WIJK, WAVES, PER_BUURT, HOUSEHOLDS = 10, 5, 4, 100, 800
OFFICER = "bench-officer@example.nl"


def build(fresh: bool) -> Gemeente:
    gemeente = Gemeente.objects.filter(code=CODE).first()
    expected = WIJKEN * BUURTEN_PER_WIJK * WAVES * PER_BUURT
    if gemeente is not None and not fresh:
        have = Response.objects.filter(wave__gemeente=gemeente, source=Source.INVITED).count()
        if have == expected:
            return gemeente
    if gemeente is not None:
        Response.objects.filter(wave__gemeente=gemeente).delete()
        Wave.objects.filter(gemeente=gemeente).delete()
        Buurt.objects.filter(gemeente=gemeente).delete()
        Wijk.objects.filter(gemeente=gemeente).delete()
    started = time.perf_counter()
    gemeente, _ = Gemeente.objects.get_or_create(code=CODE, defaults={"name": "Benchstad"})
    buurten = []
    for w in range(WIJKEN):
        wijk = Wijk.objects.create(gemeente=gemeente, code=f"WK9800{w:02d}", name=f"Wijk {w + 1}")
        for b in range(BUURTEN_PER_WIJK):
            lon, lat = 5.0 + 0.01 * w, 52.0 + 0.01 * b
            square = [[lon, lat], [lon + 0.009, lat], [lon + 0.009, lat + 0.009], [lon, lat + 0.009], [lon, lat]]
            buurten.append(
                Buurt.objects.create(
                    gemeente=gemeente,
                    wijk=wijk,
                    code=f"BU9800{w:02d}{b:02d}",
                    name=f"Buurt {w + 1}.{b + 1}",
                    boundary={"type": "Polygon", "coordinates": [square]},
                )
            )
    if not QuestionnaireVersion.objects.published().filter(questionnaire__slug="communitymonitor").exists():
        load_standard_questionnaires()
    version = QuestionnaireVersion.objects.latest_published("communitymonitor")
    rng = random.Random(2026)
    start = date(2022, 10, 1)
    for index in range(WAVES):
        starts_on = start + timedelta(days=365 * index)
        with transaction.atomic():
            wave = actions.create_wave(
                gemeente,
                by=None,
                name=f"Najaar {starts_on.year}",
                starts_on=starts_on,
                ends_on=starts_on + timedelta(days=42),
                version=version,
                buurten=buurten,
                target_per_buurt=PER_BUURT,
            )
            WaveBuurt.objects.filter(wave=wave).update(households=HOUSEHOLDS)
            profiles = {
                b.pk: buurt_profile(random.Random(f"{b.code}-{index}"), improvement=0.1 * index) for b in buurten
            }
            fill_wave(wave, profiles, rng, invited_per_buurt=350, responses_per_buurt=PER_BUURT)
            _public(wave, buurten, rng)
        print(f"  wave {index + 1}/{WAVES} loaded ({time.perf_counter() - started:.0f} s)", flush=True)
    return gemeente


def _public(wave: Wave, buurten: list[Buurt], rng: random.Random) -> None:
    """Answers through the public link, kept apart from the invited sample (and shown apart)."""
    schema = wave.version.parsed
    now = timezone.now()
    rows = []
    for _ in range(150):
        answers = generate_answers(schema, rng)
        rows.append(
            Response(
                wave=wave,
                buurt=rng.choice(buurten),
                source=Source.PUBLIC,
                version=wave.version,
                answers=answers,
                scores=indicators.score(schema, answers),
                status=ResponseStatus.COMPLETED,
                started_at=now,
                completed_at=now,
            )
        )
    Response.objects.bulk_create(rows)
    aggregates.rebuild_cells(wave)


def officer_client(gemeente: Gemeente) -> Client:
    user = User.objects.filter(email=OFFICER).first() or User.objects.create_user(OFFICER, "bench-wachtwoord-123")
    Membership.objects.get_or_create(user=user, gemeente=gemeente, defaults={"role": Role.MUNICIPAL})
    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "JBSWY3DPEHPK3PXP"}}
    )
    client = Client()
    client.force_login(user)
    return client


def timed(client: Client, url: str) -> float:
    return timed_both(client, url)[0]


def timed_both(client: Client, url: str) -> tuple[float, float]:
    """Wall-clock and CPU milliseconds of one request (the test client runs in this process)."""
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    elapsed, cpu_ms = (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, cpu_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="rebuild the data set")
    parser.add_argument("--renders", type=int, default=15)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    gemeente = build(args.fresh)
    responses = Response.objects.filter(wave__gemeente=gemeente, status=ResponseStatus.COMPLETED).count()
    print(
        f"data: {Buurt.objects.filter(gemeente=gemeente).count()} buurten, "
        f"{Wave.objects.filter(gemeente=gemeente).count()} waves, {responses} completed responses"
    )

    client = officer_client(gemeente)
    url = f"/monitor/{CODE}/"
    first = timed(client, url)
    keys = ["unsafe_buurt", "mark_safety", "cohesion_vm2021", "nuisance_speeding", "victimisation_burglary"]
    load_before = os.getloadavg()[0]
    measured = [timed_both(client, f"{url}?indicator={keys[i % len(keys)]}") for i in range(args.renders)]
    times = [wall for wall, _cpu in measured]
    cpu_times = [cpu for _wall, cpu in measured]
    with CaptureQueriesContext(connection) as queries:
        client.get(url + "?indicator=mark_safety")
    median = statistics.median(times)
    p90 = sorted(times)[int(0.9 * (len(times) - 1))]
    print(
        f"results page: first render {first:.0f} ms; median {median:.0f} ms, p90 {p90:.0f} ms "
        f"over {len(times)} renders; {len(queries)} queries"
    )
    print(
        f"  CPU time per render: median {statistics.median(cpu_times):.0f} ms "
        f"(load average {load_before:.1f} on {os.cpu_count()} CPUs; wall time grows with other work on the machine)"
    )
    # The shared cache (monitor/cache.py): the renders above reuse one computed results object; without
    # it every render loads and computes again. Cleared before each render here, as after a new response.
    cold = []
    for i in range(args.renders):
        cache.clear()
        cold.append(timed_both(client, f"{url}?indicator={keys[i % len(keys)]}"))
    cache.clear()
    with CaptureQueriesContext(connection) as cold_queries:
        client.get(url + "?indicator=mark_safety")
    cold_wall, cold_cpu = statistics.median(w for w, _c in cold), statistics.median(c for _w, c in cold)
    print(
        f"  without the cached results (cleared before each render): median {cold_wall:.0f} ms wall, "
        f"{cold_cpu:.0f} ms CPU; {len(cold_queries)} queries"
    )
    small_client = officer_client(gemeente)
    one = Wave.objects.filter(gemeente=gemeente).order_by("starts_on").first()
    assert one is not None
    with CaptureQueriesContext(connection) as one_wave:
        small_client.get(f"{url}?wave={one.pk}&indicator=cohesion_vm2021")
    print(f"  queries for another wave and indicator: {len(one_wave)} (constant: independent of data size)")

    # Query count must not grow with the data: compare with a wave of its own.
    small = Wave.objects.filter(gemeente=gemeente).order_by("starts_on").first()
    assert small is not None
    with CaptureQueriesContext(connection) as wave_queries:
        client.get(f"/monitor/meetronde/{small.pk}/")
    print(f"wave page: {len(wave_queries)} queries")

    for name, path in (("CSV export", "resultaten.csv"), ("XLSX export", "resultaten.xlsx")):
        print(f"{name}: {timed(client, url + path):.0f} ms")
    latest = Wave.objects.filter(gemeente=gemeente).order_by("-starts_on").first()
    assert latest is not None
    started = time.perf_counter()
    aggregates.rebuild_cells(latest)
    print(
        f"rebuild of one wave's cells (one pass over 5,000 responses): {(time.perf_counter() - started) * 1000:.0f} ms"
    )
    verdict = "MET" if median <= 500 else f"NOT MET in wall time (CPU median {statistics.median(cpu_times):.0f} ms)"
    print("goal: results page <= 500 ms with a constant number of queries:", verdict)
    weighting_figures(client, gemeente, url, args.renders)


def weighting_figures(client: Client, gemeente: Gemeente, url: str, renders: int) -> None:
    """The same page with CBS population totals loaded: the first view weighs every closed wave's
    answers once (raking per buurt) and keeps the result in the cells; later views read the cells."""
    buurten = list(Buurt.objects.filter(gemeente=gemeente))
    BuurtPopulation.objects.filter(buurt__in=buurten).delete()
    ages = {"age_0_14": 270, "age_15_24": 220, "age_25_44": 450, "age_45_64": 480, "age_65_plus": 380}
    BuurtPopulation.objects.bulk_create(
        BuurtPopulation(buurt=b, year=2024, inhabitants=1800, men=890, women=910, households=HOUSEHOLDS, **ages)
        for b in buurten
    )
    try:
        connection.queries_log.clear()  # a full log (9,000 entries) would hide the queries counted below
        cache.clear()  # measure the computation, not the shared cache's copy (monitor/cache.py)
        started = time.perf_counter()
        cpu = time.process_time()
        with CaptureQueriesContext(connection) as first_queries:
            client.get(url)
        first = (time.perf_counter() - started) * 1000
        first_cpu = (time.process_time() - cpu) * 1000
        measured = []
        for _ in range(renders):
            cache.clear()  # every render computes the figures again, reading the weighting from the cells
            measured.append(timed_both(client, f"{url}?indicator=unsafe_buurt"))
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(url + "?indicator=mark_safety")
        print(
            f"with CBS totals (raking in {len(buurten)} buurten x {WAVES} waves): first view {first:.0f} ms "
            f"({first_cpu:.0f} ms CPU, {len(first_queries)} queries: weighs and stores every closed wave once); "
            f"then, without the shared cache's copy, median {statistics.median(w for w, _c in measured):.0f} ms wall, "
            f"{statistics.median(c for _w, c in measured):.0f} ms CPU, {len(queries)} queries"
        )
    finally:  # leave the data set as it was, so the next run measures the unweighted page again
        BuurtPopulation.objects.filter(buurt__in=buurten).delete()
        ResultCell.objects.filter(wave__gemeente=gemeente).update(weighted={})


if __name__ == "__main__":
    main()
