"""Background work for canvasses (django-tasks; `manage.py db_worker` runs it).

- `run_odk_import`: load an uploaded ODK Central / KoboToolbox export as door visits
  (canvass/odk_import.py), with progress and the result per row on the `OdkImport` row.
- `improve_routes`: OR-Tools looks for shorter routes than the heuristic stored at planning
  (5 s per run, actions.improve_routes_now); the overview shows "routes worden verbeterd" meanwhile.

Walking lists and leaflets are background jobs (jobs app; producers in canvass/pdf.py).
"""

from __future__ import annotations

from dataclasses import asdict

from django.utils.translation import gettext as _
from django_tasks import task

from buurtonderzoek.canvass.models import Canvass, OdkImport, OdkImportStatus


@task()
def improve_routes(canvass_id: int, planned_at: str, replace_members: bool) -> str:
    from django.utils.translation import override

    from buurtonderzoek.canvass.actions import improve_routes_now, optimise_seconds

    with override("nl"):
        try:
            return improve_routes_now(
                canvass_id, planned_at, replace_members=replace_members, seconds=optimise_seconds()
            )
        except Exception:
            Canvass.objects.filter(pk=canvass_id).update(
                improving_since=None,
                improvement_note=_(
                    "Het verbeteren van de routes is mislukt; de routes zijn dezelfde gebleven. "
                    "Probeer het later opnieuw."
                ),
            )
            raise


@task()
def run_odk_import(job_id: int) -> int:
    from buurtonderzoek.canvass.odk_import import ExportError, load_export

    job = OdkImport.objects.select_related("canvass__incident", "version__questionnaire", "created_by").get(pk=job_id)
    OdkImport.objects.filter(pk=job_id).update(status=OdkImportStatus.RUNNING, progress=1)
    try:
        results = load_export(
            job.canvass,
            by=job.created_by,
            version=job.version,
            name=job.filename,
            data=bytes(job.data),
            progress=lambda p: OdkImport.objects.filter(pk=job_id).update(progress=p),
        )
    except ExportError as exc:
        OdkImport.objects.filter(pk=job_id).update(status=OdkImportStatus.FAILED, error=str(exc)[:500], data=b"")
        return 0
    except Exception:
        OdkImport.objects.filter(pk=job_id).update(
            status=OdkImportStatus.FAILED, error="Onverwachte fout; de beheerder ziet de details in het log.", data=b""
        )
        raise
    # The raw export holds every answer; once read, the visits are where they belong.
    OdkImport.objects.filter(pk=job_id).update(
        status=OdkImportStatus.DONE, progress=100, results=[asdict(r) for r in results], data=b""
    )
    return len(results)
