#!/usr/bin/env bash
# bench/w7a_scale.sh: W7a's cost per operation and its memory per operation at 10^4, 10^5 and
# 10^6 operations (a graph ten times larger should cost ten times as much, no more). Each size
# runs REPS times in fresh processes, alternating the sizes; prints the medians as a Markdown
# table: microseconds per operation (forward + backward), the peak resident set and the bytes
# per operation above the process's baseline (the peak at 10^4 ... 10^6 operations against
# a run of 0 operations).
#
#   bench/w7a_scale.sh            (after cmake --build --preset release)
#   REPS=7 bench/w7a_scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bench=${BENCH:-build/release/bench/dezero_bench}
REPS=${REPS:-5}
SIZES="0 10000 100000 1000000"
[ -x "$bench" ] || { echo "w7a_scale: build $bench first (cmake --build --preset release)" >&2; exit 2; }
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
for rep in $(seq 1 "$REPS"); do
  for n in $SIZES; do
    line=$(/usr/bin/time -f "maxrss_kb=%M" "$bench" W7a ops="$n" --threads 1 2>&1 | tr '\n' ' ')
    echo "ops=$n $line" >> "$raw"
  done
done
python3 - "$raw" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    kv = dict(t.split("=", 1) for t in line.split() if "=" in t)
    rows.setdefault(int(kv["ops"]), []).append(kv)
base = statistics.median(float(r["maxrss_kb"]) for r in rows[0]) * 1024
print("| operations | µs per operation (median, min–max) | peak resident set (MB) | bytes per operation |")
print("|---|---|---|---|")
for n in sorted(rows):
    if n == 0:
        continue
    us = [float(r["us_per_op"]) for r in rows[n]]
    rss = statistics.median(float(r["maxrss_kb"]) for r in rows[n]) * 1024
    print("| %d | %.3f (%.3f–%.3f) | %.1f | %.0f |" % (n, statistics.median(us), min(us), max(us),
                                                     rss / 1e6, (rss - base) / n))
print("\n(the baseline, a run of 0 operations: %.1f MB)" % (base / 1e6))
PY
