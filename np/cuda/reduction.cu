// Reductions of the CUDA backend: sum, max, min, argmax, argmin along contiguous rows. The C++
// side (np/gpu.cpp) moves the reduced axes last first, so every reduction is over rows.
#include <cmath>

#include "np/cuda/common.cuh"
#include "np/cuda/dispatch.cuh"

namespace np::cuda {

namespace {

template <class T>
__device__ bool is_nan(T x) {
  if constexpr (std::is_floating_point_v<T>)
    return isnan(x);
  else
    return false;
}

// A candidate of a max/min/arg reduction: its value and its index in the row.
template <class T>
struct Candidate {
  T value;
  std::int64_t index;
};

// Whether `a` should win over `b` (max: greater; min: smaller; NaN wins, as in NumPy; ties go
// to the smaller index, NumPy's first occurrence).
template <class T>
__device__ bool better(Reduce op, const Candidate<T>& a, const Candidate<T>& b) {
  if (b.index < 0) return true;
  if (a.index < 0) return false;
  const bool an = is_nan(a.value), bn = is_nan(b.value);
  if (an || bn) return an && (!bn || a.index < b.index);
  const bool greater_wins = op == Reduce::max || op == Reduce::argmax;
  if (a.value == b.value) return a.index < b.index;
  return greater_wins ? a.value > b.value : a.value < b.value;
}

// One block of `threads` reduces one row: each thread walks the row with stride `threads`,
// then the block combines its threads' results in shared memory.
template <class T, class Acc>
__global__ void sum_rows(const T* x, std::int64_t len, Acc* out) {
  __shared__ Acc partial[threads];
  const T* row = x + blockIdx.x * len;
  Acc acc = 0;
  for (std::int64_t i = threadIdx.x; i < len; i += threads) acc += static_cast<Acc>(row[i]);
  partial[threadIdx.x] = acc;
  __syncthreads();
  for (unsigned s = threads / 2; s > 0; s /= 2) {
    if (threadIdx.x < s) partial[threadIdx.x] += partial[threadIdx.x + s];
    __syncthreads();
  }
  if (threadIdx.x == 0) out[blockIdx.x] = partial[0];
}

template <class T>
__global__ void extreme_rows(Reduce op, const T* x, std::int64_t len, void* out) {
  __shared__ T values[threads];
  __shared__ std::int64_t indices[threads];
  const T* row = x + blockIdx.x * len;
  Candidate<T> best{T(0), -1};
  for (std::int64_t i = threadIdx.x; i < len; i += threads) {
    const Candidate<T> c{row[i], i};
    if (better(op, c, best)) best = c;
  }
  values[threadIdx.x] = best.value;
  indices[threadIdx.x] = best.index;
  __syncthreads();
  for (unsigned s = threads / 2; s > 0; s /= 2) {
    if (threadIdx.x < s) {
      const Candidate<T> mine{values[threadIdx.x], indices[threadIdx.x]};
      const Candidate<T> other{values[threadIdx.x + s], indices[threadIdx.x + s]};
      if (better(op, other, mine)) {
        values[threadIdx.x] = other.value;
        indices[threadIdx.x] = other.index;
      }
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    if (op == Reduce::argmax || op == Reduce::argmin)
      static_cast<std::int64_t*>(out)[blockIdx.x] = indices[0];
    else
      static_cast<T*>(out)[blockIdx.x] = values[0];
  }
}

}  // namespace

void reduce(Reduce op, DType dtype, const void* x, std::int64_t rows, std::int64_t len,
            void* out, DType out_dtype) {
  if (rows == 0) return;
  if (rows > 0x7fffffff) throw device_error("cuda: reduce: more than 2^31 - 1 rows");
  const unsigned grid = static_cast<unsigned>(rows);
  dispatch_all(dtype, [&](auto t) {
    using T = decltype(t);
    if (op == Reduce::sum) {
      if (out_dtype == DType::int64) {
        if constexpr (!std::is_floating_point_v<T>)
          sum_rows<T, std::int64_t><<<grid, threads, 0, stream()>>>(
              static_cast<const T*>(x), len, static_cast<std::int64_t*>(out));
      } else if constexpr (std::is_floating_point_v<T>) {
        sum_rows<T, T><<<grid, threads, 0, stream()>>>(static_cast<const T*>(x), len,
                                                        static_cast<T*>(out));
      }
    } else {
      extreme_rows<T><<<grid, threads, 0, stream()>>>(op, static_cast<const T*>(x), len, out);
    }
  });
  check_launch("reduce");
}

}  // namespace np::cuda
