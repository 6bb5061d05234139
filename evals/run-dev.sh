#!/usr/bin/env bash
# Dev-split evaluation of every registered router on both pools, trained on the train split. Reporting only: CI runs
# it when ../shared/data/routing exists and never fails on the numbers. Usage: evals/run-dev.sh [results-folder]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${EXPERTROUTER_DATA:-../shared/data/routing}"
OUT="${1:-evals/results/dev-$(date -u +%Y%m%d-%H%M%S)}"
if [ ! -f "$DATA/zeroeval.jsonl.gz" ]; then
  echo "run-dev: no routing data in $DATA; nothing to do"
  exit 0
fi

export CI="${CI:-true}"
mkdir -p "$OUT"
dotnet build src/ExpertRouter.Cli -c Release -v quiet -nologo
run() { dotnet run --project src/ExpertRouter.Cli -c Release --no-build -- "$@"; }

time run eval --train zeroeval:train --test zeroeval:dev --pool evals/pools/ze-12.json --routers all \
  --data-dir "$DATA" --ood-tasks 2 --out "$OUT/ze-12" | tee "$OUT/ze-12.stdout.md"
time run eval --train mmlupro:train --test mmlupro:dev --pool evals/pools/mmlu-10.json --routers all \
  --data-dir "$DATA" --ood-tasks 3 --out "$OUT/mmlu-10" | tee "$OUT/mmlu-10.stdout.md"
echo "run-dev: reports in $OUT/ze-12/report.md and $OUT/mmlu-10/report.md"
