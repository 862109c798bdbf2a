"""The shared engine test cases (engine_cases.json), used by the Python tests and the browser test.

Each case names a schema: a key of "schemas" in the file, or "$<slug>" for a standard questionnaire
as it is in code, so a change to a standard schema shows up here too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from buurtonderzoek.questionnaires.standard import STANDARD

CASES_FILE = Path(__file__).with_name("engine_cases.json")


def load_cases() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(CASES_FILE.read_text(encoding="utf-8"))
    standard = {f"${s.slug}": s.schema() for s in STANDARD}
    for case in data["cases"]:
        name = case["schema"]
        case["schema_json"] = standard[name] if name.startswith("$") else data["schemas"][name]
    return data
