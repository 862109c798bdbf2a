from __future__ import annotations

import re

import qrcode
import qrcode.constants
from hypothesis import given, settings
from hypothesis import strategies as st

from buurtonderzoek.monitor import codes
from buurtonderzoek.monitor.exports import safe_cell
from buurtonderzoek.monitor.invitations import qr_svg


@settings(deadline=None)
@given(code=st.text(alphabet=codes.ALPHABET, min_size=codes.LENGTH, max_size=codes.LENGTH))
def test_the_qr_svg_draws_exactly_the_modules_of_the_qr_code(code: str) -> None:
    url = f"https://buurtonderzoek.example.nl/enquete/c/{code}/"
    svg = qr_svg(url)
    expected = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    expected.add_data(url)
    expected.make(fit=True)
    matrix = expected.get_matrix()
    size = len(matrix)
    assert f'viewBox="0 0 {size} {size}"' in svg
    drawn = [[False] * size for _ in range(size)]
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", svg):
        for dx in range(int(width)):
            drawn[int(y)][int(x) + dx] = True
    assert drawn == [[bool(v) for v in row] for row in matrix]


@settings(deadline=None)
@given(code=st.text(alphabet=codes.ALPHABET, min_size=codes.LENGTH, max_size=codes.LENGTH))
def test_codes_survive_display_and_sloppy_typing(code: str) -> None:
    shown = codes.display(code)
    assert codes.normalise(shown) == code
    assert codes.normalise(" " + shown.lower().replace("-", " ") + " ") == code


def test_codes_never_contain_look_alike_characters() -> None:
    assert not set("01ILO") & set(codes.ALPHABET)
    assert codes.normalise("ABCD-EFGH-JKM0") is None
    assert len({codes.new_code() for _ in range(1000)}) == 1000


def test_spreadsheet_formulas_are_defused() -> None:
    assert safe_cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert safe_cell("Kerkstraat") == "Kerkstraat"
