"""`stalker-scheduler api | worker | migrate`."""

from stalker_scheduler.definition import scheduler_definition
from stalker_scheduler.settings import SchedulerSettings
from stalker_shared.cli import service_cli

app = service_cli(scheduler_definition, SchedulerSettings)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
