#!/bin/sh
# expect_exception.sh MESSAGE PROGRAM [ARG...]: PROGRAM run with the ARGs must end as a Python
# script ends on an uncaught exception (steps/options sees to it): exit status 1, not an
# abort (134) or a crash, and the exception's message, which contains MESSAGE, on stderr.
# Status 77 (the step could not run here, e.g. no data set) is passed on: ctest's "skipped".
message=$1
shift
err=$(mktemp) || exit 1
trap 'rm -f "$err"' EXIT
"$@" >/dev/null 2>"$err"
status=$?
fail() {
  echo "FAIL: $*" >&2
  echo "--- its stderr:" >&2
  cat "$err" >&2
  exit 1
}
[ "$status" -eq 77 ] && { cat "$err" >&2; exit 77; }
[ "$status" -eq 1 ] || fail "'$*' exited with status $status, not 1"
grep -qF -- "$message" "$err" || fail "'$message' is not on its stderr"
echo "ok: '$*' exited with status 1 and said: $(grep -F -- "$message" "$err" | head -n 1)"
