"""Permission-checked reads of police reports.

Who sees a report: police of the unit it was sent to, and members of the team. What they see
differs: police get witness contact details (where consented; every read is logged), the team's
coordinators get the full report without them, volunteers get the outcome, feedback and thanks (the
recognition loop), not the witness list or camera leads. Platform admins see what a coordinator sees:
witness contact details are for the police only (docs/privacy.md), also when the reader runs the platform.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from buurtonderzoek.accounts.models import Membership, Role
from buurtonderzoek.core.audit import record_personal_read
from buurtonderzoek.handoff.models import PoliceReport, ReportSupplement


class Viewer(StrEnum):
    POLICE = "police"
    COORDINATOR = "coordinator"
    VOLUNTEER = "volunteer"


def viewer_role(user: Any, report: PoliceReport) -> Viewer | None:
    if not user.is_authenticated:
        return None
    roles = {
        (role, police_unit, team)
        for role, police_unit, team in Membership.objects.filter(user=user).values_list("role", "police_unit", "team")
    }
    if any(role == Role.POLICE and unit == report.unit_id for role, unit, _team in roles):
        return Viewer.POLICE
    if user.is_superuser:
        # Platform admins run the platform; they are not the police. They see the report as the team's
        # coordinator does (no witness contact details) and can have its PDF made again, nothing more.
        return Viewer.COORDINATOR
    team_id = report.incident.team_id
    if any(role == Role.COORDINATOR and team == team_id for role, _unit, team in roles):
        return Viewer.COORDINATOR
    if any(role == Role.VOLUNTEER and team == team_id for role, _unit, team in roles):
        return Viewer.VOLUNTEER
    return None


def get_report_for_user(user: Any, pk: int, *, need: tuple[Viewer, ...] = ()) -> tuple[PoliceReport, Viewer]:
    """The report and how this user sees it; 404 when invisible, 403 when `need` excludes their role."""
    report = (
        PoliceReport.objects.visible_to(user)
        .select_related("incident__team__gemeente", "incident__address", "unit", "submitted_by", "canvass")
        .filter(pk=pk)
        .first()
    )
    role = viewer_role(user, report) if report is not None else None
    if report is None or role is None:
        raise Http404(_("Verslag niet gevonden."))
    if need and role not in need:
        raise PermissionDenied(_("Dit kan alleen %(who)s.") % {"who": _who(need)})
    return report, role


def _who(need: tuple[Viewer, ...]) -> str:
    names = {
        Viewer.POLICE: _("de politie-eenheid die het verslag ontving"),
        Viewer.COORDINATOR: _("de coördinator van het team"),
        Viewer.VOLUNTEER: _("een lid van het team"),
    }
    return _(" of ").join(str(names[n]) for n in need)


def read_document(
    user: Any, report: PoliceReport, role: Viewer, *, channel: str, request: Any = None
) -> dict[str, Any]:
    """The document as this viewer may see it, with the read logged: it names witnesses and their addresses.

    Police of the receiving unit get the consented contact details filled in; nobody else does.
    """
    from buurtonderzoek.handoff.document import with_contacts

    document: dict[str, Any] = report.document
    added = 0
    if role == Viewer.POLICE:
        document, added = with_contacts(report.document, report.witness_sources)
    detail = f"met contactgegevens van {added} getuige(n)" if added else "zonder contactgegevens"
    record_personal_read(user, report, what=f"Verslag {report.number} ingezien ({channel}, {detail})", request=request)
    return document


def log_pdf_read(user: Any, report: PoliceReport, role: Viewer, *, channel: str, request: Any = None) -> None:
    copy = "politie-exemplaar" if role == Viewer.POLICE else "teamexemplaar"
    record_personal_read(user, report, what=f"Verslag {report.number} als pdf ({copy}, {channel})", request=request)


def read_supplement(
    user: Any, supplement: ReportSupplement, role: Viewer, *, channel: str, request: Any = None
) -> dict[str, Any]:
    """A supplement's document as this viewer may see it (contact details for the police only), read logged."""
    from buurtonderzoek.handoff.document import with_contacts

    document: dict[str, Any] = supplement.document
    added = 0
    if role == Viewer.POLICE:
        document, added = with_contacts(supplement.document, supplement.witness_sources)
    detail = f"met contactgegevens van {added} getuige(n)" if added else "zonder contactgegevens"
    record_personal_read(
        user, supplement, what=f"Aanvulling {supplement.label} ingezien ({channel}, {detail})", request=request
    )
    return document
