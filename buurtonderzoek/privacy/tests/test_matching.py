from __future__ import annotations

import pytest

from buurtonderzoek.privacy.matching import Subject, normalise_email, normalise_name, normalise_phone


@pytest.mark.parametrize(
    "written",
    [
        "0612345678",
        "06-12345678",
        "06 1234 5678",
        " 06-1234-5678 ",
        "+31612345678",
        "+31 6 1234 5678",
        "+31 (0)6-1234 5678",
        "0031 6 12345678",
        "06.12.34.56.78",
    ],
)
def test_phone_numbers_written_differently_are_the_same_number(written: str) -> None:
    assert normalise_phone(written) == "0612345678"


@pytest.mark.parametrize("written", ["", "   ", "-", "12", "+31", "geen nummer", "06-1234x678", None, 612345678.0])
def test_empty_or_invalid_phone_numbers_normalise_to_nothing(written: object) -> None:
    assert normalise_phone(written) == ""


def test_foreign_numbers_keep_their_country_code() -> None:
    assert normalise_phone("+32 470 12 34 56") == "+32470123456"


def test_email_is_trimmed_and_compared_without_case() -> None:
    assert normalise_email("  Johanna.Verbeek@Example.NL ") == "johanna.verbeek@example.nl"
    assert normalise_email("") == "" and normalise_email("geen adres") == "" and normalise_email(None) == ""


def test_names_ignore_case_and_extra_spaces_but_not_short_ones() -> None:
    assert normalise_name("  johanna   VERBEEK ") == "johanna verbeek"
    assert normalise_name("Jo") == ""


def test_a_subject_never_matches_empty_values() -> None:
    phone_only = Subject.from_input(phone="06-12345678")
    assert not phone_only.email_matches("") and not phone_only.email_matches(None)
    assert not phone_only.name_matches("") and not phone_only.phone_matches("")
    assert phone_only.phone_matches("+31 6 12345678")
    email_only = Subject.from_input(email="a@example.nl")
    assert not email_only.phone_matches("") and not email_only.phone_matches("06")
    assert not Subject.from_input(name="Johanna Verbeek").is_searchable
