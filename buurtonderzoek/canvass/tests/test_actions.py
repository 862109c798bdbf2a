from __future__ import annotations

import itertools
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from buurtonderzoek.canvass.actions import (
    assign_route_members,
    mark_tips_seen,
    plan_canvass,
    record_visit,
    review_visit,
    submit_tip,
    suggested_route_count,
)
from buurtonderzoek.canvass.models import Canvass, CanvassStatus, DoorVisit, RouteStop, Tip
from buurtonderzoek.core.models import AuditEvent
from buurtonderzoek.incidents.actions import transition_incident
from buurtonderzoek.incidents.models import Incident, IncidentStatus
from buurtonderzoek.incidents.tests.fixtures import make_incident
from buurtonderzoek.places.models import Address
from buurtonderzoek.places.queries import ids_within_radius
from conftest import World

pytestmark = pytest.mark.django_db


def planned(canvass: Canvass) -> str:
    """The plan's timestamp, as the improvement task gets it."""
    assert canvass.planned_at is not None
    return canvass.planned_at.isoformat()


def stop_address(canvass: Canvass, n: int = 0) -> int:
    return RouteStop.objects.filter(canvass=canvass).order_by("route__number", "order")[n].address_id


# Planning


def test_it_plans_every_address_in_the_radius_except_the_victims(world: World, incident: Incident) -> None:
    canvass = plan_canvass(incident, by=world.alice, route_count=4, radius_m=150)
    expected = set(ids_within_radius(incident.x, incident.y, 150)) - {incident.address_id}
    planned = set(RouteStop.objects.filter(canvass=canvass).values_list("address_id", flat=True))
    assert planned == expected and canvass.door_count == len(expected)
    assert incident.address_id in canvass.excluded_address_ids
    assert canvass.routes.count() == 4
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CANVASS_PLANNED
    assert AuditEvent.objects.filter(object_type="canvass.Canvass", object_id=str(canvass.pk)).exists()


def test_routes_are_balanced_and_ordered_along_streets(world: World, incident: Incident) -> None:
    canvass = plan_canvass(incident, by=world.alice, route_count=4, radius_m=150)
    sizes = [r.door_count for r in canvass.routes.all()]
    assert max(sizes) / min(sizes) <= 1.2
    for route in canvass.routes.all():
        orders = list(route.stops.values_list("order", flat=True))
        assert orders == list(range(1, len(orders) + 1))
        # Walking order keeps a street side together: few changes of (street, side) per route.
        keys = list(route.stops.values_list("street", "side"))
        changes = sum(1 for a, b in itertools.pairwise(keys) if a != b)
        assert changes < len(keys) / 4


def test_it_leaves_out_the_chosen_addresses(world: World, incident: Incident) -> None:
    around = [pk for pk in ids_within_radius(incident.x, incident.y, 150) if pk != incident.address_id][:3]
    canvass = plan_canvass(incident, by=world.alice, route_count=2, radius_m=150, excluded_ids=around)
    assert not RouteStop.objects.filter(canvass=canvass, address_id__in=around).exists()


def test_it_plans_a_drawn_polygon(world: World, incident: Incident) -> None:
    d = 0.0006
    polygon = {
        "type": "Polygon",
        "coordinates": [[[incident.lon - d, incident.lat - d], [incident.lon + d, incident.lat - d],
                         [incident.lon + d, incident.lat + d], [incident.lon - d, incident.lat + d],
                         [incident.lon - d, incident.lat - d]]],
    }  # fmt: skip
    canvass = plan_canvass(incident, by=world.alice, route_count=2, polygon=polygon)
    assert canvass.radius_m is None and canvass.polygon == polygon
    lats = Address.objects.filter(pk__in=RouteStop.objects.filter(canvass=canvass).values("address_id"))
    assert lats.exists() and all(abs(a.lat - incident.lat) <= d + 1e-9 for a in lats)


def test_replanning_replaces_the_routes(world: World, canvass: Canvass) -> None:
    incident = canvass.incident
    replanned = plan_canvass(incident, by=world.alice, route_count=2, radius_m=80)
    assert replanned.pk == canvass.pk
    assert replanned.routes.count() == 2
    assert RouteStop.objects.filter(canvass=canvass).count() == replanned.door_count


def test_it_refuses_to_plan_without_the_victims_consent(world: World, streets) -> None:
    incident = make_incident(world.team, by=world.alice, point=(52.03, 5.17), consent=False)
    with pytest.raises(ValidationError, match="niet ingestemd"):
        plan_canvass(incident, by=world.alice, route_count=2, radius_m=150)


def test_it_refuses_to_replan_once_doors_were_visited(world: World, canvass: Canvass) -> None:
    record_visit(
        canvass, by=world.bob, client_uuid=uuid.uuid4(), address_id=stop_address(canvass),
        outcome="niet_thuis", visited_at=timezone.now(),
    )  # fmt: skip
    canvass.incident.refresh_from_db()
    Incident.objects.filter(pk=canvass.incident.pk).update(status=IncidentStatus.CANVASS_PLANNED)
    canvass.incident.refresh_from_db()
    with pytest.raises(ValidationError, match="deurbezoeken"):
        plan_canvass(canvass.incident, by=world.alice, route_count=2, radius_m=100)


def test_it_suggests_about_forty_doors_per_route() -> None:
    assert [suggested_route_count(n) for n in (1, 40, 41, 600, 5000)] == [1, 1, 2, 15, 40]


# Assignment


def test_it_assigns_a_pair_of_team_members(world: World, canvass: Canvass) -> None:
    route = canvass.routes.get(number=1)
    assign_route_members(route, by=world.alice, members=[world.alice, world.bob])
    assert set(route.members.all()) == {world.alice, world.bob}


def test_it_refuses_members_of_other_teams(world: World, canvass: Canvass) -> None:
    with pytest.raises(ValidationError):
        assign_route_members(canvass.routes.get(number=1), by=world.alice, members=[world.charlie])


# Visits


def test_recording_a_visit_starts_the_canvass(world: World, canvass: Canvass) -> None:
    visit, created = record_visit(
        canvass, by=world.bob, client_uuid=uuid.uuid4(), address_id=stop_address(canvass),
        outcome="niet_thuis", visited_at=timezone.now(),
    )  # fmt: skip
    assert created and visit.stop is not None and visit.review_status == "received"
    canvass.refresh_from_db()
    canvass.incident.refresh_from_db()
    assert canvass.incident.status == IncidentStatus.CANVASS_RUNNING
    assert canvass.status == CanvassStatus.RUNNING


def test_sending_the_same_visit_twice_stores_it_once(world: World, canvass: Canvass) -> None:
    key = uuid.uuid4()
    args: dict[str, Any] = {"address_id": stop_address(canvass), "outcome": "later_terug", "visited_at": timezone.now()}
    first, created = record_visit(canvass, by=world.bob, client_uuid=key, **args)
    again, created_again = record_visit(canvass, by=world.bob, client_uuid=str(key), **args)
    assert created and not created_again and first.pk == again.pk
    assert DoorVisit.objects.count() == 1


def test_a_client_uuid_cannot_be_taken_over_by_someone_else(world: World, canvass: Canvass) -> None:
    key = uuid.uuid4()
    args: dict[str, Any] = {"address_id": stop_address(canvass), "outcome": "later_terug", "visited_at": timezone.now()}
    record_visit(canvass, by=world.bob, client_uuid=key, **args)
    with pytest.raises(ValidationError):
        record_visit(canvass, by=world.alice, client_uuid=key, **args)


def test_two_volunteers_at_the_same_door_both_keep_their_visit(world: World, canvass: Canvass) -> None:
    address = stop_address(canvass)
    for user in (world.alice, world.bob):
        record_visit(
            canvass, by=user, client_uuid=uuid.uuid4(), address_id=address, outcome="niet_thuis",
            visited_at=timezone.now(),
        )  # fmt: skip
    assert DoorVisit.objects.filter(address_id=address).count() == 2


def test_answers_are_validated_and_cleaned_with_the_engine(
    world: World, canvass: Canvass, questionnaire_version
) -> None:
    args: dict[str, Any] = {
        "address_id": stop_address(canvass),
        "outcome": "gesproken",
        "visited_at": timezone.now(),
        "questionnaire_version": questionnaire_version,
    }
    with pytest.raises(ValidationError) as error:
        record_visit(canvass, by=world.bob, client_uuid=uuid.uuid4(), answers={"seen_anything": "ja"}, **args)
    assert "answers.what" in error.value.message_dict
    visit, _ = record_visit(
        canvass, by=world.bob, client_uuid=uuid.uuid4(), answers={"seen_anything": "nee", "what": "x"}, **args
    )
    assert visit.answers == {"seen_anything": "nee"}  # skip logic drops the irrelevant answer
    assert visit.questionnaire_version == questionnaire_version


def test_outcomes_other_than_spoken_keep_no_answers(world: World, canvass: Canvass) -> None:
    visit, _ = record_visit(
        canvass, by=world.bob, client_uuid=uuid.uuid4(), address_id=stop_address(canvass), outcome="wil_niet",
        visited_at=timezone.now(), answers={"seen_anything": "ja"},
    )  # fmt: skip
    assert visit.answers == {} and visit.questionnaire_version is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"outcome": "misschien"}, "uitkomst"),
        ({"address_id": -1}, "hoort niet bij"),
        ({"visited_at": timezone.now() + timedelta(days=1)}, "toekomst"),
        ({"client_uuid": "geen-uuid"}, "client-id"),
    ],
)
def test_it_refuses_bad_visits_in_dutch(world: World, canvass: Canvass, change: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {
        "client_uuid": uuid.uuid4(),
        "address_id": stop_address(canvass),
        "outcome": "niet_thuis",
        "visited_at": timezone.now(),
        **change,
    }
    with pytest.raises(ValidationError, match=message):
        record_visit(canvass, by=world.bob, **args)


def test_outsiders_cannot_record_visits(world: World, canvass: Canvass) -> None:
    with pytest.raises(ValidationError):
        record_visit(
            canvass, by=world.charlie, client_uuid=uuid.uuid4(), address_id=stop_address(canvass),
            outcome="niet_thuis", visited_at=timezone.now(),
        )  # fmt: skip


def test_review_needs_a_comment_when_something_is_wrong(world: World, canvass: Canvass) -> None:
    visit, _ = record_visit(
        canvass, by=world.bob, client_uuid=uuid.uuid4(), address_id=stop_address(canvass), outcome="wil_niet",
        visited_at=timezone.now(),
    )  # fmt: skip
    with pytest.raises(ValidationError):
        review_visit(visit, by=world.alice, status="has_issues")
    review_visit(visit, by=world.alice, status="approved")
    visit.refresh_from_db()
    assert visit.review_status == "approved" and visit.reviewed_by == world.alice


# Status sync


def test_the_canvass_follows_the_incident_workflow(world: World, canvass: Canvass) -> None:
    transition_incident(canvass.incident, to="cancelled", by=world.alice)
    canvass.refresh_from_db()
    assert canvass.status == CanvassStatus.CANCELLED


# Tips


def test_a_tip_without_consent_keeps_no_contact_details(world: World, incident: Incident) -> None:
    tip = submit_tip(incident, text="Zag een witte bestelbus", contact_name="Jan", contact_phone="0612345678")
    assert (tip.contact_name, tip.contact_phone, tip.contact_consent) == ("", "", False)
    assert AuditEvent.objects.filter(object_type="canvass.Tip", object_id=str(tip.pk), ip_address=None).exists()


def test_tips_are_marked_seen_once(world: World, incident: Incident) -> None:
    submit_tip(incident, text="Zag iemand over het hek klimmen")
    assert mark_tips_seen(incident, by=world.alice) == 1
    assert mark_tips_seen(incident, by=world.alice) == 0
    assert Tip.objects.get().seen_by == world.alice


def test_a_closed_incident_takes_no_more_tips(world: World, incident: Incident) -> None:
    transition_incident(incident, to="cancelled", by=world.alice)
    with pytest.raises(ValidationError):
        submit_tip(incident, text="Nog iets gezien")


def test_the_optimiser_result_is_kept_only_when_it_is_shorter(world: World, incident: Incident, monkeypatch) -> None:
    from buurtonderzoek.canvass import actions, optimise
    from buurtonderzoek.canvass.routing import PlannedRoute, split_routes

    def zigzag(doors, routes, **kwargs):
        # A poor answer: doors in id order, dealt round-robin.
        ordered = sorted(doors, key=lambda d: d.id)
        return [PlannedRoute(ordered[i::routes]) for i in range(routes)]

    monkeypatch.setattr(optimise, "optimise_routes", zigzag)
    canvass = plan_canvass(incident, by=world.alice, route_count=3, radius_m=100, improve=False)
    heuristic = sum(r.length_m for r in canvass.routes.all())
    note = actions.improve_routes_now(canvass.pk, planned(canvass), replace_members=True, seconds=1)
    assert "geen kortere routes" in note and sum(r.length_m for r in canvass.routes.all()) == heuristic

    # A plan whose heuristic is poor: the optimiser's shorter answer replaces it.
    monkeypatch.setattr(optimise, "optimise_routes", lambda doors, routes, **kwargs: split_routes(doors, routes))
    monkeypatch.setattr(actions, "split_routes", zigzag)
    canvass = plan_canvass(incident, by=world.alice, route_count=3, radius_m=100, improve=False)
    assert sum(r.length_m for r in canvass.routes.all()) > heuristic
    note = actions.improve_routes_now(canvass.pk, planned(canvass), replace_members=True, seconds=1)
    assert "De routes zijn verbeterd" in note
    assert abs(sum(r.length_m for r in canvass.routes.all()) - heuristic) <= 3  # rounding per route
    assert RouteStop.objects.filter(canvass=canvass).count() == canvass.door_count
    canvass.refresh_from_db()
    assert canvass.improving_since is None and canvass.improvement_note == note


def test_an_improvement_never_overwrites_a_newer_plan_or_assigned_walkers(
    world: World, incident: Incident, monkeypatch
) -> None:
    from buurtonderzoek.canvass import actions, optimise
    from buurtonderzoek.canvass.routing import PlannedRoute

    def reversed_routes(doors, routes, **kwargs):
        return [PlannedRoute([d]) for d in doors[:routes]]  # "short" because it drops doors: must never be stored

    monkeypatch.setattr(optimise, "optimise_routes", reversed_routes)
    canvass = plan_canvass(incident, by=world.alice, route_count=3, radius_m=100, improve=False)
    stops = list(RouteStop.objects.filter(canvass=canvass).values_list("pk", flat=True))
    note = actions.improve_routes_now(canvass.pk, "2000-01-01T00:00:00+00:00", replace_members=True, seconds=1)
    assert "Het plan is intussen veranderd" in note
    route = canvass.routes.get(number=1)
    actions.assign_route_members(route, by=world.alice, members=[world.bob])
    note = actions.improve_routes_now(canvass.pk, planned(canvass), replace_members=False, seconds=1)
    assert "Er zijn intussen lopers toegewezen" in note
    assert list(RouteStop.objects.filter(canvass=canvass).values_list("pk", flat=True)) == stops


def test_safety_pulse_answers_reach_the_monitor_with_the_buurt_only(world: World, canvass: Canvass) -> None:
    from buurtonderzoek.monitor.models import Response, Source
    from buurtonderzoek.questionnaires.models import QuestionnaireVersion

    buurt = world.team.buurten.get()
    address_id = stop_address(canvass)
    Address.objects.filter(pk=address_id).update(buurt_code=buurt.code)
    answers = {
        "respondent_type": "bewoner",
        "privacy_notice_shown": "nee",
        "present": "nee",
        "seen_anything": "nee",
        "has_camera": "nee",
        "contact_consent": "nee",
        "pulse_ok": "ja",
        "unsafe_buurt": "ja",
        "mark_safety": 6,
        "buurt_change": "gelijk",
    }
    record_visit(
        canvass, by=world.bob, client_uuid=uuid.uuid4(), address_id=address_id, outcome="gesproken",
        visited_at=timezone.now(), answers=answers,
        questionnaire_version=QuestionnaireVersion.objects.latest_published("buurtonderzoek"),
    )  # fmt: skip
    pulse = Response.objects.get(source=Source.PULSE)
    assert pulse.buurt == buurt
    assert pulse.answers == {"unsafe_buurt": "ja", "mark_safety": 6, "buurt_change": "gelijk"}


def test_a_visit_without_pulse_answers_leaves_the_monitor_alone(world: World, canvass: Canvass) -> None:
    from buurtonderzoek.monitor.models import Response
    from buurtonderzoek.questionnaires.models import QuestionnaireVersion

    answers = {
        "respondent_type": "bewoner",
        "privacy_notice_shown": "nee",
        "present": "nee",
        "seen_anything": "nee",
        "has_camera": "nee",
        "contact_consent": "nee",
    }
    record_visit(
        canvass, by=world.bob, client_uuid=uuid.uuid4(), address_id=stop_address(canvass), outcome="gesproken",
        visited_at=timezone.now(), answers=answers,
        questionnaire_version=QuestionnaireVersion.objects.latest_published("buurtonderzoek"),
    )  # fmt: skip
    assert not Response.objects.exists()


def test_a_canvass_too_large_for_or_tools_keeps_the_heuristic_and_says_why(
    world: World, incident: Incident, monkeypatch, django_capture_on_commit_callbacks: Any
) -> None:
    from buurtonderzoek.canvass import actions, optimise

    if not optimise.is_available():
        pytest.skip("OR-Tools (the optimise extra) is not installed")
    monkeypatch.setattr(actions, "MAX_OPTIMISE_DOORS", 5)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        canvass = plan_canvass(incident, by=world.alice, route_count=3, radius_m=100, improve=True)
    assert queued == [] and not canvass.improving
    canvass.refresh_from_db()
    assert "meer dan 5 deuren" in canvass.improvement_note
    with pytest.raises(ValidationError, match="te veel om met OR-Tools te verbeteren"):
        actions.request_route_improvement(canvass, by=world.alice)
