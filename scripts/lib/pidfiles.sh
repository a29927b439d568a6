# Background processes tracked by PID files, shared by services.sh and spark_cluster.sh.
# Sourced, not run. The caller defines log() and HOST.

# pid_alive PIDFILE MARK -> prints the pid when the process in PIDFILE runs and its command
# line contains MARK (a fixed string), so a reused pid is never taken for ours.
pid_alive() {
    local f=$1 mark=$2 pid
    [ -s "$f" ] || return 1
    pid=$(tr -dc '0-9' <"$f")
    [ -n "$pid" ] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$mark" || return 1
    printf '%s' "$pid"
}

# port_open PORT: something listens on HOST:PORT.
port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# stop_pid PIDFILE MARK LABEL: TERM, up to 30 s to exit, then KILL; the PID file is removed.
stop_pid() {
    local f=$1 mark=$2 label=$3 pid
    if ! pid=$(pid_alive "$f" "$mark"); then
        log "$label: not running"
        rm -f "$f"
        return 0
    fi
    log "$label: stopping pid $pid"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "$label: still alive after 30s, sending KILL"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.5
    fi
    rm -f "$f"
    log "$label: stopped"
}
