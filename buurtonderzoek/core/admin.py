"""Admin pieces: the audit log (readable, never editable) and a base class that audits admin writes.

The audit log gives no add, change or delete permission to anyone, superusers included; the model and
the database refuse changes as well, this only keeps the buttons away.

`AuditedModelAdmin` records every create, change and delete made in the admin, so the beheerder's
writes are in the log like everyone else's. Field names are recorded, not values: a changed password
hash or e-mail address does not belong in an append-only log.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.forms import BaseModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.core.audit import record
from buurtonderzoek.core.models import AuditAction, AuditEvent, MailFailure

M = TypeVar("M", bound=models.Model)


def _label(obj: models.Model) -> str:
    return f"{obj._meta.verbose_name} '{obj}'"


class AuditedModelAdmin(admin.ModelAdmin[M]):
    def save_model(self, request: HttpRequest, obj: M, form: BaseModelForm[M], change: bool) -> None:
        super().save_model(request, obj, form, change)
        record(
            request.user,
            AuditAction.UPDATE if change else AuditAction.CREATE,
            obj,
            summary=f"{_label(obj)} {'gewijzigd' if change else 'aangemaakt'} in het beheerscherm",
            data={"fields": sorted(form.changed_data)},
            request=request,
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # Deleted rows lose their pk on delete: note them first.
        doomed = [
            (f.instance._meta.label, str(f.instance.pk), _label(f.instance))
            for f in formset.deleted_forms
            if f.instance.pk is not None
        ]
        super().save_formset(request, form, formset, change)
        # Inline rows: ModelFormSet.save() leaves what it did in new_objects and changed_objects.
        for obj in formset.new_objects:
            summary = f"{_label(obj)} aangemaakt in het beheerscherm"
            record(request.user, AuditAction.CREATE, obj, summary=summary, request=request)
        for obj, fields in formset.changed_objects:
            summary = f"{_label(obj)} gewijzigd in het beheerscherm"
            record(
                request.user, AuditAction.UPDATE, obj, summary=summary, data={"fields": sorted(fields)}, request=request
            )
        for object_type, object_id, label in doomed:
            summary = f"{label} verwijderd in het beheerscherm"
            record(
                request.user,
                AuditAction.DELETE,
                object_type=object_type,
                object_id=object_id,
                summary=summary,
                request=request,
            )

    def delete_model(self, request: HttpRequest, obj: M) -> None:
        record(
            request.user,
            AuditAction.DELETE,
            obj,
            summary=f"{_label(obj)} verwijderd in het beheerscherm",
            request=request,
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[M]) -> None:
        for obj in queryset:
            record(
                request.user,
                AuditAction.DELETE,
                obj,
                summary=f"{_label(obj)} verwijderd in het beheerscherm",
                request=request,
            )
        super().delete_queryset(request, queryset)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ["at", "actor_label", "action", "object_type", "object_id", "summary", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_type", "object_id", "summary"]
    date_hierarchy = "at"
    readonly_fields = [
        "at",
        "actor",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "summary",
        "data",
        "ip_address",
    ]
    list_select_related = False
    show_full_result_count = False  # a COUNT(*) over a long log on every page is slow
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MailFailure)
class MailFailureAdmin(admin.ModelAdmin[MailFailure]):
    """Mail that failed after its retries: read-only, with an action to send it again."""

    list_display = ["at", "what", "attempts", "error", "resent_at"]
    list_filter = ["what"]
    readonly_fields = ["at", "what", "task", "arguments", "attempts", "error", "resent_at"]
    actions = ["send_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: MailFailure | None = None) -> bool:
        return False

    @admin.action(description=_("Opnieuw versturen"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[MailFailure]) -> None:
        from buurtonderzoek.core.mail import resend

        sent = sum(1 for failure in queryset if resend(failure))
        self.message_user(request, _("%(count)s e-mail(s) opnieuw in de wachtrij gezet.") % {"count": sent})
