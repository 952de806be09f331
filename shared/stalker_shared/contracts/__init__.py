"""Message contracts: the only thing the services share about each other."""

from stalker_shared.contracts.calendars import CALENDAR_CONTRACTS
from stalker_shared.contracts.catalog import CATALOG_CONTRACTS, ProjectCreated, ProjectDeleted, ProjectUpdated
from stalker_shared.contracts.envelope import Contract, Envelope
from stalker_shared.contracts.notes import NOTES_CONTRACTS
from stalker_shared.contracts.registry import ContractRegistry, InvalidMessage
from stalker_shared.contracts.scheduling import SCHEDULING_CONTRACTS
from stalker_shared.contracts.tracking import TRACKING_CONTRACTS
from stalker_shared.contracts.versions import VERSIONS_CONTRACTS, VersionCreated, VersionPublished

ALL_CONTRACTS = (
    *CATALOG_CONTRACTS,
    *TRACKING_CONTRACTS,
    *NOTES_CONTRACTS,
    *CALENDAR_CONTRACTS,
    *SCHEDULING_CONTRACTS,
    *VERSIONS_CONTRACTS,
)

__all__ = [
    "ALL_CONTRACTS",
    "CATALOG_CONTRACTS",
    "SCHEDULING_CONTRACTS",
    "TRACKING_CONTRACTS",
    "VERSIONS_CONTRACTS",
    "Contract",
    "ContractRegistry",
    "Envelope",
    "InvalidMessage",
    "ProjectCreated",
    "ProjectDeleted",
    "ProjectUpdated",
    "VersionCreated",
    "VersionPublished",
]
