"""How figures read: intervals stay inside the scale (issue 8: "2,7 (95%-BI -0,4-5,8)")."""

from __future__ import annotations

import copy
import csv
import io
import itertools
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buurtonderzoek.jobs.tests.helpers import Commits, make_job_file
from buurtonderzoek.monitor.indicators import indicators_for
from buurtonderzoek.monitor.results import Figure, clamp
from buurtonderzoek.monitor.statistics import Estimate, Kind, Moments, Stratum, stratified
from buurtonderzoek.monitor.tests.conftest import MonitorWorld, close_wave
from buurtonderzoek.questionnaires.models import QuestionnaireVersion
from buurtonderzoek.questionnaires.standard import monitor as monitor_standard

pytestmark = pytest.mark.django_db


def test_a_mark_interval_never_leaves_the_scale(version: QuestionnaireVersion) -> None:
    mark = next(i for i in indicators_for(version.parsed) if i.key == "mark_safety")
    assert (mark.low, mark.high) == (1, 10)
    wide = Estimate(Kind.MEAN, 12, 2.7, -0.4, 5.8, 1.4, 11.0)
    figure = Figure(mark, 12, clamp(wide, mark), False)
    assert (figure.low, figure.high) == (1.0, 5.8)
    assert figure.text == "2,7 (95%-BI 1,0\u20135,8)"
    top = clamp(Estimate(Kind.MEAN, 12, 9.6, 8.9, 10.3, 0.3, 11.0), mark)
    assert (top.low, top.high) == (8.9, 10.0)


def test_real_estimates_of_a_skewed_small_sample_are_clamped(version: QuestionnaireVersion) -> None:
    mark = next(i for i in indicators_for(version.parsed) if i.key == "mark_safety")
    estimate = stratified(Kind.MEAN, [Stratum(12, Moments.of([1.0] * 10 + [10.0, 9.0]), None)])
    assert estimate is not None and estimate.low < 1.0  # what the t interval gives
    assert clamp(estimate, mark).low == 1.0


def pre2021_schema() -> dict[str, Any]:
    """The standard questionnaire as it was before the VM 2021 version: four cohesion statements under
    the key `cohesion`, no questions about the respondent, no series."""
    schema = copy.deepcopy(monitor_standard.schema())
    schema["meta"].pop("series")
    schema["sections"] = [s for s in schema["sections"] if s["id"] != "about_you"]
    for section in schema["sections"]:
        section["questions"] = [
            q
            for q in section["questions"]
            if q["id"] not in ("who_answers", "cohesion_away", "cohesion_help_each_other")
        ]
        for q in section["questions"]:
            if q.get("meta", {}).get("indicator") == "cohesion_vm2021":
                q["meta"]["indicator"] = "cohesion"
    return schema


def old_version(version: QuestionnaireVersion) -> QuestionnaireVersion:
    return QuestionnaireVersion.objects.create(
        questionnaire=version.questionnaire,
        number=version.number + 1,
        schema=pre2021_schema(),
        status="published",
        published_at=timezone.now(),
    )


def test_references_carry_year_source_and_series_and_never_cross_the_2021_break(version: QuestionnaireVersion) -> None:
    found = {i.key: i for i in indicators_for(version.parsed)}
    assert found["unsafe_general"].reference_source == "CBS Veiligheidsmonitor 2023, reeks vanaf 2021"
    assert found["unsafe_buurt"].reference_source == "CBS Veiligheidsmonitor 2019, reeks tot en met 2019"
    assert "6 stellingen" in found["cohesion_vm2021"].reference_source
    old = {i.key: i for i in indicators_for(pre2021_schema())}
    assert "cohesion_vm2021" not in old and "4 stellingen" in str(old["cohesion"].label)
    far_off = Estimate(Kind.PROPORTION, 400, 0.60, 0.55, 0.65, 0.02, 400.0)
    for indicator, estimate in ((found["unsafe_buurt"], far_off), (old["cohesion"], _mean(2.0))):
        figure = Figure(indicator, 400, estimate, False)
        assert figure.reference_verdict.startswith("niet vergelijkbaar: ")
        assert not figure.reference_significant
    comparable = Figure(found["unsafe_general"], 400, far_off, False)
    assert comparable.reference_verdict == "significant hoger dan Nederland" and comparable.reference_significant
    # The six-statement scale of the VM 2021+ version is compared with the 2021 figure of that scale.
    six = Figure(found["cohesion_vm2021"], 400, _mean(2.0), False)
    assert six.reference_verdict == "significant lager dan Nederland"
    # Figures that could not be verified are not shown as references at all.
    assert found["mark_safety"].reference is None and found["mark_safety"].reference_source == ""


def test_old_waves_keep_their_definitions_and_are_never_compared_across_the_scales(mworld: MonitorWorld, fill) -> None:
    from buurtonderzoek.monitor.models import Wave
    from buurtonderzoek.monitor.results import load_results

    earlier = Wave.objects.create(
        gemeente=mworld.world.gemeente,
        name="Voorjaar oud",
        starts_on=mworld.wave.starts_on - timedelta(days=400),
        ends_on=mworld.wave.starts_on - timedelta(days=360),
        version=old_version(mworld.version),
    )
    for buurt in mworld.buurten:
        earlier.wave_buurten.create(buurt=buurt, households=40)
    fill(earlier, {b.pk: 20 for b in mworld.buurten})
    fill(mworld.wave, {b.pk: 20 for b in mworld.buurten}, seed=2)
    close_wave(mworld.wave)
    results = load_results(mworld.world.gemeente)
    keys = results.indicator_by_key
    assert {"cohesion", "cohesion_vm2021"} <= keys.keys()
    root = results.root
    old_figure = results.invited[earlier.pk].figure(root, keys["cohesion"])
    new_figure = results.invited[mworld.wave.pk].figure(root, keys["cohesion_vm2021"])
    assert old_figure.visible and new_figure.visible
    assert not results.invited[earlier.pk].figure(root, keys["cohesion_vm2021"]).visible  # never asked then
    assert old_figure.reference_verdict.startswith("niet vergelijkbaar")
    assert not new_figure.reference_verdict.startswith("niet vergelijkbaar")
    # No wave-against-wave comparison across the two scales.
    for key in ("cohesion", "cohesion_vm2021"):
        assert results.compare_waves(root, keys[key], mworld.wave, earlier) is None
    # A question both versions share is compared as before.
    assert results.compare_waves(root, keys["unsafe_general"], mworld.wave, earlier) is not None
    # The old wave kept its version: it has no questions about the respondent, so design weights.
    assert "vraagt geen leeftijd en geslacht" in results.invited[earlier.pk].weighting


def _mean(value: float) -> Estimate:
    return Estimate(Kind.MEAN, 400, value, value - 0.1, value + 0.1, 0.05, 399.0)


def test_the_csv_names_the_reference_and_says_why_it_is_not_compared(
    client: Client, mworld: MonitorWorld, fill, django_capture_on_commit_callbacks: Commits
) -> None:
    fill(mworld.wave, {b.pk: 15 for b in mworld.buurten})
    close_wave(mworld.wave)
    client.force_login(mworld.world.gert)
    url = reverse("monitor:export_csv", args=[mworld.world.gemeente.code])
    content = make_job_file(client, url, django_capture_on_commit_callbacks)[1].decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content), delimiter=";"))
    row = next(r for r in rows if r["indicatorcode"] == "unsafe_buurt" and r["niveau"] == "gemeente")
    assert row["bron referentie (jaar, reeks)"] == "CBS Veiligheidsmonitor 2019, reeks tot en met 2019"
    assert row["t.o.v. Nederland"].startswith("niet vergelijkbaar: ")
    page = client.get(reverse("monitor:results", args=[mworld.world.gemeente.code])).content.decode()
    assert "CBS Veiligheidsmonitor 2023, reeks vanaf 2021" in page and "niet vergelijkbaar" in page


def _square(lon: float, lat: float, size: float) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_the_report_map_prints_each_value_and_never_lets_labels_cover_each_other() -> None:
    from buurtonderzoek.monitor.charts_svg import MapArea, map_chart

    areas = [
        MapArea("Buurt A1", _square(5.10, 52.05, 0.02), 16.0, "16%"),
        MapArea("Buurt A2", _square(5.12, 52.05, 0.02), 44.0, "44%"),
        MapArea("Buurt A3", _square(5.14, 52.05, 0.02), None, "•"),
        # Two slivers next to each other: only one of their labels fits.
        MapArea("Hofje", _square(5.16, 52.05, 0.0005), 30.0, "30%"),
        MapArea("Steeg", _square(5.1605, 52.05, 0.0005), 31.0, "31%"),
    ]
    svg = map_chart(areas, title="Onveilig in de buurt")
    assert svg.count("<path") == 5
    for text in ("16%", "44%", "•", "Buurt A1"):
        assert f">{text}</text>" in svg
    boxes = [
        tuple(float(v) for v in match)
        for match in re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"', svg)
    ]
    for (x1, y1, w1, h1), (x2, y2, w2, h2) in itertools.combinations(boxes, 2):
        assert x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1, "labels overlap"
    assert len(boxes) == 4 and "1 buurt zonder label (te klein); zie de tabel" in svg
