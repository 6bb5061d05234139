#!/usr/bin/env bash
# Starts the published gateway exactly as the container's ENTRYPOINT does ('dotnet /app/ExpertRouter.Gateway.dll', or
# '/app/ExpertRouter.Gateway' for the natively compiled 'gateway-native' image),
# configured only by environment variables, as an unprivileged user that cannot write to the app folder or a home,
# with policies in a folder laid out the way the kubelet mounts a ConfigMap. Then it checks:
#   the Dockerfile's own HEALTHCHECK command, /readyz, /metrics, a routed chat completion,
#   and hot reload across a ConfigMap-style '..data' symlink swap (a new tenant's key starts working).
# Usage: deploy/smoke-published.sh [published app folder]   (publishes to a temp folder when none is given)
# Bounded: about 60 s on 2 cores including the publish; loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

WORK=$(mktemp -d /tmp/er-smoke.XXXXXX)
chmod 755 "$WORK"
GATEWAY_PID=""
cleanup() {
  if [[ -n "$GATEWAY_PID" ]]; then kill "$GATEWAY_PID" 2>/dev/null || true; wait "$GATEWAY_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "smoke: FAIL $*"; echo "--- gateway output"; tail -n 40 "$WORK/gateway.log" || true; exit 1; }

APP=${1:-}
if [[ -z "$APP" ]]; then
  APP="$WORK/app"
  echo "smoke: publishing the gateway (framework-dependent, Release) to $APP"
  dotnet publish src/ExpertRouter.Gateway/ExpertRouter.Gateway.csproj -c Release -o "$APP" -p:UseAppHost=false -nologo -v quiet >"$WORK/publish.log" 2>&1 \
    || { tail -n 30 "$WORK/publish.log"; exit 1; }
fi
# Owned by root and read-only for everyone else, like the image's /app.
chmod -R a+rX,go-w "$APP"

# The kubelet's ConfigMap layout: real files in a timestamped folder, '..data' -> that folder, and one symlink per key.
POLICIES="$WORK/policies"
mkdir -p "$POLICIES/..2026_01_01_00_00_00.000000001"
# The Kubernetes base's example tenant rides along, so the policy the ConfigMap ships is read by the real reader.
cp "$ROOT/policies/demo.yaml" "$ROOT/deploy/k8s/base/policies/example.yaml" "$POLICIES/..2026_01_01_00_00_00.000000001/"
ln -s ..2026_01_01_00_00_00.000000001 "$POLICIES/..data"
ln -s ..data/demo.yaml "$POLICIES/demo.yaml"
ln -s ..data/example.yaml "$POLICIES/example.yaml"
chmod -R a+rX "$POLICIES"
mkdir -m 1777 "$WORK/tmp"

# A framework-dependent publish (a .dll) runs under 'dotnet'; a Native AOT publish (deploy/publish-native.sh) by itself.
APP=$(cd "$APP" && pwd)  # absolute: the gateway starts from inside its folder
GATEWAY=("$APP/ExpertRouter.Gateway")
[[ -f "$APP/ExpertRouter.Gateway.dll" ]] && GATEWAY=(dotnet "$APP/ExpertRouter.Gateway.dll")
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# /metrics on a management port, as deploy/k8s sets it (ExpertRouter__Management__Urls__0).
MGMT_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
RUN_AS=()
if [[ $(id -u) -eq 0 ]] && command -v setpriv >/dev/null; then
  RUN_AS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
# env -i: nothing leaks in from this shell; only what a container spec would set.
(cd "$APP" && exec "${RUN_AS[@]}" env -i PATH="$PATH" HOME=/nonexistent TMPDIR="$WORK/tmp" \
  DOTNET_ROOT="${DOTNET_ROOT:-}" DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 \
  ASPNETCORE_URLS="http://127.0.0.1:$PORT" \
  ExpertRouter__Management__Urls__0="http://127.0.0.1:$MGMT_PORT" \
  ExpertRouter__Policies="$POLICIES" \
  Logging__LogLevel__Default=Warning \
  "${GATEWAY[@]}") >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!

# The Dockerfile's HEALTHCHECK command itself, pointed at this port.
HEALTHCHECK=$(python3 - "$ROOT/deploy/Dockerfile" "$PORT" <<'EOF'
import json, re, sys
text = re.sub(r"\\\n", " ", open(sys.argv[1]).read())
gateway = text[text.rindex("AS gateway"):]  # the last stage; gateway-native probes the same way
command = json.loads(re.search(r"HEALTHCHECK .*?CMD (\[.*\])", gateway).group(1))
print(command[2].replace("/127.0.0.1/8080", "/127.0.0.1/" + sys.argv[2]))
EOF
)
for _ in $(seq 1 120); do
  if bash -c "$HEALTHCHECK" 2>/dev/null; then break; fi
  kill -0 "$GATEWAY_PID" 2>/dev/null || fail "the gateway exited during start-up"
  sleep 0.5
done
bash -c "$HEALTHCHECK" || fail "the Dockerfile HEALTHCHECK did not pass within 60 s"
echo "smoke: ok   HEALTHCHECK (/healthz) passes as user $(ps -o user= -p "$GATEWAY_PID" 2>/dev/null || echo '?')"

BASE="http://127.0.0.1:$PORT"
code=$(curl -s -o "$WORK/readyz.json" -w '%{http_code}' "$BASE/readyz")
[[ "$code" == 200 ]] || fail "/readyz answered $code: $(cat "$WORK/readyz.json")"
echo "smoke: ok   /readyz 200"

chat() { # key -> status code
  curl -s -o "$WORK/chat.json" -w '%{http_code}' "$BASE/v1/chat/completions" -H "authorization: Bearer $1" \
    -H 'content-type: application/json' -d '{"model":"auto","max_tokens":16,"messages":[{"role":"user","content":"Name a prime number."}]}'
}
code=$(chat sk-expertrouter-demo)
[[ "$code" == 200 ]] || fail "chat completion answered $code: $(cat "$WORK/chat.json")"
echo "smoke: ok   POST /v1/chat/completions 200 (model $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["model"])' "$WORK/chat.json"))"

# Read the whole scrape first: with pipefail, 'curl | grep -q' fails whenever grep exits before curl is done writing.
metrics=$(curl -sf "http://127.0.0.1:$MGMT_PORT/metrics") || fail "/metrics did not answer on the management port"
grep -q '^# TYPE ' <<<"$metrics" || fail "/metrics has no Prometheus text"
[[ $(curl -s -o /dev/null -w '%{http_code}' "$BASE/metrics") == 404 ]] || fail "/metrics answered on the API port"
echo "smoke: ok   /metrics serves Prometheus text on the management port only"

# A ConfigMap update as the kubelet does it: a new timestamped folder, then an atomic rename of '..data'.
KEY="sk-smoke-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
HASH=$(printf '%s' "$KEY" | sha256sum | cut -d' ' -f1)
code=$(chat "$KEY")
[[ "$code" == 401 ]] || fail "an unknown key answered $code before the update"
NEW="..2026_01_01_00_01_00.000000002"
mkdir "$POLICIES/$NEW"
cp "$ROOT/policies/demo.yaml" "$ROOT/deploy/k8s/base/policies/example.yaml" "$POLICIES/$NEW/"
sed -e 's/^id: demo/id: smoke/' -e "s/^  - [0-9a-f]\{64\}.*/  - $HASH/" "$ROOT/policies/demo.yaml" >"$POLICIES/$NEW/smoke.yaml"
chmod -R a+rX "$POLICIES/$NEW"
ln -s "$NEW" "$POLICIES/..data_tmp"
mv -T "$POLICIES/..data_tmp" "$POLICIES/..data"
ln -s ..data/smoke.yaml "$POLICIES/smoke.yaml"
rm -rf "$POLICIES/..2026_01_01_00_00_00.000000001"
for _ in $(seq 1 40); do
  code=$(chat "$KEY")
  [[ "$code" == 200 ]] && break
  sleep 0.25
done
[[ "$code" == 200 ]] || fail "the new tenant's key answered $code 10 s after the ConfigMap-style swap"
code=$(chat sk-expertrouter-demo)
[[ "$code" == 200 ]] || fail "the demo tenant answered $code after the swap"
echo "smoke: ok   hot reload across a '..data' symlink swap (new tenant admitted, old one kept)"

if grep -q 'rejected' "$WORK/gateway.log"; then
  fail "a policy was rejected: $(grep -A2 rejected "$WORK/gateway.log" | head -5)"
fi
echo "smoke: ok   no policy rejected (demo, deploy/k8s/base/policies/example.yaml, the new tenant)"
if grep -Eqi 'UnauthorizedAccess|Permission denied|Read-only file system' "$WORK/gateway.log"; then
  fail "the gateway tried to write somewhere it may not"
fi
echo "smoke: ok   no write attempts outside TMPDIR"
echo "smoke: passed"
