"""TaskJuggler text from the scheduler, as the tutorial prints with `to_tjp`."""

from __future__ import annotations

from typing import Literal

from stalker_client._errors import ValidationError
from stalker_client._http import Session

TjpEntity = Literal["studio", "project", "user", "task"]


def only_studio_id(session: Session) -> int:
    """The catalog keeps one studio; its id, or a ValidationError naming `studio_id` if there is none."""
    studios = session.request("GET", "/catalog/v1/studios", params={"limit": 2})["items"]
    if len(studios) != 1:
        raise ValidationError(
            f"give studio_id: the catalog has {len(studios)} studios", field="studio_id", status=None
        )
    return int(studios[0]["id"])


def render_tjp(session: Session, entity: TjpEntity, entity_id: int | None, studio_id: int | None) -> str:
    """The TJP text of a studio, project, user or task (the scheduler renders the catalog's snapshot)."""
    if entity == "studio":
        studio_id = entity_id if entity_id is not None else studio_id
        entity_id = None
    if studio_id is None:
        studio_id = only_studio_id(session)
    params = {"entity": entity, "id": entity_id}
    return str(session.request("GET", f"/scheduler/v1/studios/{studio_id}/tjp", params=params))
