"""The national address base (BAG) and the CBS wijk- en buurtindeling.

Addresses keep RD New x/y in integer metres beside WGS84 lat/lon. `grid_x`
(x in 100 m strips) leads the spatial index: a radius query seeks a few strips
and scans only a narrow y-range in each, which keeps it in the low milliseconds
over ten million rows on SQLite and PostgreSQL alike, without GIS libraries.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

GRID_STRIP_METRES = 100


class Gemeente(models.Model):
    code = models.CharField(_("CBS-code"), max_length=6, unique=True, help_text="GMxxxx")
    name = models.CharField(_("naam"), max_length=100)
    boundary = models.JSONField(_("grens (GeoJSON, WGS84)"), null=True, blank=True)

    class Meta:
        verbose_name = _("gemeente")
        verbose_name_plural = _("gemeenten")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Wijk(models.Model):
    code = models.CharField(_("CBS-code"), max_length=8, unique=True, help_text="WKxxxxxx")
    name = models.CharField(_("naam"), max_length=100)
    gemeente = models.ForeignKey(Gemeente, on_delete=models.CASCADE, related_name="wijken")
    boundary = models.JSONField(_("grens (GeoJSON, WGS84)"), null=True, blank=True)

    class Meta:
        verbose_name = _("wijk")
        verbose_name_plural = _("wijken")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Buurt(models.Model):
    code = models.CharField(_("CBS-code"), max_length=10, unique=True, help_text="BUxxxxxxxx")
    name = models.CharField(_("naam"), max_length=100)
    wijk = models.ForeignKey(Wijk, on_delete=models.CASCADE, related_name="buurten")
    gemeente = models.ForeignKey(Gemeente, on_delete=models.CASCADE, related_name="buurten")
    boundary = models.JSONField(_("grens (GeoJSON, WGS84)"), null=True, blank=True)

    class Meta:
        verbose_name = _("buurt")
        verbose_name_plural = _("buurten")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class BuurtPopulation(models.Model):
    """CBS "Kerncijfers wijken en buurten" of one buurt (import_cbs_kerncijfers): population by sex and
    by age group (CBS publishes the two margins, not their cross-table), households and dwellings.
    None where CBS publishes "." (unknown or kept secret). The monitor weights to these totals."""

    buurt = models.OneToOneField(Buurt, on_delete=models.CASCADE, related_name="population")
    year = models.PositiveSmallIntegerField(_("jaar"))
    inhabitants = models.PositiveIntegerField(_("inwoners"), null=True, blank=True)
    men = models.PositiveIntegerField(_("mannen"), null=True, blank=True)
    women = models.PositiveIntegerField(_("vrouwen"), null=True, blank=True)
    age_0_14 = models.PositiveIntegerField(_("0 tot 15 jaar"), null=True, blank=True)
    age_15_24 = models.PositiveIntegerField(_("15 tot 25 jaar"), null=True, blank=True)
    age_25_44 = models.PositiveIntegerField(_("25 tot 45 jaar"), null=True, blank=True)
    age_45_64 = models.PositiveIntegerField(_("45 tot 65 jaar"), null=True, blank=True)
    age_65_plus = models.PositiveIntegerField(_("65 jaar of ouder"), null=True, blank=True)
    households = models.PositiveIntegerField(_("huishoudens"), null=True, blank=True)
    dwellings = models.PositiveIntegerField(_("woningen"), null=True, blank=True)

    class Meta:
        verbose_name = _("kerncijfers buurt (CBS)")
        verbose_name_plural = _("kerncijfers buurten (CBS)")

    def __str__(self) -> str:
        return f"{self.buurt_id} ({self.year})"


class AddressQuerySet(models.QuerySet["Address"]):
    def in_rd_box(self, *, x_min: int, y_min: int, x_max: int, y_max: int) -> AddressQuerySet:
        """Addresses in an RD bounding box (edges included), through the (grid_x, y, x) index."""
        strips = list(range(x_min // GRID_STRIP_METRES, x_max // GRID_STRIP_METRES + 1))
        return self.filter(grid_x__in=strips, y__gte=y_min, y__lte=y_max, x__gte=x_min, x__lte=x_max)

    def within_radius(self, x: int, y: int, radius: int) -> AddressQuerySet:
        """Addresses at most `radius` whole metres from RD (x, y); exactly `radius` is inside."""
        dx = Cast(models.F("x") - x, models.BigIntegerField())
        dy = Cast(models.F("y") - y, models.BigIntegerField())
        return (
            self.in_rd_box(x_min=x - radius, y_min=y - radius, x_max=x + radius, y_max=y + radius)
            .alias(distance_sq=dx * dx + dy * dy)
            .filter(distance_sq__lte=radius * radius)
        )


class ObjectType(models.TextChoices):
    VERBLIJFSOBJECT = "V", _("verblijfsobject")
    LIGPLAATS = "L", _("ligplaats")
    STANDPLAATS = "S", _("standplaats")


class Address(models.Model):
    # BAG identifiers are 16-digit strings with meaningful leading zeros.
    nummeraanduiding_id = models.CharField(_("nummeraanduiding-id"), max_length=16)
    object_id = models.CharField(_("BAG-object-id"), max_length=16, blank=True)
    object_type = models.CharField(
        _("soort object"), max_length=1, choices=ObjectType.choices, default=ObjectType.VERBLIJFSOBJECT
    )
    street = models.CharField(_("straat"), max_length=80)
    huisnummer = models.PositiveIntegerField(_("huisnummer"))
    huisletter = models.CharField(_("huisletter"), max_length=1, blank=True)
    toevoeging = models.CharField(_("toevoeging"), max_length=4, blank=True)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    woonplaats = models.CharField(_("woonplaats"), max_length=80)
    # Codes, not foreign keys: BAG and CBS are imported separately and in any order.
    gemeente_code = models.CharField(_("gemeentecode"), max_length=6, blank=True)
    buurt_code = models.CharField(_("buurtcode"), max_length=10, blank=True)
    x = models.IntegerField(_("RD x (m)"))
    y = models.IntegerField(_("RD y (m)"))
    lat = models.FloatField(_("breedtegraad"))
    lon = models.FloatField(_("lengtegraad"))
    grid_x = models.IntegerField(_("RD x-strook"), help_text="x // 100, leads the spatial index")

    objects = AddressQuerySet.as_manager()

    class Meta:
        verbose_name = _("adres")
        verbose_name_plural = _("adressen")
        # Uniqueness and the buurt index as Meta entries rather than unique=True/db_index=True:
        # on PostgreSQL those would each bring a second "_like" index that no query uses and that
        # every import of ten million rows would have to build.
        constraints = [
            models.UniqueConstraint(fields=["nummeraanduiding_id"], name="address_nummeraanduiding_unique"),
        ]
        indexes = [
            # INCLUDE id lets PostgreSQL answer the radius query from the index alone (SQLite
            # indexes carry the rowid anyway and ignore INCLUDE).
            models.Index(fields=["grid_x", "y", "x"], include=["id"], name="address_spatial"),
            models.Index(fields=["postcode", "huisnummer"], name="address_postcode"),
            models.Index(fields=["street", "woonplaats"], name="address_street"),
            models.Index(fields=["buurt_code"], name="address_buurt"),
        ]

    def __str__(self) -> str:
        return f"{self.street} {self.house_number_label}, {self.woonplaats}"

    @property
    def house_number_label(self) -> str:
        label = f"{self.huisnummer}{self.huisletter}"
        if self.toevoeging:
            label += f"-{self.toevoeging}"
        return label
