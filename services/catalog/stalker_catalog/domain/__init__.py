"""Pure domain rules of the catalog: names, calendar, scheduling enums, task graph, status workflow, and
the task tree's batch planner (tasks/).

Nothing here touches a database, the network or the clock; every rule is a function or a value object.
"""
