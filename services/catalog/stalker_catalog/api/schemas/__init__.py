"""Request and response bodies of the catalog API (inputs forbid unknown and server-owned fields)."""
