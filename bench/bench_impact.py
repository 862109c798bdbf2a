"""Benchmark: the measured effect of an action and the buurtbeeld PDF (issue 10).

Goals: the effect over 2 waves, 50 buurten and 20,000 responses in <= 300 ms from the monitor's stored
aggregates; the buurtbeeld PDF for a gemeente of 50 buurten in <= 10 s of worker time.

    .venv/bin/python bench/bench_impact.py            # SQLite file var/bench_impact.sqlite3
    DATABASE_URL=postgres://... .venv/bin/python bench/bench_impact.py
    .venv/bin/python bench/bench_impact.py --fresh    # rebuild the data set

It builds (once) the gemeente Effectstad: 10 wijken of 5 buurten, 800 households per buurt, two closed
waves a year apart with 200 invited respondents per buurt each (20,000 completed responses with
generated, engine-valid answers; buurten in the first wijk improve in the second wave), a partner table
and an agreed action in the first wijk that ran between the waves with three pre-registered indicators.
Then it times `effect.measure` (median and p90 of repeated runs, queries counted) and the API's effect
endpoint, and renders the buurtbeeld PDF as the worker would. Figures are printed, not asserted: record
them in docs/performance.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR / "bench"))
import benchdjango  # noqa: E402

benchdjango.setup(BASE_DIR / "var" / "bench_impact.sqlite3")

from allauth.mfa.models import Authenticator  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from buurtonderzoek.accounts.models import Membership, PoliceUnit, Role, Team, User  # noqa: E402
from buurtonderzoek.impact import actions as impact_actions  # noqa: E402
from buurtonderzoek.impact import effect, pdf  # noqa: E402
from buurtonderzoek.impact.models import Action, PartnerTable  # noqa: E402
from buurtonderzoek.monitor import actions  # noqa: E402
from buurtonderzoek.monitor.demo import buurt_profile, fill_wave  # noqa: E402
from buurtonderzoek.monitor.models import Response, ResponseStatus, Source, Wave, WaveBuurt  # noqa: E402
from buurtonderzoek.places.models import Buurt, Gemeente, Wijk  # noqa: E402
from buurtonderzoek.questionnaires.models import QuestionnaireVersion  # noqa: E402
from buurtonderzoek.questionnaires.standard import load_standard_questionnaires  # noqa: E402

CODE = "GM9801"
WIJKEN, BUURTEN_PER_WIJK, PER_BUURT, HOUSEHOLDS = 10, 5, 200, 800
DOMAIN = "bench-impact.example.nl"


def _user(name: str, **membership: object) -> User:
    email = f"{name}@{DOMAIN}"
    user = User.objects.filter(email=email).first() or User.objects.create_user(email, "bench-wachtwoord-123")
    Membership.objects.get_or_create(user=user, **membership)  # type: ignore[arg-type]
    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "JBSWY3DPEHPK3PXP"}}
    )
    return user


def build(fresh: bool) -> Action:
    gemeente = Gemeente.objects.filter(code=CODE).first()
    have = Response.objects.filter(wave__gemeente=gemeente, source=Source.INVITED).count() if gemeente else 0
    if gemeente is not None and not fresh and have == 2 * WIJKEN * BUURTEN_PER_WIJK * PER_BUURT:
        action = Action.objects.filter(table__gemeente=gemeente).first()
        return action or build_action(gemeente)
    if gemeente is not None:
        Action.objects.filter(table__gemeente=gemeente).delete()
        PartnerTable.objects.filter(gemeente=gemeente).delete()
        Team.objects.filter(gemeente=gemeente).delete()
        Response.objects.filter(wave__gemeente=gemeente).delete()
        Wave.objects.filter(gemeente=gemeente).delete()
        Buurt.objects.filter(gemeente=gemeente).delete()
        Wijk.objects.filter(gemeente=gemeente).delete()
    started = time.perf_counter()
    gemeente, _ = Gemeente.objects.get_or_create(code=CODE, defaults={"name": "Effectstad"})
    buurten = []
    for w in range(WIJKEN):
        wijk = Wijk.objects.create(gemeente=gemeente, code=f"WK9801{w:02d}", name=f"Wijk {w + 1}")
        for b in range(BUURTEN_PER_WIJK):
            buurten.append(
                Buurt.objects.create(
                    gemeente=gemeente, wijk=wijk, code=f"BU9801{w:02d}{b:02d}", name=f"Buurt {w + 1}.{b + 1}"
                )
            )
    if not QuestionnaireVersion.objects.published().filter(questionnaire__slug="communitymonitor").exists():
        load_standard_questionnaires()
    version = QuestionnaireVersion.objects.latest_published("communitymonitor")
    rng = random.Random(2026)
    today = timezone.localdate()
    treated = {b.pk for b in buurten[:BUURTEN_PER_WIJK]}
    for index, starts_on in enumerate((today - timedelta(days=420), today - timedelta(days=60))):
        with transaction.atomic():
            wave = actions.create_wave(
                gemeente,
                by=None,
                name=f"Meting {index + 1}",
                starts_on=starts_on,
                ends_on=starts_on + timedelta(days=42),
                version=version,
                buurten=buurten,
                target_per_buurt=PER_BUURT,
            )
            WaveBuurt.objects.filter(wave=wave).update(households=HOUSEHOLDS)
            profiles = {
                b.pk: buurt_profile(random.Random(b.code), improvement=0.4 * index * (b.pk in treated)) for b in buurten
            }
            fill_wave(wave, profiles, rng, invited_per_buurt=350, responses_per_buurt=PER_BUURT)
        print(f"  wave {index + 1}/2 loaded ({time.perf_counter() - started:.0f} s)", flush=True)
    return build_action(gemeente)


def build_action(gemeente: Gemeente) -> Action:
    """A partner table and an action in the first wijk that ran between the two waves."""
    today = timezone.localdate()
    buurten = list(Buurt.objects.filter(gemeente=gemeente).order_by("code"))
    team = Team.objects.create(gemeente=gemeente, name="Buurtpreventie Wijk 1")
    team.buurten.set(buurten[:BUURTEN_PER_WIJK])
    unit, _ = PoliceUnit.objects.get_or_create(name="Basisteam Effectstad")
    unit.gemeenten.add(gemeente)
    officer = _user("gemeente", gemeente=gemeente, role=Role.MUNICIPAL)
    police = _user("politie", police_unit=unit, role=Role.POLICE)
    coordinator = _user("coordinator", team=team, role=Role.COORDINATOR)
    table = impact_actions.create_table(gemeente, by=officer, name="Driehoek Effectstad")
    impact_actions.add_member(table, by=officer, user=police, role="wijkagent")
    impact_actions.add_member(table, by=officer, user=coordinator, role="coördinator")
    action = impact_actions.propose_action(
        table,
        by=officer,
        title="Avondrondes in Wijk 1",
        buurten=buurten[:BUURTEN_PER_WIJK],
        problem="Onveiligheidsgevoel",
        plan="Rondes",
        starts_on=today - timedelta(days=370),
        ends_on=today - timedelta(days=90),
        effects=[
            {"kind": "indicator", "key": key, "direction": direction, "size": size}
            for key, direction, size in (
                ("unsafe_buurt", "down", 5),
                ("mark_safety", "up", 0.3),
                ("cohesion", "up", 0.3),
            )
        ],
    )
    for user in (officer, police, coordinator):
        impact_actions.check_triangle(
            action, by=user, worth="w", shows_how="s", value_score=4, quality_score=4, binding_score=4, agrees=True
        )
    for status in ("in_overleg", "afgesproken", "loopt"):
        impact_actions.transition_action(action, to=status, by=officer)
    return action


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="rebuild the data set")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    action = build(args.fresh)
    gemeente = action.table.gemeente
    responses = Response.objects.filter(wave__gemeente=gemeente, status=ResponseStatus.COMPLETED).count()
    print(
        f"data: {Buurt.objects.filter(gemeente=gemeente).count()} buurten, "
        f"{Wave.objects.filter(gemeente=gemeente).count()} waves, {responses} completed responses; "
        f"action in {action.buurten.count()} buurten with {action.expected_effects.count()} indicators"
    )

    def once() -> tuple[float, float]:
        fresh = Action.objects.select_related("table").get(pk=action.pk)  # nothing cached between runs
        started, cpu = time.perf_counter(), time.process_time()
        result = effect.measure(fresh)
        assert result.follow_up is not None and len(result.indicators) == 3
        return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000

    once()
    runs = [once() for _ in range(args.runs)]
    wall = sorted(r[0] for r in runs)
    cpu = [r[1] for r in runs]
    with CaptureQueriesContext(connection) as queries:
        result = effect.measure(Action.objects.select_related("table").get(pk=action.pk))
    print(
        f"effect.measure: median {statistics.median(wall):.0f} ms, p90 {wall[int(0.9 * (len(wall) - 1))]:.0f} ms "
        f"(CPU median {statistics.median(cpu):.0f} ms) over {len(wall)} runs; {len(queries)} queries"
    )
    for item in result.indicators:
        print(f"  {item.key}: {item.words}")

    started = time.perf_counter()
    effect.measure(Action.objects.select_related("table").get(pk=action.pk), with_process=False)
    print(f"  of which without the process figures: {(time.perf_counter() - started) * 1000:.0f} ms")

    client = Client()
    client.force_login(User.objects.get(email=f"gemeente@{DOMAIN}"))
    api = []
    for _ in range(5):
        started = time.perf_counter()
        response = client.get(f"/api/v1/impact/actions/{action.pk}/effect/")
        assert response.status_code == 200, response.status_code
        api.append((time.perf_counter() - started) * 1000)
    print(f"API effect endpoint: median {statistics.median(api):.0f} ms over {len(api)} calls")
    verdict = "MET" if statistics.median(wall) <= 300 else "NOT MET"
    print("goal: effect over 2 waves, 50 buurten, 20,000 responses <= 300 ms:", verdict)

    table = action.table
    started, cpu_start = time.perf_counter(), time.process_time()
    content = pdf.buurtbeeld_pdf(table)
    elapsed, cpu_used = time.perf_counter() - started, time.process_time() - cpu_start
    print(f"buurtbeeld PDF for 50 buurten: {elapsed:.1f} s wall, {cpu_used:.1f} s CPU, {len(content) // 1024} KiB")
    print("goal: buurtbeeld PDF for 50 buurten <= 10 s worker time:", "MET" if cpu_used <= 10 else "NOT MET")


if __name__ == "__main__":
    main()
