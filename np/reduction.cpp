// Reductions: sum, mean, max, min, argmax over all elements, one axis or a tuple of axes.
//
// Sums follow NumPy's order of additions, because the book's printouts show the last digits:
// along the contiguous trailing axes NumPy adds pairwise (eight partial sums, blocks of 8192),
// along the other axes it adds those sums, or whole rows, one after another.
#include <cmath>
#include <cstring>
#include <limits>

#include "np/detail.hpp"
#include "np/gpu.hpp"

namespace np {

namespace {

using detail::as_dtype;
using detail::msg;

// NumPy's pairwise summation of n contiguous values (accumulating in Acc).
template <class Acc, class T>
Acc pairwise_sum(const T* x, std::int64_t n) {
  if (n < 8) {
    Acc s = 0;
    for (std::int64_t i = 0; i < n; ++i) s += static_cast<Acc>(x[i]);
    return s;
  }
  if (n <= 128) {
    // Eight running sums, r[j] adding x[j], x[j + 8], x[j + 16], ...: one 8-lane vector.
    using Lanes [[gnu::vector_size(8 * sizeof(Acc))]] = Acc;
    auto load = [&](std::int64_t i) {
      Lanes v;
      if constexpr (std::is_same_v<Acc, T>) {
        std::memcpy(&v, x + i, sizeof v);
      } else {
        for (int j = 0; j < 8; ++j) v[j] = static_cast<Acc>(x[i + j]);
      }
      return v;
    };
    Lanes r = load(0);
    std::int64_t i = 8;
    for (; i < n - n % 8; i += 8) r += load(i);
    Acc s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) s += static_cast<Acc>(x[i]);
    return s;
  }
  std::int64_t half = n / 2;
  half -= half % 8;
  return pairwise_sum<Acc>(x, half) + pairwise_sum<Acc>(x + half, n - half);
}

// NumPy's reductions hand the inner loop at most one buffer of elements at a time.
constexpr std::int64_t kBufferSize = 8192;

struct Plan {
  Shape out_shape;   // without the reduced axes (or with 1s when keepdims)
  Shape kept_shape;  // the kept axes only
  std::vector<bool> reduced;
  bool trailing = false;   // the reduced axes are exactly the last k axes
  std::int64_t inner = 1;  // product of the reduced axes' lengths
};

Plan make_plan(const ndarray& a, const Axes& axes, bool keepdims, const char* op) {
  Plan p;
  p.reduced = detail::axes_mask(axes, a.ndim(), op);
  int first_reduced = a.ndim();
  bool seen_kept_after = false;
  for (int i = 0; i < a.ndim(); ++i) {
    if (p.reduced[i]) {
      p.inner *= a.shape()[i];
      if (keepdims) p.out_shape.push_back(1);
      first_reduced = std::min(first_reduced, i);
    } else {
      p.out_shape.push_back(a.shape()[i]);
      p.kept_shape.push_back(a.shape()[i]);
      if (first_reduced < a.ndim()) seen_kept_after = true;
    }
  }
  p.trailing = !seen_kept_after;
  return p;
}

// The reduced axes moved to the end (a copy), so every output element owns one contiguous run.
ndarray reduced_axes_last(const ndarray& a, const Plan& p) {
  std::vector<int> order;
  for (int i = 0; i < a.ndim(); ++i)
    if (!p.reduced[i]) order.push_back(i);
  for (int i = 0; i < a.ndim(); ++i)
    if (p.reduced[i]) order.push_back(i);
  return a.transpose(order);
}

// Sum of `x` (already of the accumulation dtype T) in NumPy's order of additions. `x` has no
// length-1 axes (NumPy's iterator drops them first); `reduced` marks its reduced axes.
// When the last axis is kept, whole rows are added one after another: out[...] += row. Else
// the trailing reduced axes form one contiguous run per step of the outer axes (in C order),
// and each block of at most 8192 values of it is summed pairwise and added: out[...] += sum.
template <class T>
ndarray sum_impl(const ndarray& x, const std::vector<bool>& reduced, const Shape& out_shape) {
  ndarray out = zeros(out_shape, dtype_of_v<T>);
  if (x.size() == 0 || out.size() == 0) return out;
  T* po = out.data<T>();
  const T* px = x.data<T>();
  const Shape& s = x.shape();
  const int nd = s.ndim();
  // Where each axis of x moves in the output: 0 along reduced axes.
  std::array<std::int64_t, Shape::max_ndim> out_strides{};
  for (std::int64_t d = nd - 1, step = 1; d >= 0; --d) {
    if (!reduced[d]) {
      out_strides[d] = step;
      step *= s[d];
    }
  }
  int inner_begin = nd;
  while (inner_begin > 0 && reduced[inner_begin - 1]) --inner_begin;
  const bool last_kept = nd > 0 && inner_begin == nd;
  const int outer_nd = last_kept ? nd - 1 : inner_begin;
  std::int64_t run = 1;
  for (int d = outer_nd; d < nd; ++d) run *= s[d];
  std::array<std::int64_t, Shape::max_ndim> idx{};
  std::int64_t off = 0;
  const std::int64_t runs = x.size() / run;
  for (std::int64_t r = 0; r < runs; ++r) {
    const T* src = px + r * run;
    T* dst = po + off;
    if (last_kept) {
      for (std::int64_t i = 0; i < run; ++i) dst[i] += src[i];
    } else {
      for (std::int64_t i = 0; i < run; i += kBufferSize) {
        *dst += pairwise_sum<T>(src + i, std::min(kBufferSize, run - i));
      }
    }
    for (int d = outer_nd - 1; d >= 0; --d) {  // odometer step over the outer axes
      if (++idx[d] < s[d]) {
        off += out_strides[d];
        break;
      }
      off -= out_strides[d] * (s[d] - 1);
      idx[d] = 0;
    }
  }
  return out;
}

template <class T, class Better>
ndarray extreme_impl(const ndarray& a, const Plan& p, Better better) {
  const ndarray x = p.trailing ? a : reduced_axes_last(a, p);
  ndarray out = ndarray::uninitialized(p.out_shape, a.dtype());
  T* po = out.data<T>();
  const T* px = x.data<T>();
  const std::int64_t n_out = p.kept_shape.numel();
  for (std::int64_t o = 0; o < n_out; ++o) {
    const T* run = px + o * p.inner;
    T best = run[0];
    for (std::int64_t i = 1; i < p.inner; ++i) {
      if constexpr (std::is_floating_point_v<T>) {
        if (std::isnan(best)) break;  // NaN propagates
        if (std::isnan(run[i]) || better(run[i], best)) best = run[i];
      } else {
        if (better(run[i], best)) best = run[i];
      }
    }
    po[o] = best;
  }
  return out;
}

template <class Better>
ndarray extreme(const char* name, const ndarray& a, const Axes& axes, bool keepdims,
                Better better) {
  if (!a.defined()) throw std::invalid_argument(msg(name, ": the operand is None"));
  if (gpu::off_host(a)) [[unlikely]] return gpu::reduce(name, a, axes, keepdims);
  const Plan p = make_plan(a, axes, keepdims, name);
  if (p.inner == 0) {
    throw std::invalid_argument(
        msg(name, ": zero-size array to reduction operation ", name, " which has no identity"));
  }
  return dispatch(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    return extreme_impl<T>(a, p, better);
  });
}

template <class Better>
ndarray arg_extreme(const char* name, const ndarray& a, std::optional<int> axis, Better better) {
  if (!a.defined()) throw std::invalid_argument(msg(name, ": the operand is None"));
  if (gpu::off_host(a)) [[unlikely]] return gpu::arg_reduce(name, a, axis);
  if (a.size() == 0)
    throw std::invalid_argument(msg(name, ": attempt to get ", name, " of an empty sequence"));
  const Axes axes = axis ? Axes(*axis) : Axes();
  const ndarray flat = axis ? a : a.reshape({a.size()});
  const Plan p = make_plan(flat, axis ? axes : Axes(0), false, name);
  const ndarray x = p.trailing ? flat : reduced_axes_last(flat, p);
  ndarray out = ndarray::uninitialized(p.out_shape, DType::int64);
  auto* po = out.data<std::int64_t>();
  dispatch(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* px = x.data<T>();
    for (std::int64_t o = 0; o < p.kept_shape.numel(); ++o) {
      const T* run = px + o * p.inner;
      std::int64_t best = 0;
      for (std::int64_t i = 1; i < p.inner; ++i) {
        if constexpr (std::is_floating_point_v<T>) {
          if (std::isnan(run[best])) break;  // the first NaN is the answer
          if (std::isnan(run[i])) {
            best = i;
            break;
          }
        }
        if (better(run[i], run[best])) best = i;  // strict: the first extreme wins
      }
      po[o] = best;
    }
  });
  return out;
}

}  // namespace

ndarray sum(const ndarray& a, Axes axes, bool keepdims) {
  if (!a.defined()) throw std::invalid_argument("sum: the operand is None");
  if (gpu::off_host(a)) [[unlikely]] return gpu::reduce("sum", a, axes, keepdims);
  const Plan p = make_plan(a, axes, keepdims, "sum");
  // NumPy sums bool and small integers in the platform integer (int64).
  const DType acc = is_floating(a.dtype()) ? a.dtype() : DType::int64;
  // Length-1 axes change nothing but NumPy's order of additions: drop them as NumPy does.
  Shape shape;
  std::vector<bool> reduced;
  for (int i = 0; i < a.ndim(); ++i) {
    if (a.shape()[i] == 1) continue;
    shape.push_back(a.shape()[i]);
    reduced.push_back(p.reduced[i]);
  }
  const ndarray x = as_dtype(a, acc).reshape(shape);
  return dispatch(acc, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double> ||
                  std::is_same_v<T, std::int64_t>) {
      return sum_impl<T>(x, reduced, p.out_shape);
    } else {
      return ndarray{};  // unreachable: acc is float32, float64 or int64
    }
  });
}

ndarray mean(const ndarray& a, Axes axes, bool keepdims) {
  if (!a.defined()) throw std::invalid_argument("mean: the operand is None");
  if (gpu::off_host(a)) [[unlikely]] return gpu::mean(a, axes, keepdims);
  const Plan p = make_plan(a, axes, keepdims, "mean");
  // Integers are averaged in float64; floats in their own dtype.
  const ndarray x = is_floating(a.dtype()) ? a : a.astype(DType::float64);
  ndarray s = sum(x, axes, keepdims);
  const auto count = static_cast<double>(p.inner);
  dispatch(s.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      T* ps = s.data<T>();
      for (std::int64_t i = 0; i < s.size(); ++i)
        ps[i] = static_cast<T>(ps[i] / static_cast<T>(count));
    }
  });
  return s;
}

ndarray max(const ndarray& a, Axes axes, bool keepdims) {
  return extreme("max", a, axes, keepdims, [](auto x, auto y) { return x > y; });
}
ndarray min(const ndarray& a, Axes axes, bool keepdims) {
  return extreme("min", a, axes, keepdims, [](auto x, auto y) { return x < y; });
}
ndarray argmax(const ndarray& a, std::optional<int> axis) {
  return arg_extreme("argmax", a, axis, [](auto x, auto y) { return x > y; });
}
ndarray argmin(const ndarray& a, std::optional<int> axis) {
  return arg_extreme("argmin", a, axis, [](auto x, auto y) { return x < y; });
}

bool all(const ndarray& a) {
  if (gpu::off_host(a)) [[unlikely]] return gpu::all(a);
  const ndarray b = as_dtype(a, DType::bool_);
  const bool* p = b.data<bool>();
  return std::all_of(p, p + b.size(), [](bool v) { return v; });
}
bool any(const ndarray& a) {
  if (gpu::off_host(a)) [[unlikely]] return gpu::any(a);
  const ndarray b = as_dtype(a, DType::bool_);
  const bool* p = b.data<bool>();
  return std::any_of(p, p + b.size(), [](bool v) { return v; });
}

bool array_equal(const ndarray& a, const ndarray& b) {
  if (!a.defined() || !b.defined()) return a.defined() == b.defined();
  return a.shape() == b.shape() && all(a == b);
}

bool allclose(const ndarray& a, const ndarray& b, double rtol, double atol) {
  if (gpu::off_host(a) || gpu::off_host(b)) [[unlikely]] {
    // A yes-or-no read-out, as item(): the values come to the host (same device required).
    gpu::common_device("allclose", {&a, &b});
    return allclose(to_device(a, Device::cpu), to_device(b, Device::cpu), rtol, atol);
  }
  const ndarray x = as_dtype(a, DType::float64), y = as_dtype(b, DType::float64);
  const Shape shape = broadcast_shapes(x.shape(), y.shape(), "allclose");
  const ndarray xb = broadcast_to(x, shape), yb = broadcast_to(y, shape);
  const double* px = xb.data<double>();
  const double* py = yb.data<double>();
  for (std::int64_t i = 0; i < xb.size(); ++i) {
    if (std::isnan(px[i]) || std::isnan(py[i])) return false;
    if (std::isinf(px[i]) || std::isinf(py[i])) {
      if (px[i] != py[i]) return false;
      continue;
    }
    if (std::abs(px[i] - py[i]) > atol + rtol * std::abs(py[i])) return false;
  }
  return true;
}

ndarray ndarray::sum(Axes axes, bool keepdims) const { return np::sum(*this, axes, keepdims); }
ndarray ndarray::mean(Axes axes, bool keepdims) const { return np::mean(*this, axes, keepdims); }
ndarray ndarray::max(Axes axes, bool keepdims) const { return np::max(*this, axes, keepdims); }
ndarray ndarray::min(Axes axes, bool keepdims) const { return np::min(*this, axes, keepdims); }
ndarray ndarray::argmax(std::optional<int> axis) const { return np::argmax(*this, axis); }

}  // namespace np
