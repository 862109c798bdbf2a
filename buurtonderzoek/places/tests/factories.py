"""Address factory for places tests and for other apps that need a few addresses."""

from __future__ import annotations

import factory

from buurtonderzoek.places.geo import grid_strip, rd_to_wgs84
from buurtonderzoek.places.models import Address


class AddressFactory(factory.django.DjangoModelFactory[Address]):
    """Pass x and y (RD metres); lat/lon and grid_x follow from them."""

    class Meta:
        model = Address

    nummeraanduiding_id = factory.Sequence(lambda n: f"0999200{n:09d}")
    object_id = factory.Sequence(lambda n: f"0999010{n:09d}")
    street = "Proefstraat"
    huisnummer = factory.Sequence(lambda n: n + 1)
    postcode = "9999AA"
    woonplaats = "Proefdorp"
    gemeente_code = "GM9999"
    x = 155_000
    y = 463_000
    lat = factory.LazyAttribute(lambda o: rd_to_wgs84(o.x, o.y)[0])
    lon = factory.LazyAttribute(lambda o: rd_to_wgs84(o.x, o.y)[1])
    grid_x = factory.LazyAttribute(lambda o: grid_strip(o.x))
