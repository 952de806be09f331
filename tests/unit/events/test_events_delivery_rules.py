"""Pure rules of webhook delivery: the retry delays and which addresses an endpoint may have."""

from __future__ import annotations

import asyncio
from ipaddress import ip_network
from random import Random

import pytest

from stalker_events.domain.retry import next_delay
from stalker_events.domain.targets import UnsafeTarget, parse_url, resolve_target


def test_delays_double_from_the_base_up_to_the_cap_with_jitter_below_each() -> None:
    rng = Random(7)
    for failures, ceiling in [
        (1, 5),
        (2, 10),
        (3, 20),
        (8, 640),
        (9, 1280),
        (10, 2560),
        (11, 3600),
        (40, 3600),
    ]:
        delays = [next_delay(failures, 5.0, 3600.0, rng) for _ in range(200)]
        assert all(ceiling / 2 <= d < ceiling for d in delays), (failures, min(delays), max(delays))
        assert len(set(delays)) > 100, "no jitter"


def test_fifteen_failures_spread_over_hours_with_the_defaults() -> None:
    total = sum(next_delay(n, 5.0, 3600.0, Random(n)) for n in range(1, 15))
    assert 3 * 3600 < total < 8 * 3600


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "http:///nohost",
        "http://user:pass@example.com/hook",
        "http://example.com:99999/hook",
        "http://example.com:0/hook",
        "https://example.com/" + "a" * 2048,
        "http://[::1",  # an unclosed bracket
        "http://ex\uff03ample.com/",  # normalizes into a '#'
        "http://exa\u0000mple.com/",
    ],
)
def test_a_url_of_the_wrong_shape_is_refused_naming_url(url: str) -> None:
    with pytest.raises(UnsafeTarget) as refused:
        parse_url(url)
    assert refused.value.field == "url"


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "[::1]",
        "10.1.2.3",
        "192.168.0.10",
        "169.254.169.254",
        "100.64.0.1",
        "[::ffff:10.0.0.1]",
        "0.0.0.0",
    ],
)
def test_private_loopback_link_local_and_shared_addresses_are_refused(host: str) -> None:
    with pytest.raises(UnsafeTarget) as refused:
        asyncio.run(resolve_target(f"http://{host}:8080/hook", []))
    assert refused.value.field == "url"


def test_a_public_address_or_an_allowed_network_is_sent_to_the_checked_address() -> None:
    public = asyncio.run(resolve_target("https://93.184.215.14/hook?x=1", []))
    assert public.url == "https://93.184.215.14:443/hook?x=1" and public.server_name == "93.184.215.14"
    allowed = asyncio.run(
        resolve_target("http://localhost:8080/h", [ip_network("127.0.0.0/8"), ip_network("::1/128")])
    )
    assert (
        allowed.url in ("http://127.0.0.1:8080/h", "http://[::1]:8080/h") and allowed.host == "localhost:8080"
    )
    assert allowed.server_name is None
