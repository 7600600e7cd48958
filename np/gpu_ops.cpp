// The device side of the array layer, continued: copies that move axes, and matrix products
// through cuBLAS (np/gpu.hpp).
#include "np/detail.hpp"
#include "np/gpu.hpp"

namespace np::gpu {

using detail::msg;

ndarray gather(const ndarray& a, const Shape& shape,
               const std::array<std::int64_t, Shape::max_ndim>& strides) {
  ndarray out = ndarray::uninitialized(shape, a.dtype(), a.device());
  cuda::Layout l;
  l.ndim = shape.ndim();
  for (int i = 0; i < shape.ndim(); ++i) {
    l.shape[i] = shape[i];
    l.strides[i] = strides[i];
  }
  cuda::gather(a.device_data(), out.device_data(), a.itemsize(), l, out.size());
  return out;
}

ndarray broadcast_to(const ndarray& a, const Shape& shape) {
  ndarray out = ndarray::uninitialized(shape, a.dtype(), a.device());
  cuda::gather(a.device_data(), out.device_data(), a.itemsize(), broadcast_layout(shape, a.shape()),
               out.size());
  return out;
}

namespace {

void require_float(const char* op, const ndarray& x) {
  if (!is_floating(x.dtype())) {
    throw device_error(msg(op, ": the CUDA backend multiplies float32 and float64 matrices "
                               "(cuBLAS), not ", x.dtype(), " ones (convert with astype)"));
  }
}

}  // namespace

ndarray matmul_stacked(const ndarray& x, const ndarray& y, const Shape& out_shape,
                       std::int64_t m, std::int64_t k, std::int64_t n, std::int64_t count) {
  const Device device = common_device("matmul", {&x, &y});
  require_float("matmul", x);
  ndarray out = ndarray::uninitialized(out_shape, x.dtype(), device);
  if (k == 0) {
    out.fill(0.0);
    return out;
  }
  cuda::gemm(x.dtype(), false, false, m, n, k, x.device_data(), m * k, y.device_data(), k * n,
             out.device_data(), count);
  return out;
}

ndarray matmul_transposed(const ndarray& a, const ndarray& b, bool trans_a) {
  const Device device = common_device("matmul", {&a, &b});
  const bool flags = a.ndim() == 2 && b.ndim() == 2 && a.dtype() == b.dtype() &&
                     is_floating(a.dtype()) && a.device() == device && b.device() == device;
  if (!flags) return trans_a ? matmul(a.T(), b) : matmul(a, b.T());
  const std::int64_t m = trans_a ? a.shape()[1] : a.shape()[0];
  const std::int64_t k = trans_a ? a.shape()[0] : a.shape()[1];
  const std::int64_t kb = trans_a ? b.shape()[0] : b.shape()[1];
  const std::int64_t n = trans_a ? b.shape()[1] : b.shape()[0];
  if (kb != k) return trans_a ? matmul(a.T(), b) : matmul(a, b.T());  // matmul's message
  ndarray out = ndarray::uninitialized({m, n}, a.dtype(), device);
  if (k == 0) {
    out.fill(0.0);
    return out;
  }
  cuda::gemm(a.dtype(), trans_a, !trans_a, m, n, k, a.device_data(), 0, b.device_data(), 0,
             out.device_data(), 1);
  return out;
}

}  // namespace np::gpu
