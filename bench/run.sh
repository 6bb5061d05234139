#!/usr/bin/env bash
# Load benchmark, all on 127.0.0.1: the simulated expert (zero latency) driven directly and through nginx, plain
# YARP, Portkey's gateway and ExpertRouter, in one run, with ratios computed from that same run.
#
#   bench/run.sh [--no-build] [--seconds N] [--rounds N] [--warmup N] [--prewarm N] [--load-budget N]
#
# Every case runs in each of --rounds rounds (3) for --seconds / rounds (12 / 3 = 4 s) after a --warmup (1 s) run,
# so all targets see the same stretches of time on a shared machine. Before round 1 every closed-loop case of a
# JIT-compiled server (.NET, Node) runs once for --prewarm seconds (3), unmeasured, so tiering and PGO settle before
# anything counts (a paced case, or a second connection count, drives a path its server's other case already warmed).
# A run is bounded: the load is planned to fit --load-budget seconds (300), which with start-up (≈ 10 s) keeps a
# run without a build near 5.5 minutes; a plan over it shortens the pre-warm, then the rounds, and says so.
#
# The gateway runs twice side by side: the default JIT build (the rows and the last line) and the natively compiled
# one (deploy/publish-native.sh; its own rows and a summary line), when bench/.out/gateway-native has it.
# A third process, the JIT build with the console on (an admin key set) and nobody watching, runs the routed case
# (gwc_auto): its CPU per request against the control gwx_auto's (below) is the console's cost to the request path.
# A fourth process, the JIT build with in-process quotas on every expert, gives gw_auto_quota: what the capacity
# check costs per routed request against gwx_auto (its own summary line). The control, gwx_auto, is a fifth process:
# the first gateway's build and settings serving only the routed case, as far along tiered compilation as those two
# (gw_auto serves ten cases and is further along, so it is not their comparison).
# Closed-loop cases run on WRK_CONNECTIONS (64) connections: throughput is a server's rate when saturated, and on
# these 2 cores 16 connections left the gateway waiting on hand-offs between threads (routed 10.3k req/s at 16,
# 13.6k at 64, 15k at 256) while nginx and plain YARP also gained. Portkey's gateway, one Node event loop, loses
# throughput with more connections (1,162 req/s at 64 against 1,278 at 16), so it also runs on 16 and every ratio
# divides by its better figure. The paced cases keep PACED_CONNECTIONS (16): at 1k req/s that is plenty.
# The paced cases (1k req/s evenly spaced) run after the rounds, in PACED_SLICES (8) slices of PACED_SLICE_SECONDS (2)
# each, taking turns slice by slice in a rotating order, and their p50 and p99 come from the latencies of all their
# requests together (16,000 a case): a p99 of one 2-second round is its 20th-slowest request, and the VM's hiccups
# moved the control's (plain YARP's) p99 added between -1.2 and +2.5 ms from run to run when each case had its own
# three rounds (bench/README.md).
# Environment: GATEWAY_ENV="DOTNET_gcServer=1 ..." (extra environment of both gateway processes),
# GATEWAY_PUBLISH_ARGS="-p:..." (extra publish properties of the JIT build), WRK_THREADS (1), WRK_CONNECTIONS (64),
# PACED_CONNECTIONS (16), PACED_SLICES (8), PACED_SLICE_SECONDS (2), BENCH_PROMPT_FILE (a text file whose content
# replaces the short default prompt in every case's body but the conversation and RAG cases, whose bodies are
# bench/prompts/{conversation,rag}.json).
# The load part takes about 5 minutes with the defaults; a first build adds a few minutes before it.
# The last line printed is: routed_vs_portkey=<x> routed_vs_yarp=<y> p99_added_ms=<z> yarp_p99_added_ms=<control> rss_mb=<w>
# cpu_routed_vs_explicit=<prompt>,<conversation>,<RAG> (gateway CPU per routed request over per explicit one)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WRK_CONNECTIONS=${WRK_CONNECTIONS:-64} PACED_CONNECTIONS=${PACED_CONNECTIONS:-16}
PACED_SLICES=${PACED_SLICES:-8} PACED_SLICE_SECONDS=${PACED_SLICE_SECONDS:-2}
BUILD=1 CASE_SECONDS=12 WARMUP_SECONDS=1 ROUNDS=3 PREWARM_SECONDS=3 LOAD_BUDGET=300
while (($#)); do
  case $1 in
    --no-build) BUILD=0 ;;
    --seconds) CASE_SECONDS=$2; shift ;;
    --warmup) WARMUP_SECONDS=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --prewarm) PREWARM_SECONDS=$2; shift ;;
    --load-budget) LOAD_BUDGET=$2; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

RESULTS="$BENCH_ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RESULTS"
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

bench_install
((BUILD)) && bench_build
write_bodies "$RESULTS"

SIM_PORT=$(free_port) GW_PORT=$(free_port) YARP_PORT=$(free_port) NGINX_PORT=$(free_port) PK_PORT=$(free_port)
# Each gateway serves /metrics on a management port of its own (ExpertRouter:Management:Urls), as deployed.
GW_MGMT_PORT=$(free_port)
SIM="http://127.0.0.1:$SIM_PORT"
log "simulator $SIM_PORT, gateway $GW_PORT, plain YARP $YARP_PORT, nginx $NGINX_PORT, Portkey $PK_PORT"

start SIM "$RESULTS/simulator.log" dotnet "$BENCH_OUT/cli/expertrouter.dll" simulate --urls "$SIM"
# shellcheck disable=SC2086
start GW "$RESULTS/gateway.log" env ExpertRouter__SimulatorUrl="$SIM/v1" ExpertRouter__Management__Urls__0="http://127.0.0.1:$GW_MGMT_PORT" ${GATEWAY_ENV:-} \
  $(gateway_command gateway) --urls "http://127.0.0.1:$GW_PORT"
# The same build with the console on (an admin key set) and nobody watching: its routed CPU per request against
# the control gwx_auto's (below), in the same rounds, is what the console's decision ring costs the request path (docs/console.md).
GWC_PORT=$(free_port) GWC_MGMT_PORT=$(free_port)
# shellcheck disable=SC2086
start GWC "$RESULTS/gateway-console.log" env ExpertRouter__SimulatorUrl="$SIM/v1" ExpertRouter__Management__Urls__0="http://127.0.0.1:$GWC_MGMT_PORT" \
  ExpertRouter__AdminKeySha256="$(printf '%s' "sk-admin-bench-$RANDOM$RANDOM" | sha256sum | cut -d' ' -f1)" ${GATEWAY_ENV:-} \
  $(gateway_command gateway) --urls "http://127.0.0.1:$GWC_PORT"
# The same JIT build again with quotas (requests, tokens, places in flight) on every chat expert, counted in process
# and far above any load here, so none refuses: its CPU per routed request minus the control process's is what the
# capacity check costs (gw_auto_quota against gwx_auto, same rounds).
GWQ_PORT=$(free_port) GWQ_MGMT_PORT=$(free_port)
GWQ_QUOTAS=()
for i in $(seq 0 11); do
  GWQ_QUOTAS+=("ExpertRouter__Experts__${i}__Capacity__RequestsPerMinute=1000000000" "ExpertRouter__Experts__${i}__Capacity__TokensPerMinute=2000000000"
    "ExpertRouter__Experts__${i}__Capacity__MaxConcurrency=100000")
done
# shellcheck disable=SC2086
start GWQ "$RESULTS/gateway-quotas.log" env ExpertRouter__SimulatorUrl="$SIM/v1" ExpertRouter__Management__Urls__0="http://127.0.0.1:$GWQ_MGMT_PORT" ${GATEWAY_ENV:-} \
  "${GWQ_QUOTAS[@]}" $(gateway_command gateway) --urls "http://127.0.0.1:$GWQ_PORT"
# The control for the two above: the first gateway's build and settings in a process of its own that, like them, serves
# only one routed case. A process that serves one case is less far along tiered compilation than the first gateway,
# which serves ten, so gwc_auto and gw_auto_quota are compared with gwx_auto, not with gw_auto.
GWX_PORT=$(free_port) GWX_MGMT_PORT=$(free_port)
# shellcheck disable=SC2086
start GWX "$RESULTS/gateway-control.log" env ExpertRouter__SimulatorUrl="$SIM/v1" ExpertRouter__Management__Urls__0="http://127.0.0.1:$GWX_MGMT_PORT" ${GATEWAY_ENV:-} \
  $(gateway_command gateway) --urls "http://127.0.0.1:$GWX_PORT"
GWN_PID=""
if [[ -x "$BENCH_OUT/gateway-native/ExpertRouter.Gateway" ]]; then
  GWN_PORT=$(free_port) GWN_MGMT_PORT=$(free_port)
  # shellcheck disable=SC2086
  start GWN "$RESULTS/gateway-native.log" env ExpertRouter__SimulatorUrl="$SIM/v1" ExpertRouter__Management__Urls__0="http://127.0.0.1:$GWN_MGMT_PORT" ${GATEWAY_ENV:-} \
    "$BENCH_OUT/gateway-native/ExpertRouter.Gateway" --urls "http://127.0.0.1:$GWN_PORT"
fi
start YARP "$RESULTS/plainyarp.log" dotnet "$BENCH_OUT/plainyarp/ExpertRouter.PlainYarp.dll" \
  --urls "http://127.0.0.1:$YARP_PORT" --upstream "$SIM/"

mkdir -p "$RESULTS/nginx/tmp"
sed -e "s/@NGINX_PORT@/$NGINX_PORT/" -e "s/@SIM_PORT@/$SIM_PORT/" -e "s|@TMP@|$RESULTS/nginx/tmp|" \
  "$BENCH_ROOT/bench/nginx.conf.template" >"$RESULTS/nginx/nginx.conf"
start NGINX "$RESULTS/nginx/stderr.log" nginx -p "$RESULTS/nginx" -c "$RESULTS/nginx/nginx.conf" \
  -e "$RESULTS/nginx/error.log" -g 'daemon off;'
# Portkey listens on every interface (its CLI has no host option); it is only ever driven through 127.0.0.1.
start PK "$RESULTS/portkey.log" node "$BENCH_PORTKEY/node_modules/@portkey-ai/gateway/build/start-server.js" \
  --headless --port="$PK_PORT"

GW_HEADERS="Authorization: Bearer sk-expertrouter-demo"
ANTHROPIC_HEADERS="x-api-key: sk-expertrouter-demo|anthropic-version: 2023-06-01"
PK_HEADERS="Authorization: Bearer sk-bench|x-portkey-provider: openai|x-portkey-custom-host: $SIM/v1"
wait_ready "$SIM/v1/models"
wait_ready "http://127.0.0.1:$GW_PORT/readyz"
wait_ready "http://127.0.0.1:$GWC_PORT/readyz"
wait_ready "http://127.0.0.1:$GWQ_PORT/readyz"
wait_ready "http://127.0.0.1:$GWX_PORT/readyz"
[[ -z $GWN_PID ]] || wait_ready "http://127.0.0.1:$GWN_PORT/readyz"
wait_ready "http://127.0.0.1:$YARP_PORT/v1/models"
wait_ready "http://127.0.0.1:$NGINX_PORT/v1/models"
wait_ready "http://127.0.0.1:$PK_PORT/v1/chat/completions" -X POST -H 'Content-Type: application/json' \
  -H 'x-portkey-provider: openai' -H "x-portkey-custom-host: $SIM/v1" -H 'Authorization: Bearer sk-bench' \
  --data-binary "@$RESULTS/explicit.json"
log "all servers ready"

declare -A RPS P50 P99 ERRORS RSS REQUESTS MICROS P50S P99S TICKS ALLOC CPU_US ALLOC_KB JIT
GW_METRICS="http://127.0.0.1:$GW_MGMT_PORT/metrics"
GWC_METRICS="http://127.0.0.1:$GWC_MGMT_PORT/metrics"
GWN_METRICS="http://127.0.0.1:${GWN_MGMT_PORT:-0}/metrics"
GWQ_METRICS="http://127.0.0.1:$GWQ_MGMT_PORT/metrics"
GWX_METRICS="http://127.0.0.1:$GWX_MGMT_PORT/metrics"
CLOCK_TICKS=$(getconf CLK_TCK)

# bench_case ID PID URL BODY HEADERS RATE CONNECTIONS [SECONDS] [WARMUP] [HISTOGRAM]: one round of a case; rounds add up
# (req/s = all requests / all time; p50 and p99 = median over rounds, or over all requests of a case with a
# HISTOGRAM file), so a neighbour's burst hits every target a little, not one target a lot.
bench_case() {
  local id=$1 pid=$2 url=$3 body=$4 headers=$5 rate=$6 connections=$7 seconds=${8:-$ROUND_SECONDS}
  local warmup=${9:-$WARMUP_SECONDS} histogram=${10:-} line
  local ticks alloc=0 jit=0
  ((warmup == 0)) || run_wrk "$url" "$body" "$headers" "$rate" "$warmup" "$connections" >/dev/null
  ticks=$(cpu_ticks "$pid")
  local metrics=""
  [[ $pid != "$GW_PID" ]] || metrics=$GW_METRICS
  [[ $pid != "$GWC_PID" ]] || metrics=$GWC_METRICS
  [[ -z $GWN_PID || $pid != "$GWN_PID" ]] || metrics=$GWN_METRICS
  [[ $pid != "$GWQ_PID" ]] || metrics=$GWQ_METRICS
  [[ $pid != "$GWX_PID" ]] || metrics=$GWX_METRICS
  [[ -z $metrics ]] || { alloc=$(allocated_bytes "$metrics"); jit=$(jit_ms "$metrics"); }
  line=$(run_wrk "$url" "$body" "$headers" "$rate" "$seconds" "$connections" "$histogram")
  TICKS[$id]=$((${TICKS[$id]:-0} + $(cpu_ticks "$pid") - ticks))
  [[ -z $metrics ]] || ALLOC[$id]=$((${ALLOC[$id]:-0} + $(allocated_bytes "$metrics") - alloc))
  [[ -z $metrics ]] || JIT[$id]=$((${JIT[$id]:-0} + $(jit_ms "$metrics") - jit))
  echo "round=$round $id $line" >>"$RESULTS/raw.txt"
  REQUESTS[$id]=$((${REQUESTS[$id]:-0} + $(field "$line" requests)))
  MICROS[$id]=$((${MICROS[$id]:-0} + $(field "$line" duration_us)))
  P50S[$id]="${P50S[$id]:-} $(field "$line" p50_us)"
  P99S[$id]="${P99S[$id]:-} $(field "$line" p99_us)"
  ERRORS[$id]=$((${ERRORS[$id]:-0} + $(field "$line" errors) + $(field "$line" non2xx)))
  RSS[$id]=$(peak_rss_mb "$pid")
}

# histogram_ms FILE PERCENTILE: the percentile of every request whose latency run_wrk appended to FILE, in ms.
histogram_ms() {
  sort -n -k1,1 "$1" | awk -v p="$2" '{ v[NR] = $1; c[NR] = $2; n += $2 }
    END { need = n * p / 100; for (i = 1; i <= NR; i++) { seen += c[i]; if (seen >= need) { printf "%.2f", v[i] / 1000; exit } } }'
}

median_ms() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) / 1000 }'; }

CHAT=/v1/chat/completions
GW="http://127.0.0.1:$GW_PORT$CHAT"
GWN="http://127.0.0.1:${GWN_PORT:-0}$CHAT"
GWN_PID_OR_NOTE=${GWN_PID:-"n/a: bench/.out/gateway-native not published"}
# req/s in all, one request every 1 ms over PACED_CONNECTIONS (bench/wrk/chat.lua keeps one schedule for all of them)
PACED_RATE=1000

# A cache hit is only measured when the gateway says so: a response header naming a cache with the value "hit".
CACHE_NOTE=""
curl -s -o /dev/null -H "$GW_HEADERS" -H 'Content-Type: application/json' --data-binary "@$RESULTS/cache.json" "$GW"
if ! curl -s -D - -o /dev/null -H "$GW_HEADERS" -H 'Content-Type: application/json' --data-binary "@$RESULTS/cache.json" "$GW" \
  | grep -iE '^x-[a-z-]*cache[a-z-]*:.*hit' >/dev/null; then
  CACHE_NOTE="n/a: the gateway answered a repeated temperature-0 request without a cache-hit header"
fi

# id;label;pid;url;body;headers;rate in req/s, 0 = closed loop;connections, empty = WRK_CONNECTIONS for a closed
# loop, PACED_CONNECTIONS for a paced case (";" because headers use "|"); a third field "n/a: ..." is reported, not run.
CASES=(
  "direct;direct to simulator, explicit;$SIM_PID;$SIM$CHAT;explicit;$GW_HEADERS;0"
  "nginx;nginx, explicit;$NGINX_PID;http://127.0.0.1:$NGINX_PORT$CHAT;explicit;$GW_HEADERS;0"
  "yarp;plain YARP, explicit;$YARP_PID;http://127.0.0.1:$YARP_PORT$CHAT;explicit;$GW_HEADERS;0"
  "portkey;Portkey 1.15.2, explicit;$PK_PID;http://127.0.0.1:$PK_PORT$CHAT;explicit;$PK_HEADERS;0"
  "portkey_c16;Portkey 1.15.2, explicit, 16 connections;$PK_PID;http://127.0.0.1:$PK_PORT$CHAT;explicit;$PK_HEADERS;0;16"
  "gw_explicit;ExpertRouter, explicit model;$GW_PID;$GW;explicit;$GW_HEADERS;0"
  "gw_auto;ExpertRouter, auto (routed);$GW_PID;$GW;auto;$GW_HEADERS;0"
  "gw_conv_explicit;ExpertRouter, conversation (10 turns, ~2k tokens), explicit model;$GW_PID;$GW;conversation_explicit;$GW_HEADERS;0"
  "gw_conv_auto;ExpertRouter, conversation (10 turns, ~2k tokens), auto (routed);$GW_PID;$GW;conversation_auto;$GW_HEADERS;0"
  "gw_rag_explicit;ExpertRouter, RAG (~4k tokens), explicit model;$GW_PID;$GW;rag_explicit;$GW_HEADERS;0"
  "gw_rag_auto;ExpertRouter, RAG (~4k tokens), auto (routed);$GW_PID;$GW;rag_auto;$GW_HEADERS;0"
  "gwc_auto;ExpertRouter, auto (routed), console on, nobody watching;$GWC_PID;http://127.0.0.1:$GWC_PORT$CHAT;auto;$GW_HEADERS;0"
  "gw_auto_quota;ExpertRouter, auto (routed), quotas in process on every expert;$GWQ_PID;http://127.0.0.1:$GWQ_PORT$CHAT;auto;$GW_HEADERS;0"
  "gwx_auto;ExpertRouter, auto (routed), control process (one case, as the two above);$GWX_PID;http://127.0.0.1:$GWX_PORT$CHAT;auto;$GW_HEADERS;0"
  "gw_responses;ExpertRouter, auto (routed), /v1/responses;$GW_PID;http://127.0.0.1:$GW_PORT/v1/responses;responses;$GW_HEADERS;0"
  "gw_messages;ExpertRouter, auto (routed), /v1/messages;$GW_PID;http://127.0.0.1:$GW_PORT/v1/messages;messages;$ANTHROPIC_HEADERS;0"
  "gwn_explicit;ExpertRouter native (AOT), explicit model;$GWN_PID_OR_NOTE;$GWN;explicit;$GW_HEADERS;0"
  "gwn_auto;ExpertRouter native (AOT), auto (routed);$GWN_PID_OR_NOTE;$GWN;auto;$GW_HEADERS;0"
  "direct_stream;direct to simulator, streaming;$SIM_PID;$SIM$CHAT;stream;$GW_HEADERS;0"
  "nginx_stream;nginx, streaming;$NGINX_PID;http://127.0.0.1:$NGINX_PORT$CHAT;stream;$GW_HEADERS;0"
  "yarp_stream;plain YARP, streaming;$YARP_PID;http://127.0.0.1:$YARP_PORT$CHAT;stream;$GW_HEADERS;0"
  "portkey_stream;Portkey 1.15.2, streaming;n/a: fails on Node 20 with TypeError: immutable"
  "gw_stream;ExpertRouter, streaming;$GW_PID;$GW;stream;$GW_HEADERS;0"
  "gw_cache;ExpertRouter, cache hit (auto, temperature 0);${CACHE_NOTE:-$GW_PID;$GW;cache;$GW_HEADERS;0}"
  "direct_1k;direct to simulator, 1k req/s evenly spaced;$SIM_PID;$SIM$CHAT;explicit;$GW_HEADERS;$PACED_RATE"
  "gw_auto_1k;ExpertRouter, auto, 1k req/s evenly spaced;$GW_PID;$GW;auto;$GW_HEADERS;$PACED_RATE"
  "yarp_1k;plain YARP, explicit, 1k req/s evenly spaced (control);$YARP_PID;http://127.0.0.1:$YARP_PORT$CHAT;explicit;$GW_HEADERS;$PACED_RATE"
  "gwn_auto_1k;ExpertRouter native (AOT), auto, 1k req/s evenly spaced;$GWN_PID_OR_NOTE;$GWN;auto;$GW_HEADERS;$PACED_RATE"
)

# connections_of RATE CONNECTIONS: a case's connection count.
connections_of() { if [[ -n $2 ]]; then echo "$2"; elif (($1 > 0)); then echo "$PACED_CONNECTIONS"; else echo "$WRK_CONNECTIONS"; fi; }
# needs_prewarm ID RATE: whether a case is pre-warmed. Only servers with a JIT need it: not nginx, not the native
# gateway; a paced case and a second connection count drive a path their server's other case already warmed.
needs_prewarm() { ! { (($2 > 0)) || [[ $1 == nginx || $1 == gwn_* || $1 == *_c16 ]]; }; }

ROUND_SECONDS=$(((CASE_SECONDS + ROUNDS - 1) / ROUNDS))
MEASURED=0 PREWARMED=0 PACED=()
for spec in "${CASES[@]}"; do
  IFS=';' read -r id _ pid _ _ _ rate _ <<<"$spec"
  [[ $pid == n/a* ]] && continue
  if ((rate > 0)); then
    PACED+=("$spec")
    continue
  fi
  MEASURED=$((MEASURED + 1))
  ! needs_prewarm "$id" "$rate" || PREWARMED=$((PREWARMED + 1))
done
planned_load() {
  echo $((PREWARMED * PREWARM_SECONDS + MEASURED * ROUNDS * (WARMUP_SECONDS + ROUND_SECONDS)
    + ${#PACED[@]} * (WARMUP_SECONDS + PACED_SLICES * PACED_SLICE_SECONDS)))
}
PLANNED=$(planned_load)
while (($(planned_load) > LOAD_BUDGET && PREWARM_SECONDS > 2)); do PREWARM_SECONDS=$((PREWARM_SECONDS - 1)); done
while (($(planned_load) > LOAD_BUDGET && ROUND_SECONDS > 1)); do ROUND_SECONDS=$((ROUND_SECONDS - 1)); done
if (($(planned_load) != PLANNED)); then
  log "the plan ($PLANNED s of load) is over --load-budget $LOAD_BUDGET s: pre-warm ${PREWARM_SECONDS}s, rounds ${ROUND_SECONDS}s"
fi
if (($(planned_load) > LOAD_BUDGET)); then
  log "still over --load-budget at the shortest pre-warm and rounds: fewer --rounds or a shorter --warmup would fit"
fi
log "$((MEASURED + ${#PACED[@]})) cases, $(planned_load) s of load planned"
LOAD_STARTED=$SECONDS
if ((PREWARM_SECONDS > 0)); then
  log "pre-warm: $PREWARMED closed-loop cases on JIT-compiled servers once for ${PREWARM_SECONDS}s, not measured"
  for spec in "${CASES[@]}"; do
    IFS=';' read -r id _ pid url body headers rate connections <<<"$spec"
    [[ $pid == n/a* ]] || ! needs_prewarm "$id" "$rate" \
      || run_wrk "$url" "$RESULTS/$body.json" "$headers" "$rate" "$PREWARM_SECONDS" "$(connections_of "$rate" "$connections")" >/dev/null
  done
fi
for ((round = 1; round <= ROUNDS; round++)); do
  log "round $round of $ROUNDS: $MEASURED cases, ${WARMUP_SECONDS}s warm-up + ${ROUND_SECONDS}s each"
  for spec in "${CASES[@]}"; do
    IFS=';' read -r id _ pid url body headers rate connections <<<"$spec"
    [[ $pid == n/a* ]] || ((rate > 0)) || bench_case "$id" "$pid" "$url" "$RESULTS/$body.json" "$headers" "$rate" "$(connections_of "$rate" "$connections")"
  done
done
log "paced: ${#PACED[@]} cases at $PACED_RATE req/s, $PACED_SLICES slices of ${PACED_SLICE_SECONDS}s each, taking turns"
for ((slice = 0; slice < PACED_SLICES; slice++)); do
  round=paced-$((slice + 1))
  for ((k = 0; k < ${#PACED[@]}; k++)); do
    # A rotating order: no case always runs right after the same neighbour.
    IFS=';' read -r id _ pid url body headers rate connections <<<"${PACED[(k + slice) % ${#PACED[@]}]}"
    bench_case "$id" "$pid" "$url" "$RESULTS/$body.json" "$headers" "$rate" "$(connections_of "$rate" "$connections")" \
      "$PACED_SLICE_SECONDS" "$((slice == 0 ? WARMUP_SECONDS : 0))" "$RESULTS/latency-$id.txt"
  done
done

ROWS=()
for spec in "${CASES[@]}"; do
  IFS=';' read -r id label pid _ <<<"$spec"
  if [[ $pid == n/a* ]]; then
    ROWS+=("$id|$label|$pid")
    continue
  fi
  RPS[$id]=$(awk -v n="${REQUESTS[$id]}" -v us="${MICROS[$id]}" 'BEGIN { printf "%.0f", n / (us / 1e6) }')
  if [[ -s $RESULTS/latency-$id.txt ]]; then
    P50[$id]=$(histogram_ms "$RESULTS/latency-$id.txt" 50)
    P99[$id]=$(histogram_ms "$RESULTS/latency-$id.txt" 99)
  else
    P50[$id]=$(median_ms "${P50S[$id]}")
    P99[$id]=$(median_ms "${P99S[$id]}")
  fi
  # Server CPU time over requests served: still meaningful on a busy machine, where req/s is not.
  CPU_US[$id]=$(awk -v t="${TICKS[$id]}" -v hz="$CLOCK_TICKS" -v n="${REQUESTS[$id]}" 'BEGIN { if (n > 0) printf "%.0f", t * 1e6 / hz / n; else print "n/a" }')
  ALLOC_KB[$id]=$(awk -v b="${ALLOC[$id]:-}" -v n="${REQUESTS[$id]}" 'BEGIN { if (b != "" && n > 0) printf "%.1f", b / 1024 / n; else print "-" }')
  ROWS+=("$id|$label")
done

source "$BENCH_ROOT/bench/report.sh"
# Logged before the report, whose last line must stay the ratios line.
log "load took $((SECONDS - LOAD_STARTED)) s ($(planned_load) s planned); the whole run $SECONDS s"
report | tee "$RESULTS/summary.md"
