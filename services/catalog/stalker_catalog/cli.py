"""`stalker-catalog api | worker | migrate`."""

from stalker_catalog.definition import catalog_definition
from stalker_catalog.settings import CatalogSettings
from stalker_shared.cli import service_cli

app = service_cli(catalog_definition, CatalogSettings)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
