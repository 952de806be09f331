"""What the handlers share about the events they publish. Each event is its contract built from the
aggregate, `await uow.publish(ProjectUpdated.model_validate(project))`: the models expose every field
the contracts carry (see stalker_shared.contracts.catalog), with the relations those need loaded."""

from __future__ import annotations

from typing import Any

from stalker_shared.db import utcnow


def touch(entity: Any) -> None:
    """Mark a row changed when only its relations changed, so its revision still moves on."""
    entity.updated_at = utcnow()
