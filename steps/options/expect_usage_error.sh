#!/bin/sh
# expect_usage_error.sh PROBLEM USAGE PROGRAM [ARG...]: PROGRAM run with the ARGs must exit with
# status 2 before doing any work: nothing on stdout, and on stderr the line "NAME: PROBLEM" and
# the line USAGE (NAME is PROGRAM's file name).
problem=$1
usage=$2
shift 2
name=$(basename "$1")
err=$(mktemp) || exit 1
trap 'rm -f "$err"' EXIT
out=$("$@" 2>"$err")
status=$?
fail() {
  echo "FAIL: $*" >&2
  echo "--- its stderr:" >&2
  cat "$err" >&2
  exit 1
}
[ "$status" -eq 2 ] || fail "'$*' exited with status $status, not 2"
[ -z "$out" ] || fail "'$*' printed on stdout: $out"
grep -qxF "$name: $problem" "$err" || fail "no line '$name: $problem' on stderr"
grep -qxF "$usage" "$err" || fail "no line '$usage' on stderr"
echo "ok: '$*' exited with status 2 and said: $name: $problem / $usage"
