from __future__ import annotations

import csv
import json

import pytest
from openpyxl import Workbook

from buurtonderzoek.questionnaires import engine
from buurtonderzoek.questionnaires.models import QuestionnaireVersion
from buurtonderzoek.questionnaires.submissions import convert, read_export, rows_to_answers, rows_to_submissions

BASE = {
    "door-respondent_type": "bewoner",
    "door-privacy_notice_shown": "nee",
    "observations-present": "ja",
    "observations-seen_anything": "ja",
    "observations-what": "Glasgerinkel en iemand die wegrende",
    "observations-what_time": "02:40:00.000+01:00",
    "observations-what_point": "52.09 5.12 0 8",
    "observations-persons_count": "1",
    "observations-vehicles_seen": "nee",
    "cameras-has_camera": "ja",
    "cameras-camera_view": "straat oprit",
    "cameras-camera_retention_days": "7",
    "consent-contact_consent": "nee",
    "context-context_incident_type": "autokraak",
}
PERSON = {
    "behaviour": "Rende weg met een tas",
    "age_range-age_range__min": "20",
    "age_range-age_range__max": "30",
    "top_colour": "rode jas",
    "shoes": "witte sneakers",
    "provenance": "eigen_waarneming",
    "certainty": "zeker",
}


@pytest.fixture
def version(db):
    return QuestionnaireVersion.objects.latest_published("buurtonderzoek")


def test_it_loads_an_odk_central_export_with_a_repeat_table(version):
    main = [{**BASE, "meta-instanceID": "uuid:abc", "KEY": "uuid:abc"}]
    persons = [{**PERSON, "PARENT_KEY": "uuid:abc", "KEY": "uuid:abc/persons[1]"}]
    [submission] = rows_to_submissions(version, main, repeats={"buurtonderzoek-persons.csv": persons})
    assert submission.errors == {}
    assert submission.instance_id == "abc"
    assert submission.context == {"incident_type": "autokraak"}
    answers = submission.answers
    assert answers["what_time"] == "02:40"
    assert answers["what_point"] == {"lat": 52.09, "lon": 5.12, "accuracy": 8.0}
    assert answers["persons_count"] == 1
    assert answers["camera_view"] == ["straat", "oprit"]
    assert answers["persons"] == [
        {
            "behaviour": "Rende weg met een tas",
            "age_range": {"min": 20, "max": 30},
            "top_colour": "rode jas",
            "shoes": "witte sneakers",
            "provenance": "eigen_waarneming",
            "certainty": "zeker",
        }
    ]
    assert "door-respondent_type" not in answers


def test_it_links_kobo_repeat_sheets_by_index(version, tmp_path):
    wb = Workbook()
    main = wb.active
    assert main is not None
    main.title = "buurtonderzoek"
    columns = [k.replace("-", "/") for k in BASE] + ["_index", "_uuid"]
    main.append(columns)
    main.append([*BASE.values(), 1, "u-1"])
    main.append([*BASE.values(), 2, "u-2"])
    sheet = wb.create_sheet("persons")
    person_columns = [f"observations/persons/{k.replace('-', '/')}" for k in PERSON]
    sheet.append([*person_columns, "_parent_index", "_parent_table_name", "_index"])
    sheet.append([*PERSON.values(), 2, "buurtonderzoek", 1])
    sheet.append([*{**PERSON, "top_colour": "blauwe jas"}.values(), 2, "buurtonderzoek", 2])
    path = tmp_path / "kobo.xlsx"
    wb.save(path)
    rows, repeats = read_export(path)
    results = rows_to_submissions(version, rows, repeats=repeats)
    assert [s.instance_id for s in results] == ["u-1", "u-2"]
    assert "persons" not in results[0].answers
    assert results[0].errors == {}
    assert [p["top_colour"] for p in results[1].answers["persons"]] == ["rode jas", "blauwe jas"]
    assert results[1].errors == {}


def test_it_reads_repeats_given_as_json(version):
    row = {**BASE, "observations-persons": json.dumps([{f"observations/persons/{k}": v for k, v in PERSON.items()}])}
    [(answers, errors)] = rows_to_answers(version, [row])
    assert errors == {}
    assert answers["persons"][0]["age_range"] == {"min": 20, "max": 30}


def test_it_validates_loaded_answers_with_the_engine(version):
    row = {**BASE, "observations-seen_anything": "misschien", "cameras-camera_retention_days": "zeven"}
    [(answers, errors)] = rows_to_answers(version, [row])
    assert errors["seen_anything"] == ["Kies een van de gegeven antwoorden."]
    assert errors["camera_retention_days"] == ["Vul een getal in."]
    # Skip logic applies as in the app: what was asked after "ja" is dropped.
    assert "what" not in answers


def test_it_applies_anti_profiling_to_loaded_person_blocks(version):
    main = [{**BASE, "KEY": "k"}]
    persons = [{"PARENT_KEY": "k", "gender": "man", "appearance": "Oost-Europees type", "provenance": "camera",
                "certainty": "onzeker"}]  # fmt: skip
    [(_answers, errors)] = rows_to_answers(version, main, repeats={"persons": persons})
    assert "persons.0.behaviour" in errors
    assert any("afkomst" in m for m in errors["persons.0.appearance"])


def test_a_context_argument_overrides_the_export(version):
    [submission] = rows_to_submissions(version, [BASE], context={"incident_type": "fietsdiefstal"})
    assert submission.context == {"incident_type": "fietsdiefstal"}


def test_it_reads_a_semicolon_csv(version, tmp_path):
    path = tmp_path / "export.csv"
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(BASE), delimiter=";")
        writer.writeheader()
        writer.writerow({**BASE, "observations-seen_anything": "nee"})
    rows, repeats = read_export(path)
    assert repeats == {}
    [(answers, errors)] = rows_to_answers(version, rows)
    assert errors == {}
    assert answers["seen_anything"] == "nee"


@pytest.mark.parametrize(
    ("qtype", "extra", "value", "expected"),
    [
        ("number", {"integer": True}, "3", 3),
        ("number", {}, "2,5", 2.5),
        ("number", {}, 4.0, 4),
        ("time", {}, "9:05", "09:05"),
        ("date", {}, "2024-05-01T00:00:00", "2024-05-01"),
        ("point", {}, "52.1 5.2", {"lat": 52.1, "lon": 5.2}),
        ("point", {}, "nergens", "nergens"),
        ("text", {}, 12.0, "12"),
        ("text", {}, "  ", None),
    ],
)
def test_it_converts_exported_values(qtype, extra, value, expected):
    q = engine.Question(id="q", type=qtype, label="Q", **extra)
    assert convert(q, value) == expected
