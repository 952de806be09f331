"""`stalker-events api | worker | migrate`."""

from stalker_events.definition import events_definition
from stalker_events.settings import EventsSettings
from stalker_shared.cli import service_cli

app = service_cli(events_definition, EventsSettings)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
