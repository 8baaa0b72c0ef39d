#!/usr/bin/env bash
# Starts a real, single-host Slurm cluster for the Slurm launcher's tests (idempotent, root only):
#   - munge for authentication, slurmctld, and two slurmd daemons (nodes n1 and n2) on 127.0.0.1;
#   - GRES scheduling of fake GPUs: character devices /dev/fake_nvidia0..3 (two per node) listed
#     in gres.conf, so --gres=gpu:N and --gpus-per-node are really scheduled without a GPU;
#   - preemption: jobs of partition 'urgent' (PriorityTier=2) preempt jobs of 'debug' (the default,
#     PriorityTier=1) with PreemptMode=CANCEL, so a job can really end PREEMPTED in tests;
#   - accounting: MariaDB (its own data folder and port, 127.0.0.1 only) behind slurmdbd, so sacct
#     knows every job after slurmctld forgets it (MinJobAge is short on purpose), with its state,
#     exit code, times and AllocTRES (gres/gpu tracked); cluster 'rivers', account 'rivers', user root;
#   - memory allocated (CR_Core_Memory, DefMemPerCPU=1000: a job without --mem gets 1000M per CPU)
#     and enforced, so a job above its --mem ends OUT_OF_MEMORY: task/cgroup with cgroup v1
#     memory limits (ConstrainRAMSpace) where the memory controller is on the v1 hierarchy and a
#     child group's limit can be set (this VM: the v2 hierarchy has no memory controller; Slurm
#     22.05's cgroup/v2 plugin wants systemd). Elsewhere jobacct_gather/linux's OverMemoryKill,
#     which kills the step but leaves the job FAILED (signal 9), not OUT_OF_MEMORY;
#   - no systemd; processes tracked by process group (proctrack/pgid; cgroups only for memory). pgid, not
#     linuxproc: linuxproc finds a job's processes by walking the process tree, so a child whose
#     parent died first under scancel's SIGTERM was reparented, missed, and ran on (seen in CI: a
#     cancelled `sh -c 'sleep 30; touch marker'` touched its marker). pgid signals the whole group;
#   - every daemon (and srun in jobs) runs with bind-loopback.so preloaded, so nothing listens
#     beyond 127.0.0.1 (Slurm has no listen-address option).
# Prints one line when the cluster is up (`sinfo` shows both nodes idle); exits non-zero otherwise.
# Stop it with teardown.sh. State, logs and pid files live under $RIVERS_SLURM_ROOT
# (default /var/lib/rivers-slurm); the configuration is written to /etc/slurm.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=${RIVERS_SLURM_ROOT:-/var/lib/rivers-slurm}
CONF_DIR=/etc/slurm
log() { printf 'slurm-setup: %s\n' "$*" >&2; }
# shellcheck source=../lib/pids.sh
. "$HERE/../lib/pids.sh"

idle_nodes() { sinfo -h -N -o '%N %t' 2>/dev/null | awk '$2 == "idle" || $2 == "mix" || $2 == "alloc" { print $1 }' | sort -u | wc -l; }

if [ "$(id -u)" != 0 ]; then log "must run as root (it installs packages and starts daemons)"; exit 1; fi

# Fast path: already running with the configuration this script writes.
# The stamp holds the checksums of this script, the shim and the configuration it wrote, and the
# RIVERS_SLURM_* settings it was run with.
stamp() { sha256sum "$HERE/setup.sh" "$HERE/accounting.sh" "$HERE/../lib/pids.sh" "$HERE/bind-loopback.c" "$CONF_DIR/slurm.conf" "$CONF_DIR/gres.conf" "$CONF_DIR/cgroup.conf" "$CONF_DIR/slurmdbd.conf" 2>/dev/null
  echo "settings: ${RIVERS_SLURM_MEMORY:-} ${RIVERS_SLURM_MIN_JOB_AGE:-} ${RIVERS_SLURM_DB_PORT:-} ${RIVERS_SLURMDBD_PORT:-}"; }
if [ -f "$ROOT/stamp" ] && command -v sinfo >/dev/null && [ "$(stamp)" = "$(cat "$ROOT/stamp")" ] && [ "$(idle_nodes)" -ge 2 ] \
  && sacctmgr -n -P list cluster format=cluster 2>/dev/null | grep -qx rivers; then
  echo "slurm: already up ($(sinfo -h -N -o '%N:%t' | tr '\n' ' '))"
  exit 0
fi

# 1. Packages (Debian 12: slurm 22.05). apt-get update only when the install cannot find them.
pkgs=()
command -v slurmctld >/dev/null || pkgs+=(slurmctld)
command -v slurmd >/dev/null || pkgs+=(slurmd)
command -v sbatch >/dev/null || pkgs+=(slurm-client)
command -v munged >/dev/null || pkgs+=(munge)
command -v slurmdbd >/dev/null || pkgs+=(slurmdbd)
command -v mariadbd >/dev/null || pkgs+=(mariadb-server)
command -v gcc >/dev/null || pkgs+=(gcc libc6-dev)
if [ "${#pkgs[@]}" -gt 0 ]; then
  log "installing ${pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null; }
fi

mkdir -p "$ROOT"/{state,log,run} "$CONF_DIR"
chmod 755 "$ROOT"

# 2. The loopback shim.
if [ ! -f "$ROOT/bind-loopback.so" ] || [ "$HERE/bind-loopback.c" -nt "$ROOT/bind-loopback.so" ]; then
  gcc -shared -fPIC -O2 -o "$ROOT/bind-loopback.so" "$HERE/bind-loopback.c" -ldl
fi
PRELOAD="$ROOT/bind-loopback.so"

# 3. munge: a key, then the daemon (as the munge user when it exists).
if [ ! -s /etc/munge/munge.key ]; then
  mkdir -p /etc/munge
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
MUNGE_USER=root
id munge >/dev/null 2>&1 && MUNGE_USER=munge
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown "$MUNGE_USER" /etc/munge /etc/munge/munge.key /run/munge /var/log/munge /var/lib/munge
chmod 0700 /etc/munge && chmod 0400 /etc/munge/munge.key && chmod 0755 /run/munge
if ! munge -n >/dev/null 2>&1; then
  if [ "$MUNGE_USER" = munge ]; then runuser -u munge -- /usr/sbin/munged; else /usr/sbin/munged --force; fi
  touch "$ROOT/run/munged.started"
  for _ in $(seq 50); do munge -n >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n >/dev/null || { log "munged did not start"; exit 1; }
fi

# 4. Fake GPUs: character devices (major 195 like /dev/nvidia*, minors 200+ to stay clear of real
#    ones). Where mknod is not allowed (a container without CAP_MKNOD), plain files do: slurmd only
#    needs the paths to exist to count GRES.
DEV=/dev
for i in 0 1 2 3; do
  [ -c "$DEV/fake_nvidia$i" ] && continue
  rm -f "$DEV/fake_nvidia$i"
  if ! mknod -m 666 "$DEV/fake_nvidia$i" c 195 $((200 + i)) 2>/dev/null; then DEV="$ROOT/dev"; break; fi
done
if [ "$DEV" != /dev ]; then
  log "mknod is not allowed here; fake GPUs are plain files in $DEV"
  mkdir -p "$DEV" && for i in 0 1 2 3; do touch "$DEV/fake_nvidia$i"; done
fi

# 5. Configuration (accounting.sh sets the accounting ports and MinJobAge).
HOST=$(hostname -s)
# Memory enforcement: a job above its --mem must end OUT_OF_MEMORY. Slurm 22.05 gets that from the
# kernel's OOM events in a memory cgroup (task/cgroup, ConstrainRAMSpace). Its cgroup/v2 plugin
# wants systemd, so: cgroup v1 where the memory controller is mounted there and a child group's
# limit can be set (this VM: the v2 hierarchy has no memory controller); otherwise
# jobacct_gather/linux's OverMemoryKill, which kills the step but ends the job FAILED (signal 9).
cg_probe=/sys/fs/cgroup/memory/rivers-probe.$$
# RIVERS_SLURM_MEMORY=overmemorykill forces the second (to test the launcher against it).
if [ "${RIVERS_SLURM_MEMORY:-}" != overmemorykill ] && [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ] \
  && mkdir "$cg_probe" 2>/dev/null \
  && { echo 104857600 >"$cg_probe/memory.limit_in_bytes"; } 2>/dev/null; then
  TASK_PLUGIN=task/cgroup GATHER_PARAMS="# memory: task/cgroup (cgroup.conf)" MEMORY_BY="cgroup v1 memory limits"
else
  TASK_PLUGIN=task/none GATHER_PARAMS=JobAcctGatherParams=OverMemoryKill MEMORY_BY="OverMemoryKill (no usable memory cgroup)"
fi
rmdir "$cg_probe" 2>/dev/null || true
# shellcheck source=accounting.sh
. "$HERE/accounting.sh"
cat > "$CONF_DIR/slurm.conf" <<CONF
# Written by .ci/slurm/setup.sh: a single-host test cluster for Rivers (two slurmd nodes, fake GPUs).
ClusterName=rivers
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=6817
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$ROOT/state
SlurmdSpoolDir=$ROOT/state/slurmd-%n
SlurmctldPidFile=$ROOT/run/slurmctld.pid
SlurmdPidFile=$ROOT/run/slurmd-%n.pid
SlurmctldLogFile=$ROOT/log/slurmctld.log
SlurmdLogFile=$ROOT/log/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/pgid
TaskPlugin=$TASK_PLUGIN
TaskProlog=$ROOT/task-prolog.sh
SwitchType=switch/none
MpiDefault=none
LaunchParameters=use_interactive_step
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0,default_queue_depth=100
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1000
GresTypes=gpu
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort=$DBD_PORT
AccountingStorageTRES=gres/gpu
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/linux
$GATHER_PARAMS
JobAcctGatherFrequency=task=1
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=$MIN_JOB_AGE
KillWait=2
InactiveLimit=0
Waittime=0
SlurmctldTimeout=30
SlurmdTimeout=30
MessageTimeout=10
NodeName=n1 NodeHostname=localhost NodeAddr=127.0.0.1 Port=17001 CPUs=4 Boards=1 SocketsPerBoard=1 CoresPerSocket=4 ThreadsPerCore=1 RealMemory=4000 Gres=gpu:fake:2 State=UNKNOWN
NodeName=n2 NodeHostname=localhost NodeAddr=127.0.0.1 Port=17002 CPUs=4 Boards=1 SocketsPerBoard=1 CoresPerSocket=4 ThreadsPerCore=1 RealMemory=4000 Gres=gpu:fake:2 State=UNKNOWN
PreemptType=preempt/partition_prio
PreemptMode=CANCEL
PartitionName=debug Nodes=n1,n2 Default=YES MaxTime=60 State=UP PriorityTier=1
PartitionName=urgent Nodes=n1,n2 MaxTime=60 State=UP PriorityTier=2
CONF
cat > "$CONF_DIR/gres.conf" <<CONF
NodeName=n1 Name=gpu Type=fake File=$DEV/fake_nvidia[0-1]
NodeName=n2 Name=gpu Type=fake File=$DEV/fake_nvidia[2-3]
CONF
cat > "$ROOT/task-prolog.sh" <<CONF
#!/bin/sh
# Jobs' tasks (srun inside a batch script opens listening ports) bind to loopback too.
echo "export LD_PRELOAD=$PRELOAD"
CONF
chmod 755 "$ROOT/task-prolog.sh"
cat > "$CONF_DIR/cgroup.conf" <<CONF
# Written by .ci/slurm/setup.sh: memory limits only (no core or device confinement: fake GPUs).
CgroupPlugin=cgroup/v1
CgroupMountpoint=/sys/fs/cgroup
ConstrainRAMSpace=yes
ConstrainSwapSpace=no
ConstrainCores=no
ConstrainDevices=no
CONF
chmod 644 "$CONF_DIR/slurm.conf" "$CONF_DIR/gres.conf" "$CONF_DIR/cgroup.conf"

# 6. Accounting: MariaDB, then slurmdbd, then the cluster, account and user (before slurmctld
#    registers the cluster).
start_accounting

# 7. (Re)start the daemons this script owns (identified by their pid files).
#    Only a pid that still runs that daemon is stopped (.ci/lib/pids.sh: pid files outlive their
#    processes, and a stale slurmctld.pid once named the MariaDB started above).
stop_pid "$ROOT/run/slurmd-n1.pid" slurmd; stop_pid "$ROOT/run/slurmd-n2.pid" slurmd; stop_pid "$ROOT/run/slurmctld.pid" slurmctld
mkdir -p "$ROOT/state/slurmd-n1" "$ROOT/state/slurmd-n2"
LD_PRELOAD=$PRELOAD /usr/sbin/slurmctld -i
LD_PRELOAD=$PRELOAD /usr/sbin/slurmd -N n1
LD_PRELOAD=$PRELOAD /usr/sbin/slurmd -N n2

# 8. Wait until both nodes are idle.
for i in $(seq 150); do
  [ "$(idle_nodes)" -ge 2 ] && break
  # A node left DOWN from an earlier run comes back with ReturnToService=2; nudge it if needed.
  if [ $((i % 20)) = 0 ]; then scontrol update NodeName=n1,n2 State=RESUME >/dev/null 2>&1 || true; fi
  sleep 0.2
done
if [ "$(idle_nodes)" -lt 2 ]; then
  log "nodes did not become idle:"; sinfo -N -l >&2 || true
  tail -n 20 "$ROOT"/log/*.log >&2 || true
  exit 1
fi
# 9. Accounting answers end to end, as the tests ask it: sacct through slurmdbd to MariaDB.
for _ in $(seq 20); do sacct -n -X -j 1 --parsable2 --format JobID >/dev/null 2>&1 && break; sleep 0.5; done
if ! err=$(sacct -n -X -j 1 --parsable2 --format JobID 2>&1 >/dev/null); then
  log "accounting does not answer (sacct: $err)"
  live_pid "$DB_DIR/mariadb.pid" mariadbd >/dev/null || log "MariaDB is not running"
  tail -n 20 "$ROOT/log/slurmdbd.log" "$ROOT/log/mariadb.log" >&2 || true
  exit 1
fi
stamp > "$ROOT/stamp"
echo "slurm: up in ${SECONDS}s, accounting by slurmdbd, memory enforced by $MEMORY_BY ($(sinfo -h -N -o '%N:%t:%G' | tr '\n' ' '))"
