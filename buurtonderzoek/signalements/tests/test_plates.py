from __future__ import annotations

import pytest

from buurtonderzoek.signalements.plates import PlateMatch, best_reading, display, fits, is_complete, match, normalise


def test_it_normalises_case_spaces_and_unknown_marks() -> None:
    assert normalise(" xj - ** -4 ") == "XJ-??-4"
    assert normalise("12 AB*3") == "12-AB?3"
    assert display("xj-..-4") == "XJ-..-4"


@pytest.mark.parametrize(
    ("partial", "full", "expected"),
    [
        ("XJ-..-4", "XJ-123-4", True),
        ("XJ-..-4", "XJ-12-4", True),
        ("XJ-..-4", "XJ1234", True),
        ("XJ-..-4", "XK-123-4", False),
        ("XJ-..-4", "XJ-123-5", False),
        ("12-AB*-3", "12-ABC-3", True),
        ("12-AB*-3", "12-AB-3", False),
        ("FD-..-K", "FDK-12-K", True),
        ("XJ", "GX-XJ-12", True),
        ("XJ", "GX-12-KL", False),
    ],
)
def test_it_fits_a_partial_kenteken_to_a_full_one(partial: str, full: str, expected: bool) -> None:
    assert fits(partial, full) is expected


def test_it_tells_complete_from_partial_plates() -> None:
    assert is_complete("XJ-123-4") and is_complete("xj1234a")
    assert not is_complete("XJ-..-4") and not is_complete("XJ") and not is_complete("")


def test_it_classifies_pairs_of_plates() -> None:
    assert match("XJ-123-4", "xj 123 4") == PlateMatch.EXACT
    assert match("XJ-..-4", "XJ-123-4") == PlateMatch.PARTIAL
    assert match("XJ-123-4", "XJ-..-4") == PlateMatch.PARTIAL
    # 8 and B are easily misread: similar, not a conflict.
    assert match("XJ-123-8", "XJ-123-B") == PlateMatch.SIMILAR
    assert match("XJ-123-4", "GH-456-7") == PlateMatch.CONFLICT
    assert match("XJ-..-4", "XK-..-4") == PlateMatch.CONFLICT
    assert match("XJ-..-4", "XJ-1.-.") == PlateMatch.PARTIAL
    assert match("FD-..-K", "FDK-.-K") == PlateMatch.UNKNOWN
    assert match("XJ", "") == PlateMatch.UNKNOWN


def test_it_prefers_the_most_complete_reading() -> None:
    assert best_reading(["XJ-..-4", "XJ-123-4", "XJ"]) == "XJ-123-4"
    assert best_reading(["XJ-..-4", "XJ"]) == "XJ-..-4"
    assert best_reading([]) == ""
