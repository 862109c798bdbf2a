"""/incidenten/<pk>/buurtonderzoek/odk/: a coordinator loads an ODK Central or KoboToolbox export.

The fixtures are built in the structure of the real products: ODK Central's media-free zip (a main
CSV with KEY and instanceID under meta-, one CSV per repeat linked by PARENT_KEY), KoboToolbox's
JSON (group paths `a/b`, repeats inline, `_uuid`), and a semicolon CSV as Excel writes it.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from typing import Any

import pytest
from django.test import Client, TestCase
from django.urls import reverse

from buurtonderzoek.canvass.models import Canvass, DoorVisit, OdkImport, RouteStop
from buurtonderzoek.handoff.tests.fixtures import answers, person
from buurtonderzoek.questionnaires.models import QuestionnaireVersion
from conftest import World


def _stop(canvass: Canvass, n: int) -> RouteStop:
    return RouteStop.objects.filter(canvass=canvass).select_related("address").order_by("route__number", "order")[n]


def _flat(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    row: dict[str, Any] = {}
    repeats: dict[str, list[dict[str, Any]]] = {}
    for key, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            repeats[key] = value
        elif isinstance(value, list):
            row[key] = " ".join(value)
        elif isinstance(value, dict):
            row[f"{key}__min"], row[f"{key}__max"] = value.get("min", ""), value.get("max", "")
        else:
            row[key] = value
    return row, repeats


def _submission(canvass: Canvass, n: int, data: dict[str, Any], instance: str) -> tuple[dict[str, Any], Any]:
    stop = _stop(canvass, n)
    row, repeats = _flat(data)
    address = stop.address
    door = {
        "context-context_postcode": f"{address.postcode[:4]} {address.postcode[4:]}",
        "context-context_huisnummer": f"{address.huisnummer}{address.huisletter}"
        + (f"-{address.toevoeging}" if address.toevoeging else ""),
        "end": "2026-12-01T21:15:00.000+01:00",
        "meta-instanceID": f"uuid:{instance}",
        "KEY": f"uuid:{instance}",
    }
    return {**door, **{f"observations-{k}": v for k, v in row.items()}}, repeats


def _csv(rows: list[dict[str, Any]], delimiter: str = ",") -> bytes:
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


GOOD = str(uuid.uuid4())
PROFILING = str(uuid.uuid4())
ELSEWHERE = str(uuid.uuid4())


def central_zip(canvass: Canvass) -> bytes:
    good, good_repeats = _submission(canvass, 0, answers(persons=[person()]), GOOD)
    only_looks = {"behaviour": "stond daar", "gender": "man", "age_range": {"min": 20, "max": 30}}
    bad, bad_repeats = _submission(canvass, 1, answers(persons=[only_looks]), PROFILING)
    far, _ = _submission(canvass, 2, answers(), ELSEWHERE)
    far["context-context_postcode"] = "9999 ZZ"
    persons = []
    for parent, repeats in ((good, good_repeats), (bad, bad_repeats)):
        for index, block in enumerate(repeats["persons"]):
            row, _nested = _flat(block)
            persons.append({**row, "PARENT_KEY": parent["KEY"], "KEY": f"{parent['KEY']}/persons[{index + 1}]"})
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("buurtonderzoek.csv", _csv([good, bad, far]))
        archive.writestr("buurtonderzoek-persons.csv", _csv(persons))
    return stream.getvalue()


def post(client: Client, canvass: Canvass, name: str, data: bytes) -> Any:
    """Upload as the page does; the load is enqueued on commit (the immediate backend in tests, and
    the test's transaction never commits, so the callback is run here); then open the job page."""
    version = QuestionnaireVersion.objects.latest_published("buurtonderzoek")
    upload = io.BytesIO(data)
    upload.name = name
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("canvass_odk_import", args=[canvass.incident.pk]), {"file": upload, "version": version.pk}
        )
    return client.get(response["Location"]) if response.status_code == 302 else response


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client, canvass: Canvass) -> None:
    response = client.get(reverse("canvass_odk_import", args=[canvass.incident.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_outsider_gets_404(client: Client, world: World, canvass: Canvass) -> None:
    client.force_login(world.charlie)
    assert client.get(reverse("canvass_odk_import", args=[canvass.incident.pk])).status_code == 404


def test_a_volunteer_gets_403(client: Client, world: World, canvass: Canvass) -> None:
    client.force_login(world.bob)
    assert client.get(reverse("canvass_odk_import", args=[canvass.incident.pk])).status_code == 403


def test_a_coordinator_loads_an_odk_central_zip_row_by_row_and_twice_changes_nothing(
    client: Client, world: World, canvass: Canvass
) -> None:
    client.force_login(world.alice)
    assert client.get(reverse("canvass_odk_import", args=[canvass.incident.pk])).status_code == 200
    page = post(client, canvass, "buurtonderzoek.zip", central_zip(canvass)).content.decode()
    assert "1 overgenomen, 0 waren al ingelezen, 2 geweigerd." in page
    assert "minstens twee concrete kenmerken" in page  # anti-profiling, as in the app
    assert "Personen 1" in page or "personen 1" in page.lower()  # the question's label, not its path
    assert "dit adres hoort niet bij dit buurtonderzoek" in page
    visit = DoorVisit.objects.get()
    assert visit.client_uuid == uuid.UUID(GOOD)
    assert visit.review_status == "received" and visit.volunteer == world.alice
    assert visit.answers["persons"][0]["top_colour"] == "zwart"
    assert visit.stop == _stop(canvass, 0)
    again = post(client, canvass, "buurtonderzoek.zip", central_zip(canvass)).content.decode()
    assert "0 overgenomen, 1 waren al ingelezen, 2 geweigerd." in again
    assert DoorVisit.objects.count() == 1


def test_a_kobo_json_export_with_inline_repeats_loads(client: Client, world: World, canvass: Canvass) -> None:
    stop = _stop(canvass, 3).address
    data = answers(persons=[person()])
    persons = [{f"observations/persons/{k}": v for k, v in _flat(p)[0].items()} for p in data.pop("persons")]
    record = {f"observations/{k}": v for k, v in _flat(data)[0].items()}
    record.update(
        {
            "observations/persons": persons,
            "context/context_postcode": stop.postcode,
            "context/context_huisnummer": str(stop.huisnummer) + stop.huisletter,
            "context/context_toevoeging": stop.toevoeging,
            "_uuid": "0b7f3a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
            "_submission_time": "2026-12-01T20:30:11",
        }
    )
    client.force_login(world.alice)
    page = post(client, canvass, "kobo.json", json.dumps({"count": 1, "results": [record]}).encode()).content.decode()
    assert "1 overgenomen" in page, page[page.find("Resultaat") :][:2000]
    assert DoorVisit.objects.get().client_uuid == uuid.UUID("0b7f3a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b")


def test_a_not_home_row_from_an_excel_csv_needs_no_answers(client: Client, world: World, canvass: Canvass) -> None:
    stop = _stop(canvass, 4).address
    row = {
        "postcode": stop.postcode,
        "huisnummer": f"{stop.huisnummer}{stop.huisletter}" + (f"-{stop.toevoeging}" if stop.toevoeging else ""),
        "uitkomst": "niet_thuis",
        "start": "2026-12-01 19:05:00",
        "instanceID": "uuid:" + str(uuid.uuid4()),
    }
    client.force_login(world.alice)
    page = post(client, canvass, "lijst.csv", _csv([row], delimiter=";").decode().encode("cp1252")).content.decode()
    assert "1 overgenomen" in page
    assert DoorVisit.objects.get().outcome == "niet_thuis"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("x.zip", b"geen zip", "geen zip-bestand"),
        ("x.json", b'{"a": ', "Het JSON-bestand klopt niet"),
        ("x.xlsx", b"PK", "Het Excel-bestand kan niet worden gelezen"),
        ("x.ods", b"PK", "Kies een export als .csv, .xlsx, .json of .zip"),
    ],
)
def test_a_file_it_cannot_read_gets_a_dutch_message(
    client: Client, world: World, canvass: Canvass, name: str, data: bytes, message: str
) -> None:
    client.force_login(world.alice)
    response = post(client, canvass, name, data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not DoorVisit.objects.exists() and not OdkImport.objects.exists()


def test_a_kobo_xlsx_export_with_a_repeat_sheet_loads(client: Client, world: World, canvass: Canvass) -> None:
    from datetime import datetime

    from openpyxl import Workbook

    stop = _stop(canvass, 5).address
    data = answers(persons=[person()])
    persons = [_flat(p)[0] for p in data.pop("persons")]
    main = {f"observations/{k}": v for k, v in _flat(data)[0].items()}
    main.update(
        {
            "context/context_postcode": stop.postcode,
            "context/context_huisnummer": f"{stop.huisnummer}{stop.huisletter}"
            + (f"-{stop.toevoeging}" if stop.toevoeging else ""),
            "end": datetime(2026, 12, 1, 21, 5),
            "_uuid": "5b1c0a9e-2f3d-4c5b-9a8e-7d6c5b4a3f2e",
            "_index": 1,
        }
    )
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "buurtonderzoek"
    sheet.append(list(main))
    sheet.append(list(main.values()))
    repeat = workbook.create_sheet("persons")
    columns = [*persons[0], "_parent_index", "_index"]
    repeat.append(columns)
    repeat.append([*persons[0].values(), 1, 1])
    stream = io.BytesIO()
    workbook.save(stream)
    client.force_login(world.alice)
    page = post(client, canvass, "kobo.xlsx", stream.getvalue()).content.decode()
    assert "1 overgenomen" in page, page[page.find("Resultaat") :][:2000]
    assert DoorVisit.objects.get().answers["persons"][0]["shoes"] == "witte sneakers"


def test_the_job_page_is_only_for_the_team_and_the_export_is_not_kept(
    client: Client, world: World, canvass: Canvass
) -> None:
    client.force_login(world.alice)
    post(client, canvass, "buurtonderzoek.zip", central_zip(canvass))
    job = OdkImport.objects.get()
    assert job.status == "done" and bytes(job.data) == b""  # the raw answers are not kept
    url = reverse("canvass_odk_import_job", args=[canvass.incident.pk, job.pk])
    client.force_login(world.charlie)
    assert client.get(url).status_code == 404
    client.force_login(world.bob)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
