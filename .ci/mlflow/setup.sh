#!/usr/bin/env bash
# An MLflow tracking server for the MLflow tracker tests (issue 18): MLflow from PyPI in a virtual
# environment (outside the checkout, like .ci/python/stats-venv.sh), `mlflow server` on 127.0.0.1
# with its SQLite backend and the artifact proxy over a local folder. Prints the URL on stdout (the
# last line); progress goes to stderr. Idempotent: a second call finds the running server and prints
# its URL.
#
#   RIVERS_TEST_MLFLOW_URL="$(bash .ci/mlflow/setup.sh | tail -n 1)" && export RIVERS_TEST_MLFLOW_URL
#   bash .ci/mlflow/setup.sh packages # only apt-get's what is missing (curl, python3-venv): run it alone
#   bash .ci/mlflow/setup.sh install  # also creates the venv (pip install mlflow) when missing
#   bash .ci/mlflow/setup.sh stop    # stops it and removes its data folder
#
# Settings (environment): RIVERS_MLFLOW_VENV (default /var/lib/rivers-py/mlflow), RIVERS_MLFLOW_PORT
# (default: the first free port from 55000), RIVERS_MLFLOW_DIR (default /tmp/rivers-mlflow).
set -euo pipefail
MLFLOW=3.17.2 # wheels for Python 3.10-3.13
VENV="${RIVERS_MLFLOW_VENV:-/var/lib/rivers-py/mlflow}"
dir="${RIVERS_MLFLOW_DIR:-/tmp/rivers-mlflow}"
log() { printf 'mlflow: %s\n' "$*" >&2; }
start=$SECONDS

# Answers when the server at $1 serves the tracking API (not only /health: the SQLite schema is ready).
ready() { curl -fsS -m 2 -o /dev/null "$1/api/2.0/mlflow/experiments/get-by-name?experiment_name=Default" 2>/dev/null; }

# shellcheck source=../lib/pids.sh
. "$(dirname "$0")/../lib/pids.sh"
stop() {
  # The server's process group (mlflow starts uvicorn/gunicorn workers under it), when its pid still
  # runs mlflow: the file may be left from a run whose processes were killed, its pid reused since.
  stop_pid "$dir/server.pid" mlflow group
  rm -rf "$dir"
  log "stopped, $dir removed"
}

if [ "${1:-}" = stop ]; then
  stop
  exit 0
fi

# Debian's python3 has no venv module (ensurepip) until python3-venv is installed.
if ! command -v curl >/dev/null || ! python3 -c 'import ensurepip' 2>/dev/null; then
  log "installing curl and python3-venv (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends curl python3-venv >&2
fi
[ "${1:-}" = packages ] && exit 0

PY="$VENV/bin/python"
if ! [ -x "$PY" ] || [ "$("$PY" -c 'import importlib.metadata as m; print(m.version("mlflow"))' 2>/dev/null)" != "$MLFLOW" ]; then
  log "creating $VENV with mlflow==$MLFLOW (pip, wheels only)"
  mkdir -p "$(dirname "$VENV")"
  python3 -m venv --clear "$VENV" >&2
  "$PY" -m pip install --quiet --disable-pip-version-check --only-binary=:all: "mlflow==$MLFLOW" >&2
fi

[ "${1:-}" = install ] && exit 0

if [ -f "$dir/url" ] && ready "$(cat "$dir/url")"; then
  log "already running at $(cat "$dir/url") ($dir), reused"
  cat "$dir/url"
  exit 0
fi
stop 2>/dev/null

port="${RIVERS_MLFLOW_PORT:-}"
if [ -z "$port" ]; then
  port="$("$PY" -c '
import socket
for p in range(55000, 56000):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
        print(p)
        break
    except OSError:
        pass
    finally:
        s.close()
')"
fi
url="http://127.0.0.1:$port"
mkdir -p "$dir/artifacts"
# setsid: the server leads its own process group, so that `stop` ends its workers with it.
setsid "$VENV/bin/mlflow" server --host 127.0.0.1 --port "$port" --workers 1 \
  --backend-store-uri "sqlite:///$dir/mlflow.db" \
  --artifacts-destination "$dir/artifacts" --serve-artifacts \
  >"$dir/server.log" 2>&1 </dev/null &
echo $! >"$dir/server.pid"
# Up to 5 minutes: beside npm ci's release build on 2 cores, MLflow's imports alone take minutes.
for _ in $(seq 1 1500); do
  ready "$url" && break
  kill -0 "$(cat "$dir/server.pid")" 2>/dev/null || { log "the server exited"; cat "$dir/server.log" >&2; exit 1; }
  sleep 0.2
done
ready "$url" || { log "did not answer within 300s"; cat "$dir/server.log" >&2; exit 1; }
echo "$url" >"$dir/url"
log "started at $url in $((SECONDS - start))s (data: $dir, log: $dir/server.log)"
echo "$url"
