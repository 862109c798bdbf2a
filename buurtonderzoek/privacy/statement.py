"""The public privacy statement: which text revision is current and what it says about this instance.

Flow: `current_statement()` reads the settings the text mentions, and returns the published version
with exactly those values, publishing a new one (an audited action) when the text revision or any of
the values changed. Older versions stay readable at their own URL (`statement_url`), so a resident
or a volunteer can always see the text that was shown at a given door.

To change the words: copy templates/privacy/statement/r<N>.html to r<N+1>.html, edit the copy and
raise TEXT_REVISION; never edit a revision that has shipped.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from buurtonderzoek.privacy.models import PrivacyStatement

TEXT_REVISION = 1
_VERSION = re.compile(r"^(\d{4})-(\d+)$")


def configured_values() -> dict[str, Any]:
    """The settings the statement quotes, as they are now."""
    return {
        "controller_name": settings.PRIVACY_CONTROLLER_NAME,
        "controller_email": settings.PRIVACY_CONTROLLER_EMAIL,
        "retention_contact_days": settings.RETENTION_CONTACT_DAYS,
        "retention_free_text_days": settings.RETENTION_FREE_TEXT_DAYS,
        "subscription_confirm_days": settings.SUBSCRIPTION_CONFIRM_DAYS,
        "alert_days": settings.ALERT_DAYS,
    }


def fingerprint(revision: int, values: dict[str, Any]) -> str:
    text = json.dumps({"revision": revision, "values": values}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def current_statement() -> PrivacyStatement:
    values = configured_values()
    found: PrivacyStatement | None = PrivacyStatement.objects.filter(
        fingerprint=fingerprint(TEXT_REVISION, values)
    ).first()
    if found is not None:
        return found
    from buurtonderzoek.privacy.actions import publish_privacy_statement

    return publish_privacy_statement(revision=TEXT_REVISION, values=values)


def current_version() -> str:
    return current_statement().version


def statement_by_version(version: str) -> PrivacyStatement | None:
    match = _VERSION.match(version)
    if match is None:
        return None
    found: PrivacyStatement | None = PrivacyStatement.objects.filter(pk=int(match.group(2))).first()
    if found is None or found.version != version:
        return None
    return found


def statement_url(version: str) -> str:
    return reverse("privacy_statement_version", args=[version])


# A phone that was offline keeps showing the version it last fetched. Visits made with a version up to
# this long after a newer one was published are accepted and keep the version that was shown.
SHOWN_VERSION_GRACE = timedelta(days=30)


def shown_version_problem(version: str, *, shown_at: datetime | None = None) -> str | None:
    """None when `version` may be stored as the statement shown at `shown_at` (default: now): the current
    version, or an older one superseded less than SHOWN_VERSION_GRACE before. Otherwise what to do, in Dutch."""
    statement = statement_by_version(version.strip())
    if statement is None:
        return _(
            "Versie %(version)s van de privacyverklaring bestaat niet. Open de app met internet, zodat hij de "
            "huidige versie ophaalt, en sla het opnieuw op."
        ) % {"version": version.strip()[:40] or "?"}
    current = current_statement()
    if statement.pk == current.pk:
        return None  # also when the settings went back to an earlier text
    newer = PrivacyStatement.objects.filter(published_at__gt=statement.published_at).order_by("published_at").first()
    if newer is None:
        return None
    moment = shown_at or timezone.now()
    if moment - newer.published_at <= SHOWN_VERSION_GRACE:
        return None
    return _(
        "Versie %(old)s van de privacyverklaring geldt sinds %(date)s niet meer (nu: %(new)s). Open de app met "
        "internet, zodat hij de huidige versie ophaalt, en laat die zien."
    ) % {
        "old": statement.version,
        "date": date_format(timezone.localtime(newer.published_at), "j F Y"),
        "new": current.version,
    }
