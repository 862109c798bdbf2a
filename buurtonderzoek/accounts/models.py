"""Users, organisations and memberships.

A gemeente (the CBS municipality in `places`) is itself an organisation. Police
units (basisteams) cover one or more gemeenten; teams belong to one gemeente and
cover buurten. A Membership gives a user one role in exactly one organisation;
platform admins (beheerders) are superusers and need no membership.

People join a team through an Invitation: only a SHA-256 hash of its token is
stored, so a copy of the database does not hold working invitation links.
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar, Self

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.places.models import Buurt, Gemeente


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("Een e-mailadres is verplicht.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mailadres"), unique=True)
    full_name = models.CharField(_("naam"), max_length=150, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = UserManager()  # type: ignore[assignment,misc]

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")

    def __str__(self) -> str:
        return self.full_name or self.email


class Role(models.TextChoices):
    VOLUNTEER = "volunteer", _("buurtpreventielid")
    COORDINATOR = "coordinator", _("teamcoördinator")
    POLICE = "police", _("politie")
    MUNICIPAL = "municipal", _("gemeente")


TEAM_ROLES = (Role.VOLUNTEER, Role.COORDINATOR)


class PoliceUnit(models.Model):
    name = models.CharField(_("naam"), max_length=120, unique=True)
    gemeenten = models.ManyToManyField(Gemeente, verbose_name=_("gemeenten in werkgebied"), related_name="police_units")

    class Meta:
        verbose_name = _("politie-eenheid (basisteam)")
        verbose_name_plural = _("politie-eenheden (basisteams)")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    name = models.CharField(_("naam"), max_length=120)
    gemeente = models.ForeignKey(Gemeente, verbose_name=_("gemeente"), on_delete=models.PROTECT, related_name="teams")
    buurten = models.ManyToManyField(Buurt, verbose_name=_("buurten"), related_name="teams", blank=True)
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)

    class Meta:
        verbose_name = _("buurtpreventieteam")
        verbose_name_plural = _("buurtpreventieteams")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["gemeente", "name"], name="team_unique_name")]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rol"), max_length=20, choices=Role.choices)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships")
    police_unit = models.ForeignKey(
        PoliceUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    gemeente = models.ForeignKey(Gemeente, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(_("sinds"), auto_now_add=True)

    class Meta:
        verbose_name = _("lidmaatschap")
        verbose_name_plural = _("lidmaatschappen")
        constraints = [
            # The role decides which one organisation is set.
            models.CheckConstraint(
                condition=(
                    Q(role__in=TEAM_ROLES, team__isnull=False, police_unit__isnull=True, gemeente__isnull=True)
                    | Q(role=Role.POLICE, team__isnull=True, police_unit__isnull=False, gemeente__isnull=True)
                    | Q(role=Role.MUNICIPAL, team__isnull=True, police_unit__isnull=True, gemeente__isnull=False)
                ),
                name="membership_role_matches_organisation",
            ),
            models.UniqueConstraint(fields=["user", "team"], name="membership_unique_team"),
            models.UniqueConstraint(fields=["user", "police_unit"], name="membership_unique_police_unit"),
            models.UniqueConstraint(fields=["user", "gemeente"], name="membership_unique_gemeente"),
        ]

    def __str__(self) -> str:
        # Not `organisation`: the admin shows a membership whose form left the organisation empty.
        return f"{self.user} · {self.get_role_display()} · {self.team or self.police_unit or self.gemeente or '?'}"

    def clean(self) -> None:
        """The rule of the check constraint, in words a beheerder can act on (the admin form calls this)."""
        organisation_of: dict[str, str] = {
            Role.VOLUNTEER: "team",
            Role.COORDINATOR: "team",
            Role.POLICE: "police_unit",
            Role.MUNICIPAL: "gemeente",
        }
        wanted = organisation_of.get(str(self.role))
        if wanted is None:
            return
        messages = {
            "team": _("Een buurtpreventielid of coördinator hoort bij een team: kies het team."),
            "police_unit": _("Een politiegebruiker hoort bij een politie-eenheid: kies de eenheid."),
            "gemeente": _("Een gemeentegebruiker hoort bij een gemeente: kies de gemeente."),
        }
        errors: dict[str, Any] = {}
        if getattr(self, f"{wanted}_id") is None:
            errors[wanted] = messages[wanted]
        for other in ("team", "police_unit", "gemeente"):
            if other != wanted and getattr(self, f"{other}_id") is not None:
                errors[other] = _("Laat dit leeg: bij deze rol hoort alleen één organisatie.")
        if errors:
            raise ValidationError(errors)

    @property
    def organisation(self) -> Team | PoliceUnit | Gemeente:
        org = self.team or self.police_unit or self.gemeente
        assert org is not None
        return org


TEAM_ROLE_CHOICES = [(Role.VOLUNTEER.value, Role.VOLUNTEER.label), (Role.COORDINATOR.value, Role.COORDINATOR.label)]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationStatus(models.TextChoices):
    OPEN = "open", _("open")
    ACCEPTED = "accepted", _("geaccepteerd")
    REVOKED = "revoked", _("ingetrokken")
    EXPIRED = "expired", _("verlopen")


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def open(self) -> Self:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())

    def visible_to(self, user: Any) -> Self:
        """Invitations name people by e-mail address: only the team's coordinators and admins see them."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(team__in=Membership.objects.filter(user=user, role=Role.COORDINATOR).values("team"))

    def for_token(self, token: str) -> Invitation | None:
        return self.filter(token_hash=hash_token(token)).select_related("team", "invited_by").first()


class Invitation(models.Model):
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mailadres"))
    role = models.CharField(_("rol"), max_length=20, choices=TEAM_ROLE_CHOICES, default=Role.VOLUNTEER)
    token_hash = models.CharField(_("tokenhash"), max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User, verbose_name=_("uitgenodigd door"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("verstuurd"), auto_now_add=True)
    expires_at = models.DateTimeField(_("geldig tot"))
    accepted_at = models.DateTimeField(_("geaccepteerd op"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, verbose_name=_("geaccepteerd door"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, verbose_name=_("ingetrokken door"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    # Set only on the instance `invite_member` returns, for the e-mail; never stored.
    token: str = ""
    mail_failed: bool = False  # the same instance, once the commit tried to send the e-mail

    class Meta:
        verbose_name = _("uitnodiging")
        verbose_name_plural = _("uitnodigingen")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["team", "email"])]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=TEAM_ROLES), name="invitation_team_role"),
        ]

    def __str__(self) -> str:
        return f"{self.email} · {self.team}"

    @property
    def status(self) -> InvitationStatus:
        if self.accepted_at is not None:
            return InvitationStatus.ACCEPTED
        if self.revoked_at is not None:
            return InvitationStatus.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return InvitationStatus.OPEN

    @property
    def is_open(self) -> bool:
        return self.status == InvitationStatus.OPEN


class ApiTokenStatus(models.TextChoices):
    ACTIVE = "active", _("actief")
    EXPIRED = "expired", _("verlopen")
    REVOKED = "revoked", _("ingetrokken")


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def visible_to(self, user: Any) -> Self:
        """A user sees only their own keys; a beheerder sees the others in the admin, never their secrets."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)


class ApiToken(models.Model):
    """A personal API key for a police system (buurtonderzoek.accounts.tokens).

    The key itself, `bo_<prefix>_<secret>`, is shown once when it is made. We keep its SHA-256 hash, and
    the prefix in plain text so the owner (and the audit log) can tell keys apart without the secret.
    """

    owner = models.ForeignKey(User, verbose_name=_("eigenaar"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("naam"), max_length=100)
    prefix = models.CharField(_("herkenningsteken"), max_length=16, unique=True, editable=False)
    token_hash = models.CharField(_("sleutelhash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    expires_at = models.DateTimeField(_("geldig tot"))
    last_used_at = models.DateTimeField(_("laatst gebruikt"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, verbose_name=_("ingetrokken door"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ApiTokenQuerySet.as_manager()

    # Set only on the instance `create_api_token` returns, to show once; never stored.
    token: str = ""

    class Meta:
        verbose_name = _("API-sleutel")
        verbose_name_plural = _("API-sleutels")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="api_token_expires_later"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def status(self) -> ApiTokenStatus:
        if self.revoked_at is not None:
            return ApiTokenStatus.REVOKED
        if self.expires_at <= timezone.now():
            return ApiTokenStatus.EXPIRED
        return ApiTokenStatus.ACTIVE

    @property
    def is_active(self) -> bool:
        return self.status == ApiTokenStatus.ACTIVE
