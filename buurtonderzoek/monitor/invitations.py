"""Invitation print runs: address sample -> one-time codes -> letters (PDF) and a mail-merge file (CSV).

Why the answers stay anonymous. Letters need addresses, answers must not have them. So the print run
is the only moment the two meet, and that moment is not stored:

1. For each chosen buurt we draw the addresses (a simple random sample of the chosen size with the
   operating system's random source, or all addresses) and give each a fresh random code.
2. The letters (PDF, one A4 per household with the code and a QR link) and the CSV (address + code,
   for a print shop's mail merge) are built in memory and handed to the officer as one ZIP download.
3. The database receives only, per buurt, the keyed hashes of the codes (codes.py), inserted in a
   shuffled order so that even the row ids carry no trace of the letters' street order, and the
   print run's counts. The sampled addresses and the code -> address list are never written down.

After printing, the ZIP is the only link between a code and an address; the officer is asked to
delete it once the letters are posted (the README in the ZIP says so). A response refers to its code
row, which knows the buurt and nothing else: a response can be traced to a buurt, never to a house.

Because no list of sampled addresses is kept, a second print run for the same buurt may invite a
household again (its two codes still give at most two responses). A lost download is handled by
withdrawing the run (actions.void_print_run) and making a new one.

WeasyPrint lays out roughly 10-30 letters a second, so PDF runs are capped (MAX_PDF_LETTERS) to keep the
download within a web request; larger runs go to a print shop as CSV only.
"""

from __future__ import annotations

import csv
import io
import logging
import random
import zipfile
from collections.abc import Sequence
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
from buurtonderzoek.monitor.actions import store_print_run
from buurtonderzoek.monitor.exports import safe_cell
from buurtonderzoek.monitor.models import PrintRun, SampleMode, Wave
from buurtonderzoek.places.models import Address, Buurt

MAX_PDF_LETTERS = 500
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


@dataclass(frozen=True)
class PrintRunResult:
    run: PrintRun
    filename: str
    content: bytes


def code_url(code: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("monitor:survey_code_link", args=[code])


def survey_url() -> str:
    return settings.SITE_URL.rstrip("/") + reverse("monitor:survey_start")


def qr_svg(url: str) -> str:
    """A QR code (qrcode package, error correction M) as one inline SVG path.

    The path is drawn from the module matrix with one rectangle per horizontal run of dark modules:
    about half the segments of qrcode's own SVG factories, which matters when WeasyPrint lays out
    hundreds of letters. The size comes from the surrounding CSS.
    """
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    qr.add_data(url)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    parts = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    size = len(matrix)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" role="img" '
        f'aria-label="QR-code" shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path d="{"".join(parts)}" fill="#000"/></svg>'
    )


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


def create_print_run(
    wave: Wave, *, by: Any, buurten: Sequence[Buurt], mode: str, sample_size: int | None, include_pdf: bool = True
) -> PrintRunResult:
    """Draw the sample, store hashed codes, and return the ZIP with letters and mail-merge CSV."""
    sample = draw_sample(buurten, mode=mode, sample_size=sample_size)
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

    csv_bytes = mail_merge_csv(letters)
    pdf_bytes = letters_pdf(wave, letters) if include_pdf and letters else None
    run = store_print_run(wave, by=by, mode=mode, sample_size=sample_size, code_hashes=hashes)

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_("LEESMIJ.txt"), _readme(wave, run))
        archive.writestr(_("adressen-en-codes.csv"), csv_bytes)
        if pdf_bytes is not None:
            archive.writestr(_("brieven.pdf"), pdf_bytes)
    return PrintRunResult(run, f"uitnodigingen-{wave.pk}-{stamp}.zip", buffer.getvalue())


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


def letters_pdf(wave: Wave, letters: Sequence[Letter]) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "monitor/pdf/letters.html",
        {
            "wave": wave,
            "letters": [(letter, qr_svg(code_url(letter.code))) for letter in letters],
            "survey_url": survey_url(),
        },
    )
    pdf: bytes = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    return pdf


def _readme(wave: Wave, run: PrintRun) -> str:
    return _(
        "Uitnodigingen voor de Communitymonitor veiligheid, meetronde %(wave)s (%(letters)s brieven).\n\n"
        "brieven.pdf: één brief per huishouden (A4), met code en QR-code.\n"
        "adressen-en-codes.csv: dezelfde adressen en codes voor samenvoegen (mail merge) bij een drukkerij.\n\n"
        "Belangrijk voor de anonimiteit: Open Buurtonderzoek bewaart NIET welke code bij welk adres hoort.\n"
        "Deze download is de enige koppeling. Verwijder dit bestand (en kopieën bij de drukkerij) zodra de\n"
        "brieven verstuurd zijn. Gaat de download verloren, trek de drukrun dan in en maak een nieuwe.\n"
    ) % {"wave": wave.name, "letters": run.letters}
