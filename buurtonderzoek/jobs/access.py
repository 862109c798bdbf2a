"""Who may see a background job: only the person who asked for it (404 for everyone else, also staff:
the file may hold names, addresses or figures of the requester's own units)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.shortcuts import get_object_or_404

from buurtonderzoek.jobs.models import Job


def get_job_for_user(user: Any, pk: int) -> Job:
    return get_object_or_404(Job.objects.of(user), pk=pk)


def recent_jobs(user: Any, kinds: str | Sequence[str], *, limit: int = 5, **params: Any) -> list[Job]:
    """The user's latest jobs of these kinds for the same subject (params by key), newest first, for the
    page they asked from."""
    lookups = {f"params__{key}": value for key, value in params.items()}
    kind_list = [kinds] if isinstance(kinds, str) else list(kinds)
    return list(Job.objects.of(user).filter(kind__in=kind_list, **lookups)[:limit])
