from django.contrib import admin

from buurtonderzoek.incidents.models import Incident, IncidentTransition


class IncidentTransitionInline(admin.TabularInline[IncidentTransition, Incident]):
    model = IncidentTransition
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "by", "by_label", "at", "note")

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin[Incident]):
    list_display = ("__str__", "team", "incident_type", "status", "occurred_from")
    list_filter = ("status", "incident_type")
    search_fields = ("location_label", "police_registration_number")
    # Read-only: registration and status changes go through actions.py (history + audit log).
    readonly_fields = ("status", "public_token", "created_by", "created_at", "updated_at")
    raw_id_fields = ("address",)
    inlines = [IncidentTransitionInline]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
