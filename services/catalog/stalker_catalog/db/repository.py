"""The catalog's lookups by id: the shared ones (stalker_shared.repository), named here for the
catalog's handlers."""

from stalker_shared.repository import count_where, get_many, get_one, ids_where, label

__all__ = ["count_where", "get_many", "get_one", "ids_where", "label"]
