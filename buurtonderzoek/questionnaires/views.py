"""Bring in a questionnaire made in ODK or KoboToolbox: upload the XLSForm, look at what was read
(questions, conditions, and what was left out), then publish the draft or throw it away."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buurtonderzoek.core.decorators import role_required
from buurtonderzoek.core.types import AuthedHttpRequest
from buurtonderzoek.questionnaires import actions
from buurtonderzoek.questionnaires.access import IMPORT_ROLES, get_draft_for_user
from buurtonderzoek.questionnaires.forms import PublishImportForm, XLSFormUploadForm
from buurtonderzoek.questionnaires.xlsform import XLSFormError, _ToXPath


@role_required(*IMPORT_ROLES)
def xlsform_upload(request: AuthedHttpRequest) -> HttpResponse:
    form = XLSFormUploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            version = actions.import_xlsform_version(
                upload.read(), by=request.user, filename=upload.name, purpose=form.cleaned_data["purpose"]
            )
        except XLSFormError as exc:
            errors = exc.errors
        else:
            return redirect("xlsform_preview", pk=version.pk)
    status = 400 if form.is_bound else 200
    return render(request, "questionnaires/xlsform_upload.html", {"form": form, "errors": errors}, status=status)


@role_required(*IMPORT_ROLES)
def xlsform_preview(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    version = get_draft_for_user(request.user, pk)
    warnings = _warnings(version.notes)
    form = PublishImportForm(request.POST if request.method == "POST" else None, has_warnings=bool(warnings))
    if request.method == "POST" and not version.is_published and form.is_valid():
        actions.publish_version(version, by=request.user)
        messages.success(
            request,
            _("Versie %(number)s van „%(title)s” is gepubliceerd.")
            % {"number": version.number, "title": version.questionnaire.title},
        )
        return redirect("xlsform_preview", pk=version.pk)
    schema = version.parsed
    xpath = _ToXPath(schema)
    rows = []
    for section in schema.sections:
        for question in section.questions:
            for q, depth in [(question, 0), *((child, 1) for child in question.children)]:
                rows.append(
                    {
                        "section": section.title,
                        "q": q,
                        "depth": depth,
                        "relevant": xpath.boolean(q.relevant) if q.relevant is not None else "",
                        "constraint": xpath.boolean(q.constraint) if q.constraint is not None else "",
                        "choices": ", ".join(label for _value, label in q.choices) if q.type != "scale" else "",
                    }
                )
    context = {"version": version, "rows": rows, "warnings": warnings, "form": form, "sections": schema.sections}
    return render(request, "questionnaires/xlsform_preview.html", context, status=400 if form.is_bound else 200)


@require_POST
@role_required(*IMPORT_ROLES)
def xlsform_discard(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    version = get_draft_for_user(request.user, pk)
    if version.is_published:
        messages.error(request, _("Een gepubliceerde versie kan niet meer worden weggegooid."))
        return redirect("xlsform_preview", pk=version.pk)
    actions.delete_draft_version(version, by=request.user)
    messages.success(request, _("Het concept is weggegooid."))
    return redirect("xlsform_upload")


def _warnings(notes: str) -> list[str]:
    if actions.WARNINGS_HEADER not in notes:
        return []
    tail = notes.split(actions.WARNINGS_HEADER, 1)[1]
    return [line[2:] for line in tail.splitlines() if line.startswith("- ")]
