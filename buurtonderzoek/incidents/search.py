"""Address search within one gemeente: by postcode + huisnummer, or by street + huisnummer.

Typed the way people type: "1234 AB 5", "1234ab5a", "Kerkstraat 12", "kerkstr". Uses the
postcode and street indexes of `places.Address`; never scans the whole country.
"""

from __future__ import annotations

import re

from django.db.models import QuerySet

from buurtonderzoek.places.models import Address

POSTCODE_RE = re.compile(r"^\s*(\d{4})\s*([a-zA-Z]{2})\s*(?:(\d+)\s*([a-zA-Z])?)?\s*(?:[-\s]\s*(\w{1,4}))?\s*$")
STREET_RE = re.compile(r"^\s*(.*?[^\d\s])\s+(\d+)\s*([a-zA-Z])?\s*(?:[-\s]\s*(\w{1,4}))?\s*$")
MAX_RESULTS = 10


def search_addresses(gemeente_code: str, query: str, *, limit: int = MAX_RESULTS) -> list[Address]:
    query = query.strip()
    if len(query) < 3:
        return []
    base: QuerySet[Address] = Address.objects.filter(gemeente_code=gemeente_code)
    match = POSTCODE_RE.match(query)
    if match:
        pc4, letters, number, letter, _suffix = match.groups()
        qs = base.filter(postcode=f"{pc4}{letters.upper()}")
        if number:
            qs = qs.filter(huisnummer=int(number))
        if letter:
            qs = qs.filter(huisletter__iexact=letter)
    else:
        match = STREET_RE.match(query)
        if match:
            street, number, letter, _suffix = match.groups()
            qs = base.filter(street__istartswith=street.strip(), huisnummer=int(number))
            if letter:
                qs = qs.filter(huisletter__iexact=letter)
        else:
            qs = base.filter(street__istartswith=query)
    return list(qs.order_by("street", "huisnummer", "huisletter", "toevoeging")[:limit])
