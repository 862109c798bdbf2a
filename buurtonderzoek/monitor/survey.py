"""The resident's survey: no account, one block of questions per screen, stop and continue.

Flow: the start page takes the code from the letter (the QR link fills it in); `actions.claim_code`
returns the household's one response, new or half-finished, and its id goes into the (anonymous)
session. Each screen is one section of the questionnaire, rendered by the engine's
`section_form_class`; "Volgende" saves and moves on, "Vorige" goes back, "Opslaan en later verder"
saves and forgets the session, so the same code (on any device) continues where they stopped. The
last screen sends the answers (`actions.complete_response`), after which the code is used up.
Public-link respondents choose their buurt instead of entering a code; they can continue only in the
same browser.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from buurtonderzoek.monitor import actions, codes
from buurtonderzoek.monitor.forms import CodeForm, PublicStartForm
from buurtonderzoek.monitor.models import Response, Source, Wave
from buurtonderzoek.questionnaires import engine
from buurtonderzoek.questionnaires.forms import SectionForm, section_form_class

SESSION_KEY = "monitor_response"


def _current(request: HttpRequest) -> Response | None:
    pk = request.session.get(SESSION_KEY)
    if not isinstance(pk, int):
        return None
    return Response.objects.select_related("version", "wave", "buurt").filter(pk=pk).first()


def _remember(request: HttpRequest, response: Response) -> None:
    request.session.cycle_key()  # a fresh session id for each respondent on a shared device
    request.session[SESSION_KEY] = response.pk


def _forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


@never_cache
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            response = actions.claim_code(form.cleaned_data["code"])
        except actions.CodeRejected as error:
            form.add_error("code", error.messages)
        else:
            _remember(request, response)
            return redirect("monitor:survey_section")
    current = _current(request)
    return render(
        request,
        "monitor/survey/start.html",
        {"form": form, "current": current if current and not current.is_completed else None},
    )


@never_cache
@require_http_methods(["GET"])
def code_link(request: HttpRequest, code: str) -> HttpResponse:
    """The QR link on the letter: the start page with the code filled in (nothing happens on GET)."""
    normalised = codes.normalise(code)
    form = CodeForm(initial={"code": codes.display(normalised) if normalised else code})
    return render(request, "monitor/survey/start.html", {"form": form, "current": None, "from_qr": True})


@never_cache
@require_http_methods(["GET", "POST"])
def public(request: HttpRequest, token: str) -> HttpResponse:
    wave = get_object_or_404(Wave.objects.select_related("gemeente"), public_token=token)
    if not wave.public_link_enabled or not wave.accepts_answers():
        return render(request, "monitor/survey/closed.html", {"wave": wave}, status=410)
    form = PublicStartForm(request.POST if request.method == "POST" else None, wave=wave)
    if request.method == "POST" and form.is_valid():
        try:
            response = actions.start_public_response(wave, form.cleaned_data["buurt"])
        except actions.CodeRejected as error:
            form.add_error(None, error.messages)
        else:
            _remember(request, response)
            return redirect("monitor:survey_section")
    return render(request, "monitor/survey/public_start.html", {"wave": wave, "form": form})


def _translate(form: SectionForm, section: engine.Section, language: str) -> str:
    """Use the schema's translations (`en` keys) when the resident reads in that language."""
    title = section.title
    if language == "nl":
        return title
    section_raw: Any = next((s for s in form.schema.raw.get("sections", []) if s.get("id") == section.id), {})
    translated = section_raw.get(language) if isinstance(section_raw, dict) else None
    if isinstance(translated, dict) and isinstance(translated.get("title"), str):
        title = translated["title"]
    questions = []
    for q in section.questions:
        extra = q.raw.get(language)
        extra = extra if isinstance(extra, dict) else {}
        label = extra["label"] if isinstance(extra.get("label"), str) else q.label
        hint = extra["hint"] if isinstance(extra.get("hint"), str) else q.hint
        questions.append(dataclasses.replace(q, label=label, hint=hint))  # notes show the question's label
        field = form.fields.get(q.id)
        if field is None:
            continue
        field.label, field.help_text = label, hint
        labels = extra["choices"] if isinstance(extra.get("choices"), dict) else {}
        labels = {**labels, **engine.choice_translations(q, language)}
        if labels and hasattr(field, "choices"):
            shown = {value: f"{value} - {text}" if q.type == "scale" else text for value, text in labels.items()}
            field.choices = [(value, shown.get(str(value), dutch)) for value, dutch in field.choices]
    form.section = dataclasses.replace(section, title=title, questions=tuple(questions))
    return title


@never_cache
@require_http_methods(["GET", "POST"])
def section(request: HttpRequest) -> HttpResponse:
    response = _current(request)
    if response is None:
        messages.info(request, _("Vul de code van uw brief in om te beginnen of verder te gaan."))
        return redirect("monitor:survey_start")
    if response.is_completed:
        return redirect("monitor:survey_done")
    schema = response.version.parsed
    answers = dict(response.answers)
    shown = engine.relevant_section_ids(schema, answers, actions.CONTEXT)
    requested = request.POST.get("section") or request.GET.get("stap") or response.section
    current = requested if requested in shown else (response.section if response.section in shown else shown[0])
    index = shown.index(current)
    form_class = section_form_class(schema, current, actions.CONTEXT)
    form = form_class(request.POST if request.method == "POST" else None, answers=answers)
    title = _translate(form, schema.section(current), get_language() or "nl")

    if request.method == "POST":
        action = request.POST.get("action", "next")
        valid = form.is_valid()  # runs the engine; section_answers holds what is usable
        try:
            if action in ("pause", "previous") or not valid:
                if action in ("pause", "previous"):
                    response = actions.save_section(response, current, form.section_answers)
                if action == "pause":
                    return _pause(request, response)
                if action == "previous":
                    shown = engine.relevant_section_ids(schema, response.answers, actions.CONTEXT)
                    earlier = shown[max(0, min(index, len(shown)) - 1)]
                    return redirect(f"{request.path}?stap={earlier}")
            else:
                merged = {k: v for k, v in answers.items() if schema.section_of.get(k) != current}
                merged.update(form.section_answers)
                shown = engine.relevant_section_ids(schema, merged, actions.CONTEXT)
                position = shown.index(current) if current in shown else index
                following = shown[position + 1] if position + 1 < len(shown) else ""
                response = actions.save_section(response, current, form.section_answers, next_section=following)
                if following:
                    return redirect(f"{request.path}?stap={following}")
                return _finish(request, response)
        except actions.ResponseClosed:
            return redirect("monitor:survey_done")

    # The questions skip logic leaves out come hidden in the HTML: hidden by the script after the first paint,
    # the screen jumped (Lighthouse: layout shift 0.19 on every screen with follow-up questions).
    on_screen = {**answers, **(form.section_answers if form.is_bound else {})}
    relevant = engine.relevant_ids(schema, on_screen, actions.CONTEXT)
    return render(
        request,
        "monitor/survey/section.html",
        {
            "response": response,
            "form": form,
            "hidden_ids": {q.id for q in schema.section(current).questions} - relevant,
            "title": title,
            "section_id": current,
            "step": index + 1,
            "steps": len(shown),
            "is_last": index + 1 == len(shown),
            "is_first": index == 0,
            "invited": response.source == Source.INVITED,
            "schema": schema.raw,
            "earlier": {k: v for k, v in answers.items() if schema.section_of.get(k) != current},
        },
    )


def _pause(request: HttpRequest, response: Response) -> HttpResponse:
    invited = response.source == Source.INVITED
    if invited:
        _forget(request)  # continue with the code, not with whatever browser this was
    return render(request, "monitor/survey/paused.html", {"invited": invited})


def _finish(request: HttpRequest, response: Response) -> HttpResponse:
    try:
        actions.complete_response(response)
    except actions.ResponseIncomplete as error:
        schema = response.version.parsed
        first_path = next(iter(error.answer_errors))
        section_id = schema.section_of.get(first_path.split(".", 1)[0], "")
        messages.error(
            request, _("Een paar vragen hebben nog geen antwoord. Vul ze in op deze pagina en ga dan verder.")
        )
        return redirect(f"{request.path}?stap={section_id}")
    except actions.WaveClosed as error:
        _forget(request)
        context = {"wave": response.wave, "message": error.messages[0]}
        return render(request, "monitor/survey/closed.html", context, status=410)
    except actions.ResponseClosed:
        pass
    return redirect("monitor:survey_done")


@never_cache
@require_http_methods(["GET"])
def done(request: HttpRequest) -> HttpResponse:
    response = _current(request)
    context: dict[str, Any] = {"buurt": response.buurt if response else None}
    if response is not None and response.is_completed:
        _forget(request)
    elif response is not None:
        return redirect("monitor:survey_section")
    return render(request, "monitor/survey/done.html", context)
