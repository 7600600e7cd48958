// Reductions: sum, mean, max, min, argmax over all elements, one axis or a tuple of axes.
//
// Sums follow NumPy's order of additions, because the book's printouts show the last digits:
// along the contiguous last axis NumPy adds pairwise (eight partial sums, blocks of 8192),
// along any other axis it adds whole rows one after another.
#include <cmath>
#include <limits>

#include "np/detail.hpp"

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
    Acc r[8];
    for (int j = 0; j < 8; ++j) r[j] = static_cast<Acc>(x[j]);
    std::int64_t i = 8;
    for (; i < n - n % 8; i += 8) {
      for (int j = 0; j < 8; ++j) r[j] += static_cast<Acc>(x[i + j]);
    }
    Acc s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) s += static_cast<Acc>(x[i]);
    return s;
  }
  std::int64_t half = n / 2;
  half -= half % 8;
  return pairwise_sum<Acc>(x, half) + pairwise_sum<Acc>(x + half, n - half);
}

// A contiguous run summed the way NumPy's buffered reduction does: 0, then + each block's
// pairwise sum.
template <class Acc, class T>
Acc contiguous_sum(const T* x, std::int64_t n) {
  constexpr std::int64_t block = 8192;
  Acc s = 0;
  for (std::int64_t i = 0; i < n; i += block) s += pairwise_sum<Acc>(x + i, std::min(block, n - i));
  return s;
}

struct Plan {
  Shape out_shape;   // without the reduced axes (or with 1s when keepdims)
  Shape kept_shape;  // the kept axes only
  std::vector<bool> reduced;
  bool trailing = false;  // the reduced axes are exactly the last k axes
  bool last_kept = false;
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
  p.last_kept = a.ndim() > 0 && !p.reduced[a.ndim() - 1];
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

// Sum of `a` (already of the accumulation dtype T) following NumPy's order.
template <class T>
ndarray sum_impl(const ndarray& a, const Plan& p) {
  ndarray out = zeros(p.out_shape, dtype_of_v<T>);
  T* po = out.data<T>();
  const T* px = a.data<T>();
  const std::int64_t n_out = p.kept_shape.numel();
  if (p.inner == 0 || a.size() == 0) return out;
  if (p.last_kept) {
    // Rows added one after another: out[kept index] += x[...] in C order of x.
    const std::int64_t row = a.shape().back();
    const auto out_strides = detail::strides_of(p.kept_shape);
    std::array<std::int64_t, Shape::max_ndim> idx{};
    const std::int64_t rows = a.size() / row;
    for (std::int64_t r = 0; r < rows; ++r) {
      std::int64_t off = 0;
      for (int d = 0, k = 0; d < a.ndim() - 1; ++d) {
        if (!p.reduced[d]) off += idx[d] * out_strides[k++];
      }
      T* dst = po + off;
      const T* src = px + r * row;
      for (std::int64_t i = 0; i < row; ++i) dst[i] += src[i];
      for (int d = a.ndim() - 2; d >= 0; --d) {
        if (++idx[d] < a.shape()[d]) break;
        idx[d] = 0;
      }
    }
    return out;
  }
  const ndarray x = p.trailing ? a : reduced_axes_last(a, p);
  const T* base = x.data<T>();
  for (std::int64_t o = 0; o < n_out; ++o) po[o] = contiguous_sum<T>(base + o * p.inner, p.inner);
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
  const Plan p = make_plan(a, axes, keepdims, "sum");
  // NumPy sums bool and small integers in the platform integer (int64).
  const DType acc = is_floating(a.dtype()) ? a.dtype() : DType::int64;
  const ndarray x = as_dtype(a, acc);
  return dispatch(acc, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double> ||
                  std::is_same_v<T, std::int64_t>) {
      return sum_impl<T>(x, p);
    } else {
      return ndarray{};  // unreachable: acc is float32, float64 or int64
    }
  });
}

ndarray mean(const ndarray& a, Axes axes, bool keepdims) {
  if (!a.defined()) throw std::invalid_argument("mean: the operand is None");
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
  const ndarray b = as_dtype(a, DType::bool_);
  const bool* p = b.data<bool>();
  return std::all_of(p, p + b.size(), [](bool v) { return v; });
}
bool any(const ndarray& a) {
  const ndarray b = as_dtype(a, DType::bool_);
  const bool* p = b.data<bool>();
  return std::any_of(p, p + b.size(), [](bool v) { return v; });
}

bool array_equal(const ndarray& a, const ndarray& b) {
  if (!a.defined() || !b.defined()) return a.defined() == b.defined();
  return a.shape() == b.shape() && all(a == b);
}

bool allclose(const ndarray& a, const ndarray& b, double rtol, double atol) {
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
