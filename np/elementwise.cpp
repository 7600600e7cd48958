// Element-wise operations: NumPy's ufuncs with broadcasting and NumPy 1.x dtype rules.
//
// Every operation does one dtype dispatch, converts its operands to the compute dtype at most
// once, and then runs a loop templated on the element type. Same-shape and scalar operands
// end in flat loops the compiler vectorises; float32 transcendental functions use Eigen's
// vectorised versions, float64 ones the C library's (the closest to what NumPy prints).
#include <Eigen/Core>
#include <cmath>
#include <cstring>

#include "np/broadcast.hpp"
#include "np/detail.hpp"
#include "np/gpu.hpp"
#include "np/parallel.hpp"

namespace np {

namespace {

using detail::as_dtype;
using detail::Broadcast;
using detail::msg;

void require_defined(const ndarray& a, const char* op) {
  if (!a.defined()) throw std::invalid_argument(msg(op, ": the operand is None"));
}

// out[i] = op(a[i], b[i]) over the broadcast of a and b; In and Out are element types.
template <class In, class Out, class Op>
void binary_loop(const ndarray& a, const ndarray& b, ndarray& out, Op op) {
  const In* pa = static_cast<const In*>(a.raw_data());
  const In* pb = static_cast<const In*>(b.raw_data());
  Out* po = static_cast<Out*>(out.raw_data());
  const std::int64_t n = out.size();
  // (the flat cases share large arrays between the cores: np/parallel.hpp)
  if (a.shape() == out.shape() && b.shape() == out.shape()) {
    detail::parallel_range(n, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t i = begin; i < end; ++i) po[i] = op(pa[i], pb[i]);
    });
    return;
  }
  if (b.size() == 1 && a.shape() == out.shape()) {
    const In vb = pb[0];
    detail::parallel_range(n, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t i = begin; i < end; ++i) po[i] = op(pa[i], vb);
    });
    return;
  }
  if (a.size() == 1 && b.shape() == out.shape()) {
    const In va = pa[0];
    detail::parallel_range(n, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t i = begin; i < end; ++i) po[i] = op(va, pb[i]);
    });
    return;
  }
  Broadcast<2> plan(out.shape(), {&a.shape(), &b.shape()});
  plan.for_each_run([&](const std::array<std::int64_t, 2>& off, std::int64_t len,
                        const std::array<std::int64_t, 2>& inner) {
    const In* x = pa + off[0];
    const In* y = pb + off[1];
    if (inner[0] == 1 && inner[1] == 1) {
      for (std::int64_t i = 0; i < len; ++i) po[i] = op(x[i], y[i]);
    } else if (inner[0] == 1) {
      const In vy = *y;
      for (std::int64_t i = 0; i < len; ++i) po[i] = op(x[i], vy);
    } else if (inner[1] == 1) {
      const In vx = *x;
      for (std::int64_t i = 0; i < len; ++i) po[i] = op(vx, y[i]);
    } else {
      const Out v = op(*x, *y);
      for (std::int64_t i = 0; i < len; ++i) po[i] = v;
    }
    po += len;
  });
}

// Which dtype an operation computes in, and which dtype it returns.
enum class Result { same, boolean, floating, true_divide };

DType floating_of(DType d) {
  // NumPy gives float16 for bool/uint8 and float64 for wider integers; float16 is not among
  // our dtypes, so the small types go to float32.
  if (is_floating(d)) return d;
  return d == DType::bool_ || d == DType::uint8 ? DType::float32 : DType::float64;
}

// np.true_divide has no small float loops: every bool or integer pair divides in float64.
DType true_divide_of(DType d) { return is_floating(d) ? d : DType::float64; }

// Runs `op` on the broadcast of a and b. Op is a generic functor: op(x, y) with x, y of the
// compute type T returns the output element.
template <Result R, class Op>
ndarray binary(const char* name, const ndarray& a, const ndarray& b, Op op,
               bool allow_bool = true) {
  require_defined(a, name);
  require_defined(b, name);
  DType compute = result_type(a, b);
  if (R == Result::floating) compute = floating_of(compute);
  if (R == Result::true_divide) compute = true_divide_of(compute);
  if (!allow_bool && compute == DType::bool_) {
    throw dtype_error(msg(name, ": not supported for boolean operands"));
  }
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), name);
  const DType out_dtype = R == Result::boolean ? DType::bool_ : compute;
  if (gpu::off_host(a) || gpu::off_host(b)) [[unlikely]] {
    return gpu::binary(name, a, b, compute, out_dtype, shape);
  }
  const ndarray x = as_dtype(a, compute), y = as_dtype(b, compute);
  ndarray out = ndarray::uninitialized(shape, out_dtype);
  dispatch(compute, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (R == Result::boolean) {
      binary_loop<T, bool>(x, y, out, [&](T u, T v) { return op(u, v); });
    } else {
      binary_loop<T, T>(x, y, out, [&](T u, T v) { return static_cast<T>(op(u, v)); });
    }
  });
  return out;
}

// out[i] = op(a[i]) where op works on the compute type T.
template <Result R, class Op>
ndarray unary(const char* name, const ndarray& a, Op op) {
  require_defined(a, name);
  const DType compute = R == Result::floating ? floating_of(a.dtype()) : a.dtype();
  if (gpu::off_host(a)) [[unlikely]] {
    return gpu::unary(name, a, compute, R == Result::boolean ? DType::bool_ : compute);
  }
  const ndarray x = as_dtype(a, compute);
  ndarray out = ndarray::uninitialized(a.shape(), R == Result::boolean ? DType::bool_ : compute);
  dispatch(compute, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* px = static_cast<const T*>(x.raw_data());
    const std::int64_t n = x.size();
    if constexpr (R == Result::boolean) {
      bool* po = out.data<bool>();
      detail::parallel_range(n, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i) po[i] = op(px[i]);
      });
    } else {
      T* po = static_cast<T*>(out.raw_data());
      detail::parallel_range(n, [&](std::int64_t begin, std::int64_t end) {
        op(px + begin, po + begin, end - begin);
      });
    }
  });
  return out;
}

// Eigen's vectorised float32 kernel over n elements, in blocks that pass through an aligned
// buffer. Eigen's kernels start their vectors at the first element on a vector boundary and
// do the elements before it one at a time, which rounds differently; through the buffer each
// element gets the same path wherever the array lies in memory (the vector path, except the
// last n % 16 or fewer elements).
template <class Kernel>
void float32_blocks(const float* x, float* y, std::int64_t n, Kernel kernel) {
  constexpr std::int64_t block = 256;
  alignas(64) float in[block];
  alignas(64) float out[block];
  for (std::int64_t start = 0; start < n; start += block) {
    const std::int64_t len = std::min(block, n - start);
    std::copy(x + start, x + start + len, in);
    Eigen::Map<const Eigen::ArrayXf, Eigen::Aligned64> in_map(in, len);
    Eigen::Map<Eigen::ArrayXf, Eigen::Aligned64> out_map(out, len);
    kernel(in_map, out_map);
    std::copy(out, out + len, y + start);
  }
}

// A transcendental function: Eigen's vectorised kernel for float32, the C library for
// everything else (float64 results then agree with what NumPy and Python print).
#define NP_MATH_FUNCTION(NAME, EIGEN_EXPR, STD_FN)                                        \
  ndarray NAME(const ndarray& a) {                                                        \
    return unary<Result::floating>(#NAME, a, [](const auto* x, auto* y, std::int64_t n) { \
      using T = std::remove_const_t<std::remove_pointer_t<decltype(x)>>;                  \
      if constexpr (std::is_same_v<T, float>) {                                           \
        float32_blocks(x, y, n, [](const auto& in, auto& out) { out = EIGEN_EXPR; });     \
      } else {                                                                            \
        for (std::int64_t i = 0; i < n; ++i) y[i] = static_cast<T>(STD_FN(x[i]));         \
      }                                                                                   \
    });                                                                                   \
  }

bool same_kind_cast(DType from, DType to) {
  if (promote_types(from, to) == to) return true;  // safe casts
  if (is_floating(from)) return is_floating(to);
  if (from == DType::bool_) return true;
  // integers: signed to signed, or anything to a wider signed type
  return is_integer(to) && to != DType::uint8 && from != DType::uint8;
}

template <class Op>
ndarray& inplace(const char* name, ndarray& self, const ndarray& other, Op op,
                 bool allow_bool = true) {
  require_defined(self, name);
  require_defined(other, name);
  const Shape shape = broadcast_shapes(self.shape(), other.shape(), name);
  if (!(shape == self.shape())) {
    throw shape_error(msg(name, ": non-broadcastable output operand with shape ", self.shape(),
                          " doesn't match the broadcast shape ", shape));
  }
  DType compute = result_type(self, other);
  if (std::string_view(name) == "operator/=") compute = true_divide_of(compute);
  if (!allow_bool && compute == DType::bool_) {
    throw dtype_error(msg(name, ": not supported for boolean operands"));
  }
  if (!same_kind_cast(compute, self.dtype())) {
    throw dtype_error(msg(name, ": cannot cast the result from ", compute, " to ", self.dtype(),
                          " with casting rule 'same_kind'"));
  }
  if (gpu::off_host(self) || gpu::off_host(other)) [[unlikely]] {
    gpu::inplace(name, self, other, compute);
    return self;
  }
  if (compute == self.dtype() && !(other.shares_memory(self) && !(other.shape() == shape))) {
    // The common case (p.data -= lr * grad): write straight into the array's storage.
    const ndarray y = as_dtype(other, compute);
    dispatch(compute, [&](auto tag) {
      using T = typename decltype(tag)::type;
      binary_loop<T, T>(self, y, self, [&](T u, T v) { return static_cast<T>(op(u, v)); });
    });
    return self;
  }
  const ndarray x = as_dtype(self, compute);
  const ndarray y = as_dtype(other, compute);
  ndarray result = ndarray::uninitialized(shape, compute);
  dispatch(compute, [&](auto tag) {
    using T = typename decltype(tag)::type;
    binary_loop<T, T>(x, y, result, [&](T u, T v) { return static_cast<T>(op(u, v)); });
  });
  const ndarray cast = as_dtype(result, self.dtype());
  std::memcpy(self.raw_data(), cast.raw_data(), self.nbytes());
  return self;
}

template <class T>
T int_power(T base, T exp) {
  if (exp < 0)
    throw std::invalid_argument("power: integers to negative integer powers are not allowed");
  T result = 1;
  while (exp) {
    if (exp & 1) result = static_cast<T>(result * base);
    base = static_cast<T>(base * base);
    exp >>= 1;
  }
  return result;
}

struct Plus {
  template <class T>
  auto operator()(T a, T b) const {
    if constexpr (std::is_same_v<T, bool>)
      return a || b;
    else
      return a + b;
  }
};
struct Minus {
  template <class T>
  auto operator()(T a, T b) const {
    return a - b;
  }
};
struct Times {
  template <class T>
  auto operator()(T a, T b) const {
    if constexpr (std::is_same_v<T, bool>)
      return a && b;
    else
      return a * b;
  }
};
struct Divides {
  template <class T>
  auto operator()(T a, T b) const {
    return a / b;
  }
};

}  // namespace

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  if (a == b) return a;
  const int nd = std::max(a.ndim(), b.ndim());
  Shape out;
  for (int i = 0; i < nd; ++i) {
    const int ia = i - (nd - a.ndim()), ib = i - (nd - b.ndim());
    const std::int64_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
    if (da != db && da != 1 && db != 1) {
      throw shape_error(
          msg(op, ": operands could not be broadcast together with shapes ", a, " ", b));
    }
    out.push_back(da == 1 ? db : da);
  }
  return out;
}

ndarray add(const ndarray& a, const ndarray& b) {
  return binary<Result::same>("add", a, b, Plus{});
}
ndarray subtract(const ndarray& a, const ndarray& b) {
  return binary<Result::same>("subtract", a, b, Minus{}, /*allow_bool=*/false);
}
ndarray multiply(const ndarray& a, const ndarray& b) {
  return binary<Result::same>("multiply", a, b, Times{});
}
ndarray divide(const ndarray& a, const ndarray& b) {
  return binary<Result::true_divide>("divide", a, b, Divides{});
}

ndarray power(const ndarray& a, const ndarray& b) {
  return binary<Result::same>("power", a, b, [](auto x, auto y) {
    using T = decltype(x);
    if constexpr (std::is_floating_point_v<T>) {
      return y == T(2) ? x * x : std::pow(x, y);  // NumPy squares for ** 2
    } else if constexpr (std::is_same_v<T, bool>) {
      return x || !y;
    } else {
      return int_power(x, y);
    }
  });
}
ndarray pow(const ndarray& a, const ndarray& b) { return power(a, b); }

ndarray maximum(const ndarray& a, const ndarray& b) {
  return binary<Result::same>("maximum", a, b, [](auto x, auto y) {
    if constexpr (std::is_floating_point_v<decltype(x)>) {
      if (std::isnan(x)) return x;  // NaN wins, as in NumPy
    }
    return x > y ? x : y;  // a tie gives y, as NumPy's: maximum(-0.0, 0.0) is 0.
  });
}
ndarray minimum(const ndarray& a, const ndarray& b) {
  return binary<Result::same>("minimum", a, b, [](auto x, auto y) {
    if constexpr (std::is_floating_point_v<decltype(x)>) {
      if (std::isnan(x)) return x;
    }
    return x < y ? x : y;  // a tie gives y, as NumPy's
  });
}

ndarray operator+(const ndarray& a, const ndarray& b) { return add(a, b); }
ndarray operator-(const ndarray& a, const ndarray& b) { return subtract(a, b); }
ndarray operator*(const ndarray& a, const ndarray& b) { return multiply(a, b); }
ndarray operator/(const ndarray& a, const ndarray& b) { return divide(a, b); }

ndarray operator==(const ndarray& a, const ndarray& b) {
  return binary<Result::boolean>("equal", a, b, [](auto x, auto y) { return x == y; });
}
ndarray operator!=(const ndarray& a, const ndarray& b) {
  return binary<Result::boolean>("not_equal", a, b, [](auto x, auto y) { return x != y; });
}
ndarray operator<(const ndarray& a, const ndarray& b) {
  return binary<Result::boolean>("less", a, b, [](auto x, auto y) { return x < y; });
}
ndarray operator<=(const ndarray& a, const ndarray& b) {
  return binary<Result::boolean>("less_equal", a, b, [](auto x, auto y) { return x <= y; });
}
ndarray operator>(const ndarray& a, const ndarray& b) {
  return binary<Result::boolean>("greater", a, b, [](auto x, auto y) { return x > y; });
}
ndarray operator>=(const ndarray& a, const ndarray& b) {
  return binary<Result::boolean>("greater_equal", a, b, [](auto x, auto y) { return x >= y; });
}

ndarray negative(const ndarray& a) {
  if (a.defined() && a.dtype() == DType::bool_) {
    throw dtype_error("negative: the boolean negative, the `-` operator, is not supported");
  }
  return unary<Result::same>("negative", a, [](const auto* x, auto* y, std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) y[i] = -x[i];
  });
}
ndarray operator-(const ndarray& a) { return negative(a); }

NP_MATH_FUNCTION(exp, in.exp(), std::exp)
NP_MATH_FUNCTION(log, in.log(), std::log)
NP_MATH_FUNCTION(sin, in.sin(), std::sin)
NP_MATH_FUNCTION(cos, in.cos(), std::cos)

// tanh as the other functions, except that float64 takes the C library's algorithm vectorised,
// with the same bits (np/tanh.cpp): the float64 steps spend much of their time here.
ndarray tanh(const ndarray& a) {
  return unary<Result::floating>("tanh", a, [](const auto* x, auto* y, std::int64_t n) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(x)>>;
    if constexpr (std::is_same_v<T, float>) {
      float32_blocks(x, y, n, [](const auto& in, auto& out) { out = in.tanh(); });
    } else if constexpr (std::is_same_v<T, double>) {
      detail::tanh_float64(x, y, n);
    } else {
      for (std::int64_t i = 0; i < n; ++i) y[i] = static_cast<T>(std::tanh(x[i]));
    }
  });
}

// sqrt is correctly rounded in IEEE arithmetic and in NumPy, for float32 too. Eigen's float32
// kernel (EIGEN_FAST_MATH, its default) refines a reciprocal square root estimate instead and
// misses the last bit or two, so every dtype takes the C library's sqrt, which is exact.
ndarray sqrt(const ndarray& a) {
  return unary<Result::floating>("sqrt", a, [](const auto* x, auto* y, std::int64_t n) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(x)>>;
    for (std::int64_t i = 0; i < n; ++i) y[i] = static_cast<T>(std::sqrt(x[i]));
  });
}

ndarray square(const ndarray& a) {
  return unary<Result::same>("square", a, [](const auto* x, auto* y, std::int64_t n) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(x)>>;
    for (std::int64_t i = 0; i < n; ++i) {
      if constexpr (std::is_same_v<T, bool>)
        y[i] = x[i];
      else
        y[i] = static_cast<T>(x[i] * x[i]);
    }
  });
}

ndarray abs(const ndarray& a) {
  return unary<Result::same>("absolute", a, [](const auto* x, auto* y, std::int64_t n) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(x)>>;
    for (std::int64_t i = 0; i < n; ++i) {
      if constexpr (std::is_unsigned_v<T> || std::is_same_v<T, bool>)
        y[i] = x[i];
      else
        y[i] = x[i] < 0 ? static_cast<T>(-x[i]) : x[i];
    }
  });
}

ndarray clip(const ndarray& a, const ndarray& a_min, const ndarray& a_max) {
  return minimum(maximum(a, a_min), a_max);
}

ndarray logical_not(const ndarray& a) {
  return unary<Result::boolean>("logical_not", a, [](auto x) { return !x; });
}

ndarray isfinite(const ndarray& a) {
  return unary<Result::boolean>("isfinite", a, [](auto x) {
    if constexpr (std::is_floating_point_v<decltype(x)>)
      return std::isfinite(x);
    else
      return true;
  });
}

ndarray where(const ndarray& condition, const ndarray& x, const ndarray& y) {
  require_defined(condition, "where");
  require_defined(x, "where");
  require_defined(y, "where");
  const DType dtype = result_type(x, y);
  const Shape shape =
      broadcast_shapes(broadcast_shapes(condition.shape(), x.shape(), "where"), y.shape(), "where");
  if (gpu::off_host(condition) || gpu::off_host(x) || gpu::off_host(y)) [[unlikely]] {
    return gpu::where(condition, x, y, dtype, shape);
  }
  const ndarray c = as_dtype(condition, DType::bool_);
  const ndarray u = as_dtype(x, dtype), v = as_dtype(y, dtype);
  ndarray out = ndarray::uninitialized(shape, dtype);
  dispatch(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const bool* pc = c.data<bool>();
    const T* pu = static_cast<const T*>(u.raw_data());
    const T* pv = static_cast<const T*>(v.raw_data());
    T* po = static_cast<T*>(out.raw_data());
    Broadcast<3> plan(shape, {&c.shape(), &u.shape(), &v.shape()});
    plan.for_each_run([&](const std::array<std::int64_t, 3>& off, std::int64_t len,
                          const std::array<std::int64_t, 3>& inner) {
      for (std::int64_t i = 0; i < len; ++i) {
        po[i] = pc[off[0] + i * inner[0]] ? pu[off[1] + i * inner[1]] : pv[off[2] + i * inner[2]];
      }
      po += len;
    });
  });
  return out;
}

ndarray& ndarray::operator+=(const ndarray& other) {
  return inplace("operator+=", *this, other, Plus{});
}
ndarray& ndarray::operator-=(const ndarray& other) {
  return inplace("operator-=", *this, other, Minus{}, /*allow_bool=*/false);
}
ndarray& ndarray::operator*=(const ndarray& other) {
  return inplace("operator*=", *this, other, Times{});
}
ndarray& ndarray::operator/=(const ndarray& other) {
  return inplace("operator/=", *this, other, Divides{});
}

}  // namespace np
