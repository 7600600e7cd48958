#include "dezero/functions.hpp"

#include <numeric>

#include "dezero/utils.hpp"

namespace dezero::functions {

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

class MatMul : public Function {
 public:
  std::string name() const override { return "MatMul"; }
  Arrays forward(const Arrays& xs) override { return {xs[0].dot(xs[1])}; }
  Variables backward(const Variables& gys) override {
    const Variable &x = input(0), &W = input(1), &gy = gys[0];
    return {matmul(gy, W.T()), matmul(x.T(), gy)};
  }
};

Variable matmul(const Variable& x, const Variable& W) { return call<MatMul>({x, W}); }

}  // namespace dezero::functions
