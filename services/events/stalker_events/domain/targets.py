"""Where a webhook may be sent: http(s) URLs whose host resolves only to public addresses, or to networks
an admin allowed (private, loopback, link-local and reserved ranges are refused otherwise, against
server-side request forgery). The request then goes to the address that was checked, never to a second
lookup's answer, so DNS rebinding between the check and the connection cannot reach another host."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from urllib.parse import SplitResult, urlsplit, urlunsplit

from stalker_shared.errors import ValidationFailed

MAX_URL = 2048
Network = IPv4Network | IPv6Network


class UnsafeTarget(ValidationFailed):
    """The URL cannot be a webhook's target (422 naming `url`)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "url")


@dataclass(frozen=True)
class Target:
    url: str  # with the checked address in place of the host name
    host: str  # the Host header: the name the URL gave
    server_name: str | None  # for TLS: the certificate must be the name's


def parse_url(url: str) -> SplitResult:
    """The URL's parts if its shape is acceptable (checked on create and update)."""
    if len(url) > MAX_URL:
        raise UnsafeTarget(f"the URL is longer than {MAX_URL} characters")
    if any(ord(c) <= 0x20 or 0x7F <= ord(c) <= 0x9F for c in url):
        raise UnsafeTarget("the URL has a space or a control character")
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # an unclosed IPv6 bracket, a character that normalizes into the netloc
        raise UnsafeTarget(f"the URL cannot be read: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise UnsafeTarget("a webhook URL is http:// or https://")
    if not parts.hostname:
        raise UnsafeTarget("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise UnsafeTarget("the URL may not carry a user or password; sign with the secret instead")
    try:
        port = parts.port  # raises on a port out of range
    except ValueError:
        port = 0
    if port == 0:  # 0 is no port anything listens on
        raise UnsafeTarget("the URL's port is not a valid port (1 to 65535)")
    ascii_host(parts.hostname)
    return parts


def ascii_host(host: str) -> str:
    """The host as it goes on the wire: an internationalized name in its IDNA (punycode) form."""
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        raise UnsafeTarget(f"the host {host!r} is not a valid host name") from None


# IPv6 ranges that carry an IPv4 address (NAT64, 6to4, the old IPv4-compatible form) or are deprecated
# site-local: Python counts some as global, but they can lead to private IPv4 networks.
TRANSLATED = tuple(
    ip_network(n) for n in ("64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "::/96", "fec0::/10")
)


def _allowed(address: IPv4Address | IPv6Address, allowed: Sequence[Network]) -> bool:
    if any(address in network for network in allowed):
        return True
    if isinstance(address, IPv6Address):
        if address.ipv4_mapped is not None:
            return _allowed(address.ipv4_mapped, allowed)
        if any(address in network for network in TRANSLATED):
            return False
    return address.is_global


async def resolve_target(url: str, allowed: Sequence[Network]) -> Target:
    """The checked target of `url`: UnsafeTarget if any address its host resolves to is not allowed."""
    parts = parse_url(url)
    host = ascii_host(parts.hostname or "")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise UnsafeTarget(f"the host {host!r} could not be resolved ({exc.strerror or exc})") from None
    addresses = [ip_address(info[4][0]) for info in infos]
    refused = sorted({str(a) for a in addresses if not _allowed(a, allowed)})
    if not addresses or refused:
        raise UnsafeTarget(
            f"the host {host!r} resolves to an address webhooks may not reach ({', '.join(refused)}): "
            "private, loopback, link-local and reserved ranges need an admin's webhook_allowed_networks"
        )
    address = addresses[0]
    netloc = f"[{address}]:{port}" if address.version == 6 else f"{address}:{port}"
    checked = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    name = host if parts.port is None else f"{host}:{parts.port}"
    if ":" in host:  # an IPv6 literal keeps its brackets in the Host header
        name = f"[{host}]" if parts.port is None else f"[{host}]:{parts.port}"
    return Target(checked, name, host if parts.scheme == "https" else None)
