#include "dezero/functions.hpp"

#include <numeric>
#include <stdexcept>
#include <string>

#include "dezero/utils.hpp"

namespace dezero::functions {

namespace {
// A 0-d array of x's dtype holding `value`: constants written this way keep float32 data
// float32 also where NumPy 1.x would promote a 0-d result (a loss) to float64.
np::ndarray scalar_like(const np::ndarray& x, double value) {
  return np::ndarray(value).astype(np::is_floating(x.dtype()) ? x.dtype() : np::float64);
}

std::string shape_str(const Variable& x) { return x.shape().str(); }

// An element-wise backward formula gx[i] = op(gy[i], a[i]) in one pass, for a backward pass
// that is not recorded (no create_graph) with gy and a of one floating dtype and shape: the
// book's operations in its order, each rounded in the dtype, so the same bits as the Variable
// formula without its temporary arrays (tests: Functions.FusedGradientsHaveTheFormulasBits).
// None otherwise: the caller then takes the Variable formula.
template <class Op>
np::ndarray fused_grad(const Variable& gy, const Variable& a, Op op) {
  const np::ndarray &g = gy.data(), &x = a.data();
  if (Config::enable_backprop || g.dtype() != x.dtype() || !(g.shape() == x.shape()) ||
      !np::is_floating(g.dtype()) || g.device() != np::Device::cpu ||
      x.device() != np::Device::cpu) {
    return {};
  }
  np::ndarray out = np::ndarray::uninitialized(g.shape(), g.dtype());
  auto run = [&]<class T>() {
    const T *pg = g.data<T>(), *px = x.data<T>();
    T* po = out.data<T>();
    for (std::int64_t i = 0, n = out.size(); i < n; ++i) po[i] = op(pg[i], px[i]);
  };
  if (g.dtype() == np::float32) {
    run.template operator()<float>();
  } else {
    run.template operator()<double>();
  }
  return out;
}
}  // namespace


// =============================== sin / cos / tanh / exp / log ===============================

class Sin : public Function {
 public:
  std::string name() const override { return "Sin"; }
  Arrays forward(const Arrays& xs) override { return {np::sin(xs[0])}; }
  Variables backward(const Variables& gys) override { return {gys[0] * cos(input(0))}; }
};

class Cos : public Function {
 public:
  std::string name() const override { return "Cos"; }
  Arrays forward(const Arrays& xs) override { return {np::cos(xs[0])}; }
  Variables backward(const Variables& gys) override { return {gys[0] * -sin(input(0))}; }
};

class Tanh : public Function {
 public:
  std::string name() const override { return "Tanh"; }
  Arrays forward(const Arrays& xs) override { return {np::tanh(xs[0])}; }
  Variables backward(const Variables& gys) override {
    const Variable y = outputs()[0];  // the output, reached through the weak reference
    if (np::ndarray gx = fused_grad(gys[0], y, [](auto g, auto v) {
          return g * (decltype(v)(1) - v * v);
        });
        gx.defined()) {
      return {Variable(std::move(gx))};
    }
    return {gys[0] * (1 - y * y)};
  }
};

class Exp : public Function {
 public:
  std::string name() const override { return "Exp"; }
  Arrays forward(const Arrays& xs) override { return {np::exp(xs[0])}; }
  Variables backward(const Variables& gys) override { return {gys[0] * outputs()[0]}; }
};

class Log : public Function {
 public:
  std::string name() const override { return "Log"; }
  Arrays forward(const Arrays& xs) override { return {np::log(xs[0])}; }
  Variables backward(const Variables& gys) override { return {gys[0] / input(0)}; }
};

Variable sin(const Variable& x) { return call<Sin>({x}); }
Variable cos(const Variable& x) { return call<Cos>({x}); }
Variable tanh(const Variable& x) { return call<Tanh>({x}); }
Variable exp(const Variable& x) { return call<Exp>({x}); }
Variable log(const Variable& x) { return call<Log>({x}); }

// =============================== reshape / transpose ========================================

class Reshape : public Function {
 public:
  explicit Reshape(np::Shape shape) : shape_(shape) {}
  std::string name() const override { return "Reshape"; }
  Arrays forward(const Arrays& xs) override {
    x_shape_ = xs[0].shape();
    return {xs[0].reshape(shape_)};
  }
  Variables backward(const Variables& gys) override { return {reshape(gys[0], x_shape_)}; }

 private:
  np::Shape shape_, x_shape_;
};

Variable reshape(const Variable& x, const np::Shape& shape) {
  if (x.shape() == shape) return x;
  return call<Reshape>({x}, shape);
}

class Transpose : public Function {
 public:
  explicit Transpose(std::optional<std::vector<int>> axes) : axes_(std::move(axes)) {}
  std::string name() const override { return "Transpose"; }
  Arrays forward(const Arrays& xs) override { return {np::transpose(xs[0], axes_)}; }
  Variables backward(const Variables& gys) override {
    if (!axes_) return {transpose(gys[0])};
    // The inverse permutation: where each axis went.
    const int n = static_cast<int>(axes_->size());
    std::vector<int> inverse(axes_->size());
    for (int i = 0; i < n; ++i) inverse[((*axes_)[i] % n + n) % n] = i;
    return {transpose(gys[0], inverse)};
  }

 private:
  std::optional<std::vector<int>> axes_;
};

Variable transpose(const Variable& x, std::optional<std::vector<int>> axes) {
  return call<Transpose>({x}, std::move(axes));
}

// =============================== sum / sum_to / broadcast_to ================================

class Sum : public Function {
 public:
  Sum(np::Axes axes, bool keepdims) : axes_(std::move(axes)), keepdims_(keepdims) {}
  std::string name() const override { return "Sum"; }
  Arrays forward(const Arrays& xs) override {
    x_shape_ = xs[0].shape();
    return {xs[0].sum(axes_, keepdims_)};
  }
  Variables backward(const Variables& gys) override {
    const Variable gy = utils::reshape_sum_backward(gys[0], x_shape_, axes_, keepdims_);
    return {broadcast_to(gy, x_shape_)};
  }

 private:
  np::Axes axes_;
  bool keepdims_;
  np::Shape x_shape_;
};

Variable sum(const Variable& x, np::Axes axes, bool keepdims) {
  return call<Sum>({x}, std::move(axes), keepdims);
}

class SumTo : public Function {
 public:
  explicit SumTo(np::Shape shape) : shape_(shape) {}
  std::string name() const override { return "SumTo"; }
  Arrays forward(const Arrays& xs) override {
    x_shape_ = xs[0].shape();
    return {np::sum_to(xs[0], shape_)};
  }
  Variables backward(const Variables& gys) override { return {broadcast_to(gys[0], x_shape_)}; }

 private:
  np::Shape shape_, x_shape_;
};

Variable sum_to(const Variable& x, const np::Shape& shape) {
  if (x.shape() == shape) return x;
  return call<SumTo>({x}, shape);
}

class BroadcastTo : public Function {
 public:
  explicit BroadcastTo(np::Shape shape) : shape_(shape) {}
  std::string name() const override { return "BroadcastTo"; }
  Arrays forward(const Arrays& xs) override {
    x_shape_ = xs[0].shape();
    return {np::broadcast_to(xs[0], shape_)};
  }
  Variables backward(const Variables& gys) override { return {sum_to(gys[0], x_shape_)}; }

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
namespace {
Variables matmul_grads(const Variable& x, const Variable& W, const Variable& gy) {
  if (!Config::enable_backprop) {
    return {Variable(np::matmul(gy.data(), W.data(), np::Transpose::b)),
            Variable(np::matmul(x.data(), gy.data(), np::Transpose::a))};
  }
  return {matmul(gy, W.T()), matmul(x.T(), gy)};
}
}  // namespace

class MatMul : public Function {
 public:
  std::string name() const override { return "MatMul"; }
  Arrays forward(const Arrays& xs) override { return {xs[0].dot(xs[1])}; }
  Variables backward(const Variables& gys) override {
    return matmul_grads(input(0), input(1), gys[0]);
  }
};

Variable matmul(const Variable& x, const Variable& W) { return call<MatMul>({x, W}); }


// =============================== get_item / expand_dims / flatten ===========================

class GetItemGrad : public Function {
 public:
  GetItemGrad(np::Indices slices, np::Shape in_shape)
      : slices_(std::move(slices)), in_shape_(in_shape) {}
  std::string name() const override { return "GetItemGrad"; }
  Arrays forward(const Arrays& gys) override {
    np::ndarray gx = np::zeros(in_shape_, gys[0].dtype());
    np::add_at(gx, slices_, gys[0]);
    return {gx};
  }
  Variables backward(const Variables& ggxs) override { return {get_item(ggxs[0], slices_)}; }

 private:
  np::Indices slices_;
  np::Shape in_shape_;
};

class GetItem : public Function {
 public:
  explicit GetItem(np::Indices slices) : slices_(std::move(slices)) {}
  std::string name() const override { return "GetItem"; }
  Arrays forward(const Arrays& xs) override { return {np::getitem(xs[0], slices_)}; }
  Variables backward(const Variables& gys) override {
    return {call<GetItemGrad>({gys[0]}, slices_, input(0).shape())};
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

// One node for x W + b, with or without b (then it has two inputs).
class Linear : public Function {
 public:
  std::string name() const override { return "Linear"; }
  Arrays forward(const Arrays& xs) override {
    np::ndarray y = xs[0].dot(xs[1]);
    if (xs.size() == 3) y += xs[2];  // in place: the product's dtype is kept, as in NumPy
    return {y};
  }
  Variables backward(const Variables& gys) override {
    const Variable& gy = gys[0];
    Variables gxs = matmul_grads(input(0), input(1), gy);
    if (inputs().size() == 3) gxs.push_back(sum_to(gy, input(2).shape()));
    return gxs;
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

class Sigmoid : public Function {
 public:
  std::string name() const override { return "Sigmoid"; }
  Arrays forward(const Arrays& xs) override {
    const np::ndarray half = scalar_like(xs[0], 0.5);
    return {np::tanh(xs[0] * half) * half + half};
  }
  Variables backward(const Variables& gys) override {
    const Variable y = outputs()[0];
    if (np::ndarray gx = fused_grad(gys[0], y, [](auto g, auto v) {
          return g * v * (decltype(v)(1) - v);
        });
        gx.defined()) {
      return {Variable(std::move(gx))};
    }
    // 1 in y's dtype: a 0-d float32 y minus the integer 1 would be float64 (NumPy 1.x)
    return {gys[0] * y * (scalar_like(y.data(), 1.0) - y)};
  }
};

Variable sigmoid(const Variable& x) { return call<Sigmoid>({x}); }

class ReLU : public Function {
 public:
  std::string name() const override { return "ReLU"; }
  Arrays forward(const Arrays& xs) override {
    return {np::maximum(xs[0], scalar_like(xs[0], 0.0))};
  }
  Variables backward(const Variables& gys) override {
    if (np::ndarray gx = fused_grad(gys[0], input(0), [](auto g, auto x) {
          return g * static_cast<decltype(g)>(x > 0);  // the mask as 0 or 1, times gy
        });
        gx.defined()) {
      return {Variable(std::move(gx))};
    }
    return {gys[0] * (input(0).data() > np::ndarray(0))};
  }
};

Variable relu(const Variable& x) { return call<ReLU>({x}); }

class LeakyReLU : public Function {
 public:
  explicit LeakyReLU(double slope) : slope_(slope) {}
  std::string name() const override { return "LeakyReLU"; }
  Arrays forward(const Arrays& xs) override {
    const np::ndarray& x = xs[0];
    return {np::where(x > np::ndarray(0), x, x * scalar_like(x, slope_)).astype(x.dtype())};
  }
  Variables backward(const Variables& gys) override {
    const np::ndarray& x = input(0).data();
    const np::ndarray one = np::ones_like(x, gys[0].dtype());
    const np::ndarray mask = np::where(x > np::ndarray(0), one, one * scalar_like(one, slope_));
    return {gys[0] * mask};
  }

 private:
  double slope_;
};

Variable leaky_relu(const Variable& x, double slope) { return call<LeakyReLU>({x}, slope); }

Variable softmax_simple(const Variable& x, np::Axes axis) {
  const Variable y = exp(x);
  return y / sum(y, std::move(axis), /*keepdims=*/true);
}

class Softmax : public Function {
 public:
  explicit Softmax(np::Axes axis) : axis_(std::move(axis)) {}
  std::string name() const override { return "Softmax"; }
  Arrays forward(const Arrays& xs) override {
    np::ndarray y = np::exp(xs[0] - xs[0].max(axis_, true));
    y /= y.sum(axis_, true);
    return {y};
  }
  Variables backward(const Variables& gys) override {
    const Variable y = outputs()[0];
    const Variable gx = y * gys[0];
    return {gx - y * sum(gx, axis_, /*keepdims=*/true)};
  }

 private:
  np::Axes axis_;
};

Variable softmax(const Variable& x, np::Axes axis) { return call<Softmax>({x}, std::move(axis)); }

class LogSoftmax : public Function {
 public:
  explicit LogSoftmax(np::Axes axis) : axis_(std::move(axis)) {}
  std::string name() const override { return "LogSoftmax"; }
  Arrays forward(const Arrays& xs) override { return {xs[0] - utils::logsumexp(xs[0], axis_)}; }
  Variables backward(const Variables& gys) override {
    const Variable y = outputs()[0];
    return {gys[0] - exp(y) * sum(gys[0], axis_, /*keepdims=*/true)};
  }

 private:
  np::Axes axis_;
};

Variable log_softmax(const Variable& x, np::Axes axis) {
  return call<LogSoftmax>({x}, std::move(axis));
}

class Clip : public Function {
 public:
  Clip(double x_min, double x_max) : x_min_(x_min), x_max_(x_max) {}
  std::string name() const override { return "Clip"; }
  Arrays forward(const Arrays& xs) override {
    return {np::clip(xs[0], scalar_like(xs[0], x_min_), scalar_like(xs[0], x_max_))};
  }
  Variables backward(const Variables& gys) override {
    const np::ndarray& x = input(0).data();
    const np::ndarray mask = (x >= np::ndarray(x_min_)) * (x <= np::ndarray(x_max_));
    return {gys[0] * mask};
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
class Max : public Function {
 public:
  Max(np::Axes axes, bool keepdims) : axes_(std::move(axes)), keepdims_(keepdims) {}
  std::string name() const override { return "Max"; }
  Arrays forward(const Arrays& xs) override { return {xs[0].max(axes_, keepdims_)}; }
  Variables backward(const Variables& gys) override {
    const Variable& x = input(0);
    const Variable y = outputs()[0];
    const np::Shape shape = utils::max_backward_shape(x.shape(), axes_);
    const np::ndarray cond = x.data() == y.data().reshape(shape);
    return {broadcast_to(reshape(gys[0], shape), cond.shape()) * cond};
  }

 protected:
  np::Axes axes_;
  bool keepdims_;
};

class Min : public Max {
 public:
  using Max::Max;
  std::string name() const override { return "Min"; }
  Arrays forward(const Arrays& xs) override { return {xs[0].min(axes_, keepdims_)}; }
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

class MeanSquaredError : public Function {
 public:
  std::string name() const override { return "MeanSquaredError"; }
  Arrays forward(const Arrays& xs) override {
    const np::ndarray diff = xs[0] - xs[1];
    return {np::square(diff).sum() / scalar_like(diff, double(diff.len()))};
  }
  Variables backward(const Variables& gys) override {
    const Variable diff = input(0) - input(1);
    const Variable gx0 = gys[0] * diff * scalar_like(diff.data(), 2.0 / double(diff.len()));
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

class SoftmaxCrossEntropy : public Function {
 public:
  std::string name() const override { return "SoftmaxCrossEntropy"; }
  Arrays forward(const Arrays& xs) override {
    const np::ndarray& x = xs[0];
    const std::int64_t n = x.shape()[0];
    const np::ndarray log_p = x - utils::logsumexp(x, 1);
    const np::ndarray picked = log_p[{np::arange(n), xs[1].flatten()}];
    return {-picked.sum() / scalar_like(x, double(n))};
  }
  Variables backward(const Variables& gys) override {
    const Variable &x = input(0), &t = input(1);
    const std::int64_t n = x.shape()[0], classes = x.shape()[1];
    const Variable gy = gys[0] * scalar_like(gys[0].data(), 1.0 / double(n));
    // The one-hot labels in x's dtype (the book's int64 eye would turn a float32 gradient
    // into float64), on x's device (the book's xp.eye).
    const np::ndarray t_onehot =
        np::to_device(np::eye(classes, x.dtype()), x.data().device())[t.data().flatten()];
    return {(softmax(x) - t_onehot) * gy, Variable()};  // None: labels get no gradient
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

class EmbedIDGrad : public Function {
 public:
  EmbedIDGrad(np::ndarray ids, np::Shape w_shape) : ids_(std::move(ids)), w_shape_(w_shape) {}
  std::string name() const override { return "EmbedIDGrad"; }
  Arrays forward(const Arrays& gys) override {
    np::ndarray gW = np::zeros(w_shape_, gys[0].dtype());
    np::add_at(gW, {ids_}, gys[0]);  // unbuffered: repeated ids accumulate
    return {gW};
  }
  Variables backward(const Variables& ggWs) override { return {embed_id(ids_, ggWs[0])}; }

 private:
  np::ndarray ids_;
  np::Shape w_shape_;
};

class EmbedID : public Function {
 public:
  explicit EmbedID(np::ndarray ids) : ids_(std::move(ids)) {}
  std::string name() const override { return "EmbedID"; }
  Arrays forward(const Arrays& xs) override { return {np::getitem(xs[0], {ids_})}; }
  Variables backward(const Variables& gys) override {
    return {call<EmbedIDGrad>({gys[0]}, ids_, input(0).shape())};
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

Variable dropout(const Variable& x, double dropout_ratio) {
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

}  // namespace dezero::functions
