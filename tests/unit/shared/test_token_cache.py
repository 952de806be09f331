"""A verified token is remembered, but never past its expiry, and a bad token is never remembered."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from fastapi import HTTPException

from stalker_shared import auth
from stalker_shared.auth import Principal, TokenVerifier, generate_private_pem, issue_token, public_pem_of


def test_a_cached_token_is_refused_once_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    private = generate_private_pem()
    verifier = TokenVerifier(public_pem_of(private))
    token = issue_token(private, Principal(7, "ann", False), timedelta(minutes=5))
    assert verifier.verify(token) == Principal(7, "ann", False)
    assert verifier.verify(token) == Principal(7, "ann", False)  # from the cache
    later = time.time() + 301
    monkeypatch.setattr(auth.time, "time", lambda: later)
    with pytest.raises(HTTPException) as refused:
        verifier.verify(token)
    assert refused.value.status_code == 401 and "expired" in str(refused.value.detail)


def test_a_token_signed_by_another_key_is_refused_every_time() -> None:
    verifier = TokenVerifier(public_pem_of(generate_private_pem()))
    foreign = issue_token(generate_private_pem(), Principal(1, "admin", True), timedelta(minutes=5))
    for _ in range(2):
        with pytest.raises(HTTPException) as refused:
            verifier.verify(foreign)
        assert refused.value.status_code == 401
