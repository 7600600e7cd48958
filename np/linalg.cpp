// Matrix products: matmul, dot, tensordot. Every 2-D product is Eigen's GEMM run directly on
// the arrays' row-major storage (Eigen::Map, no copies); large ones use both cores through
// OpenMP.
#include <Eigen/Core>
#include <cmath>
#include <numeric>
#include <type_traits>

#include "np/detail.hpp"
#include "np/gpu.hpp"

namespace np {

namespace {

using detail::msg;

template <class T>
using RowMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// a * b + c, rounded once where the machine has fused multiply-adds (as Eigen's kernels are).
template <class T>
T multiply_add(T a, T b, T c) {
#ifdef __FMA__
  if constexpr (std::is_floating_point_v<T>) return std::fma(a, b, c);
#endif
  return a * b + c;
}

// C = A * B, with C (m x n) and the operands Eigen expressions (maps of the storage, maybe
// transposed) of m x k and k x n.
template <class MapC, class ExprA, class ExprB>
void gemm_into(MapC& C, const ExprA& A, const ExprB& B) {
  if (A.cols() == 0) {
    C.setZero();
    return;
  }
  // Eigen hands a product this small (m + k + n < 20) to a coefficient loop that is vectorised
  // from the first element of C on a vector boundary; its scalar and vector paths round
  // differently, so the numbers would depend on where C happens to lie in memory. Here every
  // coefficient is Eigen's vector path (a product, then multiply-adds along k), wherever C is.
  if (A.rows() + A.cols() + B.cols() < 20) {
    using T = typename MapC::Scalar;
    for (Eigen::Index i = 0; i < C.rows(); ++i) {
      for (Eigen::Index j = 0; j < C.cols(); ++j) {
        T sum = A(i, 0) * B(0, j);
        for (Eigen::Index p = 1; p < A.cols(); ++p) sum = multiply_add<T>(A(i, p), B(p, j), sum);
        C(i, j) = sum;
      }
    }
    return;
  }
  // A small product finishes before a second thread has even started: run it on this one.
  // (Eigen would split a 30x100x100 product in two, and on a busy machine the threads of
  // OpenMP then spin against each other, many times slower than one thread.)
  constexpr double parallel_work = 4.0e6;  // multiply-adds
  if (double(C.rows()) * double(C.cols()) * double(A.cols()) < parallel_work &&
      Eigen::nbThreads() > 1) {
    const int threads = Eigen::nbThreads();
    Eigen::setNbThreads(1);
    C.noalias() = A * B;
    Eigen::setNbThreads(threads);
    return;
  }
  C.noalias() = A * B;
}

// C (m x n) = A (m x k) * B (k x n), all row-major and contiguous.
template <class T>
void gemm(const T* a, const T* b, T* c, std::int64_t m, std::int64_t k, std::int64_t n) {
  Eigen::Map<const RowMatrix<T>> A(a, m, k);
  Eigen::Map<const RowMatrix<T>> B(b, k, n);
  Eigen::Map<RowMatrix<T>> C(c, m, n);
  gemm_into(C, A, B);
}

void require_defined(const ndarray& a, const char* op) {
  if (!a.defined()) throw std::invalid_argument(msg(op, ": the operand is None"));
}

}  // namespace

ndarray matmul(const ndarray& a, const ndarray& b) {
  require_defined(a, "matmul");
  require_defined(b, "matmul");
  if (a.ndim() == 0 || b.ndim() == 0) {
    throw shape_error(msg("matmul: input operand ", a.ndim() == 0 ? 0 : 1,
                          " does not have enough dimensions (shapes ", a.shape(), " and ",
                          b.shape(), ")"));
  }
  // 1-D operands become a row (left) or a column (right); that axis is dropped at the end.
  const Shape sa = a.ndim() == 1 ? Shape{1, a.shape()[0]} : a.shape();
  const Shape sb = b.ndim() == 1 ? Shape{b.shape()[0], 1} : b.shape();
  const std::int64_t m = sa[sa.ndim() - 2], k = sa.back(), n = sb.back();
  if (sb[sb.ndim() - 2] != k) {
    throw shape_error(msg("matmul: shapes ", a.shape(), " and ", b.shape(), " are not aligned: ", k,
                          " (dim ", a.ndim() - 1, ") != ", sb[sb.ndim() - 2], " (dim ",
                          std::max(b.ndim() - 2, 0), ")"));
  }
  const Shape batch_a(sa.begin(), sa.end() - 2), batch_b(sb.begin(), sb.end() - 2);
  const Shape batch = broadcast_shapes(batch_a, batch_b, "matmul");
  Shape out_shape = batch;
  if (a.ndim() > 1) out_shape.push_back(m);
  if (b.ndim() > 1) out_shape.push_back(n);

  DType dtype = result_type(a, b);
  const DType compute = dtype == DType::bool_ ? DType::int64 : dtype;
  // Both operands as stacks of matrices over the common batch shape (no copy when 2-D).
  auto stacked = [&](const ndarray& v, const Shape& s, std::int64_t rows, std::int64_t cols) {
    Shape full = batch;
    full.push_back(rows);
    full.push_back(cols);
    return detail::as_dtype(broadcast_to(v.reshape(s), full), compute);
  };
  const ndarray x = stacked(a, sa, m, k);
  const ndarray y = stacked(b, sb, k, n);
  if (gpu::off_host(x) || gpu::off_host(y)) [[unlikely]] {
    return gpu::matmul_stacked(x, y, out_shape, m, k, n, batch.numel());
  }
  ndarray out = ndarray::uninitialized(out_shape, compute);
  const std::int64_t count = batch.numel();
  dispatch(compute, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (!std::is_same_v<T, bool>) {
      const T* px = static_cast<const T*>(x.raw_data());
      const T* py = static_cast<const T*>(y.raw_data());
      T* po = static_cast<T*>(out.raw_data());
      for (std::int64_t i = 0; i < count; ++i) {
        gemm(px + i * m * k, py + i * k * n, po + i * m * n, m, k, n);
      }
    }
  });
  return dtype == DType::bool_ ? out.astype(DType::bool_) : out;
}

ndarray matmul(const ndarray& a, const ndarray& b, Transpose which) {
  require_defined(a, "matmul");
  require_defined(b, "matmul");
  if (gpu::off_host(a) || gpu::off_host(b)) [[unlikely]] {
    return gpu::matmul_transposed(a, b, which == Transpose::a);
  }
  auto copied = [&] { return which == Transpose::a ? matmul(a.T(), b) : matmul(a, b.T()); };
  if (a.ndim() != 2 || b.ndim() != 2) return copied();
  // Mixed float dtypes (a float32 weight against a float64 gradient, as NumPy promotes them):
  // the narrower operand is widened first, as matmul would widen it after the copy; the
  // widening is exact, so the numbers are the same.
  const DType dtype = result_type(a, b);
  if (a.dtype() != b.dtype() && (dtype == DType::float32 || dtype == DType::float64) &&
      is_floating(a.dtype()) && is_floating(b.dtype())) {
    return matmul(a.dtype() == dtype ? a : a.astype(dtype),
                  b.dtype() == dtype ? b : b.astype(dtype), which);
  }
  const bool in_place = a.dtype() == b.dtype() &&
                        (a.dtype() == DType::float32 || a.dtype() == DType::float64);
  if (!in_place) return copied();
  // The shapes as the product sees them: op(a) is m x k, op(b) is k x n.
  const std::int64_t m = which == Transpose::a ? a.shape()[1] : a.shape()[0];
  const std::int64_t k = which == Transpose::a ? a.shape()[0] : a.shape()[1];
  const std::int64_t kb = which == Transpose::b ? b.shape()[1] : b.shape()[0];
  const std::int64_t n = which == Transpose::b ? b.shape()[0] : b.shape()[1];
  // Misaligned shapes take the copy too, for matmul's own message. Eigen's blocked GEMM adds
  // in the same order whichever way an operand is stored, but it hands a product with one row
  // or one column to its matrix-vector kernels, whose order depends on the storage, and a small
  // one (m + k + n < 20) is a plain loop that gains nothing here: those take the copy as well,
  // so that the numbers are always those of matmul(a.T(), b).
  if (kb != k || m == 1 || n == 1 || m + k + n < 20) return copied();
  ndarray out = ndarray::uninitialized({m, n}, a.dtype());
  dispatch(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_floating_point_v<T>) {
      const T* pa = static_cast<const T*>(a.raw_data());
      const T* pb = static_cast<const T*>(b.raw_data());
      Eigen::Map<RowMatrix<T>> C(static_cast<T*>(out.raw_data()), m, n);
      if (which == Transpose::a) {
        // a is stored k x m: its transpose is a column-major view, no copy
        gemm_into(C, Eigen::Map<const RowMatrix<T>>(pa, k, m).transpose(),
                  Eigen::Map<const RowMatrix<T>>(pb, k, n));
      } else {
        gemm_into(C, Eigen::Map<const RowMatrix<T>>(pa, m, k),
                  Eigen::Map<const RowMatrix<T>>(pb, n, k).transpose());
      }
    }
  });
  return out;
}

ndarray dot(const ndarray& a, const ndarray& b) {
  require_defined(a, "dot");
  require_defined(b, "dot");
  if (a.ndim() == 0 || b.ndim() == 0) return a * b;
  if (a.ndim() <= 2 && b.ndim() <= 2) {
    if (a.shape().back() != b.shape()[b.ndim() == 1 ? 0 : b.ndim() - 2]) {
      throw shape_error(msg("dot: shapes ", a.shape(), " and ", b.shape(), " are not aligned"));
    }
    return matmul(a, b);
  }
  return tensordot(a, b, {a.ndim() - 1}, {b.ndim() == 1 ? 0 : b.ndim() - 2});
}

ndarray ndarray::dot(const ndarray& other) const { return np::dot(*this, other); }

ndarray tensordot(const ndarray& a, const ndarray& b, const std::vector<int>& axes_a,
                  const std::vector<int>& axes_b) {
  require_defined(a, "tensordot");
  require_defined(b, "tensordot");
  if (axes_a.size() != axes_b.size()) {
    throw shape_error(msg("tensordot: shape-mismatch for sum: ", axes_a.size(), " axes of ",
                          a.shape(), " against ", axes_b.size(), " axes of ", b.shape()));
  }
  std::vector<bool> summed_a(static_cast<std::size_t>(a.ndim())),
      summed_b(static_cast<std::size_t>(b.ndim()));
  std::vector<int> ia, ib;
  std::int64_t k = 1;
  for (std::size_t i = 0; i < axes_a.size(); ++i) {
    const int x = detail::normalize_axis(axes_a[i], a.ndim(), "tensordot");
    const int y = detail::normalize_axis(axes_b[i], b.ndim(), "tensordot");
    if (a.shape()[x] != b.shape()[y]) {
      throw shape_error(msg("tensordot: shape-mismatch for sum: axis ", x, " of ", a.shape(),
                            " and axis ", y, " of ", b.shape()));
    }
    summed_a[x] = summed_b[y] = true;
    ia.push_back(x);
    ib.push_back(y);
    k *= a.shape()[x];
  }
  // a -> (free axes of a, summed axes) and b -> (summed axes, free axes of b): one GEMM.
  std::vector<int> order_a, order_b = ib;
  Shape out_shape;
  std::int64_t m = 1, n = 1;
  for (int i = 0; i < a.ndim(); ++i) {
    if (!summed_a[i]) {
      order_a.push_back(i);
      out_shape.push_back(a.shape()[i]);
      m *= a.shape()[i];
    }
  }
  order_a.insert(order_a.end(), ia.begin(), ia.end());
  for (int i = 0; i < b.ndim(); ++i) {
    if (!summed_b[i]) {
      order_b.push_back(i);
      out_shape.push_back(b.shape()[i]);
      n *= b.shape()[i];
    }
  }
  auto is_identity = [](const std::vector<int>& order) {
    for (std::size_t i = 0; i < order.size(); ++i)
      if (order[i] != static_cast<int>(i)) return false;
    return true;
  };
  const ndarray at = is_identity(order_a) ? a : a.transpose(order_a);
  const ndarray bt = is_identity(order_b) ? b : b.transpose(order_b);
  return matmul(at.reshape({m, k}), bt.reshape({k, n})).reshape(out_shape);
}

ndarray tensordot(const ndarray& a, const ndarray& b, int n) {
  std::vector<int> axes_a, axes_b;
  for (int i = 0; i < n; ++i) {
    axes_a.push_back(a.ndim() - n + i);
    axes_b.push_back(i);
  }
  return tensordot(a, b, axes_a, axes_b);
}

}  // namespace np
