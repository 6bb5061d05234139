#!/usr/bin/env bash
# Time to first byte vs total time of streamed ensemble answers, on the embedded simulator with latency
# (first token after 200 ms, then 20 ms per token). Usage:
#   dotnet build src/ExpertRouter.Gateway -c Release && bench/ensemble-ttfb.sh [runs] [port]
# Prints "model time_starttransfer time_total" per request (seconds, from curl). Loopback only; stops by itself.
set -euo pipefail
runs=${1:-5}
port=${2:-18471}
dll=${GATEWAY_DLL:-src/ExpertRouter.Gateway/bin/Release/net10.0/ExpertRouter.Gateway.dll}
dotnet "$dll" --urls "http://127.0.0.1:$port" \
  --ExpertRouter:Simulator:TimeToFirstTokenMs 200 --ExpertRouter:Simulator:PerTokenDelayMs 20 >/dev/null 2>&1 &
gateway=$!
trap 'kill $gateway 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.5; done
for model in ensemble/moa3 ensemble/cascade3 ensemble/vote3; do
  for i in $(seq 1 "$runs"); do
    curl -s -o /dev/null -w "$model %{time_starttransfer} %{time_total}\n" "http://127.0.0.1:$port/v1/chat/completions" \
      -H "Authorization: Bearer sk-expertrouter-demo" -H "Content-Type: application/json" \
      -d "{\"model\":\"$model\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Explain briefly why the sky is blue, run $i.\"}]}"
  done
done
