"""The weekly digest: opt-in, what it says, to whom, and never twice in a week."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buurtonderzoek.accounts.tests.conftest import give_totp
from buurtonderzoek.core.models import AuditEvent
from buurtonderzoek.dashboards import actions
from buurtonderzoek.dashboards.digest import build_digest, render_digest
from buurtonderzoek.dashboards.models import DigestSubscription
from buurtonderzoek.dashboards.tests import history
from conftest import World

pytestmark = pytest.mark.django_db


def test_the_gemeente_digest_compares_the_week_and_names_teams_that_need_care(world: World) -> None:
    now = timezone.now()
    history.walk(world.team, by=world.bob, at=now - timedelta(days=2), doors=history.addresses(6))
    history.walk(world.team, by=world.bob, at=now - timedelta(days=9), doors=history.addresses(3))
    digest = build_digest(world.gert)
    assert digest is not None
    [area] = digest.areas
    assert area.name == "Demodorp"
    assert (area.this_week.incidents, area.this_week.doors_visited) == (1, 6)
    assert (area.last_week.incidents, area.last_week.doors_visited) == (1, 3)
    subject, body = render_digest(digest)
    assert subject == "Uw week in buurtpreventie: Demodorp"
    assert "- Deuren bezocht: 6 (week ervoor: 3)" in body
    # Team Noord has two members and bob does every door: it needs care, with the reason and what to do.
    assert "* Buurtpreventie Noord: risico" in body
    assert "Wat te doen: Verdeel de routes over meer leden" in body
    assert "Fiets weg." not in body and "Proefstraat" not in body
    assert reverse("digest_settings") in body


def test_a_coordinator_gets_only_their_own_team(world: World) -> None:
    digest = build_digest(world.alice)
    assert digest is not None
    assert [a.name for a in digest.areas] == ["Buurtpreventie Noord"]
    assert build_digest(world.bob) is None  # volunteers get no digest


def test_only_subscribers_get_it_and_only_once_a_week(world: World) -> None:
    actions.subscribe_digest(world.gert, by=world.gert)
    call_command("send_weekly_digest")
    assert [m.to for m in mail.outbox] == [[world.gert.email]]
    assert "Wat aandacht nodig heeft" in str(mail.outbox[0].body)
    call_command("send_weekly_digest")
    assert len(mail.outbox) == 1
    DigestSubscription.objects.update(last_sent_at=timezone.now() - timedelta(days=7))
    call_command("send_weekly_digest")
    assert len(mail.outbox) == 2


def test_volunteers_cannot_subscribe_and_nobody_subscribes_another(world: World) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.subscribe_digest(world.bob, by=world.bob)
    with pytest.raises(PermissionDenied):
        actions.subscribe_digest(world.gert, by=world.alice)


def test_the_settings_page_needs_a_login(client: Client, world: World) -> None:
    response = client.get(reverse("digest_settings"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_the_settings_page_refuses_volunteers(client: Client, world: World) -> None:
    client.force_login(world.bob)
    assert client.get(reverse("digest_settings")).status_code == 403
    assert client.post(reverse("digest_settings"), {"weekly": "on"}).status_code == 403
    assert not DigestSubscription.objects.exists()


def test_a_coordinator_opts_in_and_out_for_herself_only(client: Client, world: World) -> None:
    # No outsider case: the page has no object in its URL, it only ever changes the signed-in user's choice.
    client.force_login(world.alice)
    page = client.get(reverse("digest_settings")).content.decode()
    assert 'name="weekly"' in page and "checked" not in page
    client.post(reverse("digest_settings"), {"weekly": "on"})
    assert DigestSubscription.objects.get().user == world.alice
    assert AuditEvent.objects.filter(actor=world.alice, summary__contains="Aangemeld").exists()
    assert "checked" in client.get(reverse("digest_settings")).content.decode()
    client.post(reverse("digest_settings"), {})
    assert not DigestSubscription.objects.exists()


def test_the_gemeente_reaches_the_settings_from_its_start_page(client: Client, world: World) -> None:
    give_totp(world.gert)
    client.force_login(world.gert)
    assert reverse("digest_settings") in client.get(reverse("start_municipal")).content.decode()
