#!/bin/sh
# check.sh NP COMMAND...: runs mnist_mn (COMMAND, under mpiexec with NP processes) and checks
# that rank 0 alone printed each epoch once, with NP processes, and that it learnt something.
np=$1
shift
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$@" >"$out"
status=$?
cat "$out"
[ "$status" -eq 77 ] && exit 77
[ "$status" -eq 0 ] || { echo "FAIL: exit status $status" >&2; exit 1; }
grep -q ", $np processes," "$out" || { echo "FAIL: not $np processes" >&2; exit 1; }
[ "$(grep -c '^epoch: 1$' "$out")" -eq 1 ] || { echo "FAIL: epoch 1 not printed exactly once" >&2; exit 1; }
acc=$(sed -n 's/^test loss: .*, accuracy: \([0-9.]*\)$/\1/p' "$out" | tail -n 1)
awk -v a="$acc" 'BEGIN { exit !(a > 0.5) }' || { echo "FAIL: test accuracy '$acc' not above 0.5" >&2; exit 1; }
echo "ok"
