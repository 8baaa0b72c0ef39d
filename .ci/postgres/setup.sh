#!/usr/bin/env bash
# A PostgreSQL 15 server for the team-store tests (issue 16): Debian's postgresql-15, a temporary data
# folder, 127.0.0.1 only, trust auth for local connections. Prints the URL on stdout (the last line);
# progress goes to stderr. Idempotent: a second call finds the running server and prints its URL.
#
#   RIVERS_TEST_PG_URL="$(bash .ci/postgres/setup.sh)" && export RIVERS_TEST_PG_URL
#   bash .ci/postgres/setup.sh install # only installs the package when missing (apt-get: run it alone)
#   bash .ci/postgres/setup.sh stop    # stops it and removes the data folder
#
# Settings (environment): RIVERS_PG_PORT (default 54329), RIVERS_PG_DIR (default /tmp/rivers-pg-$PORT).
set -euo pipefail
port="${RIVERS_PG_PORT:-54329}"
dir="${RIVERS_PG_DIR:-/tmp/rivers-pg-$port}"
url="postgres://postgres@127.0.0.1:$port/postgres"
log() { printf 'postgres: %s\n' "$*" >&2; }
start=$SECONDS

bindir=""
for d in /usr/lib/postgresql/15/bin; do [ -x "$d/pg_ctl" ] && bindir="$d"; done
if [ -z "$bindir" ]; then
  log "installing postgresql-15 (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends postgresql-15 >&2
  bindir=/usr/lib/postgresql/15/bin
fi

[ "${1:-}" = install ] && exit 0

# Runs a PostgreSQL binary as the `postgres` user (initdb and the server refuse to run as root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

ready() { as_pg "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; }

if [ "${1:-}" = stop ]; then
  if [ -f "$dir/data/postmaster.pid" ]; then as_pg "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true; fi
  rm -rf "$dir"
  log "stopped, $dir removed"
  exit 0
fi

if ready; then
  log "already running on 127.0.0.1:$port (${dir}), reused"
  echo "$url"
  exit 0
fi

if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then useradd --system --home-dir "$dir" postgres; fi
mkdir -p "$dir"
[ "$(id -u)" = 0 ] && chown postgres "$dir"
if [ ! -f "$dir/data/PG_VERSION" ]; then
  as_pg "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
fi
# Tests create a database per file and run workers in parallel: allow enough connections; fsync off
# because the data folder is thrown away (a test server, never a store anyone keeps).
as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
  -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >&2 \
  || { cat "$dir/server.log" >&2; exit 1; }
for _ in $(seq 1 100); do ready && break; sleep 0.1; done
ready || { log "did not become ready"; cat "$dir/server.log" >&2; exit 1; }
log "started on 127.0.0.1:$port in $((SECONDS - start))s (data: $dir/data, log: $dir/server.log)"
echo "$url"
