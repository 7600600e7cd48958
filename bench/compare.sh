#!/usr/bin/env bash
# bench/compare.sh: dezero-cpp, PyTorch and the Python DeZero side by side, on this machine, in
# one run. Prints a Markdown table (and keeps it in $BENCH_OUT/results.md).
#
#   DEZERO_PY=/path/to/deep-learning-from-scratch-3 bench/compare.sh
#
# Environment (all optional):
#   DEZERO_PY        a checkout of the Python DeZero (without it that column is left out)
#   WORKLOADS        default: the workloads dezero_bench has ("W1 W7a W7b ...")
#   REPS             repetitions (default 5); the implementations alternate A B C, C B A, ...
#   THREADS          default "1 2"
#   BENCH_OUT        default build/bench-out
#   SHARED           default ../shared (the peers' scripts are in $SHARED/bench)
# OpenBLAS 0.3.21 picks slow Prescott kernels on the AVX-512 Xeon guests: as BASELINE.md
# explains, the peers run there with OPENBLAS_CORETYPE=SkylakeX. On a processor without
# AVX-512 (the AMD EPYC Zen 3 guests) that kernel stops with an illegal instruction and
# OpenBLAS's own detection is right (Zen), so it is kept (BENCH_OPENBLAS_CORETYPE=auto keeps
# it anywhere). OMP_WAIT_POLICY=PASSIVE, so that PyTorch's OpenMP threads do not spin
# against OpenBLAS's.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
SHARED=${SHARED:-$root/../shared}
PYTHON=${PYTHON:-/usr/bin/python3}
OUT=${BENCH_OUT:-$root/build/bench-out}
REPS=${REPS:-5}
THREADS=${THREADS:-1 2}
if grep -qw avx512f /proc/cpuinfo; then default_core=SkylakeX; else default_core=auto; fi
CORETYPE=${BENCH_OPENBLAS_CORETYPE:-$default_core}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
export FASHION_MNIST_DIR=${FASHION_MNIST_DIR:-/usr/share/datasets/fashion-mnist}
if [ "$CORETYPE" = auto ]; then unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE; else export OPENBLAS_CORETYPE=$CORETYPE; fi
[ "$REPS" -ge 1 ] || { echo "REPS must be at least 1" >&2; exit 2; }

source tools/setup.sh
DEZERO_PACKAGES+=(python3-numpy python3-torch python3-threadpoolctl python3-matplotlib libopenblas-dev time)
ensure_packages
build release dezero_bench
bench=$root/build/release/bench/dezero_bench

# The workloads dezero_bench has (those that need parts not written yet are left out).
WORKLOADS=${WORKLOADS:-$("$bench" --list | tr '\n' ' ')}
impls="cpp torch"
if [ -n "${DEZERO_PY:-}" ]; then
  impls+=" dezero"
  # The Python DeZero's MNIST reads ~/.dezero and downloads only what is missing.
  mkdir -p "$HOME/.dezero"
  for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
    [ -e "$HOME/.dezero/$f" ] || [ ! -e "$FASHION_MNIST_DIR/$f" ] || cp "$FASHION_MNIST_DIR/$f" "$HOME/.dezero/$f"
  done
else
  echo "note: DEZERO_PY is not set: the Python DeZero column is left out" >&2
fi

mkdir -p "$OUT/build"
raw=$OUT/raw.txt gemm=$OUT/gemm.txt
: > "$raw"
# The machine's GEMM peak, measured in this run (Eigen and OpenBLAS, 1 and 2 threads).
flags="-std=c++17 -O3 -march=native -DNDEBUG -I/usr/include/eigen3"
g++ $flags "$SHARED/bench/gemm_peak.cpp" -o "$OUT/build/gemm_peak" -lopenblas
g++ $flags -fopenmp "$SHARED/bench/gemm_peak.cpp" -o "$OUT/build/gemm_peak_omp" -lopenblas
{ "$OUT/build/gemm_peak" 1 0.2; "$OUT/build/gemm_peak_omp" 2 0.2; } > "$gemm"
# The memory bandwidth (W6's fully connected layers are limited by it, not by FLOPs).
stream=$OUT/stream.txt
g++ $flags -fopenmp "$SHARED/bench/stream_probe.cpp" -o "$OUT/build/stream_probe"
{ "$OUT/build/stream_probe" 1 256; "$OUT/build/stream_probe" 2 256; } > "$stream"

# run_one IMPL WORKLOAD THREADS: the peer's result line, with the process's peak resident set
# (GNU time's maxrss_kb) appended.
rss=$OUT/maxrss.txt
run_one() {
  local line
  line=$(case $1 in
    cpp) /usr/bin/time -f %M -o "$rss" "$bench" "$2" --threads "$3" ;;
    torch) BENCH_THREADS=$3 /usr/bin/time -f %M -o "$rss" "$PYTHON" "$SHARED/bench/torch_workloads.py" "$2" --threads "$3" ;;
    dezero) BENCH_THREADS=$3 MPLBACKEND=Agg /usr/bin/time -f %M -o "$rss" "$PYTHON" "$SHARED/bench/dezero_workloads.py" "$2" --threads "$3" ;;
  esac | tail -n 1) || return 1
  echo "$line maxrss_kb=$(tail -n 1 "$rss")"
}

for t in $THREADS; do
  for rep in $(seq 1 "$REPS"); do
    order=$impls
    [ $((rep % 2)) -eq 0 ] && order=$(echo "$impls" | awk '{for (i = NF; i > 0; i--) printf "%s ", $i}')
    for w in $WORKLOADS; do
      for impl in $order; do
        line=$(run_one "$impl" "$w" "$t" || echo "workload=$w failed=1")
        echo "impl=$impl rep=$rep threads=$t $line" | tee -a "$raw" >&2
      done
    done
  done
done

{
  echo "Measured $(date -u +%F) on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs;"
  core=$CORETYPE
  if [ "$core" = auto ]; then  # the kernel OpenBLAS detected
    core=$("$PYTHON" -c 'import ctypes; b = ctypes.CDLL("libopenblas.so.0"); b.openblas_get_corename.restype = ctypes.c_char_p; print(b.openblas_get_corename().decode())' 2>/dev/null || echo auto)
  fi
  echo "OpenBLAS kernel $core, OMP_WAIT_POLICY=$OMP_WAIT_POLICY, $REPS repetitions."
  echo
  PYTHONPATH="$SHARED/bench" "$PYTHON" bench/summarize.py "$raw" "$gemm" "$stream"
} | tee "$OUT/results.md"
