#!/usr/bin/env bash
# Runs Dagster as a deployment does: `dagster-daemon` (sensors, schedules, run queue, run
# monitoring, backfills) and `dagster-webserver` (the UI) as background services of one
# Dagster instance, each with a PID file and a log.
#
# usage: scripts/dagster_services.sh up|down|status
#   up      install the instance config if $DAGSTER_HOME has none, check that the instance's
#           storage answers, start the daemon and the webserver (idempotent)
#   down    stop both (TERM, then KILL after 30 s) and the code servers and run workers they
#           started: a run in progress is cut short (stop between runs; its month locks are
#           taken over by the next run, its process being gone)
#   status  print what runs and where; exit 0 when both run, 3 otherwise
#
# Settings (environment):
#   DAGSTER_HOME            the instance folder (required; created). When it has no
#                           dagster.yaml, deploy/dagster-mysql.yaml is installed if
#                           DAGSTER_MYSQL_URL is set, else deploy/dagster.yaml (SQLite files).
#   DAGSTER_MYSQL_URL       Dagster's own database (mysql+mysqlconnector://user:pw@host/db)
#   SALES_DAGSTER_HOST=127.0.0.1   SALES_DAGSTER_PORT=3000   where the UI listens
#   SALES_DAGSTER_TIMEOUT=120      seconds to wait for each service to be ready
# The pipeline's own settings (SALES_*, SPARK_*, AWS_*) are read from the environment of `up`:
# the daemon passes them on to every run it launches.
# PID files and logs: $DAGSTER_HOME/services/{daemon,webserver}.{pid,log}.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
HOST=${SALES_DAGSTER_HOST:-127.0.0.1}
PORT=${SALES_DAGSTER_PORT:-3000}
TIMEOUT=${SALES_DAGSTER_TIMEOUT:-120}

log() { printf '[dagster] %s\n' "$*" >&2; }
die() { printf '[dagster] ERROR: %s\n' "$*" >&2; exit 1; }

# shellcheck source=lib/pidfiles.sh
source "$SCRIPT_DIR/lib/pidfiles.sh"  # pid_alive, port_open, stop_pid

[ -n "${DAGSTER_HOME:-}" ] || die "DAGSTER_HOME is not set. Export the instance folder first, e.g. export DAGSTER_HOME=/srv/dagster (it is created)."
case "$DAGSTER_HOME" in /*) ;; *) die "DAGSTER_HOME must be an absolute path (Dagster refuses a relative one): $DAGSTER_HOME" ;; esac
if [ -x "$REPO_ROOT/.venv/bin/dagster-daemon" ]; then PATH="$REPO_ROOT/.venv/bin:$PATH"; fi
command -v dagster-daemon >/dev/null || die "dagster-daemon is not installed: run bash scripts/install.sh"

STATE="$DAGSTER_HOME/services"
DAEMON_PID="$STATE/daemon.pid"     DAEMON_LOG="$STATE/daemon.log"
WEB_PID="$STATE/webserver.pid"     WEB_LOG="$STATE/webserver.log"
DAEMON_MARK="dagster-daemon"       WEB_MARK="dagster-webserver"

storage_kind() {
    if grep -q '^ *mysql:' "$DAGSTER_HOME/dagster.yaml" 2>/dev/null; then echo mysql
    else echo "sqlite files under $DAGSTER_HOME"; fi
}

install_instance_config() {
    mkdir -p "$DAGSTER_HOME" "$STATE"
    [ -f "$DAGSTER_HOME/dagster.yaml" ] && return 0
    local template=deploy/dagster.yaml
    [ -n "${DAGSTER_MYSQL_URL:-}" ] && template=deploy/dagster-mysql.yaml
    cp "$REPO_ROOT/$template" "$DAGSTER_HOME/dagster.yaml"
    log "installed $template as $DAGSTER_HOME/dagster.yaml"
}

# The instance's storage must answer before anything starts: a wrong URL or a database that
# is down fails here with Dagster's message (never the URL: only the variable's name).
check_instance() {
    if grep -q 'env: DAGSTER_MYSQL_URL' "$DAGSTER_HOME/dagster.yaml" && [ -z "${DAGSTER_MYSQL_URL:-}" ]; then
        die "$DAGSTER_HOME/dagster.yaml keeps Dagster's storage in MySQL, but DAGSTER_MYSQL_URL is not set. Export it (mysql+mysqlconnector://user:password@host:3306/dagster)."
    fi
    local out
    if ! out=$(cd "$REPO_ROOT" && dagster instance migrate 2>&1); then
        printf '%s\n' "$out" | tail -n 5 >&2
        die "Dagster's instance storage ($(storage_kind)) did not answer. Check that the database server runs and that the user may create tables in that database."
    fi
}

start() { # start NAME PIDFILE LOG MARK COMMAND...: a service in its own session
    local name=$1 pidfile=$2 logfile=$3 mark=$4 pid
    shift 4
    if pid=$(pid_alive "$pidfile" "$mark"); then log "$name: already running (pid $pid)"; return 0; fi
    (cd "$REPO_ROOT" && exec setsid "$@" >>"$logfile" 2>&1 </dev/null) &
    echo $! >"$pidfile"
    log "$name: started pid $! (log $logfile)"
}

wait_ready() { # wait_ready NAME PIDFILE MARK LOG CHECK...
    local name=$1 pidfile=$2 mark=$3 logfile=$4 deadline=$((SECONDS + TIMEOUT))
    shift 4
    until "$@" >/dev/null 2>&1; do
        pid_alive "$pidfile" "$mark" >/dev/null || { tail -n 20 "$logfile" >&2; die "$name exited; its log is above ($logfile)"; }
        [ $SECONDS -lt $deadline ] || { tail -n 20 "$logfile" >&2; die "$name not ready after ${TIMEOUT}s ($logfile)"; }
        sleep 1
    done
    log "$name: ready"
}

webserver_answers() { curl -fsS "http://$HOST:$PORT/server_info"; }
daemon_alive() { (cd "$REPO_ROOT" && dagster-daemon liveness-check); }

up() {
    install_instance_config
    check_instance
    start daemon "$DAEMON_PID" "$DAEMON_LOG" "$DAEMON_MARK" dagster-daemon run -w workspace.yaml
    if ! pid_alive "$WEB_PID" "$WEB_MARK" >/dev/null && port_open "$PORT"; then
        die "port $HOST:$PORT is taken by another program: set SALES_DAGSTER_PORT"
    fi
    start webserver "$WEB_PID" "$WEB_LOG" "$WEB_MARK" dagster-webserver -w workspace.yaml -h "$HOST" -p "$PORT"
    wait_ready webserver "$WEB_PID" "$WEB_MARK" "$WEB_LOG" webserver_answers
    wait_ready daemon "$DAEMON_PID" "$DAEMON_MARK" "$DAEMON_LOG" daemon_alive
    status
}

# stop_service PIDFILE MARK LABEL: the service, then what it left in its session (the code
# location servers the daemon and the webserver start, and their run workers).
stop_service() {
    local session
    session=$(pid_alive "$1" "$2") || session=""
    stop_pid "$@"
    [ -n "$session" ] || return 0
    pkill -TERM -s "$session" 2>/dev/null || return 0
    for _ in $(seq 1 20); do
        pgrep -s "$session" >/dev/null || return 0
        sleep 0.5
    done
    log "$3: sending KILL to what is left of its session"
    pkill -KILL -s "$session" 2>/dev/null || true
}

down() {
    stop_service "$WEB_PID" "$WEB_MARK" webserver
    stop_service "$DAEMON_PID" "$DAEMON_MARK" daemon
}

status() {
    local rc=0 pid
    echo "instance: $DAGSTER_HOME ($(storage_kind))"
    if pid=$(pid_alive "$DAEMON_PID" "$DAEMON_MARK"); then echo "daemon: running, pid $pid, log $DAEMON_LOG"
    else echo "daemon: not running"; rc=3; fi
    if pid=$(pid_alive "$WEB_PID" "$WEB_MARK"); then echo "webserver: running, pid $pid, http://$HOST:$PORT, log $WEB_LOG"
    else echo "webserver: not running"; rc=3; fi
    return $rc
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    status) status ;;
    *) die "usage: $0 up|down|status" ;;
esac
