"""Permission-checked reads for the Communitymonitor.

Municipal officers of a gemeente (and platform admins) run its waves and see the full results.
Everyone else who can see the gemeente (its police unit, its teams) gets 403 on those pages; people
with no tie to the gemeente get 404. The buurt summary is public: it only ever shows suppressed,
finished-wave figures.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from buurtonderzoek.accounts.access import visible_gemeenten
from buurtonderzoek.accounts.models import Membership, Role
from buurtonderzoek.monitor.models import Wave
from buurtonderzoek.places.models import Gemeente


def is_officer(user: Any, gemeente: Gemeente) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, gemeente=gemeente, role=Role.MUNICIPAL).exists()


def get_gemeente_for_officer(user: Any, code: str) -> Gemeente:
    """The gemeente for its monitor pages: 404 when the user has no tie to it, 403 unless officer."""
    gemeente = visible_gemeenten(user).filter(code=code).first()
    if gemeente is None:
        raise Http404("Gemeente niet gevonden.")
    if not is_officer(user, gemeente):
        raise PermissionDenied(_("Alleen medewerkers van de gemeente zien de monitor van de gemeente."))
    return gemeente


def get_wave_for_officer(user: Any, pk: int) -> Wave:
    """A wave of a gemeente the user can see (else 404); 403 unless the user is its officer."""
    wave = (
        Wave.objects.filter(pk=pk, gemeente__in=visible_gemeenten(user)).select_related("gemeente", "version").first()
    )
    if wave is None:
        raise Http404("Meetronde niet gevonden.")
    if not is_officer(user, wave.gemeente):
        raise PermissionDenied(_("Alleen medewerkers van de gemeente beheren meetrondes."))
    return wave
