#!/usr/bin/env bash
# Starts the gateway exactly as the README's first command does, then checks it from outside with curl and with
# the openai npm client (chat, and the Responses API) and the @anthropic-ai/sdk client (Messages). Bounded: gives up after 120 s of start-up and each request times out.
# Usage: tests/blackbox/run.sh [gateway executable]   (e.g. a Native AOT publish; default: 'dotnet run')
set -euo pipefail
cd "$(dirname "$0")/../.."
# A port nothing answers on (or BLACKBOX_PORT), and files of this run only: two runs on one machine (CI beside a
# developer's, or another checkout's) once shared 18080 and /tmp/blackbox-body and read each other's responses.
port=${BLACKBOX_PORT:-}
if [ -z "$port" ]; then
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 12000)) # below the ephemeral range (32768-)
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
  done
fi
base="http://127.0.0.1:$port"
work=$(mktemp -d)
log="$work/gateway.log"
body="$work/body" headers="$work/headers"
# The admin endpoints are on for these checks: SHA-256 of "blackbox-admin".
export ExpertRouter__AdminKeySha256=8186d9c1d0bed5adf448b555fc2141753818b38cb31dcaa4c5fc4e1cdffd3569
if [ -n "${1:-}" ]; then
  echo "blackbox: checking $1"
  "$1" --urls "$base" >"$log" 2>&1 &
else
  dotnet run --project src/ExpertRouter.Gateway -c Release -- --urls "$base" >"$log" 2>&1 &
fi
gateway=$!
trap 'kill $gateway 2>/dev/null || true; wait $gateway 2>/dev/null || true; rm -rf "$work"' EXIT

for _ in $(seq 1 240); do
  curl -fs "$base/healthz" >/dev/null 2>&1 && break
  kill -0 $gateway 2>/dev/null || { cat "$log"; echo "blackbox: gateway exited"; exit 1; }
  sleep 0.5
done
curl -fs "$base/healthz" >/dev/null || { cat "$log"; echo "blackbox: gateway did not start"; exit 1; }

passed=0; failed=0
expect() { # name, expected status, curl args...
  local name=$1 want=$2; shift 2
  local got; got=$(curl -s -o "$body" -w '%{http_code}' --max-time 20 "$@") || got=000
  if [ "$got" = "$want" ]; then passed=$((passed+1)); echo "ok   curl: $name";
  else failed=$((failed+1)); echo "FAIL curl: $name: HTTP $got $(head -c 300 "$body")"; fi
}
auth=(-H "Authorization: Bearer sk-expertrouter-demo" -H "Content-Type: application/json")
expect "routed completion" 200 "${auth[@]}" "$base/v1/chat/completions" -d '{"model":"auto","messages":[{"role":"user","content":"What is 17 * 23?"}]}'
expect "streamed completion" 200 "${auth[@]}" "$base/v1/chat/completions" -d '{"model":"auto","stream":true,"messages":[{"role":"user","content":"hi"}]}'
grep -q 'data: \[DONE\]' "$body" && { passed=$((passed+1)); echo "ok   curl: stream ends with [DONE]"; } || { failed=$((failed+1)); echo "FAIL curl: stream lacks [DONE]"; }
expect "streamed mixture-of-agents ensemble" 200 -D "$headers" "${auth[@]}" "$base/v1/chat/completions" -d '{"model":"ensemble/moa3","stream":true,"messages":[{"role":"user","content":"hi"}]}'
grep -q 'data: \[DONE\]' "$body" && grep -qi '^x-expertrouter-experts:.*;aggregator;streaming' "$headers" \
  && { passed=$((passed+1)); echo "ok   curl: ensemble aggregator streams live and ends with [DONE]"; } \
  || { failed=$((failed+1)); echo "FAIL curl: ensemble stream: $(grep -i expertrouter-experts "$headers")"; }
expect "explicit expert" 200 "${auth[@]}" "$base/v1/chat/completions" -d '{"model":"gpt-4o-2024-08-06","messages":[{"role":"user","content":"hi"}]}'
cached=(-D "$headers" "${auth[@]}" "$base/v1/chat/completions" -d '{"model":"auto","temperature":0,"messages":[{"role":"user","content":"Cache me, blackbox"}]}')
expect "deterministic completion" 200 "${cached[@]}"
expect "same completion again" 200 "${cached[@]}"
grep -qi '^x-expertrouter-cache: hit' "$headers" && { passed=$((passed+1)); echo "ok   curl: repeat is a cache hit"; } || { failed=$((failed+1)); echo "FAIL curl: repeat was not a cache hit: $(grep -i expertrouter-cache "$headers")"; }
expect "embeddings" 200 "${auth[@]}" "$base/v1/embeddings" -d '{"model":"text-embedding-sim","input":"hi"}'
expect "malformed JSON" 400 "${auth[@]}" "$base/v1/chat/completions" -d '{"model":'
expect "unknown model" 404 "${auth[@]}" "$base/v1/chat/completions" -d '{"model":"gpt-7","messages":[{"role":"user","content":"x"}]}'
expect "no key" 401 -H "Content-Type: application/json" "$base/v1/chat/completions" -d '{"model":"auto","messages":[{"role":"user","content":"x"}]}'
for mode in vote3 judge3 cascade3 fanout3; do
  expect "ensemble $mode" 200 "${auth[@]}" "$base/v1/chat/completions" -d '{"model":"ensemble/'"$mode"'","messages":[{"role":"user","content":"What is 2 + 2? Answer in JSON."}]}'
done
# Documents the gateway writes itself (source-generated JSON: the natively compiled gateway has no other kind).
contains() { # name, text the last body must contain
  if grep -q -- "$2" "$body"; then passed=$((passed+1)); echo "ok   curl: $1";
  else failed=$((failed+1)); echo "FAIL curl: $1: body lacks $2: $(head -c 300 "$body")"; fi
}
expect "readiness" 200 "$base/readyz"; contains "readiness names its checks" '"checks":{'
admin=(-H "Authorization: Bearer blackbox-admin")
# No management port in the default run: /metrics on the API port takes the admin (or metrics) key, and no other.
expect "metrics need a key" 401 "$base/metrics"
expect "metrics" 200 "${admin[@]}" "$base/metrics"; contains "metrics has the gateway's counters" 'expertrouter_'
expect "tenant usage" 200 "${auth[@]}" "$base/v1/usage"; contains "usage document" '"object":"usage"'
expect "admin: tenants" 200 "${admin[@]}" "$base/admin/tenants"; contains "admin: tenant spend" '"spent_today_usd":'
expect "admin: tenant usage" 200 "${admin[@]}" "$base/admin/tenants/demo/usage"; contains "admin: tenant ledger" '"tenant":"demo"'
expect "admin: rejections" 200 "${admin[@]}" "$base/admin/policies/rejections"; contains "admin: rejection count" '"rejected_total":0'
expect "admin: reload" 200 -X POST "${admin[@]}" "$base/admin/policies/reload"; contains "admin: reload result" '"accepted":'
expect "admin: accounting" 200 "${admin[@]}" "$base/admin/accounting"; contains "admin: accounting store" '"store":"in-process"'
expect "admin: wrong key" 401 -H "Authorization: Bearer nope" "$base/admin/tenants"
# The console (/ui, server-rendered; on here because an admin key is set), on the JIT and the native build alike:
# the admin key as a bearer opens the overview with this run's own data in its first response (the demo tenant's spend
# row); a script without a key gets a 401 and a browser without one is sent to the login form; a wrong key gets a 401.
expect "console: overview" 200 -D "$headers" "${admin[@]}" -H "Accept: text/html" "$base/ui/"
grep -qi '^content-type: text/html' "$headers" && { passed=$((passed+1)); echo "ok   curl: console: overview is HTML"; } \
  || { failed=$((failed+1)); echo "FAIL curl: console: overview is not HTML: $(grep -i '^content-type' "$headers")"; }
contains "console: overview has its spend section" '<section id="spend" data-live'
contains "console: overview shows the demo tenant's spend" '<a href="/ui/tenants/demo">demo</a>'
expect "console: routing page" 200 "${admin[@]}" "$base/ui/routing"; contains "console: routing shows decisions" 'data-request="'
expect "console: script without a key" 401 "$base/ui/"; contains "console: refusal in the OpenAI error shape" '"code":"invalid_api_key"'
expect "console: browser without a key" 303 -D "$headers" -H "Accept: text/html" "$base/ui/"
grep -qi '^location: /ui/login?next=%2Fui%2F' "$headers" && { passed=$((passed+1)); echo "ok   curl: console: browser sent to the login form"; } \
  || { failed=$((failed+1)); echo "FAIL curl: console: browser not sent to the login form: $(grep -i '^location' "$headers")"; }
expect "console: wrong key" 401 -H "Authorization: Bearer nope" -H "Accept: text/html" "$base/ui/"
expect "console: login form" 200 "$base/ui/login"; contains "console: login form has its key field" 'name="key"'
expect "models list" 200 "${auth[@]}" "$base/v1/models"; contains "models: routers listed" '"expertrouter_kind":"router"'
head -c 11000000 /dev/zero | tr '\0' 'a' > "$work/big"
expect "oversize body" 413 "${auth[@]}" "$base/v1/chat/completions" --data-binary @"$work/big"
printf '{"model":"auto","messages":[{"role":"user","content":"\xff\xfe"}]}' > "$work/utf8"
expect "invalid UTF-8" 400 "${auth[@]}" "$base/v1/chat/completions" --data-binary @"$work/utf8"
echo "curl: $passed passed, $failed failed"

node_failed=0
if command -v npm >/dev/null 2>&1; then
  (cd tests/blackbox && npm install --silent --no-audit --no-fund >/dev/null 2>&1) \
    && GATEWAY_URL="$base/v1" node tests/blackbox/check.mjs || node_failed=1
  # The Responses API and Anthropic Messages with their official clients (openai, @anthropic-ai/sdk).
  BASE="$base" node tests/blackbox/protocols.mjs || node_failed=1
else
  echo "blackbox: npm not found, skipping the openai npm client checks"
fi
[ "$failed" -eq 0 ] && [ "$node_failed" -eq 0 ]
