"""The pages /vragenlijsten/xlsform/: a coordinator or admin uploads an XLSForm, sees what was read
and what was left out, and publishes the draft (or throws it away)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from buurtonderzoek.accounts.tests.conftest import give_totp
from buurtonderzoek.core.models import AuditEvent
from buurtonderzoek.questionnaires.models import Questionnaire, QuestionnaireVersion, VersionStatus
from conftest import World


def xlsx(
    rows: list[tuple[str, ...]], choices: list[tuple[str, ...]] | None = None, form_id: str = "kobo_buurt"
) -> bytes:
    wb = Workbook()
    survey = wb.active
    assert survey is not None
    survey.title = "survey"
    for row in rows:
        survey.append(list(row))
    if choices:
        sheet = wb.create_sheet("choices")
        for row in choices:
            sheet.append(list(row))
    settings = wb.create_sheet("settings")
    settings.append(["form_title", "form_id"])
    settings.append(["Buurtvragen uit Kobo", form_id])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


FORM = xlsx(
    [
        ("type", "name", "label", "relevant", "constraint"),
        ("start", "start", "", "", ""),
        ("select_one yn", "seen", "Iets gezien?", "", ""),
        ("integer", "count", "Hoeveel mensen?", "${seen} = 'ja'", ". >= 1 and . <= 20"),
        ("image", "photo", "Foto", "", ""),
    ],
    [("list_name", "name", "label"), ("yn", "ja", "Ja"), ("yn", "nee", "Nee")],
)


def upload(client: Client, data: bytes = FORM, name: str = "buurt.xlsx") -> Any:
    return client.post(reverse("xlsform_upload"), {"file": SimpleUploadedFile(name, data), "purpose": "canvass"})


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client, db: None) -> None:
    response = client.get(reverse("xlsform_upload"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_volunteer_gets_403(client: Client, world: World) -> None:
    client.force_login(world.bob)
    assert client.get(reverse("xlsform_upload")).status_code == 403


def test_an_outsider_does_not_see_someone_elses_draft(client: Client, world: World) -> None:
    client.force_login(world.alice)
    upload(client)
    version = QuestionnaireVersion.objects.get(questionnaire__slug="kobo_buurt")
    client.force_login(world.charlie)
    assert client.get(reverse("xlsform_preview", args=[version.pk])).status_code == 404
    assert client.post(reverse("xlsform_discard", args=[version.pk])).status_code == 404
    assert QuestionnaireVersion.objects.filter(pk=version.pk).exists()


def test_a_coordinator_uploads_sees_the_questions_and_warnings_and_publishes(client: Client, world: World) -> None:
    client.force_login(world.alice)
    assert client.get(reverse("xlsform_upload")).status_code == 200
    response = upload(client)
    version = QuestionnaireVersion.objects.get(questionnaire__slug="kobo_buurt")
    assert response["Location"] == reverse("xlsform_preview", args=[version.pk])
    assert version.status == VersionStatus.DRAFT and version.created_by == world.alice
    page = client.get(response["Location"]).content.decode()
    assert "Hoeveel mensen?" in page
    assert "${seen} = &#x27;ja&#x27;" in page
    assert "Vraag &#x27;photo&#x27;" in page and "Vraag &#x27;start&#x27;" in page
    # With warnings, publishing asks for a tick first.
    refused = client.post(reverse("xlsform_preview", args=[version.pk]), {})
    assert refused.status_code == 400 and "Vink aan" in refused.content.decode()
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT
    client.post(reverse("xlsform_preview", args=[version.pk]), {"accept": "on"})
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    assert AuditEvent.objects.filter(object_id=str(version.pk), summary__contains="gepubliceerd").exists()
    assert [q.id for q in version.parsed.iter_questions()] == ["seen", "count"]


def test_a_refused_form_stores_nothing_and_says_why(client: Client, world: World) -> None:
    client.force_login(world.alice)
    bad = xlsx([("type", "name", "label", "relevant"), ("integer", "a", "A", ""), ("text", "b", "B", "${a} * 2 > 3")])
    response = upload(client, bad)
    assert response.status_code == 400
    text = response.content.decode()
    assert "Dit formulier kan niet worden ingelezen" in text and "rekenen (*)" in text
    assert not Questionnaire.objects.filter(slug="kobo_buurt").exists()


def test_a_file_that_is_no_workbook_gets_a_dutch_message(client: Client, world: World) -> None:
    client.force_login(world.alice)
    response = upload(client, b"naam;adres\n", name="lijst.xlsx")
    assert response.status_code == 400 and "geen leesbaar XLSForm-werkboek" in response.content.decode()
    response = upload(client, b"x", name="lijst.csv")
    assert "Kies een .xls- of .xlsx-bestand." in response.content.decode()


def test_a_coordinator_cannot_replace_a_standard_questionnaire(client: Client, world: World) -> None:
    client.force_login(world.alice)
    response = upload(client, xlsx([("type", "name", "label"), ("text", "a", "A")], form_id="buurtonderzoek"))
    assert response.status_code == 400 and "alleen een beheerder" in response.content.decode()


def test_an_admin_may_add_a_version_to_any_questionnaire(client: Client, world: World) -> None:
    give_totp(world.admin)
    client.force_login(world.admin)
    response = upload(client, xlsx([("type", "name", "label"), ("text", "a", "A")], form_id="buurtonderzoek"))
    assert response.status_code == 302
    assert QuestionnaireVersion.objects.filter(questionnaire__slug="buurtonderzoek", status="draft").exists()


def test_the_draft_can_be_thrown_away(client: Client, world: World) -> None:
    client.force_login(world.alice)
    upload(client)
    version = QuestionnaireVersion.objects.get(questionnaire__slug="kobo_buurt")
    response = client.post(reverse("xlsform_discard", args=[version.pk]))
    assert response.status_code == 302
    assert not QuestionnaireVersion.objects.filter(pk=version.pk).exists()


@pytest.mark.parametrize("corpus_name", ["tutorial.xls", "simple.xlsx"])
def test_real_forms_upload_through_the_page(client: Client, world: World, corpus_name: str) -> None:
    from buurtonderzoek.questionnaires.tests.test_xlsform_corpus import FORMS

    path = next((p for p in FORMS if p.name == corpus_name), None)
    if path is None:
        pytest.skip("corpus missing")
    client.force_login(world.alice)
    response = upload(client, path.read_bytes(), name=path.name)
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
