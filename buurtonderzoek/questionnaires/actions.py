"""Every write to questionnaires: create, edit and publish versions.

A version starts as a draft (schema checked by engine.parse on every write), is published once
and is then frozen. Each action is atomic and records an audit event.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtonderzoek.core.audit import record
from buurtonderzoek.core.models import AuditAction
from buurtonderzoek.questionnaires import engine
from buurtonderzoek.questionnaires.access import may_add_version
from buurtonderzoek.questionnaires.models import (
    PublishedVersionError,
    Purpose,
    Questionnaire,
    QuestionnaireVersion,
    VersionStatus,
)


@transaction.atomic
def create_questionnaire(
    *, by: Any, slug: str, title: str, purpose: Purpose | str, description: str = ""
) -> Questionnaire:
    questionnaire = Questionnaire.objects.create(slug=slug, title=title, purpose=purpose, description=description)
    record(by, AuditAction.CREATE, questionnaire, summary=f"Vragenlijst {slug} aangemaakt")
    return questionnaire


@transaction.atomic
def create_draft_version(
    questionnaire: Questionnaire,
    *,
    by: Any,
    schema: dict[str, Any],
    notes: str = "",
    source: str = "",
) -> QuestionnaireVersion:
    """A new draft with the next version number; raises engine.SchemaError when the schema is invalid."""
    engine.parse(schema)
    # Lock the questionnaire row so two drafts created at once cannot get the same number.
    Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    last = questionnaire.versions.aggregate(n=Max("number"))["n"] or 0
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=last + 1,
        schema=schema,
        notes=notes,
        source=source,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    record(by, AuditAction.CREATE, version, summary=f"Conceptversie {version.number} van {questionnaire.slug}")
    return version


@transaction.atomic
def update_draft_version(
    version: QuestionnaireVersion, *, by: Any, schema: dict[str, Any], notes: str | None = None
) -> QuestionnaireVersion:
    """Replace the schema of a draft; a published version raises PublishedVersionError."""
    locked = QuestionnaireVersion.objects.select_for_update().get(pk=version.pk)
    if locked.is_published:
        raise PublishedVersionError()
    engine.parse(schema)
    locked.schema = schema
    if notes is not None:
        locked.notes = notes
    locked.save()
    record(
        by,
        AuditAction.UPDATE,
        locked,
        summary=f"Conceptversie {locked.number} van {locked.questionnaire.slug} gewijzigd",
    )
    return locked


@transaction.atomic
def publish_version(version: QuestionnaireVersion, *, by: Any) -> QuestionnaireVersion:
    """Freeze a draft. From now on answers can refer to it and it can never change."""
    locked = QuestionnaireVersion.objects.select_for_update().get(pk=version.pk)
    if locked.is_published:
        raise PublishedVersionError(_("Deze versie is al gepubliceerd."))
    engine.parse(locked.schema)
    locked.status = VersionStatus.PUBLISHED
    locked.published_at = timezone.now()
    locked.save()
    record(
        by, AuditAction.UPDATE, locked, summary=f"Versie {locked.number} van {locked.questionnaire.slug} gepubliceerd"
    )
    return locked


@transaction.atomic
def delete_draft_version(version: QuestionnaireVersion, *, by: Any) -> None:
    locked = QuestionnaireVersion.objects.select_for_update().get(pk=version.pk)
    if locked.is_published:
        raise PublishedVersionError()
    record(
        by,
        AuditAction.DELETE,
        locked,
        summary=f"Conceptversie {locked.number} van {locked.questionnaire.slug} verwijderd",
    )
    locked.delete()


WARNINGS_HEADER = "Niet overgenomen uit het XLSForm:"


@transaction.atomic
def import_xlsform_version(
    source: bytes, *, by: Any, filename: str, purpose: Purpose | str = Purpose.CANVASS
) -> QuestionnaireVersion:
    """Read an XLSForm into a new draft version (a new questionnaire when its form_id is new).

    Raises XLSFormError (refusals, Dutch) and nothing is stored. What the import left out is kept
    in the draft's notes, one line each, for the user to read before publishing.
    """
    from buurtonderzoek.questionnaires.xlsform import XLSFormError, import_xlsform

    result = import_xlsform(source, filename=filename)
    slug = result.form_id.strip()
    if not re.fullmatch(r"[-a-zA-Z0-9_]{1,60}", slug):
        raise XLSFormError(
            [
                _("form_id '%(id)s' is geen geldige code: gebruik alleen letters, cijfers, - en _ (hooguit 60).")
                % {"id": slug}
            ]
        )
    questionnaire = Questionnaire.objects.filter(slug=slug).first()
    if questionnaire is not None and not may_add_version(by, questionnaire):
        raise XLSFormError(
            [
                _(
                    "Vragenlijst '%(slug)s' bestaat al en is niet door u ingelezen; alleen een beheerder kan er een "
                    "nieuwe versie van maken. Geef het formulier een andere form_id."
                )
                % {"slug": slug}
            ]
        )
    if questionnaire is None:
        questionnaire = create_questionnaire(by=by, slug=slug, title=result.title[:200] or slug, purpose=purpose)
    notes = _("Ingelezen uit %(file)s.") % {"file": filename}
    if result.warnings:
        notes += "\n" + WARNINGS_HEADER + "\n" + "\n".join(f"- {w}" for w in result.warnings)
    return create_draft_version(
        questionnaire,
        by=by,
        schema=result.schema,
        source=(f"XLSForm {filename}" + (f" ({result.version})" if result.version else ""))[:200],
        notes=notes,
    )
