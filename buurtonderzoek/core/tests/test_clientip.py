"""One client address for rate limits, the audit log, allauth and axes, from a documented proxy setting."""

from __future__ import annotations

from typing import Any

import pytest
from axes.helpers import get_client_ip_address
from django.test import Client, RequestFactory
from django.urls import reverse

from buurtonderzoek.accounts.adapter import AccountAdapter
from buurtonderzoek.core.audit import record
from buurtonderzoek.core.clientip import client_ip
from buurtonderzoek.core.models import AuditAction
from conftest import World


def request(remote: str = "10.0.0.5", forwarded: str | None = None) -> Any:
    req = RequestFactory().get("/")
    req.META["REMOTE_ADDR"] = remote
    if forwarded is not None:
        req.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return req


def test_without_a_proxy_setting_the_header_is_ignored(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXY_NETWORKS = 0, []
    assert client_ip(request("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "198.51.100.7", "198.51.100.7"),
        # The client wrote "1.2.3.4" itself; our one proxy appended the address it saw.
        (1, "1.2.3.4, 198.51.100.7", "198.51.100.7"),
        (2, "1.2.3.4, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        (2, "198.51.100.7", "10.0.0.5"),  # fewer entries than proxies: the header is not what we expect
        (1, "garbage", "10.0.0.5"),
        (1, "[2001:db8::7]:443", "2001:db8::7"),
    ],
)
def test_a_number_of_trusted_proxies_reads_the_header_from_the_right(
    settings: Any, count: int, forwarded: str, expected: str
) -> None:
    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXY_NETWORKS = count, []
    assert client_ip(request(forwarded=forwarded)) == expected


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("10.0.0.5", "1.2.3.4, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        ("10.0.0.5", "198.51.100.7", "198.51.100.7"),
        ("203.0.113.9", "1.2.3.4", "203.0.113.9"),  # not from our proxy: the header is the client's own
        ("10.0.0.5", "1.2.3.4, nonsense, 10.0.0.9", "10.0.0.5"),
    ],
)
def test_trusted_proxy_networks_skip_our_own_proxies(settings: Any, remote: str, forwarded: str, expected: str) -> None:
    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXY_NETWORKS = 0, ["10.0.0.0/8"]
    assert client_ip(request(remote, forwarded)) == expected


@pytest.mark.django_db
def test_the_audit_log_allauth_and_axes_use_the_same_address(settings: Any, world: World) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    req = request(forwarded="1.2.3.4, 198.51.100.7")
    assert record(world.alice, AuditAction.UPDATE, world.team, summary="x", request=req).ip_address == "198.51.100.7"
    assert AccountAdapter(req).get_client_ip(req) == "198.51.100.7"
    assert get_client_ip_address(req) == "198.51.100.7"


@pytest.mark.django_db
def test_a_client_cannot_pick_its_own_tip_limit_bucket(settings: Any, world: World, monkeypatch: Any) -> None:
    """Behind one proxy, changing the first X-Forwarded-For entry does not escape the limit."""
    from buurtonderzoek.canvass import views

    settings.TRUSTED_PROXY_COUNT = 1
    seen: list[str] = []

    def remember(ip: str) -> str:
        seen.append(ip)
        return ip

    monkeypatch.setattr(views, "ip_hash", remember)
    incident_token = _tip_token(world)
    client = Client()
    for fake in ("1.1.1.1", "2.2.2.2"):
        client.post(
            reverse("tip_form", args=[incident_token]),
            {"text": "x"},
            HTTP_X_FORWARDED_FOR=f"{fake}, 198.51.100.7",
        )
    assert seen == ["198.51.100.7", "198.51.100.7"]


def _tip_token(world: World) -> str:
    from buurtonderzoek.incidents.tests.fixtures import central_address, make_incident, make_streets

    make_streets(world.gemeente.code)
    incident = make_incident(world.team, by=world.alice, address=central_address(world.gemeente.code))
    return str(incident.public_token)
