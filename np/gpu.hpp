// The device side of the array layer's operations (internal): what np's functions call when an
// operand lives on a GPU. Shapes, dtypes and NumPy's rules are settled here on the host, as on
// the CPU path; np/cuda/backend.hpp's kernels then only compute. In a build without the CUDA
// backend no array can be on a GPU, so none of this is reached.
#pragma once

#include <initializer_list>
#include <optional>
#include <vector>

#include "np/cuda/backend.hpp"
#include "np/ndarray.hpp"

namespace np::gpu {

// True when `a` lives off the host: the operation takes the device path.
inline bool off_host(const ndarray& a) { return a.device() != Device::cpu; }

// The one device of an operation's operands. device_error naming the operation and both
// devices when they differ; a 0-d host array (a C++ number, x * 2.0) goes along with any
// device, as CuPy takes Python scalars.
Device common_device(const char* op, std::initializer_list<const ndarray*> operands);
// `a` on `device`: itself, or a 0-d host array copied there (common_device allowed it).
ndarray on(const ndarray& a, Device device);
// device_error: `op` has no kernel for arrays on a's device.
[[noreturn]] void unsupported(const char* op, const ndarray& a);
// The strides that read an operand of shape `operand` over the broadcast shape `out`.
cuda::Layout broadcast_layout(const Shape& out, const Shape& operand);

ndarray copy(const ndarray& a);
ndarray astype(const ndarray& a, DType dtype);
void fill(ndarray& a, double value);
double flat(const ndarray& a, std::int64_t i);  // waits for the stream
void set_flat(ndarray& a, std::int64_t i, double value);

// Element-wise operations by NumPy's name ("add", "tanh", ...): `compute` is the dtype both
// operands are converted to, `out_dtype` the result's (bool for comparisons).
ndarray binary(const char* name, const ndarray& a, const ndarray& b, DType compute,
               DType out_dtype, const Shape& shape);
// self op= other, computed in `compute` and cast back to self's dtype.
void inplace(const char* name, ndarray& self, const ndarray& other, DType compute);
ndarray unary(const char* name, const ndarray& a, DType compute, DType out_dtype);
ndarray where(const ndarray& c, const ndarray& x, const ndarray& y, DType dtype,
              const Shape& shape);

// Reductions: name is "sum", "max", "min"; mean is the sum divided on the device.
ndarray reduce(const char* name, const ndarray& a, const Axes& axes, bool keepdims);
ndarray mean(const ndarray& a, const Axes& axes, bool keepdims);
ndarray arg_reduce(const char* name, const ndarray& a, std::optional<int> axis);
bool all(const ndarray& a);
bool any(const ndarray& a);

// out (contiguous, `shape`) = a read with element `strides` per axis: transpose's copy.
ndarray gather(const ndarray& a, const Shape& shape,
               const std::array<std::int64_t, Shape::max_ndim>& strides);
ndarray broadcast_to(const ndarray& a, const Shape& shape);
// Stacks of `count` row-major matrices, x (m x k) and y (k x n), of one float dtype: cuBLAS.
ndarray matmul_stacked(const ndarray& x, const ndarray& y, const Shape& out_shape,
                       std::int64_t m, std::int64_t k, std::int64_t n, std::int64_t count);
// matmul(a.T(), b) or matmul(a, b.T()) with the transpose as a cuBLAS flag (2-D a and b of one
// float dtype; otherwise the transpose is copied first).
ndarray matmul_transposed(const ndarray& a, const ndarray& b, bool trans_a);

}  // namespace np::gpu
