"""What the front page finds for a resident: the buurt(en) of a postcode (PC4, PC6, or PC6 and house
number), each with its alerts, the monitor summary and the alert subscription. Public data only: a
buurt's name and code and the number of published alerts, never an address or a person.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from buurtonderzoek.places.models import Address, Buurt
from buurtonderzoek.signalements.models import Alert, AlertStatus


@dataclass(frozen=True)
class BuurtLink:
    buurt: Buurt
    alerts: int


def buurten_for(postcode: str, huisnummer: int | None = None) -> list[BuurtLink]:
    addresses = Address.objects.all()
    if len(postcode) == 6:
        addresses = addresses.filter(postcode=postcode)
        if huisnummer:
            addresses = addresses.filter(huisnummer=huisnummer)
    else:
        # A range on the (postcode, huisnummer) index instead of LIKE: both databases use the index.
        addresses = addresses.filter(postcode__gte=f"{postcode}AA", postcode__lte=f"{postcode}ZZ")
    codes = addresses.exclude(buurt_code="").values("buurt_code").distinct()
    buurten = list(Buurt.objects.filter(code__in=codes).select_related("gemeente").order_by("name"))
    live = dict(
        Alert.objects.filter(buurt__in=buurten, status=AlertStatus.PUBLISHED)
        .values_list("buurt")
        .annotate(n=Count("id"))
        .values_list("buurt", "n")
    )
    return [BuurtLink(b, live.get(b.pk, 0)) for b in buurten]
