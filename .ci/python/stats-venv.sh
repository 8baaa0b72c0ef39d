#!/usr/bin/env bash
# Creates (idempotently) the Python virtual environment with NumPy and SciPy that the statistics
# reference test (packages/rivers/src/automation/stats.reference.test.ts) runs its references in,
# and prints the path of its python. Location: $RIVERS_STATS_VENV, else /var/lib/rivers-py/stats.
# Wheels only (--only-binary): no compiler, a few seconds when the venv is already there.
set -euo pipefail
NUMPY=2.2.6  # supports Python 3.10-3.13
SCIPY=1.15.3 # supports Python 3.10-3.13
VENV="${RIVERS_STATS_VENV:-/var/lib/rivers-py/stats}"
PY="$VENV/bin/python"
want="numpy==$NUMPY scipy==$SCIPY"
if ! [ -x "$PY" ] || [ "$("$PY" -c 'import numpy, scipy; print(f"numpy=={numpy.__version__} scipy=={scipy.__version__}")' 2>/dev/null)" != "$want" ]; then
  mkdir -p "$(dirname "$VENV")"
  # Debian's python3 has no venv module until python3-venv is installed.
  python3 -m venv --clear "$VENV" >&2 2>/dev/null || {
    apt-get update -qq >&2 && apt-get install -y -qq python3-venv >&2 && python3 -m venv --clear "$VENV" >&2
  }
  "$PY" -m pip install --quiet --disable-pip-version-check --only-binary=:all: "numpy==$NUMPY" "scipy==$SCIPY" >&2
fi
echo "$PY"
