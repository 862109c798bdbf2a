"""Test personas shared by all apps.

In gemeente Demodorp: alice coordinates team Noord, bob volunteers in it,
petra is police for the unit covering Demodorp, gert works for the gemeente,
and admin is a platform admin. charlie coordinates a team in another gemeente
and must see nothing of Demodorp.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import translation
from hypothesis import HealthCheck, settings
from pytest_django import DjangoDbBlocker

from buurtonderzoek.accounts.models import PoliceUnit, Role, Team, User
from buurtonderzoek.accounts.tests.factories import (
    BuurtFactory,
    GemeenteFactory,
    MembershipFactory,
    PoliceUnitFactory,
    TeamFactory,
    UserFactory,
)
from buurtonderzoek.places.models import Gemeente

# Every browser test fails on any page script error (tests/browser/script_errors.py).
pytest_plugins = ["tests.browser.script_errors"]

# Examples are judged on what they find, not how fast they run: a loaded CI machine must not turn
# a slow example into a failure (no wall-clock limits in tests).
settings.register_profile("project", deadline=None, suppress_health_check=[HealthCheck.too_slow])
# CI (.ci/run sets HYPOTHESIS_PROFILE=ci) draws the same examples every run, so a gate never flips on a
# lucky draw; local runs keep exploring new examples and report anything they find.
settings.register_profile("ci", parent=settings.get_profile("project"), derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "project"))

PASSWORD = "wachtwoord-voor-tests"
ADMIN_TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # the same secret as give_totp() in accounts tests


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> None:
    """Make sure the standard questionnaires are there, also in a reused test database.

    The migrations publish them, but a transactional test (browser tests, live server) empties every
    table when it ends; with --reuse-db the next run would start without them.
    """
    from buurtonderzoek.questionnaires.standard import load_standard_questionnaires

    with django_db_blocker.unblock():
        load_standard_questionnaires()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in Dutch, whatever language the previous test's requests activated.

    The test client runs LocaleMiddleware in the test's own thread, and the language it activates
    stays active after the request, so an English page in one test made the next test's texts English.
    """
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _standard_questionnaires_for_live_server(
    request: pytest.FixtureRequest, django_db_blocker: DjangoDbBlocker
) -> None:
    """Browser tests find the standard questionnaires, whatever test ran before them.

    A live-server test ends by emptying every table (flush), the migrated standard questionnaires too,
    so the next one would depend on the order the suite happens to run in.
    """
    if "live_server" not in request.fixturenames:
        return
    from buurtonderzoek.questionnaires.standard import load_standard_questionnaires

    with django_db_blocker.unblock():
        load_standard_questionnaires()


@dataclass
class World:
    gemeente: Gemeente
    other_gemeente: Gemeente
    team: Team
    other_team: Team
    unit: PoliceUnit
    alice: User  # coordinator of team
    bob: User  # volunteer in team
    petra: User  # police officer, unit covers gemeente
    gert: User  # municipal officer of gemeente
    charlie: User  # coordinator in another gemeente: an outsider
    admin: User


@pytest.fixture
def world(db: None) -> World:
    gemeente = GemeenteFactory.create(code="GM9999", name="Demodorp")
    other = GemeenteFactory.create(code="GM9998", name="Elders")
    buurt = BuurtFactory.create(wijk__gemeente=gemeente)
    team = TeamFactory.create(name="Buurtpreventie Noord", gemeente=gemeente)
    team.buurten.add(buurt)
    other_team = TeamFactory.create(name="Buurtpreventie Elders", gemeente=other)
    unit = PoliceUnitFactory.create(name="Basisteam Demodorp")
    unit.gemeenten.add(gemeente)
    alice = MembershipFactory.create(user__email="alice@example.nl", coordinator=True, team=team).user
    bob = MembershipFactory.create(user__email="bob@example.nl", role=Role.VOLUNTEER, team=team).user
    petra = MembershipFactory.create(user__email="petra@example.nl", police=True, police_unit=unit).user
    gert = MembershipFactory.create(user__email="gert@example.nl", municipal=True, gemeente=gemeente).user
    charlie = MembershipFactory.create(user__email="charlie@example.nl", coordinator=True, team=other_team).user
    admin = UserFactory.create(email="admin@example.nl", is_staff=True, is_superuser=True)
    # Admins must have two-factor authentication (accounts/middleware.py), like police and gemeente.
    TOTP.activate(admin, ADMIN_TOTP_SECRET)
    return World(gemeente, other, team, other_team, unit, alice, bob, petra, gert, charlie, admin)
