"""`stalker-versions api | worker | migrate`."""

from stalker_shared.cli import service_cli
from stalker_versions.definition import versions_definition
from stalker_versions.settings import VersionsSettings

app = service_cli(versions_definition, VersionsSettings)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
