from __future__ import annotations

import json
import re
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from buurtonderzoek.canvass import optimise
from buurtonderzoek.canvass.actions import assign_route_members, plan_canvass, record_visit
from buurtonderzoek.canvass.models import Canvass, Route, RouteStop, Tip
from buurtonderzoek.core.tests.html_checks import dangling_references
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.incidents.tests.fixtures import central_address, make_incident, make_streets
from buurtonderzoek.jobs.tests.helpers import make_job_file
from conftest import World

pytestmark = pytest.mark.django_db


def give_totp(user) -> None:
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})


def url(name: str, incident: Incident, *args: int) -> str:
    return reverse(name, args=[incident.pk, *args])


def pdf_text(content: bytes, tmp_path: Path, *, raw: bool = False) -> str:
    """The PDF's words, one space apart. `raw` keeps the order in which they were drawn, so a
    cell that wraps stays together instead of interleaving with the map beside it."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    mode = ["-raw"] if raw else []
    text = subprocess.run(  # noqa: S603 - fixed poppler tools on a file we wrote
        ["/usr/bin/pdftotext", *mode, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())


def pdf_pages(content: bytes, tmp_path: Path) -> list[Path]:
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    subprocess.run(  # noqa: S603 - fixed poppler tools on a file we wrote
        ["/usr/bin/pdftoppm", "-r", "60", "-png", str(path), str(tmp_path / "page")], check=True
    )
    return sorted(tmp_path.glob("page*.png"))


# Plan page


def test_plan_requires_login(client: Client, incident: Incident) -> None:
    assert client.get(url("canvass_plan", incident)).status_code == 302


def test_plan_is_404_for_outsiders(client: Client, world: World, incident: Incident) -> None:
    client.force_login(world.charlie)
    assert client.get(url("canvass_plan", incident)).status_code == 404


def test_plan_is_403_for_volunteers(client: Client, world: World, incident: Incident) -> None:
    client.force_login(world.bob)
    assert client.get(url("canvass_plan", incident)).status_code == 403
    assert client.post(url("canvass_plan", incident), {"radius_m": 150}).status_code == 403


def test_plan_page_shows_the_counts_and_the_map_data(client: Client, world: World, incident: Incident) -> None:
    client.force_login(world.alice)
    response = client.get(url("canvass_plan", incident))
    page = response.content.decode()
    preview = response.context["preview"]
    assert preview.door_count > 50 and f'id="door-count">{preview.door_count}<' in page
    assert 'id="plan-preview"' in page and "leaflet.draw.js" in page


def test_a_coordinator_plans_with_a_radius_and_route_count(client: Client, world: World, incident: Incident) -> None:
    client.force_login(world.alice)
    response = client.post(url("canvass_plan", incident), {"radius_m": 120, "route_count": 3})
    assert response.status_code == 302 and response["Location"] == url("canvass_overview", incident)
    canvass = Canvass.objects.get(incident=incident)
    assert canvass.radius_m == 120 and canvass.routes.count() == 3


def test_plan_without_a_route_count_uses_the_suggestion(client: Client, world: World, incident: Incident) -> None:
    client.force_login(world.alice)
    client.post(url("canvass_plan", incident), {"radius_m": 150})
    canvass = Canvass.objects.get(incident=incident)
    assert canvass.routes.count() == max(1, -(-canvass.door_count // 40))


def test_plan_refuses_a_radius_that_is_too_large_in_dutch(client: Client, world: World, incident: Incident) -> None:
    client.force_login(world.alice)
    page = client.post(url("canvass_plan", incident), {"radius_m": 5000}).content.decode()
    assert "kleiner dan of gelijk aan 1000" in page or "1000" in page
    assert not Canvass.objects.exists()


def test_plan_refuses_garbage_polygons(client: Client, world: World, incident: Incident) -> None:
    client.force_login(world.alice)
    page = client.post(url("canvass_plan", incident), {"polygon": "{niet json"}).content.decode()
    assert "onleesbaar" in page
    assert not Canvass.objects.exists()


def test_plan_refuses_a_polygon_that_is_too_large(client: Client, world: World, incident: Incident) -> None:
    client.force_login(world.alice)
    d = 0.02  # about 2.8 by 2.2 km
    ring = [[5.0, 52.0], [5.0 + d * 2, 52.0], [5.0 + d * 2, 52.0 + d], [5.0, 52.0 + d], [5.0, 52.0]]
    page = client.post(
        url("canvass_plan", incident), {"polygon": json.dumps({"type": "Polygon", "coordinates": [ring]})}
    ).content.decode()
    assert "te groot" in page
    assert not Canvass.objects.exists()


# Preview JSON


def test_preview_requires_login(client: Client, incident: Incident) -> None:
    assert client.get(url("canvass_plan_preview", incident)).status_code == 302


def test_preview_is_404_for_outsiders(client: Client, world: World, incident: Incident) -> None:
    client.force_login(world.charlie)
    assert client.get(url("canvass_plan_preview", incident)).status_code == 404


def test_preview_is_403_for_volunteers(client: Client, world: World, incident: Incident) -> None:
    client.force_login(world.bob)
    assert client.get(url("canvass_plan_preview", incident)).status_code == 403


def test_preview_lists_addresses_with_the_victim_marked(client: Client, world: World, incident: Incident) -> None:
    client.force_login(world.alice)
    data = client.get(url("canvass_plan_preview", incident), {"radius": 100}).json()
    flags = {row[0]: row[4] for row in data["addresses"]}
    assert flags[incident.address_id] == 2
    assert data["door_count"] == sum(1 for f in flags.values() if f == 0)
    excluded = next(pk for pk, f in flags.items() if f == 0)
    data2 = client.get(url("canvass_plan_preview", incident), {"radius": "100", "excluded": str(excluded)}).json()
    assert data2["door_count"] == data["door_count"] - 1


def test_preview_answers_bad_input_with_a_dutch_error(client: Client, world: World, incident: Incident) -> None:
    client.force_login(world.alice)
    response = client.get(url("canvass_plan_preview", incident), {"radius": 3})
    assert response.status_code == 400 and "straal" in response.json()["error"]


# Overview, coverage and assignment


def test_overview_requires_login(client: Client, canvass: Canvass) -> None:
    assert client.get(url("canvass_overview", canvass.incident)).status_code == 302


def test_overview_is_404_for_outsiders(client: Client, world: World, canvass: Canvass) -> None:
    client.force_login(world.charlie)
    assert client.get(url("canvass_overview", canvass.incident)).status_code == 404


def test_overview_is_404_for_a_volunteer_without_a_route(client: Client, world: World, canvass: Canvass) -> None:
    client.force_login(world.bob)
    assert client.get(url("canvass_overview", canvass.incident)).status_code == 404


def test_volunteers_see_only_their_own_route_read_only(client: Client, world: World, canvass: Canvass) -> None:
    mine, other = list(canvass.routes.all())[:2]
    assign_route_members(mine, by=world.alice, members=[world.bob])
    client.force_login(world.bob)
    page = client.get(url("canvass_overview", canvass.incident)).content.decode()
    assert mine.name in page and other.name not in page
    assert url("canvass_assign", canvass.incident) not in page or "member-select" not in page
    data = client.get(url("canvass_coverage", canvass.incident)).json()
    assert len(data["doors"]) == mine.door_count


def test_coordinators_see_all_routes_progress_and_revisits(
    client: Client, world: World, canvass: Canvass, django_assert_max_num_queries
) -> None:
    stops = list(RouteStop.objects.filter(canvass=canvass).order_by("route__number", "order")[:3])
    for stop, outcome in zip(stops, ["gesproken", "niet_thuis", "later_terug"], strict=True):
        record_visit(
            canvass,
            by=world.bob,
            client_uuid=uuid.uuid4(),
            address_id=stop.address_id,
            outcome=outcome,
            visited_at=timezone.now(),
            answers={},
        ) if outcome != "gesproken" else None
    client.force_login(world.alice)
    with django_assert_max_num_queries(20):
        page = client.get(url("canvass_overview", canvass.incident)).content.decode()
    for route in canvass.routes.all():
        assert route.name in page
    assert stops[1].address.street in page  # in the revisit list
    assert 'id="revisit-table"' in page


def test_the_coverage_map_data_colours_doors_by_outcome(client: Client, world: World, canvass: Canvass) -> None:
    address = RouteStop.objects.filter(canvass=canvass)[0].address_id
    record_visit(
        canvass, by=world.bob, client_uuid=uuid.uuid4(), address_id=address, outcome="niet_thuis",
        visited_at=timezone.now(),
    )  # fmt: skip
    client.force_login(world.alice)
    data = client.get(url("canvass_coverage", canvass.incident)).json()
    states = {row[0]: row[5] for row in data["doors"]}
    assert states[address] == "niet_thuis"
    assert sum(1 for s in states.values() if s == "open") == len(states) - 1
    assert sum(r["visited"] for r in data["routes"]) == 1


def test_coverage_requires_login(client: Client, canvass: Canvass) -> None:
    assert client.get(url("canvass_coverage", canvass.incident)).status_code == 302


def test_coverage_is_404_for_outsiders_and_volunteers_without_a_route(
    client: Client, world: World, canvass: Canvass
) -> None:
    for user in (world.charlie, world.bob):
        client.force_login(user)
        assert client.get(url("canvass_coverage", canvass.incident)).status_code == 404


def test_police_of_the_area_see_the_progress(client: Client, world: World, canvass: Canvass) -> None:
    give_totp(world.petra)
    client.force_login(world.petra)
    assert client.get(url("canvass_overview", canvass.incident)).status_code == 200


def test_assign_requires_login(client: Client, canvass: Canvass) -> None:
    assert client.post(url("canvass_assign", canvass.incident)).status_code == 302


def test_assign_is_404_for_outsiders(client: Client, world: World, canvass: Canvass) -> None:
    client.force_login(world.charlie)
    assert client.post(url("canvass_assign", canvass.incident)).status_code == 404


def test_assign_is_403_for_volunteers(client: Client, world: World, canvass: Canvass) -> None:
    client.force_login(world.bob)
    route = canvass.routes.get(number=1)
    response = client.post(url("canvass_assign", canvass.incident), {f"route_{route.pk}": [world.bob.pk]})
    assert response.status_code == 403
    assert not route.members.exists()


def test_a_coordinator_assigns_pairs_to_routes(client: Client, world: World, canvass: Canvass) -> None:
    client.force_login(world.alice)
    first, second = list(canvass.routes.all())[:2]
    data: dict[str, Any] = {
        f"route_{first.pk}": [world.alice.pk, world.bob.pk],
        f"route_{second.pk}": [world.bob.pk, ""],
    }
    response = client.post(url("canvass_assign", canvass.incident), data, follow=True)
    assert "2 routes gewijzigd" in response.content.decode()
    assert set(first.members.all()) == {world.alice, world.bob}
    assert list(second.members.all()) == [world.bob]


def test_assigning_an_outsider_is_refused(client: Client, world: World, canvass: Canvass) -> None:
    client.force_login(world.alice)
    route = canvass.routes.get(number=1)
    response = client.post(
        url("canvass_assign", canvass.incident), {f"route_{route.pk}": [world.charlie.pk]}, follow=True
    )
    assert "Alleen leden van het team" in response.content.decode()
    assert not route.members.exists()


# Optimise


def test_optimise_requires_login(client: Client, canvass: Canvass) -> None:
    assert client.post(url("canvass_optimise", canvass.incident)).status_code == 302


def test_optimise_is_404_for_outsiders(client: Client, world: World, canvass: Canvass) -> None:
    client.force_login(world.charlie)
    assert client.post(url("canvass_optimise", canvass.incident)).status_code == 404


def test_optimise_is_403_for_volunteers(client: Client, world: World, canvass: Canvass) -> None:
    client.force_login(world.bob)
    assert client.post(url("canvass_optimise", canvass.incident)).status_code == 403


def test_optimise_says_in_dutch_when_or_tools_is_missing(
    client: Client, world: World, canvass: Canvass, monkeypatch
) -> None:
    monkeypatch.setattr(optimise, "is_available", lambda: False)
    client.force_login(world.alice)
    response = client.post(url("canvass_optimise", canvass.incident), follow=True)
    assert "OR-Tools is niet geïnstalleerd" in response.content.decode()


@pytest.mark.skipif(not optimise.is_available(), reason="OR-Tools (the optimise extra) is not installed")
def test_optimise_runs_in_the_background_and_the_page_says_so_until_it_is_done(
    client: Client, world: World, canvass: Canvass, settings, django_capture_on_commit_callbacks: Any
) -> None:
    # A small plan and a few seconds: enough for a first solution even on a busy machine.
    canvass = plan_canvass(canvass.incident, by=world.alice, route_count=2, radius_m=60, improve=False)
    settings.ROUTE_OPTIMISE_SECONDS = 3.0
    before = canvass.routes.count()
    client.force_login(world.alice)
    # The request only queues the work: while the task waits the page says the routes are being improved.
    response = client.post(url("canvass_optimise", canvass.incident))
    assert response.status_code == 302
    page = client.get(url("canvass_overview", canvass.incident)).content.decode()
    assert "Routes worden verbeterd" in page and "canvass_improve_status" not in page
    assert url("canvass_improve_status", canvass.incident) in page and "Routes optimaliseren" not in page
    status = client.get(url("canvass_improve_status", canvass.incident), headers={"HX-Request": "true"})
    assert "HX-Refresh" not in status and "Routes worden verbeterd" in status.content.decode()

    canvass.refresh_from_db()
    Canvass.objects.filter(pk=canvass.pk).update(improving_since=None)  # the first request's task never ran
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("canvass_optimise", canvass.incident))
    canvass.refresh_from_db()
    assert not canvass.improving and (
        "verbeterd" in canvass.improvement_note or "geen kortere" in canvass.improvement_note
    )
    status = client.get(url("canvass_improve_status", canvass.incident), headers={"HX-Request": "true"})
    assert status["HX-Refresh"] == "true"
    page = client.get(url("canvass_overview", canvass.incident)).content.decode()
    assert canvass.improvement_note in page and "Routes optimaliseren" in page
    assert canvass.routes.count() == before
    assert RouteStop.objects.filter(canvass=canvass).count() == canvass.door_count


def test_the_improvement_status_follows_the_canvass_access_rules(
    client: Client, world: World, canvass: Canvass
) -> None:
    status = url("canvass_improve_status", canvass.incident)
    assert client.get(status).status_code == 302
    client.force_login(world.charlie)
    assert client.get(status).status_code == 404
    client.force_login(world.bob)
    assert client.get(status).status_code == 200


# Walking list and leaflet PDFs (background jobs)


def test_walking_lists_require_login_and_a_post(client: Client, world: World, canvass: Canvass) -> None:
    route = canvass.routes.get(number=1)
    assert client.post(url("canvass_walking_lists", canvass.incident), {"route": route.pk}).status_code == 302
    client.force_login(world.bob)
    assert client.get(url("canvass_walking_lists", canvass.incident)).status_code == 405


def test_walking_list_is_404_for_outsiders_and_other_volunteers_routes(
    client: Client, world: World, canvass: Canvass
) -> None:
    from buurtonderzoek.jobs.models import Job

    route = canvass.routes.get(number=1)
    client.force_login(world.charlie)
    assert client.post(url("canvass_walking_lists", canvass.incident), {"route": route.pk}).status_code == 404
    client.force_login(world.bob)  # walks no route yet
    assert client.post(url("canvass_walking_lists", canvass.incident), {"route": route.pk}).status_code == 404
    assert client.post(url("canvass_walking_lists", canvass.incident)).status_code == 404
    assert not Job.objects.exists()


def test_walking_list_is_a_pdf_with_every_stop_in_order(
    client: Client, world: World, canvass: Canvass, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    route: Route = canvass.routes.get(number=1)
    # A name long enough to wrap in its cell (CI once drew one at random and lost it).
    world.bob.full_name = "Bradley van het Heerenveen-Claassen"
    world.bob.save(update_fields=["full_name"])
    assign_route_members(route, by=world.alice, members=[world.bob])
    client.force_login(world.bob)
    page = client.get(url("canvass_overview", canvass.incident)).content.decode()
    assert f'form="walking-lists-form" name="route" value="{route.pk}"' in page and "Mijn looplijst (PDF)" in page
    job, content = make_job_file(
        client, url("canvass_walking_lists", canvass.incident), django_capture_on_commit_callbacks, {"route": route.pk}
    )
    assert job.content_type == "application/pdf" and job.filename == f"looplijst-route-{route.number}.pdf"
    text = pdf_text(content, tmp_path, raw=True)
    # A long name may wrap in its table cell, so compare without the spaces.
    assert "Looplijst" in text and "".join(str(world.bob).split()) in "".join(text.split())
    first = route.stops.select_related("address").order_by("order")[0].address
    assert first.street in text and first.house_number_label in text
    assert pdf_pages(content, tmp_path)


def test_the_coordinator_prints_every_walking_list_in_one_pdf(
    client: Client, world: World, canvass: Canvass, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    routes = list(canvass.routes.order_by("number"))
    assert len(routes) > 1
    client.force_login(world.alice)
    job, content = make_job_file(
        client, url("canvass_walking_lists", canvass.incident), django_capture_on_commit_callbacks
    )
    text = pdf_text(content, tmp_path)
    assert job.filename == "looplijsten.pdf"
    for route in routes:
        assert f"Route {route.number}" in text
    assert len(pdf_pages(content, tmp_path)) >= len(routes)


def test_leaflet_is_403_for_police(client: Client, world: World, canvass: Canvass) -> None:
    give_totp(world.petra)
    client.force_login(world.petra)
    assert client.post(url("canvass_leaflet", canvass.incident), {"size": "A6", "copies": 2}).status_code == 403


def test_leaflet_is_404_for_outsiders(client: Client, world: World, canvass: Canvass) -> None:
    client.force_login(world.charlie)
    assert client.post(url("canvass_leaflet", canvass.incident), {"size": "A6", "copies": 2}).status_code == 404


@pytest.mark.parametrize(("size", "width_mm", "copies"), [("A6", 105, 2), ("A5", 148, 250)])
def test_leaflets_print_at_the_chosen_size_and_number_with_the_tip_url(
    client: Client,
    world: World,
    canvass: Canvass,
    tmp_path: Path,
    size: str,
    width_mm: int,
    copies: int,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(world.alice)
    page = client.get(url("canvass_overview", canvass.incident)).content.decode()
    assert 'id="leaflet-form"' in page and f'value="{canvass.door_count}"' in page  # one per door by default
    job, content = make_job_file(
        client, url("canvass_leaflet", canvass.incident), django_capture_on_commit_callbacks,
        {"size": size, "copies": copies},
    )  # fmt: skip
    assert job.filename == f"briefjes-{size.lower()}-{copies}.pdf"
    text = pdf_text(content, tmp_path)
    assert reverse("tip_form", args=[canvass.incident.public_token]) in "".join(text.split())
    info = subprocess.run(  # noqa: S603 - fixed poppler tools on a file we wrote
        ["/usr/bin/pdfinfo", str(tmp_path / "doc.pdf")], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(rf"^Pages:\s+{copies}$", info, re.MULTILINE)
    points = float(info.split("Page size:")[1].split("x")[0])
    assert abs(points / 72 * 25.4 - width_mm) < 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"size": "A6", "copies": ""}, "Vul in hoeveel briefjes u nodig heeft."),
        ({"size": "A6", "copies": "veel"}, "Vul een heel getal in, bijvoorbeeld 40."),
        ({"size": "A6", "copies": "0"}, "minstens 1"),
        ({"size": "A6", "copies": "5001"}, "Hoogstens 5000 briefjes per keer"),
        ({"size": "A3", "copies": "10"}, "Kies A6 of A5."),
    ],
)
def test_a_wrong_leaflet_order_says_what_to_do_and_queues_nothing(
    client: Client, world: World, canvass: Canvass, data: dict[str, str], message: str
) -> None:
    from buurtonderzoek.jobs.models import Job

    client.force_login(world.alice)  # the coordinator, on whose overview the leaflet form is
    response = client.post(url("canvass_leaflet", canvass.incident), data)
    # The overview again, the error at its field (read out with it), not a message at the top.
    page = response.content.decode()
    assert response.status_code == 400 and message in page and 'aria-invalid="true"' in page
    assert not Job.objects.exists()


def test_leaflet_without_a_login_redirects(client: Client, canvass: Canvass) -> None:
    assert client.post(url("canvass_leaflet", canvass.incident)).status_code == 302


# Tips (coordinator)


def test_tips_require_login(client: Client, incident: Incident) -> None:
    assert client.get(url("canvass_tips", incident)).status_code == 302


def test_tips_are_404_for_outsiders(client: Client, world: World, incident: Incident) -> None:
    client.force_login(world.charlie)
    assert client.get(url("canvass_tips", incident)).status_code == 404


def test_tips_are_403_for_volunteers(client: Client, world: World, incident: Incident) -> None:
    client.force_login(world.bob)
    assert client.get(url("canvass_tips", incident)).status_code == 403


# Public tip form


@pytest.fixture
def tip_client(client: Client) -> Client:
    cache.clear()
    return client


def post_tip(client: Client, incident: Incident, monkeypatch, **data: object):
    from buurtonderzoek.canvass import forms

    page = client.get(reverse("tip_form", args=[incident.public_token]))
    started = page.context["form"]["started"].value()
    monkeypatch.setattr(forms, "TIP_MIN_FILL_SECONDS", 0)
    return client.post(reverse("tip_form", args=[incident.public_token]), {"started": started, **data})


def test_the_tip_form_needs_no_login_and_is_dutch(tip_client: Client, incident: Incident) -> None:
    response = tip_client.get(reverse("tip_form", args=[incident.public_token]))
    assert response.status_code == 200
    assert "Heeft u iets gezien of gehoord?" in response.content.decode()


def test_an_unknown_token_is_404(tip_client: Client, incident: Incident) -> None:
    assert tip_client.get(reverse("tip_form", args=["geen-echte-code"])).status_code == 404


def test_a_resident_sends_an_anonymous_tip_that_the_coordinator_reads(
    tip_client: Client, world: World, incident: Incident, monkeypatch
) -> None:
    response = post_tip(tip_client, incident, monkeypatch, text="Om 3 uur een man met een koevoet bij de schuur.")
    assert response.status_code == 302 and response["Location"] == reverse("tip_thanks", args=[incident.public_token])
    tip = incident.tips.get()
    assert tip.ip_hash and "127.0.0.1" not in tip.ip_hash and not tip.contact_consent
    tip_client.force_login(world.alice)
    page = tip_client.get(url("canvass_tips", incident)).content.decode()
    assert "koevoet" in page and "Anoniem" in page
    tip.refresh_from_db()
    assert tip.seen_at is not None


def test_contact_details_need_consent_and_a_way_to_reach(tip_client: Client, incident: Incident, monkeypatch) -> None:
    page = post_tip(
        tip_client, incident, monkeypatch, text="Zag een scooter met twee mannen", contact_name="Ans"
    ).content.decode()
    assert "Vink aan dat we contact mogen opnemen" in page
    page = post_tip(
        tip_client, incident, monkeypatch, text="Zag een scooter met twee mannen", contact_consent="on"
    ).content.decode()
    assert "Vul een telefoonnummer of e-mailadres in" in page
    assert not incident.tips.exists()
    response = post_tip(
        tip_client, incident, monkeypatch, text="Zag een scooter met twee mannen", contact_consent="on",
        contact_phone="06 1234 5678",
    )  # fmt: skip
    assert response.status_code == 302 and incident.tips.get().contact_phone == "06 1234 5678"


def test_a_filled_honeypot_is_thanked_but_not_stored(tip_client: Client, incident: Incident, monkeypatch) -> None:
    response = post_tip(tip_client, incident, monkeypatch, text="Koop goedkope horloges hier", website="spam.example")
    assert response.status_code == 302
    assert not incident.tips.exists()


def test_a_form_sent_faster_than_a_person_types_is_refused(tip_client: Client, incident: Incident) -> None:
    page = tip_client.get(reverse("tip_form", args=[incident.public_token]))
    started = page.context["form"]["started"].value()
    response = tip_client.post(
        reverse("tip_form", args=[incident.public_token]), {"started": started, "text": "Snel snel snel snel"}
    )
    assert "Dat ging erg snel" in response.content.decode()
    assert not incident.tips.exists()


def test_a_forged_start_time_is_refused(tip_client: Client, incident: Incident) -> None:
    response = tip_client.post(
        reverse("tip_form", args=[incident.public_token]), {"started": "123:abc", "text": "Een tip van een robot"}
    )
    assert "Dit formulier werkt niet meer. Laad de pagina opnieuw" in response.content.decode()
    assert not incident.tips.exists()


def test_tips_are_rate_limited_per_sender(tip_client: Client, incident: Incident, monkeypatch) -> None:
    for n in range(5):
        assert post_tip(tip_client, incident, monkeypatch, text=f"Tip nummer {n} over de inbraak").status_code == 302
    response = post_tip(tip_client, incident, monkeypatch, text="Tip nummer 6 over de inbraak")
    assert response.status_code == 429
    assert "Probeer het later nog eens" in response.content.decode()
    assert incident.tips.count() == 5


def test_the_form_is_in_english_for_english_visitors(tip_client: Client, incident: Incident) -> None:
    tip_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = tip_client.get(reverse("tip_form", args=[incident.public_token])).content.decode()
    assert 'lang="en"' in page
    assert "Did you see or hear anything?" in page and "burglary" in page
    assert "Send tip" in page


def test_a_closed_incident_shows_no_form(tip_client: Client, world: World, incident: Incident) -> None:
    from buurtonderzoek.incidents.actions import transition_incident

    transition_incident(incident, to="cancelled", by=world.alice)
    page = tip_client.get(reverse("tip_form", args=[incident.public_token])).content.decode()
    assert "afgesloten" in page and "<textarea" not in page


def test_the_thank_you_page_is_public(tip_client: Client, incident: Incident) -> None:
    assert tip_client.get(reverse("tip_thanks", args=[incident.public_token])).status_code == 200


def test_plan_preview_payload_is_compact_json(client: Client, world: World, incident: Incident) -> None:
    client.force_login(world.alice)
    raw = client.get(url("canvass_plan_preview", incident), {"radius": 150}).content
    data = json.loads(raw)
    assert len(raw) / max(1, len(data["addresses"])) < 80


def test_the_coordinator_sees_doors_recorded_by_two_volunteers(client: Client, world: World, canvass: Canvass) -> None:
    import uuid

    from django.utils import timezone

    from buurtonderzoek.canvass.actions import record_visit
    from buurtonderzoek.canvass.models import RouteStop

    stop = RouteStop.objects.filter(canvass=canvass).select_related("address").first()
    assert stop is not None
    for user in (world.alice, world.bob):
        record_visit(
            canvass, by=user, client_uuid=uuid.uuid4(), address_id=stop.address_id, outcome="niet_thuis",
            visited_at=timezone.now(),
        )  # fmt: skip
    client.force_login(world.alice)
    page = client.get(url("canvass_overview", canvass.incident)).content.decode()
    assert "Dubbel vastgelegde deuren" in page
    assert f'data-address="{stop.address_id}"' in page
    client.force_login(world.bob)
    assert "Dubbel vastgelegde deuren" not in client.get(url("canvass_overview", canvass.incident)).content.decode()


def test_flats_appear_in_bell_panel_order_in_the_app_and_the_walking_list(
    client: Client, world: World, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    commits = django_capture_on_commit_callbacks
    make_streets(world.gemeente.code, half_size_m=60, flats=12)
    incident = make_incident(world.team, by=world.alice, address=central_address(world.gemeente.code))
    canvass = plan_canvass(incident, by=world.alice, route_count=1, radius_m=25)
    route = canvass.routes.get()
    stops = list(route.stops.select_related("address").order_by("order"))
    buildings: dict[tuple[str, int], list[int]] = {}
    for index, stop in enumerate(stops):
        buildings.setdefault((stop.address.street, stop.address.huisnummer), []).append(index)
    flats = [b for b in buildings.values() if len(b) > 1]
    assert flats, "the area should hold flats"
    for positions in buildings.values():
        assert positions == list(range(positions[0], positions[0] + len(positions)))  # together
        assert [int(stops[i].address.toevoeging or 0) for i in positions] == sorted(
            int(stops[i].address.toevoeging or 0) for i in positions
        )

    # The field app gets the stops in that order.
    assign_route_members(route, by=world.alice, members=[world.bob])
    client.force_login(world.bob)
    payload = client.get(reverse("api-field-route", args=[route.pk])).json()
    assert [s["address"] for s in payload["stops"]] == [s.address_id for s in stops]

    # The walking list reads the same: one row per stop, its number and house number, in walking order.
    path = tmp_path / "walking-list.pdf"
    path.write_bytes(make_job_file(client, url("canvass_walking_lists", incident), commits, {"route": route.pk})[1])
    text = subprocess.run(  # noqa: S603 - fixed poppler tools on a file we wrote
        ["/usr/bin/pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    table = text[text.index("Huisnr.") :]  # after the map, whose labels are numbers too
    rows = [m.groups() for m in re.finditer(r"^(\d+)\s+(\d+[A-Za-z]?(?:-\w+)?)\s", table, re.MULTILINE)]
    assert rows == [(str(s.order), s.address.house_number_label) for s in stops]


def test_an_empty_tip_form_says_what_is_missing(tip_client: Client, incident: Incident) -> None:
    response = tip_client.post(reverse("tip_form", args=[incident.public_token]), {})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Schrijf kort op wat u heeft gezien of gehoord." in page
    assert not Tip.objects.exists()


def test_every_description_the_tip_form_points_at_is_on_the_page(
    tip_client: Client, incident: Incident, monkeypatch
) -> None:
    page = tip_client.get(reverse("tip_form", args=[incident.public_token])).content.decode()
    assert dangling_references(page) == [] and 'aria-describedby="id_text_helptext"' in page
    for data in ({}, {"contact_consent": "on", "contact_email": "geen-adres"}):
        response = post_tip(tip_client, incident, monkeypatch, **data)
        page = response.content.decode()
        assert response.status_code == 200 and 'aria-invalid="true"' in page
        assert dangling_references(page) == []
    assert 'aria-describedby="id_contact_email_error"' in page and 'id="id_contact_email_error"' in page
