"""A door recorded by two volunteers: the coordinator chooses which visit counts."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from buurtonderzoek.canvass.actions import choose_counting_visit, record_visit
from buurtonderzoek.canvass.models import DoorVisit, ReviewStatus
from buurtonderzoek.canvass.sync import conflicts_for
from buurtonderzoek.canvass.tests.test_field_support import SPOKEN_NOTHING_SEEN, Field, make_field
from buurtonderzoek.core.models import AuditEvent
from buurtonderzoek.incidents.models import Incident
from conftest import World
from tests.browser.helpers import assert_accessible, log_in, screenshot


@pytest.fixture
def field(world: World, incident: Incident) -> Field:
    return make_field(world, incident)


def two_talks(field: Field) -> tuple[DoorVisit, DoorVisit]:
    stop = field.stops[2]
    visits = []
    for user, minutes in ((field.world.bob, 30), (field.vera, 20)):
        visit, _created = record_visit(
            field.canvass,
            by=user,
            client_uuid=uuid4(),
            address_id=stop.address_id,
            outcome="gesproken",
            visited_at=timezone.now() - timedelta(minutes=minutes),
            answers=dict(SPOKEN_NOTHING_SEEN),
            questionnaire_version=field.version,
        )
        visits.append(visit)
    return visits[0], visits[1]


def url(field: Field, visit: DoorVisit) -> str:
    return reverse("canvass_choose_visit", args=[field.incident.pk, visit.pk])


def test_choosing_a_visit_sets_the_other_aside_with_a_reason_and_an_audit_trail(field: Field) -> None:
    bobs, veras = two_talks(field)
    assert [c.address_id for c in conflicts_for(field.canvass)] == [bobs.address_id]

    set_aside = choose_counting_visit(veras, by=field.world.alice)

    assert [v.pk for v in set_aside] == [bobs.pk]
    bobs.refresh_from_db()
    veras.refresh_from_db()
    assert bobs.review_status == ReviewStatus.REJECTED
    assert "telt voor dit adres" in bobs.review_comment and str(field.vera) in bobs.review_comment
    assert bobs.reviewed_by == field.world.alice
    assert veras.review_status == ReviewStatus.RECEIVED  # still reviewed on its content as usual
    assert conflicts_for(field.canvass) == []  # settled: the panel no longer lists the door
    assert DoorVisit.objects.filter(canvass=field.canvass).count() == 2  # nothing deleted
    summaries = list(AuditEvent.objects.filter(actor=field.world.alice).values_list("summary", flat=True))
    assert any("telt niet" in s for s in summaries) and any("dit bezoek telt" in s for s in summaries)


def test_changing_ones_mind_brings_the_set_aside_visit_back_to_review(field: Field) -> None:
    bobs, veras = two_talks(field)
    choose_counting_visit(veras, by=field.world.alice)
    choose_counting_visit(bobs, by=field.world.alice)
    bobs.refresh_from_db()
    veras.refresh_from_db()
    assert bobs.review_status == ReviewStatus.RECEIVED
    assert veras.review_status == ReviewStatus.REJECTED


def test_a_door_without_a_competing_visit_cannot_be_settled(field: Field) -> None:
    _bobs, veras = two_talks(field)
    choose_counting_visit(veras, by=field.world.alice)
    with pytest.raises(ValidationError):
        choose_counting_visit(veras, by=field.world.alice)


# The page ------------------------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_the_login_page(client: Client, field: Field) -> None:
    _bobs, veras = two_talks(field)
    response = client.post(url(field, veras))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_an_outsider_gets_a_404(client: Client, field: Field) -> None:
    _bobs, veras = two_talks(field)
    client.force_login(field.world.charlie)
    assert client.post(url(field, veras)).status_code == 404


def test_a_volunteer_of_the_team_may_not_decide(client: Client, field: Field) -> None:
    bobs, veras = two_talks(field)
    client.force_login(field.world.bob)
    assert client.post(url(field, veras)).status_code == 403
    bobs.refresh_from_db()
    assert bobs.review_status == ReviewStatus.RECEIVED


def test_the_coordinator_chooses_on_the_overview_and_the_door_is_settled(client: Client, field: Field) -> None:
    bobs, veras = two_talks(field)
    client.force_login(field.world.alice)
    overview = reverse("canvass_overview", args=[field.incident.pk])
    page = client.get(overview).content.decode()
    assert "welk bezoek telt?" in page and url(field, veras) in page and url(field, bobs) in page

    response = client.post(url(field, veras), follow=True)

    assert response.redirect_chain[-1][0].endswith("#conflicts")
    html = response.content.decode()
    assert "telt nu het bezoek van" in html
    assert "Geen deuren die door twee lopers zijn vastgelegd." in html
    bobs.refresh_from_db()
    assert bobs.review_status == ReviewStatus.REJECTED


def test_a_visit_of_another_canvass_is_not_found(client: Client, field: Field, world: World) -> None:
    _bobs, veras = two_talks(field)
    client.force_login(world.alice)
    wrong = reverse("canvass_choose_visit", args=[field.incident.pk, veras.pk + 1000])
    assert client.post(wrong).status_code == 404


@pytest.mark.browser
def test_the_coordinator_settles_a_double_visit_on_a_phone(phone_page: Page, field: Field) -> None:
    bobs, veras = two_talks(field)
    log_in(phone_page, field.world.alice.email)
    phone_page.goto(reverse("canvass_overview", args=[field.incident.pk]) + "#conflicts")
    panel = phone_page.locator("#conflicts")
    expect(panel.locator("#conflicts-table tbody tr")).to_have_count(1)
    panel.scroll_into_view_if_needed()
    assert_accessible(phone_page)
    screenshot(phone_page, "canvass-double-visit")
    with phone_page.expect_navigation():
        panel.locator("li", has_text=str(field.vera)).get_by_role("button", name="Dit bezoek telt").click()
    expect(phone_page.locator(".messages")).to_contain_text(f"telt nu het bezoek van {field.vera}")
    expect(panel).to_contain_text("Geen deuren die door twee lopers zijn vastgelegd.")
    bobs.refresh_from_db()
    veras.refresh_from_db()
    assert (bobs.review_status, veras.review_status) == (ReviewStatus.REJECTED, ReviewStatus.RECEIVED)
