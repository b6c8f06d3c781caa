#!/usr/bin/env bash
# Runs Strongroom's benchmarks. Builds bench/target/benchmarks.jar first if it is missing.
#
#   bench/run.sh jmh [--only REGEX] [--warmup N] [--iterations N] [--time 1s] [--forks N]
#                    [--json FILE] [-- EXTRA JMH ARGS...]
#       JMH benchmarks (all of them unless --only); --warmup/--iterations are iteration counts,
#       --time the length of each warm-up and measured iteration, --json writes JMH's JSON result.
#       Pkcs11CustodianBenchmark runs on a SoftHSM2 token made as for 'hsm' below.
#   bench/run.sh envelope-calls [MESSAGES]
#       calls to the data-key source (the server) per 10,000 32-byte envelope messages.
#   bench/run.sh hsm [--threads N] [--clients N] [--batch N] [--in-flight N] [--http1] [--seconds S]
#                    [--warmup S] [--protection P] [--batches-only] [--rounds N] [--client h2load|sdk]
#       data keys through the server on an HSM key vs a bare SunPKCS11 loop on the same token and
#       threads. --rounds N measures the server N times, the bare loop between rounds, and prints
#       the median; --batches-only leaves out single requests and the SunPKCS11 Cipher loop. The
#       server's client is h2load (Debian: nghttp2-client) unless --client sdk. Creates a
#       SoftHSM2 token in a temporary directory unless STRONGROOM_PKCS11_LIBRARY,
#       STRONGROOM_PKCS11_TOKEN_LABEL and STRONGROOM_PKCS11_PIN name another token.
#   bench/run.sh load --op OP [--connections N] [--duration S] [--warmup S] [--rate R] [--batch N]
#                     [--http1] [--protection P] [--target URL --token T --cacert FILE] [--json]
#       HTTP load generator; OP is generate-data-key, decrypt, encrypt, re-encrypt or batch.
#       Without --target it starts the server jar on its embedded default in a temporary directory.
#   bench/run.sh build     rebuild the jar.
#   bench/run.sh list      list the JMH benchmarks.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. bin/java-env

jar=bench/target/benchmarks.jar

usage() { sed -n '2,/^set /p' "${BASH_SOURCE[0]}" | grep '^#' | sed 's/^# \{0,1\}//' >&2; exit 2; }

build() {
  local mvn=(mvn -B -q -pl bench -am package -DskipTests)
  if command -v flock >/dev/null 2>&1; then
    flock /tmp/mvn.lock "${mvn[@]}"
  else
    "${mvn[@]}"
  fi
}

# The server jar, for commands that start a server (built if missing).
need_server_jar() {
  # STRONGROOM_SERVER_JAR may name another jar (e.g. one built from an older commit, for an A/B)
  export STRONGROOM_SERVER_JAR="${STRONGROOM_SERVER_JAR:-$root/kms-server/target/strongroom-server.jar}"
  # the servers it starts run with bin/server's JVM options unless told otherwise
  export STRONGROOM_BENCH_SERVER_JVM_OPTIONS="${STRONGROOM_BENCH_SERVER_JVM_OPTIONS:-$(strongroom_server_jvm_options)}"
  if [ ! -f "$STRONGROOM_SERVER_JAR" ]; then
    echo "building $STRONGROOM_SERVER_JAR ..." >&2
    flock /tmp/mvn.lock mvn -B -q -pl kms-server -am package -DskipTests -Dspotless.check.skip=true
  fi
}

# A SoftHSM2 token in a temporary directory, unless STRONGROOM_PKCS11_* name a token already.
need_token() {
  if [ -z "${STRONGROOM_PKCS11_LIBRARY:-}" ]; then
    hsm_dir=$(mktemp -d)
    trap 'rm -rf "$hsm_dir"' EXIT
    mkdir "$hsm_dir/tokens"
    printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
      "$hsm_dir/tokens" >"$hsm_dir/softhsm2.conf"
    export SOFTHSM2_CONF="$hsm_dir/softhsm2.conf"
    softhsm2-util --init-token --free --label strongroom-bench --so-pin 12345678 --pin 1234 >/dev/null
    export STRONGROOM_PKCS11_LIBRARY=/usr/lib/softhsm/libsofthsm2.so
    export STRONGROOM_PKCS11_TOKEN_LABEL=strongroom-bench
    export STRONGROOM_PKCS11_PIN=1234
  fi
}
# the JDK's PKCS#11 wrapper, which Pkcs11Token uses (token by label, AES-GCM by the raw calls)
pkcs11_opens=(--add-opens jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED)

[ $# -ge 1 ] || usage
cmd=$1
shift

if [ "$cmd" = build ] || [ ! -f "$jar" ]; then
  echo "building $jar ..." >&2
  build
  [ "$cmd" = build ] && exit 0
fi

case "$cmd" in
  jmh)
    args=()
    only=()
    while [ $# -gt 0 ]; do
      case "$1" in
        --only) only=("$2"); shift 2 ;;
        --warmup) args+=(-wi "$2"); shift 2 ;;
        --iterations) args+=(-i "$2"); shift 2 ;;
        --time) args+=(-w "$2" -r "$2"); shift 2 ;;
        --forks) args+=(-f "$2"); shift 2 ;;
        --json) args+=(-rf json -rff "$2"); shift 2 ;;
        --) shift; args+=("$@"); break ;;
        -h|--help) usage ;;
        *) echo "unknown option: $1" >&2; usage ;;
      esac
    done
    # Pkcs11CustodianBenchmark needs a token; forks inherit these JVM options and the environment
    if command -v softhsm2-util >/dev/null 2>&1 || [ -n "${STRONGROOM_PKCS11_LIBRARY:-}" ]; then
      need_token
    fi
    "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED "${pkcs11_opens[@]}" -jar "$jar" \
      "${args[@]}" "${only[@]}"
    ;;
  envelope-calls)
    exec "$JAVA_HOME/bin/java" -cp "$jar" io.strongroom.bench.EnvelopeCalls "$@"
    ;;
  load)
    need_server_jar
    exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
      -cp "$jar" io.strongroom.bench.LoadGenerator "$@"
    ;;
  hsm)
    need_server_jar
    need_token
    "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED "${pkcs11_opens[@]}" \
      -cp "$jar" io.strongroom.bench.HsmThroughput "$@"
    ;;
  list)
    exec "$JAVA_HOME/bin/java" -jar "$jar" -l
    ;;
  *)
    usage
    ;;
esac
