"""Retention: contact data removed, free text pseudonymised, unconfirmed subscriptions dropped; recorded, idempotent."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from buurtonderzoek.canvass.actions import submit_tip
from buurtonderzoek.canvass.models import DoorVisit, Tip
from buurtonderzoek.core.models import AuditEvent
from buurtonderzoek.handoff import actions
from buurtonderzoek.handoff.models import PoliceReport, ReportStatus, RetentionMark
from buurtonderzoek.handoff.retention import PSEUDONYM, apply_retention
from buurtonderzoek.handoff.tests.fixtures import WITNESS_NAME, WITNESS_PHONE, CanvassSetup
from buurtonderzoek.signalements.models import Subscription
from conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_report(world: World, canvass_setup: CanvassSetup, django_capture_on_commit_callbacks) -> PoliceReport:
    submit_tip(
        canvass_setup.incident,
        text="Ik zag een grijze Golf bij de Molenweg",
        contact_consent=True,
        contact_name="Piet Tipgever",
        contact_phone="0611112222",
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = actions.submit_report(canvass_setup.incident, by=world.alice)
    for status in (ReportStatus.RECEIVED, ReportStatus.CLOSED):
        actions.transition_report(report, to=status, by=world.petra)
    report.refresh_from_db()
    return report


def contact_values(report: PoliceReport) -> str:
    visits = json.dumps(list(DoorVisit.objects.filter(canvass=report.canvass).values_list("answers", flat=True)))
    tips = json.dumps(list(Tip.objects.values_list("contact_name", "contact_phone", "contact_email")))
    return visits + tips


def test_nothing_happens_before_the_contact_period_is_over(closed_report: PoliceReport) -> None:
    result = apply_retention(now=timezone.now() + timedelta(days=89))
    assert not result.anything
    assert WITNESS_NAME in contact_values(closed_report) and "Piet Tipgever" in contact_values(closed_report)


def test_contact_data_is_removed_after_the_period_and_the_removal_recorded(
    closed_report: PoliceReport, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        result = apply_retention(now=timezone.now() + timedelta(days=91))
    assert (
        result.contact_visits == 1
        and result.contact_tips == 1
        and result.contact_incidents == [closed_report.incident_id]
    )
    values = contact_values(closed_report)
    assert WITNESS_NAME not in values and WITNESS_PHONE not in values and "Piet Tipgever" not in values
    first = DoorVisit.objects.get(pk=closed_report.witness_sources["G1"]["visit"])
    # The fact of consent and the observations stay; only the contact details go.
    assert first.answers["contact_consent"] == "ja" and first.answers["persons"]
    event = AuditEvent.objects.get(summary__startswith="Bewaartermijn: contactgegevens")
    assert event.actor is None and event.data["visits"] == [first.pk] and "contact_name" in event.data["fields"]
    assert WITNESS_NAME not in json.dumps(event.data) and WITNESS_PHONE not in event.summary
    # The police PDF, which printed the details, is made again without them.
    closed_report.refresh_from_db()
    assert closed_report.contacts_removed_at is not None
    assert WITNESS_NAME.encode() not in closed_report.pdf_police.read()
    assert RetentionMark.objects.get(incident=closed_report.incident).contacts_removed_at is not None


def test_running_retention_twice_removes_and_records_nothing_more(closed_report: PoliceReport) -> None:
    later = timezone.now() + timedelta(days=400)
    apply_retention(now=later)
    events = AuditEvent.objects.count()
    again = apply_retention(now=later)
    assert not again.anything and AuditEvent.objects.count() == events


def test_free_text_is_pseudonymised_after_a_year_everywhere_including_the_report(closed_report: PoliceReport) -> None:
    result = apply_retention(now=timezone.now() + timedelta(days=366))
    assert result.free_text_visits == 3 and result.free_text_tips == 1
    first = DoorVisit.objects.get(pk=closed_report.witness_sources["G1"]["visit"])
    assert PSEUDONYM.match(first.answers["what"])
    block = first.answers["persons"][0]
    assert PSEUDONYM.match(block["behaviour"]) and PSEUDONYM.match(block["top_colour"])
    # Choices, ranges and times stay: they make the aggregates.
    assert block["gender"] == "man" and block["height"] == {"min": 170, "max": 175} and block["first_seen"] == "22:40"
    assert PSEUDONYM.match(Tip.objects.get().text)
    closed_report.refresh_from_db()
    document = json.dumps(closed_report.document, ensure_ascii=False)
    assert "deurklinken" not in document and "grijze Golf" not in document and "tekst verwijderd #" in document
    assert AuditEvent.objects.filter(summary__startswith="Bewaartermijn: vrije tekst gepseudonimiseerd").count() == 1


def test_identical_texts_keep_identical_pseudonyms(closed_report: PoliceReport) -> None:
    apply_retention(now=timezone.now() + timedelta(days=366))
    behaviours = {
        a["persons"][0]["behaviour"]
        for a in DoorVisit.objects.filter(canvass=closed_report.canvass).values_list("answers", flat=True)
        if a.get("persons")
    }
    assert len(behaviours) == 1


def test_open_cases_keep_their_data(world: World, canvass_setup: CanvassSetup) -> None:
    actions.submit_report(canvass_setup.incident, by=world.alice)
    result = apply_retention(now=timezone.now() + timedelta(days=1000))
    assert not result.anything
    assert WITNESS_NAME in json.dumps(list(DoorVisit.objects.values_list("answers", flat=True)))


def test_the_periods_are_configurable(closed_report: PoliceReport, settings) -> None:
    settings.RETENTION_CONTACT_DAYS = 10
    assert apply_retention(now=timezone.now() + timedelta(days=11)).contact_visits == 1


def test_unconfirmed_subscriptions_are_deleted_after_a_week(world: World) -> None:
    Subscription.objects.create(email="oud@example.nl", gemeente=world.gemeente)
    Subscription.objects.create(
        email="bevestigd@example.nl", gemeente=world.other_gemeente, confirmed_at=timezone.now()
    )
    assert apply_retention(now=timezone.now() + timedelta(days=6)).subscriptions_deleted == 0
    assert apply_retention(now=timezone.now() + timedelta(days=8)).subscriptions_deleted == 1
    assert list(Subscription.objects.values_list("email", flat=True)) == ["bevestigd@example.nl"]
    event = AuditEvent.objects.get(summary__contains="onbevestigde aanmelding")
    assert "oud@example.nl" not in json.dumps(event.data) + event.summary


def test_the_command_reports_and_a_dry_run_changes_nothing(closed_report: PoliceReport, settings) -> None:
    settings.RETENTION_CONTACT_DAYS = 0
    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "[proefdraai] contactgegevens: 1 bezoeken en 1 tips in 1 zaken" in out.getvalue()
    assert WITNESS_NAME in contact_values(closed_report)
    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert "contactgegevens: 1 bezoeken en 1 tips in 1 zaken" in out.getvalue()
    assert WITNESS_NAME not in contact_values(closed_report)
