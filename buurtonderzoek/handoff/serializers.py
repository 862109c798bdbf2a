from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from buurtonderzoek.handoff.models import HelpfulPart, PoliceReport, ReportOutcome, ReportStatus


class ReportSummarySerializer(serializers.ModelSerializer[PoliceReport]):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    incident_type = serializers.CharField(source="incident.incident_type", read_only=True)
    location = serializers.CharField(source="incident.location_label", read_only=True)
    team = serializers.CharField(source="incident.team.name", read_only=True)
    gemeente = serializers.CharField(source="incident.team.gemeente.name", read_only=True)
    police_unit = serializers.CharField(source="unit.name", read_only=True)
    hours_saved = serializers.SerializerMethodField()
    new_supplements = serializers.IntegerField(
        read_only=True, default=0, help_text="Aanvullingen (nagekomen bezoeken) die de politie nog niet ontving."
    )
    links = serializers.SerializerMethodField()

    class Meta:
        model = PoliceReport
        fields = [
            "id",
            "number",
            "status",
            "status_label",
            "submitted_at",
            "incident_type",
            "location",
            "team",
            "gemeente",
            "police_unit",
            "quality_score",
            "doors_visited",
            "hours_saved",
            "signalement_count",
            "camera_lead_count",
            "outcome",
            "usefulness",
            "helpful_parts",
            "new_supplements",
            "links",
        ]

    def get_hours_saved(self, obj: PoliceReport) -> float:
        return float(obj.hours_saved)

    def get_links(self, obj: PoliceReport) -> dict[str, str]:
        return {
            "self": reverse("api-report-detail", args=[obj.pk]),
            "pdf": reverse("api-report-pdf", args=[obj.pk]),
            "html": reverse("report_detail", args=[obj.pk]),
        }


class TransitionSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=ReportStatus.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class FeedbackSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=2000)


class OutcomeSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=ReportOutcome.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    usefulness = serializers.IntegerField(
        min_value=1,
        max_value=5,
        required=False,
        allow_null=True,
        default=None,
        help_text="Hoe bruikbaar was het verslag: 1 (niet) tot 5 (zeer).",
    )
    helpful_parts = serializers.ListField(
        child=serializers.ChoiceField(choices=HelpfulPart.choices),
        required=False,
        default=list,
        help_text="Welke onderdelen hielpen.",
    )
