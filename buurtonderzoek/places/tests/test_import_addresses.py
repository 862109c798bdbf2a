from __future__ import annotations

import re
import sqlite3
import struct

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from buurtonderzoek.core.models import AuditEvent
from buurtonderzoek.places.actions import import_addresses_csv, import_bag_gpkg
from buurtonderzoek.places.geo import grid_strip, wgs84_to_rd
from buurtonderzoek.places.importers.base import ImportFailed
from buurtonderzoek.places.importers.csvsource import CsvAddressSource
from buurtonderzoek.places.importers.gpkg import (
    GeometryError,
    GpkgAddressSource,
    encode_point,
    encode_polygon,
    point_xy,
)
from buurtonderzoek.places.models import Address
from buurtonderzoek.places.tests.fixtures import CSV_HEADER, Bag, csv_line, write_bag_gpkg, write_csv

pytestmark = pytest.mark.django_db


def index_names() -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Address._meta.db_table)
    return {name for name, c in constraints.items() if c["index"] and not c["unique"] and not c["primary_key"]}


def snapshot() -> list[tuple[object, ...]]:
    return list(Address.objects.order_by("nummeraanduiding_id").values_list())


# --- CSV ------------------------------------------------------------------------------------------


def test_it_imports_a_csv_and_derives_wgs84_and_the_strip(tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [
            csv_line(1),
            "9901200000000002;9901020000000001;ligplaats;Vaartkade;3;B;2;3991 ab;Lindenhoven;9901;BU99010201;"
            "140123.6;449001.2",
        ],
    )
    result = import_addresses_csv(path, progress=False)
    assert (result.read, result.created, result.path) == (2, 2, "eerste import")
    boat = Address.objects.get(nummeraanduiding_id="9901200000000002")
    assert (boat.object_type, boat.huisletter, boat.toevoeging, boat.postcode) == ("L", "B", "2", "3991AB")
    assert (boat.gemeente_code, boat.buurt_code, boat.x, boat.y) == ("GM9901", "BU99010201", 140124, 449001)
    assert boat.grid_x == grid_strip(140124) == 1401
    x, y = wgs84_to_rd(boat.lat, boat.lon)
    assert abs(x - 140123.6) < 0.01 and abs(y - 449001.2) < 0.01
    assert AuditEvent.objects.filter(object_type="places.Address", action="create").count() == 1


def test_it_keeps_ids_and_counts_nothing_changed_on_a_second_run(tmp_path):
    path = write_csv(tmp_path / "a.csv", [csv_line(n) for n in range(1, 6)])
    import_addresses_csv(path, progress=False)
    before = snapshot()
    again = import_addresses_csv(path, progress=False)
    assert (again.read, again.created, again.updated, again.unchanged, again.path) == (5, 0, 0, 5, "bijwerken")
    assert snapshot() == before


def test_it_updates_changed_rows_adds_new_ones_and_keeps_primary_keys(tmp_path):
    import_addresses_csv(write_csv(tmp_path / "a.csv", [csv_line(n) for n in range(1, 4)]), progress=False)
    pks = dict(Address.objects.values_list("nummeraanduiding_id", "pk"))
    lines = [csv_line(1), csv_line(2, street="Molenweg"), csv_line(3), csv_line(4)]
    result = import_addresses_csv(write_csv(tmp_path / "b.csv", lines), progress=False)
    assert (result.created, result.updated, result.unchanged) == (1, 1, 2)
    assert Address.objects.get(nummeraanduiding_id="9901200000000002").street == "Molenweg"
    assert {nid: pk for nid, pk in Address.objects.values_list("nummeraanduiding_id", "pk") if nid in pks} == pks


def test_it_leaves_buurt_codes_alone_when_the_file_has_none(tmp_path):
    import_addresses_csv(write_csv(tmp_path / "a.csv", [csv_line(1)]), progress=False)
    Address.objects.update(buurt_code="BU99010101")
    header = "nummeraanduiding_id;straat;huisnummer;woonplaats;x;y"
    path = write_csv(tmp_path / "b.csv", ["9901200000000001;Kerkstraat;1;Lindenhoven;140050;449000"], header)
    result = import_addresses_csv(path, progress=False)
    assert result.updated == 1
    a = Address.objects.get()
    assert (a.buurt_code, a.x, a.postcode) == ("BU99010101", 140050, "3991AA")


@pytest.mark.parametrize("first_load", [True, False])
def test_it_names_the_bad_line_and_writes_nothing(tmp_path, first_load):
    if not first_load:
        import_addresses_csv(write_csv(tmp_path / "ok.csv", [csv_line(100)]), progress=False)
    before = snapshot()
    lines = [csv_line(1), csv_line(2), csv_line(3).replace(";3;;;", ";drie;;;")]
    with pytest.raises(ImportFailed, match=r"bad\.csv, regel 4: huisnummer 'drie' is geen geheel getal") as exc:
        import_addresses_csv(write_csv(tmp_path / "bad.csv", lines), progress=False)
    assert "niets opgeslagen" in str(exc.value)
    assert snapshot() == before


def test_it_rebuilds_the_indexes_after_a_first_load_even_when_it_fails(tmp_path):
    indexes = index_names()
    assert "address_spatial" in indexes
    with pytest.raises(ImportFailed):
        import_addresses_csv(write_csv(tmp_path / "bad.csv", [csv_line(1), "kapot"]), progress=False)
    assert index_names() == indexes
    import_addresses_csv(write_csv(tmp_path / "ok.csv", [csv_line(1)]), progress=False)
    assert index_names() == indexes


@pytest.mark.parametrize("first_load", [True, False])
def test_it_refuses_a_duplicate_id_naming_both_lines(tmp_path, first_load):
    if not first_load:
        import_addresses_csv(write_csv(tmp_path / "ok.csv", [csv_line(100)]), progress=False)
    before = snapshot()
    lines = [csv_line(1), csv_line(2), csv_line(1, street="Anders")]
    with pytest.raises(ImportFailed, match="9901200000000001 komt meer dan eens voor \\(regel 2 en regel 4\\)"):
        import_addresses_csv(write_csv(tmp_path / "dup.csv", lines), progress=False)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "12;9901010000000001;V;Kerkstraat;1;;;3991AA;Lindenhoven;GM9901;;140000;449000",
            "nummeraanduiding_id '12' is geen BAG-id van 16 cijfers",
        ),
        (csv_line(1).replace("3991AA", "ABCDEF"), "postcode 'ABCDEF' is geen postcode"),
        (csv_line(1).replace(";V;", ";woonboot;"), "object_type 'woonboot'"),
        (csv_line(1).replace(";1;;;", ";1;AB;;"), "huisletter 'AB' is langer dan 1"),
        (csv_line(1).replace(";1;;;", ";1;;12345;"), "toevoeging '12345' is langer dan 4"),
        (csv_line(1).replace("GM9901", "Lindenhoven"), "gemeentecode 'Lindenhoven'"),
        (csv_line(1).replace("GM9901;;", "GM9901;B123;"), "buurtcode 'B123'"),
        (csv_line(1).replace(";140001;", ";140001,5;"), "x '140001,5' is geen getal"),
        (csv_line(1).replace(";140001;449000", ";5.1;52.0"), "coördinaat x=5.1, y=52 ligt niet in Nederland"),
        (csv_line(1).replace(";Kerkstraat;", ";;"), "straat is leeg"),
        ("9901200000000001;9901010000000001;V", "3 kolommen, er zijn er minstens 13 nodig"),
        (csv_line(1).replace(";1;;;", ";0;;;"), "huisnummer '0' is geen geheel getal van 1 tot 99999"),
    ],
)
def test_it_explains_what_is_wrong_with_a_line(tmp_path, line, message):
    with pytest.raises(ImportFailed, match="regel 2: " + re.escape(message)):
        import_addresses_csv(write_csv(tmp_path / "bad.csv", [line]), progress=False)
    assert not Address.objects.exists()


@pytest.mark.parametrize("first_load", [True, False])
def test_it_finds_a_duplicate_deep_inside_a_large_batch(tmp_path, first_load):
    if not first_load:
        import_addresses_csv(write_csv(tmp_path / "ok.csv", [csv_line(9000)]), progress=False)
    lines = [csv_line(n) for n in range(1, 4501)]
    lines[4100] = csv_line(17, street="Dubbelstraat")
    with pytest.raises(ImportFailed, match=r"9901200000000017 komt meer dan eens voor \(regel 18 en regel 4102\)"):
        import_addresses_csv(write_csv(tmp_path / "dup.csv", lines), progress=False)
    assert Address.objects.count() == (0 if first_load else 1)


def test_the_fast_and_the_row_by_row_csv_paths_agree(tmp_path):
    lines = [csv_line(n, nr=n % 40 + 1) for n in range(1, 300)]
    lines[5] = lines[5].replace(";;;3991AA;", ";B;2;3991 ab;").replace("GM9901", "9901")
    lines[6] = lines[6].replace(";V;", ";ligplaats;")
    source = CsvAddressSource(write_csv(tmp_path / "a.csv", lines))
    with open(source.path, encoding="utf-8") as f:
        text = f.readlines()[1:]
    fast = source._fast(text, 2)
    assert fast is not None
    assert fast == source._slow(text, 2)
    assert fast[5][5:10] == ("B", "2", "3991AB", "Lindenhoven", "GM9901")
    assert fast[6][2] == "L"


def test_it_reports_the_right_line_when_the_fast_path_gives_up(tmp_path):
    lines = [csv_line(n) for n in range(1, 50)]
    lines.insert(20, "")  # a blank line is fine, but it sends the chunk down the careful path
    lines[30] = lines[30].replace(";30;;;", ";dertig;;;")
    with pytest.raises(ImportFailed, match="regel 32: huisnummer 'dertig'"):
        import_addresses_csv(write_csv(tmp_path / "a.csv", lines), progress=False)


def test_it_names_a_missing_column(tmp_path):
    with pytest.raises(ImportFailed, match="regel 1: kolom huisnummer ontbreekt"):
        import_addresses_csv(
            write_csv(tmp_path / "a.csv", [], "nummeraanduiding_id;straat;woonplaats;x;y"), progress=False
        )


def test_it_reads_a_bag_light_export_with_comma_and_quotes(tmp_path):
    header = (
        "identificatie,openbare_ruimte_naam,huisnummer,huisletter,toevoeging,postcode,woonplaats_naam,"
        "nummeraanduiding_hoofdadres_identificatie,bronhouder_identificatie,x,y"
    )
    line = '0363010000000001,"Burgwal, Oude Zijde",12,a,,1012AB,Amsterdam,0363200000000001,0363,121400.123,487400.456'
    import_addresses_csv(write_csv(tmp_path / "bag.csv", [line], header), progress=False)
    a = Address.objects.get()
    assert (a.street, a.huisletter, a.gemeente_code, a.object_id) == (
        "Burgwal, Oude Zijde",
        "a",
        "GM0363",
        "0363010000000001",
    )


def test_it_accepts_lat_lon_only_and_checks_lat_lon_against_x_y(tmp_path):
    header = "nummeraanduiding_id;straat;huisnummer;woonplaats;lat;lon"
    import_addresses_csv(
        write_csv(tmp_path / "ll.csv", ["9901200000000001;Kerkstraat;1;Lindenhoven;52.03;5.17"], header), progress=False
    )
    a = Address.objects.get()
    assert (a.lat, a.lon) == (52.03, 5.17)
    assert abs(a.x - 140094) <= 1 and abs(a.y - 449095) <= 1
    header = "nummeraanduiding_id;straat;huisnummer;woonplaats;x;y;lat;lon"
    swapped = "9901200000000002;Kerkstraat;2;Lindenhoven;140094;449095;5.17;52.03"
    with pytest.raises(ImportFailed, match=r"regel 2: lat/lon 5\.17, 52\.03 past niet bij x/y"):
        import_addresses_csv(write_csv(tmp_path / "swap.csv", [swapped], header), progress=False)


def test_it_refuses_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        (
            "nummeraanduiding_id;straat;huisnummer;woonplaats;x;y\n"
            + "9901200000000001;Stra\xdfe;1;Lindenhoven;140000;449000\n"
        ).encode("latin-1")
    )
    with pytest.raises(ImportFailed, match="niet in UTF-8"):
        import_addresses_csv(path, progress=False)


def test_the_command_reports_in_dutch_and_turns_bad_input_into_a_command_error(tmp_path, capsys):
    call_command("import_addresses_csv", str(write_csv(tmp_path / "a.csv", [csv_line(1)])), "--no-progress")
    assert "1 adressen gelezen" in capsys.readouterr().out
    with pytest.raises(CommandError, match="bestand niet gevonden"):
        call_command("import_addresses_csv", str(tmp_path / "nope.csv"), "--no-progress")


# --- GeoPackage -------------------------------------------------------------------------------------


def bag(n: int, **kw) -> Bag:
    defaults = {"nid": f"9901200000{n:06d}", "street": "Kerkstraat", "nr": n, "x": 140_000.25 + n, "y": 449_000.75}
    return Bag(**{**defaults, **kw})


def test_it_imports_verblijfsobjecten_ligplaatsen_and_standplaatsen_from_bag_light(tmp_path):
    path = write_bag_gpkg(
        tmp_path / "bag-light.gpkg",
        [bag(1, letter="A"), bag(2, toev="bis"), bag(3, status="Verblijfsobject ingetrokken")],
        ligplaatsen=[bag(10, street="Vaartkade", x=140_500.0, y=449_500.0)],
        standplaatsen=[bag(20, street="De Kampen", x=139_500.0, y=448_500.0)],
    )
    result = import_bag_gpkg(path, progress=False)
    assert result.read == 4  # the withdrawn object is left out
    by_id = {a.nummeraanduiding_id: a for a in Address.objects.all()}
    assert by_id["9901200000000001"].huisletter == "A"
    assert by_id["9901200000000002"].toevoeging == "bis"
    boat = by_id["9901200000000010"]
    assert (boat.object_type, boat.x, boat.y, boat.object_id) == ("L", 140_500, 449_500, "9901020000000001")
    assert by_id["9901200000000020"].object_type == "S"
    assert {a.gemeente_code for a in by_id.values()} == {"GM9901"}
    assert {a.woonplaats for a in by_id.values()} == {"Lindenhoven"}


def test_it_reimports_a_geopackage_without_changes(tmp_path):
    path = write_bag_gpkg(tmp_path / "bag-light.gpkg", [bag(n) for n in range(1, 20)])
    import_bag_gpkg(path, progress=False)
    before = snapshot()
    again = import_bag_gpkg(path, progress=False)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 19)
    assert snapshot() == before


def test_it_names_the_layer_and_feature_of_a_broken_geometry(tmp_path):
    broken = {"9901200000000003": b"XX" + bytes(30)}
    path = write_bag_gpkg(tmp_path / "bag-light.gpkg", [bag(1), bag(2), bag(3)], raw_geometry=broken)
    with pytest.raises(
        ImportFailed, match="laag verblijfsobject, feature 3: geometrie onbruikbaar: geen GeoPackage-geometrie"
    ):
        import_bag_gpkg(path, progress=False)
    assert not Address.objects.exists()


def test_it_names_the_feature_with_a_bad_id(tmp_path):
    path = write_bag_gpkg(tmp_path / "bag-light.gpkg", [bag(1), bag(2, nid="123")])
    with pytest.raises(ImportFailed, match="feature 2: nummeraanduiding '123'"):
        import_bag_gpkg(path, progress=False)


def test_it_refuses_a_file_that_is_not_a_bag_geopackage(tmp_path):
    path = tmp_path / "bag-light.gpkg"
    path.write_text("geen sqlite")
    with pytest.raises(ImportFailed, match="geen GeoPackage"):
        import_bag_gpkg(path, progress=False)


def test_one_address_on_two_objects_keeps_the_one_in_use_and_reports_the_pair(tmp_path, capsys):
    # Real BAG data has it: one nummeraanduiding as hoofdadres of two objects. A national load must
    # not stop for one pair: the object in use wins, the other is reported.
    path = write_bag_gpkg(
        tmp_path / "bag-light.gpkg",
        [bag(1), bag(2, status="Verblijfsobject buiten gebruik", x=140_900.0)],
        ligplaatsen=[bag(2, x=140_500.0, y=449_500.0), bag(3, x=140_600.0)],
    )
    result = import_bag_gpkg(path, progress=False)
    assert result.read == 3
    moved = Address.objects.get(nummeraanduiding_id="9901200000000002")
    assert (moved.object_type, moved.x) == ("L", 140_500)
    assert result.duplicates == [
        (
            "9901200000000002",
            "laag ligplaats, feature 1 (Plaats aangewezen)",
            ["laag verblijfsobject, feature 2 (Verblijfsobject buiten gebruik)"],
        )
    ]
    call_command("import_bag_gpkg", str(path), "--no-progress")
    assert "Nummeraanduiding 9901200000000002 stond op meer dan één object" in capsys.readouterr().out


def test_an_object_that_is_only_gevormd_is_no_door_yet(tmp_path):
    # "Verblijfsobject gevormd": a permit, no building. Next to the same address in use it is no pair.
    path = write_bag_gpkg(
        tmp_path / "bag-light.gpkg",
        [bag(1), bag(2, status="Verblijfsobject gevormd"), bag(3, nid=bag(1).nid, status="Verblijfsobject gevormd")],
    )
    result = import_bag_gpkg(path, progress=False)
    assert result.read == 1 and result.duplicates == []
    assert list(Address.objects.values_list("nummeraanduiding_id", flat=True)) == [bag(1).nid]


def test_a_huisnummer_stored_as_text_is_read(tmp_path):
    path = write_bag_gpkg(tmp_path / "bag-light.gpkg", [bag(1), bag(2)])
    con = sqlite3.connect(path)
    columns = [r[1] for r in con.execute('PRAGMA table_info("verblijfsobject")')]
    select = ", ".join("CAST(huisnummer AS TEXT) AS huisnummer" if c == "huisnummer" else f'"{c}"' for c in columns)
    con.executescript(
        f"CREATE TABLE vbo_text AS SELECT {select} FROM verblijfsobject; DROP TABLE verblijfsobject; "  # noqa: S608
        "ALTER TABLE vbo_text RENAME TO verblijfsobject;"
    )
    con.commit()
    assert con.execute("SELECT typeof(huisnummer) FROM verblijfsobject").fetchone()[0] == "text"
    con.close()
    import_bag_gpkg(path, progress=False)
    assert sorted(Address.objects.values_list("huisnummer", flat=True)) == [1, 2]


def test_it_reads_every_geopackage_point_header_variant():
    assert point_xy(encode_point(1.5, 2.5)) == (1.5, 2.5)
    assert point_xy(encode_point(1.5, 2.5, envelope=True)) == (1.5, 2.5)
    big_endian = b"GP\x00\x00" + struct.pack("<i", 28992) + struct.pack(">BIdd", 0, 1, 3.0, 4.0)
    assert point_xy(big_endian) == (3.0, 4.0)
    point_z = b"GP\x00\x01" + struct.pack("<i", 28992) + struct.pack("<BIddd", 1, 1001, 5.0, 6.0, 7.0)
    assert point_xy(point_z) == (5.0, 6.0)
    with pytest.raises(GeometryError, match="verwacht een punt"):
        point_xy(encode_polygon([[(0, 0), (1, 0), (1, 1), (0, 0)]]))
    with pytest.raises(GeometryError, match="lege geometrie"):
        point_xy(b"GP\x00\x11" + struct.pack("<i", 28992))


def test_the_fast_and_the_row_by_row_gpkg_paths_agree(tmp_path):
    items = [
        bag(n, letter="A" if n % 7 == 0 else None, postcode="3991 ab" if n % 5 == 0 else "3991AA") for n in range(1, 60)
    ]
    items.append(bag(99, status="Verblijfsobject ingetrokken"))
    path = write_bag_gpkg(tmp_path / "bag-light.gpkg", items, envelopes=False)
    source = GpkgAddressSource(path)
    con = sqlite3.connect(path)
    fetched = con.execute(
        "SELECT feature_id, geom, nummeraanduiding_hoofdadres_identificatie, identificatie, openbare_ruimte_naam, "
        "huisnummer, huisletter, toevoeging, postcode, woonplaats_naam, bronhouder_identificatie, status "
        "FROM verblijfsobject ORDER BY feature_id"
    ).fetchall()
    fast = source._fast(fetched, "verblijfsobject", "V")
    assert fast is not None and len(fast) == 59
    assert fast == source._slow(fetched, "verblijfsobject", "V")
    assert source.skipped == 2  # once per path


def test_the_gpkg_command_imports(tmp_path, capsys):
    path = write_bag_gpkg(tmp_path / "bag-light.gpkg", [bag(1), bag(2)])
    call_command("import_bag_gpkg", str(path), "--no-progress")
    assert "2 adressen gelezen" in capsys.readouterr().out
    assert Address.objects.count() == 2


def test_it_refuses_a_nul_byte_naming_the_line_and_stores_nothing(tmp_path):
    path = write_csv(tmp_path / "nul.csv", [csv_line(1), csv_line(2, street="Kerk\x00straat"), csv_line(3)])
    with pytest.raises(ImportFailed, match=r"regel 3: er staat een NUL-teken .* Exporteer het bestand opnieuw"):
        import_addresses_csv(path, progress=False)
    assert not Address.objects.exists()


def test_the_command_turns_a_nul_byte_into_a_dutch_command_error(tmp_path):
    path = write_csv(tmp_path / "nul.csv", [csv_line(1, street="\x00")])
    with pytest.raises(CommandError, match="NUL-teken"):
        call_command("import_addresses_csv", str(path), "--no-progress")


def test_the_csv_importer_leaves_out_objects_that_are_no_door(tmp_path):
    lines = [csv_line(1) + ";Verblijfsobject in gebruik", csv_line(2) + ";Verblijfsobject gevormd"]
    lines.append(csv_line(3) + ";Verblijfsobject ingetrokken")
    path = write_csv(tmp_path / "bag.csv", lines, header=CSV_HEADER + ";status")
    result = import_addresses_csv(path, progress=False)
    assert result.read == 1
    assert list(Address.objects.values_list("huisnummer", flat=True)) == [1]


def test_a_per_gemeente_load_reads_the_gemeente_and_a_margin_beyond_its_border(tmp_path, capsys):
    from buurtonderzoek.places.geo import rd_to_wgs84
    from buurtonderzoek.places.models import Gemeente

    # Gemeente GM9901: a square of 1 km from (140000, 449000) in RD, stored in WGS84 as the CBS import does.
    corners = [(140_000, 449_000), (141_000, 449_000), (141_000, 450_000), (140_000, 450_000), (140_000, 449_000)]
    ring = [list(reversed(rd_to_wgs84(x, y))) for x, y in corners]
    Gemeente.objects.create(code="GM9901", name="Lindenhoven", boundary={"type": "Polygon", "coordinates": [ring]})
    path = write_bag_gpkg(
        tmp_path / "bag-light.gpkg",
        [
            bag(1, x=140_500.0, y=449_500.0),  # inside
            bag(2, x=141_150.0, y=449_500.0),  # 150 m beyond the border: within the margin
            bag(3, x=141_400.0, y=449_500.0),  # 400 m beyond: left out
        ],
    )
    call_command("import_bag_gpkg", str(path), "--gemeente", "GM9901", "--margin", "200", "--no-progress")
    assert sorted(Address.objects.values_list("huisnummer", flat=True)) == [1, 2]


def test_a_per_gemeente_load_without_the_cbs_border_says_what_to_do_first(tmp_path):
    path = write_bag_gpkg(tmp_path / "bag-light.gpkg", [bag(1)])
    with pytest.raises(CommandError, match="Importeer eerst de CBS wijk- en buurtkaart"):
        call_command("import_bag_gpkg", str(path), "--gemeente", "GM0344", "--no-progress")
    assert not Address.objects.exists()
