"""Demo data for the Communitymonitor: two finished waves with realistic, generated answers.

`seed_demo_monitor(gemeente, seed=1)` is called by the `demo` command. Each buurt gets a latent
safety profile (some buurten feel less safe, have more nuisance and less cohesion); between the two
waves the buurten with an active neighbourhood-watch team improve a little, so the comparison pages
have something to find, and the others drift by chance only. Answers are generated from the
questionnaire schema itself (`generate_answers`), so they stay valid whatever version is published,
and they are checked by the engine before they are stored. Idempotent: a second call returns the
existing waves.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from buurtonderzoek.accounts.models import Team
from buurtonderzoek.monitor import actions, aggregates, codes, indicators
from buurtonderzoek.monitor.models import (
    InvitationCode,
    PrintRun,
    Response,
    ResponseStatus,
    SampleMode,
    Source,
    Wave,
    WaveBuurt,
)
from buurtonderzoek.places.models import Buurt, Gemeente
from buurtonderzoek.questionnaires import engine
from buurtonderzoek.questionnaires.models import QuestionnaireVersion

MONITOR_SLUG = "communitymonitor"
CANVASS_SLUG = "buurtonderzoek"


@dataclass(frozen=True)
class Profile:
    """How a buurt tends to answer; numbers are on the scale of the answers."""

    unsafe_general: float = 0.35
    unsafe_buurt: float = 0.14
    often: float = 0.12  # of those who feel unsafe
    mark_safety: float = 7.2
    mark_liveability: float = 7.6
    cohesion: float = 6.4  # 0-10
    nuisance: float = 0.18  # chance an item is "vaak"
    victim: float = 1.0  # multiplier on national victimisation rates
    better: float = 0.12
    worse: float = 0.18
    watch_aware: float = 0.4
    watch_trust: float = 3.6


NATIONAL = Profile()
VICTIM_RATES = {"bike_theft": 0.07, "theft_from_car": 0.04, "burglary": 0.02, "vandalism": 0.06, "violence": 0.03}


def buurt_profile(rng: random.Random, *, improvement: float = 0.0) -> Profile:
    """A buurt around the national figures; `improvement` (0-1) makes it feel safer and closer."""
    z = rng.gauss(0, 1)  # higher z: less safe
    shift = improvement

    def p(base: float, scale: float) -> float:
        return min(0.95, max(0.02, base * math.exp(scale * z - 1.2 * shift)))

    return Profile(
        unsafe_general=p(0.35, 0.25),
        unsafe_buurt=p(0.14, 0.45),
        often=p(0.12, 0.3),
        mark_safety=min(9.0, max(5.0, 7.2 - 0.5 * z + 0.6 * shift)),
        mark_liveability=min(9.2, max(5.5, 7.6 - 0.4 * z + 0.3 * shift)),
        cohesion=min(8.5, max(4.0, 6.4 - 0.6 * z + 0.6 * shift)),
        nuisance=p(0.18, 0.4),
        victim=math.exp(0.3 * z - 0.4 * shift),
        better=min(0.6, max(0.03, 0.12 + 0.25 * shift - 0.03 * z)),
        worse=min(0.6, max(0.03, 0.18 + 0.05 * z - 0.1 * shift)),
        watch_aware=min(0.95, 0.25 + 0.55 * shift + 0.1 * rng.random()),
        watch_trust=min(4.8, 3.4 + 0.8 * shift),
    )


def _scale(rng: random.Random, centre: float, spread: float, low: int, high: int) -> int:
    return min(high, max(low, round(rng.gauss(centre, spread))))


def _pick(rng: random.Random, weights: dict[str, float], allowed: tuple[str, ...]) -> str:
    options = [(v, w) for v, w in weights.items() if v in allowed and w > 0]
    if not options:
        return rng.choice(allowed)
    total = sum(w for _v, w in options)
    roll = rng.random() * total
    for value, weight in options:
        roll -= weight
        if roll <= 0:
            return value
    return options[-1][0]


def generate_answers(schema: engine.SchemaLike, rng: random.Random, profile: Profile = NATIONAL) -> dict[str, Any]:
    """One plausible respondent for any monitor-like schema (valid for the engine)."""
    parsed = engine.as_schema(schema)
    answers: dict[str, Any] = {}
    latent_cohesion = min(10.0, max(0.0, rng.gauss(profile.cohesion, 1.6)))
    for q in parsed.iter_questions():
        if parsed.parents.get(q.id) or q.type == "note":
            continue
        if q.relevant is not None and not engine.evaluate(q.relevant, engine.clean(parsed, answers)):
            continue
        value = _answer(q, rng, profile, latent_cohesion, answers)
        if value is not None:
            answers[q.id] = value
    cleaned, errors = engine.check(parsed, answers)
    for path in errors:
        missing = parsed.questions.get(path.split(".", 1)[0])
        if missing is not None and missing.choices and missing.type == "single":
            cleaned[missing.id] = missing.choice_values[0]
    return engine.clean(parsed, cleaned)


def _answer(q: engine.Question, rng: random.Random, profile: Profile, cohesion: float, answers: dict[str, Any]) -> Any:
    meta = q.meta
    family = str(meta.get("indicator", ""))
    allowed = q.choice_values
    if family in ("unsafe_general", "unsafe_buurt"):
        chance = profile.unsafe_general if family == "unsafe_general" else profile.unsafe_buurt
        return "ja" if rng.random() < chance else "nee"
    if family.endswith("_frequency"):
        return _pick(rng, {"vaak": profile.often, "soms": 0.5, "zelden": 0.5 - profile.often}, allowed)
    if family == "mark_safety":
        return _scale(rng, profile.mark_safety, 1.3, int(q.min or 1), int(q.max or 10))
    if family == "mark_liveability":
        return _scale(rng, profile.mark_liveability, 1.1, int(q.min or 1), int(q.max or 10))
    if family == "buurt_change":
        weights = {"vooruit": profile.better, "achteruit": profile.worse, "weet_niet": 0.08}
        weights["gelijk"] = max(0.05, 1 - sum(weights.values()))
        return _pick(rng, weights, allowed)
    if meta.get("kind") == "scale":
        if rng.random() < 0.03:
            return None  # item non-response
        low, high = int(q.min or 1), int(q.max or 5)
        unit = min(1.0, max(0.0, rng.gauss(cohesion / 10.0, 0.18)))
        if meta.get("reversed"):
            unit = 1.0 - unit
        return round(low + unit * (high - low))
    if family == "nuisance":
        return _pick(rng, {"vaak": profile.nuisance, "soms": 0.35, "nooit": 0.65 - profile.nuisance}, allowed)
    if family == "nuisance_priority":
        often = [v for v in allowed if answers.get(f"nuisance_{v}") == "vaak"]
        return rng.choice(often) if often and rng.random() < 0.8 else _pick(rng, {"geen": 0.3}, allowed)
    if family == "victimisation":
        rate = VICTIM_RATES.get(str(meta.get("item", "")), 0.03) * profile.victim
        return "ja" if rng.random() < rate else "nee"
    if family == "reported":
        return "ja" if rng.random() < 0.45 else "nee"
    if family == "watch_aware":
        return _pick(rng, {"ja": profile.watch_aware, "nee": 0.3, "weet_niet": 0.7 - profile.watch_aware}, allowed)
    if family == "watch_trust":
        return _scale(rng, profile.watch_trust, 0.9, int(q.min or 1), int(q.max or 5))
    if family == "watch_join":
        return _pick(rng, {"ja": 0.08, "misschien": 0.25, "nee": 0.67}, allowed)
    if meta.get("weighting") == "age":
        # Older residents answer surveys more often than the young: what the weighting corrects.
        return _pick(rng, {"15_24": 0.06, "25_44": 0.22, "45_64": 0.36, "65_plus": 0.3, "liever_niet": 0.06}, allowed)
    if meta.get("weighting") == "sex":
        return _pick(rng, {"man": 0.43, "vrouw": 0.51, "anders": 0.01, "liever_niet": 0.05}, allowed)
    if q.type == "single" and allowed:
        return rng.choice(allowed) if q.required or rng.random() < 0.8 else None
    if q.type in ("scale", "number") and q.min is not None and q.max is not None:
        return rng.randint(int(q.min), int(q.max)) if q.required or rng.random() < 0.8 else None
    return None


def _fits(q: engine.Question, value: Any) -> bool:
    """Whether a monitor answer is also a valid answer to the (similar) canvass pulse question."""
    if q.type in ("scale", "number"):
        low = q.min if q.min is not None else -math.inf
        high = q.max if q.max is not None else math.inf
        return isinstance(value, int | float) and low <= value <= high
    return not q.choices or value in q.choice_values


SEASONS = {
    12: "Winter",
    1: "Winter",
    2: "Winter",
    3: "Voorjaar",
    4: "Voorjaar",
    5: "Voorjaar",
    6: "Zomer",
    7: "Zomer",
    8: "Zomer",
    9: "Najaar",
    10: "Najaar",
    11: "Najaar",
}


def _wave_dates(today: date) -> list[tuple[str, date, date]]:
    first_start = today - timedelta(days=420)
    second_start = today - timedelta(days=75)
    return [
        (f"{SEASONS[start.month]} {start:%Y}", start, start + timedelta(days=42))
        for start in (first_start, second_start)
    ]


# Shares of the Dutch population by CBS age band, and of men: for generated demo totals only.
DEMO_AGE_SHARES = {"age_0_14": 0.15, "age_15_24": 0.12, "age_25_44": 0.25, "age_45_64": 0.27, "age_65_plus": 0.21}
DEMO_MEN_SHARE = 0.495


def seed_demo_population(gemeente: Gemeente, *, seed: int = 1) -> int:
    """Generated CBS-like population totals for the demo town's buurten that have none (idempotent).

    The demo town is not in the CBS kerncijfers; these totals (about 2.1 inhabitants per address,
    Dutch age shares with some variation per buurt) make the monitor's weighting to population
    totals visible in the demo. A real gemeente loads them with `import_cbs_kerncijfers`.
    """
    from buurtonderzoek.places.models import Address, BuurtPopulation

    created = 0
    year = timezone.localdate().year - 1
    for buurt in Buurt.objects.filter(gemeente=gemeente, population__isnull=True).order_by("code"):
        rng = random.Random(f"{seed}-population-{buurt.code}")
        addresses = Address.objects.filter(buurt_code=buurt.code).count() or 200
        inhabitants = round(addresses * rng.uniform(1.8, 2.4))
        shares = {key: share * rng.uniform(0.8, 1.2) for key, share in DEMO_AGE_SHARES.items()}
        total = sum(shares.values())
        ages = {key: round(inhabitants * share / total) for key, share in shares.items()}
        men = round(inhabitants * DEMO_MEN_SHARE)
        BuurtPopulation.objects.create(
            buurt=buurt,
            year=year,
            inhabitants=sum(ages.values()),
            men=men,
            women=sum(ages.values()) - men,
            households=addresses,
            dwellings=addresses,
            **ages,
        )
        created += 1
    return created


def seed_demo_monitor(gemeente: Gemeente, *, seed: int = 1) -> list[Wave]:
    """Two completed waves with generated answers for all buurten of `gemeente` (idempotent)."""
    seed_demo_population(gemeente, seed=seed)
    existing = list(Wave.objects.filter(gemeente=gemeente, created_by__isnull=True).order_by("starts_on"))
    if len(existing) >= 2 and all(Response.objects.filter(wave=w).exists() for w in existing[-2:]):
        return existing[-2:]
    version = QuestionnaireVersion.objects.latest_published(MONITOR_SLUG)
    buurten = list(Buurt.objects.filter(gemeente=gemeente).order_by("code"))
    if not buurten:
        return []
    rng = random.Random(seed)
    watched = set(Team.objects.filter(gemeente=gemeente).values_list("buurten", flat=True))
    base = {b.pk: random.Random(f"{seed}-rate-{b.code}").random() for b in buurten}
    waves: list[Wave] = []
    with transaction.atomic():
        for index, (name, starts_on, ends_on) in enumerate(_wave_dates(timezone.localdate())):
            wave = Wave.objects.filter(gemeente=gemeente, name=name).first() or actions.create_wave(
                gemeente,
                by=None,
                name=name,
                starts_on=starts_on,
                ends_on=ends_on,
                version=version,
                buurten=buurten,
                target_per_buurt=100,
                public_link_enabled=index == 1,
            )
            waves.append(wave)
            if Response.objects.filter(wave=wave).exists():
                continue
            profiles = {}
            for buurt in buurten:
                buurt_rng = random.Random(f"{seed}-{buurt.code}")  # the same profile in every database
                improvement = 0.35 if (index == 1 and buurt.pk in watched) else 0.0
                profiles[buurt.pk] = buurt_profile(buurt_rng, improvement=improvement)
            fill_wave(wave, profiles, rng, response_rate=(0.26 + 0.1 * base[buurt.pk] for buurt in buurten))
            if index == 1:
                _add_public_and_pulse(wave, profiles, rng)
    return waves


def fill_wave(
    wave: Wave,
    profiles: dict[int, Profile],
    rng: random.Random,
    *,
    response_rate: Any = None,
    invited_per_buurt: int = 350,
    responses_per_buurt: int | None = None,
) -> int:
    """Issue codes (without letters) and store completed answers for every buurt of the wave."""
    schema = wave.version.parsed
    rates = iter(response_rate) if response_rate is not None else None
    run = PrintRun.objects.create(wave=wave, mode=SampleMode.SAMPLE, sample_size=invited_per_buurt)
    created = 0
    per_buurt: dict[str, int] = {}
    for wave_buurt in WaveBuurt.objects.filter(wave=wave).order_by("buurt__code"):
        invited = min(wave_buurt.households or invited_per_buurt, invited_per_buurt)
        rate = next(rates) if rates is not None else 0.3
        count = responses_per_buurt if responses_per_buurt is not None else round(invited * rate)
        invited = max(invited, count)
        hashes = [codes.hash_code(codes.new_code()) for _ in range(invited)]
        rows = InvitationCode.objects.bulk_create(
            [InvitationCode(wave=wave, buurt_id=wave_buurt.buurt_id, print_run=run, code_hash=h) for h in hashes],
            batch_size=2000,
        )
        wave_buurt.codes_issued += invited
        wave_buurt.save(update_fields=["codes_issued"])
        per_buurt[str(wave_buurt.buurt_id)] = invited
        profile = profiles.get(wave_buurt.buurt_id, NATIONAL)
        responses = []
        for invitation in rows[:count]:
            answers = generate_answers(schema, rng, profile)
            when = _moment(wave, rng)
            responses.append(
                Response(
                    wave=wave,
                    buurt_id=wave_buurt.buurt_id,
                    source=Source.INVITED,
                    version=wave.version,
                    invitation=invitation,
                    answers=answers,
                    scores=indicators.score(schema, answers),
                    status=ResponseStatus.COMPLETED,
                    started_at=when,
                    completed_at=when,
                )
            )
        Response.objects.bulk_create(responses, batch_size=1000)
        created += len(responses)
    run.letters = sum(per_buurt.values())
    run.per_buurt = per_buurt
    run.save(update_fields=["letters", "per_buurt"])
    aggregates.rebuild_cells(wave)
    return created


def _moment(wave: Wave, rng: random.Random) -> Any:
    days = (wave.ends_on - wave.starts_on).days
    day = wave.starts_on + timedelta(days=rng.randint(0, max(0, days)))
    return timezone.make_aware(datetime(day.year, day.month, day.day, rng.randint(8, 21), rng.randint(0, 59)))


def _add_public_and_pulse(wave: Wave, profiles: dict[int, Profile], rng: random.Random) -> None:
    """Some answers through the public link, and safety-pulse answers from door-to-door canvasses."""
    schema = wave.version.parsed
    rows = []
    buurt_ids = list(profiles)
    for _ in range(45):
        buurt_id = rng.choice(buurt_ids)
        answers = generate_answers(schema, rng, profiles[buurt_id])
        when = _moment(wave, rng)
        rows.append(
            Response(
                wave=wave,
                buurt_id=buurt_id,
                source=Source.PUBLIC,
                version=wave.version,
                answers=answers,
                scores=indicators.score(schema, answers),
                status=ResponseStatus.COMPLETED,
                started_at=when,
                completed_at=when,
            )
        )
    canvass = (
        QuestionnaireVersion.objects.published().filter(questionnaire__slug=CANVASS_SLUG).order_by("-number").first()
    )
    if canvass is not None:
        pulse_questions = [q for q in canvass.parsed.iter_questions() if isinstance(q.meta.get("indicator"), str)]
        for _ in range(30):
            buurt_id = rng.choice(buurt_ids)
            full = generate_answers(schema, rng, profiles[buurt_id])
            answers = {q.id: full[q.id] for q in pulse_questions if q.id in full and _fits(q, full[q.id])}
            scores = indicators.score(canvass.parsed, answers)
            if not scores:
                continue
            when = _moment(wave, rng)
            rows.append(
                Response(
                    wave=wave,
                    buurt_id=buurt_id,
                    source=Source.PULSE,
                    version=canvass,
                    answers=answers,
                    scores=scores,
                    status=ResponseStatus.COMPLETED,
                    started_at=when,
                    completed_at=when,
                )
            )
    with transaction.atomic():
        actions.place_pulse([row for row in rows if row.source == Source.PULSE])
        Response.objects.bulk_create(rows)
    aggregates.rebuild_cells(wave)
