# Shared helpers for bench/run.sh and bench/knobs.sh (sourced, not run). Everything listens and is driven on
# 127.0.0.1 only; every process started here is recorded and stopped by bench_cleanup.

BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_OUT="${BENCH_OUT:-$BENCH_ROOT/bench/.out}"   # published builds (git-ignored); override to compare builds
BENCH_PORTKEY="$BENCH_ROOT/bench/.portkey"   # npm install of Portkey's gateway (git-ignored)
BENCH_PIDS=()
# Ports handed out by free_port in this run: it runs in a subshell per call, so the list lives in a file.
BENCH_PORTS_FILE="$(mktemp)"

log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

bench_cleanup() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  sleep 0.5
  for pid in "${BENCH_PIDS[@]}"; do
    kill -9 "$pid" 2>/dev/null || true
  done
  BENCH_PIDS=()
  rm -f "$BENCH_PORTS_FILE"
}

# Installs wrk and nginx from Debian when missing, and Portkey's gateway from npm into bench/.portkey.
bench_install() {
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  [[ -x /usr/sbin/nginx ]] || command -v nginx >/dev/null || missing+=(nginx-light)
  if ((${#missing[@]})); then
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    log "installing ${missing[*]} with apt-get"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  if [[ ! -f "$BENCH_PORTKEY/node_modules/@portkey-ai/gateway/build/start-server.js" ]]; then
    log "installing @portkey-ai/gateway 1.15.2 with npm into bench/.portkey"
    mkdir -p "$BENCH_PORTKEY"
    (cd "$BENCH_PORTKEY" && npm install --no-audit --no-fund --silent @portkey-ai/gateway@1.15.2 >/dev/null)
  fi
}

# Publishes the CLI (simulator), the gateway and the plain YARP baseline in Release. The gateway twice: the default
# framework-dependent (JIT) build into bench/.out/gateway (extra MSBuild properties in GATEWAY_PUBLISH_ARGS), and the
# natively compiled one (deploy/publish-native.sh, Native AOT) into bench/.out/gateway-native.
bench_build() {
  log "publishing Release builds into bench/.out (the native gateway takes a minute or two)"
  dotnet publish "$BENCH_ROOT/src/ExpertRouter.Cli" -c Release -o "$BENCH_OUT/cli" --nologo -v quiet >/dev/null
  dotnet publish "$BENCH_ROOT/bench/ExpertRouter.PlainYarp" -c Release -o "$BENCH_OUT/plainyarp" --nologo -v quiet >/dev/null
  rm -rf "$BENCH_OUT/gateway" "$BENCH_OUT/gateway-native"
  # shellcheck disable=SC2086
  dotnet publish "$BENCH_ROOT/src/ExpertRouter.Gateway" -c Release -o "$BENCH_OUT/gateway" --nologo -v quiet ${GATEWAY_PUBLISH_ARGS:-} >/dev/null
  bash "$BENCH_ROOT/deploy/publish-native.sh" "$BENCH_OUT/gateway-native" >/dev/null
}

# gateway_command FOLDER: how to start the gateway published in bench/.out/FOLDER (native executable, or 'dotnet dll').
gateway_command() {
  if [[ -f "$BENCH_OUT/$1/ExpertRouter.Gateway.dll" ]]; then
    echo "dotnet $BENCH_OUT/$1/ExpertRouter.Gateway.dll"
  else
    echo "$BENCH_OUT/$1/ExpertRouter.Gateway"
  fi
}

# A port nothing listens on, and not one handed out earlier in this run: the kernel may give the same free port to
# two binds in a row once the first socket is closed (a run lost its plain YARP to the gateway's port that way).
free_port() {
  python3 - "$BENCH_PORTS_FILE" <<'EOF'
import socket, sys
path = sys.argv[1]
with open(path, "a+") as handed:
    handed.seek(0)
    used = set(handed.read().split())
    while True:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = str(s.getsockname()[1])
        s.close()
        if port not in used:
            break
    handed.write(port + "\n")
print(port)
EOF
}

# start NAME LOGFILE COMMAND...: runs in the background, records the pid in BENCH_PIDS and in the variable NAME_PID.
start() {
  local name=$1 logfile=$2
  shift 2
  "$@" >"$logfile" 2>&1 &
  local pid=$!
  BENCH_PIDS+=("$pid")
  printf -v "${name}_PID" '%s' "$pid"
}

# stop PID: ends one process started by start() and forgets it.
stop() {
  local pid=$1 kept=() p
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${BENCH_PIDS[@]}"; do
    [[ $p == "$pid" ]] || kept+=("$p")
  done
  BENCH_PIDS=("${kept[@]}")
}

# wait_ready URL [METHOD BODY HEADERS...]: polls until the URL answers 2xx, up to 90 s.
wait_ready() {
  local url=$1 deadline=$((SECONDS + 90))
  shift
  until curl -fsS -o /dev/null --max-time 2 "$@" "$url" 2>/dev/null; do
    if ((SECONDS > deadline)); then
      log "not ready after 90 s: $url"
      return 1
    fi
    sleep 0.3
  done
}

# Peak resident set (VmHWM) in MB of a process and its direct children (nginx workers).
peak_rss_mb() {
  local pid=$1 total=0 kb p
  for p in "$pid" $(pgrep -P "$pid" 2>/dev/null); do
    kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
    total=$((total + ${kb:-0}))
  done
  awk -v kb="$total" 'BEGIN { printf "%.0f", kb / 1024 }'
}

# CPU time (user + system) in clock ticks of a process and its direct children (nginx workers) so far.
cpu_ticks() {
  local pid=$1 total=0 ticks p
  for p in "$pid" $(pgrep -P "$pid" 2>/dev/null); do
    # Fields after the ") " that closes the command name: utime and stime are the 12th and 13th.
    ticks=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }')
    total=$((total + ${ticks:-0}))
  done
  echo "$total"
}

# allocated_bytes METRICS_URL: the .NET runtime's total allocated bytes so far, from a Prometheus /metrics page
# (the gateway exports the System.Runtime meter); 0 when the page has no such counter.
allocated_bytes() {
  curl -fsS --max-time 5 "$1" 2>/dev/null \
    | awk '/^dotnet_gc_heap_total_allocated_bytes(_total)?[ {]/ { v = $NF } END { printf "%.0f", v + 0 }'
}

# jit_ms METRICS_URL: milliseconds the .NET runtime has spent compiling so far (tier-0, instrumented and tier-1 code);
# 0 when the page has no such counter. Growth across a measured window means the server had not reached steady state.
jit_ms() {
  curl -fsS --max-time 5 "$1" 2>/dev/null \
    | awk '/^dotnet_jit_compilation_time_seconds(_total)?[ {]/ { v = $NF } END { printf "%.0f", (v + 0) * 1000 }'
}

# run_wrk URL BODYFILE HEADERS RATE SECONDS [CONNECTIONS] [HISTOGRAM]: prints wrk's RESULT line (see
# bench/wrk/chat.lua). RATE is requests per second in all, evenly spaced; 0 drives a closed loop, as fast as the server
# answers. CONNECTIONS defaults to WRK_CONNECTIONS (16). HISTOGRAM, a file the run's latencies are appended to.
run_wrk() {
  local url=$1 body=$2 headers=$3 rate=$4 seconds=$5 connections=${6:-${WRK_CONNECTIONS:-16}} histogram=${7:-}
  BENCH_BODY="$body" BENCH_HEADERS="$headers" BENCH_RATE="$rate" BENCH_HISTOGRAM="$histogram" \
    wrk -t"${WRK_THREADS:-1}" -c"$connections" -d"${seconds}s" --timeout 10s \
    -s "$BENCH_ROOT/bench/wrk/chat.lua" "$url" | grep '^RESULT' || echo "RESULT requests=0 duration_us=1 p50_us=0 p90_us=0 p99_us=0 mean_us=0 errors=1 non2xx=0"
}

# field RESULT_LINE NAME: one value of a RESULT line.
field() { sed -n "s/.*[[:space:]]$2=\([^[:space:]]*\).*/\1/p" <<<"$1"; }

# write_bodies DIR: the request bodies of every case. BENCH_PROMPT_FILE (plain text) replaces the short default
# prompt in all of them, e.g. bench/prompts/long.txt (265 words: the router's cost grows with a prompt's n-grams).
write_bodies() {
  local dir=$1 prompt='Explain in two sentences why the sky is blue and why sunsets are red.'
  if [[ -n ${BENCH_PROMPT_FILE:-} ]]; then
    # JSON string escaping for text: backslashes, quotes, tabs; CRLF or LF lines joined with \n.
    prompt=$(sed -e 's/\r$//' -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/\t/\\t/g' "$BENCH_PROMPT_FILE" | awk 'NR > 1 { printf "\\n" } { printf "%s", $0 }')
  fi
  # No temperature in the non-cache cases: a response cache must not turn them into cache hits.
  printf '{"model":"gpt-4o-mini-2024-07-18","messages":[{"role":"user","content":"%s"}]}' "$prompt" >"$dir/explicit.json"
  printf '{"model":"auto","messages":[{"role":"user","content":"%s"}]}' "$prompt" >"$dir/auto.json"
  printf '{"model":"gpt-4o-mini-2024-07-18","stream":true,"messages":[{"role":"user","content":"%s"}]}' "$prompt" >"$dir/stream.json"
  printf '{"model":"auto","temperature":0,"messages":[{"role":"user","content":"%s"}]}' "$prompt" >"$dir/cache.json"
  # The long shapes (bench/prompts/make_bodies.py): a 10-turn conversation (~2,000 tokens) and a RAG request
  # (~4,000 tokens in one user message), each explicit and routed; they do not change with BENCH_PROMPT_FILE.
  local shape model
  for shape in conversation rag; do
    for model in explicit auto; do
      python3 - "$BENCH_ROOT/bench/prompts/$shape.json" "$model" >"$dir/${shape}_$model.json" <<'PY'
import json, sys
messages = json.load(open(sys.argv[1], encoding="utf-8"))
model = "auto" if sys.argv[2] == "auto" else "gpt-4o-mini-2024-07-18"
sys.stdout.write(json.dumps({"model": model, "messages": messages}, ensure_ascii=False, separators=(",", ":")))
PY
    done
  done
  # The same prompt, routed, through the two other client APIs (translated to chat and back by the gateway).
  printf '{"model":"auto","input":"%s"}' "$prompt" >"$dir/responses.json"
  printf '{"model":"auto","max_tokens":256,"messages":[{"role":"user","content":"%s"}]}' "$prompt" >"$dir/messages.json"
}
