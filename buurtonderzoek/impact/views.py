"""Pages of the driehoeksoverleg: tables, actions, the golden-triangle check, the measured effect,
the buurtbeeld and the library. Public: the summary of an evaluated action (no personal data)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from buurtonderzoek.accounts.models import Membership, Role
from buurtonderzoek.core.audit import record_personal_read
from buurtonderzoek.core.decorators import role_required
from buurtonderzoek.impact import actions, buurtbeeld, effect
from buurtonderzoek.impact.access import get_action_for_user, get_table_for_user, is_member
from buurtonderzoek.impact.forms import (
    ActionForm,
    CheckForm,
    CommitmentForm,
    LibrarySearchForm,
    MemberForm,
    TableForm,
    TransitionForm,
    UpdateForm,
)
from buurtonderzoek.impact.models import (
    PROCESS_METRICS,
    Action,
    ActionStatus,
    PartnerTable,
    gemeenten_of,
    membership_partner,
)
from buurtonderzoek.impact.triangle import triangle_for
from buurtonderzoek.places.models import Gemeente

PARTNER_ROLES = (Role.COORDINATOR, Role.POLICE, Role.MUNICIPAL)


def _pdf_download(file: FieldFile, name: str) -> HttpResponse:
    with file.open("rb") as handle:
        response = HttpResponse(handle.read(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@role_required(*PARTNER_ROLES)
def index(request: HttpRequest) -> HttpResponse:
    tables = list(
        PartnerTable.objects.visible_to(request.user)
        .select_related("gemeente", "wijk")
        .annotate(n_actions=Count("actions"))
    )
    recent = list(Action.objects.visible_to(request.user).select_related("table").order_by("-created_at")[:20])
    convenable = (
        Gemeente.objects.all()
        if request.user.is_superuser
        else Gemeente.objects.filter(
            memberships__in=Membership.objects.filter(user=request.user.pk, role=Role.MUNICIPAL)
        )
    ).order_by("name")
    return render(request, "impact/index.html", {"tables": tables, "recent": recent, "convenable": list(convenable)})


@role_required(Role.MUNICIPAL)
def table_create(request: HttpRequest, code: str) -> HttpResponse:
    gemeente = get_object_or_404(
        gemeenten_of(request.user) if not request.user.is_superuser else Gemeente.objects, code=code
    )
    if membership_partner(request.user, gemeente) != "gemeente" and not request.user.is_superuser:
        raise PermissionDenied(_("Alleen de gemeente kan een driehoeksoverleg starten."))
    form = TableForm(request.POST or None, gemeente=gemeente)
    if request.method == "POST" and form.is_valid():
        try:
            table = actions.create_table(
                gemeente,
                by=request.user,
                name=form.cleaned_data["name"],
                wijk=form.cleaned_data["wijk"],
                share_library=form.cleaned_data["share_library"],
            )
        except ValidationError as exc:
            form.add_error("name", exc)
        else:
            messages.success(request, _("Het driehoeksoverleg is gestart. Voeg nu de politie en de teams toe."))
            return redirect("impact:table_detail", pk=table.pk)
    return render(request, "impact/table_form.html", {"form": form, "gemeente": gemeente})


@role_required(*PARTNER_ROLES)
def table_detail(request: HttpRequest, pk: int) -> HttpResponse:
    table = get_table_for_user(request.user, pk)
    member = is_member(request.user, table)
    form = MemberForm(request.POST or None)
    if request.method == "POST":
        if not member:
            raise PermissionDenied(_("Alleen deelnemers aan dit driehoeksoverleg kunnen dit doen."))
        if form.is_valid():
            try:
                actions.add_member(
                    table, by=request.user, user=form.cleaned_data["email"], role=form.cleaned_data["role"]
                )
            except ValidationError as exc:
                form.add_error("email", exc)
            else:
                messages.success(request, _("De deelnemer is toegevoegd."))
                return redirect("impact:table_detail", pk=table.pk)
    members = list(table.members.select_related("user"))
    # The member list shows names and e-mail addresses: a read of personal data (AVG accountability).
    record_personal_read(request.user, table, what="Deelnemers driehoeksoverleg ingezien", request=request)
    table_actions = list(table.actions.order_by("status", "-created_at"))
    return render(
        request,
        "impact/table_detail.html",
        {"table": table, "members": members, "actions": table_actions, "form": form, "is_member": member},
    )


@require_POST
@role_required(*PARTNER_ROLES)
def table_sharing(request: HttpRequest, pk: int) -> HttpResponse:
    table = get_table_for_user(request.user, pk, write=True)
    share = request.POST.get("share") == "1"
    actions.set_library_sharing(table, by=request.user, share=share)
    if share:
        messages.success(
            request, _("Geëvalueerde acties van dit overleg staan nu ook in de bibliotheek van andere gemeenten.")
        )
    else:
        messages.success(
            request, _("Geëvalueerde acties van dit overleg zijn alleen nog zichtbaar in uw eigen gemeente.")
        )
    return redirect("impact:table_detail", pk=table.pk)


@role_required(*PARTNER_ROLES)
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    table = get_table_for_user(request.user, pk, write=True)
    indicators = effect.indicator_choices()
    form = ActionForm(request.POST or None, table=table, indicators=indicators)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            action = actions.propose_action(
                table,
                by=request.user,
                title=data["title"],
                action_type=data["action_type"],
                buurten=list(data["buurten"]),
                problem=data["problem"],
                problem_indicator=data["problem_indicator"],
                evidence=data["evidence"],
                plan=data["plan"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                comparison=data["comparison"],
                effects=form.effects(),
                commitments=form.commitments(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("De actie is voorgesteld. Vraag de andere partners om hun toets."))
            return redirect("impact:action_detail", pk=action.pk)
    return render(request, "impact/action_form.html", {"form": form, "table": table})


def _action_context(request: HttpRequest, action: Action) -> dict[str, Any]:
    checks = list(action.checks.select_related("member__user").order_by("at", "id"))
    member = actions.member_of(action.table, request.user)
    result = effect.measure(action)
    labels = {**dict(effect.indicator_choices()), **{k: str(v) for k, v in PROCESS_METRICS.items()}}
    steps = [(s.value, s.label) for s in ActionStatus if s != ActionStatus.STOPPED or action.status == s]
    return {
        "steps": steps,
        "action": action,
        "table": action.table,
        "buurten": list(action.buurten.order_by("name")),
        "effects": [(e, labels.get(e.key, e.key)) for e in action.expected_effects.all()],
        "commitments": list(action.commitments.select_related("owner")),
        "checks": checks,
        "triangle": triangle_for(action, checks),
        "missing": actions.missing_partners(action, checks),
        "transitions": list(action.transitions.all()),
        "updates": list(action.updates.select_related("by")),
        "member": member,
        "may_write": member is not None or request.user.is_superuser,
        "check_form": CheckForm(partner=member.partner if member else ""),
        "update_form": UpdateForm(),
        "commitment_form": CommitmentForm(),
        "next_statuses": action.allowed_transitions(),
        "result": result,
    }


@role_required(*PARTNER_ROLES)
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_action_for_user(request.user, pk)
    return render(request, "impact/action_detail.html", _action_context(request, action))


@require_POST
@role_required(*PARTNER_ROLES)
def action_check(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_action_for_user(request.user, pk, write=True)
    member = actions.member_of(action.table, request.user)
    if member is None:
        raise PermissionDenied(_("Alleen deelnemers aan dit driehoeksoverleg kunnen de actie toetsen."))
    form = CheckForm(request.POST, partner=member.partner)
    if form.is_valid():
        try:
            actions.check_triangle(action, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Uw toets is bewaard."))
            return redirect("impact:action_detail", pk=action.pk)
    context = _action_context(request, action)
    context["check_form"] = form
    return render(request, "impact/action_detail.html", context, status=400)


def _refused(request: HttpRequest, action: Action, **forms: Any) -> HttpResponse:
    """The action page again with a refused form and its errors in place (what was typed kept), not a redirect
    with a message at the top that a screen reader does not tie to any field."""
    context = _action_context(request, action)
    context.update(forms)
    return render(request, "impact/action_detail.html", context, status=400)


@require_POST
@role_required(*PARTNER_ROLES)
def action_transition(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_action_for_user(request.user, pk, write=True)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            actions.transition_action(
                action, to=form.cleaned_data["to"], by=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            # Shown at the form of the status that was asked for (stopping: at its reason).
            return _refused(request, action, transition_to=form.cleaned_data["to"], transition_errors=exc.messages)
        messages.success(request, _("De status is nu: %(status)s.") % {"status": action.get_status_display()})
    return redirect("impact:action_detail", pk=action.pk)


@require_POST
@role_required(*PARTNER_ROLES)
def action_update(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_action_for_user(request.user, pk, write=True)
    form = UpdateForm(request.POST)
    if form.is_valid():
        try:
            actions.add_update(action, by=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("impact:action_detail", pk=action.pk)
    return _refused(request, action, update_form=form)


@require_POST
@role_required(*PARTNER_ROLES)
def commitment_add(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_action_for_user(request.user, pk, write=True)
    form = CommitmentForm(request.POST)
    if form.is_valid():
        try:
            actions.add_commitment(action, by=request.user, spec=form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("impact:action_detail", pk=action.pk)
    return _refused(request, action, commitment_form=form)


@require_POST
@role_required(*PARTNER_ROLES)
def commitment_done(request: HttpRequest, pk: int, commitment_pk: int) -> HttpResponse:
    action = get_action_for_user(request.user, pk, write=True)
    commitment = get_object_or_404(action.commitments, pk=commitment_pk)
    actions.complete_commitment(commitment, by=request.user)
    return redirect("impact:action_detail", pk=action.pk)


@role_required(*PARTNER_ROLES)
def action_report(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: make the evaluation report (a task); GET: its progress, or the PDF when ready."""
    action = get_action_for_user(request.user, pk)
    if request.method == "POST":
        from buurtonderzoek.impact.tasks import enqueue_action_report

        enqueue_action_report(action, by=request.user)
        return redirect("impact:action_report", pk=action.pk)
    if request.GET.get("download") and action.report_pdf:
        return _pdf_download(action.report_pdf, f"evaluatie-actie-{action.pk}.pdf")
    template = "impact/_report_progress.html" if request.htmx else "impact/report_status.html"  # type: ignore[attr-defined]
    return render(request, template, {"action": action})


@role_required(*PARTNER_ROLES)
def buurtbeeld_view(request: HttpRequest, pk: int) -> HttpResponse:
    table = get_table_for_user(request.user, pk)
    if request.method == "POST":
        job = actions.request_buurtbeeld(table, by=request.user)
        return redirect("jobs:detail", pk=job.pk)
    picture = buurtbeeld.build(table)
    return render(request, "impact/buurtbeeld.html", {"table": table, "picture": picture})


@role_required(*PARTNER_ROLES)
def library(request: HttpRequest) -> HttpResponse:
    """Evaluated actions: of the user's own gemeenten, and of gemeenten that share."""
    indicators = effect.indicator_choices()
    form = LibrarySearchForm(request.GET or None, indicators=indicators)
    rows = Action.objects.filter(status=ActionStatus.EVALUATED).filter(
        Q(table__share_library=True) | Q(table__in=PartnerTable.objects.visible_to(request.user).values("pk"))
    )
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            rows = rows.filter(Q(problem__icontains=q) | Q(title__icontains=q) | Q(plan__icontains=q))
        if form.cleaned_data["indicator"]:
            rows = rows.filter(
                Q(expected_effects__key=form.cleaned_data["indicator"])
                | Q(problem_indicator=form.cleaned_data["indicator"])
            ).distinct()
        if form.cleaned_data["action_type"]:
            rows = rows.filter(action_type=form.cleaned_data["action_type"])
    rows = rows.select_related("table__gemeente").order_by("-agreed_at", "-id")
    return render(request, "impact/library.html", {"form": form, "rows": list(rows[:100])})


def public_summary(request: HttpRequest, token: str) -> HttpResponse:
    """The evaluated action's figures for everyone: groups of at least 10 respondents, no names."""
    action = get_object_or_404(
        Action.objects.select_related("table__gemeente"), public_token=token, status=ActionStatus.EVALUATED
    )
    return render(request, "impact/public_summary.html", {"action": action, "evaluation": action.evaluation})
