#!/usr/bin/env bash
# Offline validation of deploy/ (no Docker engine, no cluster needed):
#   1. kubectl kustomize renders deploy/k8s/base;
#   2. validate_manifests.py checks the Dockerfile, compose.yaml, prometheus.yml and the rendered manifests;
#   3. Kubernetes OpenAPI schema validation (deploy/schema, kubernetes-models via npm) and yamllint, when installed;
#   4. smoke-published.sh runs the published gateway the way the image's ENTRYPOINT does (skip with --no-smoke;
#      --app <folder> reuses an already published gateway instead of publishing one).
# A missing tool is reported and its step skipped; any failing step makes the script exit 1.
set -uo pipefail
cd "$(dirname "$0")/.."
SMOKE=1; APP=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-smoke) SMOKE=0; shift ;;
    --app) APP="$2"; shift 2 ;;
    *) echo "usage: deploy/validate.sh [--no-smoke] [--app <published gateway folder>]"; exit 2 ;;
  esac
done
status=0
RENDERED=$(mktemp /tmp/er-k8s.XXXXXX.yaml)
trap 'rm -f "$RENDERED"' EXIT

if command -v kubectl >/dev/null; then
  if kubectl kustomize deploy/k8s/base >"$RENDERED"; then
    echo "validate: ok   kubectl kustomize deploy/k8s/base ($(grep -c '^kind:' "$RENDERED") objects)"
  else
    echo "validate: FAIL kubectl kustomize deploy/k8s/base"; status=1
  fi
else
  echo "validate: skip kustomize render (kubectl missing: apt-get install kubernetes-client)"
fi

if python3 -c 'import yaml' 2>/dev/null && [[ -s "$RENDERED" ]]; then
  python3 deploy/validate_manifests.py . "$RENDERED" || status=1
else
  echo "validate: skip structural checks (python3-yaml or the rendered manifests missing)"
fi

if command -v npm >/dev/null && [[ -s "$RENDERED" ]]; then
  if (cd deploy/schema && npm ci --silent --no-audit --no-fund >/dev/null 2>&1); then
    node deploy/schema/validate.mjs "$RENDERED" | tail -n 1 | sed 's/^/validate: /'
    [[ ${PIPESTATUS[0]} -eq 0 ]] || { node deploy/schema/validate.mjs "$RENDERED" | grep FAIL; status=1; }
  else
    echo "validate: skip Kubernetes schema validation (npm ci in deploy/schema failed: offline?)"
  fi
else
  echo "validate: skip Kubernetes schema validation (npm missing)"
fi

if command -v yamllint >/dev/null; then
  yamllint -d '{extends: relaxed, ignore: "deploy/schema/node_modules/", rules: {line-length: {max: 130}}}' deploy policies && echo "validate: ok   yamllint" || status=1
else
  echo "validate: skip yamllint (apt-get install yamllint)"
fi

if command -v docker >/dev/null && docker compose version >/dev/null 2>&1; then
  docker compose -f deploy/compose.yaml config --quiet && echo "validate: ok   docker compose config" || status=1
else
  echo "validate: skip docker compose config (no compose plugin here; validate_manifests.py covered compose.yaml)"
fi

if [[ $SMOKE == 1 ]]; then
  deploy/smoke-published.sh ${APP:+"$APP"} || status=1
fi
exit $status
