"""Who may bring in and publish questionnaires.

Questionnaires are shared by every team, so changing one is weighty: a platform admin may add a
version to any questionnaire; a coordinator only to a questionnaire whose every version they
created themselves (one they brought in), never to the standard ones. A draft is seen by the
person who made it and by admins; anyone else gets 404.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from buurtonderzoek.accounts.access import roles_of
from buurtonderzoek.questionnaires.models import Questionnaire, QuestionnaireVersion

IMPORT_ROLES = ("admin", "coordinator")


def may_add_version(user: Any, questionnaire: Questionnaire) -> bool:
    if user.is_superuser:
        return True
    return "coordinator" in roles_of(user) and not questionnaire.versions.exclude(created_by=user).exists()


def get_draft_for_user(user: Any, pk: int) -> QuestionnaireVersion:
    """A version the user brought in (or any, for an admin); 404 otherwise."""
    versions = QuestionnaireVersion.objects.select_related("questionnaire", "created_by")
    if not user.is_superuser:
        versions = versions.filter(created_by=user)
    try:
        return versions.get(pk=pk)
    except QuestionnaireVersion.DoesNotExist:
        raise Http404 from None
