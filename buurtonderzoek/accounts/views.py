"""Team pages (members, invitations), the invitation link an invitee opens, and personal API keys.

Reads go through `get_team_for_user`: outsiders get 404, users who may see the team but not its members
(police, gemeente) or may not change it (volunteers) get 403. Writes go through `actions`.

API keys (/accounts/api-sleutels/) are for police and beheerders (others 403); each user sees and revokes
only their own (someone else's key is 404). The two-factor middleware guards these pages although they
live under /accounts/: a key must not be made by someone who has only the password.
"""

from __future__ import annotations

from allauth.account.utils import perform_login
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from buurtonderzoek.accounts import actions
from buurtonderzoek.accounts.access import get_team_for_user, is_team_coordinator
from buurtonderzoek.accounts.forms import ApiTokenForm, InvitationForm, MemberRoleForm, NewAccountForm
from buurtonderzoek.accounts.middleware import passed_second_factor
from buurtonderzoek.accounts.models import (
    TEAM_ROLE_CHOICES,
    ApiToken,
    Invitation,
    InvitationStatus,
    Membership,
    Role,
    Team,
    User,
)
from buurtonderzoek.core.audit import record_personal_read
from buurtonderzoek.core.decorators import role_required
from buurtonderzoek.core.types import AuthedHttpRequest


def _team_page_context(request: AuthedHttpRequest, team: Team) -> dict[str, object]:
    can_manage = is_team_coordinator(request.user, team)
    # Coordinators first ("coordinator" sorts before "volunteer"), then by name.
    members = list(team.memberships.select_related("user").order_by("role", "user__full_name", "user__email"))
    invitations = list(team.invitations.open().select_related("invited_by")) if can_manage else []
    if can_manage:
        # Coordinators see e-mail addresses of members and invitees: a read of personal data.
        record_personal_read(request.user, team, what=f"Ledenlijst en uitnodigingen van team {team}", request=request)
    return {
        "team": team,
        "members": members,
        "invitations": invitations,
        "can_manage": can_manage,
        "coordinator_count": sum(1 for m in members if m.role == Role.COORDINATOR),
        "role_choices": TEAM_ROLE_CHOICES,
    }


@login_required
def team_detail(request: AuthedHttpRequest, team_id: int) -> HttpResponse:
    team = get_team_for_user(request.user, team_id, member=True)
    context = _team_page_context(request, team)
    context["form"] = InvitationForm() if context["can_manage"] else None
    return render(request, "accounts/team_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def team_invite(request: AuthedHttpRequest, team_id: int) -> HttpResponse:
    team = get_team_for_user(request.user, team_id, write=True)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            invitation = actions.invite_member(team, by=request.user, email=email, role=form.cleaned_data["role"])
        except ValidationError as error:
            form.add_error("email", error)
        else:
            if invitation.mail_failed:
                messages.warning(
                    request,
                    _(
                        "De uitnodiging voor %(email)s is opgeslagen, maar de e-mail kon niet worden verstuurd. "
                        "Nodig %(email)s later opnieuw uit; de nieuwe uitnodiging vervangt deze."
                    )
                    % {"email": email},
                )
            else:
                messages.success(request, _("Uitnodiging verstuurd naar %(email)s.") % {"email": email})
            return redirect("team_detail", team_id=team.pk)
    return render(request, "accounts/team_invite.html", {"team": team, "form": form})


@login_required
@require_POST
def invitation_revoke(request: AuthedHttpRequest, team_id: int, invitation_id: int) -> HttpResponse:
    team = get_team_for_user(request.user, team_id, write=True)
    invitation = get_object_or_404(Invitation, pk=invitation_id, team=team)
    try:
        actions.revoke_invitation(invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("De uitnodiging voor %(email)s is ingetrokken.") % {"email": invitation.email})
    return redirect("team_detail", team_id=team.pk)


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request: AuthedHttpRequest, team_id: int, membership_id: int) -> HttpResponse:
    team = get_team_for_user(request.user, team_id, write=True)
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_id, team=team)
    if request.method == "POST":
        try:
            actions.remove_member(membership, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(name)s is uit het team verwijderd.") % {"name": membership.user})
            if membership.user_id == request.user.pk:
                return redirect("start")
        return redirect("team_detail", team_id=team.pk)
    return render(request, "accounts/member_remove.html", {"team": team, "membership": membership})


@login_required
@require_POST
def member_role(request: AuthedHttpRequest, team_id: int, membership_id: int) -> HttpResponse:
    team = get_team_for_user(request.user, team_id, write=True)
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_id, team=team)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies een geldige rol."))
        return redirect("team_detail", team_id=team.pk)
    try:
        actions.change_member_role(membership, by=request.user, role=form.cleaned_data["role"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s is nu %(role)s.") % {"name": membership.user, "role": membership.get_role_display()},
        )
    return redirect("team_detail", team_id=team.pk)


@never_cache
@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation e-mail.

    Nothing changes on GET: mail scanners open links too. Logged in with the invited address: confirm and
    join. Not logged in: create an account for the invited address, or log in and come back here.
    """
    invitation = Invitation.objects.for_token(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", {"reason": "unknown"}, status=404)
    if invitation.status != InvitationStatus.OPEN:
        return render(
            request,
            "accounts/invitation_invalid.html",
            {"reason": invitation.status, "message": actions.UNAVAILABLE_MESSAGES[invitation.status]},
            status=410,
        )
    context: dict[str, object] = {"invitation": invitation, "team": invitation.team, "token": token}
    user = request.user
    if user.is_authenticated:
        assert isinstance(user, User)
        if user.email.lower() != invitation.email.lower():
            return render(request, "accounts/invitation_wrong_user.html", context, status=403)
        if request.method == "POST":
            try:
                actions.accept_invitation(invitation, user=user)
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
                return redirect("accept_invitation", token=token)
            messages.success(request, _("Welkom bij %(team)s!") % {"team": invitation.team})
            return redirect("team_detail", team_id=invitation.team_id)
        return render(request, "accounts/invitation_accept.html", context)

    has_account = User.objects.filter(email__iexact=invitation.email).exists()
    form = None
    if not has_account:
        form = NewAccountForm(request.POST or None, invitation=invitation)
        if request.method == "POST" and form.is_valid():
            try:
                new_user = actions.accept_invitation_as_new_user(
                    invitation, full_name=form.cleaned_data["full_name"], password=form.cleaned_data["password1"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Welkom bij %(team)s!") % {"team": invitation.team})
                response: HttpResponse = perform_login(
                    request, new_user, redirect_url=reverse("team_detail", args=[invitation.team_id]), signup=True
                )
                return response
    context.update(
        {
            "form": form,
            "has_account": has_account,
            "login_url": f"{reverse('account_login')}?{urlencode({'next': request.path})}",
        }
    )
    return render(request, "accounts/invitation_accept.html", context)


@login_required
def email_managed(request: HttpRequest) -> HttpResponse:
    """Stands in for allauth's e-mail management: the address is the login and the invitation key.

    Changing it without verification would let anyone claim an address; the beheerder changes it.
    """
    return render(request, "accounts/email_managed.html")


API_TOKEN_ROLES = (Role.POLICE, Role.MUNICIPAL, "admin")


@role_required(*API_TOKEN_ROLES)
def api_token_list(request: AuthedHttpRequest) -> HttpResponse:
    tokens = list(ApiToken.objects.visible_to(request.user))
    return render(request, "accounts/api_token_list.html", {"tokens": tokens})


@never_cache
@role_required(*API_TOKEN_ROLES)
@require_http_methods(["GET", "POST"])
def api_token_create(request: AuthedHttpRequest) -> HttpResponse:
    if not passed_second_factor(request):
        # A key opens the reports for up to a year: whoever makes one types a code from the app now.
        return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.path})}")
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            api_token = actions.create_api_token(
                by=request.user, name=form.cleaned_data["name"], valid_days=form.cleaned_data["valid_days"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # Shown in this answer only (never_cache: not kept by the browser or a proxy); after this, only
            # the hash exists.
            return render(request, "accounts/api_token_created.html", {"api_token": api_token}, status=201)
    return render(request, "accounts/api_token_create.html", {"form": form})


@role_required(*API_TOKEN_ROLES)
@require_http_methods(["GET", "POST"])
def api_token_revoke(request: AuthedHttpRequest, token_id: int) -> HttpResponse:
    api_token = get_object_or_404(ApiToken.objects.visible_to(request.user), pk=token_id)
    if request.method == "POST":
        try:
            actions.revoke_api_token(api_token, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("De sleutel %(name)s werkt niet meer.") % {"name": f"{api_token.name} ({api_token.prefix})"}
            )
        return redirect("api_token_list")
    return render(request, "accounts/api_token_revoke.html", {"api_token": api_token})
