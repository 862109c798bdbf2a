"""Test data for data-subject requests, built with the canvass and hand-off fixtures.

Johanna Verbeek (`handoff.tests.fixtures`) consented at the door and gave her phone number
(06-12345678); she also left a tip with her number written differently and her e-mail address, and
subscribed to alerts. Karel, another witness, gave only his e-mail address: he must stay untouched.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from buurtonderzoek.canvass.actions import submit_tip
from buurtonderzoek.canvass.models import DoorVisit, Tip
from buurtonderzoek.handoff.actions import submit_report
from buurtonderzoek.handoff.models import PoliceReport
from buurtonderzoek.handoff.tests.conftest import _media, canvass_setup, incident, streets  # noqa: F401
from buurtonderzoek.handoff.tests.fixtures import WITNESS_EMAIL, CanvassSetup, answers
from buurtonderzoek.signalements.actions import confirm_subscription, subscribe
from buurtonderzoek.signalements.models import Subscription
from conftest import World

# The shared browser fixtures (Chromium, pages at phone and desktop width, only-local requests).
from tests.browser.conftest import _fresh_cache, browser, desktop_page, new_page, page, phone_page  # noqa: F401

OTHER_NAME = "Karel Willems"
OTHER_EMAIL = "karel.willems@example.nl"


@dataclass
class People:
    setup: CanvassSetup
    witness_visit: DoorVisit
    witness_tip: Tip
    subscription: Subscription
    other_visit: DoorVisit
    other_tip: Tip
    report: PoliceReport


@pytest.fixture
def people(world: World, canvass_setup: CanvassSetup) -> People:  # noqa: F811
    witness_visit = canvass_setup.visits[0]
    other_visit = canvass_setup.visit(
        world.bob,
        data=answers(contact_consent="ja", contact_name=OTHER_NAME, contact_method="email", contact_email=OTHER_EMAIL),
        minutes=20,
    )
    witness_tip = submit_tip(
        canvass_setup.incident,
        text="Ik zag de grijze Golf later nog bij het park staan",
        contact_consent=True,
        contact_name="J. Verbeek",
        contact_phone="+31 6 1234 5678",
        contact_email=WITNESS_EMAIL.upper(),
    )
    other_tip = submit_tip(
        canvass_setup.incident,
        text="Er liep iemand met een zaklamp door de tuinen",
        contact_consent=True,
        contact_name=OTHER_NAME,
        contact_email=OTHER_EMAIL,
    )
    subscription = subscribe(f"  {WITNESS_EMAIL} ", gemeente=world.gemeente)
    assert subscription is not None
    confirm_subscription(subscription)
    report = submit_report(canvass_setup.incident, by=world.alice)
    return People(canvass_setup, witness_visit, witness_tip, subscription, other_visit, other_tip, report)
