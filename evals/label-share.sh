#!/usr/bin/env bash
# How much of the offline router's gain a share of the newcomer's labels buys (issue #18; evals/README.md, "How far a
# fifth of the newcomer's labels goes" and "Which fifth to label"). No gateway: on each of the five folds that
# `FOLD=k evals/learning-e2e.sh` wrote, the merged recipe is retrained from the fold's training prompts with NEW_EXPERT's
# *true* recorded outcome kept on a sampled SHARE of them and dropped elsewhere, then compared on the fold's test prompts
# with the best single expert and the fold's (b) (`offline/`). Each kept outcome counts WEIGHT·SHARE/p, p its prompt's
# sampling probability (repeated rows carrying only that outcome), as the loop weighs an outcome explored at rate p.
#
# Sampling: p = SHARE·(UNIFORM + (1 − UNIFORM)·v/v̄), capped at 1, where v = m(1 − m) and m is the mean recorded score of
# the pool's other experts on the prompt (their disagreement; v̄ its mean over the fold). UNIFORM=1 draws uniformly.
# The recorded scores are an oracle no gateway has, so a non-uniform row is an upper bound on active sampling of its kind.
#
# Usage: evals/label-share.sh FOLDS_PREFIX [results-folder]   (FOLDS_PREFIX-0 … FOLDS_PREFIX-4 hold fold-k.jsonl,
#        pool.json and offline/, e.g. /tmp/e2e3-fold-)
# Environment: SEEDS ("1 2 3 4": each draws the prompts and seeds training), NEW_EXPERT (gpt-4o-mini-2024-07-18),
# SHARE (0.2), WEIGHT (4), UNIFORM (1), EXPERTROUTER_DATA (../shared/data/routing), CONFIGURATION (Release),
# SKIP_BUILD (set: use what is built). Prints each seed's pooled share, Σ(router − best) / Σ(offline − best) over folds.
set -euo pipefail
PREFIX="${1:?usage: evals/label-share.sh FOLDS_PREFIX [results-folder]}"
cd "$(dirname "$0")/.."
DATA="${EXPERTROUTER_DATA:-../shared/data/routing}"
OUT="${2:-evals/results/label-share-$(date -u +%Y%m%d-%H%M%S)}"
SEEDS="${SEEDS:-1 2 3 4}"
NEW="${NEW_EXPERT:-gpt-4o-mini-2024-07-18}"
SHARE="${SHARE:-0.2}" WEIGHT="${WEIGHT:-4}" UNIFORM="${UNIFORM:-1}"
CONFIGURATION="${CONFIGURATION:-Release}"
for k in 0 1 2 3 4; do
  for f in "fold-$k.jsonl" pool.json offline/router.json; do
    [ -f "$PREFIX$k/$f" ] || { echo "label-share: $PREFIX$k/$f is missing: run FOLD=$k evals/learning-e2e.sh first" >&2; exit 2; }
  done
done
if [ -z "${SKIP_BUILD:-}" ]; then
  dotnet build src/ExpertRouter.Cli -c "$CONFIGURATION" -v quiet -nologo
fi
cli() { dotnet "src/ExpertRouter.Cli/bin/$CONFIGURATION/net10.0/expertrouter.dll" "$@"; }
mkdir -p "$OUT"
for seed in $SEEDS; do
  for k in 0 1 2 3 4; do
    fold="$PREFIX$k" run="$OUT/seed-$seed/fold-$k"
    mkdir -p "$run"
    python3 - "$fold/fold-$k.jsonl" "$run/train.jsonl" "$fold/pool.json" "$NEW" "$SHARE" "$WEIGHT" "$UNIFORM" "$seed" <<'EOF'
import json, random, sys
source, target, pool, new = sys.argv[1:5]
share, weight, uniform, seed = float(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7]), int(sys.argv[8])
draw = random.Random(seed * 1000 + 7)
known = [e for e in json.load(open(pool))["experts"] if e != new]
rows = [r for r in map(json.loads, open(source)) if r.get("split") == "train"]

def disagreement(row):
    scores = [row["outcomes"][e]["score"] for e in known if e in row["outcomes"]]
    mean = sum(scores) / len(scores) if scores else 0.0
    return mean * (1 - mean)

v = [disagreement(r) for r in rows]
mean_v = sum(v) / len(v)
kept = 0
with open(target, "w") as out:
    for row, vi in zip(rows, v):
        p = min(1.0, share * (uniform + (1 - uniform) * (vi / mean_v if mean_v > 0 else 1.0)))
        take = draw.random() < p
        if not take:
            row["outcomes"].pop(new, None)
        out.write(json.dumps(row) + "\n")
        if take and new in row["outcomes"]:
            kept += 1
            # The extra weight as whole repeats plus one more with the fractional part's probability.
            extra = max(0.0, weight * share / p - 1)
            repeats = int(extra) + (1 if draw.random() < extra - int(extra) else 0)
            for j in range(repeats):
                out.write(json.dumps(dict(row, id=f"{row['id']}~{j}", outcomes={new: row["outcomes"][new]})) + "\n")
print(f"label-share: {source}: {new} kept on {kept} of {len(rows)} training prompts", file=sys.stderr)
EOF
    cli train --train "$run/train.jsonl:train" --pool "$fold/pool.json" --name irt-ze12 --out "$run/router" --force \
      --data-dir "$DATA" --seed "$seed" --version "label-share-$seed" > "$run/train.txt" 2>&1 \
      || { echo "label-share: train failed, see $run/train.txt" >&2; exit 1; }
    cli eval --train "$fold/fold-$k.jsonl:train" --test "$fold/fold-$k.jsonl:dev" --pool "$fold/pool.json" \
      --routers "best-single,folder:$fold/offline,folder:$run/router" --data-dir "$DATA" --bootstrap 0 --out "$run/eval" > "$run/eval.md" 2>&1 \
      || { echo "label-share: eval failed, see $run/eval.md" >&2; exit 1; }
  done
  python3 - "$OUT/seed-$seed" "$seed" <<'EOF'
import csv, sys
base, seed = sys.argv[1], sys.argv[2]
gained = offline = 0.0
folds = []
for k in range(5):
    aiq = {r["router"]: float(r["aiq"]) for r in csv.DictReader(open(f"{base}/fold-{k}/eval/routers.csv"))}
    best = aiq["best-single"]
    b = next(v for name, v in aiq.items() if name.endswith("/offline"))
    mine = next(v for name, v in aiq.items() if name.endswith("/router"))
    folds.append(f"{100 * (mine - best) / (b - best):.0f}%")
    gained += mine - best
    offline += b - best
print(f"label-share: seed {seed}: pooled share of (b)'s gain {100 * gained / offline:.1f}% (folds {' '.join(folds)})")
EOF
done
