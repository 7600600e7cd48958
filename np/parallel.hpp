// Element-wise loops over large arrays, shared between the cores.
//
// Each element of an element-wise operation (a + b, an optimizer's update, a fused gradient) is
// computed on its own, so splitting the range between threads gives the same bits however it
// is split. The pieces are multiples of 256 elements, so that a kernel that works in blocks
// (np's float32 functions pass blocks of 256 through an aligned buffer) sees the same blocks as
// on one thread. Below `parallel_elements` (a megabyte of float32) a loop stays on the calling
// thread: waking another costs more than it saves, and on a busy machine every parallel region
// waits for a thread that may not be running. In a training loop this splits the optimizer's
// updates of large weight matrices and little else. Reductions are not split: their order of
// additions is NumPy's.
#pragma once

#include <algorithm>
#include <cstdint>
#include <exception>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace np::detail {

inline constexpr std::int64_t parallel_elements = std::int64_t{1} << 18;
inline constexpr std::int64_t parallel_granule = 256;

// Calls body(begin, end) on pieces covering [0, n): one piece per thread when n is large, the
// whole range on this thread otherwise (or inside a parallel region already).
template <class Body>
void parallel_range(std::int64_t n, Body&& body) {
#ifdef _OPENMP
  if (n >= parallel_elements && !omp_in_parallel() && omp_get_max_threads() > 1) {
    // An exception may not leave a parallel region (that would terminate the program): the
    // first one thrown is caught there and rethrown here.
    std::exception_ptr error;
#pragma omp parallel
    {
      const std::int64_t threads = omp_get_num_threads(), t = omp_get_thread_num();
      const std::int64_t blocks = (n + parallel_granule - 1) / parallel_granule;
      const std::int64_t begin = std::min(n, blocks * t / threads * parallel_granule);
      const std::int64_t end = std::min(n, blocks * (t + 1) / threads * parallel_granule);
      try {
        if (begin < end) body(begin, end);
      } catch (...) {
#pragma omp critical(np_parallel_range_error)
        if (!error) error = std::current_exception();
      }
    }
    if (error) std::rethrow_exception(error);
    return;
  }
#endif
  body(std::int64_t{0}, n);
}

}  // namespace np::detail
