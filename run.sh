#!/usr/bin/env bash
# ./run.sh          install what is missing, build, and run every step in order
# ./run.sh 1 35     ... only steps 1 and 35
# ./run.sh tanh --order 5   ... the example examples/tanh with those options, in out/tanh/
#                    (the examples: docs/examples.md)
# DEZERO_GRAPH=graphs ./run.sh 43   ... also draws every graph backward() goes through, into
#                    out/step43/graphs/ (see dezero/utils.hpp)
# Each step runs in its own folder out/stepNN/ (its graphs, plots and weights land there,
# its printout is kept in out/stepNN/stdout.txt); a summary table ends the run, and
# out/index.html starts the tour: a page per step with its code, what it adds to the step
# before, its printout beside the book's, and its images.
set -euo pipefail
cd "$(dirname "$0")"
root=$PWD
source tools/setup.sh

ensure_packages

# ./run.sh mnist_mn [-n N] [--epochs N]: examples/mnist_mn, MNIST trained data-parallel by N
# (2) processes under mpiexec (docs/distributed.md), in out/mnist_mn/.
if [ "${1:-}" = mnist_mn ]; then
  shift
  np=2
  if [ "${1:-}" = -n ]; then np=$2; shift 2; fi
  build release mnist_mn
  mkdir -p out/mnist_mn
  cd out/mnist_mn
  as_root=()
  [ "$(id -u)" -eq 0 ] && as_root=(--allow-run-as-root)
  exec mpiexec -n "$np" --oversubscribe "${as_root[@]}" "$root/build/release/examples/mnist_mn/mnist_mn" "$@"
fi
# An example by name: built, then run in its own folder with the options given.
if [ $# -gt 0 ] && [ -f "examples/$1/main.cpp" ]; then
  name=$1
  shift
  build release "example_$name"
  mkdir -p "out/$name"
  cd "out/$name"
  exec "$root/build/release/examples/$name/$name" "$@"
fi

# The steps that exist, from the explicit list in steps/CMakeLists.txt.
mapfile -t all_steps < <(sed -n 's/^dezero_add_step(\([0-9][0-9]\).*/\1/p' steps/CMakeLists.txt)
if [ $# -gt 0 ]; then
  steps=()
  for n in "$@"; do
    nn=$(printf '%02d' "$((10#$n))")
    if [[ " ${all_steps[*]} " != *" $nn "* ]]; then
      echo "error: there is no step $n (steps: ${all_steps[*]})" >&2
      exit 2
    fi
    steps+=("$nn")
  done
else
  steps=("${all_steps[@]}")
fi

targets=(tour_page)
for nn in "${steps[@]}"; do targets+=("step$nn"); done
build release "${targets[@]}"

summary=()
failed=0
for nn in "${steps[@]}"; do
  exe="$root/build/release/steps/step$nn/step$nn"
  dir="$root/out/step$nn"
  mkdir -p "$dir"
  # The exit status the book's step ends with (step 09 raises on purpose).
  expected=$(sed -n '1s/.*exit_code=\([0-9]*\).*/\1/p' "steps/step$nn/expected.txt" 2>/dev/null || true)
  expected=${expected:-0}
  echo "=== step $nn ===" >&2
  marker=$(mktemp)
  start=$(date +%s%N)
  set +e
  (cd "$dir" && "$exe") | tee "$dir/stdout.txt"
  status=${PIPESTATUS[0]}
  set -e
  echo "$status" > "$dir/exit_status"
  ms=$((($(date +%s%N) - start) / 1000000))
  seconds=$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))
  files=$(cd "$dir" && find . -maxdepth 2 -type f -newer "$marker" ! -name stdout.txt ! -name exit_status -printf '%P\n' | sort | tr '\n' ' ')
  rm -f "$marker"
  if [ "$status" -eq 77 ]; then
    verdict="skipped"
  elif [ "$status" -eq "$expected" ]; then
    verdict="ok"
  else
    verdict="FAILED"
    failed=1
  fi
  summary+=("$(printf '%-5s %-8s %-7s %8s  %s' "$nn" "$verdict" "$status" "$seconds" "${files:--}")")
done

echo
printf '%-5s %-8s %-7s %8s  %s\n' "step" "result" "status" "seconds" "files written (in out/stepNN/)"
printf '%s\n' "${summary[@]}"
# The tour: a page per step (its code, what it adds, its printout beside the book's, its
# images; "not run yet" for the steps that have not run) and for each example that has run.
"$root/build/release/tools/tour_page" --root "$root" ||
  echo "warning: out/index.html could not be written" >&2
echo "the tour: file://$root/out/index.html"
exit $failed
