"""Many sent reports at once, as rows: for totals tests and benchmarks that need volume, not the canvass flow
(the flow itself is tested in handoff). Each report carries the frozen figures the totals read."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from buurtonderzoek.accounts.models import PoliceUnit, Team
from buurtonderzoek.canvass.models import Canvass
from buurtonderzoek.handoff.models import PoliceReport, ReportStatus
from buurtonderzoek.incidents.models import Incident, IncidentStatus, IncidentType


def bulk_reports(
    team: Team,
    unit: PoliceUnit,
    *,
    count: int,
    start: datetime,
    step: timedelta = timedelta(hours=6),
    spec: Any = None,
) -> list[PoliceReport]:
    """`count` reports sent from `start` on, one per `step`; `spec(i)` may return field overrides per report."""
    incidents = Incident.objects.bulk_create(
        Incident(
            team=team,
            incident_type=IncidentType.FIETSDIEFSTAL,
            occurred_from=start + i * step - timedelta(hours=3),
            occurred_until=start + i * step - timedelta(hours=2),
            location_label="Dorpsstraat 1",
            x=121000,
            y=487000,
            lat=52.0,
            lon=5.0,
            description="Fiets gestolen",
            victim_consent=True,
            status=IncidentStatus.REPORTED,
        )
        for i in range(count)
    )
    canvasses = Canvass.objects.bulk_create(
        Canvass(incident=incident, centre_x=121000, centre_y=487000, centre_lat=52.0, centre_lon=5.0, radius_m=150)
        for incident in incidents
    )
    reports = []
    for i, (incident, canvass) in enumerate(zip(incidents, canvasses, strict=True)):
        fields: dict[str, Any] = {
            "doors_visited": 40,
            "doors_spoken": 12,
            "camera_lead_count": 2,
            "first_door_at": incident.occurred_until + timedelta(hours=1),
            "status": ReportStatus.RECEIVED,
        }
        fields.update(spec(i) if spec else {})
        reports.append(PoliceReport(incident=incident, canvass=canvass, unit=unit, **fields))
    created = PoliceReport.objects.bulk_create(reports)
    # submitted_at is auto_now_add: set the real moment of sending afterwards, as the totals group by it.
    for i, report in enumerate(created):
        report.submitted_at = start + i * step
        report.freeze_hours()
    PoliceReport.objects.bulk_update(created, ["submitted_at", "hours_to_first_door", "hours_to_report"])
    return created
