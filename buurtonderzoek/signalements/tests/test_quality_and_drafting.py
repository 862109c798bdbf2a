"""Quality score and alert drafting on plain data."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import translation

from buurtonderzoek.signalements import drafting, quality
from buurtonderzoek.signalements.consolidation import CoverageFigures
from buurtonderzoek.signalements.tests.test_consolidation import FROM, UNTIL, person, run, statement, vehicle

TIP = "https://example.nl/tip/abc123/"


def coverage(**kwargs):
    base: dict[str, Any] = {
        "doors_planned": 100,
        "doors_visited": 90,
        "doors_spoken": 40,
        "first_visit_at": UNTIL + timedelta(hours=3),
    }
    base.update(kwargs)
    return CoverageFigures(**base)


def test_a_fast_complete_consistent_canvass_scores_well() -> None:
    full = person(
        hair_colour="zwart",
        shoes="witte sneakers",
        transport="te_voet",
        person_direction="richting park",
        age_range={"min": 20, "max": 25},
    )
    result = run(statement("G1", 0, persons=[full]), statement("G2", 5, persons=[full]), coverage=coverage())
    q = quality.score(result)
    assert q.score >= 90 and q.grade_key == "good"
    parts = {p.key: p for p in q.parts}
    assert parts["timeliness"].score == 100 and parts["consistency"].score == 100
    assert "90 van de 100 deuren bezocht (90%)." in parts["coverage"].reasons


def test_a_late_canvass_loses_points_on_timeliness_with_advice() -> None:
    result = run(statement("G1", 0, persons=[person()]), coverage=coverage(first_visit_at=UNTIL + timedelta(hours=72)))
    part = {p.key: p for p in quality.score(result).parts}["timeliness"]
    assert part.score == 60
    assert "72 uur" in part.reasons[0]
    assert any("binnen 24 uur" in a for a in part.advice)


def test_differences_between_witnesses_lower_consistency_and_are_named() -> None:
    result = run(
        statement("G1", 0, persons=[person()]),
        statement("G2", 5, persons=[person(height={"min": 180, "max": 180})]),
        statement("G3", 9, persons=[person(height={"min": 172, "max": 175})]),
        coverage=coverage(),
    )
    part = {p.key: p for p in quality.score(result).parts}["consistency"]
    assert part.score < 100
    assert any("170-175 cm (G1, G3) · 180 cm (G2)" in r for r in part.reasons)
    assert part.advice


def test_parts_that_cannot_be_judged_drop_out_instead_of_scoring_zero() -> None:
    result = run(statement("G1", 0), coverage=coverage())
    q = quality.score(result)
    parts = {p.key: p for p in q.parts}
    assert not parts["completeness"].applicable and not parts["consistency"].applicable
    coverage_score, timeliness_score = parts["coverage"].score, parts["timeliness"].score
    assert q.score == round((coverage_score * 30 + timeliness_score * 25) / 55)


def test_pending_reviews_and_open_doors_become_advice() -> None:
    result = run(coverage=coverage(doors_visited=50, doors_revisit=12, statements_pending=3))
    q = quality.score(result)
    assert any("50 deuren die nog open staan" in a for a in q.advice)
    assert any("12 deuren" in a for a in q.advice)
    assert any("3 gesprekken" in a for a in q.advice)


def test_no_doors_visited_scores_zero_on_timeliness() -> None:
    q = quality.score(run(coverage=CoverageFigures(doors_planned=40)))
    assert {p.key: p.score for p in q.parts}["timeliness"] == 0 and q.score == 0


def place() -> drafting.Place:
    return drafting.Place(street="Lindenlaan", buurt="Lindenhoven-Noord", woonplaats="Demodorp")


def test_the_draft_describes_behaviour_first_and_ends_with_the_tip_link() -> None:
    with translation.override("nl"):
        result = run(statement("G1", 0, persons=[person(shoes="witte sneakers")]))
        text = drafting.draft_text(
            result.persons[0],
            incident_type_label="Woninginbraak",
            occurred_from=FROM,
            occurred_until=UNTIL,
            place=place(),
            tip_url=TIP,
        )
    lines = text.splitlines()
    assert lines[0] == (
        "Op dinsdag 10 maart tussen 22:00 en 23:30 was er een woninginbraak aan de Lindenlaan in "
        "Lindenhoven-Noord (Demodorp)."
    )
    assert lines[2] == "Wat de persoon deed: trok aan deurklinken van auto's."
    assert "170-175 cm lang" in text and "hoodie (zwart)" in text and "witte sneakers" in text
    assert f"Laat het weten via {TIP}" in text
    assert drafting.check_text(text, tip_url=TIP, streets=["Lindenlaan"]) == []


def test_the_draft_of_a_vehicle_names_a_partial_kenteken_as_partial() -> None:
    result = run(statement("G1", 0, vehicles=[vehicle(plate="XJ-..-4")]))
    text = drafting.draft_text(
        result.vehicles[0],
        incident_type_label="Autokraak",
        occurred_from=FROM,
        occurred_until=UNTIL,
        place=place(),
        tip_url=TIP,
    )
    assert "Kenteken (gedeeltelijk): XJ-..-4." in text and "Volkswagen Golf (kleur grijs, auto)" in text


def test_the_check_refuses_house_numbers_names_contact_data_and_small_figures() -> None:
    body = (
        f"Bij Lindenlaan 12 (1234 AB) zag Jan de Vries iets. Drie getuigen zagen hem. Bel 06-12345678 "
        f"of mail jan@example.nl. Foto: https://foto.example/x.jpg {TIP}"
    )
    errors = " ".join(drafting.check_text(body, tip_url=TIP, witness_names=["Jan de Vries"], streets=["Lindenlaan"]))
    for fragment in (
        "huisnummers",
        "postcode",
        "naam van een getuige",
        "e-mailadres",
        "telefoonnummer",
        "afbeeldingen",
        "onder de tien",
    ):
        assert fragment in errors


def test_the_check_refuses_origin_labels_and_a_missing_tip_link() -> None:
    errors = drafting.check_text("Een man van het Oost-Europese type liep weg.", tip_url=TIP)
    assert any("Oost-Europees" in e or "oost-europese type" in e.lower() for e in errors)
    assert any(TIP in e for e in errors)


def test_the_check_allows_the_emergency_number_and_large_figures() -> None:
    assert drafting.check_text(f"Wij spraken 120 bewoners. Bel 112 bij spoed. {TIP}", tip_url=TIP) == []


def test_check_signalement_applies_the_anti_profiling_rules_to_the_merged_description() -> None:
    thin = run(
        statement(
            "G1",
            0,
            persons=[
                {
                    "behaviour": "liep weg",
                    "gender": "man",
                    "appearance": "donkere huid",
                    "provenance": "camera",
                    "certainty": "zeker",
                }
            ],
        )
    )
    assert drafting.check_signalement(thin.persons[0])
    rich = run(statement("G1", 0, persons=[person()]))
    assert drafting.check_signalement(rich.persons[0]) == []
    vehicles = run(statement("G1", 0, vehicles=[vehicle()]))
    assert drafting.check_signalement(vehicles.vehicles[0]) == []


def test_whatsapp_links_carry_the_text_encoded() -> None:
    assert drafting.whatsapp_url("Getuigen gezocht & meer") == "https://wa.me/?text=Getuigen%20gezocht%20%26%20meer"


def test_every_refusal_of_the_check_has_an_english_translation() -> None:
    body = (
        f"Bij Lindenlaan 12 (1234 AB) zag Jan de Vries iets. Drie getuigen zagen hem. Bel 06-12345678 "
        f"of mail jan@example.nl. Foto: https://foto.example/x.jpg {TIP}"
    )
    with translation.override("nl"):
        dutch = drafting.check_text(body, tip_url=TIP, witness_names=["Jan de Vries"], streets=["Lindenlaan"])
    with translation.override("en"):
        english = drafting.check_text(body, tip_url=TIP, witness_names=["Jan de Vries"], streets=["Lindenlaan"])
    assert len(english) == len(dutch) >= 7
    assert not set(english) & set(dutch)
    assert any("below ten (“Drie getuigen”)" in message for message in english)
