"""Communitymonitor veiligheid: waves, invitation codes and anonymous responses.

A `Wave` is one round of the survey in a gemeente: a period, the buurten it covers (`WaveBuurt`,
with the number of households as the population for the finite-population correction), a published
questionnaire version and a target number of responses per buurt.

Anonymity by construction. An `InvitationCode` stores the wave, the buurt and a keyed hash of the
code; never an address. Print runs (`PrintRun`) draw the address sample, hand the letters and the
mail-merge file to the officer in one download and keep only counts: the code -> address list
exists only in that download (see invitations.py). A `Response` keeps the answers, the questionnaire
version, the buurt, the wave and the source (invited sample, public link, canvass pulse); it has no
name, address or IP address, so the answers stay anonymous even for the people who run the wave.

One response per code is enforced by the database (`Response.invitation` is unique), and claims
run under a row lock (see actions.claim_code).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.accounts.models import Membership, Role
from buurtonderzoek.core.tokens import printable_token
from buurtonderzoek.places.models import Buurt, Gemeente
from buurtonderzoek.questionnaires.models import QuestionnaireVersion


def new_public_token() -> str:
    # Printed on leaflets, posters and letters; long enough that public pages cannot be enumerated.
    return printable_token()


class WaveQuerySet(models.QuerySet["Wave"]):
    def managed_by(self, user: Any) -> Self:
        """Waves the user runs: those of gemeenten where the user is a municipal officer (admins: all)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(gemeente__in=Membership.objects.filter(user=user, role=Role.MUNICIPAL).values("gemeente"))

    def finished(self, today: date | None = None) -> Self:
        return self.filter(ends_on__lt=today or timezone.localdate())


class WaveStatus(models.TextChoices):
    PLANNED = "planned", _("gepland")
    RUNNING = "running", _("loopt")
    FINISHED = "finished", _("afgesloten")


class Wave(models.Model):
    gemeente = models.ForeignKey(Gemeente, verbose_name=_("gemeente"), on_delete=models.PROTECT, related_name="waves")
    name = models.CharField(_("naam"), max_length=120, help_text=_("Bijvoorbeeld: Najaar 2026."))
    starts_on = models.DateField(_("begindatum"))
    ends_on = models.DateField(_("einddatum"))
    version = models.ForeignKey(
        QuestionnaireVersion, verbose_name=_("vragenlijstversie"), on_delete=models.PROTECT, related_name="waves"
    )
    target_per_buurt = models.PositiveIntegerField(_("beoogd aantal antwoorden per buurt"), default=100)
    buurten: models.ManyToManyField[Buurt, WaveBuurt] = models.ManyToManyField(
        Buurt, through="WaveBuurt", verbose_name=_("buurten"), related_name="waves"
    )
    public_link_enabled = models.BooleanField(_("openbare link aan"), default=False)
    public_token = models.CharField(_("openbare link-code"), max_length=32, unique=True, default=new_public_token)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("aangemaakt door"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)

    objects = WaveQuerySet.as_manager()

    class Meta:
        verbose_name = _("meetronde")
        verbose_name_plural = _("meetrondes")
        ordering = ["gemeente", "starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="wave_ends_after_start"),
            models.UniqueConstraint(fields=["gemeente", "name"], name="wave_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.gemeente})"

    def status(self, today: date | None = None) -> WaveStatus:
        today = today or timezone.localdate()
        if today < self.starts_on:
            return WaveStatus.PLANNED
        if today > self.ends_on:
            return WaveStatus.FINISHED
        return WaveStatus.RUNNING

    def get_status_display(self) -> str:
        return str(self.status().label)

    def accepts_answers(self, today: date | None = None) -> bool:
        return self.status(today) == WaveStatus.RUNNING


class WaveBuurt(models.Model):
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="wave_buurten")
    buurt = models.ForeignKey(Buurt, verbose_name=_("buurt"), on_delete=models.PROTECT, related_name="+")
    # The population for the finite-population correction: addresses (households) when the wave was
    # created. 0 means unknown (no address data): estimates then go without the correction.
    households = models.PositiveIntegerField(_("huishoudens"), default=0)
    codes_issued = models.PositiveIntegerField(_("uitgegeven codes"), default=0)

    class Meta:
        verbose_name = _("buurt in meetronde")
        verbose_name_plural = _("buurten in meetronde")
        ordering = ["buurt__code"]
        constraints = [models.UniqueConstraint(fields=["wave", "buurt"], name="wave_buurt_unique")]

    def __str__(self) -> str:
        return f"{self.wave} · {self.buurt}"


class SampleMode(models.TextChoices):
    SAMPLE = "sample", _("aselecte steekproef")
    ALL = "all", _("alle adressen")


class PrintRunStatus(models.TextChoices):
    PENDING = "pending", _("in de wachtrij")
    RUNNING = "running", _("wordt gemaakt")
    DONE = "done", _("klaar")
    FAILED = "failed", _("mislukt")


def print_run_path(instance: PrintRun, filename: str) -> str:
    return f"monitor/printruns/{instance.pk}/{filename}"


class PrintRun(models.Model):
    """One batch of invitation letters. Only counts are kept, never the sampled addresses.

    Made in the background (tasks.make_print_run): the codes and the download appear together, in
    one transaction at the end, or the run is marked failed and can be retried; never codes without
    letters. The download (`file`) is the only code -> address link until the officer deletes it.
    """

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="print_runs")
    status = models.CharField(_("status"), max_length=10, choices=PrintRunStatus.choices, default=PrintRunStatus.DONE)
    progress = models.PositiveSmallIntegerField(_("voortgang (%)"), default=100)
    error = models.CharField(_("fout"), max_length=500, blank=True)
    buurt_ids = models.JSONField(_("gekozen buurten"), default=list, blank=True)
    include_pdf = models.BooleanField(_("met brieven (pdf)"), default=True)
    file = models.FileField(_("download"), upload_to=print_run_path, blank=True)
    finished_at = models.DateTimeField(_("klaar op"), null=True, blank=True)
    mode = models.CharField(_("soort"), max_length=10, choices=SampleMode.choices)
    sample_size = models.PositiveIntegerField(_("steekproefgrootte per buurt"), null=True, blank=True)
    letters = models.PositiveIntegerField(_("aantal brieven"), default=0)
    per_buurt = models.JSONField(_("brieven per buurt"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("door"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("gemaakt"), auto_now_add=True)
    voided_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)

    class Meta:
        verbose_name = _("drukrun uitnodigingen")
        verbose_name_plural = _("drukruns uitnodigingen")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.wave} · {self.letters}"


def report_path(instance: object, filename: str) -> str:
    """Kept for migration 0003 (the report jobs moved to the jobs app)."""
    return f"monitor/reports/{getattr(instance, 'pk', '')}/{filename}"


class InvitationCode(models.Model):
    """A one-time code for one household. Deliberately without address: see the module docstring."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="codes")
    buurt = models.ForeignKey(Buurt, on_delete=models.PROTECT, related_name="+")
    print_run = models.ForeignKey(PrintRun, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(_("code (gehasht)"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("uitnodigingscode")
        verbose_name_plural = _("uitnodigingscodes")

    def __str__(self) -> str:
        return f"{self.wave} · {self.buurt} · {self.code_hash[:8]}"


class Source(models.TextChoices):
    INVITED = "invited", _("uitgenodigde steekproef")
    PUBLIC = "public", _("openbare link")
    PULSE = "pulse", _("veiligheidspols buurtonderzoek")


class ResponseStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("bezig")
    COMPLETED = "completed", _("ingevuld")


class ResponseQuerySet(models.QuerySet["Response"]):
    def completed(self) -> Self:
        return self.filter(status=ResponseStatus.COMPLETED)


class PulseGroup(models.Model):
    """One disjoint group of safety-pulse answers (canvass x buurt x wave), as they were when answered.

    Made with the group's first answer; its counters hand out each new answer's frozen positions
    (pulse_blocks.py), under a row lock. The canvass is kept as a plain id, not a foreign key: when the
    canvass is deleted the group, and so every block released from it, must stay exactly as it was.
    The counters never go down, so a position freed by a deleted answer is never given again.
    """

    key = models.CharField(max_length=64, unique=True)  # "canvass:buurt:wave", "-" for none
    canvass_key = models.PositiveBigIntegerField(null=True, blank=True)
    buurt = models.ForeignKey(Buurt, on_delete=models.PROTECT, related_name="+")
    # The group goes with its wave, as its answers do (Response.wave).
    wave = models.ForeignKey(Wave, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    given = models.PositiveIntegerField(default=0)  # positions handed out to answers
    given_per_indicator = models.JSONField(default=dict, blank=True)  # {indicator: positions handed out}

    class Meta:
        verbose_name = _("groep veiligheidspols")
        verbose_name_plural = _("groepen veiligheidspols")

    def __str__(self) -> str:
        return f"{self.key}: {self.given}"

    @staticmethod
    def key_of(canvass_id: int | None, buurt_id: int, wave_id: int | None) -> str:
        return ":".join("-" if part is None else str(part) for part in (canvass_id, buurt_id, wave_id))


class Response(models.Model):
    """One household's answers. No name, address or IP address: only the buurt."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, null=True, blank=True, related_name="responses")
    buurt = models.ForeignKey(Buurt, verbose_name=_("buurt"), on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("bron"), max_length=10, choices=Source.choices)
    version = models.ForeignKey(
        QuestionnaireVersion, verbose_name=_("vragenlijstversie"), on_delete=models.PROTECT, related_name="+"
    )
    invitation = models.OneToOneField(
        InvitationCode, null=True, blank=True, on_delete=models.PROTECT, related_name="response"
    )
    # Pulse answers given at the door: the canvass they came from (shown per canvass, as a non-random
    # sample). Kept when the canvass is deleted: the answers still count for the buurt.
    canvass = models.ForeignKey(
        "canvass.Canvass",
        verbose_name=_("buurtonderzoek"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Pulse answers only: their group and their frozen place in it, fixed when written (pulse_blocks.py):
    # the position among the group's answers and, per indicator, among those with a value for it.
    pulse_group = models.ForeignKey(PulseGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="answers")
    pulse_position = models.PositiveIntegerField(null=True, blank=True)
    pulse_positions = models.JSONField(default=dict, blank=True)
    answers = models.JSONField(_("antwoorden"), default=dict, blank=True)
    # Indicator values derived from the answers when the response is completed (indicators.score):
    # 0/1 for proportions, a number for means. Statistics aggregate these, in SQL.
    scores = models.JSONField(_("indicatorwaarden"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ResponseStatus.choices, default=ResponseStatus.IN_PROGRESS
    )
    section = models.CharField(_("huidig onderdeel"), max_length=60, blank=True)
    started_at = models.DateTimeField(_("begonnen"), default=timezone.now)
    completed_at = models.DateTimeField(_("ingevuld op"), null=True, blank=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("antwoord")
        verbose_name_plural = _("antwoorden")
        indexes = [models.Index(fields=["wave", "status", "source", "buurt"], name="monitor_response_agg")]
        constraints = [
            models.CheckConstraint(
                condition=Q(source=Source.INVITED, invitation__isnull=False)
                | (~Q(source=Source.INVITED) & Q(invitation__isnull=True)),
                name="monitor_response_invited_has_code",
            ),
            models.CheckConstraint(
                condition=Q(source=Source.PULSE) | Q(wave__isnull=False), name="monitor_response_has_wave"
            ),
            models.CheckConstraint(
                condition=Q(source=Source.PULSE) | Q(canvass__isnull=True), name="monitor_response_canvass_pulse"
            ),
            models.CheckConstraint(
                condition=Q(source=Source.PULSE, pulse_group__isnull=False, pulse_position__isnull=False)
                | (~Q(source=Source.PULSE) & Q(pulse_group__isnull=True, pulse_position__isnull=True)),
                name="monitor_response_pulse_placed",
            ),
            models.CheckConstraint(
                condition=Q(status=ResponseStatus.COMPLETED, completed_at__isnull=False)
                | Q(status=ResponseStatus.IN_PROGRESS, completed_at__isnull=True),
                name="monitor_response_completed_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} · {self.buurt} · {self.get_status_display()}"

    @property
    def is_completed(self) -> bool:
        return self.status == ResponseStatus.COMPLETED


class ResultCell(models.Model):
    """Running totals per wave, buurt and source: respondents and, per indicator, [n, sum, sum of squares].

    The statistics need only these moments (statistics.py), so the results pages read a few hundred
    cells instead of every response. `actions.complete_response` adds each response in the same
    transaction (under a row lock); `aggregates.rebuild_cells` recomputes a wave in one pass after a
    bulk load or a scoring change. Raw cells are never shown: results.py suppresses small ones.
    Pulse answers are few and are aggregated on the fly instead.
    """

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="cells")
    buurt = models.ForeignKey(Buurt, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices)
    respondents = models.PositiveIntegerField(default=0)
    moments = models.JSONField(default=dict, blank=True)
    # Post-stratification of a closed wave's invited answers (results._weighted_strata), kept so that a
    # results page reads cells, not answers: {"key": the CBS totals and count it was made with,
    # "method", "reason", "moments": per indicator the nine weighted sums}. Emptied whenever the cell
    # changes; recomputed when the key no longer matches (other totals loaded).
    weighted = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("resultaatcel")
        verbose_name_plural = _("resultaatcellen")
        constraints = [models.UniqueConstraint(fields=["wave", "buurt", "source"], name="monitor_cell_unique")]

    def __str__(self) -> str:
        return f"{self.wave_id}/{self.buurt_id}/{self.source}: {self.respondents}"
