from __future__ import annotations

from typing import Any

from rest_framework import serializers

from buurtonderzoek.impact.models import (
    Action,
    ActionStatus,
    ActionType,
    Commitment,
    Comparison,
    Direction,
    EffectKind,
    ExpectedEffect,
    Partner,
    TriangleCheck,
)


class ExpectedEffectSerializer(serializers.ModelSerializer[ExpectedEffect]):
    kind = serializers.ChoiceField(choices=EffectKind.choices)
    direction = serializers.ChoiceField(choices=Direction.choices)
    size = serializers.FloatField(min_value=0.0001)

    class Meta:
        model = ExpectedEffect
        fields = ["kind", "key", "direction", "size"]


class CommitmentSerializer(serializers.ModelSerializer[Commitment]):
    class Meta:
        model = Commitment
        fields = ["id", "partner", "what", "due_on", "done_at"]
        read_only_fields = ["id", "done_at"]


class CheckSerializer(serializers.ModelSerializer[TriangleCheck]):
    value_score = serializers.IntegerField(min_value=1, max_value=5)
    quality_score = serializers.IntegerField(min_value=1, max_value=5)
    binding_score = serializers.IntegerField(min_value=1, max_value=5)

    class Meta:
        model = TriangleCheck
        fields = [
            "partner",
            "worth",
            "shows_how",
            "value_score",
            "quality_score",
            "binding_score",
            "agrees",
            "comment",
            "at",
        ]
        read_only_fields = ["partner", "at"]


class ActionSerializer(serializers.ModelSerializer[Action]):
    buurten: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    expected_effects = ExpectedEffectSerializer(many=True, read_only=True)
    commitments = CommitmentSerializer(many=True, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Action
        fields = [
            "id",
            "table",
            "title",
            "action_type",
            "buurten",
            "problem",
            "problem_indicator",
            "evidence",
            "plan",
            "starts_on",
            "ends_on",
            "comparison",
            "status",
            "status_label",
            "stop_reason",
            "proposed_partner",
            "agreed_at",
            "created_at",
            "expected_effects",
            "commitments",
        ]
        read_only_fields = fields


class ProposeSerializer(serializers.Serializer[Any]):
    table = serializers.IntegerField()
    title = serializers.CharField(max_length=160)
    action_type = serializers.ChoiceField(choices=ActionType.choices, default=ActionType.OTHER)
    buurten = serializers.ListField(
        child=serializers.CharField(max_length=10), min_length=1, help_text="CBS-buurtcodes"
    )
    problem = serializers.CharField(max_length=2000)
    problem_indicator = serializers.CharField(max_length=60, required=False, default="", allow_blank=True)
    evidence = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)
    plan = serializers.CharField(max_length=4000)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    comparison = serializers.ChoiceField(choices=Comparison.choices, default=Comparison.GEMEENTE)
    expected_effects = ExpectedEffectSerializer(many=True, required=False, default=list)
    commitments = CommitmentSerializer(many=True, required=False, default=list)


class UpdateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=160, required=False)
    problem = serializers.CharField(max_length=2000, required=False)
    plan = serializers.CharField(max_length=4000, required=False)
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False)
    comparison = serializers.ChoiceField(choices=Comparison.choices, required=False)
    expected_effects = ExpectedEffectSerializer(many=True, required=False)


class ActionTransitionSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


PARTNERS = Partner.values
