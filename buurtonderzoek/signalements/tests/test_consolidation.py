"""Consolidation on plain data: conflicting witnesses, clustering, timeline and camera leads."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from buurtonderzoek.questionnaires.engine import parse
from buurtonderzoek.questionnaires.standard import canvass
from buurtonderzoek.signalements.consolidation import (
    PERSON,
    PERSON_FIELDS,
    VEHICLE_FIELDS,
    CoverageFigures,
    Statement,
    Status,
    TipNote,
    agreement,
    consolidate,
    place_time,
    similarity,
)
from buurtonderzoek.signalements.textmatch import similar, stem

AMS = ZoneInfo("Europe/Amsterdam")
FROM = datetime(2026, 3, 10, 22, 0, tzinfo=AMS)
UNTIL = datetime(2026, 3, 10, 23, 30, tzinfo=AMS)
NOW = datetime(2026, 3, 11, 12, 0, tzinfo=AMS)
SCHEMA = parse(canvass.schema())


def person(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "behaviour": "Trok aan deurklinken van auto's",
        "gender": "man",
        "age_range": {"min": 20, "max": 30},
        "height": {"min": 170, "max": 175},
        "build": "slank",
        "top_type": "hoodie",
        "top_colour": "zwart",
        "trousers": "grijze trainingsbroek",
        "first_seen": "22:40",
        "provenance": "eigen_waarneming",
        "certainty": "zeker",
    }
    base.update(extra)
    return base


def vehicle(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "vehicle_type": "auto",
        "vehicle_colour": "grijs",
        "make_model": "Volkswagen Golf",
        "vehicle_time": "22:50",
        "vehicle_provenance": "eigen_waarneming",
        "vehicle_certainty": "redelijk_zeker",
    }
    base.update(extra)
    return base


def statement(ref: str, minutes: int, **answers: Any) -> Statement:
    return Statement(
        ref=ref,
        answers={"seen_anything": "ja", **answers},
        visit_id=int(ref[1:]),
        address_label=f"Lindenlaan {int(ref[1:]) * 2}",
        street="Lindenlaan",
        visited_at=NOW + timedelta(minutes=minutes),
    )


def run(*statements: Statement, **kwargs: Any):
    return consolidate(list(statements), occurred_from=FROM, occurred_until=UNTIL, now=NOW, schema=SCHEMA, **kwargs)


def test_it_groups_length_ranges_and_reports_who_differs() -> None:
    spec = next(s for s in PERSON_FIELDS if s.id == "height")
    field = agreement(
        spec, [("G1", {"min": 170, "max": 175}), ("G2", {"min": 180, "max": 180}), ("G3", {"min": 172, "max": 175})]
    )
    assert field is not None and field.status == Status.DIFFER
    first, second = field.groups
    assert first.display == "170-175 cm" and first.witnesses == ["G1", "G3"]
    assert second.display == "180 cm" and second.witnesses == ["G2"]
    assert field.summary() == "170-175 cm (G1, G3) · 180 cm (G2)"


def test_it_matches_a_partial_kenteken_to_a_full_one_within_a_field() -> None:
    spec = next(s for s in VEHICLE_FIELDS if s.id == "plate")
    field = agreement(spec, [("G1", "XJ-..-4"), ("G2", "XJ-123-4")])
    assert field is not None and field.status == Status.AGREE
    assert field.best.value == "XJ-123-4"
    assert field.best.display.startswith("XJ-123-4") and "XJ-..-4" in field.best.display


def test_it_ignores_unknown_answers_when_comparing() -> None:
    spec = next(s for s in PERSON_FIELDS if s.id == "hair_colour")
    assert agreement(spec, [("G1", "onbekend"), ("G2", "")]) is None
    field = agreement(spec, [("G1", "zwart"), ("G2", "onbekend")])
    assert field is not None and field.status == Status.SINGLE


def test_it_merges_the_same_person_seen_by_three_witnesses_with_one_conflict() -> None:
    result = run(
        statement("G1", 0, persons=[person()]),
        statement("G2", 10, persons=[person(height={"min": 180, "max": 180}, top_colour="zwarte")]),
        statement("G3", 20, persons=[person(height={"min": 172, "max": 175}, first_seen="22:45")]),
    )
    assert len(result.persons) == 1
    p1 = result.persons[0]
    assert p1.ref == "P1" and p1.witnesses == ["G1", "G2", "G3"]
    fields = p1.field_map
    assert fields["height"].status == Status.DIFFER
    assert fields["height"].summary() == "170-175 cm (G1, G3) · 180 cm (G2)"
    assert fields["top_colour"].status == Status.AGREE
    assert fields["gender"].best.display == "Man"
    assert fields["first_seen"].best.display == "22:40-22:45"
    assert [d.id for d in p1.differences] == ["height"]


def test_it_keeps_two_people_described_by_one_witness_apart() -> None:
    result = run(statement("G1", 0, persons=[person(), person(top_colour="zwart", height={"min": 172, "max": 174})]))
    assert [p.ref for p in result.persons] == ["P1", "P2"]


def test_it_never_merges_a_man_and_a_woman() -> None:
    result = run(
        statement("G1", 0, persons=[person()]),
        statement("G2", 5, persons=[person(gender="vrouw")]),
    )
    assert len(result.persons) == 2


def test_it_keeps_clearly_different_people_apart() -> None:
    other = person(
        behaviour="Stond op de uitkijk bij de bushalte",
        height={"min": 190, "max": 195},
        build="zwaar",
        top_type="parka",
        top_colour="rood",
        trousers="blauwe spijkerbroek",
        first_seen="23:20",
        age_range={"min": 45, "max": 55},
    )
    result = run(statement("G1", 0, persons=[person()]), statement("G2", 5, persons=[other]))
    assert len(result.persons) == 2


def test_it_joins_a_new_witness_to_the_person_they_resemble_most() -> None:
    tall = person(
        height={"min": 190, "max": 195}, top_colour="rood", top_type="parka", build="zwaar", first_seen="23:20"
    )
    result = run(
        statement("G1", 0, persons=[person(), tall]),
        statement(
            "G2",
            5,
            persons=[
                person(
                    height={"min": 191, "max": 193},
                    top_colour="rode",
                    top_type="parka",
                    build="zwaar",
                    first_seen="23:15",
                )
            ],
        ),
    )
    assert len(result.persons) == 2
    joined = next(p for p in result.persons if "G2" in p.witnesses)
    assert joined.field_map["top_colour"].status == Status.AGREE
    assert joined.field_map["height"].best.display == "190-195 cm"


def test_it_merges_vehicles_on_a_partial_kenteken_and_splits_on_conflicting_ones() -> None:
    result = run(
        statement("G1", 0, vehicles=[vehicle(plate="XJ-..-4")]),
        statement("G2", 5, vehicles=[vehicle(plate="XJ-123-4", vehicle_colour="donkergrijs")]),
        statement("G3", 10, vehicles=[vehicle(plate="GH-456-7")]),
    )
    assert len(result.vehicles) == 2
    v1, v2 = result.vehicles
    assert v1.witnesses == ["G1", "G2"] and v1.field_map["plate"].best.value == "XJ-123-4"
    assert v1.field_map["plate"].status == Status.AGREE
    assert v2.witnesses == ["G3"]


def test_similarity_is_none_when_kentekens_conflict() -> None:
    assert similarity(VEHICLE_FIELDS, vehicle(plate="XJ-123-4"), vehicle(plate="GH-456-7")) is None
    score = similarity(VEHICLE_FIELDS, vehicle(plate="XJ-123-4"), vehicle(plate="XJ-..-4"))
    assert score is not None and score > 2


def test_it_computes_completeness_and_missing_key_fields() -> None:
    result = run(statement("G1", 0, persons=[{"behaviour": "rende weg", "gender": "man", "provenance": "camera"}]))
    p1 = result.persons[0]
    missing = {m.id for m in p1.missing_key_fields()}
    assert "height" in missing and "shoes" in missing and "behaviour" not in missing
    assert 0 < p1.completeness < 0.3
    assert p1.provenance == [("G1", "camera", "")]


def test_the_timeline_places_clock_times_near_the_incident_and_sorts_them() -> None:
    result = run(
        statement("G1", 0, what="Hoorde glas breken", what_time="23:10", persons=[person(first_seen="22:40")]),
        statement("G2", 5, what="Zag een auto wegrijden", what_time="00:15", vehicles=[vehicle()]),
        statement("G3", 10, unusual_before="ja", unusual_before_what="Iemand keek rond bij de schuren"),
        tips=[TipNote(ref="T1", text="Ik zag een grijze Golf", received_at=NOW)],
    )
    kinds = [(e.kind, e.witness) for e in result.timeline]
    assert kinds[0] == ("incident", "")
    times = [e.at for e in result.timeline if e.at is not None]
    assert times == sorted(times)
    after_midnight = next(e for e in result.timeline if e.text.startswith("Zag een auto"))
    assert after_midnight.at == datetime(2026, 3, 11, 0, 15, tzinfo=AMS)
    assert result.timeline[-1].kind == "before" and result.timeline[-1].at is None
    assert any(e.kind == "tip" and e.witness == "T1" for e in result.timeline)
    assert any(e.signalement == "P1" and e.kind == "person" for e in result.timeline)


def test_place_time_picks_the_day_before_for_an_evening_time_of_a_night_window() -> None:
    start = datetime(2026, 3, 11, 1, 0, tzinfo=AMS)
    end = datetime(2026, 3, 11, 3, 0, tzinfo=AMS)
    assert place_time("23:50", start, end) == datetime(2026, 3, 10, 23, 50, tzinfo=AMS)
    assert place_time("2:00", start, end) is None


def test_camera_leads_are_sorted_by_urgency_with_expired_ones_last() -> None:
    result = run(
        statement("G1", 0, has_camera="ja", camera_retention_days=30, camera_share="ja", camera_direction="straat"),
        statement("G2", 5, has_camera="ja", camera_retention_days=2, camera_share="weet_niet"),
        statement("G3", 10, has_camera="ja", camera_share="ja"),
        statement("G4", 15, has_camera="ja", camera_retention_days=0, camera_share="ja"),
        statement("G5", 20, has_camera="nee"),
    )
    leads = result.camera_leads
    assert [lead.witness for lead in leads] == ["G2", "G3", "G1", "G4"]
    assert leads[0].is_urgent(NOW) and leads[-1].is_expired(NOW)
    assert leads[1].retention_assumed and leads[1].retention_days is None
    assert leads[2].direction == "straat" and leads[2].address_label == "Lindenlaan 2"


def test_hours_to_first_door_come_from_the_coverage() -> None:
    coverage = CoverageFigures(doors_planned=10, first_visit_at=UNTIL + timedelta(hours=5))
    assert run(coverage=coverage).hours_to_first_door == pytest.approx(5.0)
    assert run().hours_to_first_door is None


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("grijze", "grijs"),
        ("rode", "rood"),
        ("witte", "wit"),
        ("zwarte", "zwart"),
        ("gele", "geel"),
        ("lange", "lang"),
        ("oranje", "oranje"),
    ],
)
def test_it_stems_inflected_dutch_adjectives(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_short_descriptions_match_on_meaning_not_spelling() -> None:
    assert similar("zwart", "Zwarte hoodie")
    assert similar("donkerblauwe jas", "blauw")
    assert not similar("rode jas", "blauwe jas")
    assert not similar("witte sneakers", "zwarte laarzen")


def test_merged_values_follow_the_majority() -> None:
    result = run(
        statement("G1", 0, persons=[person(build="slank")]),
        statement("G2", 5, persons=[person(build="normaal")]),
        statement("G3", 10, persons=[person(build="normaal")]),
    )
    assert result.persons[0].kind == PERSON
    assert result.persons[0].merged()["build"] == "normaal"
