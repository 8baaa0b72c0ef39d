#!/usr/bin/env bash
# Stops the test Slurm cluster started by setup.sh (slurmd n1, n2, slurmctld, slurmdbd and its
# MariaDB; munged only if setup.sh started it). Leaves the packages installed. With --purge, also removes its state, logs
# and configuration, so the next setup.sh starts from nothing.
set -euo pipefail
ROOT=${RIVERS_SLURM_ROOT:-/var/lib/rivers-slurm}
HERE=$(cd "$(dirname "$0")" && pwd)
log() { printf 'slurm-teardown: %s\n' "$*" >&2; }
stop() {
  local f=$1
  [ -f "$f" ] || return 0
  local p
  p=$(cat "$f")
  kill "$p" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$p" 2>/dev/null || true
  rm -f "$f"
}
scancel --state=PENDING,RUNNING --user="$(id -un)" >/dev/null 2>&1 || true
stop "$ROOT/run/slurmd-n1.pid"
stop "$ROOT/run/slurmd-n2.pid"
stop "$ROOT/run/slurmctld.pid"
# shellcheck source=accounting.sh
. "$HERE/accounting.sh"
stop_accounting
[ -f "$ROOT/run/munged.started" ] && { stop /run/munge/munged.pid; rm -f "$ROOT/run/munged.started"; }
rm -f "$ROOT/stamp"
if [ "${1:-}" = --purge ]; then
  rm -rf "$ROOT"
  rm -f /etc/slurm/slurm.conf /etc/slurm/gres.conf /etc/slurm/cgroup.conf /etc/slurm/slurmdbd.conf
  for i in 0 1 2 3; do rm -f "/dev/fake_nvidia$i"; done
fi
echo "slurm: stopped"
