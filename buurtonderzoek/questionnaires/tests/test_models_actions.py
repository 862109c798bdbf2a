from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from buurtonderzoek.core.models import AuditEvent
from buurtonderzoek.questionnaires import actions, engine
from buurtonderzoek.questionnaires.models import (
    PublishedVersionError,
    Purpose,
    QuestionnaireVersion,
    VersionStatus,
)

SCHEMA = {
    "sections": [
        {
            "id": "s",
            "title": "Vragen",
            "questions": [{"id": "q", "type": "single", "label": "Vraag", "choices": [["ja", "Ja"], ["nee", "Nee"]]}],
        }
    ]
}


@pytest.fixture
def questionnaire(world):
    return actions.create_questionnaire(by=world.admin, slug="test", title="Test", purpose=Purpose.CANVASS)


def test_it_numbers_drafts_one_after_another(world, questionnaire):
    first = actions.create_draft_version(questionnaire, by=world.admin, schema=SCHEMA)
    second = actions.create_draft_version(questionnaire, by=world.admin, schema=SCHEMA)
    assert (first.number, second.number) == (1, 2)
    assert first.status == VersionStatus.DRAFT
    assert AuditEvent.objects.filter(object_type="questionnaires.QuestionnaireVersion").count() == 2


def test_it_refuses_an_invalid_schema_for_a_draft(world, questionnaire):
    with pytest.raises(engine.SchemaError):
        actions.create_draft_version(questionnaire, by=world.admin, schema={"sections": []})
    assert not questionnaire.versions.exists()


def test_it_lets_a_draft_change(world, questionnaire):
    draft = actions.create_draft_version(questionnaire, by=world.admin, schema=SCHEMA)
    changed = {"sections": [{**SCHEMA["sections"][0], "title": "Anders"}]}
    updated = actions.update_draft_version(draft, by=world.admin, schema=changed)
    assert updated.schema["sections"][0]["title"] == "Anders"


def test_it_publishes_a_draft_and_finds_it_as_latest(world, questionnaire):
    draft = actions.create_draft_version(questionnaire, by=world.admin, schema=SCHEMA)
    published = actions.publish_version(draft, by=world.admin)
    actions.create_draft_version(questionnaire, by=world.admin, schema=SCHEMA)  # a newer draft does not count
    assert published.published_at is not None
    assert QuestionnaireVersion.objects.latest_published("test") == published


def test_it_raises_when_nothing_is_published(world, questionnaire):
    actions.create_draft_version(questionnaire, by=world.admin, schema=SCHEMA)
    with pytest.raises(QuestionnaireVersion.DoesNotExist):
        QuestionnaireVersion.objects.latest_published("test")


def test_it_refuses_every_change_to_a_published_version(world, questionnaire):
    version = actions.publish_version(
        actions.create_draft_version(questionnaire, by=world.admin, schema=SCHEMA), by=world.admin
    )
    with pytest.raises(PublishedVersionError):
        actions.update_draft_version(version, by=world.admin, schema=SCHEMA)
    with pytest.raises(PublishedVersionError):
        actions.publish_version(version, by=world.admin)
    with pytest.raises(PublishedVersionError):
        actions.delete_draft_version(version, by=world.admin)
    version.schema = {"sections": []}
    with pytest.raises(PublishedVersionError):
        version.save()
    with pytest.raises(PublishedVersionError):
        QuestionnaireVersion.objects.filter(pk=version.pk).update(number=9)
    with pytest.raises(PublishedVersionError):
        QuestionnaireVersion.objects.filter(pk=version.pk).delete()
    with pytest.raises(PublishedVersionError):
        version.delete()


def test_it_refuses_raw_sql_changes_to_a_published_version(world, questionnaire):
    version = actions.publish_version(
        actions.create_draft_version(questionnaire, by=world.admin, schema=SCHEMA), by=world.admin
    )
    table = QuestionnaireVersion._meta.db_table
    with pytest.raises(Exception, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET schema = %s WHERE id = %s", ['{"sections": []}', version.pk])  # noqa: S608
    version.refresh_from_db()
    assert version.schema == SCHEMA


def test_it_still_lets_the_author_link_be_cleared_on_a_published_version(world, questionnaire):
    # What on_delete=SET_NULL does when an account is erased: only the guarded columns are frozen.
    version = actions.publish_version(
        actions.create_draft_version(questionnaire, by=world.alice, schema=SCHEMA), by=world.alice
    )
    table = QuestionnaireVersion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET created_by_id = NULL WHERE id = %s", [version.pk])  # noqa: S608
    version.refresh_from_db()
    assert version.created_by is None
    assert version.is_published


def test_it_deletes_drafts(world, questionnaire):
    draft = actions.create_draft_version(questionnaire, by=world.admin, schema=SCHEMA)
    actions.delete_draft_version(draft, by=world.admin)
    assert not questionnaire.versions.exists()


def test_it_requires_a_date_on_published_versions(world, questionnaire):
    with pytest.raises(IntegrityError), transaction.atomic():
        QuestionnaireVersion.objects.create(
            questionnaire=questionnaire, number=5, schema=SCHEMA, status=VersionStatus.PUBLISHED
        )
