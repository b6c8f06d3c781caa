#!/usr/bin/env bash
# A paired comparison of two server jars: runs bench/h2load.sh for each at the same time, with the
# same options, and prints both results. On a machine whose speed drifts (this one by up to 1.7×
# within an hour), runs one after the other compare minutes as much as jars; run together, both
# see the same minutes. They share the cores, so compare the server CPU per request (by thread)
# more than the requests per second: the scheduler need not split the cores evenly.
#
#   bench/pair.sh OTHER_JAR [h2load.sh options, e.g. --streams 8 --warmup 250000 --seconds 20]
#
# "this" is kms-server/target/strongroom-server.jar (or STRONGROOM_SERVER_JAR), "other" OTHER_JAR.
# Use a warm-up long enough for both JITs to settle at half the machine each (the compiler's
# threads are printed per request; more than a few µs means the warm-up was too short).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -ge 1 ] && [ -f "$1" ] || { sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
other=$1
shift
this="${STRONGROOM_SERVER_JAR:-$root/kms-server/target/strongroom-server.jar}"
[ -f "$this" ] || (cd "$root" && flock /tmp/mvn.lock mvn -B -q -pl kms-server -am package -DskipTests)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
STRONGROOM_SERVER_JAR="$this" "$root/bench/h2load.sh" "$@" > "$out/this" 2>&1 &
a=$!
STRONGROOM_SERVER_JAR="$other" "$root/bench/h2load.sh" "$@" > "$out/other" 2>&1 &
b=$!
status=0
wait $a || status=$?
wait $b || status=$?
for side in this other; do
  echo "== $side ($([ "$side" = this ] && echo "$this" || echo "$other"))"
  grep -vE '^(warm-up|then) ' "$out/$side"
done
exit $status
