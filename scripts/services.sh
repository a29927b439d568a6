#!/usr/bin/env bash
# Local test services for sales_assets: a MariaDB server and an S3-compatible
# object store, both bound to 127.0.0.1 only, with all their state under
# <repo>/.services/ (git-ignored).
#
# usage: scripts/services.sh up|down|status|env [mariadb|s3]
#   up      install what is missing, start both servers (or only the one named), create
#           the `sales` database/user and the `sales-test` bucket (idempotent)
#   down    stop both servers, or only the one named (data is kept under .services/)
#   status  print what runs; exit 0 when both run, 3 otherwise
#   env     print `export ...` lines for the tests: eval "$(scripts/services.sh env)"
#
# Settings (environment, with defaults):
#   SALES_TEST_MYSQL_PORT=3307      SALES_TEST_MYSQL_DB=sales
#   SALES_TEST_MYSQL_USER=sales     SALES_TEST_MYSQL_PASSWORD=sales_pw
#   SALES_TEST_S3_PORT=9100         SALES_TEST_S3_BUCKET=sales-test
#   SALES_TEST_S3_ACCESS_KEY=sales-access
#   SALES_TEST_S3_SECRET_KEY=sales-secret-key-123
#   SALES_TEST_S3_REGION=us-east-1
#   SALES_SERVICES_TIMEOUT=90       seconds to wait for each server to be ready
#   SALES_SERVICES_DIR=<repo>/.services   state of the servers: another folder (and other
#                                   ports) runs a private instance, as the fault tests do
#   VERSITYGW_VERSION=v1.8.0        S3 server version built with `go install`
#
# Why the S3 server is Versity S3 Gateway (versitygw) and not MinIO:
#   * MinIO's server is AGPL-3.0; this workplace's package notes mark AGPL Go
#     modules as "not-to-use", so we do not build or run it. It is also huge to
#     build and, since its RELEASE.* tags are not semver, the Go module proxy
#     only offers pseudo-versions of it.
#   * versitygw (github.com/versity/versitygw, Apache-2.0) is a real S3 server
#     that serves a plain POSIX folder, has tagged releases on the Go module
#     proxy, builds with `go install` in ~2.5 min on 2 cores (seconds when the Go
#     build cache is warm), and handles what Spark's S3A needs (path-style
#     access, SigV4, multipart, ranged GETs, ETags, copy/delete for renames).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
SVC_DIR=${SALES_SERVICES_DIR:-$REPO_ROOT/.services}

MYSQL_PORT=${SALES_TEST_MYSQL_PORT:-3307}
MYSQL_DB=${SALES_TEST_MYSQL_DB:-sales}
MYSQL_USER=${SALES_TEST_MYSQL_USER:-sales}
MYSQL_PASSWORD=${SALES_TEST_MYSQL_PASSWORD:-sales_pw}
S3_PORT=${SALES_TEST_S3_PORT:-9100}
S3_BUCKET=${SALES_TEST_S3_BUCKET:-sales-test}
S3_ACCESS_KEY=${SALES_TEST_S3_ACCESS_KEY:-sales-access}
S3_SECRET_KEY=${SALES_TEST_S3_SECRET_KEY:-sales-secret-key-123}
S3_REGION=${SALES_TEST_S3_REGION:-us-east-1}
TIMEOUT=${SALES_SERVICES_TIMEOUT:-90}
VERSITYGW_VERSION=${VERSITYGW_VERSION:-v1.8.0}
HOST=127.0.0.1

MDB_DIR="$SVC_DIR/mariadb"
MDB_DATA="$MDB_DIR/data"
MDB_SOCK="$MDB_DIR/mariadb.sock"
# unix socket paths are limited to ~107 bytes; use /tmp for deep checkouts
if [ "${#MDB_SOCK}" -gt 100 ]; then
    MDB_SOCK="/tmp/sales-mariadb-$(printf '%s' "$MDB_DIR" | cksum | cut -d' ' -f1).sock"
fi
MDB_PID="$MDB_DIR/mariadbd.pid"
MDB_LOG="$MDB_DIR/mariadbd.log"
MDB_TMP="$MDB_DIR/tmp"

S3_DIR="$SVC_DIR/s3"
S3_DATA="$S3_DIR/data"
S3_PID="$S3_DIR/versitygw.pid"
S3_LOG="$S3_DIR/versitygw.log"
BIN_DIR="$REPO_ROOT/.services/bin"  # one build of the S3 server, whatever SVC_DIR is
VGW_BIN="$BIN_DIR/versitygw"
VGW_STAMP="$BIN_DIR/versitygw.version"

log() { printf '[services] %s\n' "$*" >&2; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }

# Run as root, or through sudo when not root (apt-get only).
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
    else die "need root (or sudo) to run: $*"; fi
}

# shellcheck source=lib/pidfiles.sh
source "$SCRIPT_DIR/lib/pidfiles.sh"  # pid_alive, port_open, stop_pid

# ---------------------------------------------------------------- MariaDB ---
mdb_bin() { # first existing binary of the given names
    local n
    for n in "$@"; do
        if command -v "$n" >/dev/null 2>&1; then command -v "$n"; return 0; fi
        if [ -x "/usr/sbin/$n" ]; then echo "/usr/sbin/$n"; return 0; fi
    done
    return 1
}

mariadb_install() {
    local t0=$SECONDS
    if mdb_bin mariadbd mysqld >/dev/null && mdb_bin mariadb-install-db mysql_install_db >/dev/null \
        && mdb_bin mariadb mysql >/dev/null; then
        log "mariadb: already installed (install took 0s)"
        return 0
    fi
    log "mariadb: installing mariadb-server mariadb-client from Debian packages"
    # Keep the packaged system service from being started: we run our own.
    local policy=/usr/sbin/policy-rc.d ours=0
    if [ ! -e "$policy" ] && [ "$(id -u)" -eq 0 ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && ours=1
    fi
    local rc=0
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        mariadb-server mariadb-client </dev/null >"$SVC_DIR/apt-mariadb.log" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
        log "mariadb: apt-get install failed (rc=$rc); running apt-get update and retrying"
        rc=0
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null >>"$SVC_DIR/apt-mariadb.log" 2>&1 || true
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
            -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
            mariadb-server mariadb-client </dev/null >>"$SVC_DIR/apt-mariadb.log" 2>&1 || rc=$?
    fi
    [ "$ours" -eq 1 ] && rm -f "$policy"
    if [ "$rc" -ne 0 ]; then
        tail -n 20 "$SVC_DIR/apt-mariadb.log" >&2 || true
        die "mariadb: apt-get install failed (see $SVC_DIR/apt-mariadb.log)"
    fi
    mdb_bin mariadbd mysqld >/dev/null || die "mariadb: server binary not found after install"
    log "mariadb: install took $((SECONDS - t0))s"
}

mdb_client() { # run SQL as the server's root over the unix socket
    "$(mdb_bin mariadb mysql)" --no-defaults --protocol=socket --socket="$MDB_SOCK" -uroot "$@"
}

mariadb_start() {
    local t0=$SECONDS pid me bgpid=
    me=$(id -un)
    mkdir -p "$MDB_DIR" "$MDB_TMP"
    if pid=$(pid_alive "$MDB_PID" mariadbd) || pid=$(pid_alive "$MDB_PID" mysqld); then
        log "mariadb: already running (pid $pid, port $MYSQL_PORT)"
    else
        rm -f "$MDB_PID"
        if port_open "$MYSQL_PORT"; then
            die "mariadb: port $HOST:$MYSQL_PORT is already used by another process; set SALES_TEST_MYSQL_PORT"
        fi
        if [ ! -d "$MDB_DATA/mysql" ]; then
            log "mariadb: initialising data dir $MDB_DATA"
            rm -rf "$MDB_DATA"
            mkdir -p "$MDB_DATA"
            "$(mdb_bin mariadb-install-db mysql_install_db)" --no-defaults \
                --datadir="$MDB_DATA" --user="$me" --basedir=/usr \
                --auth-root-authentication-method=socket --skip-test-db \
                >"$MDB_DIR/install-db.log" 2>&1 \
                || { tail -n 30 "$MDB_DIR/install-db.log" >&2; die "mariadb: mariadb-install-db failed"; }
        fi
        rm -f "$MDB_SOCK"
        log "mariadb: starting on $HOST:$MYSQL_PORT"
        # setsid: own session, so the server outlives the calling shell/job.
        setsid "$(mdb_bin mariadbd mysqld)" --no-defaults \
            --user="$me" --basedir=/usr \
            --datadir="$MDB_DATA" --socket="$MDB_SOCK" --pid-file="$MDB_PID" \
            --tmpdir="$MDB_TMP" --log-error="$MDB_LOG" \
            --bind-address="$HOST" --port="$MYSQL_PORT" --skip-name-resolve \
            --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
            --innodb-buffer-pool-size=256M --innodb-flush-log-at-trx-commit=2 \
            --max-connections=200 --skip-log-bin \
            </dev/null >>"$MDB_DIR/mariadbd.stdout" 2>&1 &
        bgpid=$!
    fi
    # Wait until it accepts connections on the socket.
    local deadline=$((SECONDS + TIMEOUT))
    until mdb_client -e 'SELECT 1' >/dev/null 2>&1; do
        if [ -n "$bgpid" ] && ! kill -0 "$bgpid" 2>/dev/null; then
            tail -n 30 "$MDB_LOG" >&2 2>/dev/null || true
            die "mariadb: server exited during start-up (log: $MDB_LOG)"
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            tail -n 30 "$MDB_LOG" >&2 2>/dev/null || true
            die "mariadb: not accepting connections after ${TIMEOUT}s (log: $MDB_LOG)"
        fi
        sleep 0.5
    done
    # Provision (idempotent; re-applies the password so env changes take effect).
    local pw=${MYSQL_PASSWORD//\\/\\\\}; pw=${pw//\'/\\\'}
    mdb_client <<SQL || die "mariadb: provisioning database/user failed"
DELETE FROM mysql.global_priv WHERE User='';
CREATE DATABASE IF NOT EXISTS \`$MYSQL_DB\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
CREATE USER IF NOT EXISTS '$MYSQL_USER'@'%' IDENTIFIED BY '$pw';
CREATE USER IF NOT EXISTS '$MYSQL_USER'@'localhost' IDENTIFIED BY '$pw';
ALTER USER '$MYSQL_USER'@'%' IDENTIFIED BY '$pw';
ALTER USER '$MYSQL_USER'@'localhost' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON \`$MYSQL_DB\`.* TO '$MYSQL_USER'@'%';
GRANT ALL PRIVILEGES ON \`$MYSQL_DB\`.* TO '$MYSQL_USER'@'localhost';
GRANT ALL PRIVILEGES ON \`sales\\_test%\`.* TO '$MYSQL_USER'@'%';
GRANT ALL PRIVILEGES ON \`sales\\_test%\`.* TO '$MYSQL_USER'@'localhost';
FLUSH PRIVILEGES;
SQL
    # And check the app credentials over TCP, as the tests will connect.
    until "$(mdb_bin mariadb mysql)" --no-defaults --protocol=tcp -h"$HOST" -P"$MYSQL_PORT" \
            -u"$MYSQL_USER" -p"$MYSQL_PASSWORD" "$MYSQL_DB" -e 'SELECT 1' >/dev/null 2>&1; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            die "mariadb: user $MYSQL_USER cannot connect over TCP $HOST:$MYSQL_PORT"
        fi
        sleep 0.5
    done
    pid=$(pid_alive "$MDB_PID" mariadbd || pid_alive "$MDB_PID" mysqld || echo '?')
    log "mariadb: ready on $HOST:$MYSQL_PORT (pid $pid), db '$MYSQL_DB', user '$MYSQL_USER'; start took $((SECONDS - t0))s"
}

# --------------------------------------------------------------------- S3 ---
versitygw_install() {
    local t0=$SECONDS
    if [ -x "$VGW_BIN" ] && [ "$(cat "$VGW_STAMP" 2>/dev/null)" = "$VERSITYGW_VERSION" ]; then
        log "s3: versitygw $VERSITYGW_VERSION already installed (install took 0s)"
        return 0
    fi
    command -v go >/dev/null 2>&1 || die "s3: the 'go' command is needed to build versitygw"
    mkdir -p "$BIN_DIR"
    log "s3: building versitygw $VERSITYGW_VERSION with go install (several minutes on a cold Go cache)"
    # GOTOOLCHAIN=local: build with the machine's Go, never fetch another one.
    if ! GOBIN="$BIN_DIR" GOTOOLCHAIN=local GOFLAGS=-buildvcs=false \
            go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION" \
            </dev/null >"$BIN_DIR/go-install.log" 2>&1; then
        tail -n 30 "$BIN_DIR/go-install.log" >&2 || true
        die "s3: go install of versitygw failed (see $BIN_DIR/go-install.log)"
    fi
    echo "$VERSITYGW_VERSION" >"$VGW_STAMP"
    log "s3: install took $((SECONDS - t0))s"
}

s3_check() { # wait for the S3 API, then create the bucket if missing
    AWS_ACCESS_KEY_ID="$S3_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$S3_SECRET_KEY" \
    S3_ENDPOINT="http://$HOST:$S3_PORT" S3_REGION="$S3_REGION" S3_BUCKET="$S3_BUCKET" \
    S3_TIMEOUT="$1" S3_CREATE="$2" python3 - <<'PY'
import os, sys, time
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError, ConnectionClosedError

s3 = boto3.client(
    "s3",
    endpoint_url=os.environ["S3_ENDPOINT"],
    region_name=os.environ["S3_REGION"],
    aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
    aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
    config=Config(s3={"addressing_style": "path"}, connect_timeout=2,
                  read_timeout=5, retries={"max_attempts": 1}),
)
deadline = time.time() + float(os.environ["S3_TIMEOUT"])
last = None
while True:
    try:
        s3.list_buckets()
        break
    except Exception as e:  # connection refused while starting, etc.
        last = e
        if time.time() > deadline:
            print(f"S3 API not ready: {e!r}", file=sys.stderr)
            sys.exit(2)
        time.sleep(0.5)
if os.environ["S3_CREATE"] == "1":
    bucket = os.environ["S3_BUCKET"]
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError:
        try:
            s3.create_bucket(Bucket=bucket)
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") not in (
                    "BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise
        s3.head_bucket(Bucket=bucket)
PY
}

s3_start() {
    local t0=$SECONDS pid bgpid='' extra=()
    mkdir -p "$S3_DATA"
    if pid=$(pid_alive "$S3_PID" versitygw); then
        log "s3: already running (pid $pid, port $S3_PORT)"
    else
        rm -f "$S3_PID"
        if port_open "$S3_PORT"; then
            die "s3: port $HOST:$S3_PORT is already used by another process; set SALES_TEST_S3_PORT"
        fi
        # The posix backend keeps object metadata (content-type, etag, ...) in
        # extended attributes; fall back to --nometa where the disk has none.
        if ! python3 -c 'import os,sys; os.setxattr(sys.argv[1], "user.sales_probe", b"1"); os.removexattr(sys.argv[1], "user.sales_probe")' "$S3_DATA" 2>/dev/null; then
            log "s3: $S3_DATA has no user xattr support, starting versitygw with --nometa"
            extra+=(--nometa)
        fi
        log "s3: starting versitygw on $HOST:$S3_PORT"
        # bash -c writes its own pid then execs, so the pid file holds versitygw's pid.
        ROOT_ACCESS_KEY_ID="$S3_ACCESS_KEY" ROOT_SECRET_ACCESS_KEY="$S3_SECRET_KEY" \
        setsid bash -c 'echo $$ >"$0"; exec "$@"' "$S3_PID" \
            "$VGW_BIN" --port "$HOST:$S3_PORT" --region "$S3_REGION" --quiet \
            posix "${extra[@]}" "$S3_DATA" \
            </dev/null >>"$S3_LOG" 2>&1 &
        bgpid=$!
    fi
    local deadline=$((SECONDS + TIMEOUT))
    until s3_check 2 0 2>/dev/null; do
        if [ -n "$bgpid" ] && ! kill -0 "$bgpid" 2>/dev/null; then
            tail -n 30 "$S3_LOG" >&2 2>/dev/null || true
            die "s3: versitygw exited during start-up (log: $S3_LOG)"
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            tail -n 30 "$S3_LOG" >&2 2>/dev/null || true
            die "s3: versitygw not ready after ${TIMEOUT}s (log: $S3_LOG)"
        fi
        sleep 0.5
    done
    s3_check 10 1 || die "s3: could not create bucket '$S3_BUCKET'"
    pid=$(pid_alive "$S3_PID" versitygw || echo '?')
    log "s3: ready on http://$HOST:$S3_PORT (pid $pid), bucket '$S3_BUCKET'; start took $((SECONDS - t0))s"
}

# --------------------------------------------------------------- commands ---
cmd_up() {
    mkdir -p "$SVC_DIR"
    if [ "${1:-mariadb}" = mariadb ]; then mariadb_install; mariadb_start; fi
    if [ "${1:-s3}" = s3 ]; then versitygw_install; s3_start; fi
    log "up: ${1:-both services} ready. Use: eval \"\$(scripts/services.sh env)\""
}

cmd_down() {
    if [ "${1:-s3}" = s3 ]; then stop_pid "$S3_PID" versitygw "s3"; fi
    if [ "${1:-mariadb}" = mariadb ]; then
        if pid_alive "$MDB_PID" mysqld >/dev/null && ! pid_alive "$MDB_PID" mariadbd >/dev/null; then
            stop_pid "$MDB_PID" mysqld "mariadb"
        else
            stop_pid "$MDB_PID" mariadbd "mariadb"
        fi
        rm -f "$MDB_SOCK"
    fi
}

cmd_status() {
    local ok=0 pid
    if pid=$(pid_alive "$MDB_PID" mariadbd) || pid=$(pid_alive "$MDB_PID" mysqld); then
        if mdb_client -e 'SELECT 1' >/dev/null 2>&1; then
            echo "mariadb: running (pid $pid) on $HOST:$MYSQL_PORT, data $MDB_DATA"
        else
            echo "mariadb: process $pid runs but does not answer (log: $MDB_LOG)"; ok=3
        fi
    else
        echo "mariadb: stopped"; ok=3
    fi
    if pid=$(pid_alive "$S3_PID" versitygw); then
        if s3_check 3 0 2>/dev/null; then
            echo "s3: versitygw $(cat "$VGW_STAMP" 2>/dev/null) running (pid $pid) on http://$HOST:$S3_PORT, data $S3_DATA"
        else
            echo "s3: process $pid runs but does not answer (log: $S3_LOG)"; ok=3
        fi
    else
        echo "s3: stopped"; ok=3
    fi
    return "$ok"
}

cmd_env() {
    # AWS_EC2_METADATA_DISABLED: the SDKs must never probe the instance-metadata
    # address (non-loopback). SPARK_LOCAL_IP: keep Spark's driver on loopback
    # (it otherwise binds the host's first non-loopback interface).
    local url
    url=$(python3 -c 'import sys, urllib.parse as u; q=lambda s: u.quote(s, safe=""); print(f"mysql+pymysql://{q(sys.argv[1])}:{q(sys.argv[2])}@{sys.argv[3]}:{sys.argv[4]}/{sys.argv[5]}")' \
        "$MYSQL_USER" "$MYSQL_PASSWORD" "$HOST" "$MYSQL_PORT" "$MYSQL_DB")
    printf 'export %s=%q\n' \
        SALES_TEST_MYSQL_URL "$url" \
        AWS_ENDPOINT_URL "http://$HOST:$S3_PORT" \
        AWS_ACCESS_KEY_ID "$S3_ACCESS_KEY" \
        AWS_SECRET_ACCESS_KEY "$S3_SECRET_KEY" \
        AWS_REGION "$S3_REGION" \
        AWS_DEFAULT_REGION "$S3_REGION" \
        SALES_TEST_S3_BUCKET "$S3_BUCKET" \
        AWS_EC2_METADATA_DISABLED true \
        SPARK_LOCAL_IP "$HOST"
}

case "${1:-}" in
    up) cmd_up "${2:-}" ;;
    down) cmd_down "${2:-}" ;;
    status) cmd_status ;;
    env) cmd_env ;;
    *) echo "usage: $0 up|down|status|env" >&2; exit 2 ;;
esac
