#!/usr/bin/env bash
# Five-fold cross-validation (by prompt, over train+dev) of every baseline router and the IRT variants on both pools:
# the tables of evals/README.md. Seeds, settings and the shipped configurations are chosen on these means, never on
# one split. Sentence-encoder variants embed each prompt once into $EXPERTROUTER_CACHE (default .cache/expertrouter,
# git-ignored). Usage: evals/run-cv.sh [results-folder] [extra router names, comma-separated]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${EXPERTROUTER_DATA:-../shared/data/routing}"
OUT="${1:-evals/results/cv-$(date -u +%Y%m%d-%H%M%S)}"
EXTRA="${2:-}"
if [ ! -f "$DATA/zeroeval.jsonl.gz" ]; then
  echo "run-cv: no routing data in $DATA; nothing to do"
  exit 0
fi

export CI="${CI:-true}"
export EXPERTROUTER_CACHE="${EXPERTROUTER_CACHE:-$PWD/.cache/expertrouter}"
mkdir -p "$OUT"
dotnet build src/ExpertRouter.Cli -c Release -v quiet -nologo
run() { dotnet run --project src/ExpertRouter.Cli -c Release --no-build -- "$@"; }

# 'irt' (the defaults) is irt-pool-hashed; each variant is named by whose outcomes teach the prompt side and its encoder.
BASE="random,oracle,best-single,cheapest,task-label,knn,logreg,mf"
VARIANTS="irt-pool-hashed,irt-all-hashed,irt-pool-minilm,irt-all-minilm,irt-all-arctic-xs,irt-all-hashed-minilm,irt-all-hashed-arctic-xs"
ROUTERS="$BASE,$VARIANTS${EXTRA:+,$EXTRA}"
time run eval --cv 5 --train zeroeval:train+dev --pool evals/pools/ze-12.json --routers "$ROUTERS" \
  --data-dir "$DATA" --out "$OUT/ze-12" | tee "$OUT/ze-12.md"
time run eval --cv 5 --train mmlupro:train+dev --pool evals/pools/mmlu-10.json --routers "$ROUTERS" \
  --data-dir "$DATA" --out "$OUT/mmlu-10" | tee "$OUT/mmlu-10.md"
echo "run-cv: tables in $OUT/ze-12/cv.md and $OUT/mmlu-10/cv.md (per fold: cv-folds.csv)"
