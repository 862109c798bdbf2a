"""Design voor impact: partner tables, actions, the golden-triangle check and the action's history.

A `PartnerTable` (driehoeksoverleg) belongs to a gemeente, optionally narrowed to one wijk; its
`PartnerMember`s are users from the gemeente, the police unit and the teams, each with the partner they
speak for. Any member proposes an `Action`: the problem (buurten, an indicator or signal, evidence),
the plan, `Commitment`s per partner with due dates, and the `ExpectedEffect`s (pre-registration).

The status moves along `TRANSITIONS` (idee -> in overleg -> afgesproken -> loopt -> geëvalueerd, or
gestopt with a reason); each move appends an `ActionTransition`. Agreement needs the latest
`TriangleCheck` of one representative of each partner to agree (actions.agree). From agreement on,
the expected effect is frozen: the actions refuse changes, the model refuses saves and deletes, and
database triggers refuse raw SQL (migration 0002).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.accounts.models import Membership, Role
from buurtonderzoek.core.models import AppendOnlyModel
from buurtonderzoek.core.tokens import printable_token
from buurtonderzoek.places.models import Buurt, Gemeente, Wijk


class Partner(models.TextChoices):
    GEMEENTE = "gemeente", _("gemeente")
    POLITIE = "politie", _("politie")
    BUURTPREVENTIE = "buurtpreventie", _("buurtpreventie")


# Which membership role may speak for which partner.
PARTNER_ROLES: dict[str, tuple[str, ...]] = {
    Partner.GEMEENTE: (Role.MUNICIPAL,),
    Partner.POLITIE: (Role.POLICE,),
    Partner.BUURTPREVENTIE: (Role.COORDINATOR,),
}


def gemeenten_of(user: Any) -> models.QuerySet[Gemeente]:
    """The gemeenten a user works in: as municipal officer, police of a covering unit, or team member."""
    return Gemeente.objects.filter(
        Q(memberships__user=user, memberships__role=Role.MUNICIPAL)
        | Q(police_units__memberships__user=user, police_units__memberships__role=Role.POLICE)
        | Q(teams__memberships__user=user, teams__memberships__role=Role.COORDINATOR)
    ).distinct()


class PartnerTableQuerySet(models.QuerySet["PartnerTable"]):
    def visible_to(self, user: Any) -> PartnerTableQuerySet:
        """Every partner sees the same tables: whoever works in the gemeente (admins: all)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(gemeente__in=gemeenten_of(user).values("pk"))


class PartnerTable(models.Model):
    name = models.CharField(_("naam"), max_length=120)
    gemeente = models.ForeignKey(Gemeente, verbose_name=_("gemeente"), on_delete=models.PROTECT, related_name="+")
    wijk = models.ForeignKey(
        Wijk, verbose_name=_("wijk"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The gemeente's opt-in: evaluated actions of this table appear in other gemeenten's library.
    share_library = models.BooleanField(_("delen in de bibliotheek met andere gemeenten"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("aangemaakt door"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)

    objects = PartnerTableQuerySet.as_manager()

    class Meta:
        verbose_name = _("driehoeksoverleg")
        verbose_name_plural = _("driehoeksoverleggen")
        ordering = ["gemeente__name", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["gemeente", "name"], name="impact_table_unique_name")]

    def __str__(self) -> str:
        return self.name


class PartnerMember(models.Model):
    table = models.ForeignKey(PartnerTable, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("persoon"), on_delete=models.CASCADE, related_name="+"
    )
    partner = models.CharField(_("partner"), max_length=20, choices=Partner.choices)
    role = models.CharField(_("rol aan tafel"), max_length=80, help_text=_("Bijvoorbeeld: wijkagent, adviseur OOV."))
    added_at = models.DateTimeField(_("toegevoegd"), auto_now_add=True)

    class Meta:
        verbose_name = _("deelnemer")
        verbose_name_plural = _("deelnemers")
        ordering = ["partner", "id"]
        constraints = [
            models.UniqueConstraint(fields=["table", "user"], name="impact_member_once"),
            models.CheckConstraint(condition=Q(partner__in=Partner.values), name="impact_member_partner_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_partner_display()})"


class ActionType(models.TextChoices):
    CANVASS = "buurtonderzoek", _("burger buurtonderzoek")
    PATROL = "surveillance", _("surveillance en aanwezigheid")
    INFORMATION = "voorlichting", _("voorlichting en preventieadvies")
    PHYSICAL = "fysiek", _("fysieke maatregel (licht, hekken, groen)")
    COHESION = "samenhang", _("buurtactiviteit en samenhang")
    OTHER = "anders", _("anders")


class Comparison(models.TextChoices):
    GEMEENTE = "gemeente", _("de andere buurten in de gemeente")
    MATCHED = "matched", _("vergelijkbare buurten (dichtst bij de nulmeting)")


class ActionStatus(models.TextChoices):
    IDEA = "idee", _("idee")
    DISCUSSION = "in_overleg", _("in overleg")
    AGREED = "afgesproken", _("afgesproken")
    RUNNING = "loopt", _("loopt")
    EVALUATED = "geevalueerd", _("geëvalueerd")
    STOPPED = "gestopt", _("gestopt")


S = ActionStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.IDEA: frozenset({S.DISCUSSION, S.STOPPED}),
    S.DISCUSSION: frozenset({S.AGREED, S.IDEA, S.STOPPED}),
    S.AGREED: frozenset({S.RUNNING, S.STOPPED}),
    S.RUNNING: frozenset({S.EVALUATED, S.STOPPED}),
    S.EVALUATED: frozenset(),
    S.STOPPED: frozenset(),
}
# From agreement on, the pre-registration (expected effect, buurten, period) is fixed.
FROZEN_STATUSES = frozenset({S.AGREED, S.RUNNING, S.EVALUATED, S.STOPPED})
OPEN_STATUSES = frozenset({S.IDEA, S.DISCUSSION})


class ActionQuerySet(models.QuerySet["Action"]):
    def visible_to(self, user: Any) -> ActionQuerySet:
        return self.filter(table__in=PartnerTable.objects.visible_to(user).values("pk"))


def new_public_token() -> str:
    # The public summary's address; long enough that summaries cannot be enumerated.
    return printable_token()


class Action(models.Model):
    table = models.ForeignKey(
        PartnerTable, verbose_name=_("driehoeksoverleg"), on_delete=models.PROTECT, related_name="actions"
    )
    title = models.CharField(_("titel"), max_length=160)
    action_type = models.CharField(
        _("soort actie"), max_length=20, choices=ActionType.choices, default=ActionType.OTHER
    )
    buurten = models.ManyToManyField(Buurt, verbose_name=_("buurten"), related_name="+")
    problem = models.TextField(
        _("probleem"), max_length=2000, help_text=_("Wat speelt er, volgens welke cijfers of signalen?")
    )
    problem_indicator = models.CharField(_("indicator van het probleem"), max_length=60, blank=True)
    evidence = models.TextField(
        _("onderbouwing"),
        max_length=2000,
        blank=True,
        help_text=_("Verwijzingen naar cijfers of pagina's, één per regel."),
    )
    plan = models.TextField(_("wat we gaan doen"), max_length=4000)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("einde afgesproken periode"))
    # Part of the pre-registration: against which buurten the effect will be measured (effect.py).
    comparison = models.CharField(
        _("vergelijken met"), max_length=10, choices=Comparison.choices, default=Comparison.GEMEENTE
    )
    status = models.CharField(_("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.IDEA)
    stop_reason = models.CharField(_("reden van stoppen"), max_length=500, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voorgesteld door"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_partner = models.CharField(_("voorgesteld namens"), max_length=20, choices=Partner.choices)
    agreed_at = models.DateTimeField(_("afgesproken op"), null=True, blank=True)
    created_at = models.DateTimeField(_("voorgesteld op"), auto_now_add=True)
    # The measured effect as it was when the action was evaluated (effect.EffectResult.as_dict()).
    public_token = models.CharField(_("openbare code"), max_length=32, unique=True, default=new_public_token)
    evaluation = models.JSONField(_("evaluatie"), default=dict, blank=True)
    report_pdf = models.FileField(_("evaluatierapport"), upload_to="impact/", blank=True)
    report_progress = models.PositiveSmallIntegerField(_("voortgang rapport"), default=0)

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("actie")
        verbose_name_plural = _("acties")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="impact_action_period"),
            models.CheckConstraint(condition=Q(status__in=ActionStatus.values), name="impact_action_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.STOPPED) | ~Q(stop_reason=""), name="impact_action_stop_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN_STATUSES

    def allowed_transitions(self) -> list[ActionStatus]:
        nexts = TRANSITIONS.get(self.status, frozenset())
        return [s for s in ActionStatus if s in nexts]


class FrozenError(Exception):
    """Code tried to change a pre-registration after the action was agreed."""


class EffectKind(models.TextChoices):
    INDICATOR = "indicator", _("monitorindicator")
    PROCESS = "process", _("procesdoel")


class Direction(models.TextChoices):
    UP = "up", _("omhoog")
    DOWN = "down", _("omlaag")


PROCESS_METRICS: dict[str, Any] = {
    "canvasses": _("buurtonderzoeken"),
    "doors_visited": _("bezochte deuren"),
    "reports_used": _("verslagen gebruikt door de politie"),
    "hours_saved": _("uren bespaard voor de politie"),
}


class ExpectedEffectQuerySet(models.QuerySet["ExpectedEffect"]):
    def update(self, **kwargs: Any) -> int:
        if self.filter(action__status__in=FROZEN_STATUSES).exists():
            raise FrozenError("Het verwachte effect ligt vast sinds de afspraak.")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(action__status__in=FROZEN_STATUSES).exists():
            raise FrozenError("Het verwachte effect ligt vast sinds de afspraak.")
        return super().delete()


class ExpectedEffect(models.Model):
    """One pre-registered expectation: a monitor indicator or a process target, with direction and size."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="expected_effects")
    kind = models.CharField(_("soort"), max_length=10, choices=EffectKind.choices)
    key = models.CharField(_("indicator of procesdoel"), max_length=60)
    direction = models.CharField(_("richting"), max_length=4, choices=Direction.choices)
    # Percentage points for proportions, points on the scale for means, a count for process targets.
    size = models.FloatField(_("verwachte grootte"), validators=[MinValueValidator(0)])

    objects = ExpectedEffectQuerySet.as_manager()

    class Meta:
        verbose_name = _("verwacht effect")
        verbose_name_plural = _("verwachte effecten")
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["action", "kind", "key"], name="impact_effect_once"),
            models.CheckConstraint(condition=Q(size__gt=0), name="impact_effect_size_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.direction} {self.size}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._refuse_if_frozen()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        self._refuse_if_frozen()
        return super().delete(*args, **kwargs)

    def _refuse_if_frozen(self) -> None:
        if Action.objects.filter(pk=self.action_id, status__in=FROZEN_STATUSES).exists():
            raise FrozenError("Het verwachte effect ligt vast sinds de afspraak.")


class Commitment(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="commitments")
    partner = models.CharField(_("partner"), max_length=20, choices=Partner.choices)
    what = models.CharField(_("toezegging"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("wie"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_on = models.DateField(_("uiterlijk op"))
    done_at = models.DateTimeField(_("gedaan op"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("herinnerd op"), null=True, blank=True)

    class Meta:
        verbose_name = _("toezegging")
        verbose_name_plural = _("toezeggingen")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.what


class TriangleCheck(AppendOnlyModel):
    """One representative's structured golden-triangle check; the latest per member counts, all are kept."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="checks")
    member = models.ForeignKey(PartnerMember, on_delete=models.PROTECT, related_name="+")
    partner = models.CharField(_("partner"), max_length=20, choices=Partner.choices)
    worth = models.TextField(_("wat is de actie waard voor uw partij?"), max_length=1000)
    shows_how = models.TextField(_("hoe blijkt dat?"), max_length=1000)
    value_score = models.PositiveSmallIntegerField(_("waarde"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    quality_score = models.PositiveSmallIntegerField(
        _("kwaliteit en genoeg signalen"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    binding_score = models.PositiveSmallIntegerField(
        _("bindend voor het team"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    agrees = models.BooleanField(_("akkoord"))
    comment = models.TextField(_("toelichting"), max_length=1000, blank=True)
    at = models.DateTimeField(_("tijdstip"), auto_now_add=True)

    class Meta:
        verbose_name = _("toets gouden driehoek")
        verbose_name_plural = _("toetsen gouden driehoek")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value_score__range=(1, 5), quality_score__range=(1, 5), binding_score__range=(1, 5)),
                name="impact_check_scores_1_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner}: {'akkoord' if self.agrees else 'niet akkoord'}"


class ActionTransition(AppendOnlyModel):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("van"), max_length=20, choices=ActionStatus.choices, blank=True)
    to_status = models.CharField(_("naar"), max_length=20, choices=ActionStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("door"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_label = models.CharField(_("door (tekst)"), max_length=254, blank=True)
    at = models.DateTimeField(_("tijdstip"), auto_now_add=True)
    note = models.CharField(_("toelichting"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("statuswijziging")
        verbose_name_plural = _("statusgeschiedenis")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"


class ProgressUpdate(AppendOnlyModel):
    """A line on the action's public-to-partners timeline."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("door"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    partner = models.CharField(_("partner"), max_length=20, choices=Partner.choices)
    text = models.TextField(_("voortgang"), max_length=1000)
    at = models.DateTimeField(_("tijdstip"), auto_now_add=True)

    class Meta:
        verbose_name = _("voortgangsbericht")
        verbose_name_plural = _("voortgangsberichten")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


def membership_partner(user: Any, gemeente: Gemeente) -> str | None:
    """The partner this user can speak for in this gemeente, by their membership (None: none)."""
    roles = set(
        Membership.objects.filter(user=user)
        .filter(Q(gemeente=gemeente) | Q(police_unit__gemeenten=gemeente) | Q(team__gemeente=gemeente))
        .values_list("role", flat=True)
    )
    for partner, allowed in PARTNER_ROLES.items():
        if roles & set(allowed):
            return str(partner)
    return None
