from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from shapely.geometry import Point, shape

from buurtonderzoek.places.actions import import_cbs_pc6_huisnummer, import_cbs_wijk_buurt
from buurtonderzoek.places.geo import rd_to_wgs84
from buurtonderzoek.places.importers import cbs
from buurtonderzoek.places.importers.base import ImportFailed
from buurtonderzoek.places.models import Address, Buurt, Gemeente, Wijk
from buurtonderzoek.places.tests.factories import AddressFactory
from buurtonderzoek.places.tests.fixtures import buurt_feature, square, write_geojson

pytestmark = pytest.mark.django_db

X, Y = 140_000, 449_000


def two_buurten() -> list[dict[str, Any]]:
    return [
        buurt_feature("BU99010101", "De Akkers", square(X, Y, 500)),
        buurt_feature("BU99010102", "Oude Dorp", square(X + 500, Y, 500)),
    ]


def test_it_imports_buurten_in_rd_and_stores_wgs84_boundaries(tmp_path):
    result = import_cbs_wijk_buurt(write_geojson(tmp_path / "buurten.geojson", two_buurten()), progress=False)
    assert result.created["buurt"] == 2
    akkers = Buurt.objects.get(code="BU99010101")
    assert (akkers.name, akkers.wijk.code, akkers.gemeente.code, akkers.gemeente.name) == (
        "De Akkers",
        "WK990101",
        "GM9901",
        "Lindenhoven",
    )
    # The wijk came before its own feature did: its code stands in for the name.
    assert akkers.wijk.name == "WK990101"
    lat, lon = rd_to_wgs84(X + 250, Y + 250)
    assert shape(akkers.boundary).contains(Point(lon, lat))
    assert not shape(Buurt.objects.get(code="BU99010102").boundary).contains(Point(lon, lat))


def test_it_updates_instead_of_duplicating_and_fills_in_wijk_names_later(tmp_path):
    path = write_geojson(tmp_path / "buurten.geojson", two_buurten())
    import_cbs_wijk_buurt(path, progress=False)
    again = import_cbs_wijk_buurt(path, progress=False)
    assert (again.created["buurt"], again.updated["buurt"]) == (0, 2)
    wijk = {
        "type": "Feature",
        "properties": {"wijkcode": "WK990101", "wijknaam": "Lindenhoven-West", "gemeentecode": "GM9901"},
        "geometry": {"type": "Polygon", "coordinates": [square(X, Y, 1000)]},
    }
    import_cbs_wijk_buurt(write_geojson(tmp_path / "wijken.geojson", [wijk]), progress=False)
    assert Wijk.objects.get(code="WK990101").name == "Lindenhoven-West"
    assert (Buurt.objects.count(), Wijk.objects.count(), Gemeente.objects.count()) == (2, 1, 1)


def test_it_skips_water_and_merges_two_land_parts_of_one_code(tmp_path):
    features = [
        buurt_feature("BU99010101", "De Akkers", square(X, Y, 100)),
        buurt_feature("BU99010101", "De Akkers", square(X + 1000, Y, 100)),
        buurt_feature("BU99010102", "Het Meer", square(X, Y + 1000, 100), water="JA"),
    ]
    result = import_cbs_wijk_buurt(write_geojson(tmp_path / "b.geojson", features), progress=False)
    assert result.skipped_water == 1
    assert shape(Buurt.objects.get().boundary).geom_type == "MultiPolygon"


def test_it_reads_wgs84_without_a_crs_and_old_upper_case_properties(tmp_path):
    lat, lon = rd_to_wgs84(X, Y)
    ring = [[lon, lat], [lon + 0.01, lat], [lon + 0.01, lat + 0.01], [lon, lat + 0.01], [lon, lat]]
    feature = {
        "type": "Feature",
        "properties": {"GM_CODE": "GM9901", "GM_NAAM": "Lindenhoven"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    import_cbs_wijk_buurt(write_geojson(tmp_path / "g.geojson", [feature], rd=False), progress=False)
    gemeente = Gemeente.objects.get(code="GM9901")
    assert shape(gemeente.boundary).bounds == pytest.approx((lon, lat, lon + 0.01, lat + 0.01), abs=1e-7)


def test_it_streams_features_larger_than_its_read_buffer(tmp_path, monkeypatch):
    monkeypatch.setattr(cbs, "CHUNK", 64)
    features = [buurt_feature(f"BU990101{n:02d}", f"Buurt {n}", square(X + n * 10, Y, 10)) for n in range(30)]
    path = write_geojson(tmp_path / "b.geojson", features)
    numbers = [n for n, _f, _rd, _pos in cbs.iter_geojson_features(path)]
    assert numbers == list(range(1, 31))
    import_cbs_wijk_buurt(path, progress=False)
    assert Buurt.objects.count() == 30


def test_it_names_the_feature_with_a_bad_geometry_and_writes_nothing(tmp_path):
    features = two_buurten()
    features[1]["geometry"] = {"type": "Point", "coordinates": [X, Y]}
    with pytest.raises(ImportFailed, match=r"b\.geojson, feature 2 \(BU99010102\): verwacht een \(Multi\)Polygon"):
        import_cbs_wijk_buurt(write_geojson(tmp_path / "b.geojson", features), progress=False)
    assert not Buurt.objects.exists() and not Gemeente.objects.exists()


def test_it_names_a_feature_without_codes(tmp_path):
    features: list[dict[str, Any]] = [{"type": "Feature", "properties": {"naam": "?"}, "geometry": None}]
    with pytest.raises(ImportFailed, match="feature 1: geen buurtcode, wijkcode of gemeentecode"):
        import_cbs_wijk_buurt(write_geojson(tmp_path / "b.geojson", features), progress=False)


def test_it_refuses_truncated_json_naming_the_feature(tmp_path):
    text = json.dumps({"type": "FeatureCollection", "features": two_buurten()})
    path = tmp_path / "b.geojson"
    path.write_text(text[: len(text) - 200])
    with pytest.raises(ImportFailed, match="feature 2: geen geldige JSON"):
        import_cbs_wijk_buurt(path, progress=False)
    assert not Buurt.objects.exists()


def test_the_wijkbuurt_command_summarises(tmp_path, capsys):
    call_command("import_cbs_wijkbuurt", str(write_geojson(tmp_path / "b.geojson", two_buurten())), "--no-progress")
    assert "buurt: 2 nieuw" in capsys.readouterr().out


# --- postcode + huisnummer -> buurt -------------------------------------------------------------------


def write_pc6(tmp_path, lines: list[str], header: str = "PC6;Huisnummer;Buurt2023;Wijk2023;Gemeente2023"):
    path = tmp_path / "pc6hnr20230801_gwb.csv"
    path.write_text("\n".join([header, *lines]) + "\n")
    return path


def test_it_sets_buurt_codes_by_postcode_and_number(tmp_path):
    a = AddressFactory.create(postcode="3991AA", huisnummer=1, gemeente_code="")
    b = AddressFactory.create(postcode="3991AA", huisnummer=1, huisletter="A", gemeente_code="GM9901")
    c = AddressFactory.create(postcode="1011AB", huisnummer=99)
    untouched = AddressFactory.create(postcode="3991AB", huisnummer=7, buurt_code="BU99010203")
    path = write_pc6(
        tmp_path, ["3991AA;1;99010101;990101;9901", "1011AB;99;0363AF01;0363AF;0363", "9999ZZ;1;99990000;999900;9999"]
    )
    result = import_cbs_pc6_huisnummer(path, progress=False)
    assert (result.read, result.addresses_updated, result.rows_without_address) == (3, 3, 1)
    a.refresh_from_db()
    b.refresh_from_db()
    c.refresh_from_db()
    untouched.refresh_from_db()
    assert (a.buurt_code, a.gemeente_code) == ("BU99010101", "GM9901")
    assert b.buurt_code == "BU99010101"
    assert c.buurt_code == "BU0363AF01"
    assert untouched.buurt_code == "BU99010203"
    assert import_cbs_pc6_huisnummer(path, progress=False).addresses_updated == 0


def test_it_pads_codes_that_lost_their_leading_zeros(tmp_path):
    a = AddressFactory.create(postcode="1011AB", huisnummer=2)
    import_cbs_pc6_huisnummer(
        write_pc6(tmp_path, ["1011AB;2;3630000;36300;363"], "PC6;Huisnummer;Buurt2019;Wijk2019;Gemeente2019"),
        progress=False,
    )
    a.refresh_from_db()
    assert (a.buurt_code, a.gemeente_code) == ("BU03630000", "GM9999")


def test_it_names_the_bad_line_of_the_table_and_changes_nothing(tmp_path):
    a = AddressFactory.create(postcode="3991AA", huisnummer=1)
    path = write_pc6(tmp_path, ["3991AA;1;99010101;990101;9901", "3991AA;een;99010101;990101;9901"])
    with pytest.raises(ImportFailed, match="regel 3: verwacht PC6;Huisnummer"):
        import_cbs_pc6_huisnummer(path, progress=False)
    a.refresh_from_db()
    assert a.buurt_code == ""


def test_it_refuses_a_table_with_the_same_address_twice(tmp_path):
    AddressFactory.create(postcode="3991AA", huisnummer=1)
    path = write_pc6(tmp_path, ["3991AA;1;99010101;990101;9901", "3991AA;1;99010102;990101;9901"])
    with pytest.raises(ImportFailed, match="postcode 3991AA huisnummer 1 staat er meer dan eens in"):
        import_cbs_pc6_huisnummer(path, progress=False)
    assert Address.objects.get().buurt_code == ""


def test_the_pc6_command_reports_and_fails_in_dutch(tmp_path, capsys):
    AddressFactory.create(postcode="3991AA", huisnummer=1)
    call_command("import_cbs_pc6hnr", str(write_pc6(tmp_path, ["3991AA;1;99010101;990101;9901"])), "--no-progress")
    assert "1 adressen bijgewerkt" in capsys.readouterr().out
    with pytest.raises(CommandError, match=r"kolom BUURT\.\.\. ontbreekt"):
        call_command("import_cbs_pc6hnr", str(write_pc6(tmp_path, [], "PC6;Huisnummer")), "--no-progress")


def test_it_refuses_a_nul_in_a_buurt_name(tmp_path):
    features = [buurt_feature("BU99010101", "De Akkers\x00<script>", square(X, Y, 500))]
    with pytest.raises(ImportFailed, match=r"feature 1 \(BU99010101\): er staat een NUL-teken"):
        import_cbs_wijk_buurt(write_geojson(tmp_path / "b.geojson", features), progress=False)
    assert not Buurt.objects.exists()


def test_it_refuses_a_nul_byte_in_the_pc6_table(tmp_path):
    path = write_pc6(tmp_path, ["3991AA;1;99010101;990101;9901", "3991AA;2\x00;99010101;990101;9901"])
    with pytest.raises(ImportFailed, match="regel 3: er staat een NUL-teken"):
        import_cbs_pc6_huisnummer(path, progress=False)


@pytest.mark.parametrize(
    "header",
    [
        "PC6;Huisnummer;Buurt2017;Wijk2017;Gem2017",  # the 2017 edition
        "pc;huisnummer;gwb_code;wijkcode;gemeentecode",  # an older edition in lower case
        "PC6;HUISNUMMER;BUURT2023;WIJK2023;GEMEENTE2023",
    ],
)
def test_it_reads_every_editions_header(tmp_path, header):
    a = AddressFactory.create(postcode="3991AA", huisnummer=1, gemeente_code="")
    import_cbs_pc6_huisnummer(write_pc6(tmp_path, ["3991AA;1;99010101;990101;9901"], header), progress=False)
    a.refresh_from_db()
    assert (a.buurt_code, a.gemeente_code) == ("BU99010101", "GM9901")


def test_it_reads_the_2023_re_release_zip_with_the_csv_in_a_subfolder(tmp_path):
    import zipfile

    a = AddressFactory.create(postcode="3991AA", huisnummer=1)
    csv_path = write_pc6(tmp_path, ["3991AA;1;99010101;990101;9901"])
    archive = tmp_path / "2023-cbs-pc6huisnr20230801_buurt.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("2023-cbs-pc6huisnr20230801_buurt/readme.txt", "CBS")
        zipped.write(csv_path, "2023-cbs-pc6huisnr20230801_buurt/pc6hnr20230801_gwb.csv")
    import_cbs_pc6_huisnummer(archive, progress=False)
    a.refresh_from_db()
    assert a.buurt_code == "BU99010101"
