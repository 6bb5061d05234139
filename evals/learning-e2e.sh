#!/usr/bin/env bash
# The learning loop end to end on recorded data (issue #18, part 7). Per seed: a gateway whose simulated experts replay
# ZeroEval's recorded answers (Simulator:ReplayDataset) and whose judge scores from the recorded outcomes
# (Simulator:Models:replay-judge:ReplayJudge), a pool the starting router does not fully know (ZE-12 plus NEW_EXPERT,
# or ZE-12 itself when NEW_EXPERT is one of ZE-12, which the starting router then lacks),
# tenant traffic on zeroeval:train explored at RATE (each sampled request with up to 8 of the 12 other experts, the
# exploration's maximum) with FEEDBACK_SHARE of the answers scored back by simulated users,
# the serving router retrained on its log merged with the benchmark data the starting router was trained on (RETRAIN),
# hot-swapped through POST /admin/routers/reload, and zeroeval:dev routed
# through the gateway before and after. Then the harness compares, on zeroeval:dev's recorded outcomes:
# (a) the best single expert, (b) a router trained offline on the full recorded outcomes of the same training prompts,
# (c) the starting router (ZE-12 only, trained on zeroeval:train), and the learned router of each seed.
#
# ROUNDS=2 runs the loop twice on the same traffic, as a platform that retrains on a schedule: the first half of
# zeroeval:train (by a hash of the prompt's id) is served by the starting router and the router is retrained and
# swapped, then the second half is served by that router, and the router is retrained from the starting one on the
# whole log and swapped again. Exploration runs at RATE in both halves. ROUNDS=N (up to 9) does the same in N parts.
#
# FOLD=k (0-4) replaces the train/dev split by the k-th of five folds over zeroeval train+dev (by a hash of the
# prompt's id): the other four folds are the traffic and the training prompts of (b) and (c), fold k is what the
# gateway and the harness are tested on. Run every fold to read the loop's figures over all 1,683 prompts instead of
# dev's 220 (evals/README.md).
#
# RETRAIN=merged (the default) retrains from scratch on the log and the starting router's own training data (the
# training prompts' recorded outcomes without NEW's, which no benchmark recorded for a new expert; a prompt both hold
# is one record, the recorded outcomes standing and the log adding NEW's, RecordedLogJoin); RETRAIN=from
# continues the serving router on the log alone (train --from, the way when a router's training data is not at hand).
# The other recipe is trained on each seed's final log too and reported beside it ("continued" or "merged").
#
# Usage: evals/learning-e2e.sh [results-folder]
# Environment: NEW_EXPERT (deepseek-v2-coder-0724), RATE (0.2), FEEDBACK_SHARE (0.5), SEEDS ("1 2 3"), PORT (18431), ROUNDS (1 to 9), FOLD (unset: train/dev), RETRAIN (merged or from),
# EXPERTROUTER_DATA (../shared/data/routing), CONFIGURATION (Release), SKIP_BUILD (set: use what is built). Reporting only: it never fails on the numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${EXPERTROUTER_DATA:-../shared/data/routing}"
OUT="$(mkdir -p "${1:-evals/results/learning-e2e-$(date -u +%Y%m%d-%H%M%S)}" && cd "${1:-evals/results/learning-e2e-$(date -u +%Y%m%d-%H%M%S)}" && pwd)"
NEW="${NEW_EXPERT:-deepseek-v2-coder-0724}"
RATE="${RATE:-0.2}"
FEEDBACK="${FEEDBACK_SHARE:-0.5}"
SEEDS="${SEEDS:-1 2 3}"
PORT="${PORT:-18431}"
ROUNDS="${ROUNDS:-1}"
case "$ROUNDS" in [1-9]) ;; *) echo "learning-e2e: ROUNDS must be 1 to 9, not '$ROUNDS'" >&2; exit 2 ;; esac
RETRAIN="${RETRAIN:-merged}"
case "$RETRAIN" in merged|from) ;; *) echo "learning-e2e: RETRAIN must be merged or from, not '$RETRAIN'" >&2; exit 2 ;; esac
URL="http://127.0.0.1:$PORT"
ACME_KEY="sk-e2e-acme-learning-0123456789"
PROBE_KEY="sk-e2e-probe-learning-0123456789"
ADMIN_KEY="sk-e2e-admin-learning-0123456789"
if [ ! -f "$DATA/zeroeval.jsonl.gz" ]; then
  echo "learning-e2e: no routing data in $DATA; nothing to do"
  exit 0
fi
DATA="$(cd "$DATA" && pwd)"

# What the traffic and the training prompts are, and what is tested: zeroeval's train and dev splits, or with FOLD
# set, four folds of train+dev against the fifth (the rows copied with their split renamed train or dev).
if [ -n "${FOLD:-}" ]; then
  python3 - "$DATA/zeroeval.jsonl.gz" "$OUT/fold-$FOLD.jsonl" "$FOLD" <<'EOF'
import gzip, hashlib, json, sys
fold = int(sys.argv[3])
with open(sys.argv[2], "w") as out:
    for line in gzip.open(sys.argv[1], "rt", encoding="utf-8"):
        row = json.loads(line)
        if row.get("split") in ("train", "dev"):
            row["split"] = "dev" if int.from_bytes(hashlib.sha256(("fold:" + row["id"]).encode()).digest()[:4], "big") % 5 == fold else "train"
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
EOF
  TRAIN="$OUT/fold-$FOLD.jsonl:train"
  TEST="$OUT/fold-$FOLD.jsonl:dev"
else
  TRAIN=zeroeval:train
  TEST=zeroeval:dev
fi

export CI="${CI:-true}"
CONFIGURATION="${CONFIGURATION:-Release}"
if [ -z "${SKIP_BUILD:-}" ]; then
  dotnet build src/ExpertRouter.Cli -c "$CONFIGURATION" -v quiet -nologo
  dotnet build src/ExpertRouter.Gateway -c "$CONFIGURATION" -v quiet -nologo
fi
cli() { dotnet "src/ExpertRouter.Cli/bin/$CONFIGURATION/net10.0/expertrouter.dll" "$@"; }
sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
price() { python3 -c "import json,sys; m=json.load(open('$DATA/models.json'))['$1']; print(m['$2'])"; }

ZE12=$(python3 -c "import json; print(','.join(json.load(open('evals/pools/ze-12.json'))['experts']))")
# The starting router knows ZE-12 without NEW; when NEW is one of ZE-12 (say gpt-4o-mini), the pool is ZE-12 and the
# start lacks an expert that matters, otherwise the pool is ZE-12 plus NEW.
START_POOL=$(python3 -c "print(','.join(e for e in '$ZE12'.split(',') if e != '$NEW'))")
POOL="$START_POOL,$NEW"
NEW_CONFIGURED=$([[ ",$ZE12," == *",$NEW,"* ]] && echo 1 || echo "")
echo "{\"name\":\"learning pool\",\"benchmark\":\"zeroeval\",\"experts\":[$(echo "$POOL" | sed 's/[^,]*/"&"/g')]}" > "$OUT/pool.json"
echo "{\"name\":\"start pool\",\"benchmark\":\"zeroeval\",\"experts\":[$(echo "$START_POOL" | sed 's/[^,]*/"&"/g')]}" > "$OUT/start-pool.json"

# (b) and (c): the offline router of the whole pool, and the starting router (the pool without NEW), both on zeroeval:train.
[ -f "$OUT/offline/router.json" ] || cli train --train "$TRAIN" --pool "$OUT/pool.json" --name irt-ze12 --out "$OUT/offline" --data-dir "$DATA" --version offline
[ -f "$OUT/start/router.json" ] || cli train --train "$TRAIN" --pool "$OUT/start-pool.json" --name irt-ze12 --out "$OUT/start" --data-dir "$DATA" --version start

# What the platform trained the starting router on: the training prompts' recorded outcomes without NEW's.
python3 - "$DATA/zeroeval.jsonl.gz" "$OUT/known.jsonl" "$NEW" "${FOLD:+$OUT/fold-$FOLD.jsonl}" <<'EOF'
import gzip, json, sys
source = open(sys.argv[4], encoding="utf-8") if sys.argv[4] else gzip.open(sys.argv[1], "rt", encoding="utf-8")
with open(sys.argv[2], "w") as out:
    for line in source:
        row = json.loads(line)
        if row.get("split") == "train":
            row["outcomes"].pop(sys.argv[3], None)
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
EOF

retrain() {
  local recipe="$1" log="$2" out="$3" version="$4"
  if [ "$recipe" = merged ]; then
    cli train --train "log:$log,$OUT/known.jsonl:train" --pool "$OUT/pool.json" --name irt-ze12 --out "$out" --force --data-dir "$DATA" --version "$version"
  else
    cli train --train "log:$log" --pool "$OUT/pool.json" --name irt-ze12 --out "$out" --force --data-dir "$DATA" --version "$version" --from "$OUT/start"
  fi
}

# The traffic of each round: the training prompts whole, or ROUNDS parts of them by a hash of the prompt's id.
if [ "$ROUNDS" -gt 1 ]; then
  python3 - "$DATA/zeroeval.jsonl.gz" "$OUT" "${FOLD:+$OUT/fold-$FOLD.jsonl}" "$ROUNDS" <<'EOF'
import gzip, hashlib, json, sys
rounds = int(sys.argv[4])
parts = [open(f"{sys.argv[2]}/train-part-{h}-of-{rounds}.jsonl", "w") for h in range(1, rounds + 1)]
source = open(sys.argv[3], encoding="utf-8") if sys.argv[3] else gzip.open(sys.argv[1], "rt", encoding="utf-8")
for line in source:
    row = json.loads(line)
    if row.get("split") == "train":
        parts[hashlib.sha256(row["id"].encode()).digest()[0] % rounds].write(line)
EOF
  TRAFFIC=()
  for h in $(seq 1 "$ROUNDS"); do TRAFFIC+=("$OUT/train-part-$h-of-$ROUNDS.jsonl:train"); done
else
  TRAFFIC=("$TRAIN")
fi

gateway_args() {
  local seed="$1" dir="$2"
  local args=(--urls "$URL" --request-log "$dir/log"
    --ExpertRouter:Routers:0:Path="$dir/routers/irt-ze12" --ExpertRouter:AdminKeySha256="$(sha "$ADMIN_KEY")"
    --ExpertRouter:RouterReload:Watch=false --ExpertRouter:Simulator:ReplayDataset="$DATA/zeroeval.jsonl.gz"
    --ExpertRouter:Simulator:Models:replay-judge:ReplayJudge=true
    --ExpertRouter:Exploration:Seed="$seed" --ExpertRouter:Exploration:Concurrency=8 --ExpertRouter:Exploration:QueueCapacity=5000
    --ExpertRouter:Exploration:MaxOutputTokens=4096
    --ExpertRouter:Experts:13:Id=replay-judge --ExpertRouter:Experts:13:Simulated=true
    --ExpertRouter:Experts:13:InputUsdPerMTok=0.15 --ExpertRouter:Experts:13:OutputUsdPerMTok=0.6)
  if [ -z "$NEW_CONFIGURED" ]; then
    args+=(--ExpertRouter:Experts:14:Id="$NEW" --ExpertRouter:Experts:14:Simulated=true
      --ExpertRouter:Experts:14:InputUsdPerMTok="$(price "$NEW" input_usd_per_mtok)" --ExpertRouter:Experts:14:OutputUsdPerMTok="$(price "$NEW" output_usd_per_mtok)")
  fi
  local t=0 key id
  for id in acme probe; do
    key=$([ "$id" = acme ] && echo "$ACME_KEY" || echo "$PROBE_KEY")
    args+=(--ExpertRouter:Tenants:$t:Id=$id --ExpertRouter:Tenants:$t:ApiKeySha256:0="$(sha "$key")" --ExpertRouter:Tenants:$t:Router=irt-ze12
      --ExpertRouter:Tenants:$t:CostTarget:MaxCostFractionOfBest=0.5)
    local e=0 expert
    for expert in ${POOL//,/ }; do args+=(--ExpertRouter:Tenants:$t:AllowedExperts:$e="$expert"); e=$((e + 1)); done
    if [ "$id" = acme ]; then
      args+=(--ExpertRouter:Tenants:$t:Logging:Prompts=Store --ExpertRouter:Tenants:$t:Exploration:Rate="$RATE"
        --ExpertRouter:Tenants:$t:Exploration:Judge=replay-judge --ExpertRouter:Tenants:$t:Exploration:DailyBudgetUsd=1000
        --ExpertRouter:Tenants:$t:Exploration:MaxExperts=8)
    else
      args+=(--ExpertRouter:Tenants:$t:Logging:Prompts=Off)
    fi
    t=$((t + 1))
  done
  printf '%s\n' "${args[@]}"
}

summary="$OUT/summary.md"
echo "| seed | explored prompts | feedback | dev through gateway before: score / cost | after: score / cost | NEW chosen on dev after |" > "$OUT/gateway.md"
echo "|---|---|---|---|---|---|" >> "$OUT/gateway.md"
routers="best-single,folder:$OUT/offline,folder:$OUT/start"
for seed in $SEEDS; do
  dir="$OUT/seed-$seed"
  rm -rf "$dir/log" "$dir/routers"
  mkdir -p "$dir/routers/irt-ze12"
  cp "$OUT/start/"* "$dir/routers/irt-ze12/"
  mapfile -t args < <(gateway_args "$seed" "$dir")
  dotnet "src/ExpertRouter.Gateway/bin/$CONFIGURATION/net10.0/ExpertRouter.Gateway.dll" "${args[@]}" > "$dir/gateway.out" 2>&1 &
  gw=$!
  trap 'kill $gw 2>/dev/null || true' EXIT
  for _ in $(seq 1 120); do curl -sf "$URL/healthz" > /dev/null 2>&1 && break; curl -sf "$URL/v1/models" -H "Authorization: Bearer $PROBE_KEY" > /dev/null 2>&1 && break; sleep 1; done

  cli send --prompts "$TEST" --gateway "$URL" --key "$PROBE_KEY" --out "$dir/dev-before.jsonl" --data-dir "$DATA" | tee "$dir/dev-before.txt"
  round=0
  for traffic in "${TRAFFIC[@]}"; do
    round=$((round + 1))
    cli send --prompts "$traffic" --gateway "$URL" --key "$ACME_KEY" --feedback-share "$FEEDBACK" --seed "$([ "$ROUNDS" = 1 ] && echo "$seed" || echo $((seed * 10 + round)))" --out "$dir/train-traffic-$round.jsonl" --data-dir "$DATA" | tee "$dir/train-$round.txt"
    # Exploration runs in the background after each answer: wait until every sampled request has its record.
    for _ in $(seq 1 600); do
      sampled=$(cat "$dir"/log/requests-*.jsonl | grep -c '"exploration_rate"' || true)
      explored=$(cat "$dir"/log/exploration-*.jsonl 2>/dev/null | wc -l)
      [ "$explored" -ge "$sampled" ] && break
      sleep 1
    done
    echo "seed $seed, round $round: $sampled requests sampled, $explored exploration records"

    # The loop as a platform team runs it: a router retrained on everything logged so far (RETRAIN's recipe).
    learned="$dir/learned"
    [ "$round" = "${#TRAFFIC[@]}" ] || learned="$dir/learned-round-$round"
    retrain "$RETRAIN" "$dir/log" "$learned" "learned-$seed-round-$round" 2>&1 | tee "$dir/train-learned-$round.txt"
    cp "$learned/"* "$dir/routers/irt-ze12/"
    curl -sf -X POST "$URL/admin/routers/reload" -H "Authorization: Bearer $ADMIN_KEY" | tee "$dir/reload-$round.json"; echo
  done
  # For comparison, the other recipe on the same final log.
  other=$([ "$RETRAIN" = merged ] && echo from || echo merged)
  other_name=$([ "$other" = merged ] && echo merged || echo continued)
  retrain "$other" "$dir/log" "$dir/$other_name" "$other_name-$seed" 2>&1 | tee "$dir/train-$other_name.txt"
  # For the record, a router trained on the log alone, which the log's bias (mostly the served expert's scores) misleads.
  cli train --train "log:$dir/log" --pool "$OUT/pool.json" --name irt-ze12 --out "$dir/log-only" --force --data-dir "$DATA" --version "log-only-$seed" 2>&1 | tee "$dir/train-log-only.txt"
  cli send --prompts "$TEST" --gateway "$URL" --key "$PROBE_KEY" --out "$dir/dev-after.jsonl" --data-dir "$DATA" | tee "$dir/dev-after.txt"
  kill $gw; wait $gw 2>/dev/null || true
  trap - EXIT

  feedback=$(cat "$dir"/train-*.txt | grep -o '[0-9]* scored back' | awk '{ n += $1 } END { print n }')
  row=$(python3 - "$dir" "$NEW" <<'EOF'
import json, sys
d, new = sys.argv[1], sys.argv[2]
def read(name):
    rows = [json.loads(l) for l in open(f"{d}/{name}")]
    ok = [r for r in rows if r.get("expert")]
    return sum(r.get("score", 0) for r in ok) / len(rows), sum(r.get("cost_usd", 0) for r in ok), sum(r.get("expert") == new for r in ok)
b, a = read("dev-before.jsonl"), read("dev-after.jsonl")
print(f"{b[0]:.4f} / {b[1]:.4f} USD | {a[0]:.4f} / {a[1]:.4f} USD | {a[2]}")
EOF
)
  echo "| $seed | $explored | $feedback | $row |" >> "$OUT/gateway.md"
  [ "$ROUNDS" = 1 ] || routers="$routers,folder:$dir/learned-round-1"
  routers="$routers,folder:$dir/learned,folder:$dir/$other_name,folder:$dir/log-only"
done

cli eval --train "$TRAIN" --test "$TEST" --pool "$OUT/pool.json" --routers "$routers" --data-dir "$DATA" --bootstrap 0 --out "$OUT/eval" | tee "$OUT/eval.stdout.md"
{
  echo "## Through the gateway ($TEST, cost target 0.5 of the best expert's cost)"
  cat "$OUT/gateway.md"
  echo
  cat "$OUT/eval.stdout.md"
} > "$summary"
echo "learning-e2e: $summary"
