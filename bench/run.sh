#!/usr/bin/env bash
# Load benchmark, all on 127.0.0.1: the simulated expert (zero latency) driven directly and through nginx, plain
# YARP, Portkey's gateway and ExpertRouter, in one run, with ratios computed from that same run.
#
#   bench/run.sh [--no-build] [--seconds N] [--warmup N]
#
# Environment: GATEWAY_ENV="DOTNET_gcServer=1 ..." (extra environment of the gateway process),
# GATEWAY_PUBLISH_ARGS="-p:..." (extra publish properties), WRK_THREADS (1), WRK_CONNECTIONS (16).
# The load part takes about 3.5 minutes with the defaults; a first build adds a few minutes before it.
# The last line printed is: routed_vs_portkey=<x> routed_vs_yarp=<y> p99_added_ms=<z> rss_mb=<w>
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BUILD=1 CASE_SECONDS=10 WARMUP_SECONDS=2
while (($#)); do
  case $1 in
    --no-build) BUILD=0 ;;
    --seconds) CASE_SECONDS=$2; shift ;;
    --warmup) WARMUP_SECONDS=$2; shift ;;
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
SIM="http://127.0.0.1:$SIM_PORT"
log "simulator $SIM_PORT, gateway $GW_PORT, plain YARP $YARP_PORT, nginx $NGINX_PORT, Portkey $PK_PORT"

start SIM "$RESULTS/simulator.log" dotnet "$BENCH_OUT/cli/expertrouter.dll" simulate --urls "$SIM"
# shellcheck disable=SC2086
start GW "$RESULTS/gateway.log" env ExpertRouter__SimulatorUrl="$SIM/v1" ${GATEWAY_ENV:-} \
  dotnet "$BENCH_OUT/gateway/ExpertRouter.Gateway.dll" --urls "http://127.0.0.1:$GW_PORT"
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
PK_HEADERS="Authorization: Bearer sk-bench|x-portkey-provider: openai|x-portkey-custom-host: $SIM/v1"
wait_ready "$SIM/v1/models"
wait_ready "http://127.0.0.1:$GW_PORT/readyz"
wait_ready "http://127.0.0.1:$YARP_PORT/v1/models"
wait_ready "http://127.0.0.1:$NGINX_PORT/v1/models"
wait_ready "http://127.0.0.1:$PK_PORT/v1/chat/completions" -X POST -H 'Content-Type: application/json' \
  -H 'x-portkey-provider: openai' -H "x-portkey-custom-host: $SIM/v1" -H 'Authorization: Bearer sk-bench' \
  --data-binary "@$RESULTS/explicit.json"
log "all servers ready"

declare -A RPS P50 P99 ERRORS RSS
ROWS=()

# bench_case ID LABEL TARGET_PID URL BODY HEADERS DELAY_MS
bench_case() {
  local id=$1 label=$2 pid=$3 url=$4 body=$5 headers=$6 delay=$7 line
  log "case $id: warm-up ${WARMUP_SECONDS}s, measure ${CASE_SECONDS}s"
  run_wrk "$url" "$body" "$headers" "$delay" "$WARMUP_SECONDS" >/dev/null
  line=$(run_wrk "$url" "$body" "$headers" "$delay" "$CASE_SECONDS")
  echo "$id $line" >>"$RESULTS/raw.txt"
  RPS[$id]=$(awk -v n="$(field "$line" requests)" -v us="$(field "$line" duration_us)" 'BEGIN { printf "%.0f", n / (us / 1e6) }')
  P50[$id]=$(awk -v us="$(field "$line" p50_us)" 'BEGIN { printf "%.2f", us / 1000 }')
  P99[$id]=$(awk -v us="$(field "$line" p99_us)" 'BEGIN { printf "%.2f", us / 1000 }')
  ERRORS[$id]=$(($(field "$line" errors) + $(field "$line" non2xx)))
  RSS[$id]=$(peak_rss_mb "$pid")
  ROWS+=("$id|$label")
}

not_run() { ROWS+=("$1|$2|$3"); }

CHAT=/v1/chat/completions
PACED_RATE=1000   # req/s in all: each connection pauses connections * 1000 / rate ms between requests
PACED_DELAY_MS=$((${WRK_CONNECTIONS:-16} * 1000 / PACED_RATE))
bench_case direct "direct to simulator, explicit" "$SIM_PID" "$SIM$CHAT" "$RESULTS/explicit.json" "$GW_HEADERS" 0
bench_case nginx "nginx, explicit" "$NGINX_PID" "http://127.0.0.1:$NGINX_PORT$CHAT" "$RESULTS/explicit.json" "$GW_HEADERS" 0
bench_case yarp "plain YARP, explicit" "$YARP_PID" "http://127.0.0.1:$YARP_PORT$CHAT" "$RESULTS/explicit.json" "$GW_HEADERS" 0
bench_case portkey "Portkey 1.15.2, explicit" "$PK_PID" "http://127.0.0.1:$PK_PORT$CHAT" "$RESULTS/explicit.json" "$PK_HEADERS" 0
bench_case gw_explicit "ExpertRouter, explicit model" "$GW_PID" "http://127.0.0.1:$GW_PORT$CHAT" "$RESULTS/explicit.json" "$GW_HEADERS" 0
bench_case gw_auto "ExpertRouter, auto (routed)" "$GW_PID" "http://127.0.0.1:$GW_PORT$CHAT" "$RESULTS/auto.json" "$GW_HEADERS" 0
bench_case direct_stream "direct to simulator, streaming" "$SIM_PID" "$SIM$CHAT" "$RESULTS/stream.json" "$GW_HEADERS" 0
bench_case nginx_stream "nginx, streaming" "$NGINX_PID" "http://127.0.0.1:$NGINX_PORT$CHAT" "$RESULTS/stream.json" "$GW_HEADERS" 0
bench_case yarp_stream "plain YARP, streaming" "$YARP_PID" "http://127.0.0.1:$YARP_PORT$CHAT" "$RESULTS/stream.json" "$GW_HEADERS" 0
not_run portkey_stream "Portkey 1.15.2, streaming" "n/a: fails on Node 20 with TypeError: immutable"
bench_case gw_stream "ExpertRouter, streaming" "$GW_PID" "http://127.0.0.1:$GW_PORT$CHAT" "$RESULTS/stream.json" "$GW_HEADERS" 0

# A cache hit is only measured when the gateway says so: a response header naming a cache with the value "hit".
curl -s -o /dev/null -H "${GW_HEADERS}" -H 'Content-Type: application/json' --data-binary "@$RESULTS/cache.json" "http://127.0.0.1:$GW_PORT$CHAT"
if curl -s -D - -o /dev/null -H "${GW_HEADERS}" -H 'Content-Type: application/json' --data-binary "@$RESULTS/cache.json" \
  "http://127.0.0.1:$GW_PORT$CHAT" | grep -iE '^x-[a-z-]*cache[a-z-]*:.*hit' >/dev/null; then
  bench_case gw_cache "ExpertRouter, cache hit (auto, temperature 0)" "$GW_PID" "http://127.0.0.1:$GW_PORT$CHAT" "$RESULTS/cache.json" "$GW_HEADERS" 0
else
  not_run gw_cache "ExpertRouter, cache hit" "n/a: the gateway answered a repeated temperature-0 request without a cache-hit header"
fi

bench_case direct_1k "direct to simulator, paced ~1k req/s" "$SIM_PID" "$SIM$CHAT" "$RESULTS/explicit.json" "$GW_HEADERS" "$PACED_DELAY_MS"
bench_case gw_auto_1k "ExpertRouter, auto, paced ~1k req/s" "$GW_PID" "http://127.0.0.1:$GW_PORT$CHAT" "$RESULTS/auto.json" "$GW_HEADERS" "$PACED_DELAY_MS"

source "$BENCH_ROOT/bench/report.sh"
report | tee "$RESULTS/summary.md"
