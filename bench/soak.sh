#!/usr/bin/env bash
# Soak: runs the Release gateway (embedded simulated experts with a little latency) on loopback and drives mixed
# traffic (routed, streamed, named expert, embeddings, ~5% injected faults) for a bounded time, sampling the
# gateway's RSS and p50/p99 latency per window. Prints a table and a verdict: FLAT when the last window's RSS and
# p99 stay within tolerance of the second window's (the first is warm-up). Exit code 0 = flat.
#
#   bench/soak.sh [duration-seconds=180] [window-seconds=30] [concurrency=8]
#
# Duration is capped at 600 s. Only 127.0.0.1 is used.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-180}; window=${2:-30}; concurrency=${3:-8}
(( duration > 600 )) && duration=600
port=${SOAK_PORT:-18090}
base="http://127.0.0.1:$port"
log=$(mktemp -t soak-gateway.XXXXXX)

for project in src/ExpertRouter.Gateway bench/ExpertRouter.Soak; do
  dotnet build "$project" -c Release -v q -nologo >"$log" 2>&1 || { cat "$log"; echo "soak: build of $project failed"; exit 1; }
done

ExpertRouter__Simulator__TimeToFirstTokenMs=20 \
ExpertRouter__Simulator__PerTokenDelayMs=2 \
Logging__LogLevel__Default=Warning \
  dotnet src/ExpertRouter.Gateway/bin/Release/net10.0/ExpertRouter.Gateway.dll --urls "$base" >"$log" 2>&1 &
gateway=$!
trap 'kill $gateway 2>/dev/null || true; wait $gateway 2>/dev/null || true' EXIT

for _ in $(seq 1 120); do
  curl -fs "$base/healthz" >/dev/null 2>&1 && break
  kill -0 $gateway 2>/dev/null || { cat "$log"; echo "soak: gateway exited"; exit 1; }
  sleep 0.5
done
curl -fs "$base/healthz" >/dev/null || { cat "$log"; echo "soak: gateway did not start"; exit 1; }

echo "soak: $duration s, $window s windows, $concurrency connections, gateway pid $gateway ($(nproc) cores)"
status=0
dotnet bench/ExpertRouter.Soak/bin/Release/net10.0/ExpertRouter.Soak.dll "$base/" "$gateway" "$duration" "$window" "$concurrency" || status=$?
kill -0 $gateway 2>/dev/null || { echo "soak: gateway died during the run"; tail -50 "$log"; exit 1; }
echo "soak: gateway log: $(wc -l <"$log") lines, $(grep -c ' fail: ' "$log" || true) failures logged ($log)"
exit $status
