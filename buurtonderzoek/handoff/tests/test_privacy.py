"""Personal data never reaches public outputs, nor users without the right to it (DOMAIN.md sections 5 and 8).

One scenario with everything in it (a witness who consented to contact, a tip with contact details,
a published and later ended alert, a subscriber), then every output is scanned for the witness's
name, phone number, house number and the like.
"""

from __future__ import annotations

import json
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from buurtonderzoek.accounts.tests.conftest import give_totp
from buurtonderzoek.canvass.actions import submit_tip
from buurtonderzoek.core.models import AuditEvent
from buurtonderzoek.handoff import actions
from buurtonderzoek.handoff.models import PoliceReport
from buurtonderzoek.handoff.tests.fixtures import WITNESS_NAME, WITNESS_PHONE, CanvassSetup
from buurtonderzoek.signalements import actions as alert_actions
from buurtonderzoek.signalements.models import Alert, Subscription
from conftest import World

pytestmark = pytest.mark.django_db
TIPPER = "Piet Tipgever"
TIPPER_PHONE = "0611112222"


class Scenario:
    def __init__(self, setup: CanvassSetup, report: PoliceReport, alert: Alert, ended: Alert) -> None:
        self.setup, self.report, self.alert, self.ended = setup, report, alert, ended

    def witness_addresses(self) -> list[str]:
        return [f"{v.address.street} {v.address.house_number_label}" for v in self.setup.visits]

    def secrets(self) -> list[str]:
        return [WITNESS_NAME, WITNESS_PHONE, TIPPER, TIPPER_PHONE, *self.witness_addresses()]


@pytest.fixture
def scenario(world: World, canvass_setup: CanvassSetup, django_capture_on_commit_callbacks) -> Scenario:
    submit_tip(
        canvass_setup.incident,
        text="Ik zag een grijze Golf",
        contact_consent=True,
        contact_name=TIPPER,
        contact_phone=TIPPER_PHONE,
    )
    Subscription.objects.create(
        email="bewoner@example.nl", gemeente=world.gemeente, confirmed_at=canvass_setup.incident.created_at
    )
    # One block per step: in real life each step is its own request and transaction.
    with django_capture_on_commit_callbacks(execute=False):  # the PDFs are not needed here
        report = actions.submit_report(canvass_setup.incident, by=world.alice)
    alerts = []
    for ref in ("P1", "V1"):
        alert = alert_actions.compose_alert(canvass_setup.incident, by=world.alice, signalement_ref=ref)
        alert_actions.submit_alert(alert, by=world.alice)
        with django_capture_on_commit_callbacks(execute=True):
            alert_actions.approve_alert(alert, by=world.petra)
        alerts.append(alert)
    with django_capture_on_commit_callbacks(execute=True):
        alert_actions.withdraw_alert(
            alerts[1], by=world.petra, outcome_text="Het voertuig is gevonden. Dank voor uw hulp."
        )
        actions.add_feedback(report, by=world.petra, text="Dank, bruikbaar.")
    report.refresh_from_db()
    return Scenario(canvass_setup, report, alerts[0], alerts[1])


def public_urls(s: Scenario, world: World) -> list[str]:
    buurt = s.alert.buurt
    assert buurt is not None
    return [
        reverse("alert_public", args=[s.alert.public_token]),
        reverse("alert_public", args=[s.ended.public_token]),
        reverse("buurt_alerts", args=[buurt.code]),
        reverse("gemeente_alerts", args=[world.gemeente.code]),
        reverse("buurt_feed", args=[buurt.code]),
        reverse("gemeente_feed", args=[world.gemeente.code]),
        reverse("subscribe", args=[buurt.code]),
    ]


def _assert_clean(text: str, secrets: list[str], where: str) -> None:
    for secret in secrets:
        assert secret not in text, f"{secret!r} in {where}"


def test_public_pages_and_feeds_carry_no_personal_data(client: Client, world: World, scenario: Scenario) -> None:
    for url in public_urls(scenario, world):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        _assert_clean(text, scenario.secrets(), url)
        # No witness references, no contact data of any kind, no figures about fewer than ten people.
        assert not re.search(r"\bG[0-9]+\b", text), url
        assert "@example.nl" not in text and "06-" not in text, url
        assert not re.search(r"\b[0-9]\s+(getuigen|bewoners|deuren|gesprekken)\b", text), url


def test_the_poster_carries_no_personal_data(client: Client, world: World, scenario: Scenario) -> None:
    import subprocess
    import tempfile
    from pathlib import Path

    response = client.get(reverse("alert_poster", args=[scenario.alert.public_token]))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "poster.pdf"
        path.write_bytes(response.content)
        text = subprocess.run(["/usr/bin/pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    assert "GETUIGEN GEZOCHT" in text
    _assert_clean(text, scenario.secrets(), "poster")


def test_subscriber_emails_carry_no_personal_data(scenario: Scenario) -> None:
    resident_mails = [m for m in mail.outbox if m.to == ["bewoner@example.nl"]]
    assert len(resident_mails) == 3  # two alerts and one afloopbericht
    for message in resident_mails:
        _assert_clean(str(message.subject) + str(message.body), scenario.secrets(), str(message.subject))


def test_team_notifications_and_mails_carry_no_witness_contacts(world: World, scenario: Scenario) -> None:
    team = {world.alice.email, world.bob.email}
    for message in mail.outbox:
        if set(message.to) & team:
            _assert_clean(str(message.body), [WITNESS_NAME, WITNESS_PHONE, TIPPER, TIPPER_PHONE], str(message.subject))


def pages_for(scenario: Scenario) -> list[str]:
    pk, report = scenario.setup.incident.pk, scenario.report.pk
    return [
        reverse("consolidation", args=[pk]),
        reverse("review_list", args=[pk]),
        reverse("review_visit", args=[pk, scenario.setup.visits[0].pk]),
        reverse("report_submit", args=[pk]),
        reverse("report_detail", args=[report]),
        reverse("report_json", args=[report]),
        reverse("api-report-detail", args=[report]),
        reverse("api-report-list"),
        reverse("report_list"),
        reverse("notifications"),
        reverse("alert_manage", args=[scenario.alert.pk]),
    ]


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "gert", "other_police", "admin"])
def test_only_the_receiving_police_ever_see_witness_contacts(
    client: Client, world: World, scenario: Scenario, who: str
) -> None:
    if who == "other_police":
        from buurtonderzoek.accounts.tests.factories import MembershipFactory

        user = MembershipFactory.create(police=True, police_unit__name="Basisteam Elders").user
    else:
        user = getattr(world, who)
    give_totp(user)
    client.force_login(user)
    for url in pages_for(scenario):
        response = client.get(url, follow=True)
        text = response.content.decode()
        _assert_clean(text, [WITNESS_NAME, WITNESS_PHONE, TIPPER, TIPPER_PHONE], f"{who} {url}")


def test_the_receiving_police_see_them_and_the_reads_are_logged(
    client: Client, world: World, scenario: Scenario
) -> None:
    client.force_login(world.petra)
    before = AuditEvent.objects.filter(action="read_personal").count()
    page = client.get(reverse("report_detail", args=[scenario.report.pk])).content.decode()
    assert WITNESS_NAME in page and TIPPER in page
    assert AuditEvent.objects.filter(action="read_personal").count() == before + 1


def test_the_audit_log_never_holds_contact_values(scenario: Scenario) -> None:
    log = json.dumps(list(AuditEvent.objects.values("summary", "data")), ensure_ascii=False)
    _assert_clean(log, [WITNESS_NAME, WITNESS_PHONE, TIPPER, TIPPER_PHONE, "bewoner@example.nl"], "audit log")


def test_alert_descriptions_stored_for_spreading_hold_no_witness_data(scenario: Scenario) -> None:
    for alert in Alert.objects.all():
        blob = json.dumps(alert.description, ensure_ascii=False) + alert.text + alert.title + alert.outcome_text
        _assert_clean(blob, scenario.secrets(), f"alert {alert.pk}")
        assert not re.search(r"\bG[0-9]+\b", blob)


def test_a_platform_admin_reads_the_report_without_contacts_and_cannot_act_as_police(
    client: Client, world: World, scenario: Scenario
) -> None:
    client.force_login(world.admin)
    report = scenario.report
    document = client.get(reverse("report_json", args=[report.pk])).json()
    _assert_clean(json.dumps(document, ensure_ascii=False), [WITNESS_NAME, WITNESS_PHONE, TIPPER, TIPPER_PHONE], "json")
    event = AuditEvent.objects.filter(action="read_personal", actor=world.admin).latest("pk")
    assert "zonder contactgegevens" in event.summary
    response = client.post(reverse("report_action", args=[report.pk]), {"action": "feedback", "feedback-text": "Hoi"})
    assert response.status_code == 403
    with pytest.raises(ValidationError):
        actions.add_feedback(report, by=world.admin, text="Hoi")
    assert report.feedback.count() == 1  # petra's, from the scenario
