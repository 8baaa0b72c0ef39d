#!/usr/bin/env bash
# A real single-node Ray cluster for the Ray launcher's tests (issue 17): `ray[default]` from PyPI in a
# virtual environment, `ray start --head` on 127.0.0.1 with 2 CPUs and no GPUs, the dashboard (which
# serves the Jobs REST API) on 127.0.0.1. Prints the dashboard URL on stdout (the last line); progress
# goes to stderr. Idempotent: a second call finds the running head and prints its URL.
#
#   RIVERS_TEST_RAY_URL="$(bash .ci/ray/setup.sh)" && export RIVERS_TEST_RAY_URL
#   bash .ci/ray/setup.sh apt     # only the Debian packages it needs (python3-venv, curl): run it alone
#   bash .ci/ray/setup.sh install # ... and the venv (pip install) when missing
#   bash .ci/ray/setup.sh stop    # `ray stop --force`
#
# Settings (environment): RIVERS_RAY_VENV (default /var/lib/rivers-py/ray, beside the statistics venv
# of .ci/python/stats-venv.sh), RIVERS_RAY_PORT (GCS, default 6390), RIVERS_RAY_DASHBOARD_PORT
# (default 8275), RIVERS_RAY_TMP (Ray's session folder, default /tmp/rivers-ray).
# Footprint on a 2-core CI machine: a 100 MB object store (the minimum Ray accepts is 75 MB), no
# usage stats; idle, 18 processes, about 960 MB (PSS) and 6.5 % of one core (measured; see the
# README of packages/launcher-ray). Ray replaces --node-ip-address=127.0.0.1 by the machine's address
# and its internal services listen on all interfaces; the dashboard (Jobs API) is on 127.0.0.1 only.
set -euo pipefail
RAY_VERSION=2.49.2 # a wheel for CPython 3.11 on x86_64 Linux (Debian 12's python3; installed and tested here)
venv="${RIVERS_RAY_VENV:-/var/lib/rivers-py/ray}"
port="${RIVERS_RAY_PORT:-6390}"
dport="${RIVERS_RAY_DASHBOARD_PORT:-8275}"
tmp="${RIVERS_RAY_TMP:-/tmp/rivers-ray}"
url="http://127.0.0.1:$dport"
ray="$venv/bin/ray"
log() { printf 'ray: %s\n' "$*" >&2; }
start=$SECONDS

# Up: the Jobs API answers and the cluster has an alive node (a head whose start failed half-way
# answers /api/version without one).
answers() {
  curl -fsS --max-time 2 "$url/api/version" >/dev/null 2>&1 &&
    curl -fsS --max-time 5 "$url/api/v0/nodes?detail=false" 2>/dev/null | grep -q '"state": "ALIVE"'
}

if [ "${1:-}" = stop ]; then
  if [ -x "$ray" ]; then "$ray" stop --force >&2 || true; fi
  log "stopped"
  exit 0
fi

# Debian packages first (python3-venv, curl), alone: apt-get must not run beside another setup's.
missing=()
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
command -v curl >/dev/null || missing+=(curl)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
[ "${1:-}" = apt ] && exit 0

if ! [ -x "$ray" ] || [ "$("$venv/bin/python" -c 'import ray; print(ray.__version__)' 2>/dev/null)" != "$RAY_VERSION" ]; then
  log "installing ray[default]==$RAY_VERSION into $venv"
  mkdir -p "$(dirname "$venv")"
  python3 -m venv --clear "$venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: "ray[default]==$RAY_VERSION" >&2
  log "installed in $((SECONDS - start))s"
fi

[ "${1:-}" = install ] && exit 0

if answers; then
  log "already running ($url), reused"
  echo "$url"
  exit 0
fi
# A head left half-started (or a stale one on these ports): start afresh.
if "$ray" status --address="127.0.0.1:$port" >/dev/null 2>&1 || curl -fsS --max-time 2 "$url/api/version" >/dev/null 2>&1; then
  log "a head is there but has no alive node; stopping it"
  "$ray" stop --force >&2 || true
fi

mkdir -p "$tmp"
export RAY_USAGE_STATS_ENABLED=0
# `ray start` daemonises the head and returns once it is up; it gives the dashboard a fixed 20 s to
# come up and fails otherwise, leaving a half-started head (no raylet). On a loaded 2-core machine
# (a release build beside it) that happens: stop what it left and try again (Python's files are in
# the page cache by then, so a second start is faster).
started=""
for attempt in 1 2 3; do
  if "$ray" start --head --node-ip-address=127.0.0.1 --port="$port" \
    --dashboard-host=127.0.0.1 --dashboard-port="$dport" --include-dashboard=true \
    --num-cpus=2 --num-gpus=0 --object-store-memory=$((100 * 1024 * 1024)) \
    --temp-dir="$tmp" --disable-usage-stats >&2; then
    started=yes
    break
  fi
  log "ray start failed (attempt $attempt of 3, load average: $(cut -d' ' -f1-3 /proc/loadavg)); stopping what it left"
  "$ray" stop --force >&2 || true
  sleep 2
done
[ -n "$started" ] || { log "ray start failed 3 times"; tail -n 40 "$tmp"/session_latest/logs/dashboard.log >&2 || true; exit 1; }
for _ in $(seq 1 120); do answers && break; sleep 0.5; done
answers || { log "the Jobs API at $url did not answer (with an alive node) within 60s"; tail -n 40 "$tmp"/session_latest/logs/dashboard.log >&2 || true; exit 1; }
log "head up in $((SECONDS - start))s; Jobs API at $url (session: $tmp/session_latest)"
echo "$url"
