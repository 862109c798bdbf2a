"""Monitor fixtures on top of the shared personas (conftest.py at the root).

Demodorp gets two wijken with three buurten each and a few dozen addresses per buurt; `wave` is a
running wave over all six with the standard monitor questionnaire. `answer` completes a response
through the real actions; `fill` bulk-loads generated responses for statistics-heavy tests.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.db.models import F
from django.utils import timezone

from buurtonderzoek.accounts.tests.factories import BuurtFactory, WijkFactory
from buurtonderzoek.monitor import actions, codes
from buurtonderzoek.monitor.demo import NATIONAL, Profile, fill_wave, generate_answers
from buurtonderzoek.monitor.models import InvitationCode, PrintRun, Response, SampleMode, Wave
from buurtonderzoek.places.models import Address, Buurt
from buurtonderzoek.questionnaires.models import QuestionnaireVersion
from buurtonderzoek.questionnaires.standard import load_standard_questionnaires
from conftest import World

ADDRESSES_PER_BUURT = 40


@dataclass
class MonitorWorld:
    world: World
    buurten: list[Buurt]
    version: QuestionnaireVersion
    wave: Wave


def give_totp(user: Any) -> None:
    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "JBSWY3DPEHPK3PXP"}}
    )


def make_addresses(buurt: Buurt, count: int, *, start: int = 1) -> None:
    Address.objects.bulk_create(
        Address(
            nummeraanduiding_id=f"{buurt.pk:06d}{n:010d}",
            street=f"{buurt.name}straat",
            huisnummer=n,
            postcode=f"9{buurt.pk % 1000:03d}AB",
            woonplaats="Demodorp",
            gemeente_code=buurt.gemeente.code,
            buurt_code=buurt.code,
            x=150_000 + n,
            y=450_000 + buurt.pk,
            lat=52.0,
            lon=5.0,
            grid_x=1500,
        )
        for n in range(start, start + count)
    )


@pytest.fixture
def version(db: None) -> QuestionnaireVersion:
    # A transactional test before this one flushed the data migration's rows: load them again.
    if not QuestionnaireVersion.objects.published().filter(questionnaire__slug="communitymonitor").exists():
        load_standard_questionnaires()
    return QuestionnaireVersion.objects.latest_published("communitymonitor")


@pytest.fixture
def mworld(world: World, version: QuestionnaireVersion) -> MonitorWorld:
    buurten = []
    for w in range(2):
        wijk = WijkFactory.create(gemeente=world.gemeente, name=f"Wijk {'AB'[w]}")
        for b in range(3):
            buurt = BuurtFactory.create(wijk=wijk, name=f"Buurt {'AB'[w]}{b + 1}")
            make_addresses(buurt, ADDRESSES_PER_BUURT)
            buurten.append(buurt)
    world.team.buurten.add(buurten[0])
    today = timezone.localdate()
    wave = actions.create_wave(
        world.gemeente,
        by=world.gert,
        name="Voorjaar",
        starts_on=today - timedelta(days=3),
        ends_on=today + timedelta(days=30),
        version=version,
        buurten=buurten,
        target_per_buurt=20,
        public_link_enabled=True,
    )
    give_totp(world.gert)
    return MonitorWorld(world, buurten, version, wave)


def close_wave(wave: Wave, *, days_ago: int = 1) -> Wave:
    """Let the wave's period pass (as time would; actions refuse to move a closed wave's dates)."""
    today = timezone.localdate()
    Wave.objects.filter(pk=wave.pk).update(
        starts_on=today - timedelta(days=days_ago + 40), ends_on=today - timedelta(days=days_ago)
    )
    wave.refresh_from_db()
    return wave


def issue_codes(wave: Wave, buurt: Buurt, count: int) -> list[str]:
    """Codes for tests, stored the way a print run stores them (hash only)."""
    run = PrintRun.objects.create(wave=wave, mode=SampleMode.ALL, letters=count)
    plain = [codes.new_code() for _ in range(count)]
    InvitationCode.objects.bulk_create(
        InvitationCode(wave=wave, buurt=buurt, print_run=run, code_hash=codes.hash_code(c)) for c in plain
    )
    wave.wave_buurten.filter(buurt=buurt).update(codes_issued=F("codes_issued") + count)
    return plain


@pytest.fixture
def answer(version: QuestionnaireVersion) -> Callable[..., Response]:
    """Complete one response for a code through the actions, with generated valid answers."""

    def complete(code: str, *, profile: Profile = NATIONAL, seed: int = 0, **overrides: Any) -> Response:
        response = actions.claim_code(code)
        answers = generate_answers(response.version.parsed, random.Random(seed), profile)
        answers.update(overrides)
        for section in response.version.parsed.sections:
            own = {q.id: answers[q.id] for q in section.questions if q.id in answers}
            response = actions.save_section(response, section.id, own)
        return actions.complete_response(response)

    return complete


@pytest.fixture
def fill() -> Callable[..., int]:
    def load(
        wave: Wave, per_buurt: dict[int, int], *, seed: int = 1, profiles: dict[int, Profile] | None = None
    ) -> int:
        """Bulk-load completed invited responses: buurt pk -> number of respondents."""
        rng = random.Random(seed)
        total = 0
        for buurt_id, count in per_buurt.items():
            total += _fill_one(wave, buurt_id, count, rng, (profiles or {}).get(buurt_id, NATIONAL))
        return total

    return load


def _fill_one(wave: Wave, buurt_id: int, count: int, rng: random.Random, profile: Profile) -> int:
    from buurtonderzoek.monitor import aggregates, indicators
    from buurtonderzoek.monitor.models import ResponseStatus, Source

    buurt = Buurt.objects.get(pk=buurt_id)
    plain = issue_codes(wave, buurt, count)
    rows = InvitationCode.objects.filter(code_hash__in=[codes.hash_code(c) for c in plain])
    schema = wave.version.parsed
    now = timezone.now()
    responses = []
    for invitation in rows:
        answers = generate_answers(schema, rng, profile)
        responses.append(
            Response(
                wave=wave,
                buurt_id=buurt_id,
                source=Source.INVITED,
                version=wave.version,
                invitation=invitation,
                answers=answers,
                scores=indicators.score(schema, answers),
                status=ResponseStatus.COMPLETED,
                started_at=now,
                completed_at=now,
            )
        )
    Response.objects.bulk_create(responses)
    aggregates.rebuild_cells(wave)
    return len(responses)


__all__ = ["MonitorWorld", "close_wave", "fill_wave", "give_totp", "issue_codes", "make_addresses"]
