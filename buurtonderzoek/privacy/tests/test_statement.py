"""The public privacy statement: real settings in the text, versions frozen and kept, used by the field app."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client, override_settings
from django.urls import reverse

from buurtonderzoek.canvass.api import route_payload
from buurtonderzoek.canvass.tests.test_field_support import make_field
from buurtonderzoek.core.models import AuditAction, AuditEvent
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.privacy.models import PrivacyStatement
from buurtonderzoek.privacy.statement import current_statement, current_version, statement_url
from buurtonderzoek.privacy.tests.conftest import People
from conftest import World

pytestmark = pytest.mark.django_db

CONTROLLER = {"PRIVACY_CONTROLLER_NAME": "Gemeente Demodorp", "PRIVACY_CONTROLLER_EMAIL": "privacy@demodorp.nl"}


@override_settings(**CONTROLLER, RETENTION_CONTACT_DAYS=60, RETENTION_FREE_TEXT_DAYS=200)
def test_anyone_reads_the_statement_with_the_configured_controller_and_periods(client: Client) -> None:
    response = client.get(reverse("privacy_statement"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Gemeente Demodorp" in text
    assert 'href="mailto:privacy@demodorp.nl"' in text
    assert "tot 60 dagen nadat de zaak is afgesloten" in text
    assert "tot 200 dagen nadat de zaak is afgesloten" in text
    for right in ("inzage", "correctie", "verwijdering", "bezwaar", "Autoriteit Persoonsgegevens"):
        assert right in text
    for part in ("Aan de deur", "Een tip via de QR-code", "De vragenlijst over veiligheid"):
        assert part in text
    assert f"Versie {current_version()}" in text


@override_settings(**CONTROLLER)
def test_the_statement_is_in_english_too(client: Client) -> None:
    client.cookies["django_language"] = "en"
    text = client.get(reverse("privacy_statement"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Privacy statement" in text
    assert "Your rights" in text
    assert "Dutch Data Protection Authority" in text


def test_a_version_is_published_once_and_audited() -> None:
    first = current_statement()
    again = current_statement()
    assert first.pk == again.pk
    assert PrivacyStatement.objects.count() == 1
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="privacy.PrivacyStatement")
    assert first.version in event.summary


def test_changed_settings_make_a_new_version_and_the_old_one_stays_readable(client: Client) -> None:
    with override_settings(RETENTION_CONTACT_DAYS=90):
        old = current_version()
    with override_settings(RETENTION_CONTACT_DAYS=30):
        new = current_version()
        assert new != old
        old_page = client.get(statement_url(old)).content.decode()
        new_page = client.get(reverse("privacy_statement")).content.decode()
    assert "tot 90 dagen" in old_page and "tot 30 dagen" not in old_page
    assert "Dit is een oudere versie" in old_page
    assert "tot 30 dagen" in new_page and "Dit is een oudere versie" not in new_page
    assert statement_url(old) in new_page  # every version is listed


def test_an_unknown_version_is_not_found(client: Client) -> None:
    current_statement()
    assert client.get(statement_url("1999-1")).status_code == 404
    assert client.get(reverse("privacy_statement_version", args=["onzin"])).status_code == 404


def test_the_field_app_gets_the_current_version_to_fill_in(world: World, incident: Incident) -> None:
    field = make_field(world, incident)
    payload = route_payload(field.route, world.bob)
    assert payload["context"]["privacy_notice_version"] == current_version()
    assert payload["context"]["privacy_notice_version"] != ""


def test_the_tip_form_and_the_survey_link_to_the_statement(client: Client, incident: Incident) -> None:
    link = f'href="{reverse("privacy_statement")}"'
    assert link in client.get(reverse("tip_form", args=[incident.public_token])).content.decode()
    assert link in client.get(reverse("monitor:survey_start")).content.decode()


def test_the_police_report_names_the_version_shown_at_each_door(people: People, client: Client) -> None:
    witnesses = people.report.document["witnesses"]
    shown = current_version()
    assert witnesses and all(w["privacy_notice_version"] == shown for w in witnesses)
    html = render_to_string("handoff/_document.html", {"doc": people.report.document, "show_witnesses": True})
    assert f"Privacyverklaring versie {shown} getoond" in html
