"""Monitor results in the shared cache, so several web processes compute a gemeente's figures once.

`cached_results(gemeente, ...)` is `load_results` behind the cache (Redis with REDIS_URL, else this
process's memory). The key holds a version: a hash of everything `load_results` reads for the gemeente
(its waves, their buurten and households, the running totals per buurt, the pulse answers and the
invited answers the weighting reads, the buurten and their population totals), today's date (a wave
closes by the calendar) and the code that computes the figures. Any change to an input gives a new key,
so a new response shows on the next page view: invalidation is exact, and nothing has to remember to
clear anything. The version costs a few small queries over those rows; a hit saves reading the
boundaries, the statistics and the presenters' work.

The results object memoises the figures a page asks for (results.py); `remember()` stores it again after
the page used it, so the next view of the same figures finds them computed.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import get_language

from buurtonderzoek.monitor.models import Response, ResponseStatus, ResultCell, Source, Wave, WaveBuurt
from buurtonderzoek.monitor.results import GemeenteResults, load_results
from buurtonderzoek.places.models import Buurt, BuurtPopulation, Gemeente

TIMEOUT = 24 * 60 * 60  # a version that is no longer asked for ages out
# The code that turns the inputs into figures: a release that changes it starts with an empty cache.
CODE_FILES = ("results.py", "statistics.py", "indicators.py", "aggregates.py", "weighting.py", "cache.py")
CODE_VERSION = hashlib.sha256(b"".join((Path(__file__).parent / name).read_bytes() for name in CODE_FILES)).hexdigest()[
    :12
]


def _rows_digest(digest: Any, rows: Any) -> None:
    for row in rows:
        digest.update(repr(row).encode())
    digest.update(b"|")


def results_version(gemeente: Gemeente, *, today: date | None = None) -> str:
    """A hash of every row `load_results` reads for this gemeente, and of today's date."""
    digest = hashlib.sha256(f"{CODE_VERSION}:{gemeente.pk}:{today or timezone.localdate()}".encode())
    waves = Wave.objects.filter(gemeente=gemeente).order_by("pk")
    _rows_digest(digest, waves.values_list())
    _rows_digest(digest, WaveBuurt.objects.filter(wave__gemeente=gemeente).order_by("pk").values_list())
    # Moments change without a change in respondents when a wave's cells are rebuilt: hash them all.
    cells = ResultCell.objects.filter(wave__gemeente=gemeente).order_by("pk")
    _rows_digest(digest, cells.values_list("pk", "wave_id", "buurt_id", "source", "respondents", "moments"))
    # Completed answers: the pulse answers are read one by one, and the weighting reads the invited
    # answers (age, sex, scores) of closed waves. A completed answer is not changed, only added or
    # deleted (and a rescored wave rebuilds its cells, above): counts and last ids tell.
    completed = Response.objects.filter(status=ResponseStatus.COMPLETED, buurt__gemeente=gemeente)
    pulse, invited = Q(source=Source.PULSE), Q(source=Source.INVITED)
    answers = completed.aggregate(
        pulse=Count("pk", filter=pulse),
        last_pulse=Max("pk", filter=pulse),
        invited=Count("pk", filter=invited),
        last_invited=Max("pk", filter=invited),
    )
    _rows_digest(digest, [tuple(answers.values())])
    buurten = Buurt.objects.filter(gemeente=gemeente).order_by("pk")
    _rows_digest(digest, buurten.values_list("pk", "code", "name", "wijk_id"))
    _rows_digest(digest, BuurtPopulation.objects.filter(buurt__gemeente=gemeente).order_by("pk").values_list())
    return digest.hexdigest()[:24]


def _key(gemeente: Gemeente, version: str, options: dict[str, Any]) -> str:
    flags = ",".join(f"{name}={value}" for name, value in sorted(options.items()))
    return f"monitor:results:{gemeente.pk}:{flags}:{version}"


def cached_results(
    gemeente: Gemeente, *, finished_only: bool = False, with_boundaries: bool = False
) -> GemeenteResults:
    # Per language too: a few texts (the weighting line) are put into words while loading.
    options = {"finished_only": finished_only, "with_boundaries": with_boundaries, "lang": get_language() or "nl"}
    key = _key(gemeente, results_version(gemeente), options)
    data = cache.get(key)
    if not isinstance(data, GemeenteResults):
        data = load_results(gemeente, finished_only=finished_only, with_boundaries=with_boundaries)
    data._cache_key = key  # type: ignore[attr-defined]
    data._cache_figures = _figures(data)  # type: ignore[attr-defined]
    return data


def remember(data: GemeenteResults) -> None:
    """Store the results again if the page computed figures the cached copy does not have yet."""
    key = getattr(data, "_cache_key", None)
    if key is None or (_figures(data) == getattr(data, "_cache_figures", -1) and cache.has_key(key)):
        return
    data._cache_figures = _figures(data)  # type: ignore[attr-defined]
    cache.set(key, data, TIMEOUT)


def _figures(data: GemeenteResults) -> int:
    groups = (data.invited, data.public, data.pulse)
    return sum(len(result._figures) for group in groups for result in group.values())
