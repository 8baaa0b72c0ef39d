#!/usr/bin/env bash
# Headless Chromium for the web UI's browser tests and benchmarks (issue 15): Debian's `chromium`
# package, driven by playwright-core (no browser download). Prints the executable's path on stdout
# (the last line); progress goes to stderr. Idempotent: a second call finds it installed.
#
#   CHROMIUM_PATH="$(bash .ci/ui/setup.sh | tail -n 1)" && export CHROMIUM_PATH
#   bash .ci/ui/setup.sh stop   # nothing to stop (the tests start and close their own browser)
set -euo pipefail
log() { printf 'chromium: %s\n' "$*" >&2; }

[ "${1:-}" = stop ] && exit 0

find_chromium() {
  for p in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    if [ -n "$p" ] && [ -x "$p" ]; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

if ! path="$(find_chromium)"; then
  log "installing chromium (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium >&2
  path="$(find_chromium)"
fi
log "$("$path" --version 2>/dev/null || echo "$path")"
echo "$path"
