"""The privacy statement version stored with a visit and a tip is one that was really shown: the
current one, or for a phone that was offline the previous one, within the grace period."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buurtonderzoek.canvass.actions import record_visit, submit_tip
from buurtonderzoek.canvass.models import Canvass, DoorVisit, RouteStop, Tip
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.privacy.models import PrivacyStatement
from buurtonderzoek.privacy.statement import SHOWN_VERSION_GRACE, current_version
from conftest import World


def spoken(version: str) -> dict[str, Any]:
    return {
        "respondent_type": "bewoner",
        "privacy_notice_shown": "ja",
        "privacy_notice_version": version,
        "present": "nee",
        "seen_anything": "nee",
        "has_camera": "nee",
        "contact_consent": "nee",
    }


def visit(canvass: Canvass, world: World, version: str, *, at: Any = None, n: int = 0) -> DoorVisit:
    stop = RouteStop.objects.filter(canvass=canvass).order_by("route__number", "order")[n]
    created, _ = record_visit(
        canvass, by=world.alice, client_uuid=uuid.uuid4(), address_id=stop.address_id, outcome="gesproken",
        visited_at=at or timezone.now(), answers=spoken(version),
    )  # fmt: skip
    return created


def publish_at(monkeypatch: pytest.MonkeyPatch, moment: Any, values: dict[str, Any] | None = None) -> str:
    """Publish a statement as of `moment` (statements are append-only: their date cannot be edited later).
    Without values: the one the settings give, as the app publishes it; with values: a newer text."""
    with monkeypatch.context() as patch:
        patch.setattr(timezone, "now", lambda: moment)
        if values is None:
            return current_version()
        statement = PrivacyStatement.objects.create(revision=1, values=values, fingerprint=uuid.uuid4().hex)
        return statement.version


def test_a_visit_keeps_the_current_version(world: World, canvass: Canvass) -> None:
    version = current_version()
    assert visit(canvass, world, version).answers["privacy_notice_version"] == version


def test_an_offline_visit_with_the_previous_version_is_accepted_and_keeps_it(
    world: World, canvass: Canvass, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = publish_at(monkeypatch, timezone.now() - timedelta(days=40), {"controller_name": "Gemeente Oud"})
    publish_at(monkeypatch, timezone.now() - timedelta(days=2))  # the settings changed two days ago
    stored = visit(canvass, world, old, at=timezone.now() - timedelta(hours=1))
    assert stored.answers["privacy_notice_version"] == old


def test_a_version_superseded_too_long_before_the_visit_is_refused_in_dutch(
    world: World, canvass: Canvass, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = publish_at(monkeypatch, timezone.now() - SHOWN_VERSION_GRACE - timedelta(days=10), {"alert_days": 99})
    newer = publish_at(monkeypatch, timezone.now() - SHOWN_VERSION_GRACE - timedelta(days=1))
    with pytest.raises(ValidationError) as refused:
        visit(canvass, world, old)
    message = refused.value.message_dict["answers.privacy_notice_version"][0]
    assert f"Versie {old} van de privacyverklaring geldt sinds" in message and newer in message
    assert "Open de app met internet" in message
    assert not DoorVisit.objects.exists()


@pytest.mark.parametrize("version", ["2026-999", "onzin", "2026-abc", ""])
def test_an_unknown_version_is_refused_and_nothing_is_stored(world: World, canvass: Canvass, version: str) -> None:
    with pytest.raises(ValidationError) as refused:
        visit(canvass, world, version)
    errors = refused.value.message_dict["answers.privacy_notice_version"]
    # An empty version is refused by the questionnaire (required when shown), the others by the statement check.
    assert "van de privacyverklaring bestaat niet" in errors[0] or (version == "" and errors)
    assert not DoorVisit.objects.exists()


def test_the_sync_api_answers_a_wrong_version_with_a_problem_the_app_can_show(
    client: Client, world: World, canvass: Canvass
) -> None:
    from buurtonderzoek.canvass.actions import assign_route_members

    stop = RouteStop.objects.filter(canvass=canvass).select_related("route").order_by("route__number", "order")[0]
    assign_route_members(stop.route, by=world.alice, members=[world.bob])
    client.force_login(world.bob)
    item = {
        "client_uuid": str(uuid.uuid4()), "canvass": canvass.pk, "address": stop.address_id,
        "outcome": "gesproken", "visited_at": timezone.now().isoformat(), "answers": spoken("1999-1"),
    }  # fmt: skip
    response = client.post(reverse("api-field-sync"), {"visits": [item]}, content_type="application/json")
    [result] = response.json()["results"]
    assert result["status"] == "rejected"
    assert "bestaat niet" in str(result["problem"])
    item["answers"] = spoken(current_version())
    response = client.post(reverse("api-field-sync"), {"visits": [item]}, content_type="application/json")
    assert response.json()["results"][0]["status"] == "accepted"


def test_a_tip_keeps_the_version_its_form_showed(client: Client, incident: Incident, monkeypatch) -> None:
    from buurtonderzoek.canvass import forms

    monkeypatch.setattr(forms, "TIP_MIN_FILL_SECONDS", 0)
    url = reverse("tip_form", args=[incident.public_token])
    page = client.get(url)
    form = page.context["form"]
    shown = form["privacy_version"].value()
    assert shown == current_version() and f'value="{shown}"' in page.content.decode()
    assert reverse("privacy_statement_version", args=[shown]) in page.content.decode()
    client.post(
        url,
        {"started": form["started"].value(), "privacy_version": shown, "text": "Een man bij de schuur om drie uur."},
    )
    assert Tip.objects.get().privacy_version == shown


def test_a_tip_from_a_form_with_a_stale_version_asks_to_read_the_new_one_and_keeps_the_text(
    client: Client, incident: Incident, monkeypatch
) -> None:
    from buurtonderzoek.canvass import forms

    monkeypatch.setattr(forms, "TIP_MIN_FILL_SECONDS", 0)
    url = reverse("tip_form", args=[incident.public_token])
    started = client.get(url).context["form"]["started"].value()
    text = "Een man bij de schuur om drie uur."
    response = client.post(url, {"started": started, "privacy_version": "1999-1", "text": text})
    page = response.content.decode()
    assert response.status_code == 200 and "De privacyverklaring is gewijzigd" in page
    assert text in page and f'value="{current_version()}"' in page
    assert not Tip.objects.exists()


def test_the_tip_action_refuses_an_unknown_version(incident: Incident) -> None:
    with pytest.raises(ValidationError):
        submit_tip(incident, text="Een man bij de schuur.", privacy_version="1999-1")
    assert submit_tip(incident, text="Een man bij de schuur.").privacy_version == current_version()
