#!/usr/bin/env bash
# Runtime knobs for the gateway, measured on the routed (auto) case against one simulator, on 127.0.0.1:
# workstation vs server GC, concurrent GC, tiered PGO, tiered compilation, ReadyToRun. Each variant gets a fresh
# gateway process; rounds alternate the order so a busy neighbour does not always hit the same variant.
#
#   bench/knobs.sh [--no-build] [--seconds N] [--warmup N] [--rounds N] [--only REGEX]
#
# About 20 s per variant per round (start, warm-up, measure); 10 variants x 2 rounds is about 7 minutes.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BUILD=1 CASE_SECONDS=10 WARMUP_SECONDS=3 ROUNDS=2 ONLY=.
while (($#)); do
  case $1 in
    --no-build) BUILD=0 ;;
    --seconds) CASE_SECONDS=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --warmup) WARMUP_SECONDS=$2; shift ;;
    --only) ONLY=$2; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

RESULTS="$BENCH_ROOT/bench/results/knobs-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RESULTS"
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

bench_install
if ((BUILD)); then
  bench_build
  log "publishing the ReadyToRun gateway into bench/.out/gateway-r2r"
  dotnet publish "$BENCH_ROOT/src/ExpertRouter.Gateway" -c Release -r linux-x64 --self-contained false \
    -p:PublishReadyToRun=true -o "$BENCH_OUT/gateway-r2r" --nologo -v quiet >/dev/null
fi
write_bodies "$RESULTS"

# name|gateway folder|environment
VARIANTS=(
  "shipped defaults|gateway|"
  "server GC|gateway|DOTNET_gcServer=1"
  "workstation, non-concurrent GC|gateway|DOTNET_gcConcurrent=0"
  "tiered PGO off|gateway|DOTNET_TieredPGO=0"
  "tiered compilation off|gateway|DOTNET_TieredCompilation=0"
  "ReadyToRun|gateway-r2r|"
  "ReadyToRun + server GC|gateway-r2r|DOTNET_gcServer=1"
  "thread pool: no spinning before parking|gateway|DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0"
  "socket completions inline on the epoll thread|gateway|DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1"
  "segments GC instead of regions (libclrgc.so)|gateway|DOTNET_GCName=libclrgc.so"
  "Native AOT (deploy/publish-native.sh)|gateway-native|"
)

mapfile -t VARIANTS < <(printf '%s\n' "${VARIANTS[@]}" | grep -E -- "^[^|]*($ONLY)")
SIM_PORT=$(free_port)
SIM="http://127.0.0.1:$SIM_PORT"
start SIM "$RESULTS/simulator.log" dotnet "$BENCH_OUT/cli/expertrouter.dll" simulate --urls "$SIM"
wait_ready "$SIM/v1/models"

declare -A RPS_SUM P99_SUM RSS_MAX READY_SUM CPU_SUM
for ((round = 0; round < ROUNDS; round++)); do
  order=("${VARIANTS[@]}")
  if ((round % 2)); then
    mapfile -t order < <(printf '%s\n' "${VARIANTS[@]}" | tac)
  fi
  for variant in "${order[@]}"; do
    IFS='|' read -r name folder environment <<<"$variant"
    port=$(free_port)
    started=$(date +%s.%N)
    # shellcheck disable=SC2086
    start GW "$RESULTS/gateway-$round.log" env ExpertRouter__SimulatorUrl="$SIM/v1" $environment \
      $(gateway_command "$folder") --urls "http://127.0.0.1:$port"
    wait_ready "http://127.0.0.1:$port/readyz"
    ready=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
    url="http://127.0.0.1:$port/v1/chat/completions"
    run_wrk "$url" "$RESULTS/auto.json" "Authorization: Bearer sk-expertrouter-demo" 0 "$WARMUP_SECONDS" >/dev/null
    ticks=$(cpu_ticks "$GW_PID")
    line=$(run_wrk "$url" "$RESULTS/auto.json" "Authorization: Bearer sk-expertrouter-demo" 0 "$CASE_SECONDS")
    ticks=$(($(cpu_ticks "$GW_PID") - ticks))
    rss=$(peak_rss_mb "$GW_PID")
    stop "$GW_PID"
    rps=$(awk -v n="$(field "$line" requests)" -v us="$(field "$line" duration_us)" 'BEGIN { printf "%.0f", n / (us / 1e6) }')
    p99=$(awk -v us="$(field "$line" p99_us)" 'BEGIN { printf "%.2f", us / 1000 }')
    # Gateway CPU time over requests served, as bench/run.sh reports it.
    cpu=$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$(field "$line" requests)" 'BEGIN { printf "%.0f", (n > 0 ? t * 1e6 / hz / n : 0) }')
    echo "round=$round variant=\"$name\" ready_s=$ready rps=$rps p99_ms=$p99 rss_mb=$rss cpu_us=$cpu $line" | tee -a "$RESULTS/raw.txt" >&2
    CPU_SUM[$name]=$(awk -v a="${CPU_SUM[$name]:-0}" -v b="$cpu" 'BEGIN { print a + b }')
    RPS_SUM[$name]=$(awk -v a="${RPS_SUM[$name]:-0}" -v b="$rps" 'BEGIN { print a + b }')
    P99_SUM[$name]=$(awk -v a="${P99_SUM[$name]:-0}" -v b="$p99" 'BEGIN { print a + b }')
    READY_SUM[$name]=$(awk -v a="${READY_SUM[$name]:-0}" -v b="$ready" 'BEGIN { print a + b }')
    RSS_MAX[$name]=$(( rss > ${RSS_MAX[$name]:-0} ? rss : ${RSS_MAX[$name]:-0} ))
  done
done

{
  echo
  echo "Gateway runtime knobs, auto case, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, wrk -t${WRK_THREADS:-1} -c${WRK_CONNECTIONS:-16}, ${CASE_SECONDS}s after ${WARMUP_SECONDS}s warm-up, mean of $ROUNDS rounds"
  echo
  echo "| variant | req/s | p99 ms | peak RSS MB | start to ready s | CPU µs/req |"
  echo "|---|---:|---:|---:|---:|---:|"
  for variant in "${VARIANTS[@]}"; do
    IFS='|' read -r name _ _ <<<"$variant"
    awk -v n="$name" -v r="${RPS_SUM[$name]}" -v p="${P99_SUM[$name]}" -v s="${READY_SUM[$name]}" -v m="${RSS_MAX[$name]}" -v c="${CPU_SUM[$name]}" -v k="$ROUNDS" \
      'BEGIN { printf "| %s | %.0f | %.2f | %d | %.2f | %.0f |\n", n, r / k, p / k, m, s / k, c / k }'
  done
} | tee "$RESULTS/summary.md"
