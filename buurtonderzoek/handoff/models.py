"""Police reports (verslagen), the police's feedback, thanks, notifications and retention marks.

A coordinator submits a `PoliceReport` for a canvass; it lands in the inbox of the police unit
covering the team's gemeente. The report keeps a frozen JSON `document` (schema in
docs/police-report.md) without any witness contact data: contact details are looked up live, for
police users only and only where the witness consented, so that deleting them under the retention
rules removes them from every report at once. The PDFs are made by a background task that stores
its progress on the report.

Police move a report along `REPORT_TRANSITIONS` (new -> received -> in progress -> used -> closed);
`ReportTransition` and `ReportFeedback` rows are append-only. Everyone who took part gets a
`Notification` (in the app and by e-mail) when feedback, an outcome or thanks arrive.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.accounts.models import Membership, PoliceUnit, Role
from buurtonderzoek.canvass.models import Canvass
from buurtonderzoek.core.models import AppendOnlyModel
from buurtonderzoek.incidents.models import Incident

SCHEMA_VERSION = "1.1"  # 1.1: witnesses[].privacy_notice_version, the supplement block


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("nieuw")
    RECEIVED = "received", _("ontvangen")
    IN_PROGRESS = "in_progress", _("in behandeling")
    USED = "used", _("gebruikt")
    CLOSED = "closed", _("afgesloten")


R = ReportStatus
REPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    R.SUBMITTED: frozenset({R.RECEIVED}),
    R.RECEIVED: frozenset({R.IN_PROGRESS, R.CLOSED}),
    R.IN_PROGRESS: frozenset({R.USED, R.CLOSED}),
    R.USED: frozenset({R.CLOSED}),
    R.CLOSED: frozenset(),
}


class ReportOutcome(models.TextChoices):
    SUSPECT_IDENTIFIED = "suspect_identified", _("verdachte geïdentificeerd")
    SUSPECT_ARRESTED = "suspect_arrested", _("verdachte aangehouden")
    GOODS_RECOVERED = "goods_recovered", _("buit teruggevonden")
    INFORMATION_USED = "information_used", _("informatie gebruikt in het onderzoek")
    NO_RESULT = "no_result", _("geen resultaat")
    OTHER = "other", _("anders")


class HelpfulPart(models.TextChoices):
    """Which parts of a report helped the police: the structured half of the usefulness rating."""

    SIGNALEMENT = "signalement", _("signalement")
    CAMERA_LEADS = "camera_leads", _("camerasporen")
    WITNESSES = "witnesses", _("getuigen")
    TIMELINE = "timeline", _("tijdlijn")
    TIPS = "tips", _("tips")


USEFULNESS_LABELS = {
    1: _("1 - niet bruikbaar"),
    2: _("2 - weinig bruikbaar"),
    3: _("3 - redelijk bruikbaar"),
    4: _("4 - bruikbaar"),
    5: _("5 - zeer bruikbaar"),
}


class PdfStatus(models.TextChoices):
    PENDING = "pending", _("in de wachtrij")
    RUNNING = "running", _("wordt gemaakt")
    DONE = "done", _("klaar")
    FAILED = "failed", _("mislukt")


def police_unit_ids(user: Any) -> models.QuerySet[Membership, Any]:
    return Membership.objects.filter(user=user, role=Role.POLICE).values("police_unit")


def team_ids(user: Any) -> models.QuerySet[Membership, Any]:
    return Membership.objects.filter(user=user, role__in=(Role.VOLUNTEER, Role.COORDINATOR)).values("team")


class PoliceReportQuerySet(models.QuerySet["PoliceReport"]):
    def visible_to(self, user: Any) -> PoliceReportQuerySet:
        """Police of the receiving unit and members of the team. Subqueries, not joins: no DISTINCT needed."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(Q(unit__in=police_unit_ids(user)) | Q(incident__team__in=team_ids(user)))

    def inbox(self, user: Any) -> PoliceReportQuerySet:
        """The police inbox: reports sent to the user's units."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(unit__in=police_unit_ids(user))


def _hours_after(start: datetime | None, moment: datetime | None) -> float | None:
    if start is None or moment is None:
        return None
    return round(max((moment - start).total_seconds(), 0.0) / 3600, 2)


def pdf_path(instance: PoliceReport, filename: str) -> str:
    return f"handoff/reports/{instance.pk}/{filename}"


class PoliceReport(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="police_reports")
    canvass = models.OneToOneField(Canvass, on_delete=models.PROTECT, related_name="police_report")
    unit = models.ForeignKey(
        PoliceUnit, verbose_name=_("politie-eenheid"), on_delete=models.PROTECT, related_name="reports"
    )
    number = models.CharField(_("nummer"), max_length=20, unique=True, null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED)
    status_changed_at = models.DateTimeField(_("status gewijzigd op"), auto_now_add=True)
    schema_version = models.CharField(_("schemaversie"), max_length=10, default=SCHEMA_VERSION)
    document = models.JSONField(_("verslag (JSON)"), default=dict)
    # Where each witness's words came from: {"G1": {"visit": 12}, "T1": {"tip": 3}}; never shown as such.
    witness_sources = models.JSONField(_("bronnen"), default=dict)
    quality_score = models.PositiveSmallIntegerField(_("kwaliteitsscore"), default=0)
    doors_planned = models.PositiveIntegerField(_("deuren gepland"), default=0)
    doors_visited = models.PositiveIntegerField(_("deuren bezocht"), default=0)
    doors_spoken = models.PositiveIntegerField(_("deuren gesproken"), default=0)
    signalement_count = models.PositiveSmallIntegerField(_("signalementen"), default=0)
    camera_lead_count = models.PositiveSmallIntegerField(_("camerasporen"), default=0)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("verstuurd door"),
    )
    submitted_at = models.DateTimeField(_("verstuurd op"), auto_now_add=True, db_index=True)
    outcome = models.CharField(_("uitkomst"), max_length=30, choices=ReportOutcome.choices, blank=True)
    outcome_note = models.TextField(_("toelichting uitkomst"), max_length=2000, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome_at = models.DateTimeField(_("uitkomst op"), null=True, blank=True)
    usefulness = models.PositiveSmallIntegerField(
        _("bruikbaarheid (1-5)"), null=True, blank=True, choices=list(USEFULNESS_LABELS.items())
    )
    helpful_parts = models.JSONField(_("wat hielp"), default=list, blank=True)
    # Frozen at submission like the door counts, so police totals never scan the door visits. Hours count
    # from the end of the incident's time window; a door knocked inside the window counts as 0.
    first_door_at = models.DateTimeField(_("eerste deur op"), null=True, blank=True)
    hours_to_first_door = models.FloatField(_("uren tot eerste deur"), null=True, blank=True)
    hours_to_report = models.FloatField(_("uren tot verslag"), null=True, blank=True)
    pdf_status = models.CharField(_("pdf"), max_length=10, choices=PdfStatus.choices, default=PdfStatus.PENDING)
    pdf_progress = models.PositiveSmallIntegerField(_("voortgang pdf (%)"), default=0)
    pdf_error = models.CharField(_("fout bij pdf"), max_length=500, blank=True)
    pdf_police = models.FileField(_("pdf voor de politie"), upload_to=pdf_path, blank=True)
    pdf_team = models.FileField(_("pdf voor het team"), upload_to=pdf_path, blank=True)
    pdf_generated_at = models.DateTimeField(_("pdf gemaakt op"), null=True, blank=True)
    contacts_removed_at = models.DateTimeField(_("contactgegevens verwijderd op"), null=True, blank=True)
    witnesses_told_at = models.DateTimeField(_("getuigen ingelicht op"), null=True, blank=True)

    objects = PoliceReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("verslag aan de politie")
        verbose_name_plural = _("verslagen aan de politie")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "-submitted_at"], name="report_inbox"),
            models.Index(fields=["unit", "status", "-submitted_at"], name="report_inbox_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="report_status_valid"),
            models.CheckConstraint(condition=Q(pdf_progress__lte=100), name="report_pdf_progress_percent"),
            models.CheckConstraint(
                condition=Q(usefulness__isnull=True) | Q(usefulness__gte=1, usefulness__lte=5),
                name="report_usefulness_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def hours_saved(self) -> Decimal:
        """Hours the police did not have to spend: doors canvassed x minutes per door (MINUTES_PER_DOOR)."""
        minutes = Decimal(self.doors_visited * settings.MINUTES_PER_DOOR)
        return (minutes / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def freeze_hours(self) -> None:
        """Set the hours from the incident to the first door and to the report (before saving)."""
        end = self.incident.occurred_until
        self.hours_to_first_door = _hours_after(end, self.first_door_at)
        self.hours_to_report = _hours_after(end, self.submitted_at)

    def allowed_transitions(self) -> list[ReportStatus]:
        nexts = REPORT_TRANSITIONS.get(self.status, frozenset())
        return [status for status in ReportStatus if status in nexts]

    @property
    def is_closed(self) -> bool:
        return self.status == ReportStatus.CLOSED


def supplement_pdf_path(instance: ReportSupplement, filename: str) -> str:
    return f"handoff/reports/{instance.report_id}/aanvulling-{instance.number}/{filename}"


class ReportSupplement(models.Model):
    """Nagekomen bezoeken: statements approved after the report was sent, sent to the police as an addition.

    Its JSON document has the report's schema (with a `supplement` block naming the original report);
    witness references are numbered within the supplement. `received_at` stays empty until the police
    mark it received: until then the inbox shows the report with a new supplement.
    """

    report = models.ForeignKey(PoliceReport, on_delete=models.CASCADE, related_name="supplements")
    number = models.PositiveSmallIntegerField(_("volgnummer"))
    document = models.JSONField(_("aanvulling (JSON)"), default=dict)
    witness_sources = models.JSONField(_("bronnen"), default=dict)
    statement_count = models.PositiveSmallIntegerField(_("verklaringen"), default=0)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("verstuurd door"),
    )
    submitted_at = models.DateTimeField(_("verstuurd op"), auto_now_add=True)
    received_at = models.DateTimeField(_("ontvangen op"), null=True, blank=True)
    pdf_status = models.CharField(_("pdf"), max_length=10, choices=PdfStatus.choices, default=PdfStatus.PENDING)
    pdf_progress = models.PositiveSmallIntegerField(_("voortgang pdf (%)"), default=0)
    pdf_error = models.CharField(_("fout bij pdf"), max_length=500, blank=True)
    # One PDF for police and team, without contact details: the police see those live on the page, so
    # removing them under the retention rules needs no new PDF.
    pdf = models.FileField(_("pdf"), upload_to=supplement_pdf_path, blank=True)

    class Meta:
        verbose_name = _("aanvulling op een verslag")
        verbose_name_plural = _("aanvullingen op verslagen")
        ordering = ("report", "number")
        constraints = [models.UniqueConstraint(fields=("report", "number"), name="supplement_number_once")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The supplement's own number, e.g. BO-2026-000012-A1."""
        return f"{self.report.number}-A{self.number}"

    # The PDF layout and the contact look-up read these, as they do on a report.
    @property
    def incident(self) -> Incident:
        return self.report.incident

    @property
    def canvass_id(self) -> int:
        return self.report.canvass_id

    @property
    def hours_saved(self) -> Decimal:
        return self.report.hours_saved


class ReportTransition(AppendOnlyModel):
    report = models.ForeignKey(PoliceReport, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("van"), max_length=20, choices=ReportStatus.choices, blank=True)
    to_status = models.CharField(_("naar"), max_length=20, choices=ReportStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_label = models.CharField(_("door (tekst)"), max_length=254, blank=True)
    at = models.DateTimeField(_("tijdstip"), auto_now_add=True)
    note = models.CharField(_("toelichting"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("statuswijziging verslag")
        verbose_name_plural = _("geschiedenis verslagen")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"


class ReportFeedback(AppendOnlyModel):
    """The police's words to the team; never edited, a correction is a new message."""

    report = models.ForeignKey(PoliceReport, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    author_label = models.CharField(_("van (tekst)"), max_length=254, blank=True)
    text = models.TextField(_("terugkoppeling"), max_length=2000)
    created_at = models.DateTimeField(_("geschreven op"), auto_now_add=True)

    class Meta:
        verbose_name = _("terugkoppeling")
        verbose_name_plural = _("terugkoppelingen")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.text[:40]}"


class Thanks(models.Model):
    """A police user's thanks to one volunteer, or to the whole team when `to_user` is empty."""

    report = models.ForeignKey(PoliceReport, on_delete=models.CASCADE, related_name="thanks")
    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    from_label = models.CharField(_("van (tekst)"), max_length=254, blank=True)
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="thanks_received"
    )
    message = models.CharField(_("bericht"), max_length=500)
    created_at = models.DateTimeField(_("op"), auto_now_add=True)

    class Meta:
        verbose_name = _("bedankje")
        verbose_name_plural = _("bedankjes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_label} -> {self.to_user or 'team'}"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    REPORT_SUBMITTED = "report_submitted"
    REPORT_STATUS = "report_status"
    FEEDBACK = "feedback"
    OUTCOME = "outcome"
    THANKS = "thanks"
    ALERT = "alert"
    REVIEW = "review"
    KINDS = [
        (REPORT_SUBMITTED, _("nieuw verslag")),
        (REPORT_STATUS, _("status verslag")),
        (FEEDBACK, _("terugkoppeling")),
        (OUTCOME, _("uitkomst")),
        (THANKS, _("bedankje")),
        (ALERT, _("oproep")),
        (REVIEW, _("beoordeling")),
    ]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("soort"), max_length=20, choices=KINDS)
    title = models.CharField(_("titel"), max_length=200)
    body = models.TextField(_("bericht"), max_length=2000, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    report = models.ForeignKey(PoliceReport, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("op"), auto_now_add=True)
    read_at = models.DateTimeField(_("gelezen op"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("gemaild op"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("bericht")
        verbose_name_plural = _("berichten")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title


class RetentionMark(models.Model):
    """What the retention task already did for an incident, so a rerun finds nothing left to do quickly."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="retention_mark")
    contacts_removed_at = models.DateTimeField(null=True, blank=True)
    free_text_pseudonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bewaartermijn uitgevoerd")
        verbose_name_plural = _("bewaartermijnen uitgevoerd")

    def __str__(self) -> str:
        return f"{self.incident_id}"
