"""No page, chart, map, export or report shows a figure about fewer than 10 respondents.

The setting: in Wijk A, buurt A1 has 9 respondents who all feel unsafe and give safety a 3. A2 and A3
have 15 and 20. A1 must be hidden everywhere, and so must A2 (secondary suppression): otherwise
Wijk A minus A2 minus A3 would give A1 away.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from buurtonderzoek.jobs.tests.helpers import Commits, make_job_file
from buurtonderzoek.monitor import exports, report
from buurtonderzoek.monitor.demo import Profile
from buurtonderzoek.monitor.models import ResultCell, Source
from buurtonderzoek.monitor.results import SUPPRESSED, load_results
from buurtonderzoek.monitor.statistics import MIN_CELL
from buurtonderzoek.monitor.tests.conftest import MonitorWorld

pytestmark = pytest.mark.django_db

SCARED = Profile(unsafe_general=0.99, unsafe_buurt=0.99, mark_safety=3.0)


@pytest.fixture
def small(mworld: MonitorWorld, fill) -> MonitorWorld:
    a1, a2, a3, b1, b2, b3 = mworld.buurten
    fill(mworld.wave, {a1.pk: 9}, profiles={a1.pk: SCARED}, seed=1)
    fill(mworld.wave, {a2.pk: 15, a3.pk: 20, b1.pk: 30, b2.pk: 25, b3.pk: 12}, seed=2)
    # Make the wave finished, so the public summaries show it.
    today = timezone.localdate()
    mworld.wave.starts_on, mworld.wave.ends_on = today - timedelta(days=40), today - timedelta(days=1)
    mworld.wave.save()
    return mworld


def officer(client: Client, mworld: MonitorWorld) -> Client:
    client.force_login(mworld.world.gert)
    return client


def test_the_results_model_hides_the_small_buurt_and_its_neighbour(small: MonitorWorld) -> None:
    data = load_results(small.world.gemeente)
    result = data.invited[small.wave.pk]
    a1, a2, a3 = (("buurt", b.pk) for b in small.buurten[:3])
    assert {a1, a2} <= result.hidden_respondents
    assert a3 not in result.hidden_respondents
    for indicator in data.indicators:
        for area in (a1, a2):
            figure = result.figure(area, indicator)
            assert figure.suppressed and figure.value is None and figure.low is None
            assert figure.n_display == SUPPRESSED


def test_the_results_page_shows_no_small_cell(client: Client, small: MonitorWorld) -> None:
    url = reverse("monitor:results", args=[small.world.gemeente.code])
    for indicator in ("unsafe_buurt", "mark_safety", "cohesion", "reported_bike_theft"):
        page = officer(client, small).get(url, {"indicator": indicator}).content.decode()
        for buurt in small.buurten[:2]:
            row = re.search(rf'<tr class="level-buurt" data-area="buurt-{buurt.pk}">(.*?)</tr>', page, re.S)
            assert row is not None
            assert "data-value" not in row.group(1)
            assert f'data-respondents="buurt-{buurt.pk}">{SUPPRESSED}<' in row.group(1)
        for shown in re.findall(r'data-respondents="[a-z]+-\d+">([^<]+)<', page):
            assert shown == SUPPRESSED or int(shown.replace(".", "")) in range(MIN_CELL, 10**9) or shown == "0"
        found = re.search(r'id="monitor-charts" type="application/json">(.*?)</script>', page, re.S)
        assert found is not None
        charts = json.loads(found.group(1))
        hidden = {b.name for b in small.buurten[:2]}
        for bar in charts["bars"]:
            if bar["label"] in hidden:
                assert bar["value"] is None and bar["low"] is None and bar["high"] is None


def test_the_map_data_carries_no_small_value(small: MonitorWorld) -> None:
    from buurtonderzoek.monitor.presenters import map_data

    small.buurten[0].boundary = {"type": "Polygon", "coordinates": [[[5, 52], [5.01, 52], [5.01, 52.01], [5, 52]]]}
    small.buurten[0].save()
    data = load_results(small.world.gemeente, with_boundaries=True)
    indicator = data.indicator_by_key["mark_safety"]
    geo = map_data(data, small.wave, indicator)
    [feature] = geo["features"]
    assert feature["properties"]["value"] is None
    assert "3" not in feature["properties"]["text"]


def test_the_csv_export_shows_no_small_cell(
    client: Client, small: MonitorWorld, django_capture_on_commit_callbacks: Commits
) -> None:
    url = reverse("monitor:export_csv", args=[small.world.gemeente.code])
    content = make_job_file(officer(client, small), url, django_capture_on_commit_callbacks)[1]
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows
    hidden_codes = {b.code for b in small.buurten[:2]}
    for row in rows:
        for column in ("respondenten gebied", "n (met antwoord)"):
            assert row[column] == SUPPRESSED or int(row[column]) == 0 or int(row[column]) >= MIN_CELL
        if row["gebiedscode"] in hidden_codes:
            assert row["n (met antwoord)"] == SUPPRESSED
            assert row["waarde"] == row["95%-BI ondergrens"] == row["95%-BI bovengrens"] == ""
            assert row["verschil met vorige meting"] == ""
            assert row["onderdrukt"] == "ja"


def test_the_xlsx_export_shows_no_small_cell(
    client: Client, small: MonitorWorld, django_capture_on_commit_callbacks: Commits
) -> None:
    url = reverse("monitor:export_xlsx", args=[small.world.gemeente.code])
    content = make_job_file(officer(client, small), url, django_capture_on_commit_callbacks)[1]
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["Indicatoren"]
    header = [c.value for c in sheet[1]]
    n_col, resp_col, value_col, code_col = (
        header.index("n (met antwoord)"),
        header.index("respondenten gebied"),
        header.index("waarde"),
        header.index("gebiedscode"),
    )
    hidden_codes = {b.code for b in small.buurten[:2]}
    for row in sheet.iter_rows(min_row=2, values_only=True):
        for col in (n_col, resp_col):
            cell = row[col]
            assert cell == SUPPRESSED or (isinstance(cell, int) and (cell == 0 or cell >= MIN_CELL))
        if row[code_col] in hidden_codes:
            assert row[value_col] is None
    for row in workbook["Respons"].iter_rows(min_row=2, values_only=True):
        count = row[6]
        assert count == SUPPRESSED or (isinstance(count, int) and (count == 0 or count >= MIN_CELL))
        if row[2] in hidden_codes:
            assert row[6] == SUPPRESSED and row[7] is None


def test_the_pdf_report_shows_no_small_cell(small: MonitorWorld, tmp_path) -> None:
    data = load_results(small.world.gemeente)
    context = report.report_context(data, small.wave)
    hidden = {("buurt", b.pk) for b in small.buurten[:2]}
    for chart in context["charts"]:
        for row in chart["areas"]:
            if row.area.key in hidden:
                assert row.figure.value is None and row.respondents == SUPPRESSED
    path = tmp_path / "report.pdf"
    path.write_bytes(report.results_pdf(data, small.wave))
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext (poppler-utils) is needed"
    text = subprocess.run([pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    for line in text.splitlines():
        if re.match(r"\s*Buurt A[12]\b", line):
            # Households (40) and codes issued may show; the respondents and figures may not.
            numbers = [n for n in re.findall(r"\d+(?:,\d+)?%?", line.split("Buurt A", 1)[1][1:])]
            assert set(numbers) <= {"40", "9", "15"}, line
            assert not any(n.endswith("%") for n in numbers), line


def test_the_public_buurt_summary_shows_no_small_cell(client: Client, small: MonitorWorld) -> None:
    page = client.get(reverse("monitor:buurt_summary", args=[small.buurten[0].code])).content.decode()
    assert "Buurt A1" in page
    for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", page, re.S):
        cells = re.findall(r'<td class="num" data-label="[^"]*">(.*?)</td>', row, re.S)
        assert len(cells) == 2
        assert "data-value" not in cells[0]  # the buurt's own column
        assert SUPPRESSED in cells[0]
    shown = client.get(reverse("monitor:buurt_summary", args=[small.buurten[2].code])).content.decode()
    assert shown.count("data-value") > 10


def test_small_public_link_and_pulse_groups_are_hidden(small: MonitorWorld) -> None:
    ResultCell.objects.filter(wave=small.wave, buurt=small.buurten[3], source=Source.PUBLIC).update(
        respondents=4, moments={"unsafe_buurt": [4, 4.0, 4.0]}
    )
    data = load_results(small.world.gemeente)
    public = data.public[small.wave.pk]
    figure = public.figure(data.root, data.indicator_by_key["unsafe_buurt"])
    assert figure.suppressed and figure.value is None
    assert exports.results_csv(data).decode("utf-8-sig").count(";openbare link;") >= 1


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(counts=st.lists(st.integers(min_value=0, max_value=30), min_size=6, max_size=6))
def test_no_visible_figure_rests_on_fewer_than_ten_for_any_counts(mworld: MonitorWorld, counts: list[int]) -> None:
    for buurt, count in zip(mworld.buurten, counts, strict=True):
        # Every third respondent skips the safety mark, so indicator counts differ from respondent counts.
        answered = count - count // 3
        ResultCell.objects.filter(wave=mworld.wave, buurt=buurt, source=Source.INVITED).update(
            respondents=count,
            moments={
                "unsafe_buurt": [count, count * 0.2, count * 0.2],
                "mark_safety": [answered, answered * 7.0, answered * 50.0],
            },
        )
    data = load_results(mworld.world.gemeente)
    result = data.invited[mworld.wave.pk]
    for indicator in data.indicators:
        for area in result.areas:
            figure = result.figure(area.key, indicator)
            if not figure.visible:
                assert figure.value is None and (figure.suppressed or figure.n == 0)
                continue
            assert figure.n >= MIN_CELL
            children = result.children.get(area.key, [])
            if children:
                covered = 0
                stack = list(children)
                while stack:
                    child = stack.pop()
                    child_figure = result.figure(child, indicator)
                    if child_figure.visible:
                        covered += child_figure.n
                    else:
                        stack.extend(result.children.get(child, []))
                remainder = figure.n - covered
                assert remainder == 0 or remainder >= MIN_CELL
        for area in result.areas:
            shown = result.respondents_shown(area.key)
            assert shown is None or shown == 0 or shown >= MIN_CELL


def test_a_view_of_some_buurten_hides_what_the_whole_view_hides(small: MonitorWorld) -> None:
    """A partial view (a partner table's buurtbeeld) next to the results page must not reveal A1 by subtraction."""
    a2, a3 = small.buurten[1:3]
    data = load_results(small.world.gemeente, buurten=[a2, a3])
    result = data.invited[small.wave.pk]
    assert {a.key for a in result.areas_of("buurt")} == {("buurt", a2.pk), ("buurt", a3.pk)}
    for indicator in data.indicators:
        assert result.figure(("buurt", a2.pk), indicator).suppressed
        whole = load_results(small.world.gemeente).invited[small.wave.pk].figure(data.root, indicator)
        assert result.figure(data.root, indicator) == whole
