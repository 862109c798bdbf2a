from __future__ import annotations

import io
import re
from datetime import date

import qrcode
import qrcode.constants
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from buurtonderzoek.monitor import codes
from buurtonderzoek.monitor.exports import safe_cell
from buurtonderzoek.monitor.invitations import Letter, code_url, letters_pdf, qr_matrix
from buurtonderzoek.monitor.models import Wave
from buurtonderzoek.places.models import Address, Buurt, Gemeente, Wijk


def _drawn_modules(page_content: bytes, size: int) -> list[list[bool]]:
    """The QR modules a letter page draws: the `x y w 1 re` runs after the QR transform."""
    drawn = [[False] * size for _ in range(size)]
    qr_part = page_content.split(b" cm 0 g", 1)[1]
    for x, y, width in re.findall(rb"(\d+) (\d+) (\d+) 1 re", qr_part):
        for dx in range(int(width)):
            drawn[int(y)][int(x) + dx] = True
    return drawn


@settings(deadline=None, max_examples=10)
@given(code=st.text(alphabet=codes.ALPHABET, min_size=codes.LENGTH, max_size=codes.LENGTH))
def test_a_letter_prints_its_code_and_exactly_the_modules_of_its_qr_code(code: str) -> None:
    gemeente = Gemeente(code="GM0001", name="Testdorp")
    buurt = Buurt(pk=1, code="BU00010101", name="Buurt Één", wijk=Wijk(code="WK000101", name="W", gemeente=gemeente))
    wave = Wave(gemeente=gemeente, name="Najaar", starts_on=date(2026, 9, 1), ends_on=date(2026, 10, 1))
    address = Address(
        street="IJsselkade (oud)", huisnummer=7, huisletter="b", postcode="3401AB", woonplaats="Ĳsselstein"
    )
    pdf = letters_pdf(wave, [Letter(address, buurt, code)])
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    content = page.get_contents().get_data()  # type: ignore[union-attr]
    matrix = qr_matrix(code_url(code))
    assert _drawn_modules(content, len(matrix)) == [[bool(v) for v in row] for row in matrix]
    # The same modules as qrcode's own encoder gives this link with the fixed mask and fitted version.
    reference = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, mask_pattern=2)
    reference.add_data(code_url(code))
    reference.make(fit=True)
    assert matrix == reference.get_matrix()
    text = page.extract_text()
    assert codes.display(code) in text
    assert "IJsselkade (oud) 7b" in text and "3401 AB  IJSSELSTEIN" in text


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
