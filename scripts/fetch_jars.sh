#!/usr/bin/env bash
# Fetch the jars that pyspark does not ship into $SALES_SPARK_JARS_DIR (default
# ~/.cache/sales_assets/jars: the package looks there wherever it is installed):
# - the JDBC drivers every run needs (Spark reads the dimensions and writes the result tables
#   through them): MariaDB Connector/J and sqlite-jdbc;
# - the S3A connector, used when the lake or landing zone is on S3: hadoop-aws 3.5.0 and the
#   AWS SDK v2 bundle version that hadoop-aws 3.5.0 declares (plus its two small runtime
#   deps). pyspark 4.3.0 already bundles hadoop-client-api/runtime 3.5.0.
#
# usage: scripts/fetch_jars.sh [--verify]
#   --verify   afterwards write+read a small parquet on s3a://$SALES_TEST_S3_BUCKET/smoke/
#              through the local S3 server (needs `scripts/services.sh up`).
#
# Idempotent: does nothing when the jars are already there.
# Prints the comma-separated jar list for spark.jars on its last stdout line.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
JARS_DIR="${SALES_SPARK_JARS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sales_assets/jars}"
POM="$SCRIPT_DIR/jars/pom.xml"
HADOOP_VERSION=3.5.0

log() { printf '[fetch_jars] %s\n' "$*" >&2; }
die() { printf '[fetch_jars] ERROR: %s\n' "$*" >&2; exit 1; }

have_jars() {
    [ -s "$JARS_DIR/hadoop-aws-$HADOOP_VERSION.jar" ] && compgen -G "$JARS_DIR/bundle-2.*.jar" >/dev/null \
        && compgen -G "$JARS_DIR/spark-hadoop-cloud_2.13-*.jar" >/dev/null \
        && compgen -G "$JARS_DIR/mariadb-java-client-*.jar" >/dev/null \
        && compgen -G "$JARS_DIR/sqlite-jdbc-*.jar" >/dev/null
}

if have_jars; then
    log "jars already present in $JARS_DIR"
else
    if ! command -v mvn >/dev/null 2>&1; then
        log "installing Maven from Debian packages (it fetches the jars from Maven Central)"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven >/dev/null; } \
            || die "mvn (Maven) is needed: install it (apt-get install maven) and run this again"
    fi
    t0=$SECONDS
    mkdir -p "$JARS_DIR"
    log "fetching the JDBC drivers, hadoop-aws $HADOOP_VERSION + AWS SDK v2 bundle from Maven Central"
    if ! mvn -B -q -ntp -f "$POM" \
            org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
            -DoutputDirectory="$JARS_DIR" -DincludeScope=runtime \
            -Dmdep.overWriteIfNewer=true </dev/null >"$JARS_DIR/.mvn.log" 2>&1; then
        tail -n 40 "$JARS_DIR/.mvn.log" >&2 || true
        die "mvn dependency:copy-dependencies failed (log: $JARS_DIR/.mvn.log)"
    fi
    have_jars || die "expected jars missing from $JARS_DIR after mvn"
    log "fetched in $((SECONDS - t0))s"
fi

ls -1 "$JARS_DIR"/*.jar | sed 's/^/[fetch_jars]   /' >&2

if [ "${1:-}" = "--verify" ]; then
    # Values default to what `scripts/services.sh env` exports.
    export AWS_ENDPOINT_URL=${AWS_ENDPOINT_URL:-http://127.0.0.1:${SALES_TEST_S3_PORT:-9100}}
    export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-${SALES_TEST_S3_ACCESS_KEY:-sales-access}}
    export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-${SALES_TEST_S3_SECRET_KEY:-sales-secret-key-123}}
    export AWS_REGION=${AWS_REGION:-us-east-1}
    export SALES_TEST_S3_BUCKET=${SALES_TEST_S3_BUCKET:-sales-test}
    # keep Spark's driver on loopback (it otherwise binds the host's eth0 address)
    export SPARK_LOCAL_IP=${SPARK_LOCAL_IP:-127.0.0.1}
    # never let the AWS SDK probe the EC2 metadata service (a non-loopback address)
    export AWS_EC2_METADATA_DISABLED=true
    t0=$SECONDS
    JARS_DIR="$JARS_DIR" python3 - <<'PY' || die "s3a smoke test failed"
import glob, os, sys
from pyspark.sql import SparkSession

jars = ",".join(sorted(glob.glob(os.path.join(os.environ["JARS_DIR"], "*.jar"))))
bucket = os.environ["SALES_TEST_S3_BUCKET"]
spark = (
    SparkSession.builder.master("local[1]").appName("s3a-smoke")
    .config("spark.ui.enabled", "false")
    .config("spark.driver.host", "127.0.0.1")
    .config("spark.driver.bindAddress", "127.0.0.1")
    .config("spark.jars", jars)
    # S3A settings for the local S3 server. Needed: endpoint (with the http://
    # scheme, or else fs.s3a.connection.ssl.enabled=false) and endpoint.region
    # (the server checks the SigV4 region; S3A ignores AWS_REGION and signs
    # with another region -> 400 Bad Request). path.style.access is needed for
    # any hostname endpoint (localhost, a service name). The credentials
    # provider is pinned to the environment variables so that S3A's default
    # chain never falls through to the EC2 instance-metadata provider.
    .config("spark.hadoop.fs.s3a.endpoint", os.environ["AWS_ENDPOINT_URL"])
    .config("spark.hadoop.fs.s3a.endpoint.region", os.environ["AWS_REGION"])
    .config("spark.hadoop.fs.s3a.path.style.access", "true")
    .config("spark.hadoop.fs.s3a.connection.ssl.enabled", "false")
    .config("spark.hadoop.fs.s3a.aws.credentials.provider",
            "software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider")
    .getOrCreate()
)
spark.sparkContext.setLogLevel("ERROR")
path = f"s3a://{bucket}/smoke/"
df = spark.createDataFrame([(i, f"row{i}") for i in range(5)], "id INT, name STRING")
df.write.mode("overwrite").parquet(path)
back = spark.read.parquet(path)
got = sorted(r.id for r in back.collect())
assert got == list(range(5)), got
print(f"[fetch_jars] s3a smoke ok: wrote and read {len(got)} rows at {path}", file=sys.stderr)
spark.stop()
PY
    log "smoke test took $((SECONDS - t0))s"
fi

ls -1 "$JARS_DIR"/*.jar | paste -sd, -
