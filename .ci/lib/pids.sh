# Pid files of the CI services, sourced by their setup and teardown scripts.
#
# A pid file can outlive its process: the machine's processes are killed without a teardown at the
# end of a session, and pids wrap (pid_max is 32768 on the CI machines), so the number in an old file
# can be another process by now. In CI that other process was the MariaDB the Slurm setup had just
# started: its stale slurmctld.pid named it, and it was killed. So a pid from a file is used only
# when that process runs the expected program (/proc/PID/comm, which Linux cuts at 15 characters).

# live_pid FILE COMM: prints the pid in FILE when that process is alive and its command is COMM.
live_pid() {
  local file=$1 comm=$2 pid
  [ -s "$file" ] || return 1
  pid=$(tr -dc 0-9 <"$file")
  [ -n "$pid" ] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "${comm:0:15}" ] || return 1
  echo "$pid"
}

# stop_pid FILE COMM [GROUP]: stops the process of FILE (TERM, then KILL after 5 s) when it runs COMM,
# its whole process group too when GROUP is "group"; removes FILE either way. Another process now
# under that pid is left alone.
stop_pid() {
  local file=$1 comm=$2 group=${3:-} pid target
  if pid=$(live_pid "$file" "$comm"); then
    target=$pid
    [ "$group" = group ] && target=-$pid
    kill -TERM -- "$target" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do live_pid "$file" "$comm" >/dev/null || break; sleep 0.1; done
    if live_pid "$file" "$comm" >/dev/null; then kill -KILL -- "$target" 2>/dev/null || true; fi
  fi
  rm -f "$file"
}
