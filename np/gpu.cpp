// The device side of the array layer: device checks, copies, conversions, element-wise
// operations and reductions for arrays on a GPU (np/gpu.hpp). Products: np/gpu_ops.cpp.
#include "np/gpu.hpp"

#include <cstring>
#include <string_view>

#include "np/detail.hpp"

namespace np::gpu {

using detail::as_dtype;
using detail::msg;

Device common_device(const char* op, std::initializer_list<const ndarray*> operands) {
  const ndarray* first = nullptr;
  for (const ndarray* a : operands) {
    if (!a->defined()) throw std::invalid_argument(msg(op, ": the operand is None"));
    if (a->device() == Device::cpu && a->ndim() == 0) continue;  // a number: goes anywhere
    if (!first) {
      first = a;
    } else if (a->device() != first->device()) {
      throw device_error(msg(op, ": the operands live on two devices: a ", first->shape(), " ",
                             first->dtype(), " array on ", first->device(), " and a ",
                             a->shape(), " ", a->dtype(), " array on ", a->device(),
                             " (move one with np::to_device)"));
    }
  }
  if (first) return first->device();
  for (const ndarray* a : operands) {
    if (a->device() != Device::cpu) return a->device();
  }
  return Device::cpu;
}

ndarray on(const ndarray& a, Device device) {
  return a.device() == device ? a : to_device(a, device);
}

void unsupported(const char* op, const ndarray& a) {
  throw device_error(msg(op, ": not supported for arrays on ", a.device(),
                         ": the CUDA backend has no kernel for it (a ", a.shape(), " ", a.dtype(),
                         " operand; docs/gpu.md lists what runs on the GPU)"));
}

cuda::Layout broadcast_layout(const Shape& out, const Shape& operand) {
  cuda::Layout l;
  l.ndim = out.ndim();
  const auto cs = detail::strides_of(operand);
  const int off = out.ndim() - operand.ndim();
  for (int i = 0; i < out.ndim(); ++i) {
    const int j = i - off;
    l.shape[i] = out[i];
    l.strides[i] = j >= 0 && operand[j] != 1 ? cs[j] : 0;
  }
  return l;
}

ndarray copy(const ndarray& a) {
  ndarray out = ndarray::uninitialized(a.shape(), a.dtype(), a.device());
  cuda::copy_on_device(out.device_data(), a.device_data(), a.nbytes());
  return out;
}

ndarray astype(const ndarray& a, DType dtype) {
  ndarray out = ndarray::uninitialized(a.shape(), dtype, a.device());
  cuda::astype(a.device_data(), a.dtype(), out.device_data(), dtype, a.size());
  return out;
}

void fill(ndarray& a, double value) { cuda::fill(a.device_data(), a.dtype(), a.size(), value); }

double flat(const ndarray& a, std::int64_t i) {
  return dispatch(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T v{};
    cuda::copy_to_host(&v, static_cast<const T*>(a.device_data()) + i, sizeof(T));
    return static_cast<double>(v);
  });
}

void set_flat(ndarray& a, std::int64_t i, double value) {
  dispatch(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T v = static_cast<T>(value);
    cuda::copy_to_device(static_cast<T*>(a.device_data()) + i, &v, sizeof(T));
  });
}

// ---------------------------------------------------------------------------- element-wise

namespace {

struct BinaryName {
  std::string_view name;
  cuda::Binary op;
};
constexpr BinaryName kBinary[] = {
    {"add", cuda::Binary::add},           {"subtract", cuda::Binary::subtract},
    {"multiply", cuda::Binary::multiply}, {"divide", cuda::Binary::divide},
    {"power", cuda::Binary::power},       {"maximum", cuda::Binary::maximum},
    {"minimum", cuda::Binary::minimum},   {"equal", cuda::Binary::equal},
    {"not_equal", cuda::Binary::not_equal}, {"less", cuda::Binary::less},
    {"less_equal", cuda::Binary::less_equal}, {"greater", cuda::Binary::greater},
    {"greater_equal", cuda::Binary::greater_equal},
    {"operator+=", cuda::Binary::add},    {"operator-=", cuda::Binary::subtract},
    {"operator*=", cuda::Binary::multiply}, {"operator/=", cuda::Binary::divide},
};

struct UnaryName {
  std::string_view name;
  cuda::Unary op;
};
constexpr UnaryName kUnary[] = {
    {"negative", cuda::Unary::negative}, {"exp", cuda::Unary::exp},
    {"log", cuda::Unary::log},           {"sin", cuda::Unary::sin},
    {"cos", cuda::Unary::cos},           {"tanh", cuda::Unary::tanh},
    {"sqrt", cuda::Unary::sqrt},         {"square", cuda::Unary::square},
    {"absolute", cuda::Unary::abs},      {"logical_not", cuda::Unary::logical_not},
    {"isfinite", cuda::Unary::isfinite},
};

template <class Table>
auto find_op(const Table& table, const char* name, const ndarray& operand) {
  for (const auto& entry : table) {
    if (entry.name == name) return entry.op;
  }
  unsupported(name, operand);
}

}  // namespace

ndarray binary(const char* name, const ndarray& a, const ndarray& b, DType compute,
               DType out_dtype, const Shape& shape) {
  const Device device = common_device(name, {&a, &b});
  const cuda::Binary op = find_op(kBinary, name, a.device() == Device::cpu ? b : a);
  const ndarray x = on(as_dtype(a, compute), device), y = on(as_dtype(b, compute), device);
  ndarray out = ndarray::uninitialized(shape, out_dtype, device);
  cuda::binary(op, compute, x.device_data(), broadcast_layout(shape, x.shape()), y.device_data(),
               broadcast_layout(shape, y.shape()), out.device_data(), out.size());
  return out;
}

void inplace(const char* name, ndarray& self, const ndarray& other, DType compute) {
  const Device device = common_device(name, {&self, &other});
  if (self.device() != device) {
    throw device_error(msg(name, ": the operands live on two devices: a ", self.shape(),
                           " array on ", self.device(), " and a ", other.shape(), " array on ",
                           other.device()));
  }
  const cuda::Binary op = find_op(kBinary, name, self);
  const ndarray y = on(as_dtype(other, compute), device);
  const Shape& shape = self.shape();
  if (compute == self.dtype()) {
    // Each thread reads and writes only its own element of self: safe in place (also when
    // y shares self's elements, as it then has self's shape).
    cuda::binary(op, compute, self.device_data(), broadcast_layout(shape, shape),
                 y.device_data(), broadcast_layout(shape, y.shape()), self.device_data(),
                 self.size());
    return;
  }
  const ndarray x = as_dtype(self, compute);
  ndarray result = ndarray::uninitialized(shape, compute, device);
  cuda::binary(op, compute, x.device_data(), broadcast_layout(shape, shape), y.device_data(),
               broadcast_layout(shape, y.shape()), result.device_data(), result.size());
  cuda::astype(result.device_data(), compute, self.device_data(), self.dtype(), self.size());
}

ndarray unary(const char* name, const ndarray& a, DType compute, DType out_dtype) {
  const cuda::Unary op = find_op(kUnary, name, a);
  const ndarray x = as_dtype(a, compute);
  ndarray out = ndarray::uninitialized(a.shape(), out_dtype, a.device());
  cuda::unary(op, compute, x.device_data(), out.device_data(), a.size());
  return out;
}

ndarray where(const ndarray& c, const ndarray& x, const ndarray& y, DType dtype,
              const Shape& shape) {
  const Device device = common_device("where", {&c, &x, &y});
  const ndarray cc = on(as_dtype(c, DType::bool_), device);
  const ndarray u = on(as_dtype(x, dtype), device), v = on(as_dtype(y, dtype), device);
  ndarray out = ndarray::uninitialized(shape, dtype, device);
  cuda::where(cc.device_data(), broadcast_layout(shape, cc.shape()), u.device_data(),
              broadcast_layout(shape, u.shape()), v.device_data(),
              broadcast_layout(shape, v.shape()), dtype, out.device_data(), out.size());
  return out;
}

// ---------------------------------------------------------------------------- reductions

namespace {

// The reduction's plan: the output shape, and `a` with the reduced axes moved last (a copy
// only when they are not last already), so that every output element owns one row.
struct Rows {
  Shape out_shape;
  ndarray x;
  std::int64_t len = 1;
};

Rows rows_of(const ndarray& a, const std::vector<bool>& reduced, bool keepdims) {
  Rows r;
  std::vector<int> order;
  for (int i = 0; i < a.ndim(); ++i) {
    if (reduced[i]) {
      r.len *= a.shape()[i];
      if (keepdims) r.out_shape.push_back(1);
    } else {
      r.out_shape.push_back(a.shape()[i]);
      order.push_back(i);
    }
  }
  bool trailing = true;
  for (int i = 0; i < a.ndim(); ++i) {
    if (reduced[i]) {
      order.push_back(i);
    }
  }
  for (int i = 0; i < static_cast<int>(order.size()); ++i) trailing = trailing && order[i] == i;
  r.x = trailing ? a : a.transpose(order);
  return r;
}

}  // namespace

ndarray reduce(const char* name, const ndarray& a, const Axes& axes, bool keepdims) {
  const std::string_view n(name);
  const cuda::Reduce op = n == "sum" ? cuda::Reduce::sum
                          : n == "max" ? cuda::Reduce::max
                          : n == "min" ? cuda::Reduce::min
                                       : (unsupported(name, a), cuda::Reduce::sum);
  const std::vector<bool> reduced = detail::axes_mask(axes, a.ndim(), name);
  const Rows r = rows_of(a, reduced, keepdims);
  if (op != cuda::Reduce::sum && r.len == 0) {
    throw std::invalid_argument(
        msg(name, ": zero-size array to reduction operation ", name, " which has no identity"));
  }
  // NumPy sums bool and small integers in the platform integer (int64).
  const DType out_dtype =
      op == cuda::Reduce::sum && !is_floating(a.dtype()) ? DType::int64 : a.dtype();
  ndarray out = ndarray::uninitialized(r.out_shape, out_dtype, a.device());
  if (r.len == 0) {
    out.fill(0.0);
  } else {
    cuda::reduce(op, a.dtype(), r.x.device_data(), out.size(), r.len, out.device_data(),
                 out_dtype);
  }
  return out;
}

ndarray mean(const ndarray& a, const Axes& axes, bool keepdims) {
  // Integers are averaged in float64; floats in their own dtype (as on the CPU).
  const ndarray x = is_floating(a.dtype()) ? a : a.astype(DType::float64);
  const ndarray s = reduce("sum", x, axes, keepdims);
  const double count = static_cast<double>(x.size()) / static_cast<double>(std::max<std::int64_t>(s.size(), 1));
  // The count as a number of the sum's dtype, so that the quotient keeps it.
  return divide(s, ndarray(count).astype(s.dtype()));
}

ndarray arg_reduce(const char* name, const ndarray& a, std::optional<int> axis) {
  if (a.size() == 0)
    throw std::invalid_argument(msg(name, ": attempt to get ", name, " of an empty sequence"));
  const ndarray flat = axis ? a : a.reshape({a.size()});
  const int ax = axis ? detail::normalize_axis(*axis, flat.ndim(), name) : 0;
  std::vector<bool> reduced(static_cast<std::size_t>(flat.ndim()), false);
  reduced[static_cast<std::size_t>(ax)] = true;
  const Rows r = rows_of(flat, reduced, false);
  ndarray out = ndarray::uninitialized(r.out_shape, DType::int64, a.device());
  const cuda::Reduce op =
      std::string_view(name) == "argmin" ? cuda::Reduce::argmin : cuda::Reduce::argmax;
  cuda::reduce(op, a.dtype(), r.x.device_data(), out.size(), r.len, out.device_data(),
               DType::int64);
  return out;
}

bool all(const ndarray& a) {
  if (a.size() == 0) return true;
  const ndarray b = as_dtype(a, DType::bool_).reshape({a.size()});
  return reduce("min", b, none, false).item<bool>();  // waits
}

bool any(const ndarray& a) {
  if (a.size() == 0) return false;
  const ndarray b = as_dtype(a, DType::bool_).reshape({a.size()});
  return reduce("max", b, none, false).item<bool>();  // waits
}

}  // namespace np::gpu
