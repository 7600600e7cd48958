// Optimizers and hooks (dezero/optimizers): every update rule over several steps against the
// book's formulas evaluated by hand in the test (float64 parameters; float32 parameters under
// float64 and float32 gradients, rounded where NumPy's in-place casting rounds), the state
// the optimizers keep, setup's chaining, the hooks (WeightDecay, ClipGrad on and off,
// FreezeParam with the book's crash fixed), a small MLP that learns, and bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <string>
#include <type_traits>
#include <vector>

#include "dezero/dezero.hpp"
#include "tests/dezero/helpers.hpp"

namespace {

namespace F = dezero::functions;
namespace L = dezero::layers;
namespace O = dezero::optimizers;
using dezero::Parameter;
using dezero::Variable;
using dztest::array_is;
using dztest::data_is;
using dztest::throws_with;

// A layer holding the given parameters, named p0, p1, ...
class Holder : public L::Layer {
 public:
  explicit Holder(std::vector<Parameter> ps) : ps_(std::move(ps)) {
    for (std::size_t i = 0; i < ps_.size(); ++i) {
      std::string name(1, 'p');  // (not "p" + ...: GCC 12 warns falsely, bug 105329)
      register_parameter(name + std::to_string(i), ps_[i]);
    }
  }

 private:
  std::vector<Parameter> ps_;
};

void set_grad(const Parameter& p, const np::ndarray& g) { p.set_grad(Variable(g)); }

// Parameter p = [1, -2, 0.5] and a fixed gradient g = [0.5, -1, 2], in float64.
const std::vector<double> P0 = {1.0, -2.0, 0.5};
const std::vector<double> G = {0.5, -1.0, 2.0};
np::ndarray vec(const std::vector<double>& v, np::DType dtype = np::float64) {
  return np::array(v).astype(dtype);
}

// ===================================== SGD ==================================================

TEST(SGD, ThreeStepsFloat64) {
  Parameter p(vec(P0));
  Holder model({p});
  auto optimizer = O::SGD(0.1).setup(model);
  static_assert(std::is_same_v<decltype(optimizer), O::SGD>);  // setup keeps the type
  std::vector<double> expected = P0;
  for (int step = 0; step < 3; ++step) {
    set_grad(p, vec(G));
    optimizer.update();
    for (std::size_t i = 0; i < expected.size(); ++i) expected[i] -= 0.1 * G[i];
    EXPECT_TRUE(data_is(p, {3}, np::float64, expected)) << "step " << step;
  }
  EXPECT_TRUE(data_is(p, {3}, np::float64, {1.0 - 0.1 * 0.5 - 0.1 * 0.5 - 0.1 * 0.5,
                                            -2.0 + 0.1 + 0.1 + 0.1, 0.5 - 0.2 - 0.2 - 0.2}));
}

// float32 data, float64 gradient: 0.1 * g is float64, and -= rounds into float32 each step.
TEST(SGD, Float32ParameterStaysFloat32) {
  Parameter p(vec(P0, np::float32));
  Holder model({p});
  O::SGD optimizer(0.1);
  optimizer.setup(model);
  std::vector<float> expected(P0.begin(), P0.end());
  for (int step = 0; step < 3; ++step) {
    set_grad(p, vec(G));
    optimizer.update();
    for (std::size_t i = 0; i < expected.size(); ++i) {
      expected[i] = static_cast<float>(static_cast<double>(expected[i]) - 0.1 * G[i]);
    }
  }
  EXPECT_TRUE(data_is(p, {3}, np::float32, {expected[0], expected[1], expected[2]}));
  // With a float32 gradient, 0.1 becomes float32 (value-based casting) and all is float32.
  Parameter q(vec(P0, np::float32));
  Holder model_q({q});
  O::SGD sgd(0.1);
  sgd.setup(model_q);
  set_grad(q, vec(G, np::float32));
  sgd.update();
  std::vector<double> expected_q;
  for (std::size_t i = 0; i < P0.size(); ++i) {
    expected_q.push_back(static_cast<float>(P0[i]) - 0.1f * static_cast<float>(G[i]));
  }
  EXPECT_TRUE(data_is(q, {3}, np::float32, expected_q));
}

TEST(SGD, SkipsParametersWithoutGradient) {
  Parameter with(vec({1.0})), without(vec({5.0}));
  Holder model({with, without});
  auto optimizer = O::SGD(0.5).setup(model);
  set_grad(with, vec({2.0}));
  optimizer.update();
  EXPECT_TRUE(data_is(with, {1}, np::float64, {0.0}));
  EXPECT_TRUE(data_is(without, {1}, np::float64, {5.0}));
}

// ===================================== MomentumSGD ==========================================

TEST(MomentumSGD, VelocityAndParameterOverSteps) {
  Parameter p(vec(P0));
  Holder model({p});
  auto optimizer = O::MomentumSGD({.lr = 0.1, .momentum = 0.9}).setup(model);
  EXPECT_FALSE(optimizer.velocity(p).defined());
  std::vector<double> v(3, 0.0), expected = P0;
  const std::vector<std::vector<double>> grads = {G, {1.0, 1.0, 1.0}, {-2.0, 0.0, 4.0}};
  for (const auto& g : grads) {
    set_grad(p, vec(g));
    optimizer.update();
    for (std::size_t i = 0; i < 3; ++i) {
      v[i] = v[i] * 0.9 - 0.1 * g[i];
      expected[i] += v[i];
    }
    EXPECT_TRUE(array_is(optimizer.velocity(p), {3}, np::float64, v));
    EXPECT_TRUE(data_is(p, {3}, np::float64, expected));
  }
  // First step by hand: v = -0.1 g, so p = P0 - 0.1 g; second: v = 0.9 (-0.1 g) - 0.1 * 1.
  EXPECT_NEAR(v[0], 0.9 * (0.9 * -0.05 - 0.1) - 0.1 * -2.0, 1e-15);
}

TEST(MomentumSGD, Float32StateUnderFloat64Gradient) {
  Parameter p(vec(P0, np::float32));
  Holder model({p});
  auto optimizer = O::MomentumSGD({.lr = 0.1, .momentum = 0.9}).setup(model);
  std::vector<float> v(3, 0.0f), expected(P0.begin(), P0.end());
  for (int step = 0; step < 3; ++step) {
    set_grad(p, vec(G));
    optimizer.update();
    for (std::size_t i = 0; i < 3; ++i) {
      v[i] = v[i] * 0.9f;                                            // v *= 0.9 (float32)
      v[i] = static_cast<float>(static_cast<double>(v[i]) - 0.1 * G[i]);  // v -= 0.1 g
      expected[i] = expected[i] + v[i];                              // p += v (float32)
    }
  }
  EXPECT_TRUE(array_is(optimizer.velocity(p), {3}, np::float32, {v[0], v[1], v[2]}));
  EXPECT_TRUE(data_is(p, {3}, np::float32, {expected[0], expected[1], expected[2]}));
}

// The state is keyed by the parameter's node and keeps it alive, so a new parameter never
// inherits the velocity of one that is gone (Python's id() can be reused).
TEST(MomentumSGD, StateIsNotInheritedByANewParameter) {
  O::MomentumSGD optimizer({.lr = 0.1, .momentum = 0.9});
  for (int round = 0; round < 20; ++round) {
    Parameter p(vec({0.0}));
    Holder model({p});
    optimizer.setup(model);
    set_grad(p, vec({1.0}));
    optimizer.update();
    ASSERT_TRUE(array_is(optimizer.velocity(p), {1}, np::float64, {-0.1})) << round;
    ASSERT_TRUE(data_is(p, {1}, np::float64, {-0.1})) << round;
  }
}

// ===================================== AdaGrad ==============================================

TEST(AdaGrad, ThreeStepsFloat64) {
  Parameter p(vec(P0));
  Holder model({p});
  auto optimizer = O::AdaGrad({.lr = 0.01, .eps = 1e-8}).setup(model);
  std::vector<double> h(3, 0.0), expected = P0;
  const std::vector<std::vector<double>> grads = {G, {1.0, 1.0, 1.0}, {-2.0, 0.0, 4.0}};
  for (const auto& g : grads) {
    set_grad(p, vec(g));
    optimizer.update();
    for (std::size_t i = 0; i < 3; ++i) {
      h[i] += g[i] * g[i];
      expected[i] -= 0.01 * g[i] / (std::sqrt(h[i]) + 1e-8);
    }
    EXPECT_TRUE(data_is(p, {3}, np::float64, expected));
  }
  // First step: lr * g / (|g| + eps), about lr * sign(g).
  EXPECT_NEAR(expected[0], 1.0 - 0.01 - 0.01 * 1 / std::sqrt(1.25) - 0.01 * -2 / std::sqrt(5.25),
              1e-9);
}

// float32 h; the step lr * g / (sqrt(h) + eps) is float64 (g is), rounded by -=.
TEST(AdaGrad, Float32Parameter) {
  Parameter p(vec(P0, np::float32));
  Holder model({p});
  auto optimizer = O::AdaGrad({.lr = 0.01, .eps = 1e-8}).setup(model);
  std::vector<float> h(3, 0.0f), expected(P0.begin(), P0.end());
  for (int step = 0; step < 3; ++step) {
    set_grad(p, vec(G));
    optimizer.update();
    for (std::size_t i = 0; i < 3; ++i) {
      h[i] = static_cast<float>(static_cast<double>(h[i]) + G[i] * G[i]);
      const float denom = std::sqrt(h[i]) + static_cast<float>(1e-8);  // float32
      expected[i] = static_cast<float>(static_cast<double>(expected[i]) -
                                       0.01 * G[i] / static_cast<double>(denom));
    }
  }
  EXPECT_TRUE(data_is(p, {3}, np::float32, {expected[0], expected[1], expected[2]}));
}

// ===================================== AdaDelta =============================================

TEST(AdaDelta, ThreeStepsFloat64) {
  Parameter p(vec(P0));
  Holder model({p});
  auto optimizer = O::AdaDelta({.rho = 0.95, .eps = 1e-6}).setup(model);
  std::vector<double> msg(3, 0.0), msdx(3, 0.0), expected = P0, after_first;
  const std::vector<std::vector<double>> grads = {G, {1.0, 1.0, 1.0}, {-2.0, 0.0, 4.0}};
  for (const auto& g : grads) {
    set_grad(p, vec(g));
    optimizer.update();
    for (std::size_t i = 0; i < 3; ++i) {
      msg[i] *= 0.95;
      msg[i] += (1 - 0.95) * g[i] * g[i];
      const double dx = std::sqrt((msdx[i] + 1e-6) / (msg[i] + 1e-6)) * g[i];
      msdx[i] *= 0.95;
      msdx[i] += (1 - 0.95) * dx * dx;
      expected[i] -= dx;
    }
    EXPECT_TRUE(data_is(p, {3}, np::float64, expected));
    if (after_first.empty()) after_first = expected;
  }
  // The first step is sqrt(eps / (0.05 g^2 + eps)) g: 0.5 sqrt(1e-6 / 0.012501) for g = 0.5.
  EXPECT_NEAR(after_first[0], 1.0 - 0.0044719, 1e-7);
}

// ===================================== Adam =================================================

TEST(Adam, StepSizeFoldsTheBiasCorrection) {
  Parameter p(vec({0.0}));
  Holder model({p});
  auto optimizer =
      O::Adam({.alpha = 0.001, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8}).setup(model);
  EXPECT_EQ(optimizer.t(), 0);
  set_grad(p, vec({1.0}));
  optimizer.update();
  EXPECT_EQ(optimizer.t(), 1);
  EXPECT_EQ(optimizer.lr(), 0.001 * std::sqrt(1 - 0.999) / (1 - 0.9));
  // The first step is about alpha against the gradient, whatever its size: m = 0.1 g,
  // v = 0.001 g^2, lr m / sqrt(v) = alpha.
  EXPECT_NEAR(p.item(), -0.001, 1e-9);
  optimizer.update();
  EXPECT_EQ(optimizer.lr(), 0.001 * std::sqrt(1 - std::pow(0.999, 2)) / (1 - std::pow(0.9, 2)));
}

TEST(Adam, ThreeStepsFloat64) {
  Parameter p(vec(P0));
  Holder model({p});
  const double alpha = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
  auto optimizer = O::Adam({.alpha = alpha, .beta1 = b1, .beta2 = b2, .eps = eps}).setup(model);
  std::vector<double> m(3, 0.0), v(3, 0.0), expected = P0;
  const std::vector<std::vector<double>> grads = {G, {1.0, 1.0, 1.0}, {-2.0, 0.0, 4.0}};
  for (int t = 1; t <= 3; ++t) {
    const auto& g = grads[t - 1];
    set_grad(p, vec(g));
    optimizer.update();
    const double lr = alpha * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t));
    for (std::size_t i = 0; i < 3; ++i) {
      m[i] += (1 - b1) * (g[i] - m[i]);
      v[i] += (1 - b2) * (g[i] * g[i] - v[i]);
      expected[i] -= lr * m[i] / (std::sqrt(v[i]) + eps);  // eps outside the square root
    }
    EXPECT_TRUE(array_is(optimizer.m(p), {3}, np::float64, m));
    EXPECT_TRUE(array_is(optimizer.v(p), {3}, np::float64, v));
    EXPECT_TRUE(data_is(p, {3}, np::float64, expected)) << "t = " << t;
  }
}

// float32 m, v and p; with a float64 gradient, m and v are updated in float64 and rounded,
// while lr * m / (sqrt(v) + eps) is all float32 (m and v are).
TEST(Adam, Float32ParameterUnderFloat64Gradient) {
  Parameter p(vec(P0, np::float32));
  Holder model({p});
  const double alpha = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
  auto optimizer = O::Adam({.alpha = alpha, .beta1 = b1, .beta2 = b2, .eps = eps}).setup(model);
  std::vector<float> m(3, 0.0f), v(3, 0.0f), expected(P0.begin(), P0.end());
  for (int t = 1; t <= 3; ++t) {
    set_grad(p, vec(G));
    optimizer.update();
    const double lr = alpha * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t));
    for (std::size_t i = 0; i < 3; ++i) {
      m[i] = static_cast<float>(m[i] + (1 - b1) * (G[i] - m[i]));
      v[i] = static_cast<float>(v[i] + (1 - b2) * (G[i] * G[i] - v[i]));
      const float step = (static_cast<float>(lr) * m[i]) / (std::sqrt(v[i]) + static_cast<float>(eps));
      expected[i] = expected[i] - step;
    }
  }
  EXPECT_TRUE(array_is(optimizer.m(p), {3}, np::float32, {m[0], m[1], m[2]}));
  EXPECT_TRUE(array_is(optimizer.v(p), {3}, np::float32, {v[0], v[1], v[2]}));
  EXPECT_TRUE(data_is(p, {3}, np::float32, {expected[0], expected[1], expected[2]}));
}

// SGD and Adam update a parameter in one loop when it, its gradient and the state share a
// dtype (dezero/optimizers.cpp). The book's expressions, run here with np on copies, must give
// the same bits, in float32 and float64, over several steps and at sizes with a vector remainder.
TEST(Optimizers, FusedUpdatesHaveTheExpressionsBits) {
  for (const np::DType dtype : {np::float32, np::float64}) {
    for (const std::int64_t n : {1, 7, 1001, 270001}) {  // (270001: shared by the cores)
      SCOPED_TRACE(testing::Message() << np::dtype_name(dtype) << ", " << n << " elements");
      np::random::seed(3);
      const np::ndarray start = np::random::randn({n}).astype(dtype);
      Parameter p_sgd(start.copy()), p_adam(start.copy());
      Holder model_sgd({p_sgd}), model_adam({p_adam});
      auto sgd = O::SGD(0.01).setup(model_sgd);
      const double alpha = 0.001, b1 = 0.9, b2 = 0.999, eps = 1e-8;
      auto adam = O::Adam({.alpha = alpha, .beta1 = b1, .beta2 = b2, .eps = eps}).setup(model_adam);
      np::ndarray p1 = start.copy(), p2 = start.copy();
      np::ndarray m = np::zeros_like(start), v = np::zeros_like(start);
      for (int t = 1; t <= 4; ++t) {
        const np::ndarray g = (np::random::randn({n}) * 0.1).astype(dtype);
        set_grad(p_sgd, g);
        set_grad(p_adam, g);
        sgd.update();
        adam.update();
        p1 -= 0.01 * g;
        m += (1 - b1) * (g - m);
        v += (1 - b2) * (g * g - v);
        const double lr = alpha * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t));
        p2 -= lr * m / (np::sqrt(v) + eps);
        EXPECT_TRUE(np::array_equal(p_sgd.data(), p1)) << "SGD, step " << t;
        EXPECT_TRUE(np::array_equal(adam.m(p_adam), m)) << "Adam m, step " << t;
        EXPECT_TRUE(np::array_equal(adam.v(p_adam), v)) << "Adam v, step " << t;
        EXPECT_TRUE(np::array_equal(p_adam.data(), p2)) << "Adam, step " << t;
        EXPECT_EQ(p_adam.dtype(), dtype);
      }
      EXPECT_FALSE(np::array_equal(p_adam.data(), start));  // it did move
    }
  }
}

// ===================================== hooks ================================================

TEST(Hooks, WeightDecayAddsRateTimesParameter) {
  Parameter p(vec(P0));
  Holder model({p});
  auto optimizer = O::SGD(0.1).setup(model);
  optimizer.add_hook(O::WeightDecay(0.5));
  std::vector<double> expected = P0;
  for (int step = 0; step < 2; ++step) {
    set_grad(p, vec(G));
    optimizer.update();
    for (std::size_t i = 0; i < 3; ++i) expected[i] -= 0.1 * (G[i] + 0.5 * expected[i]);
  }
  EXPECT_TRUE(data_is(p, {3}, np::float64, expected));
  // The gradient itself was changed in place: g + 0.5 p of before the last step.
  EXPECT_NEAR(p.grad().data().flat(0), 0.5 + 0.5 * (1.0 - 0.1 * (0.5 + 0.5)), 1e-15);
}

TEST(Hooks, ClipGradScalesOnlyAboveTheNorm) {
  Parameter a(vec({3.0})), b(vec({0.0, 0.0}));
  const std::vector<Parameter> params{a, b};
  // The global norm of [3] and [0, 4] is 5.
  set_grad(a, vec({3.0}));
  set_grad(b, vec({0.0, 4.0}));
  O::ClipGrad(10.0)(params);  // off: 10 / 5 > 1
  EXPECT_TRUE(data_is(a.grad(), {1}, np::float64, {3.0}));
  EXPECT_TRUE(data_is(b.grad(), {2}, np::float64, {0.0, 4.0}));
  O::ClipGrad(1.0)(params);  // on: scaled by 1 / (5 + 1e-6)
  const double rate = 1.0 / (5.0 + 1e-6);
  EXPECT_TRUE(data_is(a.grad(), {1}, np::float64, {3.0 * rate}));
  EXPECT_TRUE(data_is(b.grad(), {2}, np::float64, {0.0, 4.0 * rate}));

  // Through an optimizer; a float32 gradient is scaled in float32.
  Parameter c(vec({1.0}, np::float32));
  Holder model({c});
  auto optimizer = O::SGD(1.0).setup(model);
  optimizer.add_hook(O::ClipGrad(0.5));
  set_grad(c, vec({-2.0}, np::float32));
  optimizer.update();
  const float clipped = -2.0f * static_cast<float>(0.5 / (2.0 + 1e-6));
  EXPECT_TRUE(data_is(c.grad(), {1}, np::float32, {clipped}));
  EXPECT_TRUE(data_is(c, {1}, np::float32, {1.0f - clipped}));
}

// The book's FreezeParam makes update() fail; here the frozen parameters stay exactly as they
// were and the others move.
TEST(Hooks, FreezeParamKeepsExactlyTheNamedParameters) {
  np::random::seed(0);
  dezero::models::MLP model({3, 2});
  const np::ndarray x = np::random::rand({4, 2});
  model(x);  // sizes the layers
  const L::Linear& l0 = model.layer(0);
  const L::Linear& l1 = model.layer(1);
  const np::ndarray W0 = l0.W.data().copy(), b0 = l0.b.data().copy();
  const np::ndarray W1 = l1.W.data().copy(), b1 = l1.b.data().copy();

  auto optimizer = O::SGD(0.5).setup(model);
  optimizer.add_hook(O::FreezeParam(l0, l1.b));     // a layer and a parameter
  optimizer.add_hook(O::WeightDecay(0.1));          // later hooks see only the others
  for (int step = 0; step < 3; ++step) {
    model.cleargrads();
    F::sum(model(x)).backward();
    optimizer.update();
  }
  EXPECT_TRUE(dztest::arrays_near(l0.W.data(), W0, 0.0));
  EXPECT_TRUE(dztest::arrays_near(l0.b.data(), b0, 0.0));
  EXPECT_TRUE(dztest::arrays_near(l1.b.data(), b1, 0.0));
  EXPECT_FALSE(np::allclose(l1.W.data(), W1));
  EXPECT_FALSE(l0.W.grad());  // the hook removed the frozen gradients
  EXPECT_TRUE(l1.W.grad());
  EXPECT_EQ(O::FreezeParam(l0, l1.b).params().size(), 3u);
}

// ===================================== training =============================================

TEST(Training, SmallMlpReducesItsLoss) {
  np::random::seed(0);
  const np::ndarray x = np::random::rand({100, 1});
  const np::ndarray y = np::sin(2 * std::numbers::pi * x) + np::random::rand({100, 1});
  dezero::models::MLP model({10, 1});
  auto optimizer = O::SGD(0.2).setup(model);
  double first = 0, last = 0;
  for (int i = 0; i < 50; ++i) {
    const Variable loss = F::mean_squared_error(y, model(x));
    model.cleargrads();
    loss.backward();
    optimizer.update();
    (i == 0 ? first : last) = loss.item();
  }
  EXPECT_NEAR(first, 0.8165178492839198, 1e-15);  // the book's first loss of step 46
  EXPECT_LT(last, 0.3);                   // the book's step 46 prints 0.2499 at i = 1000
  for (const Parameter& p : model.params()) EXPECT_EQ(p.dtype(), np::float32);

  // The other rules learn too.
  O::Adam adam({.alpha = 0.05});
  O::MomentumSGD momentum(0.1);
  O::AdaGrad adagrad({.lr = 0.1});
  for (O::Optimizer* opt : std::vector<O::Optimizer*>{&adam, &momentum, &adagrad}) {
    np::random::seed(1);
    dezero::models::MLP m({10, 1});
    opt->setup(m);
    double start = 0, end = 0;
    for (int i = 0; i < 100; ++i) {
      const Variable loss = F::mean_squared_error(y, m(x));
      m.cleargrads();
      loss.backward();
      opt->update();
      (i == 0 ? start : end) = loss.item();
    }
    EXPECT_LT(end, start) << opt->type();
  }
}

// ===================================== bad input ============================================

TEST(Optimizers, UpdateBeforeSetup) {
  EXPECT_TRUE(throws_with<std::logic_error>([] { O::SGD().update(); },
                                            {"SGD.update", "setup"}));
  O::Adam adam;
  EXPECT_TRUE(throws_with<std::logic_error>([&] { adam.update(); }, {"Adam.update", "setup"}));
  EXPECT_EQ(adam.t(), 0);  // a failed update does not count
}

TEST(Optimizers, BadHyperparameters) {
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { O::WeightDecay(-0.1); },
                                                 {"WeightDecay", "rate", "-0.1"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { O::WeightDecay(NAN); },
                                                 {"WeightDecay", "nan"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { O::ClipGrad(-1.0); },
                                                 {"ClipGrad", "max_norm", "-1.0"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { O::ClipGrad(0.0); },
                                                 {"ClipGrad", "> 0"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { O::SGD(-0.01); }, {"SGD", "lr"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { O::MomentumSGD({.lr = 0.1, .momentum = -0.9}); }, {"MomentumSGD", "momentum"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { O::AdaDelta({.rho = 1.5}); },
                                                 {"AdaDelta", "rho", "[0, 1)"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { O::Adam({.alpha = 0.001, .beta1 = 1.0}); },
                                                 {"Adam", "beta1", "[0, 1)"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { O::AdaGrad({.lr = 0.01, .eps = -1e-8}); },
                                                 {"AdaGrad", "eps"}));
  O::SGD sgd;
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { sgd.add_hook(O::Hook()); },
                                                 {"SGD.add_hook", "empty"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { O::FreezeParam f{Parameter()}; },
                                                 {"FreezeParam", "None"}));
}

}  // namespace
