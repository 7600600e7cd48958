// Helpers shared by the array layer's source files (not part of the public interface).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "np/ndarray.hpp"

namespace np::detail {

// `a` itself when it already has `dtype`, else a converted copy: kernels convert their
// operands once and then work on one element type.
inline ndarray as_dtype(const ndarray& a, DType dtype) {
  return a.dtype() == dtype ? a : a.astype(dtype);
}

// y[i] = tanh(x[i]) with the C library's bits, several elements at a time (np/tanh.cpp).
void tanh_float64(const double* x, double* y, std::int64_t n);

// C-order strides in elements.
inline std::array<std::int64_t, Shape::max_ndim> strides_of(const Shape& shape) {
  std::array<std::int64_t, Shape::max_ndim> s{};
  std::int64_t step = 1;
  for (int i = shape.ndim() - 1; i >= 0; --i) {
    s[i] = step;
    step *= shape[i];
  }
  return s;
}

// A Python axis (negative counts from the end) as an index in [0, ndim); axis_error otherwise.
int normalize_axis(int axis, int ndim, const char* op);

// The axes of a reduction as a mask over [0, ndim); None selects every axis.
std::vector<bool> axes_mask(const Axes& axes, int ndim, const char* op);

}  // namespace np::detail
