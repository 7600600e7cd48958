#!/usr/bin/env bash
# ./test.sh    install what is missing, build, and run all tests: the unit tests and every
#              step's printout check (release build), then the unit tests and the steps
#              again under AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer
#              (the sanitize preset leaves out the long runs),
#              then a short run of every fuzz target (docs/fuzzing.md), and, where nvcc is
#              on the PATH, the CUDA backend's build (the cuda preset) and its gpu tests,
#              which are skipped on a machine without a GPU (docs/gpu.md).
# Long training runs carry the ctest label "long" and are left out; run them with
#   ctest --preset release -L long
set -euo pipefail
cd "$(dirname "$0")"
source tools/setup.sh

# The tour page's browser test renders out/index.html in headless Chromium; the sanitize and
# fuzz presets build with clang, its sanitizer and libFuzzer runtimes, and OpenMP from libomp;
# the NumPy interchange tests (WithNumPy.*, SaveWeights.NumPyReadsTheFileAsThePythonDeZeroWould)
# read our files with Debian's NumPy (/usr/bin/python3).
DEZERO_PACKAGES+=(chromium clang libclang-rt-14-dev libomp-dev python3-numpy)
ensure_packages

echo "=== release build and tests ===" >&2
build release
ctest --preset release -j 2 -LE long

echo "=== unit tests and steps under AddressSanitizer + UndefinedBehaviorSanitizer + LeakSanitizer ===" >&2
build sanitize
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --preset sanitize -j 2

echo "=== fuzz targets: short runs from a fixed seed and the checked-in inputs ===" >&2
build fuzz
ctest --preset fuzz -j 2

# The CUDA backend must at least compile and link wherever CUDA is installed; its gpu tests
# run where a GPU is present and are skipped (exit 77) elsewhere, except gpu_absent_is_clean,
# which checks what a machine without a GPU gets.
if command -v nvcc >/dev/null 2>&1; then
  echo "=== CUDA backend: the cuda preset builds and links; the gpu tests ===" >&2
  build cuda
  ctest --preset cuda -L gpu
fi
