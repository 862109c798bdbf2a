from __future__ import annotations

import dataclasses
from io import StringIO

import pytest
from django.core.management import call_command

from buurtonderzoek.questionnaires import engine
from buurtonderzoek.questionnaires.models import QuestionnaireVersion
from buurtonderzoek.questionnaires.standard import STANDARD, canvass, load_standard_questionnaires, monitor

CANVASS = engine.parse(canvass.schema())
MONITOR = engine.parse(monitor.schema())

PERSON = {
    "behaviour": "Liep langs de auto's en trok aan de portieren",
    "gender": "man",
    "age_range": {"min": 20, "max": 30},
    "height": {"min": 175, "max": 185},
    "top_type": "hoodie",
    "top_colour": "grijs",
    "shoes": "witte sneakers",
    "provenance": "eigen_waarneming",
    "certainty": "redelijk_zeker",
}
VEHICLE = {
    "vehicle_type": "scooter",
    "plate": "D-12*-XY",
    "plate_complete": "deels",
    "vehicle_colour": "zwart",
    "vehicle_provenance": "eigen_waarneming",
    "vehicle_certainty": "zeker",
}
FULL = {
    "respondent_type": "bewoner",
    "privacy_notice_shown": "ja",
    "privacy_notice_version": "2025-01",
    "present": "ja",
    "seen_anything": "ja",
    "what": "Twee mensen bij de auto's, glasgerinkel",
    "what_time": "02:40",
    "what_point": {"lat": 52.09, "lon": 5.12},
    "persons_count": 1,
    "persons": [PERSON],
    "vehicles_seen": "ja",
    "vehicles": [VEHICLE],
    "flight_direction": "Richting het park",
    "car_taken": "Een tas",
    "car_damage": "ja",
    "car_damage_details": "Zijruit blauwe Golf ingeslagen",
    "unusual_before": "nee",
    "other_witnesses": "nee",
    "has_camera": "ja",
    "camera_view": ["straat"],
    "camera_retention_days": 7,
    "camera_in_beeld": "weet_niet",
    "camera_share": "ja",
    "contact_consent": "ja",
    "contact_name": "J. Jansen",
    "contact_method": "telefoon",
    "contact_phone": "06 12345678",
    "wants_outcome": "ja",
    "pulse_ok": "ja",
    "unsafe_buurt": "nee",
    "mark_safety": 7,
    "buurt_change": "gelijk",
}
AUTOKRAAK = {"incident_type": "autokraak"}


def test_it_accepts_a_complete_canvass_interview():
    assert engine.validate(CANVASS, FULL, AUTOKRAAK) == {}
    assert engine.clean(CANVASS, FULL, AUTOKRAAK) == FULL


def test_it_keeps_the_interview_short_when_nothing_was_seen():
    answers = {"respondent_type": "bewoner", "privacy_notice_shown": "nee", "present": "nee", "seen_anything": "nee"}
    shown = engine.relevant_ids(CANVASS, answers, AUTOKRAAK)
    assert not {"what", "persons", "vehicles", "flight_direction", "persons_count"} & shown
    assert engine.validate(CANVASS, answers, AUTOKRAAK) == {
        "has_camera": ["Kies een antwoord."],
        "contact_consent": ["Kies een antwoord."],
    }


def test_it_asks_for_contact_details_only_after_consent():
    without = engine.relevant_ids(CANVASS, {"contact_consent": "nee"})
    assert not {"contact_name", "contact_phone", "contact_email"} & without
    answers = {**FULL, "contact_consent": "nee"}
    cleaned = engine.clean(CANVASS, answers, AUTOKRAAK)
    assert "contact_name" not in cleaned
    assert "contact_phone" not in cleaned
    assert engine.validate(CANVASS, {**FULL, "contact_phone": ""}, AUTOKRAAK) == {
        "contact_phone": ["Vul hier uw antwoord in."]
    }


@pytest.mark.parametrize(
    ("incident_type", "expected", "absent"),
    [
        ("fietsdiefstal", {"bike_make", "bike_colour", "bike_lock"}, {"car_taken", "entry_point"}),
        ("autokraak", {"car_taken", "car_damage"}, {"bike_make", "sounds_heard"}),
        ("woninginbraak", {"entry_point", "sounds_heard"}, {"bike_lock", "car_damage"}),
        ("poging_woninginbraak", {"entry_point", "sounds_heard"}, {"car_taken"}),
        ("vernieling", set(), {"bike_make", "car_taken", "entry_point"}),
    ],
)
def test_it_adds_questions_for_the_incident_type(incident_type, expected, absent):
    shown = engine.relevant_ids(CANVASS, {}, {"incident_type": incident_type})
    assert expected <= shown
    assert not absent & shown


def test_it_has_every_signalement_field_of_the_domain():
    person = CANVASS.questions["persons"]
    ids = [child.id for child in person.children]
    assert ids[0] == "behaviour"
    assert set(ids) >= {
        "gender", "age_range", "height", "build", "hair_colour", "hair_length", "hair_style", "facial_hair",
        "glasses", "face_covering", "notable_features", "headwear", "top_type", "top_colour", "top_brand",
        "top_print", "trousers", "shoes", "bag", "marks", "gait", "language", "behaviour", "objects",
        "appearance", "first_seen", "last_seen", "transport", "person_direction", "provenance", "certainty",
    }  # fmt: skip
    vehicle = {child.id for child in CANVASS.questions["vehicles"].children}
    assert vehicle >= {"plate", "plate_complete", "plate_country", "make_model", "vehicle_colour", "vehicle_type",
                       "vehicle_marks", "occupants", "vehicle_direction"}  # fmt: skip
    assert {"camera_retention_days", "camera_in_beeld", "camera_share", "privacy_notice_version"} <= set(
        CANVASS.questions
    )


def test_it_refuses_a_profiling_person_block_in_the_standard_questionnaire():
    profiled = {"gender": "man", "age_range": {"min": 18, "max": 25}, "appearance": "Noord-Afrikaans uiterlijk",
                "provenance": "eigen_waarneming", "certainty": "zeker"}  # fmt: skip
    errors = engine.validate(CANVASS, {**FULL, "persons": [profiled]}, AUTOKRAAK)
    assert "persons.0.behaviour" in errors
    assert "persons.0" in errors
    assert any("afkomst" in m for m in errors["persons.0.appearance"])


def test_it_refuses_origin_labels_in_any_canvass_text():
    errors = engine.validate(CANVASS, {**FULL, "what": "Twee Oost-Europese types bij de auto"}, AUTOKRAAK)
    assert list(errors) == ["what"]
    assert "oost-europese types" in errors["what"][0]


def test_it_marks_monitor_indicators_for_the_statistics():
    indicators = MONITOR.indicators()
    assert set(indicators) >= {
        "unsafe_general", "unsafe_general_frequency", "unsafe_buurt", "unsafe_buurt_frequency", "mark_safety",
        "mark_liveability", "buurt_change", "cohesion_vm2021", "nuisance", "nuisance_priority", "victimisation",
        "reported", "watch_aware", "watch_trust",
    }  # fmt: skip
    # The six social cohesion statements of the CBS Veiligheidsmonitor from 2021 on, one reversed.
    cohesion = [MONITOR.questions[qid] for qid in indicators["cohesion_vm2021"]]
    assert len(cohesion) == 6
    assert [q.meta["reversed"] for q in cohesion] == [True, False, False, False, False, False]
    # Age group and sex are asked for the weighting, optional and with "zeg ik liever niet"; no indicator.
    for qid in ("age_group", "sex"):
        question = MONITOR.questions[qid]
        assert not question.required and "liever_niet" in question.choice_values and "indicator" not in question.meta
    assert MONITOR.questions["age_group"].choice_values[:4] == ("15_24", "25_44", "45_64", "65_plus")
    assert all((q.min, q.max) == (1, 5) for q in cohesion)
    assert len(indicators["nuisance"]) == 6


def test_it_shares_pulse_indicators_between_canvass_and_monitor():
    assert set(CANVASS.indicators()) <= set(MONITOR.indicators())


def test_it_shows_the_monitor_follow_up_only_after_a_yes():
    assert "unsafe_buurt_frequency" not in engine.relevant_ids(MONITOR, {"unsafe_buurt": "nee"})
    assert "unsafe_buurt_frequency" in engine.relevant_ids(MONITOR, {"unsafe_buurt": "ja"})
    assert "reported_burglary" in engine.relevant_ids(MONITOR, {"victim_burglary": "ja"})
    assert engine.validate(MONITOR, {"unsafe_general": "nee", "unsafe_buurt": "ja", "mark_safety": 11}) == {
        "mark_safety": ["Kies een waarde van 1 tot en met 10."]
    }


def test_the_migration_published_both_standard_questionnaires(db):
    for standard in STANDARD:
        version = QuestionnaireVersion.objects.latest_published(standard.slug)
        assert version.schema == standard.schema()
        assert version.questionnaire.purpose == standard.purpose


def test_loading_again_changes_nothing(db):
    before = QuestionnaireVersion.objects.count()
    results = load_standard_questionnaires()
    assert all(not r.created for r in results)
    assert QuestionnaireVersion.objects.count() == before


def test_loading_a_changed_standard_publishes_the_next_version(db, monkeypatch):
    original = canvass.schema

    def changed():
        schema = original()
        schema["sections"][0]["title"] = "Aan de deur (nieuw)"
        return schema

    old = QuestionnaireVersion.objects.latest_published("buurtonderzoek")
    patched = (dataclasses.replace(STANDARD[0], schema=changed), *STANDARD[1:])
    monkeypatch.setattr("buurtonderzoek.questionnaires.standard.STANDARD", patched)
    out = StringIO()
    call_command("load_standard_questionnaires", stdout=out)
    new = QuestionnaireVersion.objects.latest_published("buurtonderzoek")
    assert new.number == old.number + 1
    assert new.schema["sections"][0]["title"] == "Aan de deur (nieuw)"
    assert "buurtonderzoek: versie 2 (nieuw gepubliceerd)" in out.getvalue()
    assert "communitymonitor: versie 1 (al actueel)" in out.getvalue()
