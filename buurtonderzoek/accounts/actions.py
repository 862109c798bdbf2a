"""Every write to team memberships and invitations.

The invitation flow: a coordinator (or an admin) calls `invite_member`. We keep only a SHA-256 hash of a
random token and, once the transaction commits, e-mail the link /accounts/uitnodiging/<token>/ to the
invitee. The invitee opens it, logs in with an existing account or creates one
(`accept_invitation_as_new_user`), and `accept_invitation` turns the invitation into a Membership.
A coordinator can revoke an open invitation, remove a member or change a member's role; a team always
keeps at least one coordinator.

Personal API keys for police systems (`tokens.py`): `create_api_token` makes one and returns it with the
plain key in `.token`, to be shown once; `revoke_api_token` stops one.

Each function checks who may do it, runs in one transaction and records audit events.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.accounts.access import is_team_coordinator
from buurtonderzoek.accounts.models import (
    TEAM_ROLES,
    ApiToken,
    ApiTokenStatus,
    Invitation,
    InvitationStatus,
    Membership,
    Role,
    Team,
    User,
    hash_token,
)
from buurtonderzoek.accounts.tokens import MAX_VALID_DAYS, may_hold_api_tokens, new_token
from buurtonderzoek.core.audit import record
from buurtonderzoek.core.mail import send_safely
from buurtonderzoek.core.models import AuditAction

UNAVAILABLE_MESSAGES = {
    InvitationStatus.ACCEPTED: _("Deze uitnodiging is al gebruikt."),
    InvitationStatus.REVOKED: _("Deze uitnodiging is ingetrokken door de coördinator."),
    InvitationStatus.EXPIRED: _("Deze uitnodiging is verlopen."),
}


def _require_coordinator(team: Team, user: User) -> None:
    if not is_team_coordinator(user, team):
        raise PermissionDenied(_("Alleen de coördinator van dit team mag dit doen."))


def _require_open(invitation: Invitation) -> None:
    status = invitation.status
    if status != InvitationStatus.OPEN:
        raise ValidationError(UNAVAILABLE_MESSAGES[status], code=str(status))


def invitation_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("accept_invitation", args=[token])


@transaction.atomic
def invite_member(team: Team, *, by: User, email: str, role: str) -> Invitation:
    """Invite `email` to `team`. The returned instance carries the plain token in `.token` (never stored)."""
    _require_coordinator(team, by)
    email = email.strip().lower()
    if role not in TEAM_ROLES:
        raise ValidationError(_("Kies een rol binnen het team."), code="role")
    if Membership.objects.filter(team=team, user__email__iexact=email).exists():
        raise ValidationError(_("%(email)s is al lid van dit team."), code="member", params={"email": email})
    # A new invitation replaces any earlier open one for the same address: only the newest link works.
    for earlier in Invitation.objects.open().filter(team=team, email__iexact=email).select_for_update():
        _revoke(earlier, by=by, summary=f"Uitnodiging voor {email} vervangen door een nieuwe")
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        team=team,
        email=email,
        role=role,
        token_hash=hash_token(token),
        invited_by=by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.token = token
    record(
        by,
        AuditAction.CREATE,
        invitation,
        summary=f"{email} uitgenodigd voor team {team} als {Role(role).label}",
        data={"team": team.pk, "email": email, "role": role},
    )

    # Sent directly after commit, not through the task queue: a queued task would store the plain token
    # in the database, which the hash is there to avoid.
    def send() -> None:
        # Sent in this request (the plain token must not wait in the task table). A mail failure leaves the
        # invitation saved: the coordinator is told (`mail_failed`) and the admin sees it under failed mails.
        invitation.mail_failed = not send_safely(
            f"uitnodiging voor team {team}", lambda: send_invitation_email(invitation, token)
        )

    transaction.on_commit(send)
    return invitation


def send_invitation_email(invitation: Invitation, token: str) -> None:
    # Dutch first: we do not know the invitee's language, and the link's page offers English.
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "invitation": invitation,
            "team": invitation.team,
            "inviter": invitation.invited_by,
            "url": invitation_url(token),
            "role": invitation.get_role_display(),
            "valid_days": settings.INVITATION_VALID_DAYS,
        }
        subject = render_to_string("accounts/email/invitation_subject.txt", context)
        body = render_to_string("accounts/email/invitation_message.txt", context)
    send_mail(" ".join(subject.split()), body, None, [invitation.email])


@transaction.atomic
def accept_invitation(invitation: Invitation, *, user: User) -> Membership:
    """Join the invitation's team. Only the account with the invited e-mail address can accept."""
    invitation = Invitation.objects.select_for_update().select_related("team").get(pk=invitation.pk)
    _require_open(invitation)
    if user.email.lower() != invitation.email.lower():
        raise PermissionDenied(
            _("Deze uitnodiging is verstuurd naar %(email)s; u bent ingelogd met een ander e-mailadres.")
            % {"email": invitation.email}
        )
    team = invitation.team
    membership = Membership.objects.filter(user=user, team=team).first()
    if membership is None:
        membership = Membership.objects.create(user=user, team=team, role=invitation.role)
        record(
            user,
            AuditAction.CREATE,
            membership,
            summary=f"{user.email} lid geworden van team {team} als {membership.get_role_display()}",
            data={"team": team.pk, "role": membership.role, "invitation": invitation.pk},
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    record(user, AuditAction.UPDATE, invitation, summary=f"Uitnodiging voor team {team} geaccepteerd")
    return membership


@transaction.atomic
def accept_invitation_as_new_user(invitation: Invitation, *, full_name: str, password: str) -> User:
    """Create the invitee's account and join the team in one step.

    The token reached the invited mailbox, so the address counts as verified.
    """
    _require_open(invitation)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError(_("Er bestaat al een account met dit e-mailadres. Log in om lid te worden."))
    user = User.objects.create_user(invitation.email, password, full_name=full_name.strip())
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    record(
        user,
        AuditAction.CREATE,
        user,
        summary=f"Account {user.email} aangemaakt via uitnodiging voor team {invitation.team}",
        data={"invitation": invitation.pk},
    )
    accept_invitation(invitation, user=user)
    return user


def _revoke(invitation: Invitation, *, by: User, summary: str) -> None:
    invitation.revoked_at = timezone.now()
    invitation.revoked_by = by
    invitation.save(update_fields=["revoked_at", "revoked_by"])
    record(by, AuditAction.UPDATE, invitation, summary=summary, data={"team": invitation.team_id})


@transaction.atomic
def revoke_invitation(invitation: Invitation, *, by: User) -> None:
    _require_coordinator(invitation.team, by)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _require_open(invitation)
    _revoke(invitation, by=by, summary=f"Uitnodiging voor {invitation.email} ingetrokken")


def _team_of(membership: Membership) -> Team:
    if membership.team is None:
        raise ValidationError(_("Dit lidmaatschap hoort niet bij een team."))
    return membership.team


def _refuse_losing_last_coordinator(membership: Membership, team: Team) -> None:
    if membership.role != Role.COORDINATOR:
        return
    # Lock the team's coordinator rows so two coordinators cannot remove each other at the same time.
    coordinators = list(
        Membership.objects.select_for_update().filter(team=team, role=Role.COORDINATOR).values_list("pk", flat=True)
    )
    if coordinators == [membership.pk]:
        raise ValidationError(
            _("Een team heeft altijd minstens één coördinator. Maak eerst iemand anders coördinator."),
            code="last_coordinator",
        )


@transaction.atomic
def remove_member(membership: Membership, *, by: User) -> None:
    team = _team_of(membership)
    _require_coordinator(team, by)
    _refuse_losing_last_coordinator(membership, team)
    user = membership.user
    record(
        by,
        AuditAction.DELETE,
        membership,
        summary=f"{user.email} verwijderd uit team {team}",
        data={"team": team.pk, "user": user.pk, "role": membership.role},
    )
    membership.delete()


@transaction.atomic
def change_member_role(membership: Membership, *, by: User, role: str) -> Membership:
    team = _team_of(membership)
    _require_coordinator(team, by)
    if role not in TEAM_ROLES:
        raise ValidationError(_("Kies een rol binnen het team."), code="role")
    if role == membership.role:
        return membership
    if role != Role.COORDINATOR:
        _refuse_losing_last_coordinator(membership, team)
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    record(
        by,
        AuditAction.UPDATE,
        membership,
        summary=f"Rol van {membership.user.email} in team {team} gewijzigd naar {membership.get_role_display()}",
        data={"team": team.pk, "from": previous, "to": role},
    )
    return membership


@transaction.atomic
def create_api_token(*, by: User, name: str, valid_days: int) -> ApiToken:
    """A new API key for `by` itself. The returned instance carries the plain key in `.token` (never stored)."""
    if not may_hold_api_tokens(by):
        raise PermissionDenied(_("API-sleutels zijn er alleen voor de politie, de gemeente en beheerders."))
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("Geef de sleutel een naam, bijvoorbeeld het systeem dat hem gebruikt."), code="name")
    if not 1 <= valid_days <= MAX_VALID_DAYS:
        raise ValidationError(
            _("Kies een geldigheid van 1 tot %(max)d dagen."), code="valid_days", params={"max": MAX_VALID_DAYS}
        )
    prefix, token = new_token()
    while ApiToken.objects.filter(prefix=prefix).exists():  # 36^8 prefixes: a clash is rare, but possible
        prefix, token = new_token()
    api_token = ApiToken.objects.create(
        owner=by,
        name=name,
        prefix=prefix,
        token_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(days=valid_days),
    )
    api_token.token = token
    record(
        by,
        AuditAction.CREATE,
        api_token,
        summary=f"API-sleutel {prefix} ({name}) aangemaakt, {valid_days} dagen geldig",
        data={"api_token": prefix, "name": name, "valid_days": valid_days},
    )
    return api_token


@transaction.atomic
def revoke_api_token(api_token: ApiToken, *, by: User) -> ApiToken:
    """Stop a key from working. Its owner may, and so may a beheerder (for a lost laptop, a leaver)."""
    if api_token.owner_id != by.pk and not by.is_superuser:
        raise PermissionDenied(_("Alleen de eigenaar van deze sleutel mag hem intrekken."))
    api_token = ApiToken.objects.select_for_update().get(pk=api_token.pk)
    if api_token.status == ApiTokenStatus.REVOKED:
        raise ValidationError(_("Deze sleutel is al ingetrokken."), code="revoked")
    api_token.revoked_at = timezone.now()
    api_token.revoked_by = by
    api_token.save(update_fields=["revoked_at", "revoked_by"])
    record(
        by,
        AuditAction.UPDATE,
        api_token,
        summary=f"API-sleutel {api_token.prefix} ({api_token.name}) ingetrokken",
        data={"api_token": api_token.prefix, "owner": api_token.owner_id},
    )
    return api_token
