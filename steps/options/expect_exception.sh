#!/bin/sh
# expect_exception.sh MESSAGE PROGRAM [ARG...]: PROGRAM run with the ARGs must end as a Python
# script ends on an uncaught exception (steps/options sees to it): exit status 1, not an
# abort (134) or a crash, and the exception's message, which contains MESSAGE, on stderr.
# Status 77 (the step could not run here, e.g. no data set) is passed on: ctest's "skipped".
message=$1
shift
said=$("$@" 2>&1 >/dev/null)
status=$?
if [ "$status" -eq 77 ]; then
  printf '%s\n' "$said" >&2
  exit 77
fi
if [ "$status" -ne 1 ] || ! printf '%s\n' "$said" | grep -qF -- "$message"; then
  printf "FAIL: '%s' exited with status %s (expected 1 and '%s' on stderr); its stderr:\n%s\n" \
    "$*" "$status" "$message" "$said" >&2
  exit 1
fi
echo "ok: '$*' exited with status 1 and said: $(printf '%s\n' "$said" | grep -F -- "$message" | head -n 1)"
