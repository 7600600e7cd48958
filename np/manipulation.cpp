// Shape manipulation: transpose, broadcast_to, sum_to, concatenate, stack, pad, ...
#include <cstring>
#include <numeric>

#include "np/broadcast.hpp"
#include "np/detail.hpp"
#include "np/gpu.hpp"

namespace np {

namespace {

using detail::msg;

void require_defined(const ndarray& a, const char* op) {
  if (!a.defined()) throw std::invalid_argument(msg(op, ": the operand is None"));
}

// Copies a strided view of `src` (shape `shape`, element strides `strides`) into `dst` in C
// order. The innermost loop is contiguous on the destination side.
template <class T>
void gather_strided(const T* src, T* dst, const Shape& shape,
                    const std::array<std::int64_t, Shape::max_ndim>& strides) {
  const int nd = shape.ndim();
  if (shape.numel() == 0) return;
  if (nd == 0) {
    *dst = *src;
    return;
  }
  const std::int64_t n = shape[nd - 1], s = strides[nd - 1];
  std::array<std::int64_t, Shape::max_ndim> idx{};
  std::int64_t off = 0;
  const std::int64_t rows = shape.numel() / n;
  for (std::int64_t r = 0; r < rows; ++r) {
    const T* p = src + off;
    for (std::int64_t i = 0; i < n; ++i) dst[i] = p[i * s];
    dst += n;
    for (int d = nd - 2; d >= 0; --d) {
      if (++idx[d] < shape[d]) {
        off += strides[d];
        break;
      }
      off -= strides[d] * (shape[d] - 1);
      idx[d] = 0;
    }
  }
}

}  // namespace

ndarray reshape(const ndarray& a, Shape shape) { return a.reshape(shape); }

ndarray ndarray::transpose() const {
  std::vector<int> axes(static_cast<std::size_t>(ndim()));
  std::iota(axes.rbegin(), axes.rend(), 0);
  return transpose(axes);
}

ndarray ndarray::transpose(const std::vector<int>& axes) const {
  require_defined(*this, "transpose");
  if (static_cast<int>(axes.size()) != ndim()) {
    throw axis_error(msg("transpose: axes don't match array: ", axes.size(),
                         " axes for an array of shape ", shape()));
  }
  std::vector<bool> used(axes.size(), false);
  Shape out_shape;
  const auto in_strides = detail::strides_of(shape());
  std::array<std::int64_t, Shape::max_ndim> strides{};
  bool identity = true;
  for (std::size_t i = 0; i < axes.size(); ++i) {
    const int a = detail::normalize_axis(axes[i], ndim(), "transpose");
    if (used[a]) throw axis_error("transpose: repeated axis in transpose");
    used[a] = true;
    identity = identity && a == static_cast<int>(i);
    out_shape.push_back(shape()[a]);
    strides[i] = in_strides[a];
  }
  if (identity) return copy();
  if (gpu::off_host(*this)) [[unlikely]] return gpu::gather(*this, out_shape, strides);
  ndarray out = uninitialized(out_shape, dtype());
  dispatch(dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    gather_strided(static_cast<const T*>(raw_data()), static_cast<T*>(out.raw_data()), out_shape,
                   strides);
  });
  return out;
}

ndarray transpose(const ndarray& a, std::optional<std::vector<int>> axes) {
  return axes ? a.transpose(*axes) : a.transpose();
}

ndarray swapaxes(const ndarray& a, int axis1, int axis2) {
  std::vector<int> axes(static_cast<std::size_t>(a.ndim()));
  std::iota(axes.begin(), axes.end(), 0);
  std::swap(axes[detail::normalize_axis(axis1, a.ndim(), "swapaxes")],
            axes[detail::normalize_axis(axis2, a.ndim(), "swapaxes")]);
  return a.transpose(axes);
}

ndarray expand_dims(const ndarray& a, int axis) {
  require_defined(a, "expand_dims");
  Shape s = a.shape();
  s.insert(detail::normalize_axis(axis, a.ndim() + 1, "expand_dims"), 1);
  return a.reshape(s);
}

ndarray ndarray::squeeze(Axes axes) const {
  require_defined(*this, "squeeze");
  Shape s;
  if (axes.is_none()) {
    for (auto d : shape())
      if (d != 1) s.push_back(d);
    return reshape(s);
  }
  const auto mask = detail::axes_mask(axes, ndim(), "squeeze");
  for (int i = 0; i < ndim(); ++i) {
    if (!mask[i]) {
      s.push_back(shape()[i]);
    } else if (shape()[i] != 1) {
      throw shape_error(msg(
          "squeeze: cannot select an axis to squeeze out which has size not equal to one (axis ", i,
          " of shape ", shape(), ")"));
    }
  }
  return reshape(s);
}

ndarray squeeze(const ndarray& a, Axes axes) { return a.squeeze(std::move(axes)); }

ndarray broadcast_to(const ndarray& a, const Shape& shape) {
  require_defined(a, "broadcast_to");
  if (a.shape() == shape) return a;
  const Shape b = broadcast_shapes(a.shape(), shape, "broadcast_to");
  if (!(b == shape)) {
    throw shape_error(
        msg("broadcast_to: cannot broadcast an array of shape ", a.shape(), " to shape ", shape));
  }
  if (gpu::off_host(a)) [[unlikely]] return gpu::broadcast_to(a, shape);
  ndarray out = ndarray::uninitialized(shape, a.dtype());
  dispatch(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* src = static_cast<const T*>(a.raw_data());
    T* dst = static_cast<T*>(out.raw_data());
    detail::Broadcast<1> plan(shape, {&a.shape()});
    plan.for_each_run([&](const std::array<std::int64_t, 1>& off, std::int64_t len,
                          const std::array<std::int64_t, 1>& inner) {
      if (inner[0] == 1) {
        std::memcpy(dst, src + off[0], static_cast<std::size_t>(len) * sizeof(T));
      } else {
        std::fill(dst, dst + len, src[off[0]]);
      }
      dst += len;
    });
  });
  return out;
}

ndarray sum_to(const ndarray& a, const Shape& shape) {
  require_defined(a, "sum_to");
  if (a.shape() == shape) return a;
  const int lead = a.ndim() - shape.ndim();
  if (lead < 0) {
    throw shape_error(msg("sum_to: cannot sum an array of shape ", a.shape(), " to shape ", shape));
  }
  std::vector<int> axes;
  for (int i = 0; i < lead; ++i) axes.push_back(i);
  for (int i = 0; i < shape.ndim(); ++i) {
    const auto have = a.shape()[lead + i];
    if (shape[i] == 1 && have != 1) {
      axes.push_back(lead + i);
    } else if (shape[i] != have) {
      throw shape_error(
          msg("sum_to: cannot sum an array of shape ", a.shape(), " to shape ", shape));
    }
  }
  // keepdims, then drop the leading axes: the book's utils.sum_to.
  ndarray y = sum(a, axes, true);
  return lead > 0 ? y.reshape(shape) : y;
}

ndarray concatenate(const std::vector<ndarray>& arrays, int axis) {
  if (arrays.empty())
    throw std::invalid_argument("concatenate: need at least one array to concatenate");
  const ndarray& first = arrays.front();
  require_defined(first, "concatenate");
  if (first.ndim() == 0)
    throw shape_error("concatenate: zero-dimensional arrays cannot be concatenated");
  const int ax = detail::normalize_axis(axis, first.ndim(), "concatenate");
  DType dtype = first.dtype();
  Shape out_shape = first.shape();
  out_shape[ax] = 0;
  for (const auto& a : arrays) {
    require_defined(a, "concatenate");
    bool ok = a.ndim() == first.ndim();
    for (int i = 0; ok && i < a.ndim(); ++i) ok = i == ax || a.shape()[i] == first.shape()[i];
    if (!ok) {
      throw shape_error(
          msg("concatenate: all the input array dimensions except for the concatenation axis must "
              "match exactly, but shapes ",
              first.shape(), " and ", a.shape(), " differ (axis ", ax, ")"));
    }
    out_shape[ax] += a.shape()[ax];
    dtype = promote_types(dtype, a.dtype());
  }
  // Every array on one device (common_device's rule for numbers does not apply: none is 0-d).
  const Device device = first.device();
  for (const auto& a : arrays) {
    if (a.device() != device) {
      throw device_error(msg("concatenate: the operands live on two devices: a ", first.shape(),
                             " array on ", device, " and a ", a.shape(), " array on ",
                             a.device(), " (move one with np::to_device)"));
    }
  }
  ndarray out = ndarray::uninitialized(out_shape, dtype, device);
  std::int64_t outer = 1;
  for (int i = 0; i < ax; ++i) outer *= out_shape[i];
  const std::int64_t out_row = out.size() / std::max<std::int64_t>(outer, 1);
  const std::size_t item = out.itemsize();
  std::int64_t col = 0;  // where the next array's block starts inside an output row
  for (const auto& a : arrays) {
    const ndarray x = detail::as_dtype(a, dtype);
    const std::int64_t row = outer ? x.size() / outer : 0;
    if (device != Device::cpu) [[unlikely]] {
      // One strided copy per array: `outer` rows of `row` elements into the output's rows.
      if (row > 0 && outer > 0) {
        cuda::copy_rows(static_cast<std::byte*>(out.device_data()) + col * item, out_row * item,
                        x.device_data(), row * item, row * item, outer);
      }
      col += row;
      continue;
    }
    const auto* src = static_cast<const std::byte*>(x.raw_data());
    auto* dst = static_cast<std::byte*>(out.raw_data());
    for (std::int64_t o = 0; o < outer; ++o) {
      std::memcpy(dst + (o * out_row + col) * item, src + o * row * item, row * item);
    }
    col += row;
  }
  return out;
}

ndarray stack(const std::vector<ndarray>& arrays, int axis) {
  if (arrays.empty()) throw std::invalid_argument("stack: need at least one array to stack");
  std::vector<ndarray> expanded;
  expanded.reserve(arrays.size());
  const int ax = detail::normalize_axis(axis, arrays.front().ndim() + 1, "stack");
  for (const auto& a : arrays) {
    if (!(a.shape() == arrays.front().shape())) {
      throw shape_error(msg("stack: all input arrays must have the same shape, but ",
                            arrays.front().shape(), " and ", a.shape(), " differ"));
    }
    expanded.push_back(expand_dims(a, ax));
  }
  return concatenate(expanded, ax);
}

ndarray pad(const ndarray& a, const std::vector<std::pair<std::int64_t, std::int64_t>>& pad_width,
            double constant_value) {
  require_defined(a, "pad");
  if (gpu::off_host(a)) [[unlikely]] gpu::unsupported("pad", a);
  std::vector<std::pair<std::int64_t, std::int64_t>> w = pad_width;
  if (w.size() == 1 && a.ndim() > 1) w.assign(static_cast<std::size_t>(a.ndim()), w.front());
  if (static_cast<int>(w.size()) != a.ndim()) {
    throw shape_error(
        msg("pad: pad_width has ", w.size(), " entries for an array of shape ", a.shape()));
  }
  Shape out_shape;
  for (int i = 0; i < a.ndim(); ++i) {
    if (w[i].first < 0 || w[i].second < 0)
      throw std::invalid_argument("pad: index can't contain negative values");
    out_shape.push_back(a.shape()[i] + w[i].first + w[i].second);
  }
  ndarray out = full(out_shape, constant_value, a.dtype());
  if (a.size() == 0) return out;
  const auto out_strides = detail::strides_of(out_shape);
  std::int64_t start = 0;
  for (int i = 0; i < a.ndim(); ++i) start += w[i].first * out_strides[i];
  dispatch(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* src = static_cast<const T*>(a.raw_data());
    T* dst = static_cast<T*>(out.raw_data()) + start;
    if (a.ndim() == 0) {
      *dst = *src;
      return;
    }
    const std::int64_t n = a.shape().back();
    std::array<std::int64_t, Shape::max_ndim> idx{};
    const std::int64_t rows = a.size() / n;
    for (std::int64_t r = 0; r < rows; ++r) {
      std::int64_t off = 0;
      for (int d = 0; d < a.ndim() - 1; ++d) off += idx[d] * out_strides[d];
      std::memcpy(dst + off, src + r * n, static_cast<std::size_t>(n) * sizeof(T));
      for (int d = a.ndim() - 2; d >= 0; --d) {
        if (++idx[d] < a.shape()[d]) break;
        idx[d] = 0;
      }
    }
  });
  return out;
}

}  // namespace np
