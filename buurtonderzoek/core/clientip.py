"""The client's IP address: one function for rate limits, the audit log, allauth and axes.

Behind a reverse proxy or load balancer, REMOTE_ADDR is the proxy. The proxy appends the address it
saw to X-Forwarded-For; everything to the left of that was written by the client and cannot be
trusted (anyone could pick their own rate-limit bucket). So the header is read from the right, and
only as far as the deployment says its own proxies go:

- `TRUSTED_PROXY_COUNT=n`: n proxies in front of the app, each appending one address; the client is
  the n-th address from the right (with fewer addresses than that, REMOTE_ADDR is used).
- `TRUSTED_PROXY_NETWORKS=10.0.0.0/8,...`: addresses in these networks are our proxies; the client
  is the right-most address outside them (REMOTE_ADDR itself must be a trusted proxy for the header
  to count at all).

Neither set (the default): REMOTE_ADDR, and X-Forwarded-For is ignored.
"""

from __future__ import annotations

import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def _valid(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 192.0.2.1:443
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """The client's address as this deployment's proxies report it; "" when there is none."""
    remote = _valid(str(request.META.get("REMOTE_ADDR", ""))) or ""
    forwarded = [_valid(part) for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXY_NETWORKS", ()) or ()))
    if count > 0:
        if len(forwarded) >= count and forwarded[-count]:
            return str(forwarded[-count])
        return remote
    if networks and remote and _trusted(remote, networks):
        for address in reversed(forwarded):
            if address is None:
                break  # a garbled entry: what lies left of it cannot be trusted either
            if not _trusted(address, networks):
                return address
    return remote
