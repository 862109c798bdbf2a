"""Read-only views for the beheerder: reports carry personal data and their history is append-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from buurtonderzoek.handoff.models import Notification, PoliceReport, ReportFeedback, ReportTransition, Thanks


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PoliceReport)
class PoliceReportAdmin(ReadOnlyAdmin):
    list_display = ["number", "status", "unit", "submitted_at", "quality_score", "doors_visited", "pdf_status"]
    list_filter = ["status", "pdf_status"]
    search_fields = ["number"]
    # The document, the sources and the PDFs are for the report pages, which log reads of personal data
    # (and serve the PDFs: the files' own media URLs lead nowhere, media is not public).
    exclude = ["document", "witness_sources", "pdf_police", "pdf_team"]


@admin.register(ReportTransition)
class ReportTransitionAdmin(ReadOnlyAdmin):
    list_display = ["report", "from_status", "to_status", "by_label", "at"]


@admin.register(ReportFeedback)
class ReportFeedbackAdmin(ReadOnlyAdmin):
    list_display = ["report", "author_label", "created_at"]


@admin.register(Thanks)
class ThanksAdmin(ReadOnlyAdmin):
    list_display = ["report", "from_label", "to_user", "created_at"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "title", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
