#!/usr/bin/env bash
# A Spark standalone cluster on loopback, from the pip `pyspark` package: one master and two
# workers (1 core, 1g each), each a background process with its own log and PID file under a
# state folder. For trying the pipeline on a real cluster and for the cluster test.
#
# usage: scripts/spark_cluster.sh up|down|status|env
#   up      start the master and the workers that are not running, then wait until every
#           worker is registered with the master (idempotent)
#   down    stop the workers, then the master, by their PIDs (TERM, then KILL after 30 s)
#   status  print what runs; exit 0 when the master and every worker run, 3 otherwise
#   env     print `export ...` lines for a driver on this machine (SPARK_MASTER,
#           SPARK_DRIVER_HOST, PYSPARK_PYTHON): eval "$(scripts/spark_cluster.sh env)"
#
# Settings (environment, with defaults):
#   SALES_SPARK_CLUSTER_DIR=<repo>/.services/spark   logs, PID files, work dirs
#   SALES_SPARK_MASTER_PORT=7077         the master's RPC port (spark://127.0.0.1:PORT)
#   SALES_SPARK_MASTER_UI_PORT=8080      the master's web UI (its /json/ is polled)
#   SALES_SPARK_WORKER_UI_PORT=8081      worker N's web UI is this port + N - 1 (0: any free port)
#   SALES_SPARK_WORKERS=2                SALES_SPARK_WORKER_CORES=1   SALES_SPARK_WORKER_MEMORY=1g
#   SALES_SPARK_CLUSTER_TIMEOUT=90       seconds to wait for the workers to register
#   SPARK_HOME                           default: the pip pyspark package of $PYTHON (python3)
#
# pip's pyspark has bin/spark-class but no sbin/start-master.sh, so the daemons are started
# with spark-class directly. The workers put this checkout first on PYTHONPATH, so the
# executors' Python workers import the same `sales_assets` as the driver (on a real cluster
# the package is installed on every node instead). Executors inherit the workers'
# environment: AWS_* credentials for s3a come from there, never from the driver.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
STATE_DIR=${SALES_SPARK_CLUSTER_DIR:-$REPO_ROOT/.services/spark}
HOST=127.0.0.1
MASTER_PORT=${SALES_SPARK_MASTER_PORT:-7077}
MASTER_UI_PORT=${SALES_SPARK_MASTER_UI_PORT:-8080}
WORKER_UI_PORT=${SALES_SPARK_WORKER_UI_PORT:-8081}
WORKERS=${SALES_SPARK_WORKERS:-2}
WORKER_CORES=${SALES_SPARK_WORKER_CORES:-1}
WORKER_MEMORY=${SALES_SPARK_WORKER_MEMORY:-1g}
TIMEOUT=${SALES_SPARK_CLUSTER_TIMEOUT:-90}
PYTHON=${PYTHON:-python3}
MASTER_URL="spark://$HOST:$MASTER_PORT"
UI_URL="http://$HOST:$MASTER_UI_PORT/json/"
MASTER_CLASS=org.apache.spark.deploy.master.Master
WORKER_CLASS=org.apache.spark.deploy.worker.Worker

STOP_HINT="stop what did start with: $0 down"

log() { printf '[spark_cluster] %s\n' "$*" >&2; }
die() { printf '[spark_cluster] ERROR: %s\n' "$*" >&2; exit 1; }

worker_dir() { printf '%s/worker-%s' "$STATE_DIR" "$1"; }
worker_ui_port() { if [ "$WORKER_UI_PORT" -eq 0 ]; then echo 0; else echo $((WORKER_UI_PORT + $1 - 1)); fi; }

spark_home() {
    if [ -n "${SPARK_HOME:-}" ]; then printf '%s' "$SPARK_HOME"; return 0; fi
    "$PYTHON" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))' 2>/dev/null \
        || die "no pyspark for $PYTHON: install the package (scripts/install.sh) or set SPARK_HOME"
}

# shellcheck source=lib/pidfiles.sh
source "$SCRIPT_DIR/lib/pidfiles.sh"  # pid_alive, port_open, stop_pid

# The master's /json/ field NAME (aliveworkers, completedapps, ...), or nothing if it does
# not answer.
master_field() {
    "$PYTHON" - "$UI_URL" "$1" <<'PY' 2>/dev/null
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=2) as response:
    value = json.load(response)[sys.argv[2]]
print(len(value) if isinstance(value, list) else value)
PY
}

# start NAME PIDFILE LOG CLASS ARGS...: a daemon in its own session; the PID file holds the
# JVM's pid (spark-class execs java). The mark -Dsales.spark.cluster=STATE_DIR on its
# command line is what pid_alive looks for.
start() {
    local name=$1 pidfile=$2 logfile=$3
    shift 3
    log "$name: starting (log: $logfile)"
    SPARK_DAEMON_JAVA_OPTS="-Dsales.spark.cluster=$STATE_DIR ${SPARK_DAEMON_JAVA_OPTS:-}" \
    setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" \
        "$SPARK_DIR/bin/spark-class" "$@" </dev/null >>"$logfile" 2>&1 &
}

require_free() { # PORT VARIABLE
    if port_open "$1"; then
        die "port $HOST:$1 is used by another process; set $2 to a free port"
    fi
}

cmd_up() {
    local t0=$SECONDS pid i dir logs
    SPARK_DIR=$(spark_home) || exit 1
    [ -x "$SPARK_DIR/bin/spark-class" ] || die "no bin/spark-class under $SPARK_DIR"
    mkdir -p "$STATE_DIR"
    export SPARK_LOCAL_IP=$HOST  # web UIs and RPC on loopback only
    # The master's REST submission server (port 6066) is not needed and would clash between
    # two clusters on one machine.
    export SPARK_MASTER_OPTS="-Dspark.master.rest.enabled=false ${SPARK_MASTER_OPTS:-}"
    if pid=$(pid_alive "$STATE_DIR/master.pid" "$STATE_DIR"); then
        log "master: already running (pid $pid, $MASTER_URL)"
    else
        require_free "$MASTER_PORT" SALES_SPARK_MASTER_PORT
        require_free "$MASTER_UI_PORT" SALES_SPARK_MASTER_UI_PORT
        start master "$STATE_DIR/master.pid" "$STATE_DIR/master.log" "$MASTER_CLASS" \
            --host "$HOST" --port "$MASTER_PORT" --webui-port "$MASTER_UI_PORT"
    fi
    logs="$STATE_DIR/master.log"
    for i in $(seq 1 "$WORKERS"); do
        dir=$(worker_dir "$i")
        logs="$logs $dir/worker.log"
        mkdir -p "$dir/work" "$dir/local"
        if pid=$(pid_alive "$dir/worker.pid" "$STATE_DIR"); then
            log "worker-$i: already running (pid $pid)"
            continue
        fi
        [ "$WORKER_UI_PORT" -eq 0 ] || require_free "$(worker_ui_port "$i")" SALES_SPARK_WORKER_UI_PORT
        # Executors inherit this environment: their scratch space and the checkout's package.
        SPARK_LOCAL_DIRS="$dir/local" PYTHONPATH="$REPO_ROOT${PYTHONPATH:+:$PYTHONPATH}" \
            start "worker-$i" "$dir/worker.pid" "$dir/worker.log" "$WORKER_CLASS" \
            --host "$HOST" --cores "$WORKER_CORES" --memory "$WORKER_MEMORY" \
            --webui-port "$(worker_ui_port "$i")" --work-dir "$dir/work" "$MASTER_URL"
    done
    local deadline=$((SECONDS + TIMEOUT)) alive=
    while :; do
        alive=$(master_field aliveworkers || true)
        [ "${alive:-0}" -ge "$WORKERS" ] && break
        sleep 1  # the PID files are written by the started shells: let them land first
        pid_alive "$STATE_DIR/master.pid" "$STATE_DIR" >/dev/null \
            || die "the master exited during start-up (log: $STATE_DIR/master.log); $STOP_HINT"
        for i in $(seq 1 "$WORKERS"); do
            dir=$(worker_dir "$i")
            pid_alive "$dir/worker.pid" "$STATE_DIR" >/dev/null \
                || die "worker-$i exited during start-up (log: $dir/worker.log); $STOP_HINT"
        done
        if [ "$SECONDS" -ge "$deadline" ]; then
            die "${alive:-0} of $WORKERS workers registered at $MASTER_URL after ${TIMEOUT}s (logs: $logs); $STOP_HINT"
        fi
    done
    log "up: $MASTER_URL with $alive workers ($WORKER_CORES core, $WORKER_MEMORY each), UI http://$HOST:$MASTER_UI_PORT; took $((SECONDS - t0))s"
}

cmd_down() {
    local dir
    # Every worker folder of the state dir, whatever SALES_SPARK_WORKERS says now.
    for dir in "$STATE_DIR"/worker-*; do
        [ -d "$dir" ] && stop_pid "$dir/worker.pid" "$STATE_DIR" "$(basename "$dir")"
    done
    stop_pid "$STATE_DIR/master.pid" "$STATE_DIR" master
    log "down: stopped (logs kept in $STATE_DIR)"
}

cmd_status() {
    local ok=0 pid i dir alive
    if pid=$(pid_alive "$STATE_DIR/master.pid" "$STATE_DIR"); then
        alive=$(master_field aliveworkers || echo '?')
        echo "master: running (pid $pid) at $MASTER_URL, UI http://$HOST:$MASTER_UI_PORT, $alive workers alive"
    else
        echo "master: stopped"; ok=3
    fi
    for i in $(seq 1 "$WORKERS"); do
        dir=$(worker_dir "$i")
        if pid=$(pid_alive "$dir/worker.pid" "$STATE_DIR"); then
            echo "worker-$i: running (pid $pid), work dir $dir/work"
        else
            echo "worker-$i: stopped"; ok=3
        fi
    done
    return "$ok"
}

cmd_env() {
    # PYSPARK_PYTHON: the executors start the driver's own interpreter (same machine).
    printf 'export %s=%q\n' SPARK_MASTER "$MASTER_URL" SPARK_DRIVER_HOST "$HOST" \
        PYSPARK_PYTHON "$("$PYTHON" -c 'import sys; print(sys.executable)')"
}

case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    env) cmd_env ;;
    *) echo "usage: $0 up|down|status|env" >&2; exit 2 ;;
esac
