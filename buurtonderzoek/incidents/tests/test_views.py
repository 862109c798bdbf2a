from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buurtonderzoek.accounts.tests.conftest import give_totp
from buurtonderzoek.core.tests.html_checks import dangling_references, described_by_count
from buurtonderzoek.incidents.models import Incident, IncidentStatus
from buurtonderzoek.incidents.tests.fixtures import central_address
from conftest import World

pytestmark = pytest.mark.django_db


def window() -> dict[str, str]:
    now = timezone.localtime()
    return {
        "occurred_from": (now - timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M"),
        "occurred_until": (now - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
    }


def form_data(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "team": world.team.pk,
        "incident_type": "autokraak",
        **window(),
        "description": "Ruit ingeslagen, navigatie weg.",
        "victim_consent": "on",
        **extra,
    }


# List


def test_list_requires_login(client: Client) -> None:
    response = client.get(reverse("incident_list"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_list_shows_an_outsider_nothing_of_demodorp(client: Client, world: World, incident: Incident) -> None:
    client.force_login(world.charlie)
    page = client.get(reverse("incident_list")).content.decode()
    assert incident.location_label not in page


def test_list_shows_volunteers_the_team_incidents_without_a_register_button(
    client: Client, world: World, incident: Incident
) -> None:
    client.force_login(world.bob)
    page = client.get(reverse("incident_list")).content.decode()
    assert incident.location_label in page
    assert reverse("incident_new") not in page


def test_list_shows_coordinators_incidents_with_the_hic_mark(
    client: Client, world: World, incident: Incident, django_assert_max_num_queries
) -> None:
    client.force_login(world.alice)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("incident_list")).content.decode()
    assert incident.location_label in page and "HIC" in page and reverse("incident_new") in page


# Registration


def test_registration_requires_login(client: Client) -> None:
    response = client.get(reverse("incident_new"))
    assert response.status_code == 302


def test_registration_refuses_volunteers(client: Client, world: World) -> None:
    client.force_login(world.bob)
    assert client.get(reverse("incident_new")).status_code == 403
    assert client.post(reverse("incident_new"), form_data(world)).status_code == 403


def test_registration_ignores_a_team_the_user_may_not_register_for(client: Client, world: World, streets) -> None:
    client.force_login(world.charlie)
    response = client.post(reverse("incident_new"), form_data(world, lat="52.03", lon="5.17"))
    assert response.status_code == 200
    assert not Incident.objects.filter(team=world.team).exists()


def test_a_coordinator_registers_an_incident_at_an_address(client: Client, world: World, streets) -> None:
    client.force_login(world.alice)
    address = central_address(world.gemeente.code)
    response = client.post(
        reverse("incident_new"),
        form_data(world, address=address.pk, police_registration_number="pl0900-2025123456"),
    )
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("incident_detail", args=[incident.pk])
    assert incident.address == address and incident.created_by == world.alice
    assert incident.police_registration_number == "PL0900-2025123456"


def test_a_coordinator_registers_an_incident_at_a_map_point(client: Client, world: World) -> None:
    client.force_login(world.alice)
    response = client.post(reverse("incident_new"), form_data(world, lat="52.031", lon="5.171"))
    assert response.status_code == 302
    assert Incident.objects.get().address is None


def test_police_register_an_incident_for_a_team_in_their_area(client: Client, world: World) -> None:
    give_totp(world.petra)
    client.force_login(world.petra)
    page = client.get(reverse("incident_new")).content.decode()
    assert "Buurtpreventie Noord" in page and "Buurtpreventie Elders" not in page
    response = client.post(reverse("incident_new"), form_data(world, lat="52.031", lon="5.171"))
    assert response.status_code == 302
    assert Incident.objects.get().created_by == world.petra


def test_registration_explains_what_is_missing_in_dutch(client: Client, world: World) -> None:
    client.force_login(world.alice)
    data = form_data(world, description="")
    data["occurred_until"] = (timezone.localtime() - timedelta(hours=9)).strftime("%Y-%m-%dT%H:%M")
    page = client.post(reverse("incident_new"), data).content.decode()
    assert "Kies een adres uit de zoekresultaten of klik de plaats aan op de kaart." in page
    assert "Het einde ligt vóór het begin." in page
    assert 'value="autokraak" selected' in page
    assert not Incident.objects.exists()


def test_the_search_button_lists_addresses_without_javascript(client: Client, world: World, streets) -> None:
    client.force_login(world.alice)
    target = streets[5]
    data = form_data(world, address_query=f"{target.street} {target.huisnummer}", search="1")
    page = client.post(reverse("incident_new"), data).content.decode()
    assert f'value="{target.pk}"' in page and "checked" in page
    assert "Kies een adres uit" not in page  # searching is not submitting: no errors yet
    assert not Incident.objects.exists()


# Address suggestions (htmx)


def test_suggestions_require_login(client: Client, world: World) -> None:
    assert client.get(reverse("incident_address_suggestions"), {"team": str(world.team.pk)}).status_code == 302


def test_suggestions_hide_other_teams(client: Client, world: World, streets) -> None:
    client.force_login(world.charlie)
    response = client.get(
        reverse("incident_address_suggestions"), {"team": str(world.team.pk), "address_query": "Kerk"}
    )
    assert response.status_code == 404


def test_suggestions_are_not_for_volunteers(client: Client, world: World, streets) -> None:
    client.force_login(world.bob)
    response = client.get(
        reverse("incident_address_suggestions"), {"team": str(world.team.pk), "address_query": "Kerk"}
    )
    assert response.status_code == 404


def test_suggestions_list_matching_addresses(client: Client, world: World, streets) -> None:
    client.force_login(world.alice)
    target = streets[7]
    response = client.get(
        reverse("incident_address_suggestions"),
        {"team": str(world.team.pk), "address_query": f"{target.street} {target.huisnummer}"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert f'value="{target.pk}"' in response.content.decode()


# Detail


def test_detail_requires_login(client: Client, incident: Incident) -> None:
    assert client.get(reverse("incident_detail", args=[incident.pk])).status_code == 302


def test_detail_is_404_for_outsiders_and_the_gemeente(client: Client, world: World, incident: Incident) -> None:
    for user in (world.charlie, world.gert):
        give_totp(user) if user == world.gert else None
        client.force_login(user)
        assert client.get(reverse("incident_detail", args=[incident.pk])).status_code == 404


def test_detail_is_read_only_for_volunteers(client: Client, world: World, incident: Incident) -> None:
    client.force_login(world.bob)
    page = client.get(reverse("incident_detail", args=[incident.pk])).content.decode()
    assert incident.description in page
    assert reverse("incident_transition", args=[incident.pk]) not in page


def test_detail_shows_the_history_and_the_next_steps(client: Client, world: World, incident: Incident) -> None:
    client.force_login(world.alice)
    page = client.get(reverse("incident_detail", args=[incident.pk])).content.decode()
    assert "Geschiedenis" in page and "geregistreerd" in page
    assert 'value="cancelled"' in page and 'value="closed"' in page
    assert 'value="canvass_planned"' not in page  # planning the canvass sets it
    assert 'value="reported"' not in page
    assert reverse("canvass_plan", args=[incident.pk]) in page


# Transition


def test_transition_requires_login(client: Client, incident: Incident) -> None:
    assert client.post(reverse("incident_transition", args=[incident.pk]), {"to": "cancelled"}).status_code == 302


def test_transition_is_404_for_outsiders(client: Client, world: World, incident: Incident) -> None:
    client.force_login(world.charlie)
    assert client.post(reverse("incident_transition", args=[incident.pk]), {"to": "cancelled"}).status_code == 404


def test_transition_is_403_for_volunteers_and_police(client: Client, world: World, incident: Incident) -> None:
    give_totp(world.petra)
    for user in (world.bob, world.petra):
        client.force_login(user)
        assert client.post(reverse("incident_transition", args=[incident.pk]), {"to": "cancelled"}).status_code == 403
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.REGISTERED


def test_a_coordinator_cancels_with_a_note_that_shows_in_the_history(
    client: Client, world: World, incident: Incident
) -> None:
    client.force_login(world.alice)
    url = reverse("incident_transition", args=[incident.pk])
    response = client.post(url, {"to": "cancelled", "note": "Dader al bekend"}, follow=True)
    assert "Dader al bekend" in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CANCELLED


def test_planned_is_set_by_planning_not_by_hand(client: Client, world: World, incident: Incident) -> None:
    client.force_login(world.alice)
    response = client.post(reverse("incident_transition", args=[incident.pk]), {"to": "canvass_planned"}, follow=True)
    assert "Buurtonderzoek plannen" in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.REGISTERED


def test_a_refused_transition_says_why_in_dutch(client: Client, world: World, incident: Incident) -> None:
    client.force_login(world.alice)
    response = client.post(reverse("incident_transition", args=[incident.pk]), {"to": "reported"}, follow=True)
    assert "kan niet naar" in response.content.decode()


def test_the_status_form_starts_without_a_status_chosen(client: Client, world: World, incident: Incident) -> None:
    # Closing or cancelling by pressing the button on a pre-selected option must not happen.
    client.force_login(world.alice)
    page = client.get(reverse("incident_detail", args=[incident.pk])).content.decode()
    assert '<option value="" selected disabled>Kies een status</option>' in page
    response = client.post(reverse("incident_transition", args=[incident.pk]), {"to": "", "note": "Dubbel gemeld"})
    page = response.content.decode()
    # The refusal comes back at the select (read out with it), the note typed is kept.
    assert response.status_code == 400 and "Kies een geldige nieuwe status." in page
    assert 'aria-describedby="id_to_error" aria-invalid="true"' in page and 'id="id_to_error"' in page
    assert 'value="Dubbel gemeld"' in page and dangling_references(page) == []
    incident.refresh_from_db()
    assert incident.status == "registered"


def test_every_description_the_registration_form_points_at_is_on_the_page(client: Client, world: World) -> None:
    # After an empty submit a screen reader reads each field's error and help text through aria-describedby.
    client.force_login(world.alice)
    empty = client.post(reverse("incident_new"), {"team": world.team.pk}).content.decode()
    assert dangling_references(empty) == []
    assert 'aria-describedby="id_incident_type_error"' in empty and 'id="id_incident_type_error"' in empty
    assert described_by_count(empty) >= 4
    for page in (
        client.get(reverse("incident_new")).content.decode(),
        client.post(reverse("incident_new"), {"team": world.team.pk, "search": "1"}).content.decode(),
    ):
        assert dangling_references(page) == []
        assert 'aria-invalid="true"' not in page  # no errors shown yet, so nothing is announced as invalid
