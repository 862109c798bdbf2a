"""Shapes of the gemeente API (dashboards/api.py): counts per area and team health, no personal data."""

from __future__ import annotations

from rest_framework import serializers


class AreaFiguresSerializer(serializers.Serializer[object]):
    code = serializers.CharField(help_text="CBS-code van de buurt (BU...), de wijk (WK...) of de gemeente (GM...).")
    name = serializers.CharField()
    level = serializers.CharField(help_text="buurt, wijk of gemeente.")
    wijk_code = serializers.CharField(allow_null=True, help_text="Bij een buurt: de wijk waarin die ligt.")
    addresses = serializers.IntegerField()
    incidents = serializers.IntegerField()
    incidents_per_1000_addresses = serializers.DecimalField(max_digits=9, decimal_places=1, allow_null=True)
    canvasses = serializers.IntegerField()
    doors_visited = serializers.IntegerField()
    reports_used = serializers.IntegerField(help_text="Verslagen die de politie gebruikte (status of uitkomst).")
    hours_saved = serializers.DecimalField(
        max_digits=9, decimal_places=1, help_text="Bezochte deuren x MINUTES_PER_DOOR, in uren (geschat)."
    )


class GripSerializer(serializers.Serializer[object]):
    gemeente = serializers.CharField(help_text="CBS-code van de gemeente.")
    first_month = serializers.CharField(help_text="Eerste maand (JJJJ-MM).")
    last_month = serializers.CharField(help_text="Laatste maand, inclusief (JJJJ-MM).")
    refreshed_at = serializers.DateTimeField(allow_null=True, help_text="Wanneer de maandcijfers zijn bijgewerkt.")
    areas = AreaFiguresSerializer(many=True)
    total = AreaFiguresSerializer()


class SignalSerializer(serializers.Serializer[object]):
    code = serializers.CharField()
    level = serializers.ChoiceField(choices=["in_orde", "let_op", "risico"])
    reason = serializers.CharField(help_text="Wat we zien, in gewone taal.")
    action = serializers.CharField(help_text="Wat u kunt doen.")


class TeamHealthSerializer(serializers.Serializer[object]):
    team_id = serializers.IntegerField()
    team = serializers.CharField()
    level = serializers.ChoiceField(choices=["in_orde", "let_op", "risico"], help_text="Het ernstigste signaal.")
    members = serializers.IntegerField()
    active_30 = serializers.IntegerField(help_text="Leden die de laatste 30 dagen aanbelden.")
    active_90 = serializers.IntegerField(help_text="Leden die de laatste 90 dagen aanbelden.")
    doors_90 = serializers.IntegerField()
    bus_factor = serializers.IntegerField(allow_null=True, help_text="Hoe weinig leden meer dan de helft deden.")
    median_hours_to_first_door = serializers.FloatField(allow_null=True)
    counted_at = serializers.DateTimeField(help_text="Wanneer deze cijfers geteld zijn (elk uur op de achtergrond).")
    signals = SignalSerializer(many=True)
