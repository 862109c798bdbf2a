"""Data-subject requests for platform admins: look up a person, export their data, erase it.

The person's e-mail address and phone number are sent by POST only (never in a URL, so never in a
server log or the browser history); every step is recorded in the audit log under the request's
reference (actions.py).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from buurtonderzoek.core.decorators import role_required
from buurtonderzoek.core.types import AuthedHttpRequest
from buurtonderzoek.privacy.actions import erase_subject_data, export_subject_data, search_subject
from buurtonderzoek.privacy.forms import EraseForm, RequestForm
from buurtonderzoek.privacy.search import REMOVED_LABELS, describe, find


@never_cache
@role_required("admin")
def request_page(request: AuthedHttpRequest) -> HttpResponse:
    form = RequestForm(request.POST or None)
    kinds = None
    if request.method == "POST" and form.is_valid():
        found = search_subject(
            form.subject(), by=request.user, reference=form.cleaned_data["reference"], request=request
        )
        kinds = describe(found)
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "privacy/request.html", {"form": form, "kinds": kinds}, status=status)


@never_cache
@role_required("admin")
@require_POST
def export(request: AuthedHttpRequest) -> HttpResponse:
    form = RequestForm(request.POST)
    if not form.is_valid():
        return render(request, "privacy/request.html", {"form": form, "kinds": None}, status=400)
    reference = form.cleaned_data["reference"]
    document = export_subject_data(form.subject(), by=request.user, reference=reference, request=request)
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    filename = f"persoonsgegevens-{slugify(reference) or 'verzoek'}-{timezone.localdate():%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@role_required("admin")
@require_POST
def erase(request: AuthedHttpRequest) -> HttpResponse:
    confirming = "reference_again" in request.POST
    form = EraseForm(request.POST)
    if not confirming:
        # Coming from the search results: show what will go, and ask for the reference once more.
        check = RequestForm(request.POST)
        if not check.is_valid():
            return render(request, "privacy/request.html", {"form": check, "kinds": None}, status=400)
        form = EraseForm(initial=check.cleaned_data)
        return _confirm_page(request, form, check)
    if form.is_valid():
        try:
            result = erase_subject_data(
                form.subject(), by=request.user, reference=form.cleaned_data["reference"], request=request
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if result.anything:
                what = ", ".join(f"{REMOVED_LABELS[key]}: {count}" for key, count in result.removed.items() if count)
                messages.success(
                    request,
                    _("Verzoek %(reference)s uitgevoerd. Verwijderd of leeggemaakt: %(what)s.")
                    % {"reference": result.reference, "what": what},
                )
            else:
                messages.info(
                    request,
                    _("Verzoek %(reference)s: er was niets (meer) te verwijderen.") % {"reference": result.reference},
                )
            return redirect("privacy_requests")
    return _confirm_page(request, form, RequestForm(request.POST), status=400)


def _confirm_page(request: AuthedHttpRequest, form: EraseForm, source: RequestForm, status: int = 200) -> HttpResponse:
    kinds = None
    if source.is_valid():
        # Counts only: the search page, logged, already showed the details.
        kinds = [kind for kind in describe(find(source.subject())) if kind.treatment != "check"]
    return render(request, "privacy/confirm_erase.html", {"form": form, "kinds": kinds}, status=status)
