"""Outgoing HTTP from the services: one verifying TLS context per process. httpx builds a new one for
every client by default, reading the whole CA bundle (~18 ms of CPU, holding the event loop), which a
client made for one call (asking the catalog who a caller is) would otherwise pay on every request."""

from __future__ import annotations

import ssl
from functools import cache

import httpx


@cache
def tls_context() -> ssl.SSLContext:
    """What httpx would build by default (certifi's bundle, SSL_CERT_FILE and SSL_CERT_DIR honoured)."""
    return httpx.create_ssl_context()
