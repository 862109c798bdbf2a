"""The admin: every accounts model is there, writes are audited, the audit log is read-only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from buurtonderzoek.accounts import actions
from buurtonderzoek.accounts.models import InvitationStatus, Membership, Role, Team, User
from buurtonderzoek.core.audit import record
from buurtonderzoek.core.models import AuditAction, AuditEvent
from conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client, world: World) -> Client:
    client.force_login(world.admin)
    return client


@pytest.mark.parametrize("model", ["user", "team", "policeunit", "membership", "invitation"])
def test_each_accounts_model_has_a_list_in_the_admin(admin_client: Client, world: World, model: str) -> None:
    actions.invite_member(world.team, by=world.alice, email="nieuw@example.nl", role=Role.VOLUNTEER)
    assert admin_client.get(reverse(f"admin:accounts_{model}_changelist")).status_code == 200


@pytest.mark.parametrize(
    ("model", "obj"),
    [("user", "bob"), ("team", "team"), ("policeunit", "unit")],
)
def test_change_pages_open(admin_client: Client, world: World, model: str, obj: str) -> None:
    pk = getattr(world, obj).pk
    assert admin_client.get(reverse(f"admin:accounts_{model}_change", args=[pk])).status_code == 200


@pytest.mark.parametrize("model", ["user", "team", "policeunit", "membership"])
def test_add_pages_open(admin_client: Client, model: str) -> None:
    assert admin_client.get(reverse(f"admin:accounts_{model}_add")).status_code == 200


def test_invitations_cannot_be_added_or_deleted_in_the_admin(admin_client: Client, world: World) -> None:
    invitation = actions.invite_member(world.team, by=world.alice, email="nieuw@example.nl", role=Role.VOLUNTEER)
    assert admin_client.get(reverse("admin:accounts_invitation_add")).status_code == 403
    assert admin_client.post(reverse("admin:accounts_invitation_delete", args=[invitation.pk])).status_code == 403
    page = admin_client.get(reverse("admin:accounts_invitation_change", args=[invitation.pk])).content.decode()
    assert invitation.token_hash not in page


def test_the_admin_revokes_invitations_through_the_action(admin_client: Client, world: World) -> None:
    invitation = actions.invite_member(world.team, by=world.alice, email="nieuw@example.nl", role=Role.VOLUNTEER)
    response = admin_client.post(
        reverse("admin:accounts_invitation_changelist"),
        {"action": "revoke_invitations", "_selected_action": [invitation.pk]},
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    assert invitation.revoked_by == world.admin


def test_creating_a_user_in_the_admin_is_audited_without_the_password(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "nieuw@example.nl",
            "usable_password": "true",
            "password1": "Een-lang-wachtwoord-9",
            "password2": "Een-lang-wachtwoord-9",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="nieuw@example.nl")
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="accounts.User", object_id=str(user.pk))
    assert event.actor_label == "admin@example.nl"
    assert "Een-lang-wachtwoord-9" not in str(event.data)


def test_changing_a_team_in_the_admin_records_the_changed_fields(admin_client: Client, world: World) -> None:
    team = world.team
    response = admin_client.post(
        reverse("admin:accounts_team_change", args=[team.pk]),
        {
            "name": "Buurtpreventie Noord-Oost",
            "gemeente": team.gemeente_id,
            "buurten": ",".join(str(b.pk) for b in team.buurten.all()),
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="accounts.Team")
    assert event.data == {"fields": ["name"]}
    assert Team.objects.get(pk=team.pk).name == "Buurtpreventie Noord-Oost"


def test_deleting_a_membership_in_the_admin_is_audited(admin_client: Client, world: World) -> None:
    membership = Membership.objects.get(user=world.bob)
    response = admin_client.post(reverse("admin:accounts_membership_delete", args=[membership.pk]), {"post": "yes"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.DELETE)
    assert event.object_id == str(membership.pk)
    assert event.object_type == "accounts.Membership"


def test_bulk_deleting_memberships_audits_each_one(admin_client: Client, world: World) -> None:
    ids = list(Membership.objects.filter(team=world.team).values_list("pk", flat=True))
    response = admin_client.post(
        reverse("admin:accounts_membership_changelist"),
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert set(AuditEvent.objects.filter(action=AuditAction.DELETE).values_list("object_id", flat=True)) == {
        str(pk) for pk in ids
    }


def test_the_audit_log_is_listed_but_cannot_be_added_changed_or_deleted(admin_client: Client, world: World) -> None:
    event = record(world.alice, AuditAction.UPDATE, world.team, summary="Iets gewijzigd")
    changelist = admin_client.get(reverse("admin:core_auditevent_changelist"))
    assert changelist.status_code == 200
    assert "Iets gewijzigd" in changelist.content.decode()
    assert admin_client.get(reverse("admin:core_auditevent_add")).status_code == 403
    detail = admin_client.get(reverse("admin:core_auditevent_change", args=[event.pk]))
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert (
        admin_client.post(reverse("admin:core_auditevent_change", args=[event.pk]), {"summary": "x"}).status_code == 403
    )
    assert (
        admin_client.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    )
    assert AuditEvent.objects.get(pk=event.pk).summary == "Iets gewijzigd"


def test_the_audit_log_is_for_admins_only(client: Client, world: World) -> None:
    client.force_login(world.alice)
    response = client.get(reverse("admin:core_auditevent_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def team_form(world: World, **extra: str) -> dict[str, str]:
    team = world.team
    return {
        "name": team.name,
        "gemeente": str(team.gemeente_id),
        "buurten": ",".join(str(b.pk) for b in team.buurten.all()),
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        **extra,
    }


def test_adding_and_removing_members_inline_is_audited(admin_client: Client, world: World) -> None:
    url = reverse("admin:accounts_team_change", args=[world.team.pk])
    response = admin_client.post(
        url,
        team_form(
            world,
            **{
                "memberships-TOTAL_FORMS": "1",
                "memberships-0-user": str(world.charlie.pk),
                "memberships-0-role": Role.VOLUNTEER,
                "memberships-0-team": str(world.team.pk),
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    added = Membership.objects.get(user=world.charlie, team=world.team)
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(added.pk)).exists()

    response = admin_client.post(
        url,
        team_form(
            world,
            **{
                "memberships-TOTAL_FORMS": "1",
                "memberships-INITIAL_FORMS": "1",
                "memberships-0-id": str(added.pk),
                "memberships-0-user": str(world.charlie.pk),
                "memberships-0-role": Role.VOLUNTEER,
                "memberships-0-team": str(world.team.pk),
                "memberships-0-DELETE": "on",
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not Membership.objects.filter(pk=added.pk).exists()
    deleted = AuditEvent.objects.get(action=AuditAction.DELETE)
    assert (deleted.object_type, deleted.object_id) == ("accounts.Membership", str(added.pk))


def test_users_are_deactivated_not_deleted_in_the_admin(admin_client: Client, world: World) -> None:
    # ADR 0003: deleting a user with audit events would have to rewrite the log.
    assert (
        admin_client.post(reverse("admin:accounts_user_delete", args=[world.bob.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert User.objects.filter(pk=world.bob.pk).exists()
