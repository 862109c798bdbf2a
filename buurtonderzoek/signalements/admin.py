"""Read-only views for the beheerder. Subscriptions show no e-mail addresses in the list."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from buurtonderzoek.signalements.models import Alert, AlertEvent, Subscription


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["title", "status", "gemeente", "buurt", "published_at", "expires_at"]
    list_filter = ["status"]
    search_fields = ["title"]


@admin.register(AlertEvent)
class AlertEventAdmin(ReadOnlyAdmin):
    list_display = ["alert", "from_status", "to_status", "by_label", "at"]


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "buurt", "gemeente", "created_at", "confirmed_at"]
    exclude = ["email", "nonce"]
