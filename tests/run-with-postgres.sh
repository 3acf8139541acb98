#!/bin/bash
# Runs a test program next to a throwaway PostgreSQL server: initdb + pg_ctl in a
# temporary directory, unix socket only (no TCP), trust auth, stopped and removed
# afterwards whatever happens. As root the server runs as the `postgres` (or
# `nobody`) user, since PostgreSQL refuses to run as root.
#
#   run-with-postgres.sh TEST [ARGS…]
#
# The test sees PG_CONNINFO (and PGHOST/PGPORT/PGUSER/PGDATABASE). Without the
# PostgreSQL server binaries the test is skipped (exit 77).
set -u

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  echo "1..0 # SKIP PostgreSQL server binaries not installed (apt-get install postgresql)"
  exit 77
fi

if [ "$(id -u)" = 0 ]; then
  if id postgres >/dev/null 2>&1; then PGRUN_USER=postgres; else PGRUN_USER=nobody; fi
fi
_pg_as() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u "$PGRUN_USER" -- "$@"); else "$@"; fi; }

PGTMP=$(mktemp -d /tmp/pbtest-pg.XXXXXX) || exit 99
# A port number per run: the socket lives in our own directory, so two servers never clash.
PGPORT=$((50000 + RANDOM % 10000))
cleanup() {
  _pg_as "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate -w stop >/dev/null 2>&1
  rm -rf "$PGTMP"
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] && chown "$PGRUN_USER" "$PGTMP"
chmod 755 "$PGTMP"

if ! _pg_as "$PGBIN/initdb" -D "$PGTMP/data" -U "$(id -un)" --auth=trust \
      --encoding=UTF8 --locale=C.UTF-8 -N >"$PGTMP/initdb.log" 2>&1; then
  echo "Bail out! initdb failed:"; sed 's/^/# /' "$PGTMP/initdb.log"; exit 99
fi
if ! _pg_as "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 30 \
      -o "-k $PGTMP -p $PGPORT -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null 2>&1; then
  echo "Bail out! PostgreSQL did not start:"; sed 's/^/# /' "$PGTMP/server.log"; exit 99
fi

export PGHOST="$PGTMP" PGPORT PGUSER="$(id -un)" PGDATABASE=postgres
"$PGBIN/../bin/createdb" testdb 2>/dev/null || createdb testdb || { echo "Bail out! createdb failed"; exit 99; }
export PGDATABASE=testdb
export PG_CONNINFO="host=$PGTMP port=$PGPORT dbname=testdb user=$(id -un)"
export PG_SERVER_DIR="$PGTMP"

"$@"
