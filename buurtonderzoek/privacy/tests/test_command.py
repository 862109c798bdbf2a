"""`manage.py data_subject_request`: the same search, export and erase without the web page."""

from __future__ import annotations

import json
import stat
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from buurtonderzoek.core.models import AuditAction, AuditEvent
from buurtonderzoek.handoff.tests.fixtures import WITNESS_NAME, WITNESS_PHONE
from buurtonderzoek.privacy.tests.conftest import People
from conftest import World

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("data_subject_request", *args, stdout=out)
    return out.getvalue()


def test_search_prints_counts_per_kind(people: People) -> None:
    out = run("search", "--reference", "AVG-1", "--phone", "0612345678")
    assert "Contactgegevens als getuige (deurbezoeken): 1 (wordt verwijderd)" in out
    assert WITNESS_NAME not in out
    assert AuditEvent.objects.filter(action=AuditAction.READ_PERSONAL, object_id="AVG-1").exists()


def test_export_writes_a_file_only_the_operator_can_read(people: People, world: World, tmp_path: Path) -> None:
    target = tmp_path / "verzoek.json"
    out = run(
        "export",
        "--reference",
        "AVG-1",
        "--phone",
        "06 1234 5678",
        "--output",
        str(target),
        "--operator",
        "admin@example.nl",
    )
    assert "Export geschreven naar" in out
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["door_visits"][0]["contact"]["contact_phone"] == WITNESS_PHONE
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert AuditEvent.objects.get(action=AuditAction.EXPORT).actor == world.admin
    with pytest.raises(CommandError, match="bestaat al"):
        run("export", "--reference", "AVG-1", "--phone", "0612345678", "--output", str(target))


def test_erase_without_input_removes_and_a_second_run_finds_nothing(people: People) -> None:
    out = run("erase", "--reference", "AVG-1", "--phone", "+31612345678", "--no-input")
    assert "Verzoek AVG-1 uitgevoerd." in out and "deurbezoeken (contactgegevens): 1" in out
    people.witness_visit.refresh_from_db()
    assert "contact_phone" not in people.witness_visit.answers
    assert "niets (meer) te verwijderen" in run("erase", "--reference", "AVG-1", "--phone", "0612345678", "--no-input")


def test_erase_asks_for_the_reference_and_stops_on_a_mismatch(people: People, monkeypatch) -> None:
    monkeypatch.setattr("builtins.input", lambda prompt: "AVG-2")
    with pytest.raises(CommandError, match="komt niet overeen"):
        run("erase", "--reference", "AVG-1", "--phone", "0612345678")
    people.witness_visit.refresh_from_db()
    assert people.witness_visit.answers["contact_phone"] == WITNESS_PHONE


def test_it_refuses_without_email_or_phone_and_with_a_bad_operator(world: World) -> None:
    with pytest.raises(CommandError, match="Geef --email of --phone op"):
        run("search", "--reference", "AVG-1", "--name", "Johanna Verbeek")
    with pytest.raises(CommandError, match="ongeldig"):
        run("search", "--reference", "AVG-1", "--phone", "12")
    with pytest.raises(CommandError, match="Geen actieve platformbeheerder"):
        run("search", "--reference", "AVG-1", "--phone", "0612345678", "--operator", "bob@example.nl")
