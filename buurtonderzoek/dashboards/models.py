"""Monthly figures per buurt, rolled up for the grip pages (buurtonderzoek.dashboards.grip): counting a
million door visits for every page view is too slow, so `refresh_area_months` folds the activity into
one row per buurt and month in the background (a task the grip page starts when the roll-up is older
than GRIP_REFRESH_MINUTES, and `manage.py refresh_grip_figures`). Counts only.

The same job keeps `WalkerDay`, door visits per team, walker and day, for the team-health page
(buurtonderzoek.dashboards.walkers): it reads a few hundred rows per team instead of counting half a
year of door visits on every view. And after that, `TeamHealthCount`: each team's health as counted
then (health.refresh_team_health), which the team-health page, its API and the municipal start page
read, one row per team, while it is fresh.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.accounts.models import Team
from buurtonderzoek.places.models import Buurt, Gemeente


def job_path(instance: object, filename: str) -> str:
    """Kept for migration 0001 (the print jobs moved to the jobs app)."""
    return f"dashboards/jobs/{getattr(instance, 'pk', '')}/{filename}"


class AreaMonth(models.Model):
    buurt = models.ForeignKey(Buurt, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("maand"), help_text="the first day of the month")
    incidents = models.PositiveIntegerField(_("incidenten"), default=0)
    canvasses = models.PositiveIntegerField(_("buurtonderzoeken"), default=0)
    doors_visited = models.PositiveIntegerField(_("deuren bezocht"), default=0)
    reports_used = models.PositiveIntegerField(_("verslagen gebruikt"), default=0)

    class Meta:
        verbose_name = _("cijfers per buurt en maand")
        verbose_name_plural = _("cijfers per buurt en maand")
        constraints = [models.UniqueConstraint(fields=["buurt", "month"], name="areamonth_unique")]
        indexes = [models.Index(fields=["month", "buurt"], name="areamonth_month")]

    def __str__(self) -> str:
        return f"{self.buurt_id} {self.month:%Y-%m}"


class AreaRefresh(models.Model):
    """When a gemeente's roll-ups were last asked for and last finished; the refresh locks this row, so
    two workers never recount the same gemeente at once."""

    gemeente = models.OneToOneField(Gemeente, on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField(_("gevraagd op"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("bijgewerkt op"), null=True, blank=True)
    # WalkerDay holds exactly the door visits with an id up to this one; later ones are counted live.
    visits_through_id = models.BigIntegerField(_("deurbezoeken geteld t/m id"), null=True, blank=True)
    # The last full recount: deleted visits are only noticed by one (see walkers.FULL_RECOUNT_HOURS).
    visits_recounted_at = models.DateTimeField(_("deurbezoeken volledig geteld op"), null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.gemeente_id} {self.refreshed_at}"


class WalkerDay(models.Model):
    """Door visits of one walker for one team on one (local) day; visits without a walker are left out."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    # Deleting a user sets their visits' walker to empty, which the health figures leave out: deleting
    # their rows here keeps the roll-up equal to a recount without waiting for the job.
    volunteer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("dag"))
    visits = models.PositiveIntegerField(_("deurbezoeken"))

    class Meta:
        verbose_name = _("deurbezoeken per loper en dag")
        verbose_name_plural = _("deurbezoeken per loper en dag")
        constraints = [models.UniqueConstraint(fields=["team", "day", "volunteer"], name="walkerday_unique")]

    def __str__(self) -> str:
        return f"{self.team_id} {self.volunteer_id} {self.day}: {self.visits}"


class TeamHealthCount(models.Model):
    """A team's health as the background job counted it at `counted_at` (health.refresh_team_health).

    The measured facts and the level, not the texts: the signals' reasons and actions are made again
    from the facts when a page is shown, in the reader's language, as the live count makes them.
    """

    team = models.OneToOneField(Team, on_delete=models.CASCADE, primary_key=True, related_name="+")
    counted_at = models.DateTimeField(_("geteld op"))
    level = models.CharField(_("niveau"), max_length=10)
    facts = models.JSONField(_("feiten"))  # health.TeamFacts, its moment as ISO 8601
    # The oldest door visit waiting for review: it sets the review signal's level (not a fact shown).
    oldest_waiting = models.DateTimeField(_("oudste wachtende deurbezoek"), null=True, blank=True)

    class Meta:
        verbose_name = _("getelde gezondheid van een team")
        verbose_name_plural = _("getelde gezondheid van teams")

    def __str__(self) -> str:
        return f"{self.team_id} {self.level} {self.counted_at}"


class DigestSubscription(models.Model):
    """Opt-in for the weekly digest e-mail (dashboards/digest.py); no row, no mail."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_subscription")
    created_at = models.DateTimeField(_("aangemeld op"), auto_now_add=True)
    last_sent_at = models.DateTimeField(_("laatst verstuurd op"), null=True, blank=True)

    class Meta:
        verbose_name = _("aanmelding wekelijkse samenvatting")
        verbose_name_plural = _("aanmeldingen wekelijkse samenvatting")

    def __str__(self) -> str:
        return str(self.user)
