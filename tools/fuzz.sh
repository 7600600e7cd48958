#!/usr/bin/env bash
# tools/fuzz.sh [TARGET...]   build the `fuzz` preset (clang, libFuzzer, ASan + UBSan) and fuzz
#                             each target (default: all) for FUZZ_SECONDS (default 60) seconds,
#                             one after the other. Targets: idx npy_header npz image
#                             compare_output dot_label (see docs/fuzzing.md).
# The working corpus of each target is build/fuzz/corpus-work/<target>, seeded from the
# checked-in tests/fuzz/corpus/<target> (new inputs stay in the build tree); an input that
# crashes, leaks, hangs or allocates too much is kept in build/fuzz/crashes/<target>/.
# Exit status 1 when any target failed.
set -euo pipefail
cd "$(dirname "$0")/.."
all=(idx npy_header npz image compare_output dot_label)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
seconds=${FUZZ_SECONDS:-60}
for t in "${targets[@]}"; do
  [[ " ${all[*]} " == *" $t "* ]] || { echo "fuzz.sh: no target '$t' (${all[*]})" >&2; exit 2; }
done

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target "${targets[@]/#/fuzz_}"

build=build/fuzz
failed=()
for t in "${targets[@]}"; do
  work=$build/corpus-work/$t crashes=$build/crashes/$t
  mkdir -p "$work" "$crashes"
  cp -n tests/fuzz/corpus/"$t"/* "$work"/ 2>/dev/null || true
  echo "=== fuzz_$t for ${seconds}s (corpus $work)" >&2
  log=$build/fuzz-$t.log
  if OMP_NUM_THREADS=1 "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -rss_limit_mb=2048 \
       -malloc_limit_mb=512 -timeout=10 -print_final_stats=1 -artifact_prefix="$crashes/" \
       "$work" >"$log" 2>&1; then
    grep -E "^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb)" "$log" >&2 || true
  else
    failed+=("$t")
    grep -E "ERROR: |SUMMARY: |violated|Test unit written to" "$log" >&2 || tail -20 "$log" >&2
    echo "fuzz_$t FAILED: the input is in $crashes/ (full log: $log); rerun it with" >&2
    echo "    $build/tests/fuzz/fuzz_$t $crashes/<file>" >&2
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: ${targets[*]}: no crash in ${seconds}s each" >&2
