"""The public buurt summary's chart: released figures only, with a text equivalent."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buurtonderzoek.monitor.tests.conftest import MonitorWorld, fill, mworld, version  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(mworld: MonitorWorld, fill: Callable[..., int]) -> MonitorWorld:  # noqa: F811
    a1, a2, a3, b1, b2, b3 = mworld.buurten
    fill(mworld.wave, {a1.pk: 9}, seed=1)  # too few: never drawn
    fill(mworld.wave, {a2.pk: 15, a3.pk: 20, b1.pk: 30, b2.pk: 25, b3.pk: 12}, seed=2)
    today = timezone.localdate()
    mworld.wave.starts_on, mworld.wave.ends_on = today - timedelta(days=40), today - timedelta(days=1)
    mworld.wave.save()
    return mworld


def test_the_buurt_summary_draws_its_released_figures(client: Client, finished: MonitorWorld) -> None:
    page = client.get(reverse("monitor:buurt_summary", args=[finished.buurten[5].code])).content.decode()
    charts = re.findall(r'<figure class="buurt-chart".*?</figure>', page, re.S)
    assert charts, "no chart on a buurt with released figures"
    assert all('role="img"' in c and "<title>" in c and "<figcaption>" in c for c in charts)
    assert "Dezelfde cijfers staan in de tabel hieronder" in page
    # Every value printed in the chart is a value the table shows.
    table = page[page.index("<table") :]
    for value in re.findall(r'font-weight="bold">([^<]+)</text>', "".join(charts)):
        assert value in table, value


def test_a_buurt_with_too_few_answers_gets_no_chart(client: Client, finished: MonitorWorld) -> None:
    page = client.get(reverse("monitor:buurt_summary", args=[finished.buurten[0].code])).content.decode()
    assert "buurt-chart" not in page
