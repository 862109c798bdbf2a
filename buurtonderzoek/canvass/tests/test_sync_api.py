"""The field app's sync endpoint: exactly once, per-visit answers, conflicts kept, access enforced."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from buurtonderzoek.accounts.models import User
from buurtonderzoek.accounts.tests.conftest import give_totp
from buurtonderzoek.canvass.actions import record_visit, review_visit
from buurtonderzoek.canvass.models import DoorVisit
from buurtonderzoek.canvass.sync import MAX_BATCH, conflicts_for
from buurtonderzoek.canvass.tests.test_field_support import PERSON, SPOKEN_WITH_PERSON, Field, make_field
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.privacy.statement import current_statement
from conftest import World

SYNC = reverse("api-field-sync")


@pytest.fixture
def field(world: World, incident: Incident) -> Field:
    return make_field(world, incident)


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def send(user: User | None, visits: list[dict[str, Any]] | Any) -> Any:
    return client_for(user).post(SYNC, {"visits": visits}, format="json")


def results(response: Any) -> dict[str, dict[str, Any]]:
    return {r["client_uuid"]: r for r in response.json()["results"]}


# Exactly once ---------------------------------------------------------------------------------


def test_it_stores_a_batch_once_and_answers_duplicate_when_it_comes_again(field: Field) -> None:
    stops = field.stops
    visits = [
        field.visit(stops[0], outcome="niet_thuis"),
        field.visit(stops[1], outcome="gesproken", answers=SPOKEN_WITH_PERSON),
        field.visit(stops[2], outcome="briefje"),
    ]
    first = send(field.world.bob, visits)
    assert first.status_code == 200
    assert first.json()["accepted"] == 3
    assert {r["status"] for r in first.json()["results"]} == {"accepted"}

    # The phone never heard the answer (the connection dropped) and sends the same queue again.
    again = send(field.world.bob, visits)
    assert again.status_code == 200
    assert again.json() | {"results": None} == {"accepted": 0, "duplicate": 3, "rejected": 0, "results": None}
    first_ids = {uuid: r["visit"] for uuid, r in results(first).items()}
    assert {uuid: r["visit"] for uuid, r in results(again).items()} == first_ids
    assert DoorVisit.objects.filter(canvass=field.canvass).count() == 3


def test_it_stores_the_answers_with_the_questionnaire_version(field: Field) -> None:
    visit = field.visit(outcome="gesproken", answers=SPOKEN_WITH_PERSON)
    send(field.world.bob, [visit])
    stored = DoorVisit.objects.get(client_uuid=visit["client_uuid"])
    assert stored.volunteer == field.world.bob
    assert stored.questionnaire_version == field.version
    assert stored.answers["persons"] == [PERSON]
    assert stored.stop_id == field.stops[0].pk


def test_it_answers_duplicate_for_a_uuid_repeated_within_one_batch(field: Field) -> None:
    visit = field.visit()
    response = send(field.world.bob, [visit, visit])
    assert [r["status"] for r in response.json()["results"]] == ["accepted", "duplicate"]
    assert DoorVisit.objects.filter(client_uuid=visit["client_uuid"]).count() == 1


def test_it_refuses_a_uuid_that_belongs_to_another_volunteers_visit(field: Field) -> None:
    visit = field.visit()
    send(field.world.bob, [visit])
    response = send(field.world.alice, [visit])
    result = results(response)[visit["client_uuid"]]
    assert result["status"] == "rejected"
    assert result["problem"]["status"] == 409
    assert DoorVisit.objects.get(client_uuid=visit["client_uuid"]).volunteer == field.world.bob


def test_it_syncs_a_full_batch_of_duplicates_in_a_fixed_number_of_queries(
    field: Field, django_assert_max_num_queries: Any
) -> None:
    stops = field.stops
    visits = [field.visit(stops[i % len(stops)]) for i in range(40)]
    send(field.world.bob, visits)
    client = client_for(field.world.bob)
    # Session, user, then the bulk look-ups: no query per visit when everything is already stored.
    with django_assert_max_num_queries(10):
        response = client.post(SYNC, {"visits": visits}, format="json")
    assert response.json()["duplicate"] == 40


# Validation -----------------------------------------------------------------------------------


def test_it_rejects_one_bad_visit_and_keeps_the_rest_of_the_batch(field: Field) -> None:
    stops = field.stops
    good = field.visit(stops[0])
    bad_outcome = field.visit(stops[1], outcome="misschien")
    bad_answers = field.visit(stops[2], outcome="gesproken", answers={"respondent_type": "bewoner"})
    good_too = field.visit(stops[3], outcome="wil_niet")
    response = send(field.world.bob, [good, bad_outcome, bad_answers, good_too])
    assert response.status_code == 200
    by_uuid = results(response)
    assert by_uuid[good["client_uuid"]]["status"] == "accepted"
    assert by_uuid[good_too["client_uuid"]]["status"] == "accepted"

    problem = by_uuid[bad_outcome["client_uuid"]]["problem"]
    assert by_uuid[bad_outcome["client_uuid"]]["status"] == "rejected"
    assert problem["status"] == 400
    assert problem["title"] == "Ongeldige invoer"
    assert problem["errors"]["outcome"] == ["Kies een geldige uitkomst."]

    errors = by_uuid[bad_answers["client_uuid"]]["problem"]["errors"]
    assert errors["answers.seen_anything"] == ["Kies een antwoord."]
    assert "answers.privacy_notice_shown" in errors
    assert DoorVisit.objects.filter(canvass=field.canvass).count() == 2


def test_it_refuses_a_person_description_that_does_not_pass_the_anti_profiling_rules(field: Field) -> None:
    vague = {"behaviour": "Liep weg", "gender": "man", "appearance": "donker", "provenance": "eigen_waarneming"}
    answers = {**SPOKEN_WITH_PERSON, "persons": [{**vague, "certainty": "zeker"}]}
    visit = field.visit(outcome="gesproken", answers=answers)
    result = results(send(field.world.bob, [visit]))[visit["client_uuid"]]
    assert result["status"] == "rejected"
    messages = " ".join(m for msgs in result["problem"]["errors"].values() for m in msgs)
    assert "twee concrete kenmerken" in messages
    assert not DoorVisit.objects.filter(client_uuid=visit["client_uuid"]).exists()


def test_it_explains_missing_and_malformed_fields_per_field(field: Field) -> None:
    response = send(field.world.bob, [{"client_uuid": "geen-uuid", "outcome": "niet_thuis"}, "geen object"])
    first, second = response.json()["results"]
    assert first["status"] == "rejected"
    assert first["client_uuid"] == "geen-uuid"
    assert set(first["problem"]["errors"]) >= {"client_uuid", "canvass", "address", "visited_at"}
    assert first["problem"]["errors"]["canvass"] == ["Vul dit in of kies een antwoord."]
    assert second["status"] == "rejected"


def test_it_rejects_a_visit_in_the_future(field: Field) -> None:
    visit = field.visit(visited_at=timezone.now() + timedelta(hours=2))
    result = results(send(field.world.bob, [visit]))[visit["client_uuid"]]
    assert result["problem"]["errors"]["visited_at"] == ["Het tijdstip van het bezoek ligt in de toekomst."]


def test_it_rejects_an_unknown_questionnaire_version(field: Field) -> None:
    visit = field.visit(outcome="gesproken", questionnaire_version=999_999)
    result = results(send(field.world.bob, [visit]))[visit["client_uuid"]]
    assert result["problem"]["errors"]["questionnaire_version"] == ["Deze versie van de vragenlijst is onbekend."]


def test_it_rejects_visits_once_the_canvass_is_closed(field: Field) -> None:
    field.canvass.status = "cancelled"
    field.canvass.save()
    visit = field.visit()
    result = results(send(field.world.bob, [visit]))[visit["client_uuid"]]
    assert result["status"] == "rejected"
    assert "gesloten" in result["problem"]["detail"]


def test_it_refuses_a_body_without_a_list_of_visits(field: Field) -> None:
    response = client_for(field.world.bob).post(SYNC, {"bezoeken": []}, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "visits" in response.json()["errors"]


def test_it_refuses_more_than_a_full_batch(field: Field) -> None:
    visits = [field.visit() for _ in range(MAX_BATCH + 1)]
    response = send(field.world.bob, visits)
    assert response.status_code == 400
    assert response.json()["errors"]["visits"] == [f"Stuur hoogstens {MAX_BATCH} bezoeken tegelijk."]
    assert not DoorVisit.objects.exists()


# Conflicts ------------------------------------------------------------------------------------


def test_it_keeps_both_visits_when_two_volunteers_record_the_same_door(field: Field) -> None:
    stop = field.stops[4]
    bobs = field.visit(stop, outcome="gesproken", answers=SPOKEN_WITH_PERSON)
    alices = field.visit(stop, outcome="niet_thuis")  # the coordinator walks along
    assert send(field.world.bob, [bobs]).json()["accepted"] == 1
    assert send(field.world.alice, [alices]).json()["accepted"] == 1
    assert DoorVisit.objects.filter(address_id=stop.address_id).count() == 2

    [conflict] = conflicts_for(field.canvass)
    assert conflict.address_id == stop.address_id
    assert {v.volunteer for v in conflict.visits} == {field.world.bob, field.world.alice}
    assert conflict.reasons == ["Twee lopers legden hier binnen een uur een verschillende uitkomst vast."]

    response = client_for(field.world.alice).get(reverse("api-field-conflicts", args=[field.incident.pk]))
    assert response.status_code == 200
    [listed] = response.json()["conflicts"]
    assert listed["address"] == stop.address_id
    assert len(listed["visits"]) == 2


def test_it_does_not_call_a_second_round_a_conflict(field: Field) -> None:
    stop = field.stops[0]
    earlier = timezone.now() - timedelta(hours=3)
    record_visit(
        field.canvass,
        by=field.world.alice,
        client_uuid=uuid4(),
        address_id=stop.address_id,
        outcome="niet_thuis",
        visited_at=earlier,
    )
    send(field.world.bob, [field.visit(stop, outcome="briefje")])
    assert conflicts_for(field.canvass) == []


def test_it_calls_two_conversations_at_one_door_a_conflict_whenever_they_happened(field: Field) -> None:
    stop = field.stops[0]
    send(field.world.bob, [field.visit(stop, outcome="gesproken", visited_at=timezone.now() - timedelta(hours=5))])
    send(field.world.alice, [field.visit(stop, outcome="gesproken")])
    [conflict] = conflicts_for(field.canvass)
    assert conflict.reasons == ["Twee lopers hebben hier allebei een gesprek vastgelegd."]


def test_it_shows_conflicts_only_to_the_coordinator(field: Field) -> None:
    give_totp(field.world.petra)
    url = reverse("api-field-conflicts", args=[field.incident.pk])
    assert client_for(field.world.bob).get(url).status_code == 403
    assert client_for(field.world.petra).get(url).status_code == 403
    assert client_for(field.world.charlie).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 401


# Access ---------------------------------------------------------------------------------------


def test_it_asks_for_a_login_with_401_so_the_phone_keeps_its_queue(field: Field) -> None:
    response = send(None, [field.visit()])
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Niet ingelogd"
    assert client_for(None).get(reverse("api-field-route", args=[field.route.pk])).status_code == 401
    assert not DoorVisit.objects.exists()


def test_it_requires_the_csrf_token_from_the_cookie(field: Field) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(field.world.bob)
    page = client.get(reverse("field_route", args=[field.route.pk]))
    token = page.cookies["csrftoken"].value
    body = {"visits": [field.visit()]}
    refused = client.post(SYNC, body, content_type="application/json")
    assert refused.status_code == 403
    accepted = client.post(SYNC, body, content_type="application/json", headers={"X-CSRFToken": token})
    assert accepted.status_code == 200
    assert accepted.json()["accepted"] == 1


def test_an_outsider_can_neither_read_nor_write_the_route(field: Field) -> None:
    charlie = field.world.charlie
    assert client_for(charlie).get(reverse("api-field-route", args=[field.route.pk])).status_code == 404
    assert client_for(charlie).get(reverse("api-field-routes")).json() == []
    visit = field.visit()
    result = results(send(charlie, [visit]))[visit["client_uuid"]]
    assert result["status"] == "rejected"
    assert result["problem"]["status"] == 404
    assert not DoorVisit.objects.exists()


def test_a_volunteer_cannot_write_on_a_route_someone_else_walks(field: Field) -> None:
    visit = field.visit(field.stops[0])
    result = results(send(field.vera, [visit]))[visit["client_uuid"]]
    assert result["problem"]["status"] == 404
    assert client_for(field.vera).get(reverse("api-field-route", args=[field.route.pk])).status_code == 404
    assert not DoorVisit.objects.exists()


def test_the_police_may_follow_the_route_but_not_record_visits(field: Field) -> None:
    petra = field.world.petra
    give_totp(petra)
    assert client_for(petra).get(reverse("api-field-route", args=[field.route.pk])).status_code == 403
    visit = field.visit()
    result = results(send(petra, [visit]))[visit["client_uuid"]]
    assert result["problem"]["status"] == 403
    assert not DoorVisit.objects.exists()


def test_the_coordinator_records_visits_on_any_route_of_the_team(field: Field) -> None:
    stop = field.other_route.stops.order_by("order").first()
    assert stop is not None
    response = send(field.world.alice, [field.visit(stop, outcome="later_terug")])
    assert response.json()["accepted"] == 1


def test_it_keeps_a_visit_saved_under_another_account_for_that_account(field: Field) -> None:
    # Vera saved this visit on the phone; now bob is logged in on it. Bob must not sign it.
    visit = field.visit(recorded_by=field.vera.pk)
    result = results(send(field.world.bob, [visit]))[visit["client_uuid"]]
    assert result["problem"]["status"] == 403
    assert not DoorVisit.objects.exists()


# Route data -----------------------------------------------------------------------------------


def test_the_route_data_has_the_stops_in_walking_order_and_the_questionnaire(
    field: Field, django_assert_max_num_queries: Any
) -> None:
    stop = field.stops[1]
    send(field.vera, [])
    send(field.world.alice, [field.visit(stop, outcome="niet_thuis")])
    client = client_for(field.world.bob)
    current_statement()  # published once, on the first route anyone opens; then one look-up
    with django_assert_max_num_queries(13):
        response = client.get(reverse("api-field-route", args=[field.route.pk]))
    data = response.json()
    assert [s["order"] for s in data["stops"]] == list(range(1, len(field.stops) + 1))
    assert data["questionnaire"]["id"] == field.version.pk
    assert data["questionnaire"]["schema"] == field.version.schema
    assert data["context"]["incident_type"] == field.incident.incident_type
    assert data["user"]["id"] == field.world.bob.pk
    visited = data["stops"][1]
    assert visited["state"] == "niet_thuis"
    assert visited["visits"][0]["mine"] is False
    assert visited["visits"][0]["by"] == str(field.world.alice)


def test_my_routes_lists_only_the_routes_i_walk(field: Field) -> None:
    data = client_for(field.world.bob).get(reverse("api-field-routes")).json()
    assert [r["id"] for r in data] == [field.route.pk]
    assert data[0]["incident"]["id"] == field.incident.pk


def test_the_route_data_shows_the_coordinators_question_about_my_visit(field: Field) -> None:
    visit = field.visit(outcome="gesproken", answers=SPOKEN_WITH_PERSON)
    stored_id = send(field.world.bob, [visit]).json()["results"][0]["visit"]
    review_visit(
        DoorVisit.objects.get(pk=stored_id), by=field.world.alice, status="has_issues", comment="Hoe laat was dat?"
    )
    data = client_for(field.world.bob).get(reverse("api-field-route", args=[field.route.pk])).json()
    [mine] = data["stops"][0]["visits"]
    assert mine["question"] == "Hoe laat was dat?"
    assert mine["correct_url"] == reverse("visit_correct", args=[field.incident.pk, stored_id])
    # Another walker does not see the question, or a link to someone else's visit.
    alices = client_for(field.world.alice).get(reverse("api-field-route", args=[field.route.pk])).json()
    assert "correct_url" not in alices["stops"][0]["visits"][0]


def test_the_field_api_documents_without_warnings() -> None:
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("", include("buurtonderzoek.canvass.field_urls"))])
    schema = generator.get_schema(request=None, public=True)
    validate_schema(schema)
    assert not GENERATOR_STATS, dict(GENERATOR_STATS._warn_cache) | dict(GENERATOR_STATS._error_cache)
    assert set(schema["paths"]) == {
        "/api/v1/field/routes/",
        "/api/v1/field/routes/{id}/",
        "/api/v1/field/sync/",
        "/api/v1/field/incidents/{id}/conflicts/",
    }
