"""Request and response bodies of the versions API."""
