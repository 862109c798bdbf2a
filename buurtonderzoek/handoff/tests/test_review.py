"""Reviewing visits (coordinator) and correcting them (volunteer)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from buurtonderzoek.accounts.models import Role
from buurtonderzoek.accounts.tests.factories import MembershipFactory
from buurtonderzoek.canvass.models import DoorVisit, Outcome, ReviewStatus
from buurtonderzoek.core.models import AuditAction, AuditEvent
from buurtonderzoek.handoff import review
from buurtonderzoek.handoff.actions import submit_report
from buurtonderzoek.handoff.models import Notification
from buurtonderzoek.handoff.tests.fixtures import (
    WITNESS_NAME,
    WITNESS_PHONE,
    CanvassSetup,
    answers,
    approve,
    person,
    setup_canvass,
)
from buurtonderzoek.incidents.models import Incident
from conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh(world: World, incident: Incident) -> CanvassSetup:
    setup = setup_canvass(incident, by=world.alice)
    setup.visit(world.bob, data=answers(persons=[person()], contact=True))
    setup.visit(world.bob, outcome=Outcome.NIET_THUIS, minutes=3)
    return setup


def urls(setup: CanvassSetup) -> list[tuple[str, str]]:
    pk, visit = setup.incident.pk, setup.visits[0].pk
    return [
        ("get", reverse("review_list", args=[pk])),
        ("get", reverse("review_visit", args=[pk, visit])),
        ("get", reverse("my_visits", args=[pk])),
        ("get", reverse("visit_correct", args=[pk, visit])),
    ]


def test_review_pages_send_anonymous_visitors_to_the_login(client: Client, fresh: CanvassSetup) -> None:
    for method, url in urls(fresh):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and reverse("account_login") in response["Location"], url


def test_review_pages_are_invisible_to_outsiders(client: Client, world: World, fresh: CanvassSetup) -> None:
    client.force_login(world.charlie)
    for method, url in urls(fresh):
        assert getattr(client, method)(url).status_code == 404, url


def test_review_pages_refuse_the_wrong_role(client: Client, world: World, fresh: CanvassSetup) -> None:
    pk, visit = fresh.incident.pk, fresh.visits[0].pk
    client.force_login(world.bob)
    assert client.get(reverse("review_list", args=[pk])).status_code == 403
    assert client.post(reverse("review_visit", args=[pk, visit]), {"status": "approved"}).status_code == 403
    client.force_login(world.petra)
    assert client.get(reverse("my_visits", args=[pk])).status_code == 403
    assert client.get(reverse("visit_correct", args=[pk, visit])).status_code == 403
    # Another volunteer of the same team may not correct bob's visit.
    carol = MembershipFactory.create(role=Role.VOLUNTEER, team=world.team).user
    client.force_login(carol)
    assert client.get(reverse("visit_correct", args=[pk, visit])).status_code == 403


def test_the_review_list_counts_statuses_and_hides_contact_details(
    client: Client, world: World, fresh: CanvassSetup, django_assert_max_num_queries
) -> None:
    client.force_login(world.alice)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("review_list", args=[fresh.incident.pk])).content.decode()
    assert "ontvangen (1)" in page and fresh.stops[0].street in page
    detail = client.get(reverse("review_visit", args=[fresh.incident.pk, fresh.visits[0].pk])).content.decode()
    assert "Trok aan de deurklinken" in detail
    assert WITNESS_NAME not in detail and WITNESS_PHONE not in detail and "alleen voor de politie" in detail


def test_asking_questions_needs_a_comment_and_tells_the_volunteer(
    client: Client, world: World, fresh: CanvassSetup, django_capture_on_commit_callbacks
) -> None:
    client.force_login(world.alice)
    url = reverse("review_visit", args=[fresh.incident.pk, fresh.visits[0].pk])
    refused = client.post(url, {"status": "has_issues", "comment": ""})
    assert refused.status_code == 400 and "Schrijf erbij wat er niet klopt" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"status": "has_issues", "comment": "Welke kant ging hij op? Vul de vluchtrichting in."}
        )
    assert response.status_code == 302
    visit = DoorVisit.objects.get(pk=fresh.visits[0].pk)
    assert visit.review_status == ReviewStatus.HAS_ISSUES and visit.reviewed_by == world.alice
    note = Notification.objects.get(user=world.bob, kind=Notification.REVIEW)
    assert "vluchtrichting" in note.body and note.url == reverse("my_visits", args=[fresh.incident.pk])
    assert note.emailed_at is not None


def test_the_volunteer_sees_the_comment_and_corrects_the_visit(
    client: Client, world: World, fresh: CanvassSetup
) -> None:
    visit = fresh.visits[0]
    review.review_visit(visit, by=world.alice, status=ReviewStatus.HAS_ISSUES, comment="Hoe laat was het?")
    client.force_login(world.bob)
    page = client.get(reverse("my_visits", args=[fresh.incident.pk])).content.decode()
    assert "Hoe laat was het?" in page and "Bezoek verbeteren" in page
    url = reverse("visit_correct", args=[fresh.incident.pk, visit.pk])
    form = client.get(url)
    assert form.status_code == 200 and "Hoe laat was het?" in form.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.READ_PERSONAL, actor=world.bob).exists()
    data = correction_post(visit)
    data["observations-what_time"] = "22:15"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    visit.refresh_from_db()
    assert visit.answers["what_time"] == "22:15" and visit.review_status == ReviewStatus.RECEIVED
    assert visit.answers["persons"][0]["behaviour"] == person()["behaviour"]
    assert visit.answers["contact_name"] == WITNESS_NAME


def test_a_correction_is_checked_like_the_door_form(client: Client, world: World, fresh: CanvassSetup) -> None:
    visit = fresh.visits[0]
    client.force_login(world.bob)
    data = correction_post(visit)
    data["persons-0-behaviour"] = ""
    response = client.post(reverse("visit_correct", args=[fresh.incident.pk, visit.pk]), data)
    assert response.status_code == 400 and "Nog niet in orde" in response.content.decode()
    visit.refresh_from_db()
    assert visit.answers["persons"][0]["behaviour"]


def test_adding_a_block_redisplays_the_form_without_saving(client: Client, world: World, fresh: CanvassSetup) -> None:
    visit = fresh.visits[0]
    client.force_login(world.bob)
    data = correction_post(visit)
    data["add"] = "persons"
    response = client.post(reverse("visit_correct", args=[fresh.incident.pk, visit.pk]), data)
    assert response.status_code == 200 and 'name="persons-count" value="2"' in response.content.decode()


def test_only_spoken_visits_are_reviewed(world: World, fresh: CanvassSetup) -> None:
    with pytest.raises(ValidationError, match="Alleen gesprekken"):
        review.review_visit(fresh.visits[1], by=world.alice, status=ReviewStatus.APPROVED)


def test_corrections_stop_once_the_report_is_sent(world: World, fresh: CanvassSetup) -> None:
    visit = fresh.visits[0]
    assert review.can_correct(visit, world.bob)
    late = fresh.visit(world.bob, data=answers(persons=[person()]), minutes=6)
    approve([visit], by=world.alice)
    submit_report(fresh.incident, by=world.alice)
    assert not review.can_correct(visit, world.bob)
    # A visit the report did not carry (not approved yet) stays open until a supplement sends it.
    assert review.can_correct(late, world.bob)
    with pytest.raises(ValidationError):
        review.correct_visit(visit, by=world.bob, answers=visit.answers)


def correction_post(visit: DoorVisit) -> dict[str, str]:
    """The correction form as the browser would post it unchanged, from the visit's answers."""
    from buurtonderzoek.handoff.correction import CorrectionForm

    version = review.version_for(visit)
    form = CorrectionForm(version.parsed, visit.answers, review.engine_context(visit))
    data: dict[str, str] = {}
    for part in form.parts:
        for name, field in part.form.fields.items():
            data.update(_field_data(part.form, name, field))
        for repeat in part.repeats:
            data[f"{repeat.question.id}-count"] = str(repeat.count)
            for block_form in repeat.forms:
                for name, field in block_form.fields.items():
                    data.update(_field_data(block_form, name, field))
    return data


def _field_data(form, name, field) -> dict[str, str]:
    bound = form[name]
    value = bound.value()
    key = bound.html_name
    if value in (None, "", []):
        return {}
    if (isinstance(value, list) and field.widget.__class__.__name__ == "RangeWidget") or hasattr(
        field.widget, "widgets"
    ):
        values = field.widget.decompress(value) if not isinstance(value, list) else value
        return {f"{key}_{i}": "" if v is None else str(v) for i, v in enumerate(values)}
    if isinstance(value, list):
        return {key: value}  # type: ignore[dict-item]
    return {key: str(value)}
