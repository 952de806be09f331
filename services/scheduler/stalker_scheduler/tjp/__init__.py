"""The pure scheduling core: a schedule request as a .tjp, tj3's CSV report back as results, and tj3's
messages as problems."""

from stalker_scheduler.tjp.parse import ReportError, parse_csv
from stalker_scheduler.tjp.problems import map_problems
from stalker_scheduler.tjp.render import (
    render_project_tjp,
    render_resource_tjp,
    render_studio_tjp,
    render_task_tjp,
    render_tjp,
    tjp_string,
)
from stalker_scheduler.tjp.validate import InvalidInput, check_request, find_problems

__all__ = [
    "InvalidInput",
    "ReportError",
    "check_request",
    "find_problems",
    "map_problems",
    "parse_csv",
    "render_project_tjp",
    "render_resource_tjp",
    "render_studio_tjp",
    "render_task_tjp",
    "render_tjp",
    "tjp_string",
]
