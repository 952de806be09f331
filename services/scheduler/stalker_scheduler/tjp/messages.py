"""tj3's messages as it prints them, and the patterns of the ones that say why a schedule failed.

tj3 writes `file:line: Error|Warning|Info[ in scenario <id>]: text` and, for a parse error, the offending
source line on the next line. It prints no message id, so the patterns below match the texts of the
`error(...)`/`warning(...)` calls of TaskJuggler 3.7.1 (TaskScenario.rb, ResourceScenario.rb, Project.rb,
ProjectFileParser.rb, TjpSyntaxRules.rb); a comment above each names the ids it stands for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]

_MESSAGE = re.compile(
    r"^(?:(?P<file>[^\s:]+):(?P<line>\d+): )?(?P<severity>Error|Warning|Fatal|Info)"
    r"(?: in scenario \S+)?: (?P<text>.*?)\s*$"
)
_SEVERITIES: dict[str, Severity] = {"Error": "error", "Fatal": "error", "Warning": "warning", "Info": "info"}

# A tj3 id: dotted task ids end in the task's own, resources are flat.
TASK_ID = r"(?:Project_\d+\.)?(?:Task_\d+\.)*Task_\d+"
TASK_REF = re.compile(rf"\b{TASK_ID}\b")
RESOURCE_REF = re.compile(r"\bUser_(\d+)\b")
DATE = r"\d{4}-\d\d-\d\d-\d\d:\d\d(?::\d\d)?-[+-]\d{4}"


def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text.replace("{task}", TASK_ID).replace("{date}", DATE))


# Each pattern with the tj3 ids of the messages it matches.
# A task needs more time than is left (TaskScenario#markAsRunaway), and what tj3 says after it.
# runaway, then runaway_tasks and runaway_competitor infos naming the tasks that took its resources
RUNAWAY = _pattern(
    r"^(?P<left>-?[\d.]+)d of effort of task (?P<task>{task}) does not fit into the project time"
)
RUNAWAY_COMPETITOR = _pattern(
    r"^Task (?P<task>{task}) has conflicts for the following resources?: (?P<resources>.*)$"
)
COMPETING_RESOURCE = re.compile(r"User_(?P<id>\d+)\((?P<slots>\d+)\)")
# unscheduled_tasks, unscheduled_task (Project#scheduleScenario), sched_runaway (the run's closing error)
UNSCHEDULED_TASKS = _pattern(r"^\d+ tasks could not be scheduled$")
UNSCHEDULED_TASK = _pattern(r"^Task (?P<task>{task}): (?P<start>\S+) -> (?P<end>\S+)$")
SCHED_RUNAWAY = _pattern(r"^Some tasks did not fit into the project time frame")
# Dependencies that go round in a circle: loop_detected, loop_at_start/loop_at_end infos, loop_end.
LOOP_DETECTED = _pattern(r"^Dependency loop detected at (?:start|end) of task (?P<task>{task})")
LOOP_CONTINUED = _pattern(r"^Loop ctnd\. at (?:start|end) of task (?P<task>{task})")
LOOP_END = _pattern(r"^Aborting$")
# deadlock: tasks waiting on each other with no date to start from
DEADLOCK = _pattern(r"^Some tasks reference each other but don't provide enough information")
# task_depend_self; task_depend_child, task_depend_parent
TASK_DEPEND_SELF = _pattern(r"^Task (?P<task>{task}) cannot depend on self")
TASK_DEPEND_RELATIVE = _pattern(
    r"^Task (?P<task>{task}) cannot depend on (?P<which>child|parent) (?P<other>{task})"
)
# no_tasks: nothing to schedule
NO_TASKS = _pattern(r"^No tasks defined$")
# Nobody to do the work: effort_no_allocations, allocate_no_assigned, broken_persistence.
EFFORT_NO_ALLOCATIONS = _pattern(r"^Task (?P<task>{task}) has an effort but no resource allocations")
ALLOCATE_NO_ASSIGNED = _pattern(
    r"^Task (?P<task>{task}) has resource allocation requested, but did not get any"
)
BROKEN_PERSISTENCE = _pattern(
    r"^Persistence broken for Task (?P<task>{task}) - resource (?P<name>.*) is gone$"
)
# Bookings (time logs) that contradict each other or the calendar (ResourceScenario#bookBooking):
# booking_conflict; booking_no_duty, booking_on_vacation; or the planned work (TaskScenario#bookBookings):
# overbooked_effort, overbooked_length, overbooked_duration.
BOOKING_CONFLICT = _pattern(
    r"^Resource User_(?P<resource>\d+) has multiple conflicting bookings for (?P<date>{date})\. "
    r"The conflicting tasks are (?P<first>{task}) and (?P<second>{task})\."
)
BOOKING_OFF = _pattern(
    r"^Resource User_(?P<resource>\d+) (?P<why>has no duty|is on vacation) at (?P<date>{date})\."
)
OVERBOOKED_EFFORT = _pattern(
    r"^The total (?P<measure>effort|length|duration) \((?:[\d.]+d or )?(?P<done>[\d.]+[dh])\) of the "
    r"provided bookings for task (?P<task>{task}) exceeds the specified \w+ of "
    r"(?:[\d.]+d or )?(?P<planned>[\d.]+[dh])\."
)
# Pinned dates and dependencies that cannot both be kept.
# task_pred_before, task_succ_after
PRED_BEFORE = _pattern(
    r"^Task (?P<task>{task}) \((?P<date>{date})\) must (?P<which>start|end) (?P<gap>.*?)(?:after|before) "
    r"(?P<edge>end|start) \((?P<limit>{date})\) of task (?P<other>{task})\. This condition could not be met"
)
# date_in_range (TjpSyntaxRules), interval_start_in_range, interval_end_in_range (ProjectFileParser):
# refused while reading, with the source line echoed
DATE_OUTSIDE = _pattern(
    r"^(?:Date|Start date|End date) (?P<date>{date}) must be within the project time frame "
    r"\(?(?P<start>{date})\s+- (?P<end>{date})"
)
# onstart_wrong_direction, onend_wrong_direction
WRONG_DIRECTION = _pattern(r"^Tasks with on-(?P<edge>start|end) dependencies must be (?:ASAP|ALAP) scheduled")
# impossible_start_dep, impossible_end_dep
IMPOSSIBLE_DEP = _pattern(
    r"^Task (?P<task>{task}) has (?:start|end) date dependencies that conflict with the (?P<edge>start|end) "
    r"date (?P<date>{date})"
)
# task_start_range, task_end_range
OUTSIDE_FRAME = _pattern(
    r"^The (?P<edge>start|end) time \((?P<date>{date})\) of task (?P<task>{task}) is outside the project"
)
# minstart, maxstart, minend, maxend
OUTSIDE_LIMIT = _pattern(
    r"^The (?P<edge>start|end) time \((?P<date>{date})\) of task (?P<task>{task}) is too (?:early|late)\. "
    r"Must be (?P<side>after|before) (?P<limit>{date})"
)
# start_after_end
START_AFTER_END = _pattern(
    r"^The start time \((?P<start>{date})\) of task (?P<task>{task}) is after the end time "
    r"\((?P<end>{date})\)"
)
# task_start_in_parent, task_end_in_parent
OUTSIDE_PARENT = _pattern(
    r"^The (?P<edge>start|end) date \((?P<date>{date})\) of task (?P<task>{task}) is (?:before|after) the "
    r"(?:start|end) date \((?P<limit>{date})\) of the enclosing task"
)


@dataclass(frozen=True)
class Tj3Message:
    """One message of tj3's: `echo` is the source line it printed under a parse error, if any."""

    severity: Severity
    line: int | None
    text: str
    echo: str | None = None


def read_messages(stderr: str) -> list[Tj3Message]:
    """tj3's messages in `stderr`, in order; lines that are not its messages are left out."""
    messages: list[Tj3Message] = []
    follows_message = False
    for raw in stderr.splitlines():
        match = _MESSAGE.match(raw)
        if match is None:
            # tj3 echoes the source line of a parse error, indented, right under the message.
            if follows_message and raw.startswith(" ") and raw.strip() and messages[-1].echo is None:
                last = messages[-1]
                messages[-1] = Tj3Message(last.severity, last.line, last.text, raw.strip())
            follows_message = False
            continue
        line = int(match.group("line")) if match.group("line") else None
        messages.append(Tj3Message(_SEVERITIES[match.group("severity")], line or None, match.group("text")))
        follows_message = True
    return messages


def is_message(line: str) -> bool:
    """Whether `line` is in tj3's message format."""
    return _MESSAGE.match(line) is not None


def task_id_of(tj3_id: str) -> int:
    """The catalog id in a dotted tj3 task id (`Project_34.Task_36.Task_37` -> 37)."""
    return int(tj3_id.rsplit("Task_", 1)[1])
