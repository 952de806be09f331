"""`Stalker`: one connection to the system, with a resource per kind of object."""

from __future__ import annotations

from types import TracebackType
from typing import Any

import httpx

from stalker_client._catalog_models import Me
from stalker_client._http import Session, TokensChanged
from stalker_client._platform import OperatingSystem
from stalker_client._resources._calendars import Holidays, Vacations
from stalker_client._resources._events import Events
from stalker_client._resources._people import Departments, Groups, Roles, Users
from stalker_client._resources._projects import Projects
from stalker_client._resources._reference import ImageFormats, Statuses, StatusLists, Types
from stalker_client._resources._storage import FilenameTemplates, Paths, Repositories, Storage, Structures
from stalker_client._resources._studio import Jobs, Studios
from stalker_client._resources._tasks import Assets, Scenes, Sequences, Shots, Tasks
from stalker_client._resources._tjp import TjpEntity, render_tjp
from stalker_client._resources._tracking import Notes, Reviews, TimeLogs
from stalker_client._resources._versions import Versions

DEFAULT_URL = "http://127.0.0.1:8080"


class Stalker:
    """A client of Stalker Services at one base URL.

    >>> client = Stalker.connect("http://127.0.0.1:8080", "admin", "admin")
    >>> me = client.users.create(
    ...     name="Erkan Ozgur Yilmaz", login="eoyilmaz", email="e@x.com", password="secret"
    ... )
    """

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        *,
        token: str | None = None,
        refresh_token: str | None = None,
        timeout: float = 30.0,
        os: OperatingSystem | None = None,
        transport: httpx.BaseTransport | None = None,
        on_tokens: TokensChanged | None = None,
    ) -> None:
        """A client with a token (or none yet: call `login`). With a refresh token it renews the
        short-lived access token by itself; `on_tokens(access, refresh)` hears of every new pair (they
        change on each renewal). `os` is the operating system versions' absolute paths are given for
        (default: this computer's)."""
        self.session = Session(
            base_url,
            token=token,
            refresh_token=refresh_token,
            timeout=timeout,
            transport=transport,
            on_tokens=on_tokens,
        )
        s = self.session
        self.users, self.departments, self.groups, self.roles = Users(s), Departments(s), Groups(s), Roles(s)
        self.statuses, self.status_lists = Statuses(s), StatusLists(s)
        self.types, self.image_formats = Types(s), ImageFormats(s)
        self.studios, self.jobs, self.projects = Studios(s), Jobs(s), Projects(s)
        self.tasks, self.sequences, self.shots = Tasks(s), Sequences(s), Shots(s)
        self.assets, self.scenes = Assets(s), Scenes(s)
        self.repositories, self.paths = Repositories(s), Paths(s)
        self.filename_templates, self.structures = FilenameTemplates(s), Structures(s)
        self.storage, self.versions = Storage(s), Versions(s, os)
        self.time_logs, self.reviews, self.notes = TimeLogs(s), Reviews(s), Notes(s)
        self.vacations, self.holidays = Vacations(s), Holidays(s)
        self.events = Events(s)

    @classmethod
    def connect(cls, base_url: str, login: str, password: str, **options: Any) -> Stalker:
        """Log in and return the client; it renews its short-lived token by itself."""
        client = cls(base_url, **options)
        try:
            client.login(login, password)
        except BaseException:
            client.close()
            raise
        return client

    @property
    def base_url(self) -> str:
        return self.session.base_url

    @property
    def token(self) -> str | None:
        return self.session.token

    @property
    def refresh_token(self) -> str | None:
        return self.session.refresh_token

    def login(self, login: str, password: str) -> str:
        """Log in (OAuth2 password flow); returns the access token."""
        return self.session.login(login, password)

    def logout(self) -> None:
        """Revoke every access and refresh token of this user, on every device, and forget them here."""
        self.session.logout()

    def me(self) -> Me:
        """Who the token belongs to."""
        return Me.model_validate(self.session.request("GET", "/catalog/v1/auth/me"))

    def init(self) -> dict[str, Any]:
        """Create the default data where missing (admins only; idempotent, like `db.init()`)."""
        answer: dict[str, Any] = self.session.request("POST", "/catalog/v1/init")
        return answer

    def to_tjp(self, entity: TjpEntity, entity_id: int | None = None, *, studio_id: int | None = None) -> str:
        """TaskJuggler text of a studio, project, user or task; the studio defaults to the only one."""
        return render_tjp(self.session, entity, entity_id, studio_id)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Stalker:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
