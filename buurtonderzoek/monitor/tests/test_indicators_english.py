"""Indicator labels follow the reader's language, using the questionnaire's own English."""

from __future__ import annotations

from django.utils import translation

from buurtonderzoek.monitor.indicators import indicators_for
from buurtonderzoek.questionnaires.standard import monitor


def labels(language: str) -> dict[str, str]:
    with translation.override(language):
        return {indicator.key: str(indicator.label) for indicator in indicators_for(monitor.schema())}


def test_derived_indicators_take_the_english_question_and_choice_texts() -> None:
    dutch, english = labels("nl"), labels("en")
    assert dutch.keys() == english.keys()
    assert any("Te hard rijden" in label for label in dutch.values())
    assert not any("Te hard rijden" in label for label in english.values())
    assert any(label.lower().startswith("speeding") for label in english.values())
    # Every label, fixed (gettext) or taken from the questionnaire, is in English.
    unchanged = [key for key in dutch if dutch[key] == english[key]]
    assert unchanged == []
