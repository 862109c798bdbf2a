"""The page where a coordinator loads door visits collected with ODK Collect or KoboCollect."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.canvass.access import get_canvass_for_user
from buurtonderzoek.canvass.models import OdkImport
from buurtonderzoek.canvass.odk_import import ExportError, RowResult, start_odk_import
from buurtonderzoek.core.types import AuthedHttpRequest
from buurtonderzoek.questionnaires.models import Purpose, QuestionnaireVersion


class ExportUploadForm(forms.Form):
    MAX_SIZE = 20 * 1024 * 1024

    file = forms.FileField(
        label=_("Export uit ODK Central of KoboToolbox"),
        help_text=_("CSV, Excel (.xlsx), JSON, of de zip van ODK Central zonder media; hooguit 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.json,.zip"}),
    )
    version = forms.ModelChoiceField(
        queryset=QuestionnaireVersion.objects.none(),
        label=_("Met welke vragenlijst is verzameld?"),
        empty_label=None,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["version"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            QuestionnaireVersion.objects.published()
            .filter(questionnaire__purpose=Purpose.CANVASS)
            .select_related("questionnaire")
            .order_by("questionnaire__slug", "-number")
        )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_SIZE:
            raise forms.ValidationError(_("Het bestand is groter dan 20 MB; exporteer zonder media."))
        return upload


@login_required
def canvass_odk_import(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    incident, canvass = get_canvass_for_user(request.user, pk, write=True)
    form = ExportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = start_odk_import(
                canvass, by=request.user, version=form.cleaned_data["version"], name=upload.name, data=upload.read()
            )
        except ExportError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("canvass_odk_import_job", pk=incident.pk, job_pk=job.pk)
    jobs = OdkImport.objects.filter(canvass=canvass).order_by("-created_at")[:10]
    context = {"incident": incident, "canvass": canvass, "form": form, "jobs": jobs}
    return render(request, "canvass/odk_import.html", context, status=400 if form.errors else 200)


@login_required
def canvass_odk_import_job(request: AuthedHttpRequest, pk: int, job_pk: int) -> HttpResponse:
    """Progress while the worker loads the export (the page reloads itself), then the result per row."""
    incident, canvass = get_canvass_for_user(request.user, pk, write=True)
    job = get_object_or_404(OdkImport.objects.defer("data"), pk=job_pk, canvass=canvass)
    results = [RowResult(**r) for r in job.results]
    counts = {status: sum(1 for r in results if r.status == status) for status in ("taken", "already", "refused")}
    context = {"incident": incident, "job": job, "results": results, "counts": counts}
    return render(request, "canvass/odk_import_job.html", context)
