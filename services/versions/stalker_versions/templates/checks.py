"""Checks a template passes when it is saved: it compiles in the sandbox, and a dry render against the
sample data gives a usable path, filename or folder list. Errors carry the field, line and reason.
These render: call them through `offload.off_loop`, not on the event loop."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stalker_versions.domain.context import EntityType
from stalker_versions.domain.directories import directory_lines
from stalker_versions.domain.errors import DomainError, ValidationFailed
from stalker_versions.domain.project_folder import check_template_path
from stalker_versions.domain.version_paths import check_rendered_filename
from stalker_versions.templates.samples import sample_structure_context, sample_version_context
from stalker_versions.templates.sandbox import TemplateFailure, compile_template, render


def render_field(
    source: str, context: Mapping[str, Any], field: str, error: type[DomainError] = ValidationFailed
) -> str:
    """Compile and render one template field; `error` (422 when saving) names the field and line."""
    try:
        return render(compile_template(source), context)
    except TemplateFailure as exc:
        where = f"{field}, line {exc.line}" if exc.line else field
        raise error(f"{where}: {exc.reason}", field=field, line=exc.line, reason=exc.reason) from None


def check_filename_template(target_entity_type: EntityType, path: str, filename: str) -> None:
    context = sample_version_context(target_entity_type)
    check_template_path(render_field(path, context, "path"))
    check_rendered_filename(render_field(filename, context, "filename"))


def check_custom_template(source: str) -> None:
    directory_lines(render_field(source, sample_structure_context(), "custom_template"))
