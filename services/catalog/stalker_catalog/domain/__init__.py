"""Pure domain rules of the catalog: names, calendar, scheduling enums, task graph and status workflow.

Nothing here touches a database, the network or the clock; every rule is a function or a value object.
"""
