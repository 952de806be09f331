#!/bin/sh
# The official postgres image's start-up, reduced to what docker-compose.yml uses: on an empty data
# directory, initdb with POSTGRES_USER/POSTGRES_PASSWORD and run /docker-entrypoint-initdb.d/*.sh and *.sql
# once; then the server on every address.
set -eu

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is not set}"
    export POSTGRES_USER="${POSTGRES_USER:-postgres}"
    pwfile="$(mktemp)"
    printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
    initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
        --encoding=UTF8 --locale=C.UTF-8 -D "$PGDATA"
    rm -f "$pwfile"
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    # The init server listens on a private socket only: the healthcheck (pg_isready on the default
    # socket) stays red until the real server is up, so no migration connects half way through.
    init_socket="$(mktemp -d)"
    pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -c unix_socket_directories=$init_socket" -w start
    for script in /docker-entrypoint-initdb.d/*; do
        case "$script" in
            *.sh) echo "postgres-entrypoint: running $script"; PGHOST="$init_socket" sh "$script" ;;
            *.sql) echo "postgres-entrypoint: running $script"
                   psql -v ON_ERROR_STOP=1 -h "$init_socket" -U "$POSTGRES_USER" -d postgres -f "$script" ;;
            *) ;;
        esac
    done
    pg_ctl -D "$PGDATA" -m fast -w stop
    rm -rf "$init_socket"
fi

exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
