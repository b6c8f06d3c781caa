#!/usr/bin/env bash
# Runs Strongroom's benchmarks. Builds bench/target/benchmarks.jar first if it is missing.
#
#   bench/run.sh jmh [--only REGEX] [--warmup N] [--iterations N] [--time 1s] [--forks N]
#                    [--json FILE] [-- EXTRA JMH ARGS...]
#       JMH benchmarks (all of them unless --only); --warmup/--iterations are iteration counts,
#       --time the length of each warm-up and measured iteration, --json writes JMH's JSON result.
#   bench/run.sh envelope-calls [MESSAGES]
#       calls to the data-key source (the server) per 10,000 32-byte envelope messages.
#   bench/run.sh build     rebuild the jar.
#   bench/run.sh list      list the JMH benchmarks.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. bin/java-env

jar=bench/target/benchmarks.jar

usage() { sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

build() {
  local mvn=(mvn -B -q -pl bench -am package -DskipTests)
  if command -v flock >/dev/null 2>&1; then
    flock /tmp/mvn.lock "${mvn[@]}"
  else
    "${mvn[@]}"
  fi
}

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
    exec "$JAVA_HOME/bin/java" -jar "$jar" "${args[@]}" "${only[@]}"
    ;;
  envelope-calls)
    exec "$JAVA_HOME/bin/java" -cp "$jar" io.strongroom.bench.EnvelopeCalls "$@"
    ;;
  list)
    exec "$JAVA_HOME/bin/java" -jar "$jar" -l
    ;;
  *)
    usage
    ;;
esac
