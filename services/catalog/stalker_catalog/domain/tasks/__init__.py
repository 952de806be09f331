"""The task tree's batch logic, pure: commands, field rules, the in-memory draft of the task graphs, where
new nodes go, the planner, and the checks over the whole changed graph. The database is read and written
by db/task_snapshot.py and db/task_write.py; service/tasks.py runs the steps in one transaction."""
