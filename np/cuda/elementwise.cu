// Element-wise kernels of the CUDA backend: fill, astype, gather (strided copies), unary and
// binary operations with broadcasting, where. The C++ side (np/gpu.cpp) has already chosen the
// compute dtype by NumPy's rules and converted the operands; these only compute.
#include <cmath>

#include "np/cuda/common.cuh"
#include "np/cuda/dispatch.cuh"

namespace np::cuda {

namespace {

#define GRID_STRIDE(i, n)                                                          \
  for (std::int64_t i = blockIdx.x * std::int64_t(blockDim.x) + threadIdx.x; i < (n); \
       i += std::int64_t(blockDim.x) * gridDim.x)

template <class T>
__global__ void fill_kernel(T* dst, std::int64_t n, T value) {
  GRID_STRIDE(i, n) dst[i] = value;
}

template <class From, class To>
__global__ void astype_kernel(const From* src, To* dst, std::int64_t n) {
  GRID_STRIDE(i, n) {
    if constexpr (std::is_same_v<To, bool>)
      dst[i] = src[i] != From(0);
    else
      dst[i] = static_cast<To>(src[i]);
  }
}

template <class T>
__global__ void gather_kernel(const T* src, T* dst, Layout l, std::int64_t n) {
  GRID_STRIDE(i, n) dst[i] = src[offset_of(i, l)];
}

// ---- unary ----
template <class T>
__device__ T apply_unary(Unary op, T x) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case Unary::exp: return exp(x);
      case Unary::log: return log(x);
      case Unary::sin: return sin(x);
      case Unary::cos: return cos(x);
      case Unary::tanh: return tanh(x);
      case Unary::sqrt: return sqrt(x);
      default: break;
    }
  }
  switch (op) {
    case Unary::negative: return static_cast<T>(-x);
    case Unary::square:
      if constexpr (std::is_same_v<T, bool>)
        return x;
      else
        return static_cast<T>(x * x);
    case Unary::abs:
      if constexpr (std::is_unsigned_v<T> || std::is_same_v<T, bool>)
        return x;
      else
        return x < 0 ? static_cast<T>(-x) : x;
    default: return x;  // not reached: the C++ side sends only floating types to the others
  }
}

template <class T>
__global__ void unary_kernel(Unary op, const T* x, T* y, std::int64_t n) {
  GRID_STRIDE(i, n) y[i] = apply_unary(op, x[i]);
}

template <class T>
__global__ void predicate_kernel(Unary op, const T* x, bool* y, std::int64_t n) {
  GRID_STRIDE(i, n) {
    if (op == Unary::logical_not) {
      y[i] = !x[i];
    } else {  // isfinite
      if constexpr (std::is_floating_point_v<T>)
        y[i] = isfinite(x[i]);
      else
        y[i] = true;
    }
  }
}

// ---- binary ----
template <class T>
__device__ T int_power(T base, T e) {
  if constexpr (std::is_signed_v<T>) {
    if (e < 0) return T(0);  // NumPy raises; a kernel cannot (docs/gpu.md)
  }
  T result = 1;
  while (e) {
    if (e & 1) result = static_cast<T>(result * base);
    base = static_cast<T>(base * base);
    e >>= 1;
  }
  return result;
}

template <class T>
__device__ T apply_binary(Binary op, T x, T y) {
  switch (op) {
    case Binary::add:
      if constexpr (std::is_same_v<T, bool>)
        return x || y;
      else
        return static_cast<T>(x + y);
    case Binary::subtract: return static_cast<T>(x - y);
    case Binary::multiply:
      if constexpr (std::is_same_v<T, bool>)
        return x && y;
      else
        return static_cast<T>(x * y);
    case Binary::divide: return static_cast<T>(x / y);
    case Binary::power:
      if constexpr (std::is_floating_point_v<T>)
        return y == T(2) ? x * x : pow(x, y);  // NumPy squares for ** 2
      else if constexpr (std::is_same_v<T, bool>)
        return x || !y;
      else
        return int_power(x, y);
    case Binary::maximum:
      if constexpr (std::is_floating_point_v<T>)
        if (isnan(x)) return x;  // NaN wins, as in NumPy
      return x >= y ? x : y;
    case Binary::minimum:
      if constexpr (std::is_floating_point_v<T>)
        if (isnan(x)) return x;
      return x <= y ? x : y;
    default: return x;
  }
}

__device__ inline bool compare(Binary op, auto x, auto y) {
  switch (op) {
    case Binary::equal: return x == y;
    case Binary::not_equal: return x != y;
    case Binary::less: return x < y;
    case Binary::less_equal: return x <= y;
    case Binary::greater: return x > y;
    default: return x >= y;
  }
}

template <class T, class Out>
__global__ void binary_kernel(Binary op, const T* a, Layout la, const T* b, Layout lb, Out* out,
                              std::int64_t n) {
  GRID_STRIDE(i, n) {
    const T x = a[offset_of(i, la)], y = b[offset_of(i, lb)];
    if constexpr (std::is_same_v<Out, bool> && !std::is_same_v<T, bool>)
      out[i] = compare(op, x, y);
    else if (is_comparison(op))
      out[i] = compare(op, x, y);
    else
      out[i] = apply_binary(op, x, y);
  }
}

template <class T>
__global__ void where_kernel(const bool* c, Layout lc, const T* x, Layout lx, const T* y,
                             Layout ly, T* out, std::int64_t n) {
  GRID_STRIDE(i, n) out[i] = c[offset_of(i, lc)] ? x[offset_of(i, lx)] : y[offset_of(i, ly)];
}

template <class T>
__global__ void indexed_kernel(Indexed mode, const T* src, T* dst, const std::int64_t* offsets,
                               std::int64_t n) {
  GRID_STRIDE(i, n) {
    if (mode == Indexed::take) {
      dst[i] = src[offsets[i]];
    } else if (mode == Indexed::put) {
      dst[offsets[i]] = src[i];
    } else {
      if constexpr (std::is_same_v<T, std::int64_t>) {
        // two's complement: the unsigned 64-bit add is the signed one
        atomicAdd(reinterpret_cast<unsigned long long*>(dst + offsets[i]),
                  static_cast<unsigned long long>(src[i]));
      } else if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double> ||
                           std::is_same_v<T, std::int32_t>) {
        atomicAdd(dst + offsets[i], src[i]);
      }
    }
  }
}

// Binary kernels with the same input and output type (arithmetic) or bool output
// (comparisons); bool inputs with bool output serve both.
template <class T>
void launch_binary(Binary op, const void* a, const Layout& la, const void* b, const Layout& lb,
                   void* out, std::int64_t n) {
  if (is_comparison(op) || std::is_same_v<T, bool>) {
    binary_kernel<T, bool><<<blocks_for(n), threads, 0, stream()>>>(
        op, static_cast<const T*>(a), la, static_cast<const T*>(b), lb, static_cast<bool*>(out), n);
  } else {
    binary_kernel<T, T><<<blocks_for(n), threads, 0, stream()>>>(
        op, static_cast<const T*>(a), la, static_cast<const T*>(b), lb, static_cast<T*>(out), n);
  }
}

}  // namespace

void fill(void* dst, DType dtype, std::int64_t n, double value) {
  if (n == 0) return;
  dispatch_all(dtype, [&](auto t) {
    using T = decltype(t);
    fill_kernel<<<blocks_for(n), threads, 0, stream()>>>(static_cast<T*>(dst), n,
                                                         static_cast<T>(value));
  });
  check_launch("fill");
}

void astype(const void* src, DType from, void* dst, DType to, std::int64_t n) {
  if (n == 0) return;
  dispatch_all(from, [&](auto f) {
    using From = decltype(f);
    dispatch_all(to, [&](auto t) {
      using To = decltype(t);
      astype_kernel<<<blocks_for(n), threads, 0, stream()>>>(static_cast<const From*>(src),
                                                             static_cast<To*>(dst), n);
    });
  });
  check_launch("astype");
}

void gather(const void* src, void* dst, std::size_t itemsize, const Layout& layout,
            std::int64_t n) {
  if (n == 0) return;
  // Moves elements as opaque words of their size: one kernel per item size, not per dtype.
  switch (itemsize) {
    case 1:
      gather_kernel<<<blocks_for(n), threads, 0, stream()>>>(
          static_cast<const std::uint8_t*>(src), static_cast<std::uint8_t*>(dst), layout, n);
      break;
    case 4:
      gather_kernel<<<blocks_for(n), threads, 0, stream()>>>(
          static_cast<const std::uint32_t*>(src), static_cast<std::uint32_t*>(dst), layout, n);
      break;
    default:
      gather_kernel<<<blocks_for(n), threads, 0, stream()>>>(
          static_cast<const std::uint64_t*>(src), static_cast<std::uint64_t*>(dst), layout, n);
      break;
  }
  check_launch("gather");
}

void indexed(Indexed mode, DType dtype, const void* src, void* dst, const std::int64_t* offsets,
             std::int64_t n) {
  if (n == 0) return;
  if (mode == Indexed::add && (dtype == DType::bool_ || dtype == DType::uint8)) {
    throw device_error("add.at: the CUDA backend adds float32, float64, int32 and int64 only");
  }
  dispatch_all(dtype, [&](auto t) {
    using T = decltype(t);
    indexed_kernel<<<blocks_for(n), threads, 0, stream()>>>(mode, static_cast<const T*>(src),
                                                            static_cast<T*>(dst), offsets, n);
  });
  check_launch("indexing");
}

void unary(Unary op, DType dtype, const void* x, void* y, std::int64_t n) {
  if (n == 0) return;
  dispatch_all(dtype, [&](auto t) {
    using T = decltype(t);
    if (op == Unary::logical_not || op == Unary::isfinite) {
      predicate_kernel<<<blocks_for(n), threads, 0, stream()>>>(op, static_cast<const T*>(x),
                                                                static_cast<bool*>(y), n);
    } else {
      unary_kernel<<<blocks_for(n), threads, 0, stream()>>>(op, static_cast<const T*>(x),
                                                            static_cast<T*>(y), n);
    }
  });
  check_launch("unary");
}

void binary(Binary op, DType dtype, const void* a, const Layout& la, const void* b,
            const Layout& lb, void* out, std::int64_t n) {
  if (n == 0) return;
  dispatch_all(dtype, [&](auto t) { launch_binary<decltype(t)>(op, a, la, b, lb, out, n); });
  check_launch("binary");
}

void where(const void* c, const Layout& lc, const void* x, const Layout& lx, const void* y,
           const Layout& ly, DType dtype, void* out, std::int64_t n) {
  if (n == 0) return;
  dispatch_all(dtype, [&](auto t) {
    using T = decltype(t);
    where_kernel<<<blocks_for(n), threads, 0, stream()>>>(
        static_cast<const bool*>(c), lc, static_cast<const T*>(x), lx, static_cast<const T*>(y),
        ly, static_cast<T*>(out), n);
  });
  check_launch("where");
}

}  // namespace np::cuda
