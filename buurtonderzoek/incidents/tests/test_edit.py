"""Correcting an incident after registration: the page /incidenten/<pk>/wijzigen/ and update_incident."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buurtonderzoek.accounts.tests.conftest import give_totp
from buurtonderzoek.canvass.actions import plan_canvass
from buurtonderzoek.core.models import AuditAction, AuditEvent
from buurtonderzoek.incidents.actions import transition_incident, update_incident
from buurtonderzoek.incidents.models import Incident, IncidentStatus, IncidentType
from buurtonderzoek.places.models import Address
from conftest import World

pytestmark = pytest.mark.django_db

LOCAL = "%Y-%m-%dT%H:%M"


def edit_url(incident: Incident) -> str:
    return reverse("incident_edit", args=[incident.pk])


def local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime(LOCAL)


def posted(incident: Incident, **extra: Any) -> dict[str, Any]:
    """What the prefilled form sends back when nothing is touched, with `extra` typed over it."""
    data: dict[str, Any] = {
        "incident_type": incident.incident_type,
        "occurred_from": local(incident.occurred_from),
        "occurred_until": local(incident.occurred_until),
        "police_registration_number": incident.police_registration_number,
        "description": incident.description,
        "team": incident.team_id,
    }
    if incident.address_id is not None:
        data["address"] = incident.address_id
    else:
        data["lat"], data["lon"] = f"{incident.lat:.6f}", f"{incident.lon:.6f}"
    if incident.victim_consent:
        data["victim_consent"] = "on"
    data.update(extra)
    return {key: value for key, value in data.items() if value is not None}


def edit_events(incident: Incident) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type="incidents.Incident",
            object_id=str(incident.pk),
            action=AuditAction.UPDATE,
            data__has_key="fields",
        ).order_by("id")
    )


def other_address(incident: Incident, streets: list[Address]) -> Address:
    return next(a for a in streets if a.pk != incident.address_id)


# The four standard tests


def test_editing_requires_login(client: Client, incident: Incident) -> None:
    response = client.get(edit_url(incident))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_editing_is_404_for_outsiders(client: Client, world: World, incident: Incident) -> None:
    client.force_login(world.charlie)
    assert client.get(edit_url(incident)).status_code == 404
    assert client.post(edit_url(incident), posted(incident, incident_type="overig")).status_code == 404
    incident.refresh_from_db()
    assert incident.incident_type == IncidentType.WONINGINBRAAK


def test_editing_is_403_for_volunteers_of_the_team(client: Client, world: World, incident: Incident) -> None:
    client.force_login(world.bob)
    assert client.get(edit_url(incident)).status_code == 403
    assert client.post(edit_url(incident), posted(incident, incident_type="overig")).status_code == 403
    incident.refresh_from_db()
    assert incident.incident_type == IncidentType.WONINGINBRAAK
    assert edit_events(incident) == []
    page = client.get(reverse("incident_detail", args=[incident.pk])).content.decode()
    assert edit_url(incident) not in page


def test_a_coordinator_corrects_the_type_window_and_police_number(
    client: Client, world: World, incident: Incident
) -> None:
    client.force_login(world.alice)
    detail = client.get(reverse("incident_detail", args=[incident.pk])).content.decode()
    assert edit_url(incident) in detail and "Gegevens wijzigen" in detail

    form = client.get(edit_url(incident)).content.decode()
    assert 'value="woninginbraak" selected' in form
    assert f'value="{local(incident.occurred_from)}"' in form
    assert incident.description in form and 'name="victim_consent"' in form and "checked" in form

    start = timezone.localtime() - timedelta(days=2, hours=3)
    data = posted(
        incident,
        incident_type="fietsdiefstal",
        occurred_from=start.strftime(LOCAL),
        occurred_until=(start + timedelta(hours=1)).strftime(LOCAL),
        police_registration_number="pl0900-2025000111",
    )
    response = client.post(edit_url(incident), data)
    assert response.status_code == 302 and response["Location"] == reverse("incident_detail", args=[incident.pk])
    incident.refresh_from_db()
    assert incident.incident_type == IncidentType.FIETSDIEFSTAL
    assert local(incident.occurred_from) == start.strftime(LOCAL)
    assert incident.police_registration_number == "PL0900-2025000111"
    assert incident.status == IncidentStatus.REGISTERED
    [event] = edit_events(incident)
    assert event.actor == world.alice
    assert event.data["fields"] == [
        "incident_type",
        "occurred_from",
        "occurred_until",
        "police_registration_number",
    ]


def test_the_incident_page_shows_the_corrected_type_and_window_and_the_edit_in_its_history(
    client: Client, world: World, incident: Incident
) -> None:
    client.force_login(world.alice)
    start = (timezone.localtime() - timedelta(days=3)).replace(hour=21, minute=15)
    data = posted(
        incident,
        incident_type="autokraak",
        occurred_from=start.strftime(LOCAL),
        occurred_until=(start + timedelta(minutes=30)).strftime(LOCAL),
    )
    page = client.post(edit_url(incident), data, follow=True).content.decode()
    assert "De gegevens van het incident zijn gewijzigd." in page
    assert "Autokraak / diefstal uit auto" in page and "Woninginbraak" not in page
    assert "21:15" in page and "21:45" in page
    assert "Gewijzigde gegevens" in page
    assert "soort incident, begin van de tijdsperiode, einde van de tijdsperiode" in page


def test_sending_the_form_back_untouched_changes_nothing(client: Client, world: World, incident: Incident) -> None:
    # The stored window has seconds; the form shows minutes. Untouched is not a change.
    before = (incident.occurred_from, incident.occurred_until)
    client.force_login(world.alice)
    page = client.post(edit_url(incident), posted(incident), follow=True).content.decode()
    assert "Er was niets veranderd" in page
    incident.refresh_from_db()
    assert (incident.occurred_from, incident.occurred_until) == before
    assert edit_events(incident) == []


# Who else may edit


def test_police_of_the_area_may_edit(client: Client, world: World, incident: Incident) -> None:
    give_totp(world.petra)
    client.force_login(world.petra)
    assert edit_url(incident) in client.get(reverse("incident_detail", args=[incident.pk])).content.decode()
    response = client.post(edit_url(incident), posted(incident, police_registration_number="PL0900-2025999999"))
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.police_registration_number == "PL0900-2025999999"
    assert edit_events(incident)[0].actor == world.petra


# Bad input


def test_errors_are_summarised_in_dutch_and_keep_what_was_typed(
    client: Client, world: World, incident: Incident
) -> None:
    client.force_login(world.alice)
    data = posted(
        incident,
        incident_type="straatroof",
        occurred_until=local(incident.occurred_from - timedelta(hours=2)),
        police_registration_number="PL#0900",
        description="Tas afgepakt bij de bushalte, dader op een scooter.",
    )
    response = client.post(edit_url(incident), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="error-summary"' in page and "Er ging iets mis" in page
    assert "Het einde ligt vóór het begin. Controleer de datum en tijd." in page
    assert "Gebruik alleen letters, cijfers en streepjes" in page
    assert 'value="straatroof" selected' in page
    assert "Tas afgepakt bij de bushalte, dader op een scooter." in page
    assert 'value="PL#0900"' in page
    incident.refresh_from_db()
    assert incident.incident_type == IncidentType.WONINGINBRAAK and edit_events(incident) == []


def test_a_window_starting_in_the_future_is_refused(client: Client, world: World, incident: Incident) -> None:
    client.force_login(world.alice)
    later = timezone.localtime() + timedelta(days=1)
    data = posted(
        incident, occurred_from=later.strftime(LOCAL), occurred_until=(later + timedelta(hours=1)).strftime(LOCAL)
    )
    page = client.post(edit_url(incident), data).content.decode()
    assert "Het begin ligt in de toekomst." in page
    with pytest.raises(ValidationError) as refused:
        update_incident(incident, by=world.alice, occurred_from=later, occurred_until=later + timedelta(hours=1))
    assert "occurred_from" in refused.value.message_dict


def test_the_action_applies_the_registration_rules_to_other_callers(world: World, incident: Incident) -> None:
    with pytest.raises(ValidationError) as refused:
        update_incident(incident, by=world.alice, occurred_until=incident.occurred_from - timedelta(minutes=1))
    assert refused.value.message_dict["occurred_until"] == [
        "Het einde ligt vóór het begin. Controleer de datum en tijd."
    ]
    with pytest.raises(ValidationError) as refused:
        update_incident(incident, by=world.alice, police_registration_number="PL 0900 <script>")
    assert "police_registration_number" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        update_incident(incident, by=world.alice, incident_type="moord")
    assert "incident_type" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        update_incident(incident, by=world.alice, description="   ")
    assert "description" in refused.value.message_dict
    with pytest.raises(TypeError):
        update_incident(incident, by=world.alice, team=world.other_team)
    incident.refresh_from_db()
    assert incident.incident_type == IncidentType.WONINGINBRAAK and edit_events(incident) == []


# Final incidents


def test_a_closed_or_cancelled_incident_is_not_changed(client: Client, world: World, incident: Incident) -> None:
    transition_incident(incident, to=IncidentStatus.CANCELLED, by=world.alice, note="dubbel")
    client.force_login(world.alice)
    assert edit_url(incident) not in client.get(reverse("incident_detail", args=[incident.pk])).content.decode()
    page = client.get(edit_url(incident), follow=True).content.decode()
    assert "Dit incident is geannuleerd; de gegevens kunnen niet meer worden gewijzigd." in page
    response = client.post(edit_url(incident), posted(incident, incident_type="overig"))
    assert response.status_code == 302
    with pytest.raises(ValidationError, match="kunnen niet meer worden gewijzigd"):
        update_incident(incident, by=world.alice, incident_type=IncidentType.OVERIG)
    incident.refresh_from_db()
    assert incident.incident_type == IncidentType.WONINGINBRAAK and edit_events(incident) == []


# Location


def test_the_location_moves_to_another_address_while_no_canvass_is_planned(
    client: Client, world: World, incident: Incident, streets: list[Address]
) -> None:
    old_address_id = incident.address_id
    target = other_address(incident, streets)
    client.force_login(world.alice)
    form = client.get(edit_url(incident)).content.decode()
    assert "alleen wijzigen zolang er geen buurtonderzoek is gepland" in form
    assert f'value="{incident.address_id}"' in form and 'name="address_query"' in form
    response = client.post(edit_url(incident), posted(incident, address=target.pk))
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.address == target and (incident.x, incident.y) == (target.x, target.y)
    assert incident.location_label == str(target)
    [event] = edit_events(incident)
    assert event.data["fields"] == ["location"]
    assert event.data["changes"] == {"location": {"old": {"address": old_address_id}, "new": {"address": target.pk}}}


def test_the_location_moves_to_a_map_point(world: World, incident: Incident) -> None:
    assert update_incident(incident, by=world.alice, point=(52.0305, 5.1705)) == ["location"]
    incident.refresh_from_db()
    assert incident.address is None and incident.location_label.startswith("Kaartpunt")
    # The same point again (as the form sends it back, rounded) is not a move.
    assert update_incident(incident, by=world.alice, point=(round(incident.lat, 6), round(incident.lon, 6))) == []


def test_the_location_is_locked_once_a_canvass_is_planned(
    client: Client, world: World, incident: Incident, streets: list[Address]
) -> None:
    plan_canvass(incident, by=world.alice, route_count=2, radius_m=100)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CANVASS_PLANNED
    original = (incident.address_id, incident.x, incident.y)
    target = other_address(incident, streets)
    client.force_login(world.alice)

    form = client.get(edit_url(incident)).content.decode()
    assert "alleen wijzigen zolang er geen buurtonderzoek is gepland" in form
    assert 'name="address_query"' not in form and 'name="lat"' not in form

    page = client.post(edit_url(incident), posted(incident, address=target.pk)).content.decode()
    assert "De locatie kan niet meer worden gewijzigd" in page and "Er ging iets mis" in page
    with pytest.raises(ValidationError, match="De locatie kan niet meer worden gewijzigd"):
        update_incident(incident, by=world.alice, point=(52.0305, 5.1705))
    incident.refresh_from_db()
    assert (incident.address_id, incident.x, incident.y) == original and edit_events(incident) == []

    # The other details can still be corrected; the page sends no location then.
    data = posted(incident, police_registration_number="PL0900-2025000222")
    del data["address"]
    assert client.post(edit_url(incident), data).status_code == 302
    incident.refresh_from_db()
    assert incident.police_registration_number == "PL0900-2025000222"
    assert (incident.address_id, incident.x, incident.y) == original


# Consent


def test_consent_can_be_withdrawn_while_no_canvass_is_planned(client: Client, world: World, incident: Incident) -> None:
    client.force_login(world.alice)
    data = posted(incident)
    del data["victim_consent"]
    page = client.post(edit_url(incident), data, follow=True).content.decode()
    incident.refresh_from_db()
    assert incident.victim_consent is False
    assert "plannen kan pas daarna" in page  # planning a canvass is closed now
    with pytest.raises(ValidationError):
        plan_canvass(incident, by=world.alice, route_count=1, radius_m=100)
    [event] = edit_events(incident)
    assert event.data["changes"] == {"victim_consent": {"old": True, "new": False}}
    # ... and given again later.
    assert update_incident(incident, by=world.alice, victim_consent=True) == ["victim_consent"]


def test_consent_cannot_be_withdrawn_under_a_planned_canvass(client: Client, world: World, incident: Incident) -> None:
    plan_canvass(incident, by=world.alice, route_count=2, radius_m=100)
    client.force_login(world.alice)
    data = posted(incident)
    del data["victim_consent"], data["address"]
    page = client.post(edit_url(incident), data).content.decode()
    assert "zet de status dan eerst terug naar" in page
    incident.refresh_from_db()
    assert incident.victim_consent is True
    # Withdrawing the plan first (back to "registered") makes the withdrawal possible.
    transition_incident(incident, to=IncidentStatus.REGISTERED, by=world.alice, note="slachtoffer trekt in")
    assert update_incident(incident, by=world.alice, victim_consent=False) == ["victim_consent"]


# Audit


def test_the_audit_event_lists_old_and_new_values_but_not_the_description(world: World, incident: Incident) -> None:
    old_text = incident.description
    new_text = "Inbraak via het toiletraam; buurman J. de Vries zag iemand wegrennen."
    old_from = incident.occurred_from
    new_from = old_from - timedelta(hours=1)
    fields = update_incident(
        incident,
        by=world.alice,
        incident_type=IncidentType.POGING_WONINGINBRAAK,
        occurred_from=new_from,
        description=new_text,
    )
    assert fields == ["incident_type", "occurred_from", "description"]
    [event] = edit_events(incident)
    assert event.actor == world.alice and event.action == AuditAction.UPDATE
    assert event.data["fields"] == fields
    assert event.data["changes"] == {
        "incident_type": {"old": "woninginbraak", "new": "poging_woninginbraak"},
        "occurred_from": {"old": old_from.astimezone(UTC).isoformat(), "new": new_from.astimezone(UTC).isoformat()},
    }
    stored = f"{event.summary} {event.data}"
    assert "description" in event.summary
    for text in (old_text, new_text, "Vries", "toiletraam", "achterdeur"):
        assert text not in stored
    incident.refresh_from_db()
    assert incident.description == new_text


def test_the_search_button_lists_addresses_without_saving(
    client: Client, world: World, incident: Incident, streets: list[Address]
) -> None:
    target = other_address(incident, streets)
    client.force_login(world.alice)
    data = posted(incident, address_query=f"{target.street} {target.huisnummer}", search="1", description="")
    page = client.post(edit_url(incident), data).content.decode()
    assert f'value="{target.pk}"' in page
    assert "Er ging iets mis" not in page  # searching is not saving: no errors yet
    incident.refresh_from_db()
    assert incident.address_id != target.pk and edit_events(incident) == []
