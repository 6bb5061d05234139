#!/usr/bin/env bash
# The console's pages with the decision ring full, on 127.0.0.1: fills the gateway's 10,000-decision ring with real
# routed requests (three tenants, wrk), then times each page's whole first response (server-rendered HTML, data
# included) with curl, as the admin key sends it.
#
#   bench/console.sh [--no-build] [--native] [--samples N]
#
# --no-build reuses bench/.out/gateway (bench/run.sh's build); --native times the natively compiled gateway in
# bench/.out/gateway-native instead (deploy/publish-native.sh). Each page is fetched once cold (its code's first run:
# JIT compilation in the default build) and then --samples times (20); the table gives cold, median, p90 and max, in ms,
# and the page's size. Bounded: the fill stops at 10,000 decisions or after 60 s of load, the whole run takes about a minute.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BUILD=1 NATIVE=0 SAMPLES=20
while (($#)); do
  case $1 in
    --no-build) BUILD=0 ;;
    --native) NATIVE=1 ;;
    --samples) SAMPLES=$2; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

WORK=$(mktemp -d /tmp/console-bench-XXXXXX)
trap 'bench_cleanup; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

if ((NATIVE)); then
  GATEWAY=(gateway-native)
  ((BUILD)) && bash "$BENCH_ROOT/deploy/publish-native.sh" "$BENCH_OUT/gateway-native" >/dev/null
else
  GATEWAY=(gateway)
  ((BUILD)) && dotnet publish "$BENCH_ROOT/src/ExpertRouter.Gateway" -c Release -o "$BENCH_OUT/gateway" --nologo -v quiet >/dev/null
fi

# Three tenants, each with a key of its own; the admin key is made here and only its hash goes to the gateway.
ADMIN_KEY="sk-admin-$(head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
mkdir -p "$WORK/policies"
for tenant in acme globex initech; do
  cat >"$WORK/policies/$tenant.yaml" <<YAML
id: $tenant
apiKeySha256:
  - $(sha "sk-bench-$tenant")
router:
  name: irt-ze12
  costTarget:
    maxCostFractionOfBest: 0.4
budgets:
  dailyUsd: 1000
YAML
done

PORT=$(free_port) MGMT=$(free_port)
URL="http://127.0.0.1:$PORT"
# shellcheck disable=SC2046
start GW "$WORK/gateway.log" env ExpertRouter__AdminKeySha256="$(sha "$ADMIN_KEY")" ExpertRouter__Management__Urls__0="http://127.0.0.1:$MGMT" \
  $(gateway_command "${GATEWAY[0]}") --urls "$URL" --policies "$WORK/policies"
wait_ready "$URL/readyz"
write_bodies "$WORK"

held() { curl -fsS -H "Authorization: Bearer $ADMIN_KEY" "$URL/ui/" | sed -n 's/.*(\([0-9,]*\) held.*/\1/p' | tr -d ','; }
DEADLINE=$((SECONDS + 60))
while :; do
  for tenant in acme globex initech; do
    run_wrk "$URL/v1/chat/completions" "$WORK/auto.json" "Authorization: Bearer sk-bench-$tenant" 0 2 16 >/dev/null
  done
  HELD=$(held)
  log "decisions held: $HELD"
  ((HELD >= 10000 || SECONDS > DEADLINE)) && break
done

PAGES=(/ui/ /ui/routing "/ui/routing?limit=1000" "/ui/routing?tenant=acme&status=2xx" /ui/experts /ui/tenants /ui/tenants/acme /ui/routers)
printf '\n%s, %s decisions held, %s samples per page after one cold fetch (ms; curl time_total on 127.0.0.1)\n\n' \
  "$(if ((NATIVE)); then echo 'native (AOT) gateway'; else echo 'JIT gateway'; fi)" "$HELD" "$SAMPLES"
printf '| page | cold | median | p90 | max | size |\n|---|---|---|---|---|---|\n'
for page in "${PAGES[@]}"; do
  cold=$(curl -fsS -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $ADMIN_KEY" "$URL$page")
  times=()
  for ((i = 0; i < SAMPLES; i++)); do
    times+=("$(curl -fsS -o "$WORK/page.html" -w '%{time_total}' -H "Authorization: Bearer $ADMIN_KEY" "$URL$page")")
  done
  size=$(wc -c <"$WORK/page.html")
  printf '%s\n' "${times[@]}" | sort -n | awk -v page="$page" -v cold="$cold" -v size="$size" '
    { v[NR] = $1 * 1000 }
    END { printf "| `%s` | %.1f | %.1f | %.1f | %.1f | %.0f KB |\n", page, cold * 1000, v[int((NR + 1) / 2)], v[int(NR * 0.9 + 0.999)], v[NR], size / 1024 }'
done
