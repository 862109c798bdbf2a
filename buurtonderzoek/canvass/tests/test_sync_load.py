"""The visit sync under load: what it costs per visit, and exactly-once when phones send at the same moment.

The sync looks everything up for the whole batch and tells `record_visit` what it found (the stop,
team membership, a new UUID), so a new visit costs two inserts; these tests hold it to that, and show
that leaning on the batch lookups loses none of the guarantees: a retry racing the original, several
phones sending the same queue at once, a walker taken out of the team, two first visits at once.
Threads run against a database file (the monitor's concurrency tests explain why); with DATABASE_URL
the same tests run on PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from buurtonderzoek.accounts.models import Membership, User
from buurtonderzoek.canvass import sync
from buurtonderzoek.canvass.actions import record_visit
from buurtonderzoek.canvass.models import DoorVisit
from buurtonderzoek.canvass.tests.test_field_support import SPOKEN_WITH_PERSON, Field, make_field
from buurtonderzoek.core.models import AuditEvent
from buurtonderzoek.incidents.models import Incident, IncidentStatus, IncidentTransition
from buurtonderzoek.monitor.tests.test_concurrency import _swap_to_file, run_together
from buurtonderzoek.questionnaires.models import QuestionnaireVersion
from conftest import World

SYNC = "/api/v1/field/sync/"


@pytest.fixture
def field(world: World, incident: Incident) -> Field:
    return make_field(world, incident)


@pytest.fixture
def database_file(tmp_path: Path) -> Iterator[None]:
    """Threads need a database file on SQLite (see the monitor's test_concurrency.file_database)."""
    if connection.vendor != "sqlite" or not getattr(connection, "is_in_memory_db", lambda: False)():
        yield
        return
    yield from _swap_to_file(tmp_path / "sync.sqlite3")


def post(user: User, visits: list[dict[str, Any]]) -> Any:
    client = APIClient()
    client.force_login(user)
    return client.post(SYNC, {"visits": visits}, format="json")


def statuses(response: Any) -> list[str]:
    return [r["status"] for r in response.json()["results"]]


# Cost per visit -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_new_visit_costs_its_own_two_inserts_and_nothing_per_visit_besides(field: Field) -> None:
    stops = field.stops
    post(field.world.bob, [field.visit(stops[0])])  # the first visit moves the incident to "running"
    client = APIClient()
    client.force_login(field.world.bob)

    def queries(n: int) -> int:
        visits = [field.visit(stops[i % len(stops)], outcome="briefje") for i in range(n)]
        with CaptureQueriesContext(connections["default"]) as captured:
            response = client.post(SYNC, {"visits": visits}, format="json")
        assert response.json()["accepted"] == n
        return len(captured)

    one, eleven = queries(1), queries(11)
    # Session, user, the 2FA check, the stops with the user's rights on them, then per visit: the visit
    # and its audit entry (with the transaction's BEGIN and COMMIT where the database reports them). A
    # batch of several also looks up their UUIDs first, in one query; a single visit leaves that to the
    # unique constraint.
    assert one <= 8
    assert eleven - one <= 1 + 10 * 4


@pytest.mark.django_db
def test_a_spoken_visit_reads_the_questionnaire_once_per_batch_not_its_schema(field: Field) -> None:
    stops = field.stops
    # The first spoken visit this process sees parses the published schema (reading it once) ...
    assert statuses(post(field.world.bob, [field.visit(stops[0], outcome="gesproken")])) == ["accepted"]
    # ... every later batch reads the version without its schema.
    visits = [field.visit(stops[i], outcome="gesproken", answers=SPOKEN_WITH_PERSON) for i in range(1, 4)]
    with CaptureQueriesContext(connections["default"]) as captured:
        response = post(field.world.bob, visits)
    assert statuses(response) == ["accepted"] * 3
    version_queries = [q["sql"] for q in captured if 'FROM "questionnaires_questionnaireversion"' in q["sql"]]
    assert len(version_queries) == 1
    assert '"questionnaires_questionnaireversion"."schema"' not in version_queries[0]
    assert DoorVisit.objects.filter(client_uuid=visits[2]["client_uuid"]).get().answers["persons_count"] == 1


@pytest.mark.django_db
def test_a_published_version_is_parsed_once_per_process_and_a_draft_every_time(field: Field) -> None:
    first = QuestionnaireVersion.objects.get(pk=field.version.pk)
    second = QuestionnaireVersion.objects.get(pk=field.version.pk)
    assert first.parsed is second.parsed
    draft = QuestionnaireVersion.objects.create(
        questionnaire=field.version.questionnaire, number=field.version.number + 1, schema=field.version.schema
    )
    assert draft.parsed is not QuestionnaireVersion.objects.get(pk=draft.pk).parsed


# What the batch lookups must not lose -------------------------------------------------------------


def _store_between_lookup_and_write(
    monkeypatch: pytest.MonkeyPatch, field: Field, visit: dict[str, Any], *, by: Any, outcome: str
) -> None:
    """A visit with the same UUID is stored after the sync's lookups ran and before its write."""
    real_lookups = sync._lookups

    def stored_meanwhile(user: Any, valid: Any) -> Any:
        found = real_lookups(user, valid)
        record_visit(
            field.canvass,
            by=by,
            client_uuid=visit["client_uuid"],
            address_id=visit["address"],
            outcome=outcome,
            visited_at=timezone.now() - timedelta(minutes=1),
        )
        return found

    monkeypatch.setattr(sync, "_lookups", stored_meanwhile)


@pytest.mark.django_db
def test_a_retry_that_overtakes_the_original_between_lookup_and_write_is_a_duplicate(
    field: Field, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lookup saw no visit with this UUID; by the time of the write the original has been stored
    (it was still on its way). The unique constraint catches it and the phone hears "duplicate"."""
    visit = field.visit()
    _store_between_lookup_and_write(monkeypatch, field, visit, by=field.world.bob, outcome="niet_thuis")
    response = post(field.world.bob, [visit])
    assert statuses(response) == ["duplicate"]
    assert DoorVisit.objects.filter(client_uuid=visit["client_uuid"]).count() == 1
    assert AuditEvent.objects.filter(object_type="canvass.DoorVisit").count() == 1


@pytest.mark.django_db
def test_a_uuid_taken_by_someone_else_between_lookup_and_write_is_refused(
    field: Field, monkeypatch: pytest.MonkeyPatch
) -> None:
    visit = field.visit()
    _store_between_lookup_and_write(monkeypatch, field, visit, by=field.world.alice, outcome="briefje")
    response = post(field.world.bob, [visit])
    assert statuses(response) == ["rejected"]
    assert response.json()["results"][0]["problem"]["status"] == 409  # as when the lookup had seen it
    assert DoorVisit.objects.get(client_uuid=visit["client_uuid"]).volunteer == field.world.alice


@pytest.mark.django_db
def test_a_walker_taken_out_of_the_team_can_no_longer_record_on_their_route(field: Field) -> None:
    Membership.objects.filter(user=field.world.bob, team=field.world.team).delete()
    response = post(field.world.bob, [field.visit()])
    assert statuses(response) == ["rejected"]
    assert response.json()["results"][0]["problem"]["status"] == 404
    assert not DoorVisit.objects.exists()


def _walker_leaves_the_team(field: Field) -> None:
    Membership.objects.filter(user=field.world.bob, team=field.world.team).delete()


def _route_goes_to_someone_else(field: Field) -> None:
    field.route.members.set([field.vera])


def _canvass_closes(field: Field) -> None:
    field.canvass.status = "cancelled"
    field.canvass.save()


@pytest.mark.django_db
@pytest.mark.parametrize("alone", [True, False], ids=["one visit per POST", "in a batch"])
@pytest.mark.parametrize(
    "meanwhile",
    [None, _walker_leaves_the_team, _route_goes_to_someone_else, _canvass_closes],
    ids=["nothing", "walker left the team", "route reassigned", "canvass closed"],
)
def test_a_stored_visit_sent_again_is_a_duplicate_whatever_changed_since(
    field: Field, alone: bool, meanwhile: Any
) -> None:
    """The phone must be able to drop what the server has: a retry answers `duplicate` with the stored visit,
    alone (no UUID lookup: the insert finds it) or in a batch (one lookup), even when the visit would now be
    refused; the same UUID from another account answers 409. Nothing is stored twice, nothing audited twice."""
    stops = field.stops
    visit = field.visit(stops[0], outcome="gesproken", answers=SPOKEN_WITH_PERSON)
    first = post(field.world.bob, [visit]).json()["results"][0]
    assert first["status"] == "accepted"
    if meanwhile is not None:
        meanwhile(field)
    others = [] if alone else [field.visit(stops[1])]
    again = post(field.world.bob, [visit, *others]).json()["results"][0]
    assert again == {"client_uuid": visit["client_uuid"], "status": "duplicate", "visit": first["visit"]}
    stolen = post(field.world.alice, [visit, *others]).json()["results"][0]
    assert (stolen["status"], stolen["problem"]["status"]) == ("rejected", 409)
    assert DoorVisit.objects.filter(client_uuid=visit["client_uuid"]).count() == 1
    assert AuditEvent.objects.filter(object_type="canvass.DoorVisit", object_id=str(first["visit"])).count() == 1


# At the same moment ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_file")
def test_phones_sending_the_same_queue_at_once_store_every_visit_once(world: World, incident: Incident) -> None:
    """The phone retried while its first request was still running, several times over."""
    field = make_field(world, incident)
    stops = field.stops
    queue = [field.visit(stops[i], outcome=("niet_thuis", "briefje", "gesproken")[i % 3]) for i in range(6)]
    answers = run_together(lambda _i: post(field.world.bob, queue).json())
    assert all(isinstance(a, dict) for a in answers), answers
    per_uuid: Counter[tuple[str, str]] = Counter()
    for answer in answers:
        for result in answer["results"]:
            per_uuid[(result["client_uuid"], result["status"])] += 1
    for visit in queue:
        assert per_uuid[(visit["client_uuid"], "accepted")] == 1
        assert per_uuid[(visit["client_uuid"], "duplicate")] == len(answers) - 1
    assert DoorVisit.objects.count() == len(queue)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_file")
def test_two_walkers_first_visits_at_once_start_the_canvass_once(world: World, incident: Incident) -> None:
    field = make_field(world, incident)
    walkers = [(field.world.bob, field.route), (field.vera, field.other_route)]

    def first_visit(i: int) -> list[str]:
        user, route = walkers[i % 2]
        stop = route.stops.order_by("order")[i // 2]
        return statuses(post(user, [field.visit(stop)]))

    answers = run_together(first_visit, count=4)
    assert answers == [["accepted"]] * 4
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CANVASS_RUNNING
    assert IncidentTransition.objects.filter(incident=incident, to_status=IncidentStatus.CANVASS_RUNNING).count() == 1
