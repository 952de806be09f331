#!/bin/sh
# One database and one login role per service: they share a server, never tables, and a service's
# credentials open only its own database. Run by the postgres image once, on an empty data volume
# (/docker-entrypoint-initdb.d/); the passwords come from the environment, so nothing secret is committed.
#   STALKER_CATALOG_DB_PASSWORD, STALKER_VERSIONS_DB_PASSWORD, STALKER_SCHEDULER_DB_PASSWORD,
#   STALKER_EVENTS_DB_PASSWORD
#   STALKER_DB_PREFIX (default stalker): role and database are <prefix>_<service>
set -eu

prefix="${STALKER_DB_PREFIX:-stalker}"
for service in catalog versions scheduler events; do
    variable="STALKER_$(echo "$service" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
    eval "password=\${$variable:-}"
    if [ -z "$password" ]; then
        echo "init-databases: $variable is not set" >&2
        exit 1
    fi
    # psql variables (:"name" quotes an identifier, :'name' a literal): no password reaches a shell
    # command line or the server log as SQL text built by hand.
    psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname postgres \
        -v name="${prefix}_${service}" -v password="$password" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
done
