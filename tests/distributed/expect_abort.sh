#!/bin/sh
# expect_abort.sh SECONDS MESSAGE COMMAND...: COMMAND (an mpiexec job) must end with a non-zero
# status within SECONDS and print MESSAGE on stderr. A hang is stopped at 60 s and fails.
limit=$1 message=$2
shift 2
err=$(mktemp)
trap 'rm -f "$err"' EXIT
start=$(date +%s)
timeout -k 5 60 "$@" 2>"$err"
status=$?
elapsed=$(($(date +%s) - start))
cat "$err" >&2
if [ "$status" -eq 0 ]; then echo "FAIL: the job exited with 0" >&2; exit 1; fi
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then echo "FAIL: the job hung (stopped after 60 s)" >&2; exit 1; fi
if [ "$elapsed" -gt "$limit" ]; then echo "FAIL: the job took ${elapsed} s (limit ${limit} s)" >&2; exit 1; fi
if ! grep -qF "$message" "$err"; then echo "FAIL: stderr lacks: $message" >&2; exit 1; fi
echo "ok: status $status after ${elapsed} s"
