# Prints the results table and ratios of bench/run.sh (sourced by it; reads its RPS/P50/P99/ERRORS/RSS/CPU_US/ALLOC_KB/JIT/ROWS).

baseline_of() {
  case $1 in
    # No direct case sends these bodies: their added latency has no baseline in the run.
    gw_conv_* | gw_rag_*) echo "" ;;
    *_1k) echo direct_1k ;;
    *_stream) echo direct_stream ;;
    *) echo direct ;;
  esac
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.2f", a - b }'; }

# Portkey's better throughput of its two connection counts: the ratios' denominator.
portkey_best() { awk -v a="${RPS[portkey]:-0}" -v b="${RPS[portkey_c16]:-0}" 'BEGIN { print (b > a ? b : a) }'; }

report() {
  local row id label note base pk
  pk=$(portkey_best)
  echo
  echo "ExpertRouter load benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, wrk -t${WRK_THREADS:-1} -c${WRK_CONNECTIONS} (paced cases -c${PACED_CONNECTIONS}), ${ROUNDS} interleaved rounds of ${ROUND_SECONDS}s per case, each after a ${WARMUP_SECONDS}s warm-up, ${PREWARM_SECONDS}s pre-warm per case first (req/s over all rounds, latencies median of rounds); paced cases after them in ${PACED_SLICES} rotating slices of ${PACED_SLICE_SECONDS}s, latencies over all their requests${GATEWAY_ENV:+, gateway env: $GATEWAY_ENV}${BENCH_PROMPT_FILE:+, prompt from $BENCH_PROMPT_FILE}"
  echo
  echo "| case | req/s | p50 ms | p99 ms | p50 added ms | p99 added ms | errors | peak RSS MB | CPU µs/req | alloc KB/req | JIT ms |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for row in "${ROWS[@]}"; do
    IFS='|' read -r id label note <<<"$row"
    if [[ -n $note ]]; then
      echo "| $label | $note | | | | | | | | | |"
      continue
    fi
    base=$(baseline_of "$id")
    if [[ -z $base ]]; then
      echo "| $label | ${RPS[$id]} | ${P50[$id]} | ${P99[$id]} | - | - | ${ERRORS[$id]} | ${RSS[$id]} | ${CPU_US[$id]} | ${ALLOC_KB[$id]} | ${JIT[$id]:--} |"
    elif [[ $id == "$base" ]]; then
      echo "| $label | ${RPS[$id]} | ${P50[$id]} | ${P99[$id]} | (baseline) | (baseline) | ${ERRORS[$id]} | ${RSS[$id]} | ${CPU_US[$id]} | ${ALLOC_KB[$id]} | ${JIT[$id]:--} |"
    else
      echo "| $label | ${RPS[$id]} | ${P50[$id]} | ${P99[$id]} | $(minus "${P50[$id]}" "${P50[$base]}") | $(minus "${P99[$id]}" "${P99[$base]}") | ${ERRORS[$id]} | ${RSS[$id]} | ${CPU_US[$id]} | ${ALLOC_KB[$id]} | ${JIT[$id]:--} |"
    fi
  done
  echo
  echo "Ratios (same run; Portkey at its better connection count, $pk req/s): routed/Portkey $(ratio "${RPS[gw_auto]}" "$pk")x (target >= 10), routed/plain YARP $(ratio "${RPS[gw_auto]}" "${RPS[yarp]}") (target >= 0.75 with the 14-word prompt, >= 0.6 with 265 words),"
  echo "explicit/plain YARP $(ratio "${RPS[gw_explicit]}" "${RPS[yarp]}"), streaming/plain YARP $(ratio "${RPS[gw_stream]}" "${RPS[yarp_stream]}"), nginx/plain YARP $(ratio "${RPS[nginx]}" "${RPS[yarp]}");"
  echo "p99 added at ${PACED_RATE} req/s evenly spaced: $(minus "${P99[gw_auto_1k]}" "${P99[direct_1k]}") ms (target <= 1); plain YARP's, the control: $(minus "${P99[yarp_1k]:-0}" "${P99[direct_1k]}") ms; gateway peak RSS ${RSS[gw_auto_1k]} MB (target <= 150)."
  echo "Gateway CPU per request: explicit ${CPU_US[gw_explicit]} µs, routed ${CPU_US[gw_auto]} µs (plain YARP ${CPU_US[yarp]} µs); allocated per request: explicit ${ALLOC_KB[gw_explicit]} KB, routed ${ALLOC_KB[gw_auto]} KB."
  echo "Routed CPU / explicit CPU per request (target <= 1.25): prompt $(ratio "${CPU_US[gw_auto]}" "${CPU_US[gw_explicit]}"), conversation $(ratio "${CPU_US[gw_conv_auto]:-0}" "${CPU_US[gw_conv_explicit]:-0}") (${CPU_US[gw_conv_auto]:-n/a} / ${CPU_US[gw_conv_explicit]:-n/a} µs), RAG $(ratio "${CPU_US[gw_rag_auto]:-0}" "${CPU_US[gw_rag_explicit]:-0}") (${CPU_US[gw_rag_auto]:-n/a} / ${CPU_US[gw_rag_explicit]:-n/a} µs)."
  echo "Console on (admin key set), nobody watching, routed: CPU ${CPU_US[gwc_auto]} µs per request against ${CPU_US[gwx_auto]} µs in the control process with it off ($(ratio "${CPU_US[gwc_auto]}" "${CPU_US[gwx_auto]}")x), allocated ${ALLOC_KB[gwc_auto]} KB against ${ALLOC_KB[gwx_auto]} KB."
  echo "Client APIs, routed, CPU per request against routed chat: /v1/responses ${CPU_US[gw_responses]} µs ($(ratio "${CPU_US[gw_responses]}" "${CPU_US[gw_auto]}")x), /v1/messages ${CPU_US[gw_messages]} µs ($(ratio "${CPU_US[gw_messages]}" "${CPU_US[gw_auto]}")x) (target <= 1.2)."
  echo "Capacity check, routed: CPU per request with in-process quotas on every expert ${CPU_US[gw_auto_quota]} µs against ${CPU_US[gwx_auto]} µs without in the control process ($(minus "${CPU_US[gw_auto_quota]}" "${CPU_US[gwx_auto]}") µs, target <= 5); allocated ${ALLOC_KB[gw_auto_quota]} KB against ${ALLOC_KB[gwx_auto]} KB."
  if [[ -n ${RPS[gwn_auto]:-} ]]; then
    echo "Native AOT build, same run: routed/Portkey $(ratio "${RPS[gwn_auto]}" "$pk")x, routed/plain YARP $(ratio "${RPS[gwn_auto]}" "${RPS[yarp]}"), p99 added at ${PACED_RATE} req/s $(minus "${P99[gwn_auto_1k]}" "${P99[direct_1k]}") ms, peak RSS ${RSS[gwn_auto_1k]} MB; CPU per request explicit ${CPU_US[gwn_explicit]} µs, routed ${CPU_US[gwn_auto]} µs."
  fi
  echo "Raw wrk results and server logs: ${RESULTS#"$BENCH_ROOT"/}"
  echo
  echo "routed_vs_portkey=$(ratio "${RPS[gw_auto]}" "$pk") routed_vs_yarp=$(ratio "${RPS[gw_auto]}" "${RPS[yarp]}") p99_added_ms=$(awk -v a="${P99[gw_auto_1k]}" -v b="${P99[direct_1k]}" 'BEGIN { printf "%.2f", a - b }') yarp_p99_added_ms=$(awk -v a="${P99[yarp_1k]:-0}" -v b="${P99[direct_1k]}" 'BEGIN { printf "%.2f", a - b }') rss_mb=${RSS[gw_auto_1k]} cpu_routed_vs_explicit=$(ratio "${CPU_US[gw_auto]}" "${CPU_US[gw_explicit]}"),$(ratio "${CPU_US[gw_conv_auto]:-0}" "${CPU_US[gw_conv_explicit]:-0}"),$(ratio "${CPU_US[gw_rag_auto]:-0}" "${CPU_US[gw_rag_explicit]:-0}")"
}
