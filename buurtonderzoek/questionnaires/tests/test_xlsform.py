from __future__ import annotations

import io
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook
from pyxform import xls2xform

from buurtonderzoek.questionnaires import engine
from buurtonderzoek.questionnaires.models import QuestionnaireVersion, VersionStatus
from buurtonderzoek.questionnaires.standard import STANDARD
from buurtonderzoek.questionnaires.xlsform import (
    XLSFormError,
    export_rows,
    export_xlsform,
    import_xlsform,
    xpath_to_expression,
)

CORPUS = Path("/work/shared/data/realworld/xlsform")


def _workbook(survey, choices=(), settings=(("form_title", "form_id", "version"), ("Test", "test", "3")), **extra):
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.title = "survey"
    for row in survey:
        sheet.append(list(row))
    if choices:
        c = wb.create_sheet("choices")
        for row in choices:
            c.append(list(row))
    s = wb.create_sheet("settings")
    for row in settings:
        s.append(list(row))
    for name, rows in extra.items():
        sheet = wb.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    stream = io.BytesIO()
    wb.save(stream)
    stream.seek(0)
    return stream


@pytest.mark.parametrize("standard", STANDARD, ids=[s.slug for s in STANDARD])
def test_it_exports_a_form_that_pyxform_converts(standard, tmp_path, db):
    version = QuestionnaireVersion.objects.latest_published(standard.slug)
    path = tmp_path / "form.xlsx"
    export_xlsform(version, path)
    result = xls2xform.convert(xlsform=str(path), validate=False)
    xform = result.xform
    assert f'id="{standard.slug}"' in xform
    assert 'version="1"' in xform
    if standard.slug == "buurtonderzoek":
        assert '<repeat nodeset="/data/observations/persons">' in xform
        assert "relevant=\" /data/observations/seen_anything  = 'ja'\"" in xform
        assert "/data/context/context_incident_type" in xform
    else:
        assert "cohesion_know_each_other" in xform
    sheets = load_workbook(path).sheetnames
    assert sheets == ["survey", "choices", "settings"]


@pytest.mark.parametrize("standard", STANDARD, ids=[s.slug for s in STANDARD])
def test_export_then_import_gives_the_same_schema(standard, tmp_path, db):
    version = QuestionnaireVersion.objects.latest_published(standard.slug)
    path = tmp_path / "form.xlsx"
    export_xlsform(version, path)
    result = import_xlsform(path)
    assert result.schema == version.schema
    assert (result.form_id, result.version) == (standard.slug, "1")


def test_it_exports_skip_logic_as_xlsform_syntax():
    schema = {
        "sections": [
            {
                "id": "s",
                "title": "S",
                "questions": [
                    {"id": "a", "type": "single", "label": "A", "choices": [["ja", "Ja"], ["nee", "Nee"]]},
                    {"id": "b", "type": "multiple", "label": "B", "choices": [["auto", "Auto"], ["fiets", "Fiets"]]},
                    {"id": "n", "type": "number", "label": "N", "min": 0, "max": 9, "integer": True},
                    {
                        "id": "c",
                        "type": "text",
                        "label": "C",
                        "relevant": {
                            "and": [
                                {"==": [{"var": "a"}, "ja"]},
                                {"in": ["auto", {"var": "b"}]},
                                {"not": {"empty": {"var": "n"}}},
                                {">=": [{"count": {"var": "b"}}, 1]},
                            ]
                        },
                        "incident_types": ["fietsdiefstal"],
                    },
                ],
            }
        ]
    }
    rows = {row["name"]: row for row in export_rows(schema, form_id="t", title="T", version="1")["survey"]}
    assert rows["c"]["relevant"] == (
        "(${context_incident_type} = 'fietsdiefstal') and "
        "((${a} = 'ja' and selected(${b}, 'auto') and not(${n} = '') and count-selected(${b}) >= 1))"
    )
    assert rows["n"]["type"] == "integer"
    assert rows["n"]["constraint"] == "(. >= 0) and (. <= 9)"
    assert rows["context_incident_type"]["type"] == "select_one context_incident_type"


@pytest.mark.parametrize(
    ("xpath", "expected"),
    [
        ("${a} = 'ja'", {"==": [{"var": "a"}, "ja"]}),
        ("${a} != 'ja' and ${n} > 2", {"and": [{"!=": [{"var": "a"}, "ja"]}, {">": [{"var": "n"}, 2]}]}),
        (
            "selected(${b}, 'auto') or not(${c} = '')",
            {"or": [{"in": ["auto", {"var": "b"}]}, {"not": {"empty": {"var": "c"}}}]},
        ),
        ("count(${persons}) >= 1", {">=": [{"count": {"var": "persons"}}, 1]}),
        ("count-selected(${b}) = 2", {"==": [{"count": {"var": "b"}}, 2]}),
        ("${x} = ''", {"empty": {"var": "x"}}),
        ('(${a} = "it\'s")', {"==": [{"var": "a"}, "it's"]}),
        ("${context_incident_type} = 'autokraak'", {"==": [{"var": "context.incident_type"}, "autokraak"]}),
        ("${n} <= 2.5", {"<=": [{"var": "n"}, 2.5]}),
    ],
)
def test_it_translates_supported_xpath(xpath, expected):
    assert xpath_to_expression(xpath) == expected


@pytest.mark.parametrize(
    ("xpath", "fragment"),
    [
        ("${a} + 1 > 2", "rekenen"),
        ("${a} div 2 > 1", "rekenen"),
        ("if(${a} = 'ja', 1, 0)", "if()"),
        ("jr:choice-name(${a}, '${a}')", "jr:choice-name()"),
        ("${a} = ", "onverwacht"),
    ],
)
def test_it_names_unsupported_xpath(xpath, fragment):
    with pytest.raises(ValueError, match=fragment):
        xpath_to_expression(xpath)


def test_it_imports_a_form_made_in_kobo():
    stream = _workbook(
        [
            (
                "type",
                "name",
                "label::Nederlands (nl)",
                "label::English (en)",
                "required",
                "relevant",
                "constraint",
                "appearance",
                "parameters",
            ),
            ("start", "start", "", "", "", "", "", "", ""),
            ("begin_group", "intro", "Intro", "Intro", "", "", "", "field-list", ""),
            ("select_one yn", "seen", "Iets gezien?", "Seen anything?", "yes", "", "", "", ""),
            ("text", "what", "Wat?", "What?", "yes", "${seen} = 'ja'", "", "multiline", ""),
            ("begin_group", "details", "Details", "", "", "${seen} = 'ja'", "", "", ""),
            ("integer", "count", "Hoeveel?", "", "", "", ". >= 0 and . <= 20", "", ""),
            ("end_group", "details", "", "", "", "", "", "", ""),
            ("end_group", "intro", "", "", "", "", "", "", ""),
            ("begin_repeat", "cars", "Auto's", "Cars", "", "${count} > 0", "", "", ""),
            ("text", "plate", "Kenteken", "", "", "", "", "", ""),
            ("geopoint", "where", "Waar?", "", "", "", "", "", ""),
            ("end_repeat", "cars", "", "", "", "", "", "", ""),
            ("range", "mark", "Cijfer", "", "", "", "", "", "start=1 end=10 step=1"),
            ("date", "day", "Datum", "", "", "", "", "", ""),
            ("time", "hour", "Tijd", "", "", "", "", "", ""),
            ("note", "bye", "Dank u", "", "", "", "", "", ""),
        ],
        [
            ("list_name", "name", "label::Nederlands (nl)", "label::English (en)"),
            ("yn", "ja", "Ja", "Yes"),
            ("yn", "nee", "Nee", "No"),
        ],
    )
    result = import_xlsform(stream)
    schema = engine.parse(result.schema)
    assert [s.id for s in schema.sections] == ["intro", "deel_2"]
    assert result.schema["sections"][0]["questions"][0] == {
        "id": "seen",
        "type": "single",
        "label": "Iets gezien?",
        "required": True,
        "en": {"label": "Seen anything?"},
        "choices": [["ja", "Ja", {"en": "Yes"}], ["nee", "Nee", {"en": "No"}]],
    }
    count = schema.questions["count"]
    # The flattened group's condition moved onto its question.
    assert count.relevant == {"==": [{"var": "seen"}, "ja"]}
    assert count.constraint == {"and": [{">=": [{"var": "."}, 0]}, {"<=": [{"var": "."}, 20]}]}
    assert schema.questions["what"].raw["multiline"] is True
    assert schema.questions["cars"].type == "repeat"
    assert [c.id for c in schema.questions["cars"].children] == ["plate", "where"]
    assert (schema.questions["mark"].type, schema.questions["mark"].min, schema.questions["mark"].max) == (
        "number",
        1,
        10,
    )
    assert "start" not in schema.questions
    assert engine.validate(schema, {"seen": "ja", "what": "x", "count": 25}) == {
        "count": ["Dit antwoord past niet bij de vraag. Pas het aan."]
    }


def test_it_refuses_what_it_cannot_carry_and_warns_about_what_it_leaves_out():
    stream = _workbook(
        [
            ("type", "name", "label", "calculation", "relevant", "default", "constraint"),
            ("calculate", "total", "", "1 + 1", "", "", ""),
            ("select_one_from_file streets.csv", "street", "Straat", "", "", "", ""),
            ("select_one yn", "seen", "Gezien?", "", "", "", ""),
            ("text", "what", "Wat?", "", "${seen} + 1 = 2", "", ""),
            ("text", "why", "Waarom?", "", "${total} = 2", "", ""),
            ("image", "photo", "Foto", "", "", "", ""),
            ("text", "x", "X", "", "", "iets", "string-length(.) < 5"),
        ],
        [("list_name", "name", "label"), ("yn", "ja", "Ja")],
    )
    with pytest.raises(XLSFormError) as caught:
        import_xlsform(stream)
    text = "\n".join(caught.value.errors)
    assert "Vraag 'street': keuzes uit een extern bestand worden niet ondersteund." in text
    assert "Vraag 'what': kolom 'relevant' gebruikt rekenen (+)" in text
    assert "Vraag 'why': kolom 'relevant' hangt af van 'total' (berekeningen (calculate))" in text
    assert "photo" not in text  # left out with a warning, nothing depends on it


def test_it_lists_warnings_for_what_it_leaves_out():
    stream = _workbook(
        [
            ("type", "name", "label", "default", "constraint", "required", "required_message"),
            ("start", "start", "", "", "", "", ""),
            ("image", "photo", "Foto", "", "", "", ""),
            ("text", "x", "X", "iets", "string-length(.) < 5", "yes", "Vul X in"),
        ],
    )
    result = import_xlsform(stream)
    text = "\n".join(result.warnings)
    assert "Vraag 'start': metagegevens van het toestel (start) worden niet vastgelegd" in text
    assert "Vraag 'photo': foto's, geluid, video of bestanden worden niet overgenomen; deze vraag vervalt" in text
    assert "Vraag 'x': de standaardwaarde (default) wordt niet ingevuld" in text
    assert "Vraag 'x': kolom 'constraint' gebruikt de functie string-length()" in text
    assert "required_message" in text
    assert list(engine.parse(result.schema).questions) == ["x"]


def _only(result, qid):
    return engine.parse(result.schema).questions[qid]


def test_it_reads_an_xls_workbook_as_pyxform_does():
    path = CORPUS / "XLSForm-pyxform/tests/example_xls/gps.xls"
    if not path.exists():
        pytest.skip("corpus missing")
    result = import_xlsform(path)
    assert [q.type for q in engine.parse(result.schema).iter_questions()] == ["point"]


def test_it_accepts_the_spellings_pyxform_accepts_without_a_settings_sheet():
    stream = _workbook(
        [
            ("TYPE", "NAME", "LABEL", "bind::relevant", "bind::constraint"),
            ("begin group", "g", "Groep", "", ""),
            ("select one yn", "seen", "Gezien?", "", ""),
            ("select all that apply from things", "what", "Wat?", "${seen} = \u2018ja\u2019", ""),
            ("gps", "where", "Waar?", "", ""),
            ("string", "note_text", "Tekst", "", ""),
            ("int", "n", "Aantal", "", ". > 0"),
            ("end group", "", "", "", ""),
        ],
        [
            ("list name", "name", "label"),
            ("yn", "ja", "Ja"),
            ("yn", "nee", "Nee"),
            ("things", "a", "A"),
            ("things", "b", "B"),
        ],
        settings=(),
    )
    result = import_xlsform(stream, filename="mijn_formulier.xlsx")
    schema = engine.parse(result.schema)
    assert result.form_id == "mijn_formulier"
    assert [(q.id, q.type) for q in schema.iter_questions()] == [
        ("seen", "single"),
        ("what", "multiple"),
        ("where", "point"),
        ("note_text", "text"),
        ("n", "number"),
    ]
    assert schema.questions["what"].relevant == {"==": [{"var": "seen"}, "ja"]}
    assert schema.questions["n"].constraint == {">": [{"var": "."}, 0]}
    assert schema.questions["n"].integer


def test_it_reads_single_colon_language_headers_and_names_extra_languages():
    stream = _workbook(
        [
            ("type", "name", "label:English", "label:Nederlands", "label:Français", "relevance"),
            ("integer", "n", "Number", "Aantal", "Nombre", ""),
            ("text", "t", "Text", "Tekst", "Texte", "${n} > 2"),
        ],
    )
    result = import_xlsform(stream)
    q = _only(result, "t")
    assert (q.label, q.raw["en"]["label"]) == ("Tekst", "Text")
    assert q.relevant == {">": [{"var": "n"}, 2]}
    assert any("Français" in w for w in result.warnings)


def test_readonly_and_repeat_count_are_carried_or_named():
    stream = _workbook(
        [
            ("type", "name", "label", "read_only", "repeat_count"),
            ("text", "info", "Info", "yes", ""),
            ("integer", "k", "Hoeveel?", "", ""),
            ("begin repeat", "r", "Herhaal", "", "3"),
            ("text", "x", "X", "", ""),
            ("end repeat", "", "", "", ""),
            ("begin repeat", "s", "Nog eens", "", "${k}"),
            ("text", "y", "Y", "", ""),
            ("end repeat", "", "", "", ""),
        ],
    )
    result = import_xlsform(stream)
    schema = engine.parse(result.schema)
    assert schema.questions["info"].type == "note"
    assert (schema.questions["r"].min_count, schema.questions["r"].max_count) == (3, 3)
    text = "\n".join(result.warnings)
    assert "Vraag 'info': alleen-lezen" in text
    assert "Vraag 's': het aantal herhalingen volgt in ODK uit '${k}'" in text


def test_a_select_multiple_equal_to_one_value_means_exactly_that_value():
    stream = _workbook(
        [
            ("type", "name", "label", "relevant"),
            ("select_multiple things", "m", "Wat?", ""),
            ("text", "only_a", "Alleen A", "${m} = 'a'"),
        ],
        [("list_name", "name", "label"), ("things", "a", "A"), ("things", "b", "B")],
    )
    schema = engine.parse(import_xlsform(stream).schema)
    assert "only_a" in engine.relevant_ids(schema, {"m": ["a"]})
    assert "only_a" not in engine.relevant_ids(schema, {"m": ["a", "b"]})


def test_numbers_compare_with_choices_as_xpath_does():
    stream = _workbook(
        [
            ("type", "name", "label", "relevant"),
            ("select_one n", "c", "Keuze", ""),
            ("integer", "k", "Getal", ""),
            ("text", "t", "T", "${c} = 1 and ${k} = '2'"),
        ],
        [("list_name", "name", "label"), ("n", "1", "Een"), ("n", "2", "Twee")],
    )
    schema = engine.parse(import_xlsform(stream).schema)
    assert "t" in engine.relevant_ids(schema, {"c": "1", "k": 2})


def test_it_refuses_a_file_that_is_not_a_workbook_without_a_traceback():
    with pytest.raises(XLSFormError, match="geen leesbaar XLSForm"):
        import_xlsform(io.BytesIO(b"dit is geen werkboek"))


def test_it_reports_a_schema_problem_after_import():
    stream = _workbook(
        [
            ("type", "name", "label", "relevant"),
            ("text", "a", "A", "${b} = 'x'"),
            ("text", "b", "B", ""),
        ]
    )
    with pytest.raises(XLSFormError, match="niet eerder"):
        import_xlsform(stream)


def test_it_uses_an_edited_relevant_cell_instead_of_the_stored_expression(tmp_path, db):
    version = QuestionnaireVersion.objects.latest_published("communitymonitor")
    path = tmp_path / "form.xlsx"
    export_xlsform(version, path)
    wb = load_workbook(path)
    sheet = wb["survey"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("name")].value == "unsafe_buurt_frequency":
            row[header.index("relevant")].value = "${unsafe_buurt} = 'nee'"
    wb.save(path)
    schema = engine.parse(import_xlsform(path).schema)
    assert schema.questions["unsafe_buurt_frequency"].relevant == {"==": [{"var": "unsafe_buurt"}, "nee"]}


def test_the_commands_export_and_import_a_draft(tmp_path, db):
    path = tmp_path / "monitor.xlsx"
    out = StringIO()
    call_command("export_xlsform", "communitymonitor", str(path), stdout=out)
    assert path.exists()
    call_command("import_xlsform", str(path), stdout=out)
    draft = QuestionnaireVersion.objects.filter(questionnaire__slug="communitymonitor").order_by("-number").first()
    assert draft is not None
    assert draft.number == 2
    assert draft.status == VersionStatus.DRAFT
    assert draft.schema == QuestionnaireVersion.objects.latest_published("communitymonitor").schema
    assert "aangemaakt als concept" in out.getvalue()


def test_the_import_command_explains_what_is_wrong(tmp_path, db):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(
        _workbook(
            [("type", "name", "label", "relevant"), ("text", "a", "A", ""), ("text", "x", "X", "${a} + 1")]
        ).getvalue()
    )
    with pytest.raises(CommandError, match="rekenen"):
        call_command("import_xlsform", str(path))
    with pytest.raises(CommandError, match="Geen"):
        call_command("export_xlsform", "bestaat-niet", str(tmp_path / "x.xlsx"))


def test_the_export_carries_the_person_rule_as_a_constraint_odk_checks():
    from buurtonderzoek.questionnaires import profiling
    from buurtonderzoek.questionnaires.standard import canvass
    from buurtonderzoek.questionnaires.tests.xpath_oracle import xpath_true

    schema = canvass.schema()
    rows = export_rows(schema, form_id="b", title="t", version="1")["survey"]
    check = next(r for r in rows if r["name"] == "persons__check")
    assert check["type"] == "acknowledge" and check["required"] == "yes"
    children = engine.parse(schema).questions["persons"].children
    cases = [
        {"behaviour": "liep langs de auto's", "top_colour": "rood", "bag": "rugzak"},
        {"behaviour": "liep langs de auto's", "top_colour": "rood"},
        {"top_colour": "rood", "bag": "rugzak", "height": "lang"},
        {"behaviour": "rende weg", "gender": "man", "age_range": "20-30"},
    ]
    for block in cases:
        values = {k: str(v) for k, v in block.items()}
        values["persons__check"] = "OK"
        odk = xpath_true(check["constraint"], values, current="persons__check")
        assert odk == (not profiling.check_person_block(block, children)), block
    # Importing the export again leaves the tick out: the engine checks person blocks itself.
    assert "persons__check" not in engine.parse(import_rows_roundtrip(schema)).questions


def import_rows_roundtrip(schema):
    class _Q:
        slug = "b"
        title = "t"

    class _V:
        questionnaire = _Q
        number = 1

        def __init__(self, schema):
            self.schema = schema

    version = _V(schema)
    stream = io.BytesIO()
    export_xlsform(version, stream)
    return import_xlsform(stream.getvalue()).schema


def test_an_unforeseen_shape_is_a_refusal_not_a_traceback(monkeypatch):
    from buurtonderzoek.questionnaires import xlsform

    def broken(self):
        raise KeyError("children")

    monkeypatch.setattr(xlsform._Importer, "run", broken)
    stream = _workbook([("type", "name", "label"), ("text", "a", "A")])
    with pytest.raises(XLSFormError, match="Meld het aan de beheerder"):
        import_xlsform(stream)
