#!/usr/bin/env bash
# Cross-check of the server's request cost with h2load (nghttp2), an HTTP/2 client in C that
# takes little of the machine's CPU: starts the server jar on its embedded default in a temporary
# directory, creates a tenant, principal and SOFTWARE key with curl, warms up, then measures.
#
#   bench/h2load.sh [--op generate-data-key|decrypt|batch] [--batch N] [--requests N] [--warmup N]
#                   [--seconds S [--warmup-seconds W] [--rate R]] [--connections N] [--streams N]
#                   [--http1] [--bare]
#
# --warmup N requests (default 400000) are sent on connections of their own first. Then either
# --requests N (default 300000) on new connections are measured, or with --seconds S one h2load
# run warms its connections up for --warmup-seconds W (default 20) and measures the next S
# seconds on the same connections: the JIT work that new connections set off (their TLS
# handshakes take other code paths, and the compiler recompiles what they deoptimise) then falls
# in the warm-up, as for a client that keeps its connections.
# --rate R (with --seconds) sends R requests/s in all, spread evenly over the connections (h2load's
# --rps), and prints the latency percentiles of the measured seconds from h2load's per-request
# log. h2load times a request from when it is sent, and --streams (default 8 with --rate) caps the
# requests in flight per connection: once latencies pass streams x connections / R, requests wait
# in h2load for a free stream, uncounted, and the script says that the tail is understated.
# --op batch sends batches of --batch N (default 1000) generate-data-key items.
# --streams N keeps N requests in flight per HTTP/2 connection (default 1), as an SDK client that
# shares one connection among its threads does.
# --http1 speaks HTTP/1.1 (one request at a time per connection) instead of HTTP/2.
# --bare measures the floor instead: a bare Vert.x HTTPS server with the same transport settings
# that answers every POST without doing any work (io.strongroom.bench.BareVertxServer).
#
# Prints h2load's summary and the server's CPU time per request (from /proc). Needs h2load, curl
# and python3 (Debian: nghttp2-client, curl). STRONGROOM_SERVER_JAR names another server jar.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/bin/java-env"
op=generate-data-key requests=300000 warmup=400000 connections=64 streams=1 bare=false proto=() batch=1000
seconds="" warm_seconds=20 rate="" streams_given=false
while [ $# -gt 0 ]; do
  case "$1" in
    --op) op=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --warmup-seconds) warm_seconds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --streams) streams=$2; streams_given=true; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --bare) bare=true; shift ;;
    --http1) proto=(--h1); shift ;;
    --batch) batch=$2; shift 2 ;;
    *) sed -n '2,29p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
done
command -v h2load >/dev/null || { echo "h2load not found (apt-get install nghttp2-client)" >&2; exit 1; }
jar="${STRONGROOM_SERVER_JAR:-$root/kms-server/target/strongroom-server.jar}"
[ -f "$jar" ] || (cd "$root" && flock /tmp/mvn.lock mvn -B -q -pl kms-server -am package -DskipTests)

dir=$(mktemp -d)
if [ -n "$rate" ]; then
  [ -n "$seconds" ] || { echo "--rate needs --seconds" >&2; exit 2; }
  $streams_given || streams=8
  rate_args=(--rps "$(python3 -c "print(f'{$rate / $connections:g}')")" --log-file "$dir/requests.log")
else
  rate_args=()
fi
port=$((20000 + RANDOM % 20000))
if $bare; then
  [ -f "$root/bench/target/benchmarks.jar" ] || "$root/bench/run.sh" build
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
  "$JAVA_HOME/bin/java" -Xmx256m --enable-native-access=ALL-UNNAMED \
    -cp "$root/bench/target/benchmarks.jar" io.strongroom.bench.BareVertxServer \
    "$port" "$dir/cert.pem" "$dir/key.pem" > "$dir/server.log" 2>&1 &
else
  # shellcheck disable=SC2046 # the options are words by design
  "$JAVA_HOME/bin/java" $(strongroom_server_jvm_options "$jar") -jar "$jar" --data-dir "$dir" --port "$port" > "$dir/server.log" 2>&1 &
fi
server=$!
# wait reports the killed server's status: without "|| true", set -e would end the trap before rm
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 120); do grep -qs '^READY' "$dir/server.log" && break; sleep 0.25; done
grep -q '^READY' "$dir/server.log" || { cat "$dir/server.log" >&2; exit 1; }

url=https://127.0.0.1:$port
context='{"app":"load","table":"orders"}'
if $bare; then
  app=none op=bare path=/bare
  echo "{\"context\":$context}" > "$dir/body.json"
fi
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
call() { curl -sS --fail-with-body --cacert "$dir/tls/ca.pem" -H content-type:application/json "$@"; }
if ! $bare; then
  admin=$(cat "$dir/admin.token")
  call -H "Authorization: Bearer $admin" -d '{"name":"bench"}' "$url/v1/tenants" >/dev/null
  app=$(call -H "Authorization: Bearer $admin" -d '{"name":"app","roles":["key-admin","key-user"]}' \
    "$url/v1/tenants/bench/principals" | json '["token"]["token"]')
  call -H "Authorization: Bearer $app" -d '{"name":"k","protection":"SOFTWARE"}' "$url/v1/tenants/bench/keys" >/dev/null
  case "$op" in
    generate-data-key)
      path=/v1/tenants/bench/keys/k/generate-data-key
      echo "{\"context\":$context}" > "$dir/body.json" ;;
    decrypt)
      path=/v1/tenants/bench/decrypt
      blob=$(call -H "Authorization: Bearer $app" -d "{\"context\":$context}" \
        "$url/v1/tenants/bench/keys/k/generate-data-key" | json '["ciphertext"]')
      echo "{\"ciphertext\":\"$blob\",\"context\":$context}" > "$dir/body.json" ;;
    batch)
      # --batch N generate-data-key items per request (data keys/s = requests/s x N)
      path=/v1/tenants/bench/batch
      python3 -c "import json,sys; print(json.dumps({'items':[{'op':'generate-data-key','key':'k','context':json.loads(sys.argv[1])}]*int(sys.argv[2])}))" \
        "$context" "$batch" > "$dir/body.json" ;;
    *) echo "unknown op: $op" >&2; exit 2 ;;
  esac
fi

h2() {
  h2load "${proto[@]}" "$@" -c "$connections" -m "$streams" -t 1 -H "Authorization: Bearer $app" \
    -H content-type:application/json -d "$dir/body.json" "$url$path"
}
# The server's CPU ticks in all (cpu.$1), by thread (threads.$1: kernel name with digits dropped,
# e.g. vert.x-eventloo, audit-writer) and its metrics (metrics.$1), for the phase $1.
snapshot() {
  awk '{print $14 + $15}' "/proc/$server/stat" > "$dir/cpu.$1"
  for t in /proc/"$server"/task/*; do
    printf '%s\t%s\n' "$(tr -d '0-9' < "$t/comm")" "$(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0)"
  done > "$dir/threads.$1"
  $bare || curl -sS --cacert "$dir/tls/ca.pem" "$url/metrics" > "$dir/metrics.$1"
}
ticks=$(getconf CLK_TCK)
echo "warm-up: $warmup requests" >&2
h2 -n "$warmup" > /dev/null
if [ -n "$seconds" ]; then
  # one run: the same connections warm up for $warm_seconds, then are measured for $seconds
  echo "then $warm_seconds s on the measured connections, then $seconds s measured" >&2
  (sleep "$warm_seconds"; date +%s%6N > "$dir/measured.from"; snapshot before) &
  snapshotter=$!
  h2 -D "$seconds" --warm-up-time "$warm_seconds" "${rate_args[@]}" > "$dir/h2load.out"
  wait "$snapshotter"
  requests=$(sed -n 's/^requests: \([0-9]*\) total.*/\1/p' "$dir/h2load.out")
else
  snapshot before
  h2 -n "$requests" > "$dir/h2load.out"
fi
snapshot after
memory=$(awk '/^VmRSS|^VmHWM/ {printf "%s %d MB ", $1, $2 / 1024}' "/proc/$server/status")
grep -E 'finished in|requests:|status codes|time for request|min  ' "$dir/h2load.out"
failed=$(sed -n 's/^requests: .* \([0-9]*\) failed.*/\1/p' "$dir/h2load.out")
if [ "${failed:-0}" -gt 0 ]; then
  # 429s from --max-in-flight (STRONGROOM_MAX_IN_FLIGHT) are cheap: they lower the CPU per request
  echo "warning: $failed requests failed (a 4xx count is usually 429: more in flight than the server's" \
    "--max-in-flight); the CPU figures below divide by all requests, failed ones included"
fi
if ! $bare; then
  # the audit log's group commits during the measurement: records per commit and commit time
  python3 - "$dir/metrics.before" "$dir/metrics.after" <<'PY'
import sys
def read(path):
    m = {}
    for line in open(path):
        if line.startswith("strongroom_audit_group_"):
            name, _, value = line.rpartition(" ")
            m[name.split("{")[0]] = float(value)
    return m
b, a = read(sys.argv[1]), read(sys.argv[2])
d = lambda k: a.get(k, 0) - b.get(k, 0)
groups = d("strongroom_audit_group_records_count")
if groups:
    print(f"audit group commits: {groups:.0f}, {d('strongroom_audit_group_records_sum') / groups:.1f} records"
          f" and {d('strongroom_audit_group_commit_seconds_sum') / groups * 1e6:.0f} µs each on average")
PY
fi
if [ -n "$rate" ]; then
  # latency of the requests sent in the measured seconds, from h2load's per-request log
  python3 - "$dir/requests.log" "$(cat "$dir/measured.from")" "$rate" "$streams" "$connections" <<'PY'
import sys
since = int(sys.argv[2])
bound_ms = int(sys.argv[4]) * int(sys.argv[5]) / float(sys.argv[3]) * 1000
rows = [r for r in (line.split("\t") for line in open(sys.argv[1])) if int(r[0]) >= since]
lat = sorted(int(r[2]) for r in rows if r[1].startswith("2"))
failed = len(rows) - len(lat)
if lat:
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] / 1000
    print(f"fixed rate {sys.argv[3]}/s: {len(lat)} answered in the measured seconds ({failed} failed);"
          f" latency p50 {q(.5):.2f} ms, p90 {q(.9):.2f}, p99 {q(.99):.2f}, p99.9 {q(.999):.2f},"
          f" max {lat[-1] / 1000:.2f}")
    if q(.99) > bound_ms:
        print(f"  (p99 above {bound_ms:.1f} ms, the most the streams allow at this rate: requests waited"
              f" in h2load for a free stream, uncounted, so the tail is understated; raise --streams)")
PY
fi
before=$(cat "$dir/cpu.before") after=$(cat "$dir/cpu.after")
echo "server CPU: $(( (after - before) * 1000000 / ticks / requests )) µs per request" \
  "($op, $connections connections, $streams in flight each, $([ ${#proto[@]} -gt 0 ] && echo HTTP/1.1 || echo HTTP/2), TLS 1.3, $(nproc) cores)"
echo "server resident memory: ${memory% } (VmHWM: the peak since start)"
python3 - "$dir/threads.before" "$dir/threads.after" "$requests" "$ticks" <<'PY'
import collections, sys
def read(path):
    c = collections.Counter()
    for line in open(path):
        name, _, ticks = line.rstrip("\n").partition("\t")
        c[name] += int(ticks or 0)
    return c
before, after = read(sys.argv[1]), read(sys.argv[2])
per = {k: (after[k] - before.get(k, 0)) * 1e6 / int(sys.argv[4]) / int(sys.argv[3]) for k in after}
print("server CPU by thread (µs per request): " + ", ".join(
    f"{k} {v:.1f}" for k, v in sorted(per.items(), key=lambda kv: -kv[1]) if v >= 0.5))
PY
