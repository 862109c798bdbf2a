"""Every write of the dashboards app: asking for a printable document (a background job, jobs app), and
the opt-in for the weekly digest."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from buurtonderzoek.accounts.access import is_team_coordinator
from buurtonderzoek.accounts.models import Membership, Role, Team
from buurtonderzoek.core.audit import record
from buurtonderzoek.core.models import AuditAction
from buurtonderzoek.dashboards.models import DigestSubscription
from buurtonderzoek.dashboards.police import Period
from buurtonderzoek.jobs.actions import request_job
from buurtonderzoek.jobs.models import Job


def request_value_report(period: Period, *, by: Any) -> Job:
    """The police's value report over `period` (figures of the user's own units), made by a task."""
    return request_job(
        "dashboards.value_report",
        by=by,
        params={"start": period.start.isoformat(), "end": period.end.isoformat()},
        title=_("Waarderapport buurtonderzoek, %(period)s") % {"period": period.label},
        back_url=f"{reverse('police_totals')}?van={period.start:%Y-%m-%d}&tot={period.end:%Y-%m-%d}",
    )


def request_certificates(team: Team, year: int, *, by: Any) -> Job:
    """All certificates of contribution of `team` for `year` in one PDF, made by a task (coordinator only)."""
    from buurtonderzoek.dashboards.certificates import certificates_for

    if not is_team_coordinator(by, team):
        raise PermissionDenied(_("Alleen de coördinator van dit team kan de bewijzen van inzet afdrukken."))
    if not certificates_for(team, year):
        raise ValidationError(
            _("In %(year)d liep niemand van het team een buurtonderzoek; kies een ander jaar.") % {"year": year}
        )
    return request_job(
        "dashboards.certificates",
        by=by,
        params={"team": team.pk, "year": year},
        title=_("Bewijzen van inzet %(year)d, %(team)s") % {"year": year, "team": team.name},
        back_url=f"{reverse('team_effort', args=[team.pk])}#certificates",
    )


def request_retention_run(*, by: Any) -> None:
    """Apply the retention rules now (normally a scheduled job), e.g. when the start page says some are due."""
    from buurtonderzoek.handoff.tasks import apply_retention_task

    with transaction.atomic():
        record(by, AuditAction.UPDATE, None, summary="Bewaartermijnen handmatig gestart", object_type="retention")
        transaction.on_commit(lambda: apply_retention_task.enqueue())


@transaction.atomic
def subscribe_digest(user: Any, *, by: Any) -> DigestSubscription:
    """Opt in to the weekly digest; only for the gemeente and coordinators, only for oneself."""
    if by.pk != user.pk:
        raise PermissionDenied(_("U kunt alleen uzelf aanmelden voor de samenvatting."))
    if not Membership.objects.filter(user=user, role__in=(Role.MUNICIPAL, Role.COORDINATOR)).exists():
        raise PermissionDenied(_("De wekelijkse samenvatting is er voor de gemeente en voor coördinatoren."))
    subscription, created = DigestSubscription.objects.get_or_create(user=user)
    if created:
        record(by, AuditAction.CREATE, subscription, summary="Aangemeld voor de wekelijkse samenvatting")
    return subscription


@transaction.atomic
def unsubscribe_digest(user: Any, *, by: Any) -> None:
    if by.pk != user.pk:
        raise PermissionDenied(_("U kunt alleen uzelf afmelden voor de samenvatting."))
    subscription = DigestSubscription.objects.filter(user=user).first()
    if subscription is not None:
        record(by, AuditAction.DELETE, subscription, summary="Afgemeld voor de wekelijkse samenvatting")
        subscription.delete()
