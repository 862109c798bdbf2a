"""import_cbs_kerncijfers reads CBS "Kerncijfers wijken en buurten" as published: both the kwb file and
StatLine's CSV, semicolons, "." for unknown, gemeente and wijk rows skipped; idempotent; all or nothing."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from buurtonderzoek.accounts.tests.factories import BuurtFactory, WijkFactory
from buurtonderzoek.places.models import Buurt, BuurtPopulation
from conftest import World

pytestmark = pytest.mark.django_db

# The first columns of kwb-2023 (converted from kwb-2023.xlsx as CBS ships it), in CBS's order.
KWB_HEADER = (
    "gwb_code_10;gwb_code_8;regio;gm_naam;recs;gwb_code;ind_wbi;a_inw;a_man;a_vrouw;a_00_14;a_15_24;a_25_44;"
    "a_45_64;a_65_oo;a_ongeh;a_gehuwd;a_gesch;a_verwed;a_w_all;a_nw_all;a_marok;a_ant_aru;a_suri;a_tur;"
    "a_ov_nw;a_geb;p_geb;a_ste;p_ste;a_hh;a_1p_hh;a_hh_z_k;a_hh_m_k;g_hhgro;bev_dich;a_woning"
)
STATLINE_HEADER = (
    "ID;WijkenEnBuurten;Gemeentenaam_1;SoortRegio_2;Codering_3;IndelingswijzigingWijkenEnBuurten_4;"
    "AantalInwoners_5;Mannen_6;Vrouwen_7;k_0Tot15Jaar_8;k_15Tot25Jaar_9;k_25Tot45Jaar_10;k_45Tot65Jaar_11;"
    "k_65JaarOfOuder_12;HuishoudensTotaal_28;Woningvoorraad_34"
)


def kwb_row(code: str, kind: str, values: list[str]) -> str:
    inw, man, vrouw, a0, a15, a25, a45, a65, hh, won = values
    rest = ["."] * 16
    return ";".join(
        [
            code,
            code[2:],
            "Naam",
            "Demodorp",
            kind,
            code,
            "1",
            inw,
            man,
            vrouw,
            a0,
            a15,
            a25,
            a45,
            a65,
            *rest[:15],
            hh,
            *["."] * 5,
            won,
        ]
    )


@pytest.fixture
def buurten(world: World) -> list[Buurt]:
    wijk = WijkFactory.create(gemeente=world.gemeente, code="WK999901")
    return [BuurtFactory.create(wijk=wijk, code=f"BU99990{n}01", name=f"Buurt {n}") for n in (1, 2)]


def write(tmp_path: Path, lines: list[str], name: str = "kwb-2023.csv", encoding: str = "utf-8-sig") -> Path:
    path = tmp_path / name
    path.write_text("\r\n".join(lines) + "\r\n", encoding=encoding)
    return path


def run(path: Path, year: int = 2023) -> str:
    out = StringIO()
    call_command("import_cbs_kerncijfers", str(path), "--year", str(year), "--no-progress", stdout=out)
    return out.getvalue()


def test_it_reads_the_kwb_file_as_published_and_skips_gemeente_wijk_and_unknown_buurten(
    tmp_path: Path, buurten: list[Buurt]
) -> None:
    path = write(
        tmp_path,
        [
            KWB_HEADER,
            kwb_row(
                "GM9999", "Gemeente", ["5000", "2400", "2600", "800", "600", "1300", "1400", "900", "2300", "2400"]
            ),
            kwb_row("WK999901", "Wijk", ["1300", "640", "660", "200", "150", "350", "350", "250", "600", "620"]),
            kwb_row("BU99990101", "Buurt", ["1 250", "610", "640", "190", "140", "340", "340", "240", "580", "600"]),
            kwb_row("BU99990201", "Buurt", ["50", ".", ".", ".", ".", ".", ".", ".", "25", "26"]),
            kwb_row("BU12345678", "Buurt", ["10", "5", "5", "1", "1", "3", "3", "2", "5", "5"]),
        ],
    )
    out = run(path)
    assert "voor 2 buurten opgeslagen" in out and "1 buurten uit het bestand zijn (nog) niet ingelezen" in out
    first = BuurtPopulation.objects.get(buurt=buurten[0])
    assert (first.year, first.inhabitants, first.men, first.women, first.households, first.dwellings) == (
        2023, 1250, 610, 640, 580, 600,
    )  # fmt: skip
    assert (first.age_0_14, first.age_15_24, first.age_25_44, first.age_45_64, first.age_65_plus) == (
        190,
        140,
        340,
        340,
        240,
    )
    small = BuurtPopulation.objects.get(buurt=buurten[1])
    assert small.inhabitants == 50 and small.men is None and small.age_65_plus is None  # "." stays unknown
    run(path)  # again: the same, not twice
    assert BuurtPopulation.objects.count() == 2


def test_it_reads_statline_csv_with_numbered_columns(tmp_path: Path, buurten: list[Buurt]) -> None:
    path = write(
        tmp_path,
        [
            STATLINE_HEADER,
            '1;"Demodorp";"Demodorp";"Gemeente  ";"GM9999";"1";5000;2400;2600;800;600;1300;1400;900;2300;2400',
            '2;"Buurt 1";"Demodorp";"Buurt     ";"BU99990101";"1";1250;610;640;190;140;340;340;240;580;600',
        ],
        name="85984NED_TypedDataSet.csv",
    )
    run(path, 2024)
    row = BuurtPopulation.objects.get()
    assert (row.buurt_id, row.year, row.inhabitants, row.age_65_plus, row.dwellings) == (
        buurten[0].pk,
        2024,
        1250,
        240,
        600,
    )


def test_a_bad_value_names_the_line_and_keeps_what_was_there(tmp_path: Path, buurten: list[Buurt]) -> None:
    good = kwb_row("BU99990101", "Buurt", ["1250", "610", "640", "190", "140", "340", "340", "240", "580", "600"])
    run(write(tmp_path, [KWB_HEADER, good]))
    bad = kwb_row("BU99990201", "Buurt", ["veel", "1", "1", "1", "1", "1", "1", "1", "1", "1"])
    with pytest.raises(CommandError, match=r"regel 3: kolom a_inw heeft de waarde 'veel'"):
        run(write(tmp_path, [KWB_HEADER, good.replace("1250", "9"), bad], name="kapot.csv"))
    assert BuurtPopulation.objects.get().inhabitants == 1250


def test_a_file_that_is_not_kerncijfers_is_refused_in_dutch(tmp_path: Path, buurten: list[Buurt]) -> None:
    with pytest.raises(CommandError, match="kolom met de gebiedscode ontbreekt"):
        run(write(tmp_path, ["PC6;Huisnummer;Buurt2023", "1234AB;1;BU99990101"]))
    with pytest.raises(CommandError, match="bestand niet gevonden"):
        run(tmp_path / "weg.csv")
