#!/bin/sh
# expect_abort.sh SECONDS MESSAGE COMMAND...: COMMAND (an mpiexec job) must end with a non-zero
# status within SECONDS and print MESSAGE on stderr. A hang is stopped at 3 x SECONDS and fails.
limit=$1 message=$2
shift 2
err=$(mktemp)
trap 'rm -f "$err"' EXIT
start=$(date +%s)
hang=$((3 * limit))
timeout -k 5 "$hang" "$@" 2>"$err"
status=$?
elapsed=$(($(date +%s) - start))
cat "$err" >&2
if [ "$status" -eq 0 ]; then echo "FAIL: the job exited with 0" >&2; exit 1; fi
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then echo "FAIL: the job hung (stopped after ${hang} s)" >&2; exit 1; fi
if [ "$elapsed" -gt "$limit" ]; then echo "FAIL: the job took ${elapsed} s (limit ${limit} s)" >&2; exit 1; fi
if ! grep -qF "$message" "$err"; then echo "FAIL: stderr lacks: $message" >&2; exit 1; fi
echo "ok: status $status after ${elapsed} s"
