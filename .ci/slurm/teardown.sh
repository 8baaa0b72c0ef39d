#!/usr/bin/env bash
# Stops the test Slurm cluster started by setup.sh (slurmd n1, n2, slurmctld, slurmdbd and its
# MariaDB; munged only if setup.sh started it). Leaves the packages installed. With --purge, also removes its state, logs
# and configuration, so the next setup.sh starts from nothing.
set -euo pipefail
ROOT=${RIVERS_SLURM_ROOT:-/var/lib/rivers-slurm}
HERE=$(cd "$(dirname "$0")" && pwd)
log() { printf 'slurm-teardown: %s\n' "$*" >&2; }
# shellcheck source=../lib/pids.sh
. "$HERE/../lib/pids.sh"
scancel --state=PENDING,RUNNING --user="$(id -un)" >/dev/null 2>&1 || true
stop_pid "$ROOT/run/slurmd-n1.pid" slurmd
stop_pid "$ROOT/run/slurmd-n2.pid" slurmd
stop_pid "$ROOT/run/slurmctld.pid" slurmctld
# shellcheck source=accounting.sh
. "$HERE/accounting.sh"
stop_accounting
[ -f "$ROOT/run/munged.started" ] && { stop_pid /run/munge/munged.pid munged; rm -f "$ROOT/run/munged.started"; }
rm -f "$ROOT/stamp"
if [ "${1:-}" = --purge ]; then
  rm -rf "$ROOT"
  rm -f /etc/slurm/slurm.conf /etc/slurm/gres.conf /etc/slurm/cgroup.conf /etc/slurm/slurmdbd.conf
  for i in 0 1 2 3; do rm -f "/dev/fake_nvidia$i"; done
fi
echo "slurm: stopped"
