from __future__ import annotations

import csv
import json
import math
import re
from collections import Counter, defaultdict

import pytest
from django.core.management import CommandError, call_command

from buurtonderzoek.places.actions import import_addresses_csv, import_bag_gpkg
from buurtonderzoek.places.generators.national import generate, load_centroids, plan
from buurtonderzoek.places.models import Address


@pytest.fixture(scope="module")
def national_plan():
    return plan(100_000, 1, load_centroids())


@pytest.fixture
def small(tmp_path):
    """Ten real PC4s (a dense city centre, villages, one centroid abroad as in the source) keep tests fast."""
    data = {
        "1011": {"city": "Amsterdam", "c": [52.370756859461785, 4.903959682160415]},
        "1012": {"city": "Amsterdam", "c": [52.37317409243715, 4.894813906734919]},
        "1013": {"city": "Amsterdam", "c": [52.388079837227444, 4.882663778430099]},
        "1015": {"city": "Amsterdam", "c": [52.37814898597338, 4.883210021639152]},
        "1016": {"city": "Amsterdam", "c": [52.37102130740823, 4.882015318181237]},
        "1017": {"city": "Amsterdam", "c": [52.36294202719072, 4.8922892638948845]},
        "3991": {"city": "Houten", "c": [52.0333, 5.1686]},
        "9999": {"city": "Stitswerd", "c": [53.3620, 6.6050]},
        "9640": {"city": "Veendam", "c": [49.800705002147076, 6.451759842424743]},
        "9641": {"city": "Veendam", "c": [53.1070, 6.8790]},
    }
    path = tmp_path / "pc4.json"
    path.write_text(json.dumps(data))
    return path


def test_it_shares_the_count_exactly_over_the_pc4s_giving_big_cities_fuller_postcodes(national_plan):
    plans = national_plan
    assert sum(p.share for p in plans) == 100_000
    by_pc4 = {p.pc4: p for p in plans}
    assert by_pc4["1012"].share > by_pc4["9999"].share  # Amsterdam-Centrum against Stitswerd
    assert by_pc4["1012"].radius < by_pc4["9999"].radius


def test_it_moves_placeholder_and_foreign_centroids_to_their_own_city(national_plan):
    plans = {p.pc4: p for p in national_plan}
    # 9640 (Veendam) lies in Luxembourg in the source data: it must end up in the Netherlands.
    veendam = plans["9640"]
    assert 230_000 < veendam.x < 280_000 and 550_000 < veendam.y < 600_000


def test_it_is_deterministic_for_a_seed(tmp_path, small):
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    generate(5_000, seed=3, csv_path=a, centroids=small, progress=False)
    generate(5_000, seed=3, csv_path=b, centroids=small, progress=False)
    generate(5_000, seed=4, csv_path=c, centroids=small, progress=False)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_it_writes_realistic_streets_numbers_and_postcodes(tmp_path, small):
    path = tmp_path / "n.csv"
    assert generate(30_000, seed=1, csv_path=path, centroids=small, progress=False) == 30_000
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    assert len(rows) == 30_000
    assert len({r["nummeraanduiding_id"] for r in rows}) == 30_000
    assert all(re.fullmatch(r"\d{4}20\d{10}", r["nummeraanduiding_id"]) for r in rows)
    assert all(re.fullmatch(r"[1-9]\d{3}[A-Z]{2}", r["postcode"]) for r in rows)
    sides: dict[str, set[tuple[str, str, int]]] = defaultdict(set)
    for r in rows:
        sides[r["postcode"]].add((r["woonplaats"], r["straat"], int(r["huisnummer"]) % 2))
    # One postcode covers one side of one street.
    assert all(len(v) == 1 for v in sides.values())
    # Each street's numbers on a side run 1, 3, 5... or 2, 4, 6... without gaps.
    numbers: dict[tuple[str, str, int], set[int]] = defaultdict(set)
    for r in rows:
        n = int(r["huisnummer"])
        numbers[(r["woonplaats"], r["straat"], n % 2)].add(n)
    for (_w, _s, odd), ns in numbers.items():
        assert sorted(ns) == list(range(2 - odd, 2 - odd + 2 * len(ns), 2))
    types = Counter(r["object_type"] for r in rows)
    assert types["V"] > 0.97 * len(rows) and types["L"] > 0 and types["S"] > 0
    assert any(r["toevoeging"] for r in rows) and any(r["huisletter"] for r in rows)


def test_its_houses_stand_near_their_pc4_centroid(tmp_path, small):
    path = tmp_path / "n.csv"
    generate(20_000, seed=1, csv_path=path, centroids=small, progress=False)
    plans = {p.pc4: p for p in plan(20_000, 1, load_centroids(small))}
    with open(path, encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter=";"):
            p = plans[r["postcode"][:4]]
            assert math.hypot(float(r["x"]) - p.x, float(r["y"]) - p.y) < 2.0 * p.radius + 100


@pytest.mark.django_db
def test_its_csv_and_geopackage_import_to_the_same_addresses(tmp_path, small):
    csv_path, gpkg_path = tmp_path / "n.csv", tmp_path / "n.gpkg"
    generate(3_000, seed=2, csv_path=csv_path, gpkg_path=gpkg_path, centroids=small, progress=False)
    assert import_addresses_csv(csv_path, progress=False).created == 3_000
    from_csv = set(Address.objects.values_list("nummeraanduiding_id", "street", "huisnummer", "postcode", "x", "y"))
    result = import_bag_gpkg(gpkg_path, progress=False)
    assert (result.read, result.created, result.updated) == (3_000, 0, 0)
    assert (
        set(Address.objects.values_list("nummeraanduiding_id", "street", "huisnummer", "postcode", "x", "y"))
        == from_csv
    )


def test_the_command_needs_an_output(tmp_path, capsys, small):
    with pytest.raises(CommandError, match="--out"):
        call_command("generate_national", "--count", "10")
    out = str(tmp_path / "n.csv")
    call_command("generate_national", "--count", "500", "--out", out, "--centroids", str(small), "--no-progress")
    assert "500 adressen geschreven" in capsys.readouterr().out
