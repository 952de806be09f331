"""The versions service: repositories, structures, filename templates and versions."""
