"""Alerts from composing to the afloopbericht, and subscriptions with double opt-in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from buurtonderzoek.canvass.models import DoorVisit
from buurtonderzoek.core.models import AppendOnlyError, AuditEvent
from buurtonderzoek.handoff.models import Notification
from buurtonderzoek.handoff.tests.fixtures import (
    WITNESS_NAME,
    CanvassSetup,
    answers,
    approve,
    buurt_of,
    person,
    setup_canvass,
)
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.signalements import actions
from buurtonderzoek.signalements.mailing import send_alert_emails
from buurtonderzoek.signalements.models import (
    Alert,
    AlertDelivery,
    AlertEvent,
    AlertStatus,
    Subscription,
)
from conftest import World

pytestmark = pytest.mark.django_db


def compose(world: World, setup: CanvassSetup, ref: str = "P1") -> Alert:
    return actions.compose_alert(setup.incident, by=world.alice, signalement_ref=ref)


def subscriber(world: World, email: str = "bewoner@example.nl", **area) -> Subscription:
    area = area or {"buurt": buurt_of_world(world)}
    sub = Subscription.objects.create(email=email, confirmed_at=timezone.now(), **area)
    return sub


def buurt_of_world(world: World):
    buurt = world.team.buurten.first()
    assert buurt is not None
    return buurt


def publish(world: World, alert: Alert, capture) -> Alert:
    actions.submit_alert(alert, by=world.alice)
    with capture(execute=True):
        actions.approve_alert(alert, by=world.petra)
    alert.refresh_from_db()
    return alert


def test_composing_drafts_a_text_without_witness_data(world: World, canvass_setup: CanvassSetup) -> None:
    alert = compose(world, canvass_setup)
    assert alert.status == AlertStatus.DRAFT and alert.kind == "person"
    assert alert.buurt == buurt_of(canvass_setup.incident) and alert.gemeente == world.gemeente
    assert "Wat de persoon deed: trok aan de deurklinken" in alert.text
    assert actions.tip_url(canvass_setup.incident) in alert.text
    address = canvass_setup.incident.address
    assert address is not None
    assert f"aan de {address.street}" in alert.text
    # The house number as a number of its own (not inside a clock time such as 07:54 or a link).
    body = re.sub(r"https?://\S+|\b\d{1,2}:\d{2}\b", "", alert.text)
    assert not re.search(rf"\b{address.huisnummer}\b", body)
    assert WITNESS_NAME not in alert.text and "G1" not in alert.text
    # Only description values are kept: no witness refs, no contact keys.
    assert "contact_name" not in alert.description and "witness" not in str(alert.description)
    assert actions.text_errors(canvass_setup.incident, alert.text) == []


def test_composing_refuses_a_signalement_that_fails_the_anti_profiling_rules(world: World, incident: Incident) -> None:
    setup = setup_canvass(incident, by=world.alice)
    visit = setup.visit(world.bob, data=answers(persons=[person()]))
    # The door form refuses thin descriptions; this one comes from an older questionnaire version.
    thin = {
        "behaviour": "liep weg",
        "gender": "man",
        "appearance": "donkere huid",
        "provenance": "eigen_waarneming",
        "certainty": "zeker",
    }
    DoorVisit.objects.filter(pk=visit.pk).update(answers={**visit.answers, "persons": [thin]})
    approve(setup.visits, by=world.alice)
    with pytest.raises(ValidationError, match="twee concrete kenmerken"):
        actions.compose_alert(incident, by=world.alice, signalement_ref="P1")
    assert not Alert.objects.exists()


def test_saving_checks_the_text_again(world: World, canvass_setup: CanvassSetup) -> None:
    alert = compose(world, canvass_setup)
    street = canvass_setup.stops[0].street
    with pytest.raises(ValidationError) as caught:
        actions.update_alert(
            alert,
            by=world.alice,
            title=alert.title,
            text=f"{alert.text}\nBij {street} 12 zag {WITNESS_NAME} hem.",
            buurt=alert.buurt,
        )
    text = " ".join(caught.value.messages)
    assert "huisnummers" in text and "naam van een getuige" in text
    alert.refresh_from_db()
    assert street + " 12" not in alert.text


def test_the_police_approve_and_subscribers_of_buurt_and_gemeente_get_one_mail_each(
    world: World, canvass_setup: CanvassSetup, django_capture_on_commit_callbacks
) -> None:
    buurt_sub = subscriber(world, "buurt@example.nl")
    gemeente_sub = subscriber(world, "gemeente@example.nl", gemeente=world.gemeente)
    Subscription.objects.create(email="onbevestigd@example.nl", buurt=buurt_of_world(world))
    Subscription.objects.create(email="elders@example.nl", gemeente=world.other_gemeente, confirmed_at=timezone.now())
    alert = compose(world, canvass_setup)
    with django_capture_on_commit_callbacks(execute=True):
        actions.submit_alert(alert, by=world.alice)
    assert Notification.objects.filter(user=world.petra, kind=Notification.ALERT).exists()
    mail.outbox.clear()
    alert = publish_approved(world, alert, django_capture_on_commit_callbacks)
    assert alert.status == AlertStatus.PUBLISHED and alert.decided_by == world.petra
    assert alert.expires_at is not None and alert.published_at is not None
    assert (alert.expires_at - alert.published_at) == timedelta(days=14)
    alert_mails = [m for m in mail.outbox if m.subject == alert.title]
    assert sorted(m.to[0] for m in alert_mails) == ["buurt@example.nl", "gemeente@example.nl"]
    message = alert_mails[0]
    assert alert.text in message.body and "afmelden" in message.body.lower()
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert str(buurt_sub.token) in str(message.extra_headers["List-Unsubscribe"]) or str(gemeente_sub.token) in str(
        message.extra_headers["List-Unsubscribe"]
    )
    # A retry of the task sends nothing twice.
    assert send_alert_emails(alert.pk, AlertDelivery.ALERT) == 0


def publish_approved(world: World, alert: Alert, capture) -> Alert:
    with capture(execute=True):
        actions.approve_alert(alert, by=world.petra)
    alert.refresh_from_db()
    return alert


def test_only_police_of_the_area_approve(world: World, canvass_setup: CanvassSetup) -> None:
    alert = compose(world, canvass_setup)
    actions.submit_alert(alert, by=world.alice)
    for user in (world.alice, world.bob, world.charlie, world.gert):
        with pytest.raises(ValidationError, match="politie in dit gebied"):
            actions.approve_alert(alert, by=user)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.SUBMITTED


def test_a_returned_alert_goes_back_with_the_reason_and_can_be_resubmitted(
    world: World, canvass_setup: CanvassSetup, django_capture_on_commit_callbacks
) -> None:
    alert = compose(world, canvass_setup)
    actions.submit_alert(alert, by=world.alice)
    with pytest.raises(ValidationError):
        actions.return_alert(alert, by=world.petra, reason=" ")
    actions.return_alert(alert, by=world.petra, reason="Laat het merk van de schoenen weg.")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RETURNED and alert.return_reason == "Laat het merk van de schoenen weg."
    assert Notification.objects.filter(user=world.alice, body__contains="schoenen").exists()
    actions.update_alert(
        alert,
        by=world.alice,
        title=alert.title,
        text=alert.text.replace("witte sneakers", "witte schoenen"),
        buurt=alert.buurt,
    )
    actions.submit_alert(alert, by=world.alice)
    assert alert.status == AlertStatus.SUBMITTED
    assert list(AlertEvent.objects.filter(alert=alert).values_list("to_status", flat=True)) == [
        "draft",
        "submitted",
        "returned",
        "submitted",
    ]


def test_withdrawing_sends_the_afloopbericht_to_those_who_received_the_alert(
    world: World, canvass_setup: CanvassSetup, django_capture_on_commit_callbacks
) -> None:
    early = subscriber(world, "vroeg@example.nl")
    alert = publish(world, compose(world, canvass_setup), django_capture_on_commit_callbacks)
    late = subscriber(world, "laat@example.nl")
    gone = subscriber(world, "weg@example.nl")
    AlertDelivery.objects.create(alert=alert, subscription=gone, kind=AlertDelivery.ALERT, sent_at=timezone.now())
    actions.unsubscribe(gone)
    mail.outbox.clear()
    with pytest.raises(ValidationError):
        actions.withdraw_alert(alert, by=world.alice, outcome_text="")
    with django_capture_on_commit_callbacks(execute=True):
        actions.withdraw_alert(
            alert, by=world.petra, outcome_text="De verdachte is aangehouden. Dank voor het meekijken!"
        )
    alert.refresh_from_db()
    assert alert.status == AlertStatus.WITHDRAWN and alert.ended_by == world.petra
    assert [m.to for m in mail.outbox] == [[early.email]]
    assert mail.outbox[0].subject.startswith("Afloop:") and "aangehouden" in mail.outbox[0].body
    assert late.email not in str([m.to for m in mail.outbox])


def test_alerts_expire_after_the_configured_days_with_a_default_afloopbericht(
    world: World, canvass_setup: CanvassSetup, django_capture_on_commit_callbacks, settings
) -> None:
    settings.ALERT_DAYS = 3
    subscriber(world)
    alert = publish(world, compose(world, canvass_setup), django_capture_on_commit_callbacks)
    assert alert.expires_at is not None
    assert actions.expire_due_alerts(now=alert.expires_at - timedelta(minutes=1)) == 0
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.expire_due_alerts(now=alert.expires_at + timedelta(minutes=1)) == 1
    alert.refresh_from_db()
    assert alert.status == AlertStatus.EXPIRED and "afgelopen" in alert.outcome_text
    assert len(mail.outbox) == 1 and mail.outbox[0].subject.startswith("Afloop:")
    # Running the schedule again changes nothing.
    assert actions.expire_due_alerts(now=alert.expires_at + timedelta(days=1)) == 0


def test_the_alert_history_is_append_only(world: World, canvass_setup: CanvassSetup) -> None:
    alert = compose(world, canvass_setup)
    event = alert.events.get()
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        AlertEvent.objects.filter(alert=alert).delete()


def test_a_published_alert_cannot_be_edited_or_published_twice(
    world: World, canvass_setup: CanvassSetup, django_capture_on_commit_callbacks
) -> None:
    alert = publish(world, compose(world, canvass_setup), django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError):
        actions.update_alert(alert, by=world.alice, title="x", text=alert.text, buurt=None)
    with pytest.raises(ValidationError):
        actions.approve_alert(alert, by=world.petra)


# --- subscriptions ---------------------------------------------------------------------------------


def test_subscribing_needs_confirmation_and_reveals_nothing(world: World, django_capture_on_commit_callbacks) -> None:
    buurt = buurt_of_world(world)
    with django_capture_on_commit_callbacks(execute=True):
        sub = actions.subscribe("Nieuw@Example.nl", buurt=buurt, language="nl")
    assert sub is not None and sub.email == "nieuw@example.nl" and sub.confirmed_at is None
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert reverse("subscription_confirm", args=[sub.pk, sub.token]) in body
    # Not counted until confirmed.
    assert not Subscription.objects.for_area(buurt=buurt, gemeente=world.gemeente).exists()
    actions.confirm_subscription(sub)
    assert Subscription.objects.for_area(buurt=buurt, gemeente=world.gemeente).get() == sub
    # Subscribing a confirmed address again sends nothing and changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.subscribe("nieuw@example.nl", buurt=buurt) is None
    assert len(mail.outbox) == 1
    audit = " ".join(AuditEvent.objects.values_list("summary", flat=True))
    assert "nieuw@example.nl" not in audit


def test_unsubscribing_deletes_the_address(world: World) -> None:
    sub = subscriber(world)
    actions.unsubscribe(sub)
    assert not Subscription.objects.exists()
    assert AuditEvent.objects.filter(summary__startswith="Afgemeld voor oproepen").exists()


def test_subscription_tokens_do_not_work_for_another_row(world: World) -> None:
    a = subscriber(world, "a@example.nl")
    b = subscriber(world, "b@example.nl")
    assert a.token_matches(a.token) and not a.token_matches(b.token) and not a.token_matches("")


def test_approval_checks_the_text_again_so_a_house_number_never_goes_out(
    world: World, canvass_setup: CanvassSetup
) -> None:
    alert = compose(world, canvass_setup)
    Alert.objects.filter(pk=alert.pk).update(text=alert.text + " Eikenpad 12.", status=AlertStatus.SUBMITTED)
    alert.refresh_from_db()
    with pytest.raises(ValidationError, match="huisnummers"):
        actions.approve_alert(alert, by=world.petra)


def test_person_alert_text_keeps_behaviour_before_appearance(world: World, canvass_setup: CanvassSetup) -> None:
    text = compose(world, canvass_setup).text
    assert text.index("Wat de persoon deed") < text.index("Beschrijving:")


def test_a_vehicle_alert_names_the_best_kenteken_reading(world: World, canvass_setup: CanvassSetup) -> None:
    alert = compose(world, canvass_setup, "V1")
    assert "Kenteken: XJ-123-4." in alert.text


def test_default_buurt_falls_back_to_the_team_buurt(world: World, incident: Incident) -> None:
    assert actions.default_buurt(incident) == buurt_of_world(world)
    address = incident.address
    assert address is not None
    other = world.team.buurten.create(
        code="BU99990001", name="Oosthoek", wijk=buurt_of_world(world).wijk, gemeente=world.gemeente
    )
    address.buurt_code = other.code
    address.save()
    assert actions.default_buurt(incident) == other


def test_people_unrelated_to_alerts_get_no_notifications(world: World, canvass_setup: CanvassSetup) -> None:
    alert = compose(world, canvass_setup)
    actions.submit_alert(alert, by=world.alice)
    assert not Notification.objects.filter(user__in=[world.charlie, world.gert, world.bob]).exists()


def test_an_alert_ended_by_hand_during_the_expiry_run_does_not_stop_the_others(
    world: World, canvass_setup: CanvassSetup, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    first = publish(world, compose(world, canvass_setup, "P1"), django_capture_on_commit_callbacks)
    second = publish(world, compose(world, canvass_setup, "V1"), django_capture_on_commit_callbacks)
    real_expire = actions.expire_alert
    withdrawn: list[int] = []

    def expire_after_a_withdrawal(alert: Alert, **kwargs: object) -> Alert:
        # The officer withdraws the first alert at the very moment the scheduled run reaches it.
        if alert.pk == first.pk:
            actions.withdraw_alert(first, by=world.petra, outcome_text="De verdachte is aangehouden. Dank!")
            withdrawn.append(alert.pk)
        return real_expire(alert, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(actions, "expire_alert", expire_after_a_withdrawal)
    assert first.expires_at is not None and second.expires_at is not None
    later = max(first.expires_at, second.expires_at) + timedelta(minutes=1)
    assert actions.expire_due_alerts(now=later) == 1
    assert withdrawn == [first.pk]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == AlertStatus.WITHDRAWN and "aangehouden" in first.outcome_text
    assert second.status == AlertStatus.EXPIRED
