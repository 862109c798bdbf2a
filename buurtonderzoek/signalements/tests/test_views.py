"""The four standard tests for every consolidation and alert view, then the happy paths; public pages and feeds."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import cast
from xml.etree import ElementTree  # our own feed, not untrusted input

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buurtonderzoek.accounts.tests.factories import MembershipFactory
from buurtonderzoek.handoff.tests.fixtures import WITNESS_NAME, WITNESS_PHONE, CanvassSetup
from buurtonderzoek.signalements import actions
from buurtonderzoek.signalements.models import Alert, AlertStatus, Subscription
from conftest import World

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def private_urls(setup: CanvassSetup, alert: Alert) -> list[tuple[str, str]]:
    pk = setup.incident.pk
    return [
        ("get", reverse("consolidation", args=[pk])),
        ("post", reverse("alert_compose", args=[pk, "P1"])),
        ("get", reverse("alert_manage", args=[alert.pk])),
    ]


@pytest.fixture
def alert(world: World, canvass_setup: CanvassSetup) -> Alert:
    return actions.compose_alert(canvass_setup.incident, by=world.alice, signalement_ref="P1")


def published(world: World, alert: Alert, capture) -> Alert:
    actions.submit_alert(alert, by=world.alice)
    with capture(execute=True):
        actions.approve_alert(alert, by=world.petra)
    alert.refresh_from_db()
    return alert


def test_private_views_send_anonymous_visitors_to_the_login(
    client: Client, canvass_setup: CanvassSetup, alert: Alert
) -> None:
    for method, url in private_urls(canvass_setup, alert):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and reverse("account_login") in response["Location"], url


def test_private_views_are_invisible_to_outsiders(
    client: Client, world: World, canvass_setup: CanvassSetup, alert: Alert
) -> None:
    client.force_login(world.charlie)
    for method, url in private_urls(canvass_setup, alert):
        assert getattr(client, method)(url).status_code == 404, url


def test_private_views_refuse_volunteers(
    client: Client, world: World, canvass_setup: CanvassSetup, alert: Alert
) -> None:
    client.force_login(world.bob)
    for method, url in private_urls(canvass_setup, alert):
        assert getattr(client, method)(url).status_code == 403, url


def test_police_may_read_the_consolidation_but_not_compose(
    client: Client, world: World, canvass_setup: CanvassSetup
) -> None:
    client.force_login(world.petra)
    pk = canvass_setup.incident.pk
    page = client.get(reverse("consolidation", args=[pk])).content.decode()
    assert "Persoon P1" in page and "Oproep maken voor" not in page
    assert client.post(reverse("alert_compose", args=[pk, "P1"])).status_code == 403


def test_the_consolidation_page_shows_agreement_differences_timeline_cameras_and_quality(
    client: Client, world: World, canvass_setup: CanvassSetup, django_assert_max_num_queries
) -> None:
    client.force_login(world.alice)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("consolidation", args=[canvass_setup.incident.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "170-175 cm" in page and "180 cm" in page and "verschillen" in page
    assert "XJ-123-4" in page and "ook gelezen als XJ-..-4" in page
    assert "Tijdlijn" in page and "Camerasporen" in page and "urgent" in page
    assert "Kwaliteit:" in page and "Dekking" in page
    # The coordinator's view of witnesses shows consent, never the contact details themselves.
    assert WITNESS_NAME not in page and WITNESS_PHONE not in page
    assert "Oproep maken voor P1" in page


def test_composing_from_the_page_opens_the_draft(client: Client, world: World, canvass_setup: CanvassSetup) -> None:
    client.force_login(world.alice)
    response = client.post(reverse("alert_compose", args=[canvass_setup.incident.pk, "P1"]))
    alert = Alert.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("alert_manage", args=[alert.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Opslaan en ter goedkeuring naar de politie" in page


def test_composing_an_unknown_signalement_explains_itself(
    client: Client, world: World, canvass_setup: CanvassSetup
) -> None:
    client.force_login(world.alice)
    response = client.post(reverse("alert_compose", args=[canvass_setup.incident.pk, "P9"]), follow=True)
    assert "bestaat niet" in response.content.decode() and not Alert.objects.exists()


def test_the_coordinator_edits_and_submits_and_sees_refusals_in_dutch(
    client: Client, world: World, alert: Alert
) -> None:
    client.force_login(world.alice)
    url = reverse("alert_manage", args=[alert.pk])
    bad = client.post(
        url, {"action": "submit", "title": alert.title, "text": alert.text + " Bel 06-12345678.", "buurt": ""}
    )
    assert bad.status_code == 400 and "telefoonnummer" in bad.content.decode()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.DRAFT and "06-12345678" not in alert.text
    good = client.post(
        url, {"action": "submit", "title": "Getuigen gezocht", "text": alert.text, "buurt": alert.buurt_id}
    )
    assert good.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.SUBMITTED and alert.title == "Getuigen gezocht"


def test_coordinators_cannot_approve_and_police_cannot_edit(client: Client, world: World, alert: Alert) -> None:
    actions.submit_alert(alert, by=world.alice)
    url = reverse("alert_manage", args=[alert.pk])
    client.force_login(world.alice)
    assert client.post(url, {"action": "approve"}).status_code == 403
    client.force_login(world.petra)
    assert client.post(url, {"action": "save", "title": "x", "text": alert.text}).status_code == 403
    assert client.post(url, {"action": "nonsense"}).status_code == 400


def test_the_police_approve_or_return_from_the_page(
    client: Client, world: World, alert: Alert, django_capture_on_commit_callbacks
) -> None:
    actions.submit_alert(alert, by=world.alice)
    client.force_login(world.petra)
    url = reverse("alert_manage", args=[alert.pk])
    page = client.get(url).content.decode()
    assert "Goedkeuren en publiceren" in page
    assert client.post(url, {"action": "return", "reason": ""}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"action": "approve"}).status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.PUBLISHED
    page = client.get(url).content.decode()
    assert "https://wa.me/?text=" in page and reverse("alert_poster", args=[alert.public_token]) in page


def test_police_of_another_area_see_nothing(client: Client, world: World, alert: Alert) -> None:
    membership = MembershipFactory.create(police=True, police_unit__name="Basisteam Elders")
    assert membership.police_unit is not None
    membership.police_unit.gemeenten.add(world.other_gemeente)
    other = membership.user
    client.force_login(other)
    from buurtonderzoek.accounts.tests.conftest import give_totp

    give_totp(other)
    assert client.get(reverse("alert_manage", args=[alert.pk])).status_code == 404


# --- public -----------------------------------------------------------------------------------------


def test_drafts_and_submitted_alerts_are_not_public(client: Client, world: World, alert: Alert) -> None:
    assert client.get(reverse("alert_public", args=[alert.public_token])).status_code == 404
    actions.submit_alert(alert, by=world.alice)
    assert client.get(reverse("alert_public", args=[alert.public_token])).status_code == 404
    assert client.get(reverse("alert_poster", args=[alert.public_token])).status_code == 404
    assert alert.title not in client.get(reverse("buurt_alerts", args=[alert.buurt.code])).content.decode()  # type: ignore[union-attr]


def test_a_published_alert_is_on_the_buurt_page_the_feeds_and_its_own_page(
    client: Client, world: World, alert: Alert, django_capture_on_commit_callbacks, django_assert_max_num_queries
) -> None:
    alert = published(world, alert, django_capture_on_commit_callbacks)
    buurt = alert.buurt
    assert buurt is not None
    page = client.get(reverse("alert_public", args=[alert.public_token])).content.decode()
    assert alert.title in page and "wa.me" in page and actions.tip_url(alert.incident) in page
    with django_assert_max_num_queries(3):
        area = client.get(reverse("buurt_alerts", args=[buurt.code]))
    assert alert.title in area.content.decode()
    assert alert.title in client.get(reverse("gemeente_alerts", args=[world.gemeente.code])).content.decode()
    for url in (reverse("buurt_feed", args=[buurt.code]), reverse("gemeente_feed", args=[world.gemeente.code])):
        response = client.get(url)
        assert response["Content-Type"].startswith("application/atom+xml")
        feed = ElementTree.fromstring(response.content)  # noqa: S314
        entries = feed.findall(f"{ATOM}entry")
        assert [e.findtext(f"{ATOM}title") for e in entries] == [alert.title]
    assert client.get(reverse("buurt_feed", args=["BU00000000"])).status_code == 404


def test_after_the_end_the_afloopbericht_replaces_the_alert_everywhere(
    client: Client, world: World, alert: Alert, django_capture_on_commit_callbacks
) -> None:
    alert = published(world, alert, django_capture_on_commit_callbacks)
    actions.withdraw_alert(alert, by=world.alice, outcome_text="De verdachte is aangehouden.")
    page = client.get(reverse("alert_public", args=[alert.public_token])).content.decode()
    assert "De verdachte is aangehouden." in page and "Wat de persoon deed" not in page
    assert client.get(reverse("alert_poster", args=[alert.public_token])).status_code == 404
    feed = ElementTree.fromstring(client.get(reverse("gemeente_feed", args=[world.gemeente.code])).content)  # noqa: S314
    entry = feed.find(f"{ATOM}entry")
    assert entry is not None
    assert (entry.findtext(f"{ATOM}title") or "").startswith("Afloop:")
    assert "aangehouden" in (entry.findtext(f"{ATOM}summary") or "")
    assert "deurklinken" not in ElementTree.tostring(feed, encoding="unicode")


def test_the_poster_is_a_printable_pdf_with_the_qr_code(
    client: Client, world: World, alert: Alert, django_capture_on_commit_callbacks, tmp_path: Path
) -> None:
    alert = published(world, alert, django_capture_on_commit_callbacks)
    response = client.get(reverse("alert_poster", args=[alert.public_token]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(response.content)
    subprocess.run(["/usr/bin/pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "poster")], check=True)  # noqa: S603
    pages = sorted(tmp_path.glob("poster-*.png"))
    assert len(pages) == 1 and pages[0].stat().st_size > 5000
    text = subprocess.run(["/usr/bin/pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    assert "GETUIGEN GEZOCHT" in text and actions.tip_url(alert.incident) in text.replace("\n", "")
    from PIL import Image

    with Image.open(pages[0]) as image:
        # The banner is red and the QR code black on white: the page is not blank.
        colours = cast(
            list[tuple[int, tuple[int, int, int]]], image.convert("RGB").getcolors(maxcolors=1_000_000) or []
        )
        assert any(r > 150 and g < 60 and b < 60 for _count, (r, g, b) in colours)


def test_subscribing_from_the_buurt_page_is_double_opt_in(
    client: Client, world: World, alert: Alert, django_capture_on_commit_callbacks
) -> None:
    buurt = alert.buurt
    assert buurt is not None
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("subscribe", args=[buurt.code]),
            {"email": "bewoner@example.nl", "area": f"buurt:{buurt.pk}", "website": ""},
        )
    assert response.status_code == 302 and response["Location"] == reverse("subscription_sent")
    sub = Subscription.objects.get()
    assert sub.buurt == buurt and sub.confirmed_at is None
    confirm = reverse("subscription_confirm", args=[sub.pk, sub.token])
    assert confirm in mail.outbox[0].body
    assert client.get(confirm).status_code == 200
    sub.refresh_from_db()
    assert sub.confirmed_at is None  # opening the link alone (a mail scanner) confirms nothing
    client.post(confirm)
    sub.refresh_from_db()
    assert sub.confirmed_at is not None


def test_subscribing_says_the_same_for_a_known_address(client: Client, world: World) -> None:
    Subscription.objects.create(email="al@example.nl", gemeente=world.gemeente, confirmed_at=timezone.now())
    response = client.post(
        reverse("subscribe", args=[world.gemeente.code]),
        {"email": "al@example.nl", "area": f"gemeente:{world.gemeente.pk}"},
    )
    assert response["Location"] == reverse("subscription_sent") and mail.outbox == []


def test_subscribing_refuses_bad_input_and_robots(client: Client, world: World) -> None:
    url = reverse("subscribe", args=[world.gemeente.code])
    bad = client.post(url, {"email": "geen-adres", "area": f"gemeente:{world.gemeente.pk}"})
    assert bad.status_code == 200 and "e-mailadres" in bad.content.decode().lower()
    robot = client.post(url, {"email": "bot@example.nl", "area": f"gemeente:{world.gemeente.pk}", "website": "x"})
    assert robot.status_code == 302 and not Subscription.objects.exists()


def test_unsubscribing_takes_one_click_and_a_wrong_token_does_nothing(client: Client, world: World) -> None:
    sub = Subscription.objects.create(email="weg@example.nl", gemeente=world.gemeente, confirmed_at=timezone.now())
    wrong = client.get(reverse("subscription_unsubscribe", args=[sub.pk, "0" * 32]))
    assert wrong.status_code == 200 and Subscription.objects.exists()
    # RFC 8058: the mail client POSTs without a CSRF token.
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(
        reverse("subscription_unsubscribe", args=[sub.pk, sub.token]), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200 and not Subscription.objects.exists()
    assert "afgemeld" in response.content.decode()


def test_an_unknown_confirmation_link_explains_what_to_do(client: Client) -> None:
    response = client.get(reverse("subscription_confirm", args=[999, "x"]))
    assert response.status_code == 404 and "opnieuw aanmelden" in response.content.decode()


def test_an_empty_subscription_form_says_what_is_missing(client: Client, world: World) -> None:
    response = client.post(reverse("subscribe", args=[world.gemeente.code]), {})
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("url_name", ["subscribe", "gemeente_alerts"])
def test_the_honeypot_takes_no_focus_and_no_autofill(client: Client, world: World, url_name: str) -> None:
    # It sits off screen inside aria-hidden: a Tab landing there would be lost to keyboard users.
    page = client.get(reverse(url_name, args=[world.gemeente.code])).content.decode()
    honeypot = re.search(r'<div class="honeypot" aria-hidden="true">.*?(<input[^>]*>)', page, re.S)
    assert honeypot is not None
    assert 'tabindex="-1"' in honeypot.group(1) and 'autocomplete="off"' in honeypot.group(1)
