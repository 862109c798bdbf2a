"""The audit log: one helper writes it, and nothing rewrites it (ORM, and raw SQL through triggers)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from buurtonderzoek.core.audit import record, record_personal_read
from buurtonderzoek.core.models import AppendOnlyError, AuditAction, AuditEvent
from conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(world: World) -> AuditEvent:
    return record(world.alice, AuditAction.UPDATE, world.team, summary="Teamnaam gewijzigd", data={"fields": ["name"]})


def test_it_records_who_what_and_when(world: World, event: AuditEvent) -> None:
    assert event.actor == world.alice
    assert event.actor_label == "alice@example.nl"
    assert (event.action, event.object_type, event.object_id) == ("update", "accounts.Team", str(world.team.pk))
    assert event.at is not None
    assert event.data == {"fields": ["name"]}


def test_it_records_the_ip_address_of_the_request(world: World) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.7")
    event = record_personal_read(world.alice, world.team, what="Ledenlijst bekeken", request=request)
    assert event.action == AuditAction.READ_PERSONAL
    assert event.ip_address == "198.51.100.7"


def test_the_system_and_unknown_actors_have_a_label(world: World) -> None:
    assert record(None, AuditAction.DELETE, world.team, summary="Opgeruimd").actor_label == "systeem"
    failed = record(
        None, AuditAction.LOGIN_FAILED, summary="Mislukt", object_type="accounts.User", actor_label="x@y.nl"
    )
    assert (failed.actor, failed.actor_label) == (None, "x@y.nl")


def test_a_users_label_wins_over_a_given_label(world: World) -> None:
    assert (
        record(world.bob, AuditAction.LOGIN, world.bob, summary="In", actor_label="iets").actor_label
        == "bob@example.nl"
    )


def test_long_summaries_are_cut_to_fit(world: World) -> None:
    assert len(record(world.bob, AuditAction.UPDATE, world.team, summary="x" * 400).summary) == 255


def test_a_user_with_history_cannot_be_deleted(world: World, event: AuditEvent) -> None:
    # ADR 0003: SET_NULL would be an UPDATE of the log, which the trigger refuses. Erasure blanks the
    # account instead of deleting it.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        world.alice.delete()
    assert AuditEvent.objects.get(pk=event.pk).actor_id == world.alice.pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="roles exist on PostgreSQL only")
def test_truncate_by_the_application_role_is_refused_on_postgresql(event: AuditEvent) -> None:
    # ADR 0003: production runs as a role that is not the table owner, so TRUNCATE is refused too.
    with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE ROLE ob_test_app NOLOGIN")
        cursor.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON core_auditevent TO ob_test_app")
        cursor.execute("SET LOCAL ROLE ob_test_app")
        cursor.execute("TRUNCATE core_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="roles exist on PostgreSQL only")
def test_the_application_role_cannot_update_or_delete_either(event: AuditEvent) -> None:
    for statement in ("UPDATE core_auditevent SET summary = 'x'", "DELETE FROM core_auditevent"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE ROLE ob_test_app NOLOGIN")
            cursor.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON core_auditevent TO ob_test_app")
            cursor.execute("SET LOCAL ROLE ob_test_app")
            cursor.execute(statement)
    assert AuditEvent.objects.get(pk=event.pk).summary == "Teamnaam gewijzigd"


def test_saving_an_existing_event_is_refused(event: AuditEvent) -> None:
    event.summary = "Herschreven"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).summary == "Teamnaam gewijzigd"


def test_deleting_an_event_is_refused(event: AuditEvent) -> None:
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_queryset_update_and_delete_are_refused(event: AuditEvent) -> None:
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="Herschreven")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).summary == "Teamnaam gewijzigd"


def test_a_raw_sql_update_is_refused_by_the_database(event: AuditEvent) -> None:
    assert connection.vendor in {"sqlite", "postgresql"}
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET summary = %s WHERE id = %s", ["Herschreven", event.pk])
    assert AuditEvent.objects.get(pk=event.pk).summary == "Teamnaam gewijzigd"


def test_a_raw_sql_update_of_every_row_is_refused(event: AuditEvent) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET actor_label = ''")
    assert AuditEvent.objects.get(pk=event.pk).actor_label == "alice@example.nl"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite's DELETE is refused by the ORM only (see migration)"
)
def test_a_raw_sql_delete_is_refused_by_postgresql(event: AuditEvent) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_inserting_through_raw_sql_still_works(world: World) -> None:
    # Append-only, not read-only: the triggers must not block new rows.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditevent (at, actor_label, action, object_type, object_id, summary, data)"
            " VALUES (CURRENT_TIMESTAMP, 'systeem', 'create', 'x', '1', 'rauw', '{}')"
        )
    assert AuditEvent.objects.filter(summary="rauw").exists()
