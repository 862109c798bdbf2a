"""Door visits collected with ODK Collect or KoboCollect, loaded from an export into one canvass.

Flow: `read_upload` turns what ODK Central or KoboToolbox hands out (CSV, XLSX, JSON, or ODK
Central's media-free zip with one CSV per repeat) into rows; `questionnaires.submissions` turns each row into
answers checked by the engine; `load_export` hands every row to `canvass.actions.record_visit`, the
same write path as the field app (in the background: `start_odk_import`, canvass/tasks.py): the
same validation and anti-profiling, the visit arrives as "ontvangen" for review, and the
submission's instance id is the visit's client id, so loading the same export again changes
nothing. Every row gets a line in the report: taken, already there, or refused with the reasons.

Which door: the columns `postcode` and `huisnummer` (with `huisletter`/`toevoeging`, or a house
number like "12a-2"), in any group, with or without our export's `context_` prefix; the outcome
from `uitkomst`/`outcome` (default: gesproken); the time from `end`, `start`, `SubmissionDate` or
`_submission_time`.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from buurtonderzoek.canvass.actions import record_visit
from buurtonderzoek.canvass.models import Canvass, Outcome, RouteStop
from buurtonderzoek.questionnaires import submissions

# A canvass has a few hundred doors; more in one file is a mistake (a whole project's export).
MAX_ROWS = 5000
TIME_COLUMNS = ("end", "start", "SubmissionDate", "_submission_time", "today")
HOUSE_NUMBER_RE = re.compile(r"\s*([0-9]+)\s*([A-Za-z]?)\s*[-\s]?\s*([A-Za-z0-9]{0,4})\s*")
POSTCODE_RE = re.compile(r"\s*([1-9][0-9]{3})\s?([A-Za-z]{2})\s*")


class ExportError(ValueError):
    """The upload cannot be read at all (Dutch message)."""


@dataclass
class RowResult:
    row: int
    instance_id: str
    door: str
    status: str  # "taken", "already" or "refused"
    reasons: list[str] = field(default_factory=list)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ExportError(_("Het bestand is geen tekst in UTF-8 of Windows-1252."))


def _csv_rows(data: bytes) -> list[dict[str, Any]]:
    text = _decode(data)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [dict(row) for row in csv.DictReader(io.StringIO(text), dialect=dialect)]


def _flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """ODK Central's JSON nests groups as objects; rows want `group/question` columns."""
    flat: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}/{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            flat.update(_flatten(value, name))
        elif isinstance(value, list):
            flat[name] = [_flatten(item) if isinstance(item, Mapping) else item for item in value]
        else:
            flat[name] = value
    return flat


def read_upload(name: str, data: bytes) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """(main rows, repeat tables by file name) from a CSV, a JSON export or a zip of CSVs."""
    lower = name.lower()
    if lower.endswith(".zip"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            raise ExportError(_("Het zip-bestand is beschadigd of geen zip-bestand.")) from None
        tables = {
            PurePosixPath(info.filename).name: _csv_rows(archive.read(info))
            for info in archive.infolist()
            if info.filename.lower().endswith(".csv") and not PurePosixPath(info.filename).name.startswith(".")
        }
        if not tables:
            raise ExportError(_("Er staat geen CSV-bestand in het zip-bestand."))
        # ODK Central: the main table has KEY and no PARENT_KEY; each repeat is "<form>-<repeat>.csv".
        main = min(tables, key=lambda n: (any("PARENT_KEY" in row for row in tables[n][:1]), len(n)))
        return tables[main], {n: rows for n, rows in tables.items() if n != main}
    if lower.endswith(".json"):
        try:
            document = json.loads(_decode(data))
        except json.JSONDecodeError as exc:
            raise ExportError(_("Het JSON-bestand klopt niet (regel %(line)s).") % {"line": exc.lineno}) from None
        if isinstance(document, Mapping):
            document = document.get("value", document.get("results"))  # ODK Central OData / Kobo API
        if not isinstance(document, list) or not all(isinstance(item, Mapping) for item in document):
            raise ExportError(_("Het JSON-bestand bevat geen lijst met inzendingen."))
        return [_flatten(item) for item in document], {}
    if lower.endswith(".csv"):
        return _csv_rows(data), {}
    if lower.endswith(".xlsx"):
        return _xlsx_tables(data)
    raise ExportError(_("Kies een export als .csv, .xlsx, .json of .zip (ODK Central zonder media)."))


def _xlsx_tables(data: bytes) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """KoboToolbox's XLSX export: the first sheet holds the submissions, each further sheet a repeat."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises several types for a damaged file
        raise ExportError(_("Het Excel-bestand kan niet worden gelezen; exporteer opnieuw uit KoboToolbox.")) from None
    tables: list[tuple[str, list[dict[str, Any]]]] = []
    for sheet in workbook.worksheets:
        values = list(sheet.iter_rows(values_only=True))
        if not values:
            continue
        header = [str(h) if h is not None else "" for h in values[0]]
        rows = [dict(zip(header, row, strict=False)) for row in values[1:] if any(v is not None for v in row)]
        tables.append((sheet.title, rows))
    if not tables:
        raise ExportError(_("Het Excel-bestand is leeg."))
    return tables[0][1], dict(tables[1:])


def _column(row: Mapping[str, Any], *names: str) -> str:
    """The value of the first column whose last part (without `context_`) is one of `names`."""
    wanted = {n.lower() for n in names}
    for key, value in row.items():
        last = submissions._last_part(str(key)).lower().removeprefix("context_")
        if (last in wanted or str(key).lower() in wanted) and value not in (None, ""):
            return str(value).strip()
    return ""


def _visited_at(row: Mapping[str, Any]) -> datetime | None:
    for name in TIME_COLUMNS:
        value = next(
            (v for k, v in row.items() if submissions._last_part(str(k)) == name and isinstance(v, datetime)), None
        )
        if value is not None:  # an Excel export holds real dates
            return value if timezone.is_aware(value) else timezone.make_aware(value)
        text = _column(row, name)
        if not text:
            continue
        moment = parse_datetime(text.replace(" ", "T", 1)) if "T" not in text else parse_datetime(text)
        if moment is not None:
            return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
    return None


def _client_uuid(instance_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(instance_id)
    except ValueError:
        # Kobo and ODK ids are UUIDs; anything else still maps to one stable id.
        return uuid.uuid5(uuid.NAMESPACE_URL, "odk:" + instance_id)


def _find_stop(canvass: Canvass, row: Mapping[str, Any]) -> tuple[RouteStop | None, str, str]:
    """(stop, door as written, reason when not found)."""
    postcode_match = POSTCODE_RE.fullmatch(_column(row, "postcode"))
    number_match = HOUSE_NUMBER_RE.fullmatch(_column(row, "huisnummer", "house_number"))
    written = f"{_column(row, 'postcode')} {_column(row, 'huisnummer', 'house_number')}".strip()
    if not postcode_match or not number_match:
        return None, written, _("postcode en huisnummer ontbreken of kloppen niet (bijvoorbeeld 1234 AB en 12a).")
    postcode = (postcode_match[1] + postcode_match[2]).upper()
    letter = (_column(row, "huisletter") or number_match[2]).upper()
    addition = (_column(row, "toevoeging") or number_match[3]).upper()
    stops = RouteStop.objects.filter(
        canvass=canvass, address__postcode=postcode, address__huisnummer=int(number_match[1])
    ).select_related("address")
    for stop in stops:
        if stop.address.huisletter.upper() == letter and stop.address.toevoeging.upper() == addition:
            return stop, written, ""
    return None, written, _("dit adres hoort niet bij dit buurtonderzoek.")


def _where(schema: Any, path: str) -> str:
    """An error path as a person reads it: "persons.0.provenance" -> "Persoon 1, <label> (provenance)"."""
    parts = path.split(".")
    words: list[str] = []
    for i, part in enumerate(parts):
        question = schema.questions.get(part)
        if part.isdigit():
            words[-1] = f"{words[-1]} {int(part) + 1}" if words else part
        elif question is not None:
            words.append(f"{question.label} ({part})" if i == len(parts) - 1 else question.label)
        elif part:
            words.append(part)
    return ", ".join(words) or _("het formulier")


def load_export(
    canvass: Canvass,
    *,
    by: Any,
    version: Any,
    name: str,
    data: bytes,
    progress: Callable[[int], Any] | None = None,
) -> list[RowResult]:
    """Load every row of an ODK/Kobo export as door visits; one RowResult per row.

    `progress` gets a percentage now and then (the background task stores it for the page)."""
    rows, repeats = read_upload(name, data)
    if len(rows) > MAX_ROWS:
        raise ExportError(_("Meer dan %(n)s inzendingen in één bestand; splits de export.") % {"n": MAX_ROWS})
    context = {"incident_type": canvass.incident.incident_type}
    loaded = submissions.rows_to_submissions(version, rows, repeats=repeats, context=context)
    schema = version.parsed
    results: list[RowResult] = []
    for number, (row, submission) in enumerate(zip(rows, loaded, strict=True), start=2):
        if progress is not None and number % 25 == 0:
            progress(min(99, 100 * (number - 2) // max(1, len(rows))))
        stop, door, problem = _find_stop(canvass, row)
        result = RowResult(row=number, instance_id=submission.instance_id, door=door, status="refused")
        results.append(result)
        outcome = _column(row, "uitkomst", "outcome") or Outcome.GESPROKEN
        visited_at = _visited_at(row)
        if not submission.instance_id:
            result.reasons.append(_("instanceID ontbreekt; zonder id zou een tweede keer inlezen dubbel tellen."))
        if stop is None:
            result.reasons.append(problem)
        if outcome not in Outcome.values:
            result.reasons.append(
                _("onbekende uitkomst '%(value)s'; kies uit %(choices)s.")
                % {"value": outcome, "choices": ", ".join(Outcome.values)}
            )
        if visited_at is None:
            result.reasons.append(_("het tijdstip van het bezoek ontbreekt (kolom end, start of SubmissionDate)."))
        if outcome == Outcome.GESPROKEN:
            for path, messages in submission.errors.items():
                result.reasons.extend(f"{_where(schema, path)}: {message}" for message in messages)
        if result.reasons or stop is None or visited_at is None:
            continue
        try:
            _visit, created = record_visit(
                canvass,
                by=by,
                client_uuid=_client_uuid(submission.instance_id),
                address_id=stop.address_id,
                outcome=outcome,
                visited_at=visited_at,
                answers=submission.answers,
                questionnaire_version=version,
            )
        except ValidationError as exc:
            result.reasons.extend(exc.messages)
            continue
        result.status = "taken" if created else "already"
    return results


def start_odk_import(canvass: Canvass, *, by: Any, version: Any, name: str, data: bytes) -> Any:
    """Check that the upload can be read at all (a Dutch ExportError at once), then load it in the
    background; returns the OdkImport whose page shows the progress and the result."""
    from django.db import transaction

    from buurtonderzoek.canvass.models import OdkImport
    from buurtonderzoek.canvass.tasks import run_odk_import
    from buurtonderzoek.core.audit import record
    from buurtonderzoek.core.models import AuditAction

    rows, _repeats = read_upload(name, data)
    if len(rows) > MAX_ROWS:
        raise ExportError(_("Meer dan %(n)s inzendingen in één bestand; splits de export.") % {"n": MAX_ROWS})
    with transaction.atomic():
        job = OdkImport.objects.create(canvass=canvass, version=version, filename=name[:200], data=data, created_by=by)
        record(by, AuditAction.CREATE, job, summary=f"ODK/Kobo-export {name[:100]} ingelezen ({len(rows)} regels)")
        transaction.on_commit(lambda: run_odk_import.enqueue(job.pk))
    return job
