"""Invitation print runs: address sample -> one-time codes -> letters (PDF) and a mail-merge file (CSV).

Why the answers stay anonymous. Letters need addresses, answers must not have them. So the print run
is the only moment the two meet, and that moment is not stored:

1. For each chosen buurt we draw the addresses (a simple random sample of the chosen size with the
   operating system's random source, or all addresses) and give each a fresh random code.
2. The letters (PDF, one A4 per household with the code and a QR link) and the CSV (address + code,
   for a print shop's mail merge) are built in the background and kept as one ZIP download for the
   officer, who deletes it once the letters are posted (PrintRun.file).
3. The database receives only, per buurt, the keyed hashes of the codes (codes.py), inserted in a
   shuffled order so that even the row ids carry no trace of the letters' street order, and the
   print run's counts. The sampled addresses and the code -> address list are never written down.

After printing, the ZIP is the only link between a code and an address; the officer is asked to
delete it once the letters are posted (the README in the ZIP says so). A response refers to its code
row, which knows the buurt and nothing else: a response can be traced to a buurt, never to a house.

Because no list of sampled addresses is kept, a second print run for the same buurt may invite a
household again (its two codes still give at most two responses). A lost download is handled by
withdrawing the run (actions.void_print_run) and making a new one.

The worker makes the run (tasks.make_print_run) with a progress bar on the page; each buurt's letter is
laid out once and every household's address, code and QR code printed into it (letters_pdf), so
5,000 letters take seconds, not minutes (bench/bench_letters.py).
"""

from __future__ import annotations

import csv
import functools
import io
import logging
import random
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import qrcode
import qrcode.constants
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtonderzoek.monitor import codes
from buurtonderzoek.monitor.actions import finish_print_run
from buurtonderzoek.monitor.exports import safe_cell
from buurtonderzoek.monitor.models import PrintRun, SampleMode, Wave
from buurtonderzoek.places.models import Address, Buurt

MAX_PDF_LETTERS = 20_000  # about 35 MB of PDF; larger runs go to a print shop as CSV
# WeasyPrint logs every page at INFO ("Step 5 - Creating layout - Page 117"); for hundreds of letters that
# costs about a third of the time and floods the log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
_rng = random.SystemRandom()


@dataclass(frozen=True)
class Letter:
    address: Address
    buurt: Buurt
    code: str

    @property
    def code_display(self) -> str:
        return codes.display(self.code)


def code_url(code: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("monitor:survey_code_link", args=[code])


def survey_url() -> str:
    return settings.SITE_URL.rstrip("/") + reverse("monitor:survey_start")


def draw_sample(buurten: Sequence[Buurt], *, mode: str, sample_size: int | None) -> dict[int, list[Address]]:
    """Addresses per buurt id: all of them, or a simple random sample of `sample_size`."""
    by_code = {b.code: b for b in buurten}
    ids: dict[str, list[int]] = {b.code: [] for b in buurten}
    for pk, buurt_code in Address.objects.filter(buurt_code__in=by_code).values_list("pk", "buurt_code"):
        ids[buurt_code].append(pk)
    chosen: list[int] = []
    for buurt_ids in ids.values():
        if mode == SampleMode.SAMPLE and sample_size is not None and sample_size < len(buurt_ids):
            chosen.extend(_rng.sample(buurt_ids, sample_size))
        else:
            chosen.extend(buurt_ids)
    sample: dict[int, list[Address]] = {b.pk: [] for b in buurten}
    for start in range(0, len(chosen), 2000):
        for address in Address.objects.filter(pk__in=chosen[start : start + 2000]):
            sample[by_code[address.buurt_code].pk].append(address)
    for addresses in sample.values():
        # Post sorts by postcode; the letters follow that order.
        addresses.sort(key=lambda a: (a.postcode, a.street, a.huisnummer, a.huisletter, a.toevoeging))
    return sample


def build_print_run(run: PrintRun, *, progress: Callable[[int], None] | None = None) -> PrintRun:
    """Draw the sample, make codes, letters (PDF) and mail-merge CSV, and store codes and ZIP together.

    Runs in the worker (tasks.make_print_run). Nothing is stored until everything is made, so a
    failure leaves no codes behind: the run is marked failed and can be retried.
    """
    wave = run.wave
    buurten = list(Buurt.objects.filter(pk__in=run.buurt_ids).order_by("code"))
    sample = draw_sample(buurten, mode=run.mode, sample_size=run.sample_size)
    buurt_by_id = {b.pk: b for b in buurten}
    letters: list[Letter] = []
    hashes: dict[int, list[str]] = {}
    for buurt_id, addresses in sample.items():
        buurt_codes = [codes.new_code() for _ in addresses]
        letters.extend(
            Letter(address, buurt_by_id[buurt_id], code) for address, code in zip(addresses, buurt_codes, strict=True)
        )
        buurt_hashes = [codes.hash_code(code) for code in buurt_codes]
        _rng.shuffle(buurt_hashes)
        hashes[buurt_id] = buurt_hashes
    letters.sort(key=lambda letter: (letter.address.postcode, letter.address.street, letter.address.huisnummer))
    total = max(1, len(letters))
    report = progress or (lambda percent: None)
    report(10)

    csv_bytes = mail_merge_csv(letters)
    pdf_bytes = None
    if run.include_pdf and letters:
        pdf_bytes = letters_pdf(wave, letters, progress=lambda done: report(10 + 85 * done // total))
    report(95)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_("LEESMIJ.txt"), _readme(wave, len(letters)))
        archive.writestr(_("adressen-en-codes.csv"), csv_bytes)
        if pdf_bytes is not None:
            archive.writestr(_("brieven.pdf"), pdf_bytes)
    filename = f"uitnodigingen-{wave.pk}-{run.pk}-{stamp}.zip"
    return finish_print_run(run, code_hashes=hashes, filename=filename, content=buffer.getvalue())


def mail_merge_csv(letters: Sequence[Letter]) -> bytes:
    """Semicolon-separated UTF-8 with BOM, the format Dutch spreadsheet and mail-merge tools expect."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            _("aanhef"),
            _("straat"),
            _("huisnummer"),
            _("huisletter"),
            _("toevoeging"),
            _("postcode"),
            _("woonplaats"),
            _("buurt"),
            _("code"),
            _("link"),
        ]
    )
    for letter in letters:
        a = letter.address
        writer.writerow(
            [
                safe_cell(_("Aan de bewoner(s) van")),
                safe_cell(a.street),
                a.huisnummer,
                safe_cell(a.huisletter),
                safe_cell(a.toevoeging),
                safe_cell(a.postcode),
                safe_cell(a.woonplaats),
                safe_cell(letter.buurt.name),
                letter.code_display,
                code_url(letter.code),
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# CSS pixels (WeasyPrint's layout unit, 96 per inch) to PDF points (72 per inch).
PX = 0.75


@dataclass(frozen=True)
class Slot:
    """A rectangle on the letter, in PDF points from the page's bottom-left corner (top-left kept)."""

    left: float
    top: float
    width: float
    height: float


def letter_template(wave: Wave, buurt: Buurt) -> tuple[bytes, dict[str, Slot]]:
    """The buurt's letter laid out once by WeasyPrint, with the positions of its empty slots."""
    from weasyprint import HTML

    html = render_to_string("monitor/pdf/letters.html", {"wave": wave, "buurt": buurt, "survey_url": survey_url()})
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    page = document.pages[0]
    slots: dict[str, Slot] = {}
    for box in page._page_box.descendants():
        element = getattr(box, "element", None)
        slot_id = element.get("id", "") if element is not None else ""
        if slot_id.startswith("slot-") and slot_id[5:] not in slots:
            slots[slot_id[5:]] = Slot(
                box.content_box_x() * PX,
                (page.height - box.content_box_y()) * PX,
                box.width * PX,
                box.height * PX,
            )
    return document.write_pdf(), slots


@functools.lru_cache(maxsize=64)
def _qr_version(length: int) -> int:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data("x" * length)
    qr.make(fit=True)
    return int(qr.version)


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR modules of a letter's link. Every link of a print run has the same length, so the
    version is fitted once, and a fixed mask (valid per ISO 18004; choosing the best of eight is
    most of qrcode's time) keeps thousands of codes fast."""
    qr = qrcode.QRCode(
        version=_qr_version(len(url)), error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, mask_pattern=2
    )
    qr.add_data(url)
    qr.make(fit=False)
    matrix: list[list[bool]] = qr.get_matrix()
    return matrix


def _in_winansi(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _pdf_text(text: str) -> str:
    """A PDF literal string in WinAnsi (the standard fonts' encoding), escaped."""
    # Letters outside WinAnsi (the Dutch IJ ligature, a rare accent) fall back to their plain form.
    plain = "".join(
        c if _in_winansi(c) else unicodedata.normalize("NFKD", c).encode("cp1252", errors="ignore").decode("cp1252")
        for c in text
    )
    raw = plain.encode("cp1252", errors="replace").decode("latin-1")
    return "(" + raw.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def _overlay(letter: Letter, slots: dict[str, Slot]) -> bytes:
    """The household's part of a letter: address block, code and QR code, drawn into the slots."""
    a = letter.address
    lines = [
        _("Aan de bewoner(s) van"),
        f"{a.street} {a.house_number_label}",
        f"{a.postcode[:4]} {a.postcode[4:]}  {a.woonplaats.upper()}",
    ]
    address, code_slot, qr_slot = slots["address"], slots["code"], slots["qr"]
    ops = ["q /Tpl Do Q", "BT /F1 10.5 Tf 15.2 TL", f"{address.left:.2f} {address.top - 10.5:.2f} Td"]
    ops += [f"{_pdf_text(line)} Tj T*" for line in lines]
    ops += ["ET", f"BT /F2 18 Tf 2.8 Tc {code_slot.left:.2f} {code_slot.top - 17:.2f} Td"]
    ops += [f"{_pdf_text(letter.code_display)} Tj ET"]
    matrix = qr_matrix(code_url(letter.code))
    scale = qr_slot.width / len(matrix)
    # Module coordinates: x to the right, y down from the slot's top-left corner.
    ops.append(f"q {scale:.4f} 0 0 {-scale:.4f} {qr_slot.left:.2f} {qr_slot.top:.2f} cm 0 g")
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                ops.append(f"{start} {y} {x - start} 1 re")
            else:
                x += 1
    ops.append("f Q")
    return "\n".join(ops).encode("latin-1")


def letters_pdf(wave: Wave, letters: Sequence[Letter], *, progress: Callable[[int], None] | None = None) -> bytes:
    """One A4 letter per household, in the order given.

    WeasyPrint lays a letter out in about 75 ms, too slow for thousands. So each buurt's letter is
    laid out once (`letter_template`) and becomes a form XObject that every page of that buurt
    draws, with the household's address, code and QR code printed into its empty slots in the PDF
    standard fonts (Helvetica, Courier; no embedding needed). `progress(done)` is called per 100.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()

    def font(base: str) -> Any:
        return writer._add_object(
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Font"),
                    NameObject("/Subtype"): NameObject("/Type1"),
                    NameObject("/BaseFont"): NameObject(base),
                    NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
                }
            )
        )

    fonts = DictionaryObject({NameObject("/F1"): font("/Helvetica"), NameObject("/F2"): font("/Courier-Bold")})
    templates: dict[int, tuple[Any, dict[str, Slot], float, float]] = {}
    for done, letter in enumerate(letters):
        if letter.buurt.pk not in templates:
            content, slots = letter_template(wave, letter.buurt)
            page = PdfReader(io.BytesIO(content)).pages[0]
            form = DecodedStreamObject()
            form.set_data(page.get_contents().get_data())  # type: ignore[union-attr]
            form.update(
                {
                    NameObject("/Type"): NameObject("/XObject"),
                    NameObject("/Subtype"): NameObject("/Form"),
                    NameObject("/BBox"): page.mediabox,
                    NameObject("/Resources"): page["/Resources"].clone(writer),
                }
            )
            templates[letter.buurt.pk] = (
                writer._add_object(form),
                slots,
                float(page.mediabox.width),
                float(page.mediabox.height),
            )
        form_ref, slots, width, height = templates[letter.buurt.pk]
        new_page = writer.add_blank_page(width, height)
        resources = DictionaryObject({NameObject("/XObject"): DictionaryObject({NameObject("/Tpl"): form_ref})})
        resources[NameObject("/Font")] = fonts
        new_page[NameObject("/Resources")] = resources
        stream = DecodedStreamObject()
        stream.set_data(_overlay(letter, slots))
        new_page[NameObject("/Contents")] = writer._add_object(stream.flate_encode())
        if progress is not None and done % 100 == 99:
            progress(done + 1)
    writer.add_metadata({"/Title": _("Uitnodigingen")})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _readme(wave: Wave, letters: int) -> str:
    return _(
        "Uitnodigingen voor de Communitymonitor veiligheid, meetronde %(wave)s (%(letters)s brieven).\n\n"
        "brieven.pdf: één brief per huishouden (A4), met code en QR-code.\n"
        "adressen-en-codes.csv: dezelfde adressen en codes voor samenvoegen (mail merge) bij een drukkerij.\n\n"
        "Belangrijk voor de anonimiteit: Open Buurtonderzoek bewaart NIET welke code bij welk adres hoort.\n"
        "Deze download is de enige koppeling. Verwijder dit bestand (en kopieën bij de drukkerij) zodra de\n"
        "brieven verstuurd zijn. Gaat de download verloren, trek de drukrun dan in en maak een nieuwe.\n"
    ) % {"wave": wave.name, "letters": letters}
