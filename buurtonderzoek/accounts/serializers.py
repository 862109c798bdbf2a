from __future__ import annotations

from rest_framework import serializers

from buurtonderzoek.accounts.models import Membership, PoliceUnit, Team


class TeamSerializer(serializers.ModelSerializer[Team]):
    gemeente: serializers.SlugRelatedField[Team] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    buurten = serializers.SlugRelatedField[Team](slug_field="code", many=True, read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "gemeente", "buurten"]


class PoliceUnitSerializer(serializers.ModelSerializer[PoliceUnit]):
    gemeenten = serializers.SlugRelatedField[PoliceUnit](slug_field="code", many=True, read_only=True)

    class Meta:
        model = PoliceUnit
        fields = ["id", "name", "gemeenten"]


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    organisation = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["role", "organisation"]

    def get_organisation(self, membership: Membership) -> str:
        return str(membership.organisation)


class TeamMemberSerializer(serializers.ModelSerializer[Membership]):
    user_id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="user.full_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    since = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user_id", "name", "email", "role", "since"]
