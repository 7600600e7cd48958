#!/usr/bin/env bash
# The ctests of one fuzz target (tests/fuzz/CMakeLists.txt):
#   run_target.sh short  TARGET CORPUS WORK RUNS   RUNS executions from seed 1, over a copy
#                                                  of CORPUS in WORK (the source tree is only read)
#   run_target.sh corpus TARGET CORPUS WORK        every file of CORPUS once
# Fails when the target crashes, leaks, hangs (10 s per input) or allocates too much.
set -euo pipefail
mode=$1 target=$2 corpus=$3 work=$4
limits=(-rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=10)
mkdir -p "$work"
case $mode in
  short)
    rm -rf "$work/corpus" "$work/short-artifacts"
    mkdir -p "$work/corpus" "$work/short-artifacts"
    cp "$corpus"/* "$work/corpus/"
    exec "$target" "${limits[@]}" -seed=1 -runs="$5" -print_final_stats=1 \
      -artifact_prefix="$work/short-artifacts/" "$work/corpus"
    ;;
  corpus)
    files=("$corpus"/*)
    [ -e "${files[0]}" ] || { echo "no inputs in $corpus" >&2; exit 1; }
    rm -rf "$work/corpus-artifacts"
    mkdir -p "$work/corpus-artifacts"
    exec "$target" "${limits[@]}" -artifact_prefix="$work/corpus-artifacts/" "${files[@]}"
    ;;
  *)
    echo "usage: $0 short|corpus TARGET CORPUS WORK [RUNS]" >&2
    exit 2
    ;;
esac
