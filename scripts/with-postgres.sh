#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL cluster of its own, and stops the cluster after:
#   scripts/with-postgres.sh cargo test -p plaid-link-backend
# The command gets PLAID_LINK_TEST_POSTGRES, the cluster's URL (its `postgres` database; tests make
# databases of their own in it). The cluster lives in a temporary directory, listens on a free
# loopback port only, and runs as the `postgres` user when this runs as root (the server refuses
# root). Debian's `postgresql` package provides it (scripts/setup.sh installs it).
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ]; then
  echo "with-postgres.sh: PostgreSQL is not installed (apt-get install postgresql; make setup does)" >&2
  exit 1
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/plaid-link-pg.XXXXXX")
as_owner=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$dir"
  as_owner=(runuser -u postgres --)
fi
stop() {
  "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

"${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
# A free port: try a few at random (the server says at once when one is taken).
for attempt in 1 2 3 4 5 6 7 8; do
  port=$((20000 + RANDOM % 40000))
  if "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=300" \
    >/dev/null 2>&1; then
    export PLAID_LINK_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres"
    "$@"
    exit $?
  fi
done
echo "with-postgres.sh: the cluster did not start:" >&2
cat "$dir/server.log" >&2
exit 1
