"""Statuses, status lists, types and image formats."""

from __future__ import annotations

from collections.abc import Sequence

from stalker_client._catalog_models import EntityType, ImageFormat, Status, StatusList
from stalker_client._resources._base import Resource

CATALOG = "/catalog/v1"


class Statuses(Resource[Status]):
    path, model = f"{CATALOG}/statuses", Status

    def create(self, *, name: str, code: str, description: str = "") -> Status:
        return self._create({"name": name, "code": code, "description": description})

    def by_code(self, code: str) -> Status | None:
        """The tutorial's `Status.query.filter_by(code='WIP').first()`."""
        return self.first(code=code)


class StatusLists(Resource[StatusList]):
    path, model = f"{CATALOG}/status-lists", StatusList

    def create(
        self,
        *,
        name: str,
        target_entity_type: str,
        status_ids: Sequence[int],
        is_default: bool = False,
        description: str = "",
    ) -> StatusList:
        """Statuses in order (the first is a new member's status) for one entity type, e.g. Project."""
        return self._create(
            {
                "name": name,
                "target_entity_type": target_entity_type,
                "status_ids": list(status_ids),
                "is_default": is_default,
                "description": description,
            }
        )


class Types(Resource[EntityType]):
    path, model = f"{CATALOG}/types", EntityType

    def create(
        self, *, name: str, target_entity_type: str, code: str | None = None, description: str = ""
    ) -> EntityType:
        return self._create(
            {"name": name, "target_entity_type": target_entity_type, "code": code, "description": description}
        )


class ImageFormats(Resource[ImageFormat]):
    path, model = f"{CATALOG}/image-formats", ImageFormat

    def create(
        self,
        *,
        name: str,
        width: int,
        height: int,
        pixel_aspect: float | None = None,
        print_resolution: float | None = None,
        description: str = "",
    ) -> ImageFormat:
        return self._create(
            {
                "name": name,
                "width": width,
                "height": height,
                "pixel_aspect": pixel_aspect,
                "print_resolution": print_resolution,
                "description": description,
            }
        )
