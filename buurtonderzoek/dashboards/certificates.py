"""Certificates of contribution ("Bewijs van inzet"): one A4 page per volunteer per year, for the yearly
volunteer evening, signed in the names of the gemeente and the police unit as configured.

A volunteer downloads their own (one page, made in the request); the coordinator prints the whole
team at once as a background job. The figures come from one grouped query over the year's door visits;
the PDF is laid out in batches so the job can report progress, and the batches' pages are joined into
one document.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from buurtonderzoek.accounts.access import is_team_coordinator
from buurtonderzoek.accounts.models import PoliceUnit, Team, User
from buurtonderzoek.canvass.models import DoorVisit, Outcome
from buurtonderzoek.jobs.kinds import PDF, Document, JobRefused
from buurtonderzoek.jobs.models import Job

BATCH = 25


@dataclass(frozen=True)
class Certificate:
    name: str
    year: int
    team: str
    gemeente: str
    police: str
    canvasses: int
    doors: int
    spoken: int
    reports: int

    @property
    def hours(self) -> int:
        return round(self.doors * settings.MINUTES_PER_DOOR / 60)


def _police_names(team: Team) -> str:
    return ", ".join(
        PoliceUnit.objects.filter(gemeenten=team.gemeente_id).order_by("name").values_list("name", flat=True)
    )


def certificates_for(team: Team, year: int, *, user: User | None = None) -> list[Certificate]:
    """Everyone in `team` who walked in `year` (or only `user`), by name: their canvasses, doors and talks."""
    visits = DoorVisit.objects.filter(canvass__incident__team=team, visited_at__year=year, volunteer__isnull=False)
    if user is not None:
        visits = visits.filter(volunteer=user)
    rows = (
        visits.order_by()
        .values("volunteer", "volunteer__full_name", "volunteer__email")
        .annotate(
            canvasses=Count("canvass", distinct=True),
            doors=Count("id"),
            spoken=Count("id", filter=Q(outcome=Outcome.GESPROKEN)),
            reports=Count("canvass__police_report", distinct=True),
        )
    )
    police = _police_names(team)
    certificates = [
        Certificate(
            name=r["volunteer__full_name"] or r["volunteer__email"],
            year=year,
            team=team.name,
            gemeente=team.gemeente.name,
            police=police,
            canvasses=r["canvasses"],
            doors=r["doors"],
            spoken=r["spoken"],
            reports=r["reports"],
        )
        for r in rows
    ]
    return sorted(certificates, key=lambda c: c.name.lower())


def render_certificates(certificates: Sequence[Certificate], *, progress: Callable[[int], None] | None = None) -> bytes:
    from weasyprint import HTML

    base_url = str(settings.BASE_DIR / "static")
    pages = []
    documents = []
    for start in range(0, len(certificates), BATCH):
        batch = certificates[start : start + BATCH]
        html = render_to_string(
            "dashboards/certificate_pdf.html",
            {
                "certificates": batch,
                "gemeente_signatory": settings.CERTIFICATE_GEMEENTE_SIGNATORY,
                "police_signatory": settings.CERTIFICATE_POLICE_SIGNATORY,
                "minutes_per_door": settings.MINUTES_PER_DOOR,
            },
        )
        document = HTML(string=html, base_url=base_url).render()
        documents.append(document)
        pages.extend(document.pages)
        if progress:
            progress(5 + int(85 * (start + len(batch)) / len(certificates)))
    content: bytes = documents[0].copy(pages).write_pdf()
    return content


def certificates_pdf(job: Job, progress: Callable[[int], None]) -> Document:
    """The background job's producer (jobs.kinds): every certificate of the team for the year."""
    team = Team.objects.select_related("gemeente").filter(pk=job.params["team"]).first()
    year = int(job.params["year"])
    if team is None or not is_team_coordinator(job.requested_by, team):
        raise JobRefused(_("Alleen de coördinator van dit team kan de bewijzen van inzet afdrukken."))
    certificates = certificates_for(team, year)
    if not certificates:
        raise JobRefused(
            _("In %(year)d liep niemand van het team een buurtonderzoek; kies een ander jaar.") % {"year": year}
        )
    content = render_certificates(certificates, progress=progress)
    return Document(content, f"bewijzen-van-inzet-{year}.pdf", PDF)
