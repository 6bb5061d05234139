#!/usr/bin/env bash
# Capacity under overload, all on 127.0.0.1: one external simulator, one gateway whose tenant may use three simulated
# experts, each with a requests-per-minute quota (RPM_CAPS, default "300 600 900"), and a paced load above their sum
# (OVERLOAD times it, default 1.5) through every second of at least one whole UTC minute. Checks, from the same run:
#   - at the simulator (GET /v1/simulator/requests, counted per UTC minute): no expert received more than its cap in
#     any minute;
#   - at the client: every answer is a 200 or a clean 429 (code rate_limit_exceeded, a Retry-After header), nothing else;
#   - throughput: what the three experts served in the whole minute equals the sum of their caps within 5%.
#
#   bench/capacity.sh [--no-build]
#
# Bounded: the load stops by itself at the end of the first whole minute (at most ~2 minutes); every process started
# is stopped on exit. Results go to bench/results/capacity-<time>/ (summary.txt, raw counts, logs); exit 0 = all held.
# The last line printed is: capacity rpm_caps=<caps> served_in_minute=<n> sum_of_caps=<n> ratio=<x> over_cap=<n>
# clean_429=<n> other=<n> socket_errors=<n> verdict=<PASS|FAIL> (PASS needs no socket error at wrk as well)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BUILD=1
[[ ${1:-} == --no-build ]] && BUILD=0
read -r -a CAPS <<<"${RPM_CAPS:-300 600 900}"
((${#CAPS[@]} == 3)) || { echo "RPM_CAPS must name three caps" >&2; exit 2; }
# Three simulated experts of the default catalogue (src/ExpertRouter.Gateway/appsettings.json) at close prices, so
# the fallback cost ratio lets each stand in for the others: index and id.
EXPERT_INDEX=(2 9 6)
EXPERTS=(gpt-4o-mini-2024-07-18 deepseek-v2.5-0908 Meta-Llama-3.1-8B-Instruct)
SUM=$((CAPS[0] + CAPS[1] + CAPS[2]))
RATE=$(awk -v s="$SUM" -v o="${OVERLOAD:-1.5}" 'BEGIN { printf "%.0f", s * o / 60 }')

RESULTS="$BENCH_ROOT/bench/results/capacity-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RESULTS/policies"
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }

BIN=Release/net10.0
if ((BUILD)); then
  log "building the gateway and the CLI (Release)"
  dotnet build "$BENCH_ROOT/src/ExpertRouter.Gateway" -c Release -v q -nologo >"$RESULTS/build.log" 2>&1
  dotnet build "$BENCH_ROOT/src/ExpertRouter.Cli" -c Release -v q -nologo >>"$RESULTS/build.log" 2>&1
fi

# The demo key's tenant, limited to the three experts; no tenant rate limit, so only the experts' quotas refuse.
cat >"$RESULTS/policies/capacity.yaml" <<YAML
id: capacity-bench
apiKeySha256:
  - f4e742cb24caaef44170e369e27465aae6e3316542ead2b79ad95282441d7474  # sk-expertrouter-demo
experts:
  allow: [${EXPERTS[0]}, ${EXPERTS[1]}, ${EXPERTS[2]}]
router:
  name: cheapest
maxCostPerRequestUsd: 0.50
cache:
  enabled: false
YAML
printf '{"model":"auto","messages":[{"role":"user","content":"Explain in two sentences why the sky is blue."}]}' >"$RESULTS/auto.json"

SIM_PORT=$(free_port) GW_PORT=$(free_port) GW_MGMT_PORT=$(free_port)
SIM="http://127.0.0.1:$SIM_PORT"
QUOTAS=()
for i in 0 1 2; do QUOTAS+=("ExpertRouter__Experts__${EXPERT_INDEX[i]}__Capacity__RequestsPerMinute=${CAPS[i]}"); done
start SIM "$RESULTS/simulator.log" dotnet "$BENCH_ROOT/src/ExpertRouter.Cli/bin/$BIN/expertrouter.dll" simulate --urls "$SIM"
start GW "$RESULTS/gateway.log" env ExpertRouter__SimulatorUrl="$SIM/v1" ExpertRouter__Policies="$RESULTS/policies" \
  ExpertRouter__Management__Urls__0="http://127.0.0.1:$GW_MGMT_PORT" Logging__LogLevel__Default=Warning "${QUOTAS[@]}" \
  dotnet "$BENCH_ROOT/src/ExpertRouter.Gateway/bin/$BIN/ExpertRouter.Gateway.dll" --urls "http://127.0.0.1:$GW_PORT"
wait_ready "$SIM/v1/models"
wait_ready "http://127.0.0.1:$GW_PORT/readyz"

# From now to the end of the next whole minute, plus a second so the whole minute's answers are all in.
NOW_MS=$(date +%s%3N)
MINUTE=$((NOW_MS / 60000 + 1))
SECONDS_LEFT=$(((MINUTE + 1) * 60 - NOW_MS / 1000 + 1))
log "caps ${CAPS[*]} (sum $SUM/min), offered $RATE req/s for ${SECONDS_LEFT}s; the whole minute measured starts $(date -u -d "@$((MINUTE * 60))" +%H:%M:%S)"
BENCH_ROOT="$BENCH_ROOT" BENCH_BODY="$RESULTS/auto.json" BENCH_HEADERS="Authorization: Bearer sk-expertrouter-demo" BENCH_RATE="$RATE" \
  wrk -t1 -c16 -d"${SECONDS_LEFT}s" --timeout 10s -s "$BENCH_ROOT/bench/wrk/capacity.lua" "http://127.0.0.1:$GW_PORT/v1/chat/completions" \
  2>"$RESULTS/wrk.stderr" >"$RESULTS/wrk.txt" || true
grep -E '^(RESULT|STATUSES)' "$RESULTS/wrk.txt" >&2 || { cat "$RESULTS/wrk.stderr" >&2; echo "capacity: wrk gave no result" >&2; exit 1; }
curl -fsS "$SIM/v1/simulator/requests" >"$RESULTS/simulator-requests.json"
curl -fsS "http://127.0.0.1:$GW_MGMT_PORT/metrics" | grep -E '^expertrouter_capacity_' >"$RESULTS/capacity-metrics.txt" || true

STATUSES=$(grep '^STATUSES' "$RESULTS/wrk.txt")
# wrk prints this line only when a connection failed, timed out or broke; a clean run has none.
SOCKET_ERRORS=$(grep -oE 'Socket errors:.*' "$RESULTS/wrk.txt" || true)
python3 - "$RESULTS/simulator-requests.json" "$MINUTE" "$STATUSES" "${EXPERTS[*]}" "${CAPS[*]}" "$SOCKET_ERRORS" <<'PY' | tee "$RESULTS/summary.txt"
import json, re, sys
counts, minute, statuses = json.load(open(sys.argv[1])), sys.argv[2], dict(kv.split("=") for kv in sys.argv[3].split()[1:])
experts, caps = sys.argv[4].split(), [int(c) for c in sys.argv[5].split()]
socket_errors = sum(int(n) for n in re.findall(r"\d+", sys.argv[6]))
by_minute = counts.get("chat_by_minute", {})
over, served = 0, 0
for expert, cap in zip(experts, caps):
    minutes = by_minute.get(expert, {})
    worst = max(minutes.values(), default=0)
    over += sum(max(0, n - cap) for n in minutes.values())
    served += minutes.get(minute, 0)
    print(f"{expert}: cap {cap}/min, served {minutes.get(minute, 0)} in the whole minute, at most {worst} in any minute, per minute {minutes}")
others = {m: n for m, n in counts.get("chat", {}).items() if m not in experts}
total = sum(caps)
ratio = served / total
ok = over == 0 and int(statuses["other"]) == 0 and socket_errors == 0 and not others and abs(ratio - 1) <= 0.05
print(f"client answers: 200 {statuses['ok']}, clean 429 {statuses['clean_429']} (Retry-After {statuses['retry_after_min']}..{statuses['retry_after_max']} s), other {statuses['other']}, "
      f"socket errors {socket_errors} ({sys.argv[6] or 'none'}); other experts called: {others or 'none'}")
print(f"capacity rpm_caps={'/'.join(map(str, caps))} served_in_minute={served} sum_of_caps={total} ratio={ratio:.3f} over_cap={over} "
      f"clean_429={statuses['clean_429']} other={statuses['other']} socket_errors={socket_errors} verdict={'PASS' if ok else 'FAIL'}")
sys.exit(0 if ok else 1)
PY
