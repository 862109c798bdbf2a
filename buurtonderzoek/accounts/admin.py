"""Organisations, users and memberships in the admin. Every write is audited (AuditedModelAdmin).

Invitations cannot be added here: they carry a token that only `invite_member` creates and e-mails.
The admin can revoke them, through the same action coordinators use. API keys likewise: the beheerder sees
who holds which key (never the key itself) and can revoke one, say for a lost laptop.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.accounts import actions
from buurtonderzoek.accounts.models import ApiToken, ApiTokenStatus, Invitation, Membership, PoliceUnit, Team, User
from buurtonderzoek.core.admin import AuditedModelAdmin


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserEditForm(UserChangeForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = "__all__"


class MembershipInline(admin.TabularInline[Membership, Any]):
    model = Membership
    extra = 0
    fields = ["role", "team", "police_unit", "gemeente", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["team", "police_unit"]
    raw_id_fields = ["gemeente"]


class TeamMembershipInline(admin.TabularInline[Membership, Any]):
    model = Membership
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["user"]
    verbose_name_plural = _("leden")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).select_related("user")


@admin.register(User)
class UserAdmin(AuditedModelAdmin[User], DjangoUserAdmin):  # type: ignore[type-arg]
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "is_superuser", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "memberships__role"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Persoonlijke gegevens"), {"fields": ("full_name",)}),
        (_("Rechten"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Datums"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),)
    readonly_fields = ["last_login", "date_joined"]
    inlines = [MembershipInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # ADR 0003: a user with audit events cannot be deleted (the log is never rewritten). Deactivate
        # the account instead ("actief" off), and for erasure blank its personal fields.
        return False

    def get_inlines(
        self, request: HttpRequest, obj: User | None
    ) -> list[type[admin.options.InlineModelAdmin[Any, Any]]]:
        # Memberships are added once the account exists, on its change page.
        return [] if obj is None else list(self.inlines)


@admin.register(PoliceUnit)
class PoliceUnitAdmin(AuditedModelAdmin[PoliceUnit]):
    list_display = ["name"]
    search_fields = ["name"]
    filter_horizontal = ["gemeenten"]


@admin.register(Team)
class TeamAdmin(AuditedModelAdmin[Team]):
    list_display = ["name", "gemeente", "created_at"]
    list_filter = ["gemeente"]
    list_select_related = ["gemeente"]
    search_fields = ["name", "gemeente__name", "gemeente__code"]
    # 14,000+ buurten and 342 gemeenten: pick by id, not from a select of everything.
    raw_id_fields = ["gemeente", "buurten"]
    inlines = [TeamMembershipInline]


@admin.register(Membership)
class MembershipAdmin(AuditedModelAdmin[Membership]):
    list_display = ["user", "role", "team", "police_unit", "gemeente", "created_at"]
    list_filter = ["role"]
    list_select_related = ["user", "team", "police_unit", "gemeente"]
    search_fields = ["user__email", "user__full_name", "team__name", "police_unit__name", "gemeente__name"]
    autocomplete_fields = ["user", "team", "police_unit"]
    raw_id_fields = ["gemeente"]


@admin.action(description=_("Geselecteerde uitnodigingen intrekken"))
def revoke_invitations(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
    assert isinstance(request.user, User)  # the admin is for logged-in staff only
    revoked = 0
    for invitation in queryset.select_related("team"):
        try:
            actions.revoke_invitation(invitation, by=request.user)
        except ValidationError:
            continue  # already used, revoked or expired: nothing to do
        revoked += 1
    messages.success(request, _("%(count)d uitnodiging(en) ingetrokken.") % {"count": revoked})


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    list_display = ["email", "team", "role", "status", "invited_by", "created_at", "expires_at"]
    list_filter = ["role"]
    list_select_related = ["team", "invited_by"]
    search_fields = ["email", "team__name"]
    readonly_fields = [
        "team",
        "email",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
        "revoked_by",
    ]
    exclude = ["token_hash"]
    actions = [revoke_invitations]

    @admin.display(description=_("status"))
    def status(self, invitation: Invitation) -> str:
        return str(invitation.status.label)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Keep the record of who was invited; revoking is the way to stop a link.
        return False


@admin.action(description=_("Geselecteerde API-sleutels intrekken"))
def revoke_api_tokens(modeladmin: Any, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
    assert isinstance(request.user, User)  # the admin is for logged-in staff only
    revoked = 0
    for api_token in queryset.exclude(revoked_at__isnull=False):
        actions.revoke_api_token(api_token, by=request.user)
        revoked += 1
    messages.success(request, _("%(count)d API-sleutel(s) ingetrokken.") % {"count": revoked})


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["name", "prefix", "owner", "status", "created_at", "expires_at", "last_used_at"]
    list_select_related = ["owner"]
    search_fields = ["name", "prefix", "owner__email"]
    readonly_fields = [
        "owner",
        "name",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    ]
    exclude = ["token_hash"]
    actions = [revoke_api_tokens]

    @admin.display(description=_("status"))
    def status(self, api_token: ApiToken) -> str:
        return str(ApiTokenStatus(api_token.status).label)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # keys are made by their owner, who alone sees the key once

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # keep the record of which key existed; revoking is the way to stop one
