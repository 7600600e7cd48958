#include "dezero/functions.hpp"
#include "np/parallel.hpp"

#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

#include "dezero/utils.hpp"

namespace dezero::functions {

namespace {
// A 0-d array of x's dtype holding `value`: constants written this way keep float32 data
// float32 also where NumPy 1.x would promote a 0-d result (a loss) to float64.
np::ndarray scalar_like(const np::ndarray& x, double value) {
  return np::ndarray(value).astype(np::is_floating(x.dtype()) ? x.dtype() : np::float64);
}

std::string shape_str(const Variable& x) { return x.shape().str(); }

// The array a fused backward (below) writes, uninitialised: for a backward pass that is not
// recorded (no create_graph) with gy and the other operand of one floating dtype and shape on
// the CPU. None otherwise.
np::ndarray fused_output(const np::ndarray& g, const np::ndarray& x) {
  if (Config::enable_backprop || g.dtype() != x.dtype() || !(g.shape() == x.shape()) ||
      !np::is_floating(g.dtype()) || g.device() != np::Device::cpu ||
      x.device() != np::Device::cpu) {
    return {};
  }
  return np::ndarray::uninitialized(g.shape(), g.dtype());
}

// body.template operator()<T>() for the floating dtype of `out`.
template <class Body>
void for_float_dtype(const np::ndarray& out, Body body) {
  if (out.dtype() == np::float32) {
    body.template operator()<float>();
  } else {
    body.template operator()<double>();
  }
}

// An element-wise backward formula gx[i] = op(gy[i], a[i]) in one pass, where fused_output
// gives an array: the book's operations in its order, each rounded in the dtype, so the same
// bits as the Variable formula without its temporary arrays (tests:
// Functions.FusedGradientsHaveTheFormulasBits). None otherwise: the caller then takes the
// Variable formula.
template <class Op>
np::ndarray fused_grad(const Variable& gy, const Variable& a, Op op) {
  const np::ndarray &g = gy.data(), &x = a.data();
  np::ndarray out = fused_output(g, x);
  if (!out.defined()) return out;
  for_float_dtype(out, [&]<class T>() {
    const T *pg = g.data<T>(), *px = x.data<T>();
    T* po = out.data<T>();
    np::detail::parallel_range(out.size(), [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t i = begin; i < end; ++i) po[i] = op(pg[i], px[i]);
    });
  });
  return out;
}
}  // namespace


// =============================== sin / cos / tanh / exp / log ===============================

class Sin : public UnaryFunction {
 public:
  np::ndarray forward(const np::ndarray& x) override { return np::sin(x); }
  Variable backward(const Variable& gy) override { return gy * cos(x()); }
};

class Cos : public UnaryFunction {
 public:
  np::ndarray forward(const np::ndarray& x) override { return np::cos(x); }
  Variable backward(const Variable& gy) override { return gy * -sin(x()); }
};

class Tanh : public UnaryFunction {
 public:
  np::ndarray forward(const np::ndarray& x) override { return np::tanh(x); }
  Variable backward(const Variable& gy) override {
    const Variable y = output();
    if (np::ndarray gx = fused_grad(gy, y, [](auto g, auto v) {
          return g * (decltype(v)(1) - v * v);
        });
        gx.defined()) {
      return Variable(std::move(gx));
    }
    return gy * (1 - y * y);
  }
};

class Exp : public UnaryFunction {
 public:
  np::ndarray forward(const np::ndarray& x) override { return np::exp(x); }
  Variable backward(const Variable& gy) override { return gy * output(); }
};

class Log : public UnaryFunction {
 public:
  np::ndarray forward(const np::ndarray& x) override { return np::log(x); }
  Variable backward(const Variable& gy) override { return gy / x(); }
};

Variable sin(const Variable& x) { return call<Sin>({x}); }
Variable cos(const Variable& x) { return call<Cos>({x}); }
Variable tanh(const Variable& x) { return call<Tanh>({x}); }
Variable exp(const Variable& x) { return call<Exp>({x}); }
Variable log(const Variable& x) { return call<Log>({x}); }

// =============================== reshape / transpose ========================================

class Reshape : public UnaryFunction {
 public:
  explicit Reshape(np::Shape shape) : shape_(shape) {}
  np::ndarray forward(const np::ndarray& x) override {
    x_shape_ = x.shape();
    return x.reshape(shape_);
  }
  Variable backward(const Variable& gy) override { return reshape(gy, x_shape_); }

 private:
  np::Shape shape_, x_shape_;
};

Variable reshape(const Variable& x, const np::Shape& shape) {
  if (x.shape() == shape) return x;
  return call<Reshape>({x}, shape);
}

class Transpose : public UnaryFunction {
 public:
  explicit Transpose(std::optional<std::vector<int>> axes) : axes_(std::move(axes)) {}
  np::ndarray forward(const np::ndarray& x) override { return np::transpose(x, axes_); }
  Variable backward(const Variable& gy) override {
    if (!axes_) return transpose(gy);
    // The inverse permutation: where each axis went.
    const int n = static_cast<int>(axes_->size());
    std::vector<int> inverse(axes_->size());
    for (int i = 0; i < n; ++i) inverse[((*axes_)[i] % n + n) % n] = i;
    return transpose(gy, inverse);
  }

 private:
  std::optional<std::vector<int>> axes_;
};

Variable transpose(const Variable& x, std::optional<std::vector<int>> axes) {
  return call<Transpose>({x}, std::move(axes));
}

// =============================== sum / sum_to / broadcast_to ================================

class Sum : public UnaryFunction {
 public:
  Sum(np::Axes axes, bool keepdims) : axes_(std::move(axes)), keepdims_(keepdims) {}
  np::ndarray forward(const np::ndarray& x) override {
    x_shape_ = x.shape();
    return x.sum(axes_, keepdims_);
  }
  Variable backward(const Variable& gy) override {
    return broadcast_to(utils::reshape_sum_backward(gy, x_shape_, axes_, keepdims_), x_shape_);
  }

 private:
  np::Axes axes_;
  bool keepdims_;
  np::Shape x_shape_;
};

Variable sum(const Variable& x, np::Axes axes, bool keepdims) {
  return call<Sum>({x}, std::move(axes), keepdims);
}

class SumTo : public UnaryFunction {
 public:
  explicit SumTo(np::Shape shape) : shape_(shape) {}
  np::ndarray forward(const np::ndarray& x) override {
    x_shape_ = x.shape();
    return np::sum_to(x, shape_);
  }
  Variable backward(const Variable& gy) override { return broadcast_to(gy, x_shape_); }

 private:
  np::Shape shape_, x_shape_;
};

Variable sum_to(const Variable& x, const np::Shape& shape) {
  if (x.shape() == shape) return x;
  return call<SumTo>({x}, shape);
}

class BroadcastTo : public UnaryFunction {
 public:
  explicit BroadcastTo(np::Shape shape) : shape_(shape) {}
  np::ndarray forward(const np::ndarray& x) override {
    x_shape_ = x.shape();
    return np::broadcast_to(x, shape_);
  }
  Variable backward(const Variable& gy) override { return sum_to(gy, x_shape_); }

 private:
  np::Shape shape_, x_shape_;
};

Variable broadcast_to(const Variable& x, const np::Shape& shape) {
  if (x.shape() == shape) return x;
  return call<BroadcastTo>({x}, shape);
}

// =============================== matmul =====================================================

// The gradients of x W for gy: gx = gy W^T and gW = x^T gy. When this backward pass is not
// recorded (no create_graph), the products read W and x transposed in place instead of through
// the copies W.T() and x.T() would make, with the same numbers; a recorded pass builds the
// book's graph (Transpose and MatMul nodes) so that it can be differentiated again.
// A gradient that no one can read (Function::needs_input_grad: the batch a model was called
// on) is not computed: None in its place.
namespace {
std::pair<Variable, Variable> matmul_grads(const Function& f, const Variable& x,
                                           const Variable& W, const Variable& gy) {
  Variable gx, gW;
  if (!Config::enable_backprop) {
    if (f.needs_input_grad(0)) gx = np::matmul(gy.data(), W.data(), np::Transpose::b);
    if (f.needs_input_grad(1)) gW = np::matmul(x.data(), gy.data(), np::Transpose::a);
  } else {
    if (f.needs_input_grad(0)) gx = matmul(gy, W.T());
    if (f.needs_input_grad(1)) gW = matmul(x.T(), gy);
  }
  return {gx, gW};
}
}  // namespace

class MatMul : public BinaryFunction {
 public:
  np::ndarray forward(const np::ndarray& x, const np::ndarray& W) override { return x.dot(W); }
  Gradients backward(const Variable& gy) override { return matmul_grads(*this, x0(), x1(), gy); }
};

Variable matmul(const Variable& x, const Variable& W) { return call<MatMul>({x, W}); }


// =============================== get_item / expand_dims / flatten ===========================

class GetItemGrad : public UnaryFunction {
 public:
  GetItemGrad(np::Indices slices, np::Shape in_shape)
      : slices_(std::move(slices)), in_shape_(in_shape) {}
  np::ndarray forward(const np::ndarray& gy) override {
    np::ndarray gx = np::zeros(in_shape_, gy.dtype());
    np::add_at(gx, slices_, gy);
    return gx;
  }
  Variable backward(const Variable& ggx) override { return get_item(ggx, slices_); }

 private:
  np::Indices slices_;
  np::Shape in_shape_;
};

class GetItem : public UnaryFunction {
 public:
  explicit GetItem(np::Indices slices) : slices_(std::move(slices)) {}
  np::ndarray forward(const np::ndarray& x) override { return np::getitem(x, slices_); }
  Variable backward(const Variable& gy) override {
    return call<GetItemGrad>({gy}, slices_, x().shape());
  }

 private:
  np::Indices slices_;
};

Variable get_item(const Variable& x, const np::Indices& slices) {
  return call<GetItem>({x}, slices);
}

Variable expand_dims(const Variable& x, int axis) {
  const int ndim = x.ndim();
  if (axis < -(ndim + 1) || axis > ndim) {
    throw np::axis_error("expand_dims: axis " + std::to_string(axis) +
                         " is out of bounds for a result of dimension " + std::to_string(ndim + 1));
  }
  np::Shape shape = x.shape();
  shape.insert(axis < 0 ? axis + ndim + 1 : axis, 1);
  return reshape(x, shape);
}

Variable flatten(const Variable& x) {
  if (x.ndim() == 0) throw np::shape_error("flatten: a 0-d variable has no batch axis");
  return reshape(x, {x.shape()[0], -1});
}

// =============================== average ====================================================

Variable average(const Variable& x, np::Axes axes, bool keepdims) {
  const Variable y = sum(x, std::move(axes), keepdims);
  return y * scalar_like(y.data(), static_cast<double>(y.size()) / static_cast<double>(x.size()));
}

Variable mean(const Variable& x, np::Axes axes, bool keepdims) {
  return average(x, std::move(axes), keepdims);
}

// =============================== linear =====================================================

namespace {
void check_linear(const char* fn, const Variable& x, const Variable& W, const Variable& b) {
  // x is a batch of rows, (N, in), as in the book; its backward (x^T gy) needs exactly that.
  if (x.ndim() != 2 || W.ndim() != 2 || x.shape()[1] != W.shape()[0]) {
    throw np::shape_error(std::string(fn) + ": x " + shape_str(x) + " and W " + shape_str(W) +
                          " do not fit (x must be (N, in) and W (in, out))");
  }
  if (b) {
    try {
      np::Shape y_shape = x.shape();
      y_shape[y_shape.size() - 1] = W.shape()[1];
      if (!(np::broadcast_shapes(y_shape, b.shape(), fn) == y_shape)) throw np::shape_error("");
    } catch (const np::shape_error&) {
      throw np::shape_error(std::string(fn) + ": b " + shape_str(b) +
                            " does not broadcast to the output of x " + shape_str(x) + " W " +
                            shape_str(W));
    }
  }
}
}  // namespace

// One node for x W + b, with or without b (then it has two inputs): the general form.
class Linear : public Function {
 public:
  Arrays forward(const Arrays& xs) override {
    np::ndarray y = xs[0].dot(xs[1]);
    if (xs.size() == 3) y += xs[2];  // in place: the product's dtype is kept, as in NumPy
    return {y};
  }
  Variables backward(const Variables& gys) override {
    const Variable& gy = gys[0];
    auto [gx, gW] = matmul_grads(*this, input(0), input(1), gy);
    if (inputs().size() == 2) return {std::move(gx), std::move(gW)};
    Variable gb = needs_input_grad(2) ? sum_to(gy, input(2).shape()) : Variable();
    return {std::move(gx), std::move(gW), std::move(gb)};
  }
};

Variable linear(const Variable& x, const Variable& W, const Variable& b) {
  check_linear("linear", x, W, b);
  if (!b) return call<Linear>({x, W});
  return call<Linear>({x, W, b});
}

Variable linear_simple(const Variable& x, const Variable& W, const Variable& b) {
  check_linear("linear_simple", x, W, b);
  Variable t = matmul(x, W);
  if (!b) return t;
  Variable y = t + b;
  t.data() = np::ndarray();  // Add's backward needs only shapes, which it has kept
  return y;
}

// =============================== activations ================================================

Variable sigmoid_simple(const Variable& x) { return 1 / (1 + exp(-x)); }

class Sigmoid : public UnaryFunction {
 public:
  np::ndarray forward(const np::ndarray& x) override {
    const np::ndarray half = scalar_like(x, 0.5);
    return np::tanh(x * half) * half + half;
  }
  Variable backward(const Variable& gy) override {
    const Variable y = output();
    if (np::ndarray gx = fused_grad(gy, y, [](auto g, auto v) {
          return g * v * (decltype(v)(1) - v);
        });
        gx.defined()) {
      return Variable(std::move(gx));
    }
    // 1 in y's dtype: a 0-d float32 y minus the integer 1 would be float64 (NumPy 1.x)
    return gy * y * (scalar_like(y.data(), 1.0) - y);
  }
};

Variable sigmoid(const Variable& x) { return call<Sigmoid>({x}); }

class ReLU : public UnaryFunction {
 public:
  np::ndarray forward(const np::ndarray& x) override {
    return np::maximum(x, scalar_like(x, 0.0));
  }
  Variable backward(const Variable& gy) override {
    // gy times the mask (x > 0) as 0 or 1, in one pass where fused_grad could (its own loop:
    // written through fused_grad's lambda, the compiler keeps the mask as a branch and does
    // not vectorise it)
    const np::ndarray &g = gy.data(), &xd = x().data();
    if (np::ndarray gx = fused_output(g, xd); gx.defined()) {
      for_float_dtype(gx, [&]<class T>() {
        const T* __restrict pg = g.data<T>();
        const T* __restrict px = xd.data<T>();
        T* __restrict po = gx.data<T>();
        np::detail::parallel_range(gx.size(), [=](std::int64_t begin, std::int64_t end) {
          for (std::int64_t i = begin; i < end; ++i) {
            const T mask = px[i] > T(0) ? T(1) : T(0);
            po[i] = pg[i] * mask;
          }
        });
      });
      return Variable(std::move(gx));
    }
    return gy * (x().data() > np::ndarray(0));
  }
};

Variable relu(const Variable& x) { return call<ReLU>({x}); }

class LeakyReLU : public UnaryFunction {
 public:
  explicit LeakyReLU(double slope) : slope_(slope) {}
  np::ndarray forward(const np::ndarray& x) override {
    return np::where(x > np::ndarray(0), x, x * scalar_like(x, slope_)).astype(x.dtype());
  }
  Variable backward(const Variable& gy) override {
    const np::ndarray& xd = x().data();
    const np::ndarray one = np::ones_like(xd, gy.dtype());
    const np::ndarray mask = np::where(xd > np::ndarray(0), one, one * scalar_like(one, slope_));
    return gy * mask;
  }

 private:
  double slope_;
};

Variable leaky_relu(const Variable& x, double slope) { return call<LeakyReLU>({x}, slope); }

Variable softmax_simple(const Variable& x, np::Axes axis) {
  const Variable y = exp(x);
  return y / sum(y, std::move(axis), /*keepdims=*/true);
}

class Softmax : public UnaryFunction {
 public:
  explicit Softmax(np::Axes axis) : axis_(std::move(axis)) {}
  np::ndarray forward(const np::ndarray& x) override {
    np::ndarray y = np::exp(x - x.max(axis_, true));
    y /= y.sum(axis_, true);
    return y;
  }
  Variable backward(const Variable& gy) override {
    const Variable y = output();
    const Variable gx = y * gy;
    return gx - y * sum(gx, axis_, /*keepdims=*/true);
  }

 private:
  np::Axes axis_;
};

Variable softmax(const Variable& x, np::Axes axis) { return call<Softmax>({x}, std::move(axis)); }

class LogSoftmax : public UnaryFunction {
 public:
  explicit LogSoftmax(np::Axes axis) : axis_(std::move(axis)) {}
  np::ndarray forward(const np::ndarray& x) override { return x - utils::logsumexp(x, axis_); }
  Variable backward(const Variable& gy) override {
    return gy - exp(output()) * sum(gy, axis_, /*keepdims=*/true);
  }

 private:
  np::Axes axis_;
};

Variable log_softmax(const Variable& x, np::Axes axis) {
  return call<LogSoftmax>({x}, std::move(axis));
}

class Clip : public UnaryFunction {
 public:
  Clip(double x_min, double x_max) : x_min_(x_min), x_max_(x_max) {}
  np::ndarray forward(const np::ndarray& x) override {
    return np::clip(x, scalar_like(x, x_min_), scalar_like(x, x_max_));
  }
  Variable backward(const Variable& gy) override {
    const np::ndarray& xd = x().data();
    const np::ndarray mask = (xd >= np::ndarray(x_min_)) * (xd <= np::ndarray(x_max_));
    return gy * mask;
  }

 private:
  double x_min_, x_max_;
};

Variable clip(const Variable& x, double x_min, double x_max) {
  if (x_min > x_max) {
    throw std::invalid_argument("clip: x_min " + np::float_repr(x_min) + " is greater than x_max " +
                                np::float_repr(x_max));
  }
  return call<Clip>({x}, x_min, x_max);
}

// Max and Min share their backward: the gradient flows to the elements equal to the result.
class Max : public UnaryFunction {
 public:
  Max(np::Axes axes, bool keepdims) : axes_(std::move(axes)), keepdims_(keepdims) {}
  np::ndarray forward(const np::ndarray& x) override { return x.max(axes_, keepdims_); }
  Variable backward(const Variable& gy) override {
    const np::Shape shape = utils::max_backward_shape(x().shape(), axes_);
    const np::ndarray cond = x().data() == output().data().reshape(shape);
    return broadcast_to(reshape(gy, shape), cond.shape()) * cond;
  }

 protected:
  np::Axes axes_;
  bool keepdims_;
};

class Min : public Max {
 public:
  using Max::Max;
  np::ndarray forward(const np::ndarray& x) override { return x.min(axes_, keepdims_); }
};

Variable max(const Variable& x, np::Axes axes, bool keepdims) {
  return call<Max>({x}, std::move(axes), keepdims);
}
Variable min(const Variable& x, np::Axes axes, bool keepdims) {
  return call<Min>({x}, std::move(axes), keepdims);
}

// =============================== losses =====================================================

namespace {
void check_same_shape(const char* fn, const Variable& x0, const Variable& x1) {
  if (!(x0.shape() == x1.shape())) {
    throw np::shape_error(std::string(fn) + ": the operands have different shapes " +
                          shape_str(x0) + " and " + shape_str(x1));
  }
  if (x0.ndim() == 0) throw np::shape_error(std::string(fn) + ": the operands are 0-d");
}

// Labels for a batch of N rows of C classes: integers, one per row, each in [0, C).
void check_labels(const char* fn, const Variable& x, const Variable& t) {
  if (x.ndim() != 2) {
    throw np::shape_error(std::string(fn) + ": x must be (N, classes), not " + shape_str(x));
  }
  if (!np::is_integer(t.dtype())) {
    throw np::dtype_error(std::string(fn) + ": labels must be integers, not " +
                          std::string(np::dtype_name(t.dtype())));
  }
  const std::int64_t n = x.shape()[0], classes = x.shape()[1];
  if (t.size() != n) {
    throw np::shape_error(std::string(fn) + ": " + std::to_string(t.size()) + " labels " +
                          shape_str(t) + " for a batch of " + std::to_string(n) + " rows " +
                          shape_str(x));
  }
  const auto labels = t.data().to_vector<std::int64_t>();
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= classes) {
      throw np::index_error(std::string(fn) + ": label " + std::to_string(labels[i]) + " at " +
                            std::to_string(i) + " is outside [0, " + std::to_string(classes) +
                            ")");
    }
  }
}
}  // namespace

Variable mean_squared_error_simple(const Variable& x0, const Variable& x1) {
  check_same_shape("mean_squared_error_simple", x0, x1);
  const Variable diff = x0 - x1;
  return sum(pow(diff, np::ndarray(2))) / scalar_like(diff.data(), double(diff.len()));
}

class MeanSquaredError : public BinaryFunction {
 public:
  np::ndarray forward(const np::ndarray& x0, const np::ndarray& x1) override {
    const np::ndarray diff = x0 - x1;
    return np::square(diff).sum() / scalar_like(diff, double(diff.len()));
  }
  Gradients backward(const Variable& gy) override {
    const Variable diff = x0() - x1();
    const Variable gx0 = gy * diff * scalar_like(diff.data(), 2.0 / double(diff.len()));
    return {gx0, -gx0};
  }
};

Variable mean_squared_error(const Variable& x0, const Variable& x1) {
  check_same_shape("mean_squared_error", x0, x1);
  return call<MeanSquaredError>({x0, x1});
}

Variable softmax_cross_entropy_simple(const Variable& x, const Variable& t) {
  check_labels("softmax_cross_entropy_simple", x, t);
  const std::int64_t n = x.shape()[0];
  const Variable log_p = log(clip(softmax(x), 1e-15, 1.0));  // clip: no log(0)
  const Variable tlog_p = log_p[{np::arange(n), t.data().flatten()}];
  return scalar_like(x.data(), -1.0) * sum(tlog_p) / scalar_like(x.data(), double(n));
}

class SoftmaxCrossEntropy : public BinaryFunction {
 public:
  np::ndarray forward(const np::ndarray& x, const np::ndarray& t) override {
    const std::int64_t n = x.shape()[0];
    const np::ndarray log_p = x - utils::logsumexp(x, 1);
    const np::ndarray picked = log_p[{np::arange(n), t.flatten()}];
    return -picked.sum() / scalar_like(x, double(n));
  }
  Gradients backward(const Variable& gy) override {
    const Variable &x = x0(), &t = x1();
    const std::int64_t n = x.shape()[0], classes = x.shape()[1];
    const Variable gy_n = gy * scalar_like(gy.data(), 1.0 / double(n));
    // The one-hot labels in x's dtype (the book's int64 eye would turn a float32 gradient
    // into float64), on x's device (the book's xp.eye).
    const np::ndarray t_onehot =
        np::to_device(np::eye(classes, x.dtype()), x.data().device())[t.data().flatten()];
    return {(softmax(x) - t_onehot) * gy_n, Variable()};  // None: labels get no gradient
  }
};

Variable softmax_cross_entropy(const Variable& x, const Variable& t) {
  check_labels("softmax_cross_entropy", x, t);
  return call<SoftmaxCrossEntropy>({x, t});
}

namespace {
// Targets in the predictions' shape and floating dtype (0/1 integer labels are common).
Variable as_targets(const char* fn, const Variable& x, const Variable& t) {
  if (t.size() != x.size()) {
    throw np::shape_error(std::string(fn) + ": " + std::to_string(t.size()) + " targets " +
                          shape_str(t) + " for " + std::to_string(x.size()) + " predictions " +
                          shape_str(x));
  }
  if (np::is_floating(t.dtype()) && t.shape() == x.shape()) return t;
  np::ndarray td = t.data();
  if (!np::is_floating(td.dtype())) {
    td = td.astype(np::is_floating(x.dtype()) ? x.dtype() : np::float64);
  }
  return constant(td.reshape(x.shape()));
}

Variable binary_entropy(const Variable& p, const Variable& t, std::int64_t n) {
  const Variable tlog_p = t * log(p) + (1 - t) * log(1 - p);
  return scalar_like(p.data(), -1.0) * sum(tlog_p) / scalar_like(p.data(), double(n));
}
}  // namespace

Variable sigmoid_cross_entropy(const Variable& x, const Variable& t) {
  if (x.ndim() == 0) throw np::shape_error("sigmoid_cross_entropy: x is 0-d");
  const Variable tt = as_targets("sigmoid_cross_entropy", x, t);
  return binary_entropy(clip(sigmoid(x), 1e-15, 1.0), tt, x.len());
}

Variable binary_cross_entropy(const Variable& p, const Variable& t) {
  if (p.ndim() == 0) throw np::shape_error("binary_cross_entropy: p is 0-d");
  const Variable tt = as_targets("binary_cross_entropy", p, t);
  return binary_entropy(clip(p, 1e-15, 0.999), tt, tt.len());
}

Variable accuracy(const Variable& y, const Variable& t) {
  if (y.ndim() != 2 || t.size() != y.shape()[0]) {
    throw np::shape_error("accuracy: y " + shape_str(y) + " and t " + shape_str(t) +
                          " do not fit (y is (N, classes), t has N labels)");
  }
  // A label no class can have would silently count as a miss: say so, as the losses do.
  if (np::is_integer(t.dtype())) {
    const std::int64_t classes = y.shape()[1];
    const auto labels = t.data().to_vector<std::int64_t>();
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (labels[i] < 0 || labels[i] >= classes) {
        throw np::index_error("accuracy: label " + std::to_string(labels[i]) + " at " +
                              std::to_string(i) + " is outside [0, " + std::to_string(classes) +
                              ") for y " + shape_str(y));
      }
    }
  }
  const np::ndarray pred = y.data().argmax(1).reshape(t.shape());
  return Variable((pred == t.data()).astype(np::float64).mean());
}

// =============================== embed_id ===================================================

class EmbedIDGrad : public UnaryFunction {
 public:
  EmbedIDGrad(np::ndarray ids, np::Shape w_shape) : ids_(std::move(ids)), w_shape_(w_shape) {}
  np::ndarray forward(const np::ndarray& gy) override {
    np::ndarray gW = np::zeros(w_shape_, gy.dtype());
    np::add_at(gW, {ids_}, gy);  // unbuffered: repeated ids accumulate
    return gW;
  }
  Variable backward(const Variable& ggW) override { return embed_id(ids_, ggW); }

 private:
  np::ndarray ids_;
  np::Shape w_shape_;
};

class EmbedID : public UnaryFunction {
 public:
  explicit EmbedID(np::ndarray ids) : ids_(std::move(ids)) {}
  np::ndarray forward(const np::ndarray& W) override { return np::getitem(W, {ids_}); }
  Variable backward(const Variable& gy) override {
    return call<EmbedIDGrad>({gy}, ids_, x().shape());
  }

 private:
  np::ndarray ids_;
};

Variable embed_id(const Variable& x, const Variable& W) {
  if (!x || !W) throw std::invalid_argument("embed_id: the ids and the table W must not be None");
  if (W.ndim() != 2) {
    throw np::shape_error("embed_id: the table W must be (vocabulary, features), not " +
                          shape_str(W));
  }
  if (!np::is_integer(x.dtype())) {
    throw np::dtype_error("embed_id: ids must be integers, not " +
                          std::string(np::dtype_name(x.dtype())));
  }
  const std::int64_t vocabulary = W.shape()[0];
  const auto ids = x.data().to_vector<std::int64_t>();
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < -vocabulary || ids[i] >= vocabulary) {
      throw np::index_error("embed_id: id " + std::to_string(ids[i]) + " at flat position " +
                            std::to_string(i) + " of the ids " + shape_str(x) +
                            " is outside [-" + std::to_string(vocabulary) + ", " +
                            std::to_string(vocabulary) + ") for the table W " + shape_str(W));
    }
  }
  return call<EmbedID>({W}, x.data());
}

// ===================================== dropout ==============================================

Variable dropout(const Variable& x, DropoutOptions options) {
  const double dropout_ratio = options.dropout_ratio;
  if (!(dropout_ratio >= 0.0 && dropout_ratio < 1.0)) {
    // The book divides by 1 - ratio: a ratio of 1 would give 0 / 0 everywhere.
    throw std::invalid_argument("dropout: dropout_ratio must be in [0, 1), got " +
                                np::float_repr(dropout_ratio));
  }
  if (!x) throw std::invalid_argument("dropout: x is None");
  if (!np::is_floating(x.dtype())) {
    // 1 - ratio in an integer dtype is 0 (the book would divide by it).
    throw np::dtype_error("dropout: x must be float32 or float64, not " +
                          std::string(np::dtype_name(x.dtype())));
  }
  if (!Config::train) return x;
  // The mask and the scale exactly as the book makes them: rand(*x.shape) > ratio (a bool
  // array) and 1 - ratio as a 0-d array of x's dtype, so float32 data stays float32.
  const np::ndarray mask = np::random::rand(x.shape()) > np::ndarray(dropout_ratio);
  const np::ndarray scale = np::ndarray(1.0 - dropout_ratio).astype(x.dtype());
  return x * mask / scale;
}

// ===================================== batch_norm ===========================================

namespace {

std::string shape_str(const np::Shape& s) { return s.str(); }

// (N, C, H, W) -> (N*H*W, C): one row per value of every channel; (N, C) stays.
np::ndarray channels_last(const np::ndarray& x) {
  if (x.ndim() == 2) return x;
  return x.transpose({0, 2, 3, 1}).reshape({-1, x.shape()[1]});
}
Variable channels_last(const Variable& x) {
  if (x.ndim() == 2) return x;
  return x.transpose({0, 2, 3, 1}).reshape({-1, x.shape()[1]});
}
// The way back, to the shape `like`.
Variable channels_first(const Variable& y, const np::Shape& like) {
  if (like.ndim() == 2) return y;
  return y.reshape({like[0], like[2], like[3], like[1]}).transpose({0, 3, 1, 2});
}

void require_channel_vector(const np::ndarray& a, const char* what, const np::ndarray& x) {
  const std::int64_t C = x.shape()[1];
  if (!a.defined()) throw std::invalid_argument(std::string(what) + " is None");
  if (a.ndim() != 1 || a.shape()[0] != C) {
    throw np::shape_error(std::string(what) + " " + shape_str(a.shape()) + " must be (" +
                          std::to_string(C) + ",), one value per channel of x " + shape_str(x.shape()));
  }
}

}  // namespace

// Inputs x, gamma, beta; the running statistics are held (and updated) as arrays.
class BatchNorm : public Function {
 public:
  BatchNorm(np::ndarray mean, np::ndarray var, double decay, double eps);
  Arrays forward(const Arrays& xs) override;
  Variables backward(const Variables& gys) override;

 private:
  np::ndarray avg_mean_, avg_var_;
  double decay_, eps_;
  bool trained_ = true;  // which statistics forward used
  np::ndarray mean_, inv_std_;  // those statistics, for backward
};

BatchNorm::BatchNorm(np::ndarray mean, np::ndarray var, double decay, double eps)
    : avg_mean_(std::move(mean)), avg_var_(std::move(var)), decay_(decay), eps_(eps) {}

Arrays BatchNorm::forward(const Arrays& xs) {
  const np::ndarray &x_in = xs[0], &gamma = xs[1], &beta = xs[2];
  if (!x_in.defined()) throw std::invalid_argument("x is None");
  if (x_in.ndim() != 2 && x_in.ndim() != 4) {
    throw np::shape_error("x " + shape_str(x_in.shape()) + " must be (N, C) or (N, C, H, W)");
  }
  require_channel_vector(gamma, "gamma", x_in);
  require_channel_vector(beta, "beta", x_in);
  require_channel_vector(avg_mean_, "the running mean", x_in);
  require_channel_vector(avg_var_, "the running variance", x_in);
  const np::ndarray x = channels_last(x_in);

  trained_ = Config::train;
  if (trained_) {
    const std::int64_t m = x.len();
    const np::ndarray mean = x.mean(0);
    // NumPy's var: the mean of the squared deviations, as sum / count
    const np::ndarray d = x - mean;
    const np::ndarray var = np::sum(d * d, 0) / np::ndarray(m);
    inv_std_ = np::ndarray(1.0) / np::sqrt(var + np::ndarray(eps_));
    mean_ = mean;
    // the unbiased estimate m / (m - 1) for the running variance (m = 1 is left as it is)
    const double s = m - 1.0 > 1.0 ? m - 1.0 : 1.0;
    const double adjust = static_cast<double>(m) / s;
    avg_mean_ *= np::ndarray(decay_);
    avg_mean_ += np::ndarray(1 - decay_) * mean;
    avg_var_ *= np::ndarray(decay_);
    avg_var_ += np::ndarray((1 - decay_) * adjust) * var;
  } else {
    inv_std_ = np::ndarray(1.0) / np::sqrt(avg_var_ + np::ndarray(eps_));
    mean_ = avg_mean_.copy();  // later training calls change the running mean in place
  }
  const np::ndarray xc = (x - mean_) * inv_std_;
  np::ndarray y = gamma * xc + beta;
  if (x_in.ndim() == 4) {
    const np::Shape& s = x_in.shape();
    y = y.reshape({s[0], s[2], s[3], s[1]}).transpose({0, 3, 1, 2});
  }
  return {y};
}

Variables BatchNorm::backward(const Variables& gys) {
  const Variable gy = channels_last(gys[0]);
  const Variable& gamma = input(1);
  const Variable x = channels_last(input(0));
  const std::int64_t batch_size = gy.len();
  const Variable gbeta = sum(gy, 0);
  Variable gx, ggamma;
  if (trained_) {
    // The statistics depend on x: the book's formula.
    const Variable mean = sum(x, 0) / batch_size;
    const Variable xc = (x - mean) * inv_std_;
    ggamma = sum(xc * gy, 0);
    gx = gy - gbeta / batch_size - xc * ggamma / batch_size;
    gx = gx * (gamma * inv_std_);
  } else {
    // The running statistics are constants: y is affine in x.
    const Variable xc = (x - mean_) * inv_std_;
    ggamma = sum(xc * gy, 0);
    gx = gy * (gamma * inv_std_);
  }
  return {channels_first(gx, input(0).shape()), ggamma, gbeta};
}

Variable batch_norm(const Variable& x, const Variable& gamma, const Variable& beta,
                    np::ndarray mean, np::ndarray var, BatchNormOptions options) {
  return call<BatchNorm>({x, gamma, beta}, std::move(mean), std::move(var), options.decay,
                         options.eps);
}

}  // namespace dezero::functions
