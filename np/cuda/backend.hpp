// The CUDA backend's interface to the rest of the array layer (internal). Plain C++: no CUDA
// header appears here, so np/*.cpp compile without the CUDA toolkit. The kernels behind it are
// in np/cuda/*.cu; a build without the backend links np/cuda/host_only.cpp instead, where
// available() is false and everything else throws device_error.
//
// Pointers are device pointers. Every kernel and copy is queued on the backend's one stream,
// in order; only the copies to the host (copy_to_host) wait for it. One stream also makes the
// pool safe: a block freed while kernels that read it are still queued is handed out again
// only to work queued after them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "np/dtype.hpp"

namespace np::cuda {

// True when the build has the backend and the CUDA runtime sees at least one GPU. Asked once;
// without a GPU it is false without an error (the runtime's answer is read, not thrown).
bool available();
// Why available() is false, in a few words ("no CUDA-capable device is detected", or "this
// build has no CUDA backend").
const char* unavailable_reason();

// --- memory: the caching pool (np/cuda/memory.cu) ------------------------------------------
// A block of at least `bytes` on the GPU. Freed blocks wait in the pool, by rounded size, for
// the next request of that size (as CuPy's memory pool). On out-of-memory the pool gives its
// cached blocks back and retries once; then it throws np::cuda::out_of_memory (np/device.hpp).
void* allocate(std::size_t bytes);
void deallocate(void* block, std::size_t bytes) noexcept;
// Bytes in blocks handed out, bytes the pool holds from the driver (handed out + cached).
std::size_t pool_used_bytes();
std::size_t pool_held_bytes();
// Gives the cached (not handed out) blocks back to the driver.
void pool_free_cached();

void copy_to_device(void* dst, const void* src, std::size_t bytes);  // host -> device
void copy_to_host(void* dst, const void* src, std::size_t bytes);    // waits for the stream
void copy_on_device(void* dst, const void* src, std::size_t bytes);
// `rows` rows of `width` bytes, from rows `src_pitch` bytes apart to rows `dst_pitch` apart.
void copy_rows(void* dst, std::size_t dst_pitch, const void* src, std::size_t src_pitch,
               std::size_t width, std::int64_t rows);
void synchronize();

// --- element-wise kernels (np/cuda/elementwise.cu) -----------------------------------------
// Operand strides in elements over the output's shape (0 on broadcast axes), `ndim` axes.
constexpr int max_ndim = 8;
struct Layout {
  int ndim = 0;
  std::array<std::int64_t, max_ndim> shape{};
  std::array<std::int64_t, max_ndim> strides{};
};

void fill(void* dst, DType dtype, std::int64_t n, double value);
void astype(const void* src, DType from, void* dst, DType to, std::int64_t n);
// dst (contiguous, C order over layout.shape) = src read through layout.strides: transpose,
// broadcast_to, slices (src already offset to the first element).
void gather(const void* src, void* dst, std::size_t itemsize, const Layout& layout,
            std::int64_t n);

enum class Unary { negative, exp, log, sin, cos, tanh, sqrt, square, abs, logical_not, isfinite };
// y = op(x) on n elements of `dtype`; logical_not and isfinite write bool.
void unary(Unary op, DType dtype, const void* x, void* y, std::int64_t n);

enum class Binary {
  add, subtract, multiply, divide, power, maximum, minimum,
  equal, not_equal, less, less_equal, greater, greater_equal
};
constexpr bool is_comparison(Binary op) { return op >= Binary::equal; }
// out (contiguous over `la.shape`) = op(a, b), a read through la, b through lb (same shape,
// own strides), both of dtype `dtype`; comparisons write bool.
void binary(Binary op, DType dtype, const void* a, const Layout& la, const void* b,
            const Layout& lb, void* out, std::int64_t n);
// out = c ? x : y, all three read through their layouts (c is bool).
void where(const void* c, const Layout& lc, const void* x, const Layout& lx, const void* y,
           const Layout& ly, DType dtype, void* out, std::int64_t n);

// Indexing by element offsets (computed on the host from the index expression, np/gpu.cpp):
// take: dst[i] = src[offsets[i]]; put: dst[offsets[i]] = src[i]; add: dst[offsets[i]] += src[i]
// with atomic adds, so repeated offsets accumulate (np.add.at; float32, float64, int32, int64).
enum class Indexed { take, put, add };
void indexed(Indexed mode, DType dtype, const void* src, void* dst, const std::int64_t* offsets,
             std::int64_t n);

// --- reductions (np/cuda/reduction.cu) ------------------------------------------------------
// x is `rows` contiguous rows of `len` elements; out[r] = op over row r.
enum class Reduce { sum, max, min, argmax, argmin };
// sum writes `out_dtype` (int64 for bool and integers, else the input's dtype); max/min the
// input's dtype; argmax/argmin int64.
void reduce(Reduce op, DType dtype, const void* x, std::int64_t rows, std::int64_t len,
            void* out, DType out_dtype);

// --- products (np/cuda/blas.cu): cuBLAS -----------------------------------------------------
// Row-major C (m x n) = op(A) op(B), batch times with the given element strides between
// matrices (0 repeats one matrix). A is m x k (k x m when trans_a), B k x n (n x k when
// trans_b). float32 or float64.
void gemm(DType dtype, bool trans_a, bool trans_b, std::int64_t m, std::int64_t n,
          std::int64_t k, const void* a, std::int64_t stride_a, const void* b,
          std::int64_t stride_b, void* c, std::int64_t batch);

}  // namespace np::cuda
