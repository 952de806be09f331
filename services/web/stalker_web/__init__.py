"""The studio web app: server-rendered pages that call the catalog, versions and scheduler APIs with the
signed-in user's own token. It holds no database and no rights of its own."""
