#!/usr/bin/env bash
# Redis faults against published gateway replicas on loopback (issue #23, findings 5-7). Each scenario has its own
# redis-server and its own replicas; every wait is bounded; the script prints one line of figures per scenario.
#   outage: a $0.02 daily budget (gpt-4o, ~1,000-token prompts); replicas A and B spend part of it through Redis; Redis stops (AOF, so its data
#           survives); meanwhile B restarts and C starts; 60 requests round-robin over A, B, C; Redis comes back.
#           Figure: the spend Redis holds afterwards, against the budget.
#   reset:  Redis without persistence; A and B spend about $0.016 of $0.02; Redis restarts empty; one request to
#           each replica. Figure: the spend /v1/usage shows before and after.
#   hang:   a $100 budget; A, B and C each serve the tenant once; then 24 clients for 16 s over A, B, C; Redis gets
#           SIGSTOP after 3 s and SIGCONT 10 s later.
#           Figures: requests slower than 1 s and the slowest, /readyz during the hang, requests served vs counted
#           in the ledger, and what stays reserved once the replicas have recovered.
# Usage: deploy/redis-fault-test.sh [published gateway folder] [label]   (about 3 minutes; loopback only)
set -euo pipefail
cd "$(dirname "$0")/.."
LABEL=${2:-$(git rev-parse --short HEAD 2>/dev/null || echo working-tree)}
BASE_PORT=${REDIS_FAULT_BASE_PORT:-7401}
EXPENSIVE=gpt-4o-2024-08-06; EXPENSIVE_IN=2.5; EXPENSIVE_OUT=10
CHEAP=gpt-4o-mini-2024-07-18; CHEAP_IN=0.15; CHEAP_OUT=0.6

command -v redis-server >/dev/null || { echo "redis-server is required (apt-get install redis-server)"; exit 2; }
WORK=$(mktemp -d /tmp/er-faults.XXXXXX)
declare -A PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -CONT "$pid" 2>/dev/null || true; kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ -n "${KEEP_WORK:-}" ]]; then echo "fault-test: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
fail() { echo "fault-test: FAIL $*"; for f in "$WORK"/*.log; do echo "--- $f"; tail -n 12 "$f"; done; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

APP=${1:-}
if [[ -z "$APP" ]]; then
  APP="$WORK/app"
  echo "fault-test: publishing the gateway to $APP"
  dotnet publish src/ExpertRouter.Gateway/ExpertRouter.Gateway.csproj -c Release -o "$APP" -p:UseAppHost=false -nologo -v quiet >"$WORK/publish.log" 2>&1 \
    || { tail -n 30 "$WORK/publish.log"; exit 1; }
fi
APP=$(cd "$APP" && pwd)
GATEWAY=("$APP/ExpertRouter.Gateway")
[[ -f "$APP/ExpertRouter.Gateway.dll" ]] && GATEWAY=(dotnet "$APP/ExpertRouter.Gateway.dll")
mkdir -p "$WORK/policies" "$WORK/responses"

start_redis() { # name port persist(yes|no)
  mkdir -p "$WORK/$1"
  redis-server --port "$2" --bind 127.0.0.1 --dir "$WORK/$1" --save "" --appendonly "$3" --appendfsync always \
    --logfile "$WORK/$1/redis.log" &
  PIDS[$1]=$!
  for _ in $(seq 1 50); do redis-cli -p "$2" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  fail "redis $1 on $2 did not start"
}
stop() { # name [signal]
  kill "-${2:-TERM}" "${PIDS[$1]}" 2>/dev/null || true; wait "${PIDS[$1]}" 2>/dev/null || true; unset "PIDS[$1]"
}
write_tenant() { # id daily_usd model -> key on stdout
  local key="sk-fault-$1-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  printf 'id: %s\napiKeySha256:\n  - %s\nexperts:\n  allow: [%s]\nbudgets:\n  dailyUsd: %s\n' \
    "$1" "$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)" "$3" "$2" >"$WORK/policies/$1.yaml"
  echo "$key"
}
declare -A URLS=()
start_gateway() { # name redis_port
  local port; port=$(free_port)
  (cd "$APP" && exec env -i PATH="$PATH" HOME="$WORK" DOTNET_ROOT="${DOTNET_ROOT:-}" DOTNET_NOLOGO=1 \
    ASPNETCORE_URLS="http://127.0.0.1:$port" ExpertRouter__Redis="127.0.0.1:$2" \
    ExpertRouter__Policies="$WORK/policies" Logging__LogLevel__Default=Warning \
    "${GATEWAY[@]}") >>"$WORK/gateway-$1.log" 2>&1 &
  PIDS[$1]=$!; URLS[$1]="http://127.0.0.1:$port"
  for _ in $(seq 1 120); do curl -sf "${URLS[$1]}/healthz" >/dev/null 2>&1 && return 0; sleep 0.5; done
  fail "gateway $1 not ready"
}
# One request; appends '<status> <seconds> <started at> <response file>' to $4. Arguments: gateway key tag results model max_tokens.
request() {
  local out="$WORK/responses/$3.json" started line
  started=$(date +%s.%N)
  line=$(curl -s -m 60 -o "$out" -w '%{http_code} %{time_total}' "$1/v1/chat/completions" -H "authorization: Bearer $2" \
    -H 'content-type: application/json' \
    -d "{\"model\":\"$5\",\"max_tokens\":$6,\"messages\":[{\"role\":\"user\",\"content\":\"Question $3: name a prime.$PAD\"}]}") || line="000 60"
  echo "$line $started $out" >>"$4"
}
# About 1,000 prompt tokens: a gpt-4o request then costs about $0.0027, so a $0.02 budget is a handful of requests.
PAD=$(python3 -c 'print(" lorem ipsum dolor sit amet" * 150)')
export -f request; export WORK PAD
usage_of() { # gateway key -> "total_usd ledger_requests reserved_usd degraded"
  curl -sf -m 30 "$1/v1/usage" -H "authorization: Bearer $2" | python3 -c '
import json, sys
u = json.load(sys.stdin)
print(u["total_cost_usd"], sum(l["requests"] for l in u["data"]), u["budget"]["reserved_usd"], u["degraded"])'
}
state_store() { curl -s -m 30 "$1/readyz" | python3 -c 'import json,sys; c=json.load(sys.stdin)["checks"]["state-store"]; print(c["status"] + ": " + c["description"])'; }
# Waits (bounded) until every named replica's state store is reachable with nothing left to write back; a usage read
# per round lets a replica that only recovers on a call (the build before the fix) write its journal back.
wait_recovered() { # key names...
  local key=$1; shift
  for _ in $(seq 1 60); do
    local done=1
    for name in "$@"; do
      usage_of "${URLS[$name]}" "$key" >/dev/null 2>&1 || true
      state_store "${URLS[$name]}" | grep -q '^Healthy: .*reachable.*(0 settlement' || done=0
    done
    [[ $done == 1 ]] && return 0
    sleep 1
  done
  echo "fault-test: replicas did not all recover: $(for n in "$@"; do state_store "${URLS[$n]}"; done | tr '\n' ';')"
}
billed() { # results file in_price out_price -> "served billed_usd statuses"
  python3 - "$@" <<'EOF'
import json, sys
served = cost = 0; codes = {}
for line in open(sys.argv[1]):
    code, _, _, path = line.split()
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
print(served, cost / 1e9, ",".join(f"{k}:{v}" for k, v in sorted(codes.items())))
EOF
}
RUN=$(head -c 3 /dev/urandom | od -An -tx1 | tr -d ' \n')

# --- outage: replicas that start or restart while Redis is down (finding 5)
OUTAGE_KEY=$(write_tenant "outage-$RUN" 0.02 "$EXPENSIVE")
start_redis outage-redis "$BASE_PORT" yes
start_gateway A "$BASE_PORT"; start_gateway B "$BASE_PORT"
for i in $(seq 0 2); do name=$([[ $((i % 2)) == 0 ]] && echo A || echo B); request "${URLS[$name]}" "$OUTAGE_KEY" "o-pre-$i" "$WORK/outage.txt" "$EXPENSIVE" 40; done
read -r BEFORE_OUTAGE _ _ _ < <(usage_of "${URLS[A]}" "$OUTAGE_KEY")
stop outage-redis TERM
stop B; start_gateway B "$BASE_PORT"; start_gateway C "$BASE_PORT"
for i in $(seq 0 59); do
  name=$(echo "A B C" | cut -d' ' -f$((i % 3 + 1)))
  request "${URLS[$name]}" "$OUTAGE_KEY" "o-$i" "$WORK/outage-during.txt" "$EXPENSIVE" 40
done
start_redis outage-redis "$BASE_PORT" yes
wait_recovered "$OUTAGE_KEY" A B C
cat "$WORK/outage-during.txt" >>"$WORK/outage.txt"
read -r _ _ DURING_CODES < <(billed "$WORK/outage-during.txt" "$EXPENSIVE_IN" "$EXPENSIVE_OUT")
read -r SERVED BILLED _ < <(billed "$WORK/outage.txt" "$EXPENSIVE_IN" "$EXPENSIVE_OUT")
read -r SPENT _ RESERVED _ < <(usage_of "${URLS[A]}" "$OUTAGE_KEY")
echo "fault-test [$LABEL] outage: budget 0.02 USD; spent before the outage $BEFORE_OUTAGE USD; during it {$DURING_CODES};" \
  "Redis holds $SPENT USD ($(python3 -c "print(f'{$SPENT / 0.02:.2f}')")x the budget), billed $BILLED USD over $SERVED requests, reserved $RESERVED"
for name in A B C; do stop "$name"; done; stop outage-redis

# --- reset: Redis restarted without its data (finding 6)
RESET_PORT=$((BASE_PORT + 1))
RESET_KEY=$(write_tenant "reset-$RUN" 0.02 "$EXPENSIVE")
start_redis reset-redis "$RESET_PORT" no
start_gateway A "$RESET_PORT"; start_gateway B "$RESET_PORT"
SPENT=0
for i in $(seq 0 19); do
  python3 -c "import sys; sys.exit(0 if $SPENT < 0.015 else 1)" || break
  name=$([[ $((i % 2)) == 0 ]] && echo A || echo B)
  request "${URLS[$name]}" "$RESET_KEY" "r-pre-$i" "$WORK/reset.txt" "$EXPENSIVE" 40
  read -r SPENT _ _ _ < <(usage_of "${URLS[A]}" "$RESET_KEY")
done
BEFORE_RESET=$SPENT
stop reset-redis KILL; start_redis reset-redis "$RESET_PORT" no
for name in A B; do
  for _ in $(seq 1 60); do state_store "${URLS[$name]}" | grep -q '^Healthy' && break; sleep 0.5; done
done
request "${URLS[A]}" "$RESET_KEY" "r-after-A" "$WORK/reset-after.txt" "$EXPENSIVE" 40
request "${URLS[B]}" "$RESET_KEY" "r-after-B" "$WORK/reset-after.txt" "$EXPENSIVE" 40
wait_recovered "$RESET_KEY" A B
read -r AFTER_SERVED AFTER_BILLED AFTER_CODES < <(billed "$WORK/reset-after.txt" "$EXPENSIVE_IN" "$EXPENSIVE_OUT")
read -r AFTER_RESET AFTER_REQUESTS _ _ < <(usage_of "${URLS[A]}" "$RESET_KEY")
echo "fault-test [$LABEL] reset: usage before the restart $BEFORE_RESET USD; after it and $AFTER_SERVED more request(s) ({$AFTER_CODES}, $AFTER_BILLED USD)" \
  "$AFTER_RESET USD, ledger $AFTER_REQUESTS requests; lost $(python3 -c "print(f'{max(0, $BEFORE_RESET + $AFTER_BILLED - $AFTER_RESET):.6f}')") USD"
for name in A B; do stop "$name"; done; stop reset-redis

# --- hang: Redis stops answering for 10 s under load (finding 7)
HANG_PORT=$((BASE_PORT + 2))
HANG_KEY=$(write_tenant "hang-$RUN" 100 "$CHEAP")
start_redis hang-redis "$HANG_PORT" no
start_gateway A "$HANG_PORT"; start_gateway B "$HANG_PORT"; start_gateway C "$HANG_PORT"
# Replicas that have served the tenant before the hang, as in production (a cold start during an outage is 'outage').
for name in A B C; do
  for i in $(seq 1 20); do
    request "${URLS[$name]}" "$HANG_KEY" "h-warm-$name-$i" "$WORK/hang-warm.txt" "$CHEAP" 40
    [[ $(tail -n 1 "$WORK/hang-warm.txt" | cut -d' ' -f1) == 200 ]] && break
  done
done
DEADLINE=$(( $(date +%s) + 16 ))
worker() {
  local n=0 urls=($URL_LIST)
  while (( $(date +%s) < DEADLINE )); do
    request "${urls[$(( (n + $1) % 3 ))]}" "$HANG_KEY" "h-$1-$n" "$WORK/hang-$1.txt" "$CHEAP" 40; n=$((n + 1))
  done
}
export -f worker; export DEADLINE HANG_KEY CHEAP URL_LIST="${URLS[A]} ${URLS[B]} ${URLS[C]}"
seq 0 23 | PAD="" xargs -P 24 -I{} bash -c 'worker {}' &
LOAD_PID=$!
sleep 3
STOP_AT=$(date +%s.%N); kill -STOP "${PIDS[hang-redis]}"
sleep 3; DURING_HANG=$(state_store "${URLS[A]}")
sleep 7; kill -CONT "${PIDS[hang-redis]}"; CONT_AT=$(date +%s.%N)
wait "$LOAD_PID" || true
wait_recovered "$HANG_KEY" A B C
cat "$WORK"/hang-[0-9]*.txt >"$WORK/hang.txt"
read -r SERVED _ CODES < <(billed "$WORK/hang.txt" "$CHEAP_IN" "$CHEAP_OUT")
read -r WARM _ _ < <(billed "$WORK/hang-warm.txt" "$CHEAP_IN" "$CHEAP_OUT")
read -r _ LEDGER_REQUESTS RESERVED _ < <(usage_of "${URLS[A]}" "$HANG_KEY")
LEDGER_REQUESTS=$((LEDGER_REQUESTS - WARM))
SLOW=$(python3 - "$WORK/hang.txt" "$STOP_AT" "$CONT_AT" <<'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1])]
stop, cont = float(sys.argv[2]), float(sys.argv[3])
during = [float(r[1]) for r in rows if stop - 1 <= float(r[2]) <= cont]
times = sorted(float(r[1]) for r in rows)
p99 = times[int(0.99 * (len(times) - 1))] if times else 0
print(f"{sum(t > 1 for t in during)} of {len(during)} requests around the hang took over 1 s (over 5 s: {sum(t > 5 for t in during)}),"
      f" slowest {max(during, default=0):.2f} s, p99 of all {p99:.2f} s")
EOF
)
echo "fault-test [$LABEL] hang: {$CODES}; $SLOW; /readyz 3 s into the hang: '$DURING_HANG';" \
  "served $SERVED, ledger $LEDGER_REQUESTS requests; reserved after recovery $RESERVED USD"
