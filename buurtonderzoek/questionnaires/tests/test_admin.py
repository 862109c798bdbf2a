from __future__ import annotations

import json

import pytest
from django.urls import reverse

from buurtonderzoek.questionnaires import actions
from buurtonderzoek.questionnaires.models import Purpose, QuestionnaireVersion, VersionStatus
from buurtonderzoek.questionnaires.tests.test_models_actions import SCHEMA


@pytest.fixture
def draft(world):
    questionnaire = actions.create_questionnaire(by=world.admin, slug="proef", title="Proef", purpose=Purpose.CANVASS)
    return actions.create_draft_version(questionnaire, by=world.admin, schema=SCHEMA)


def _change_url(version):
    return reverse("admin:questionnaires_questionnaireversion_change", args=[version.pk])


def test_anonymous_visitors_are_sent_to_the_admin_login(client, draft):
    response = client.get(_change_url(draft))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_coordinator_without_staff_rights_gets_no_admin(client, world, draft):
    client.force_login(world.alice)
    response = client.get(_change_url(draft))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_admin_edits_a_draft_through_the_action(client, world, draft):
    client.force_login(world.admin)
    changed = {"sections": [{**SCHEMA["sections"][0], "title": "Gewijzigd"}]}
    response = client.post(
        _change_url(draft), {"schema": json.dumps(changed), "notes": "beter", "source": ""}, follow=True
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.schema["sections"][0]["title"] == "Gewijzigd"


def test_the_admin_refuses_an_invalid_schema_with_the_reason(client, world, draft):
    client.force_login(world.admin)
    broken = {"sections": [{"id": "s", "title": "S", "questions": [{"id": "q", "type": "zzz", "label": "Q"}]}]}
    response = client.post(_change_url(draft), {"schema": json.dumps(broken), "notes": "", "source": ""})
    assert response.status_code == 200
    assert "onbekend type" in response.content.decode()
    draft.refresh_from_db()
    assert draft.schema == SCHEMA


def test_the_admin_publishes_and_then_shows_the_version_read_only(client, world, draft):
    client.force_login(world.admin)
    changelist = reverse("admin:questionnaires_questionnaireversion_changelist")
    response = client.post(changelist, {"action": "publish", "_selected_action": [draft.pk]}, follow=True)
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    page = client.get(_change_url(draft))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="schema"' not in html
    assert 'name="_save"' not in html
    # A forged POST changes nothing either.
    client.post(_change_url(draft), {"schema": json.dumps({"sections": []}), "notes": "", "source": ""})
    draft.refresh_from_db()
    assert draft.schema == SCHEMA
    delete = client.post(reverse("admin:questionnaires_questionnaireversion_delete", args=[draft.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert QuestionnaireVersion.objects.filter(pk=draft.pk).exists()


def test_the_standard_questionnaires_are_listed(client, world):
    client.force_login(world.admin)
    response = client.get(reverse("admin:questionnaires_questionnaire_changelist"))
    assert response.status_code == 200
    assert "communitymonitor" in response.content.decode()
