# Accounting for the test Slurm cluster, sourced by setup.sh (uses its ROOT, CONF_DIR, HOST,
# PRELOAD and log, and live_pid/stop_pid of .ci/lib/pids.sh): a MariaDB of its own (data folder $ROOT/mariadb, 127.0.0.1:$DB_PORT and a
# socket in that folder, so a system MariaDB on 3306 is left alone) with the database slurm_acct_db
# and its user, then slurmdbd on 127.0.0.1:$DBD_PORT, then the cluster, account and user in it.
# Idempotent: a running MariaDB is kept; slurmdbd restarts only when its configuration changed.
# Ends with `stop_accounting` for teardown.sh.

DB_DIR=$ROOT/mariadb
DB_SOCK=$DB_DIR/mariadb.sock
DB_PORT=${RIVERS_SLURM_DB_PORT:-3307}
DBD_PORT=${RIVERS_SLURMDBD_PORT:-6819}
# Seconds slurmctld keeps a finished job before only sacct knows it (tests wait for that moment).
MIN_JOB_AGE=${RIVERS_SLURM_MIN_JOB_AGE:-10}

db() { mariadb --socket="$DB_SOCK" -u root "$@"; }

start_mariadb() {
  if mariadb-admin --socket="$DB_SOCK" -u root ping >/dev/null 2>&1; then return 0; fi
  if [ ! -d "$DB_DIR/mysql" ]; then
    mkdir -p "$DB_DIR" && chown mysql:mysql "$DB_DIR"
    mariadb-install-db --user=mysql --datadir="$DB_DIR" --auth-root-authentication-method=socket \
      --skip-test-db >"$ROOT/log/mariadb-install.log" 2>&1 \
      || { log "mariadb-install-db failed:"; tail -n 20 "$ROOT/log/mariadb-install.log" >&2; return 1; }
  fi
  chown -R mysql:mysql "$DB_DIR"
  # Its error log, where the mysql user can write it (the log folder is root's).
  touch "$ROOT/log/mariadb.log" && chown mysql:mysql "$ROOT/log/mariadb.log"
  rm -f "$DB_SOCK"
  # Settings slurmdbd asks for (a large enough lock wait for its schema upgrades); small buffers.
  setsid /usr/sbin/mariadbd --no-defaults --user=mysql --datadir="$DB_DIR" --socket="$DB_SOCK" \
    --port="$DB_PORT" --bind-address=127.0.0.1 --skip-name-resolve --pid-file="$DB_DIR/mariadb.pid" \
    --log-error="$ROOT/log/mariadb.log" --innodb-buffer-pool-size=64M --innodb-log-file-size=32M \
    --innodb-lock-wait-timeout=900 --max-allowed-packet=16M </dev/null >/dev/null 2>&1 &
  for _ in $(seq 150); do mariadb-admin --socket="$DB_SOCK" -u root ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  log "MariaDB did not start:"; tail -n 20 "$ROOT/log/mariadb.log" >&2 || true
  return 1
}

start_slurmdbd() {
  local pass
  [ -s "$ROOT/mariadb.pass" ] || (umask 077 && head -c 24 /dev/urandom | base64 | tr -dc A-Za-z0-9 >"$ROOT/mariadb.pass")
  pass=$(cat "$ROOT/mariadb.pass")
  db <<SQL
CREATE DATABASE IF NOT EXISTS slurm_acct_db;
CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY '$pass';
ALTER USER 'slurm'@'127.0.0.1' IDENTIFIED BY '$pass';
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';
SQL
  local conf="$CONF_DIR/slurmdbd.conf" new
  new=$(cat <<CONF
# Written by .ci/slurm/setup.sh (accounting.sh): slurmdbd of the Rivers test cluster.
AuthType=auth/munge
DbdHost=$HOST
DbdAddr=127.0.0.1
DbdPort=$DBD_PORT
SlurmUser=root
PidFile=$ROOT/run/slurmdbd.pid
LogFile=$ROOT/log/slurmdbd.log
DebugLevel=info
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$DB_PORT
StorageUser=slurm
StoragePass=$pass
StorageLoc=slurm_acct_db
CONF
)
  local changed=0
  if [ ! -f "$conf" ] || [ "$(cat "$conf")" != "$new" ]; then
    (umask 077 && printf '%s\n' "$new" >"$conf")
    changed=1
  fi
  # slurmdbd refuses a configuration file others can read (it holds the database password).
  chown root:root "$conf" && chmod 600 "$conf"
  if [ "$changed" = 1 ] || ! live_pid "$ROOT/run/slurmdbd.pid" slurmdbd >/dev/null; then
    stop_pid "$ROOT/run/slurmdbd.pid" slurmdbd
    LD_PRELOAD=$PRELOAD /usr/sbin/slurmdbd
  fi
  for _ in $(seq 150); do sacctmgr -n -P list cluster format=cluster >/dev/null 2>&1 && return 0; sleep 0.1; done
  log "slurmdbd did not answer:"; tail -n 20 "$ROOT/log/slurmdbd.log" >&2 || true
  return 1
}

# The cluster (before slurmctld registers), an account, and the users who submit (root, the sudoer).
add_associations() {
  sacctmgr -n -P list cluster format=cluster | grep -qx rivers || sacctmgr -i add cluster rivers >/dev/null
  sacctmgr -n -P list account rivers format=account | grep -qx rivers \
    || sacctmgr -i add account rivers Cluster=rivers Description='Rivers tests' Organization=rivers >/dev/null
  local u
  for u in root ${SUDO_USER:-}; do
    sacctmgr -n -P list assoc cluster=rivers account=rivers user="$u" format=user | grep -qx "$u" \
      || sacctmgr -i add user "$u" Account=rivers Cluster=rivers >/dev/null
  done
}

start_accounting() {
  start_mariadb
  start_slurmdbd
  add_associations
}

stop_accounting() {
  stop_pid "$ROOT/run/slurmdbd.pid" slurmdbd
  stop_pid "$DB_DIR/mariadb.pid" mariadbd
}
