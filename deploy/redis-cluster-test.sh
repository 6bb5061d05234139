#!/usr/bin/env bash
# Shared budgets on a real Redis Cluster: 3 masters + 3 replicas of redis-server on loopback, 3 published gateway
# replicas pointed at the cluster by environment variables only.
#   Phase 1: 200 concurrent requests against a $0.001 daily budget: settled spend <= budget + one request's worst
#            cost, the ledger equals the sum of the costs the clients were billed, nothing stays reserved.
#   Phase 2: steady load from CONCURRENCY clients; the master that owns the tenant's hash slot is killed (SIGKILL)
#            mid-load; its replica takes over. Afterwards the settled spend in Redis is compared with what the
#            clients were billed. Stated bound: lost settled spend <= CONCURRENCY x one request's worst cost, because
#            replication is asynchronous and only settles acknowledged by the dead master in its last replication
#            lag window (at most one per in-flight request) can vanish; settles that fail during the failover are
#            journalled in-process by each gateway and written back once the cluster answers again.
# Usage: deploy/redis-cluster-test.sh [published gateway folder]   Bounded: ~2 minutes; loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BASE_PORT=${REDIS_CLUSTER_BASE_PORT:-7301}
CONCURRENCY=${CONCURRENCY:-24}
LOAD_SECONDS=${LOAD_SECONDS:-14}
KILL_AFTER_SECONDS=${KILL_AFTER_SECONDS:-4}
MAX_TOKENS=40
MODEL=gpt-4o-mini-2024-07-18
# gpt-4o-mini prices (USD per MTok) and the worst case of one request: a short prompt plus max_tokens of output.
IN_PRICE=0.15; OUT_PRICE=0.6
ONE_REQUEST_USD=$(python3 -c "print((16*$IN_PRICE + $MAX_TOKENS*$OUT_PRICE)/1e6)")

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  [[ $(id -u) -eq 0 ]] || { echo "redis-server and redis-cli are required (apt-get install redis-server)"; exit 2; }
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools >/dev/null
fi

WORK=$(mktemp -d /tmp/er-cluster.XXXXXX)
REDIS_PIDS=(); GATEWAY_PIDS=()
cleanup() {
  for pid in "${GATEWAY_PIDS[@]}" "${REDIS_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${GATEWAY_PIDS[@]}" "${REDIS_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ -n "${KEEP_WORK:-}" ]]; then echo "cluster-test: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
fail() { echo "cluster-test: FAIL $*"; for f in "$WORK"/gateway-*.log; do echo "--- $f"; tail -n 15 "$f"; done; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- the cluster: 6 nodes, AOF fsync every second, 2 s node timeout so failover happens within the test
NODES=()
for i in 0 1 2 3 4 5; do
  port=$((BASE_PORT + i))
  redis-cli -p "$port" ping >/dev/null 2>&1 && fail "port $port is already in use (set REDIS_CLUSTER_BASE_PORT)"
  mkdir -p "$WORK/redis-$port"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$WORK/redis-$port" --cluster-enabled yes \
    --cluster-config-file nodes.conf --cluster-node-timeout 2000 --appendonly yes --appendfsync everysec --save "" \
    --logfile "$WORK/redis-$port/redis.log" &
  REDIS_PIDS+=($!); NODES+=("127.0.0.1:$port")
done
for node in "${NODES[@]}"; do
  for _ in $(seq 1 50); do redis-cli -p "${node#*:}" ping >/dev/null 2>&1 && break; sleep 0.1; done
done
redis-cli --cluster create "${NODES[@]}" --cluster-replicas 1 --cluster-yes >"$WORK/create.log" 2>&1 \
  || { cat "$WORK/create.log"; fail "redis-cli --cluster create"; }
wait_cluster_ok() {
  for _ in $(seq 1 100); do
    redis-cli -p "$1" cluster info 2>/dev/null | grep -q 'cluster_state:ok' && return 0; sleep 0.2
  done
  return 1
}
for node in "${NODES[@]}"; do wait_cluster_ok "${node#*:}" || fail "cluster not ok on $node"; done
echo "cluster-test: Redis Cluster up: 3 masters + 3 replicas on ports $BASE_PORT-$((BASE_PORT + 5))"

# --- the gateways: published build, environment-only configuration, one policies folder
APP=${1:-}
if [[ -z "$APP" ]]; then
  APP="$WORK/app"
  echo "cluster-test: publishing the gateway to $APP"
  dotnet publish src/ExpertRouter.Gateway/ExpertRouter.Gateway.csproj -c Release -o "$APP" -p:UseAppHost=false -nologo -v quiet >"$WORK/publish.log" 2>&1 \
    || { tail -n 30 "$WORK/publish.log"; exit 1; }
fi
# 'dotnet <dll>' for a framework-dependent publish, the executable itself for a Native AOT one.
APP=$(cd "$APP" && pwd)  # absolute: the gateway starts from inside its folder
GATEWAY=("$APP/ExpertRouter.Gateway")
[[ -f "$APP/ExpertRouter.Gateway.dll" ]] && GATEWAY=(dotnet "$APP/ExpertRouter.Gateway.dll")
mkdir -p "$WORK/policies"
write_tenant() { # id daily_usd -> key on stdout
  local key="sk-cluster-$1-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  printf 'id: %s\napiKeySha256:\n  - %s\nexperts:\n  allow: [%s]\nbudgets:\n  dailyUsd: %s\n' \
    "$1" "$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)" "$MODEL" "$2" >"$WORK/policies/$1.yaml"
  echo "$key"
}
RUN_ID=$(head -c 3 /dev/urandom | od -An -tx1 | tr -d ' \n')
BUDGET_TENANT="budget-$RUN_ID"; FAILOVER_TENANT="failover-$RUN_ID"
BUDGET_KEY=$(write_tenant "$BUDGET_TENANT" 0.001)
FAILOVER_KEY=$(write_tenant "$FAILOVER_TENANT" 1000)
REDIS_CONNECTION="${NODES[0]},${NODES[1]},${NODES[2]}"
GATEWAYS=()
# /metrics on the API port, behind a metrics key (ExpertRouter:Management:MetricsKeySha256).
METRICS_KEY="sk-cluster-test-metrics"
METRICS_KEY_HASH=$(printf %s "$METRICS_KEY" | sha256sum | cut -d' ' -f1)
# Phase 1 runs 200 curl processes beside six Redis nodes and three gateways; on a 2-core CI machine a healthy cluster
# can then take longer than the default 1 s to answer, which the gateway rightly treats as a fault (503
# budget_unverifiable for a tenant whose spend it never read). 3 s keeps that fault path for the real fault of
# phase 2 (a dead master fails its connections at once) without mistaking this machine's load for one.
COMMAND_TIMEOUT=${COMMAND_TIMEOUT:-00:00:03}
for i in 0 1 2; do
  port=$(free_port)
  (cd "$APP" && exec env -i PATH="$PATH" HOME="$WORK" DOTNET_ROOT="${DOTNET_ROOT:-}" DOTNET_NOLOGO=1 \
    ASPNETCORE_URLS="http://127.0.0.1:$port" ExpertRouter__Redis="$REDIS_CONNECTION" \
    ExpertRouter__Policies="$WORK/policies" Logging__LogLevel__Default=Warning \
    ExpertRouter__Accounting__CommandTimeout="$COMMAND_TIMEOUT" \
    ExpertRouter__Management__MetricsKeySha256="$METRICS_KEY_HASH" \
    "${GATEWAY[@]}") >"$WORK/gateway-$i.log" 2>&1 &
  GATEWAY_PIDS+=($!); GATEWAYS+=("http://127.0.0.1:$port")
done
for gateway in "${GATEWAYS[@]}"; do
  for _ in $(seq 1 120); do curl -sf "$gateway/readyz" >/dev/null 2>&1 && break; sleep 0.5; done
  curl -sf "$gateway/readyz" >/dev/null || fail "$gateway not ready"
done
echo "cluster-test: 3 gateway replicas ready: ${GATEWAYS[*]}"

# One request: writes '<status> <response file>' to stdout. Arguments: gateway key tag.
request() {
  local out="$WORK/responses/$3.json"
  local code
  code=$(curl -s -m 30 -o "$out" -w '%{http_code}' "$1/v1/chat/completions" -H "authorization: Bearer $2" \
    -H 'content-type: application/json' \
    -d "{\"model\":\"$MODEL\",\"max_tokens\":$MAX_TOKENS,\"messages\":[{\"role\":\"user\",\"content\":\"Question $3: name a prime.\"}]}") || code=000
  echo "$code $out"
}
export -f request; export WORK MODEL MAX_TOKENS
mkdir -p "$WORK/responses"

# Sums what the clients were billed (usage x price) from the 200 responses listed in a results file.
billed() {
  python3 - "$1" "$IN_PRICE" "$OUT_PRICE" <<'EOF'
import json, sys
served = cost = 0; codes = {}
for line in open(sys.argv[1]):
    code, path = line.split()
    if code not in ("200", "000"):
        try:
            code += "/" + json.load(open(path))["error"]["code"]
        except (OSError, ValueError, KeyError, TypeError):
            pass
    codes[code] = codes.get(code, 0) + 1
    if code == "200":
        usage = json.load(open(path))["usage"]
        served += 1
        cost += round((usage["prompt_tokens"] * float(sys.argv[2]) + usage["completion_tokens"] * float(sys.argv[3])) * 1000)
print(served, cost / 1e9, " ".join(f"{k}:{v}" for k, v in sorted(codes.items())))
EOF
}
usage_of() { # gateway key -> "total_usd ledger_usd ledger_requests reserved_usd degraded"
  curl -sf "$1/v1/usage" -H "authorization: Bearer $2" | python3 -c '
import json, sys
u = json.load(sys.stdin)
print(u["total_cost_usd"], sum(l["cost_usd"] for l in u["data"]), sum(l["requests"] for l in u["data"]),
      u["budget"]["reserved_usd"], u["degraded"])'
}

# --- phase 1: 200 concurrent requests, round-robin over the replicas, one small budget
for i in $(seq 0 199); do echo "${GATEWAYS[$((i % 3))]} $BUDGET_KEY p1-$i"; done \
  | xargs -P 200 -n 3 bash -c 'request "$0" "$1" "$2"' >"$WORK/phase1.txt"
read -r SERVED BILLED CODES < <(billed "$WORK/phase1.txt")
read -r TOTAL LEDGER LEDGER_REQUESTS RESERVED DEGRADED < <(usage_of "${GATEWAYS[1]}" "$BUDGET_KEY")
echo "cluster-test: phase 1: statuses {$CODES}; billed $BILLED USD over $SERVED served; Redis spent $TOTAL USD, ledger $LEDGER USD / $LEDGER_REQUESTS requests, reserved $RESERVED, degraded $DEGRADED"
python3 - "$TOTAL" "$BILLED" "$LEDGER" "$LEDGER_REQUESTS" "$SERVED" "$RESERVED" "$ONE_REQUEST_USD" "$CODES" <<'EOF' || fail "phase 1 (budget on the cluster)"
import sys
total, billed, ledger, ledger_requests, served, reserved, one, codes = sys.argv[1:]
total, billed, ledger, reserved, one = map(float, (total, billed, ledger, reserved, one))
checks = {
    f"spent {total} <= budget 0.001 + one request {one}": total <= 0.001 + one + 1e-12,
    "some requests served and some refused": int(served) > 0 and "429/insufficient_quota" in codes,
    "every refusal a 429 insufficient_quota": set(c.rsplit(":", 1)[0] for c in codes.split()) <= {"200", "429/insufficient_quota"},
    "Redis spend == billed": abs(total - billed) < 1e-12,
    "ledger == billed": abs(ledger - billed) < 1e-12,
    "ledger requests == served": int(ledger_requests) == int(served),
    "nothing left reserved": reserved == 0,
}
for name, ok in checks.items():
    print(("  ok   " if ok else "  FAIL ") + name)
sys.exit(0 if all(checks.values()) else 1)
EOF

# --- throughput of one replica with every request reserving and settling on the cluster (when wrk is installed)
if command -v wrk >/dev/null; then
  THROUGHPUT_KEY=$(write_tenant "throughput-$RUN_ID" 1000)
  sleep 1 # the policy folder watcher picks the new tenant up
  printf '%s\n' 'wrk.method = "POST"' \
    "wrk.body = '{\"model\":\"$MODEL\",\"max_tokens\":$MAX_TOKENS,\"messages\":[{\"role\":\"user\",\"content\":\"Name a prime.\"}]}'" \
    'wrk.headers["content-type"] = "application/json"' \
    "wrk.headers[\"authorization\"] = \"Bearer $THROUGHPUT_KEY\"" >"$WORK/post.lua"
  wrk -t1 -c16 -d5s --latency -s "$WORK/post.lua" "${GATEWAYS[0]}/v1/chat/completions" >"$WORK/wrk.txt" 2>&1 || true
  echo "cluster-test: one replica on the cluster, wrk -t1 -c16 -d5s: $(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt") req/s," \
    "p50 $(awk '$1=="50%" {print $2}' "$WORK/wrk.txt"), p99 $(awk '$1=="99%" {print $2}' "$WORK/wrk.txt")," \
    "non-2xx $(awk '/Non-2xx/ {print $5}' "$WORK/wrk.txt" | grep . || echo 0)"
fi

# --- phase 2: load, then SIGKILL the master that owns the failover tenant's slot
SLOT=$(redis-cli -p "$BASE_PORT" cluster keyslot "er:{$FAILOVER_TENANT}:x")
read -r VICTIM_PORT VICTIM_ID < <(redis-cli -p "$BASE_PORT" cluster nodes | python3 -c '
import sys
slot = int(sys.argv[1])
for line in sys.stdin:
    f = line.split()
    if "master" in f[2] and "fail" not in f[2]:
        for r in f[8:]:
            lo, _, hi = r.partition("-")
            if lo.isdigit() and int(lo) <= slot <= int(hi or lo):
                print(f[1].split("@")[0].split(":")[1], f[0])' "$SLOT")
VICTIM_PID=""
for idx in "${!NODES[@]}"; do [[ "${NODES[$idx]#*:}" == "$VICTIM_PORT" ]] && VICTIM_PID=${REDIS_PIDS[$idx]}; done
[[ -n "$VICTIM_PID" ]] || fail "no master found for slot $SLOT"
SURVIVOR_PORT=$BASE_PORT; [[ "$SURVIVOR_PORT" == "$VICTIM_PORT" ]] && SURVIVOR_PORT=$((BASE_PORT + 1))

DEADLINE=$(( $(date +%s) + LOAD_SECONDS ))
worker() { # worker index: requests in a loop until the deadline, round-robin over the gateways
  local n=0
  while (( $(date +%s) < DEADLINE )); do
    request "${GATEWAYS_LIST[$(( (n + $1) % 3 ))]}" "$FAILOVER_KEY" "p2-$1-$n"; n=$((n + 1))
  done
}
export -f worker; export DEADLINE FAILOVER_KEY GATEWAYS_LIST="${GATEWAYS[*]}"
seq 0 $((CONCURRENCY - 1)) | xargs -P "$CONCURRENCY" -I{} bash -c 'GATEWAYS_LIST=($GATEWAYS_LIST); worker {}' >"$WORK/phase2.txt" &
LOAD_PID=$!
sleep "$KILL_AFTER_SECONDS"
KILL_AT=$(date +%s.%N)
{ kill -9 "$VICTIM_PID"; wait "$VICTIM_PID"; } 2>/dev/null || true
echo "cluster-test: phase 2: killed master 127.0.0.1:$VICTIM_PORT (owner of slot $SLOT) after ${KILL_AFTER_SECONDS}s of load"
# Failed over when the survivors mark the victim 'fail' and report cluster_state:ok again (node-local queries only).
for _ in $(seq 1 300); do
  redis-cli -p "$SURVIVOR_PORT" cluster nodes 2>/dev/null | grep "^$VICTIM_ID" | grep -q fail \
    && redis-cli -p "$SURVIVOR_PORT" cluster info 2>/dev/null | grep -q 'cluster_state:ok' && break
  sleep 0.05
done
FAILOVER_S=$(python3 -c "import time; print(round(time.time() - $KILL_AT, 1))")
echo "cluster-test: phase 2: slot $SLOT served again (replica promoted) ${FAILOVER_S}s after the kill"
wait "$LOAD_PID" || true

# Each replica writes back what it journalled during the outage on its next call; give every one a request.
for round in 1 2; do
  for i in 0 1 2; do request "${GATEWAYS[$i]}" "$FAILOVER_KEY" "p2-drain-$round-$i" >>"$WORK/phase2.txt"; done
  sleep 1
done
for _ in $(seq 1 30); do
  pending=0
  for gateway in "${GATEWAYS[@]}"; do
    p=$(curl -sf -H "Authorization: Bearer $METRICS_KEY" "$gateway/metrics" | awk '/^expertrouter_accounting_pending_reconciliation/ {s+=$2} END {print s+0}')
    d=$(curl -sf -H "Authorization: Bearer $METRICS_KEY" "$gateway/metrics" | awk '/^expertrouter_accounting_degraded_mode/ {s+=$2} END {print s+0}')
    pending=$(python3 -c "print(int($pending + $p + $d))")
  done
  [[ "$pending" == 0 ]] && break
  for i in 0 1 2; do request "${GATEWAYS[$i]}" "$FAILOVER_KEY" "p2-drain-x$_-$i" >>"$WORK/phase2.txt"; done
  sleep 1
done
read -r SERVED2 BILLED2 CODES2 < <(billed "$WORK/phase2.txt")
read -r TOTAL2 LEDGER2 LEDGER_REQUESTS2 RESERVED2 DEGRADED2 < <(usage_of "${GATEWAYS[0]}" "$FAILOVER_KEY")
echo "cluster-test: phase 2: statuses {$CODES2}; billed $BILLED2 USD over $SERVED2 served; Redis spent $TOTAL2 USD, ledger $LEDGER2 USD / $LEDGER_REQUESTS2 requests; still pending/degraded: $pending"
python3 - "$BILLED2" "$TOTAL2" "$LEDGER_REQUESTS2" "$SERVED2" "$CONCURRENCY" "$ONE_REQUEST_USD" <<'EOF' || fail "phase 2 (failover loss above the bound)"
import sys
billed, total, ledger_requests, served, concurrency, one = sys.argv[1:]
billed, total, one = float(billed), float(total), float(one)
lost, extra = max(0.0, billed - total), max(0.0, total - billed)
lost_requests = int(served) - int(ledger_requests)
bound = int(concurrency) * one
print(f"  lost settled spend {lost:.9f} USD ({lost_requests} settled requests missing from the ledger, "
      f"{100 * lost / billed if billed else 0:.3f}% of {billed:.9f} USD); counted twice {extra:.9f} USD; bound {bound:.9f} USD")
sys.exit(0 if lost <= bound + 1e-12 else 1)
EOF
echo "cluster-test: passed"
