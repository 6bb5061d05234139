#!/usr/bin/env bash
# Bytes allocated per request, by type and by allocating stack, for the explicit and the routed chat body: the
# simulator and the published gateway (bench/.out, from bench/run.sh or --build) on 127.0.0.1, each body warmed with
# wrk, then a dotnet-trace of the runtime's allocation samples (GCAllocationTick, about one per 100 KB, with stacks)
# taken while wrk drives that body for --seconds, read by bench/ExpertRouter.AllocationTrace over the requests wrk
# finished.
#
#   bench/alloc.sh [--build] [--seconds N] [--rows N]      (BENCH_PROMPT_FILE as in run.sh)
#
# Results in bench/results/alloc-<time>/{explicit,auto}.txt; dotnet-trace is installed into bench/.out/tools.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BUILD=0 SECONDS_TRACED=5 ROWS=40
while (($#)); do
  case $1 in
    --build) BUILD=1 ;;
    --seconds) SECONDS_TRACED=$2; shift ;;
    --rows) ROWS=$2; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

RESULTS="$BENCH_ROOT/bench/results/alloc-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RESULTS"
trap bench_cleanup EXIT
bench_install
if ((BUILD)); then
  dotnet publish "$BENCH_ROOT/src/ExpertRouter.Cli" -c Release -o "$BENCH_OUT/cli" --nologo -v quiet >/dev/null
  dotnet publish "$BENCH_ROOT/src/ExpertRouter.Gateway" -c Release -o "$BENCH_OUT/gateway" --nologo -v quiet >/dev/null
fi
TRACE="$BENCH_OUT/tools/dotnet-trace"
[[ -x $TRACE ]] || dotnet tool install dotnet-trace --tool-path "$BENCH_OUT/tools" >/dev/null
dotnet build "$BENCH_ROOT/bench/ExpertRouter.AllocationTrace" -c Release --nologo -v quiet >/dev/null
READER="$BENCH_ROOT/bench/ExpertRouter.AllocationTrace/bin/Release/net10.0/ExpertRouter.AllocationTrace.dll"
write_bodies "$RESULTS"

SIM_PORT=$(free_port) GW_PORT=$(free_port) MGMT_PORT=$(free_port)
start SIM "$RESULTS/simulator.log" dotnet "$BENCH_OUT/cli/expertrouter.dll" simulate --urls "http://127.0.0.1:$SIM_PORT"
start GW "$RESULTS/gateway.log" env ExpertRouter__SimulatorUrl="http://127.0.0.1:$SIM_PORT/v1" \
  ExpertRouter__Management__Urls__0="http://127.0.0.1:$MGMT_PORT" dotnet "$BENCH_OUT/gateway/ExpertRouter.Gateway.dll" --urls "http://127.0.0.1:$GW_PORT"
URL="http://127.0.0.1:$GW_PORT/v1/chat/completions"
HEADERS="Authorization: Bearer sk-expertrouter-demo"
wait_ready "http://127.0.0.1:$SIM_PORT/v1/models"
wait_ready "http://127.0.0.1:$GW_PORT/readyz"
for body in explicit auto explicit auto; do
  run_wrk "$URL" "$RESULTS/$body.json" "$HEADERS" 0 6 32 >/dev/null
done
for body in explicit auto; do
  "$TRACE" collect -p "$GW_PID" --providers Microsoft-Windows-DotNETRuntime:0x1:5 -o "$RESULTS/$body.nettrace" \
    --duration "00:00:00:$(printf '%02d' $((SECONDS_TRACED + 3)))" >"$RESULTS/trace-$body.log" 2>&1 &
  tracer=$!
  sleep 1.5
  line=$(run_wrk "$URL" "$RESULTS/$body.json" "$HEADERS" 0 "$SECONDS_TRACED" 16)
  wait "$tracer"
  requests=$(field "$line" requests)
  dotnet "$READER" "$RESULTS/$body.nettrace" "$requests" "$ROWS" >"$RESULTS/$body.txt"
  log "$body: $(head -1 "$RESULTS/$body.txt")"
done
log "results in $RESULTS"
