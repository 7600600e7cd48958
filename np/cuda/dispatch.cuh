// The run-time dtype as a compile-time element type inside the .cu files (internal).
#pragma once

#include <cstdint>
#include <type_traits>

#include "np/dtype.hpp"

namespace np::cuda {

// Calls f(T{}) with the element type of `dtype` (a value of T, never read: device code needs
// no std::type_identity).
template <class F>
void dispatch_all(DType dtype, F&& f) {
  switch (dtype) {
    case DType::bool_: return f(bool{});
    case DType::uint8: return f(std::uint8_t{});
    case DType::int32: return f(std::int32_t{});
    case DType::int64: return f(std::int64_t{});
    case DType::float32: return f(float{});
    case DType::float64: return f(double{});
  }
}

// The element offset of output position i in an operand read through `l`.
__device__ inline std::int64_t offset_of(std::int64_t i, const Layout& l) {
  std::int64_t off = 0;
  for (int d = l.ndim - 1; d >= 0; --d) {
    const std::int64_t len = l.shape[d];
    off += (i % len) * l.strides[d];
    i /= len;
  }
  return off;
}

}  // namespace np::cuda
