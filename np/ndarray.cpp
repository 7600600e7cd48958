// The ndarray handle: storage, element access, conversions and the creation functions.
#include "np/ndarray.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <new>

#include "np/cuda/backend.hpp"
#include "np/detail.hpp"
#include "np/gpu.hpp"
#include "np/pool.hpp"

namespace np {

namespace {

// Storage for the elements, from the pool of blocks (np/pool.hpp). Small arrays (the scalars
// of a graph of scalar operations, a bias of a few elements) take one block for the elements
// and the reference count together; larger ones are 64-byte aligned so that Eigen's
// vectorised kernels get aligned rows (from the pool up to 16 KiB, from operator new above).
std::shared_ptr<std::byte[]> allocate(std::size_t bytes) {
  if (bytes <= 256) {
    return std::allocate_shared_for_overwrite<std::byte[]>(pool::Allocator<std::byte>{},
                                                           bytes ? bytes : 1);
  }
  auto* p = static_cast<std::byte*>(pool::allocate_aligned(bytes));
  return std::shared_ptr<std::byte[]>(
      p, [bytes](std::byte* q) { pool::deallocate_aligned(q, bytes); },
      pool::Allocator<std::byte>{});
}

template <class T>
double to_double(T v) {
  return static_cast<double>(v);
}

}  // namespace

ndarray::ndarray(Shape shape, DType dtype) : shape_(shape), dtype_(dtype) {
  for (auto d : shape_) {
    if (d < 0)
      throw shape_error(detail::msg("array: negative dimensions are not allowed: ", shape_));
  }
  storage_ = allocate(nbytes());
  ptr_ = storage_.get();
  std::memset(ptr_, 0, nbytes());
}

ndarray ndarray::uninitialized(Shape shape, DType dtype) {
  ndarray a;
  a.shape_ = shape;
  a.dtype_ = dtype;
  for (auto d : a.shape_) {
    if (d < 0)
      throw shape_error(detail::msg("array: negative dimensions are not allowed: ", shape));
  }
  a.storage_ = allocate(a.nbytes());
  a.ptr_ = a.storage_.get();
  return a;
}

ndarray ndarray::uninitialized(Shape shape, DType dtype, Device device) {
  if (device == Device::cpu) return uninitialized(shape, dtype);
  if (!device_available(device)) {
    throw device_error(detail::msg("array: cannot allocate a ", shape, " ", dtype, " array on ",
                                   device, ": ", device_unavailable_reason(device)));
  }
  ndarray a;
  a.shape_ = shape;
  a.dtype_ = dtype;
  a.device_ = device;
  for (auto d : a.shape_) {
    if (d < 0)
      throw shape_error(detail::msg("array: negative dimensions are not allowed: ", shape));
  }
  // GPU memory from the backend's pool; the handle's reference count stays in host memory.
  const std::size_t bytes = a.nbytes();
  auto* p = static_cast<std::byte*>(cuda::allocate(bytes));
  a.storage_ = std::shared_ptr<std::byte[]>(
      p, [bytes](std::byte* q) { cuda::deallocate(q, bytes); }, pool::Allocator<std::byte>{});
  a.ptr_ = p;
  return a;
}

void ndarray::not_on_host(const char* op) const {
  throw device_error(detail::msg(op, ": the ", shape_, " ", dtype_, " array lives on ", device_,
                                 ", not in host memory; this operation has no ", device_,
                                 " kernel (move the array with np::to_device)"));
}

std::int64_t ndarray::len() const {
  if (!defined() || ndim() == 0) throw shape_error("len() of unsized object");
  return shape_[0];
}

void ndarray::check_dtype(DType wanted, const char* op) const {
  if (!defined()) throw std::invalid_argument(detail::msg(op, ": the array is None"));
  if (device_ != Device::cpu) not_on_host(op);
  if (dtype_ != wanted) {
    throw dtype_error(detail::msg(op, ": the array has dtype ", dtype_, ", not ", wanted));
  }
}

double ndarray::flat(std::int64_t i) const {
  if (!defined()) throw std::invalid_argument("flat: the array is None");
  if (i < 0 || i >= size()) {
    throw index_error(detail::msg("flat: index ", i, " is out of bounds for size ", size()));
  }
  if (device_ != Device::cpu) return gpu::flat(*this, i);
  return dispatch(dtype_, [&](auto tag) {
    using T = typename decltype(tag)::type;
    return to_double(reinterpret_cast<const T*>(ptr_)[i]);
  });
}

void ndarray::set_flat(std::int64_t i, double value) {
  if (!defined()) throw std::invalid_argument("set_flat: the array is None");
  if (i < 0 || i >= size()) {
    throw index_error(detail::msg("flat: index ", i, " is out of bounds for size ", size()));
  }
  if (device_ != Device::cpu) return gpu::set_flat(*this, i, value);
  dispatch(dtype_, [&](auto tag) {
    using T = typename decltype(tag)::type;
    reinterpret_cast<T*>(ptr_)[i] = static_cast<T>(value);
  });
}

ndarray ndarray::copy() const {
  if (!defined()) return {};
  if (device_ != Device::cpu) return gpu::copy(*this);
  ndarray out = uninitialized(shape_, dtype_);
  std::memcpy(out.ptr_, ptr_, nbytes());
  return out;
}

ndarray ndarray::astype(DType dtype) const {
  if (!defined()) throw std::invalid_argument("astype: the array is None");
  if (dtype == dtype_) return copy();
  if (device_ != Device::cpu) return gpu::astype(*this, dtype);
  ndarray out = uninitialized(shape_, dtype);
  const std::int64_t n = size();
  dispatch(dtype_, [&](auto from_tag) {
    using From = typename decltype(from_tag)::type;
    dispatch(dtype, [&](auto to_tag) {
      using To = typename decltype(to_tag)::type;
      const From* src = reinterpret_cast<const From*>(ptr_);
      To* dst = reinterpret_cast<To*>(out.ptr_);
      for (std::int64_t i = 0; i < n; ++i) {
        if constexpr (std::is_same_v<To, bool>) {
          dst[i] = src[i] != From(0);
        } else {
          dst[i] = static_cast<To>(src[i]);
        }
      }
    });
  });
  return out;
}

void ndarray::fill(double value) {
  if (!defined()) throw std::invalid_argument("fill: the array is None");
  if (device_ != Device::cpu) return gpu::fill(*this, value);
  const std::int64_t n = size();
  dispatch(dtype_, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = reinterpret_cast<T*>(ptr_);
    const T v = static_cast<T>(value);
    for (std::int64_t i = 0; i < n; ++i) p[i] = v;
  });
}

ndarray ndarray::view_of(const ndarray& base, Shape shape) {
  ndarray v = base;
  v.shape_ = shape;
  return v;
}

ndarray ndarray::reshape(Shape shape) const {
  if (!defined()) throw std::invalid_argument("reshape: the array is None");
  int unknown = -1;
  std::int64_t known = 1;
  for (int i = 0; i < shape.ndim(); ++i) {
    if (shape[i] == -1) {
      if (unknown >= 0) throw shape_error("reshape: can only specify one unknown dimension");
      unknown = i;
    } else if (shape[i] < 0) {
      throw shape_error(detail::msg("reshape: negative dimension in ", shape));
    } else {
      known *= shape[i];
    }
  }
  if (unknown >= 0) {
    if (known == 0 || size() % known != 0) {
      throw shape_error(
          detail::msg("reshape: cannot reshape array of size ", size(), " into shape ", shape));
    }
    shape[unknown] = size() / known;
  } else if (known != size()) {
    throw shape_error(
        detail::msg("reshape: cannot reshape array of size ", size(), " into shape ", shape));
  }
  return view_of(*this, shape);
}

ndarray ndarray::flatten() const { return reshape({size()}).copy(); }

// ---------------------------------------------------------------------------- creation

ndarray array(const NestedList& list, std::optional<DType> dtype) {
  // First pass: the shape (rectangular, or shape_error) and the common dtype of the leaves.
  Shape shape;
  for (const NestedList* level = &list; level->is_list_;) {
    shape.push_back(static_cast<std::int64_t>(level->items_.size()));
    if (level->items_.empty()) break;
    level = &level->items_.front();
  }
  DType inferred = DType::bool_;
  bool any_leaf = false;
  std::vector<double> values;
  values.reserve(shape.numel());
  auto walk = [&](auto& self, const NestedList& node, int depth) -> void {
    if (!node.is_list_) {
      if (depth != shape.ndim()) {
        throw shape_error("array: the nested lists are not rectangular (ragged nesting)");
      }
      inferred = any_leaf ? promote_types(inferred, node.dtype_) : node.dtype_;
      any_leaf = true;
      values.push_back(node.value_);
      return;
    }
    if (depth >= shape.ndim() || static_cast<std::int64_t>(node.items_.size()) != shape[depth]) {
      throw shape_error("array: the nested lists are not rectangular (ragged nesting)");
    }
    for (const auto& item : node.items_) self(self, item, depth + 1);
  };
  walk(walk, list, 0);
  if (!any_leaf) inferred = DType::float64;  // np.array([]) is float64
  ndarray out(shape, dtype.value_or(inferred));
  for (std::size_t i = 0; i < values.size(); ++i) {
    out.set_flat(static_cast<std::int64_t>(i), values[i]);
  }
  return out;
}

ndarray empty(Shape shape, DType dtype) { return ndarray(shape, dtype); }
ndarray zeros(Shape shape, DType dtype) { return ndarray(shape, dtype); }
ndarray ones(Shape shape, DType dtype) { return full(shape, 1.0, dtype); }

ndarray full(Shape shape, double value, DType dtype) {
  ndarray out = ndarray::uninitialized(shape, dtype);
  out.fill(value);
  return out;
}

// The *_like functions make their array on a's device, as NumPy's and CuPy's do.
ndarray zeros_like(const ndarray& a, std::optional<DType> dtype) {
  if (a.device() != Device::cpu) return full_like(a, 0.0, dtype);
  return zeros(a.shape(), dtype.value_or(a.dtype()));
}
ndarray ones_like(const ndarray& a, std::optional<DType> dtype) {
  if (a.device() != Device::cpu) return full_like(a, 1.0, dtype);
  return ones(a.shape(), dtype.value_or(a.dtype()));
}
ndarray full_like(const ndarray& a, double value, std::optional<DType> dtype) {
  if (a.device() != Device::cpu) {
    ndarray out = ndarray::uninitialized(a.shape(), dtype.value_or(a.dtype()), a.device());
    out.fill(value);
    return out;
  }
  return full(a.shape(), value, dtype.value_or(a.dtype()));
}

ndarray arange(std::int64_t stop) { return arange(std::int64_t{0}, stop, std::int64_t{1}); }

ndarray arange(std::int64_t start, std::int64_t stop, std::int64_t step) {
  if (step == 0) throw std::invalid_argument("arange: step must not be zero");
  const std::int64_t n =
      std::max<std::int64_t>(0, (stop - start + step + (step > 0 ? -1 : 1)) / step);
  ndarray out = ndarray::uninitialized({n}, DType::int64);
  auto* p = out.data<std::int64_t>();
  for (std::int64_t i = 0; i < n; ++i) p[i] = start + i * step;
  return out;
}

ndarray arange(double start, double stop, double step) {
  if (step == 0.0) throw std::invalid_argument("arange: step must not be zero");
  const auto n = static_cast<std::int64_t>(std::max(0.0, std::ceil((stop - start) / step)));
  ndarray out = ndarray::uninitialized({n}, DType::float64);
  auto* p = out.data<double>();
  // NumPy fills start + i * delta with delta = (start + step) - start, which is not always
  // `step`: np.arange(1.0, 2.0, 0.1)[2] is 1.2000000000000002.
  const double delta = (start + step) - start;
  for (std::int64_t i = 0; i < n; ++i) p[i] = start + static_cast<double>(i) * delta;
  return out;
}

ndarray linspace(double start, double stop, std::int64_t num) {
  if (num < 0)
    throw std::invalid_argument(
        detail::msg("linspace: number of samples, ", num, ", must be non-negative"));
  ndarray out = ndarray::uninitialized({num}, DType::float64);
  auto* p = out.data<double>();
  // NumPy: arange(num) * step + start, then the last sample set to `stop` exactly.
  const double step = num > 1 ? (stop - start) / static_cast<double>(num - 1) : 0.0;
  for (std::int64_t i = 0; i < num; ++i) p[i] = static_cast<double>(i) * step + start;
  if (num > 1) p[num - 1] = stop;
  return out;
}

ndarray eye(std::int64_t n, DType dtype) {
  ndarray out = zeros({n, n}, dtype);
  for (std::int64_t i = 0; i < n; ++i) out.set_flat(i * n + i, 1.0);
  return out;
}

// ---------------------------------------------------------------------------- dtype rules

namespace {

// The dtype NumPy 1.x gives `array_dtype` combined with a 0-d operand of the same or a lower
// kind: promote_types(array_dtype, np.min_scalar_type(value)). So a float32 array + 2.0 stays
// float32 and a uint8 array + 1 stays uint8, but values the array's dtype cannot take widen
// it: int32 array + 2**40 -> int64, float32 array + 70000 -> float64, float32 array + 1e300
// -> float64. Where NumPy answers with a dtype we lack (uint8 array + 300 -> uint16, uint8
// array - 1 -> int16, uint8 array + 2**32 -> uint64) the narrowest of ours that holds the
// value stands in: int32 or int64.
DType value_based(DType array_dtype, const ndarray& scalar) {
  const DType s = scalar.dtype();
  if (s == DType::bool_) return array_dtype;
  // A 0-d array on a GPU counts by its kind only: reading its value would make the host wait
  // for the GPU at every operation (CuPy does not look at it either).
  if (scalar.device() != Device::cpu) return array_dtype;
  if (is_integer(s)) {
    const std::int64_t v =
        s == DType::int64 ? scalar.item<std::int64_t>() : static_cast<std::int64_t>(scalar.flat(0));
    const bool fits_int32 = v >= std::numeric_limits<std::int32_t>::min() &&
                            v <= std::numeric_limits<std::int32_t>::max();
    switch (array_dtype) {
      case DType::uint8:
        if (v >= 0 && v <= 255) return DType::uint8;
        return fits_int32 ? DType::int32 : DType::int64;
      case DType::int32:
        return fits_int32 ? DType::int32 : DType::int64;
      case DType::float32:
        // min_scalar_type is at most int16 or uint16 here, which float32 holds exactly
        return v >= -32768 && v <= 65535 ? DType::float32 : DType::float64;
      default:
        return array_dtype;
    }
  }
  // A float64 value beyond float32's range (np.min_scalar_type(3.4e38) is float64).
  if (array_dtype == DType::float32 && s == DType::float64) {
    const double v = scalar.flat(0);
    if (std::isfinite(v) && (v >= 3.4e38 || v <= -3.4e38)) return DType::float64;
  }
  return array_dtype;
}

}  // namespace

DType result_type(const ndarray& a, const ndarray& b) {
  const bool a_scalar = a.ndim() == 0, b_scalar = b.ndim() == 0;
  if (a_scalar != b_scalar) {
    // NumPy 1.x value-based casting: a 0-d operand of the same or a lower kind than the array
    // counts with the smallest dtype that holds its value.
    const ndarray& scalar = a_scalar ? a : b;
    const ndarray& arr = a_scalar ? b : a;
    if (kind_rank(scalar.dtype()) <= kind_rank(arr.dtype())) {
      return value_based(arr.dtype(), scalar);
    }
  }
  return promote_types(a.dtype(), b.dtype());
}

// ---------------------------------------------------------------------------- helpers

namespace detail {

int normalize_axis(int axis, int ndim, const char* op) {
  if (axis < -ndim || axis >= ndim) {
    throw axis_error(msg(op, ": axis ", axis, " is out of bounds for array of dimension ", ndim));
  }
  return axis < 0 ? axis + ndim : axis;
}

std::vector<bool> axes_mask(const Axes& axes, int ndim, const char* op) {
  std::vector<bool> mask(ndim, axes.is_none());
  if (axes.is_none()) return mask;
  for (int axis : axes.axes()) {
    const auto a = normalize_axis(axis, ndim, op);
    if (mask[a]) throw axis_error(msg(op, ": duplicate value in 'axis'"));
    mask[a] = true;
  }
  return mask;
}

}  // namespace detail

}  // namespace np
