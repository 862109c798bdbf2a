"""Admin: questionnaires and their versions; published versions are read-only."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from buurtonderzoek.questionnaires import actions, engine
from buurtonderzoek.questionnaires.models import PublishedVersionError, Questionnaire, QuestionnaireVersion


class VersionInline(admin.TabularInline[QuestionnaireVersion, Questionnaire]):
    model = QuestionnaireVersion
    fields = ("number", "status", "published_at", "source")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin[Questionnaire]):
    list_display = ("slug", "title", "purpose")
    list_filter = ("purpose",)
    search_fields = ("slug", "title")
    inlines = [VersionInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Questionnaire | None = None) -> tuple[str, ...]:
        # The slug is how code and stored answers find a questionnaire: fixed once created.
        return ("slug",) if obj is not None else ()


class VersionForm(forms.ModelForm[QuestionnaireVersion]):
    class Meta:
        model = QuestionnaireVersion
        fields = ("questionnaire", "schema", "notes", "source")

    def clean_schema(self) -> Any:
        schema = self.cleaned_data["schema"]
        try:
            engine.parse(schema)
        except engine.SchemaError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return schema


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(admin.ModelAdmin[QuestionnaireVersion]):
    form = VersionForm
    list_display = ("questionnaire", "number", "status", "published_at", "created_at")
    list_filter = ("status", "questionnaire")
    actions = ["publish"]

    def get_readonly_fields(self, request: HttpRequest, obj: QuestionnaireVersion | None = None) -> tuple[str, ...]:
        if obj is not None and obj.is_published:
            return ("questionnaire", "number", "status", "published_at", "pretty_schema", "notes", "source")
        if obj is not None:
            return ("questionnaire", "number", "status")
        return ()

    def get_fields(self, request: HttpRequest, obj: QuestionnaireVersion | None = None) -> list[str]:  # type: ignore[override]
        if obj is not None and obj.is_published:
            return ["questionnaire", "number", "status", "published_at", "notes", "source", "pretty_schema"]
        if obj is not None:
            return ["questionnaire", "number", "status", "schema", "notes", "source"]
        return ["questionnaire", "schema", "notes", "source"]

    @admin.display(description=_("schema"))
    def pretty_schema(self, obj: QuestionnaireVersion) -> str:
        return json.dumps(obj.schema, indent=2, ensure_ascii=False)

    def has_change_permission(self, request: HttpRequest, obj: QuestionnaireVersion | None = None) -> bool:
        # Viewing stays possible through has_view_permission; editing only for drafts.
        if obj is not None and obj.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: QuestionnaireVersion | None = None) -> bool:
        if obj is not None and obj.is_published:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: QuestionnaireVersion, form: Any, change: bool) -> None:
        if change:
            updated = actions.update_draft_version(obj, by=request.user, schema=obj.schema, notes=obj.notes)
            obj.pk = updated.pk
        else:
            created = actions.create_draft_version(
                obj.questionnaire, by=request.user, schema=obj.schema, notes=obj.notes, source=obj.source
            )
            obj.pk = created.pk
            obj.number = created.number

    def delete_model(self, request: HttpRequest, obj: QuestionnaireVersion) -> None:
        actions.delete_draft_version(obj, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[QuestionnaireVersion]) -> None:
        for version in queryset:
            actions.delete_draft_version(version, by=request.user)

    @admin.action(description=_("Geselecteerde concepten publiceren"))
    def publish(self, request: HttpRequest, queryset: QuerySet[QuestionnaireVersion]) -> None:
        for version in queryset:
            try:
                actions.publish_version(version, by=request.user)
            except (PublishedVersionError, engine.SchemaError) as exc:
                self.message_user(request, f"{version}: {exc}", messages.ERROR)
            else:
                self.message_user(request, _("%(version)s is gepubliceerd.") % {"version": version}, messages.SUCCESS)
