"""Web app settings, read once from STALKER_WEB_* environment variables by `WebSettings()`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Self

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from stalker_shared.settings import Environment

KEY_FILE = "web-session.key"


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STALKER_WEB_", extra="ignore", frozen=True)

    environment: Environment = "development"
    # The base URL the three services answer under (the gateway's, or the embedded host's own).
    api_url: str = "http://127.0.0.1:8080"
    api_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    # Fernet key sealing the session cookie. Unset in development: one is kept in data_dir.
    session_key: SecretStr | None = None
    data_dir: Path = Path("data")
    # Secure cookies need HTTPS: on by default in production, off elsewhere (make run serves plain HTTP).
    cookie_secure: bool | None = None
    # How long a browser stays signed in without using the app (the services' refresh token may end sooner).
    session_days: float = Field(default=14, gt=0, le=365)
    # Forms and the page scripts' calls are small; anything larger is refused with 413 as it arrives.
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _production_has_a_key(self) -> Self:
        if self.environment == "production" and self.session_key is None:
            raise ValueError("STALKER_WEB_SESSION_KEY must be set in production")
        if self.session_key is not None:
            Fernet(self.session_key.get_secret_value())  # refuses a malformed key at start-up
        return self

    @property
    def secure_cookie(self) -> bool:
        return self.environment == "production" if self.cookie_secure is None else self.cookie_secure

    def sealing_key(self) -> bytes:
        """The configured key, else the development key kept in data_dir (made on first use, owner-only)."""
        if self.session_key is not None:
            return self.session_key.get_secret_value().encode()
        path = self.data_dir / KEY_FILE
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            try:
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process made it first
                pass
            else:
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write(Fernet.generate_key())
        return path.read_bytes().strip()
