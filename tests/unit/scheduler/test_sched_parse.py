"""Reading tj3's CSV report and the driver's result file: ids, zones, resources."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from stalker_scheduler.tjp import ReportError, parse_csv
from stalker_scheduler.tjp.parse import RESULT_FORMAT, parse_bookings, parse_result

# The report tj3 wrote for Stalker's tutorial run (reference section 4.3, compute_resources=True).
STALKER_CSV = """\
"Id";"Start";"End";"Resources"
"Project_34";"2014-04-02-00:00";"2014-05-01-13:00";""
"Project_34.Task_35";"2014-04-02-00:00";"2014-04-02-00:00";""
"Project_34.Task_36";"2014-04-02-16:00";"2014-05-01-13:00";""
"Project_34.Task_36.Task_37";"2014-04-02-16:00";"2014-04-16-16:00";"User_29 (User_29)"
"Project_34.Task_36.Task_39";"2014-04-16-16:00";"2014-04-18-16:00";"User_29 (User_29)"
"Project_34.Task_36.Task_38";"2014-04-18-16:00";"2014-04-25-16:00";"User_29 (User_29)"
"Project_34.Task_36.Task_40";"2014-04-25-16:00";"2014-04-30-16:00";"User_29 (User_29)"
"Project_34.Task_36.Task_41";"2014-04-30-16:00";"2014-05-01-13:00";"User_29 (User_29)"
"""


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_stalkers_report_maps_every_task_and_the_project() -> None:
    tasks, projects = parse_csv(STALKER_CSV, "UTC")

    assert sorted(tasks) == [35, 36, 37, 38, 39, 40, 41]
    assert tasks[37].computed_start == utc(2014, 4, 2, 16)
    assert tasks[37].computed_end == utc(2014, 4, 16, 16)
    assert tasks[41].computed_end == utc(2014, 5, 1, 13)
    assert tasks[37].resource_ids == (29,)
    assert tasks[36].resource_ids == ()
    assert projects[34].computed_start == utc(2014, 4, 2)
    assert projects[34].computed_end == utc(2014, 5, 1, 13)
    assert tasks[37].computed_start.tzinfo is UTC


def test_times_without_offset_are_read_in_the_studio_zone() -> None:
    tasks, _ = parse_csv(STALKER_CSV, "Europe/Istanbul")

    assert tasks[37].computed_start == utc(2014, 4, 2, 13)


def test_times_with_offset_win_over_the_zone() -> None:
    text = '"Id";"Start";"End"\n"Project_1.Task_2";"2014-04-02-16:00+0300";"2014-11-02-01:30-0500"\n'

    tasks, _ = parse_csv(text, "America/New_York")

    assert tasks[2].computed_start == utc(2014, 4, 2, 13)
    # 01:30 happens twice in New York that night; the offset says which one.
    assert tasks[2].computed_end == utc(2014, 11, 2, 6, 30)
    assert tasks[2].resource_ids == ()


def test_resource_ids_alone_or_with_names() -> None:
    text = (
        '"Id";"Start";"End";"Resources"\n'
        '"Project_1.Task_2";"2014-04-02-16:00";"2014-04-02-17:00";"User_29, User_30"\n'
        '"Project_1.Task_3";"2014-04-02-16:00";"2014-04-02-17:00";"Bob (B) (User_31), Ann (User_32)"\n'
    )

    tasks, _ = parse_csv(text, "UTC")

    assert tasks[2].resource_ids == (29, 30)
    assert tasks[3].resource_ids == (31, 32)


@pytest.mark.parametrize(
    "text",
    [
        "",
        '"Name";"Start";"End"\n',
        '"Id";"Start";"End"\n"Project_1.Task_2";"soon";"later"\n',
        '"Id";"Start";"End"\n"Project_1.Shot_2";"2014-04-02-16:00";"2014-04-02-17:00"\n',
        '"Id";"Start";"End";"Resources"\n"Project_1.Task_2";"2014-04-02-16:00";"2014-04-02-17:00";"Bob"\n',
    ],
)
def test_anything_else_is_a_report_error(text: str) -> None:
    with pytest.raises(ReportError):
        parse_csv(text, "UTC")


def test_bookings_give_each_tasks_resources_in_order_of_first_booking() -> None:
    export = (
        "supplement task Project_1 {\n}\n"
        "supplement task Project_1.Task_2 {\n}\n"
        "supplement task Project_1.Task_2.Task_3 {\n"
        "  booking User_15 2025-03-24-09:00-+0000 + 9.0h,\n"
        "          2025-03-25-09:00-+0000 + 9.0h { overtime 2 }\n"
        "  booking User_7 2025-03-26-09:00-+0000 + 2.0h { overtime 2 }\n"
        "  booking User_15 2025-03-27-09:00-+0000 + 2.0h { overtime 2 }\n"
        "}\n"
    )
    assert parse_bookings(export) == {2: (), 3: (15, 7)}


# What ruby/driver.rb writes for the same run: Unix seconds, resources only on leaves, sorted by id.
DRIVER_RESULT = f"""\
{RESULT_FORMAT}
Project_34\t1396396800\t1398949200\t
Project_34.Task_35\t1396396800\t1396396800\t
Project_34.Task_36\t1396454400\t1398949200\t
Project_34.Task_36.Task_37\t1396454400\t1397664000\tUser_29,User_3
end 4
"""


def test_the_driver_result_maps_tasks_projects_and_resources() -> None:
    tasks, projects = parse_result(DRIVER_RESULT, with_resources=True)

    assert set(tasks) == {35, 36, 37} and set(projects) == {34}
    assert projects[34].computed_start == utc(2014, 4, 2)
    assert projects[34].computed_end == utc(2014, 5, 1, 13)
    assert (tasks[37].computed_start, tasks[37].computed_end) == (utc(2014, 4, 2, 16), utc(2014, 4, 16, 16))
    assert tasks[37].resource_ids == (29, 3)
    assert tasks[35].resource_ids == ()


def test_the_driver_result_leaves_resources_out_unless_asked() -> None:
    tasks, _ = parse_result(DRIVER_RESULT, with_resources=False)

    assert tasks[37].resource_ids == ()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "stalker-tj3-result 2\nend 0\n",
        DRIVER_RESULT.replace("end 4", "end 5"),
        DRIVER_RESULT.replace("end 4\n", ""),
        DRIVER_RESULT.replace("1397664000", "-"),
        DRIVER_RESULT.replace("Project_34.Task_35", "Studio_1"),
        DRIVER_RESULT.replace("\tUser_29,User_3", ""),
        DRIVER_RESULT.replace("User_29,User_3", "Bob"),
    ],
)
def test_a_damaged_driver_result_is_a_report_error(text: str) -> None:
    with pytest.raises(ReportError):
        parse_result(text, with_resources=True)
