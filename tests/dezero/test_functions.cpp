// dezero::functions: sin, cos, tanh, exp, log, reshape, transpose, sum, sum_to, broadcast_to
// and matmul: values, shapes, the graph node they make, and numerical gradient checks on
// random float64 inputs (fixed seed).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "dezero/dezero.hpp"
#include "tests/dezero/helpers.hpp"

namespace {

namespace F = dezero::functions;
using dezero::Arrays;
using dezero::Variable;
using dezero::Variables;
using dezero::utils::gradient_check;
using dztest::array_is;
using dztest::data_is;

using Fn = std::function<Variable(const Variable&)>;

class Functions : public ::testing::Test {
 protected:
  void SetUp() override { np::random::seed(0); }
};

// The same element-wise function of every element of a.
std::vector<double> map(const np::ndarray& a, double (*f)(double)) {
  std::vector<double> out;
  for (double v : a.to_vector<double>()) out.push_back(f(v));
  return out;
}

// ===================================== element-wise =========================================

TEST_F(Functions, ElementwiseValuesAndFirstDerivatives) {
  const np::ndarray a = np::array({-1.3, 0.0, 0.5, 2.0});
  struct Case {
    const char* name;
    Fn f;
    double (*value)(double);
    double (*derivative)(double);
    bool positive;
  };
  const std::vector<Case> cases = {
      {"Sin", [](const Variable& x) { return F::sin(x); }, [](double v) { return std::sin(v); },
       [](double v) { return std::cos(v); }, false},
      {"Cos", [](const Variable& x) { return F::cos(x); }, [](double v) { return std::cos(v); },
       [](double v) { return -std::sin(v); }, false},
      {"Tanh", [](const Variable& x) { return F::tanh(x); }, [](double v) { return std::tanh(v); },
       [](double v) { return 1.0 - std::tanh(v) * std::tanh(v); }, false},
      {"Exp", [](const Variable& x) { return F::exp(x); }, [](double v) { return std::exp(v); },
       [](double v) { return std::exp(v); }, false},
      {"Log", [](const Variable& x) { return F::log(x); }, [](double v) { return std::log(v); },
       [](double v) { return 1.0 / v; }, true},
  };
  for (const auto& c : cases) {
    const np::ndarray data = c.positive ? np::array({0.25, 1.0, 2.0, 10.0}) : a;
    const Variable x(data);
    const Variable y = c.f(x);
    ASSERT_TRUE(y.creator()) << c.name;
    EXPECT_EQ(y.creator()->type(), c.name);
    // The array layer's functions are within an ulp or so of the C library's.
    EXPECT_TRUE(data_is(y, {4}, np::float64, map(data, c.value), 1e-15)) << c.name;
    y.backward();
    EXPECT_TRUE(data_is(x.grad(), {4}, np::float64, map(data, c.derivative), 1e-15)) << c.name;

    const np::ndarray r = c.positive ? np::random::rand({3, 4}) + 0.5 : np::random::randn({3, 4});
    EXPECT_TRUE(gradient_check(c.f, r)) << c.name;
    // Also inside a composition.
    EXPECT_TRUE(gradient_check([&](const Variable& v) { return c.f(v * 0.5 + 1.0) * v; }, r))
        << c.name;
  }
}

TEST_F(Functions, Float32StaysFloat32) {
  const Variable x(np::array({0.5f, 1.5f}));
  for (const Variable& y : {F::sin(x), F::cos(x), F::tanh(x), F::exp(x), F::log(x)}) {
    EXPECT_EQ(y.dtype(), np::float32) << y.creator()->type();
  }
  const Variable y = F::tanh(x);
  y.backward();
  EXPECT_EQ(x.grad().dtype(), np::float32);
}

// A wrong backward is caught by gradient_check (the checker itself can fail).
TEST_F(Functions, GradientCheckRejectsAWrongBackward) {
  class WrongSquare : public dezero::UnaryFunction {
   public:
    np::ndarray forward(const np::ndarray& x) override { return x * x; }
    Variable backward(const Variable& gy) override { return gy * x(); }  // not 2x
  };
  const np::ndarray r = np::random::rand({2, 2}) + 0.5;
  testing::internal::CaptureStderr();  // the failure report
  const bool ok =
      gradient_check([](const Variable& x) { return dezero::call<WrongSquare>({x}); }, r);
  const std::string report = testing::internal::GetCapturedStderr();
  EXPECT_FALSE(ok);
  EXPECT_NE(report.find("Gradient Check"), std::string::npos);
}

TEST_F(Functions, NumericalGradOfASquare) {
  // Central differences are exact for a quadratic up to rounding: d(x^2)/dx = 2x.
  const np::ndarray x = np::array({1.0, -2.0, 3.0});
  const np::ndarray g = dezero::utils::numerical_grad([](const Variable& v) { return v * v; }, x);
  EXPECT_TRUE(array_is(g, {3}, np::float64, {2.0, -4.0, 6.0}, 1e-8));
}

// ===================================== reshape ==============================================

TEST_F(Functions, Reshape) {
  const Variable x(np::array({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}}));
  const Variable y = F::reshape(x, {6});
  EXPECT_TRUE(data_is(y, {6}, np::float64, {1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(y.creator()->type(), "Reshape");
  EXPECT_EQ(F::reshape(x, {3, -1}).shape(), (np::Shape{3, 2}));
  EXPECT_EQ(x.reshape({1, 6}).shape(), (np::Shape{1, 6}));
  // The same shape: the variable itself, no graph node.
  EXPECT_TRUE(x.is(F::reshape(x, x.shape())));
  EXPECT_TRUE(x.is(x.reshape({2, 3})));

  y.backward();
  EXPECT_TRUE(data_is(x.grad(), {2, 3}, np::float64, {1, 1, 1, 1, 1, 1}));

  const np::ndarray r = np::random::randn({2, 3, 4});
  EXPECT_TRUE(gradient_check([](const Variable& v) { return F::reshape(v, {4, 6}) * 2.0; }, r));
  EXPECT_TRUE(gradient_check([](const Variable& v) { return pow(v.reshape({24}), 2); }, r));
  EXPECT_THROW(F::reshape(x, {4}), np::shape_error);
}

// ===================================== transpose ============================================

TEST_F(Functions, Transpose) {
  const Variable x(np::array({{1, 2, 3}, {4, 5, 6}}));
  const Variable y = F::transpose(x);
  EXPECT_TRUE(data_is(y, {3, 2}, np::int64, {1, 4, 2, 5, 3, 6}));
  EXPECT_EQ(y.creator()->type(), "Transpose");
  EXPECT_TRUE(data_is(x.T(), {3, 2}, np::int64, {1, 4, 2, 5, 3, 6}));
  EXPECT_TRUE(data_is(x.transpose(), {3, 2}, np::int64, {1, 4, 2, 5, 3, 6}));
  EXPECT_TRUE(data_is(x.transpose({1, 0}), {3, 2}, np::int64, {1, 4, 2, 5, 3, 6}));
  EXPECT_TRUE(
      data_is(F::transpose(x, std::vector<int>{0, 1}), {2, 3}, np::int64, {1, 2, 3, 4, 5, 6}));

  const Variable z(np::arange(24).reshape({2, 3, 4}));
  EXPECT_EQ(F::transpose(z).shape(), (np::Shape{4, 3, 2}));
  EXPECT_EQ(z.transpose({1, 0, 2}).shape(), (np::Shape{3, 2, 4}));
  const Variable p = z.transpose({2, 0, 1});
  EXPECT_EQ(p.shape(), (np::Shape{4, 2, 3}));
  // p[i, j, k] = z[j, k, i]: p[1, 1, 2] = z[1, 2, 1] = 12 + 8 + 1
  EXPECT_EQ(p.data().flat(1 * 6 + 1 * 3 + 2), 21.0);

  const np::ndarray r = np::random::randn({2, 3, 4});
  EXPECT_TRUE(gradient_check([](const Variable& v) { return F::transpose(v); }, r));
  EXPECT_TRUE(gradient_check([](const Variable& v) { return v.transpose({1, 0, 2}); }, r));
  const np::ndarray w = np::random::randn({4, 2, 3});  // weights, so that the order matters
  EXPECT_TRUE(gradient_check([&](const Variable& v) { return v.transpose({2, 0, 1}) * w; }, r));
  EXPECT_TRUE(gradient_check([&](const Variable& v) { return v.transpose({-1, 0, 1}) * w; }, r));
  EXPECT_TRUE(
      gradient_check([](const Variable& v) { return F::transpose(v); }, np::random::randn({3})));
  EXPECT_TRUE(gradient_check([](const Variable& v) { return v.T(); }, np::random::randn({10, 5})));

  // The gradient of a permutation comes back in the input's shape.
  const Variable q(r);
  const Variable t = q.transpose({2, 0, 1}) * w;
  t.backward();
  EXPECT_EQ(q.grad().shape(), (np::Shape{2, 3, 4}));
  EXPECT_TRUE(dztest::arrays_near(q.grad().data(), np::transpose(w, std::vector<int>{1, 2, 0}), 0));
}

// ===================================== sum ==================================================

TEST_F(Functions, SumValuesAndShapes) {
  const Variable x(np::arange(24).reshape({2, 3, 4}).astype(np::float64));
  const Variable all = F::sum(x);
  EXPECT_TRUE(data_is(all, {}, np::float64, {276}));
  EXPECT_EQ(all.creator()->type(), "Sum");
  EXPECT_TRUE(
      data_is(x.sum(0), {3, 4}, np::float64, {12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34}));
  EXPECT_TRUE(data_is(x.sum(-1), {2, 3}, np::float64, {6, 22, 38, 54, 70, 86}));
  EXPECT_TRUE(data_is(x.sum({0, 2}), {3}, np::float64, {60, 92, 124}));
  EXPECT_TRUE(data_is(x.sum(1, true), {2, 1, 4}, np::float64, {12, 15, 18, 21, 48, 51, 54, 57}));
  EXPECT_TRUE(data_is(x.sum(np::none, true), {1, 1, 1}, np::float64, {276}));
  EXPECT_TRUE(data_is(x.sum({-1, 0}, true), {1, 3, 1}, np::float64, {60, 92, 124}));
  EXPECT_TRUE(data_is(F::sum(Variable(np::array(2.0))), {}, np::float64, {2.0}));
  EXPECT_THROW(x.sum(3), np::axis_error);
}

TEST_F(Functions, SumGradients) {
  const np::ndarray r = np::random::rand({2, 3, 4});
  const np::ndarray w1 = np::random::randn({3, 4});
  const np::ndarray w2 = np::random::randn({2, 1, 4});
  const std::vector<std::pair<const char*, Fn>> cases = {
      {"None", [](const Variable& v) { return F::sum(v); }},
      {"0", [&](const Variable& v) { return F::sum(v, 0) * w1; }},
      {"-1", [](const Variable& v) { return pow(F::sum(v, -1), 2); }},
      {"(0, 2)",
       [](const Variable& v) {
         return pow(F::sum(v, {0, 2}), 2);
       }},
      {"(2, -3)",
       [](const Variable& v) {
         return pow(F::sum(v, {2, -3}), 2);
       }},
      {"1 keepdims", [&](const Variable& v) { return F::sum(v, 1, true) * w2; }},
      {"None keepdims", [](const Variable& v) { return pow(F::sum(v, np::none, true), 2); }},
      {"(0, 1) keepdims",
       [](const Variable& v) {
         return pow(F::sum(v, {0, 1}, true), 2);
       }},
  };
  for (const auto& [what, f] : cases) EXPECT_TRUE(gradient_check(f, r)) << "axis " << what;
  EXPECT_TRUE(gradient_check([](const Variable& v) { return F::sum(v); }, np::random::rand({10})));

  // The gradient of a sum is ones in the input's shape.
  const Variable x(r);
  const Variable y = x.sum({0, 2});
  y.backward();
  EXPECT_TRUE(dztest::arrays_near(x.grad().data(), np::ones({2, 3, 4}), 0));
}

// ===================================== sum_to / broadcast_to ================================

TEST_F(Functions, SumTo) {
  const Variable x(np::array({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}}));
  EXPECT_TRUE(data_is(F::sum_to(x, {1, 3}), {1, 3}, np::float64, {5, 7, 9}));
  EXPECT_TRUE(data_is(F::sum_to(x, {3}), {3}, np::float64, {5, 7, 9}));
  EXPECT_TRUE(data_is(F::sum_to(x, {2, 1}), {2, 1}, np::float64, {6, 15}));
  EXPECT_TRUE(data_is(F::sum_to(x, {1, 1}), {1, 1}, np::float64, {21}));
  EXPECT_EQ(F::sum_to(x, {1, 3}).creator()->type(), "SumTo");
  EXPECT_TRUE(x.is(F::sum_to(x, {2, 3})));

  const np::ndarray r = np::random::rand({10}) * 10.0;
  EXPECT_TRUE(gradient_check([](const Variable& v) { return F::sum_to(v, {1}); }, r));
  EXPECT_TRUE(gradient_check([](const Variable& v) { return F::sum_to(v, {10}) + 1.0; }, r));
  const np::ndarray r3 = np::random::rand({4, 3, 5}) * 100.0;
  EXPECT_TRUE(gradient_check([](const Variable& v) { return pow(F::sum_to(v, {5}), 2); }, r3));
  EXPECT_TRUE(gradient_check(
      [](const Variable& v) {
        return pow(F::sum_to(v, {3, 1}), 2) * 1e-3;
      },
      r3));
}

TEST_F(Functions, BroadcastTo) {
  const Variable x(np::array({1.0, 2.0, 3.0}));
  const Variable y = F::broadcast_to(x, {2, 3});
  EXPECT_TRUE(data_is(y, {2, 3}, np::float64, {1, 2, 3, 1, 2, 3}));
  EXPECT_EQ(y.creator()->type(), "BroadcastTo");
  EXPECT_TRUE(x.is(F::broadcast_to(x, {3})));
  y.backward();
  EXPECT_TRUE(data_is(x.grad(), {3}, np::float64, {2, 2, 2}));
  EXPECT_THROW(F::broadcast_to(x, {2, 4}), np::shape_error);

  const np::ndarray w = np::random::randn({4, 2, 3});
  EXPECT_TRUE(gradient_check(
      [&](const Variable& v) {
        return F::broadcast_to(v, {4, 2, 3}) * w;
      },
      np::random::randn({2, 1})));
  EXPECT_TRUE(gradient_check(
      [&](const Variable& v) {
        return F::broadcast_to(v, {4, 2, 3}) * w;
      },
      np::random::randn({3})));
}

// ===================================== matmul ===============================================

TEST_F(Functions, MatMulValues) {
  const Variable x(np::array({{1, 2, 3}, {4, 5, 6}}));
  const Variable w(x.data().T());
  const Variable y = F::matmul(x, w);
  EXPECT_TRUE(data_is(y, {2, 2}, np::int64, {14, 32, 32, 77}));
  EXPECT_EQ(y.creator()->type(), "MatMul");
  EXPECT_TRUE(data_is(x.matmul(w), {2, 2}, np::int64, {14, 32, 32, 77}));
  EXPECT_TRUE(data_is(x.dot(w), {2, 2}, np::int64, {14, 32, 32, 77}));

  const Variable a(np::array({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}}));
  const Variable b(np::arange(12).reshape({3, 4}).astype(np::float64));
  const Variable c = F::matmul(a, b);
  EXPECT_TRUE(data_is(c, {2, 4}, np::float64, {32, 38, 44, 50, 68, 83, 98, 113}));
  c.backward();
  // gx = gy W^T (row sums of W), gW = x^T gy (column sums of x in every column).
  EXPECT_TRUE(data_is(a.grad(), {2, 3}, np::float64, {6, 22, 38, 6, 22, 38}));
  EXPECT_TRUE(data_is(b.grad(), {3, 4}, np::float64, {5, 5, 5, 5, 7, 7, 7, 7, 9, 9, 9, 9}));

  EXPECT_THROW(F::matmul(a, a), np::shape_error);
}

TEST_F(Functions, MatMulGradients) {
  const np::ndarray x = np::random::randn({2, 3});
  const np::ndarray w = np::random::randn({3, 4});
  EXPECT_TRUE(gradient_check([&](const Variable& v) { return F::matmul(v, Variable(w)); }, x));
  EXPECT_TRUE(gradient_check([&](const Variable& v) { return F::matmul(Variable(x), v); }, w));
  EXPECT_TRUE(
      gradient_check([&](const Variable& v) { return pow(F::matmul(v, Variable(w)), 2); }, x));
  EXPECT_TRUE(gradient_check([&](const Variable& v) { return F::matmul(v, v.T()); }, x));
  const np::ndarray c = np::random::randn({10, 1});
  EXPECT_TRUE(gradient_check([&](const Variable& v) { return F::matmul(Variable(c), v); },
                             np::random::randn({1, 5})));

  const Variable vx(x), vw(w);
  const Variable y = F::matmul(vx, vw);
  y.backward();
  EXPECT_EQ(vx.grad().shape(), (np::Shape{2, 3}));
  EXPECT_EQ(vw.grad().shape(), (np::Shape{3, 4}));
}

// A backward pass without create_graph multiplies by the transposed operands in place
// (np::Transpose); a recorded one builds Transpose and MatMul nodes. Both must give the same
// gradients to the bit, for matmul and for linear (float32, as in the training steps).
TEST_F(Functions, MatMulAndLinearGradientsAreTheSameWithAndWithoutAGraph) {
  // (sizes past those Eigen multiplies by other means, see np::Transpose)
  const np::ndarray x = np::random::randn({30, 20}).astype(np::float32);
  const np::ndarray w = np::random::randn({20, 10}).astype(np::float32);
  const np::ndarray b = np::random::randn({10}).astype(np::float32);
  using Product = std::function<Variable(const Variable&, const Variable&)>;
  const std::vector<std::pair<std::string, Product>> products = {
      {"matmul", [](const Variable& v, const Variable& u) { return F::matmul(v, u); }},
      // b as a constant: an ordinary Variable's recorded gradient would refer back to it
      {"linear",
       [&](const Variable& v, const Variable& u) { return F::linear(v, u, dezero::constant(b)); }}};
  for (const auto& product : products) {
    SCOPED_TRACE(product.first);
    Arrays plain, recorded;
    for (const bool create_graph : {false, true}) {
      const Variable vx(x.copy()), vw(w.copy());
      const Variable y = F::sum(product.second(vx, vw) * product.second(vx, vw));
      y.backward({.create_graph = create_graph});
      EXPECT_EQ(vx.grad().creator() != nullptr, create_graph);
      Arrays& grads = create_graph ? recorded : plain;
      grads = {vx.grad().data(), vw.grad().data()};
      vx.cleargrad();  // a recorded gradient refers back to vx (docs/stage3.md)
      vw.cleargrad();
    }
    EXPECT_EQ(plain[0].dtype(), np::float32);
    EXPECT_TRUE(np::array_equal(plain[0], recorded[0]));
    EXPECT_TRUE(np::array_equal(plain[1], recorded[1]));
  }
}

// A small network-like composition of everything above.
TEST_F(Functions, Composition) {
  const np::ndarray w = np::random::randn({3, 2});
  const np::ndarray b = np::random::randn({2});
  const Fn f = [&](const Variable& x) {
    const Variable h = F::tanh(F::matmul(x, Variable(w)) + b);
    return F::sum(F::exp(h * 0.5) + F::sin(h.T()).T(), 1);
  };
  EXPECT_TRUE(gradient_check(f, np::random::randn({4, 3})));
}

// A backward pass that is not recorded runs the element-wise gradients of tanh, sigmoid and
// ReLU in one loop (dezero/functions.cpp); a recorded one (create_graph) builds the book's
// Variable formula. Both must give the same bits, in float32 and float64, including at the
// values where ReLU's mask switches and for a vector remainder.
TEST_F(Functions, FusedGradientsHaveTheFormulasBits) {
  const std::vector<std::pair<const char*, Fn>> functions = {
      {"tanh", [](const Variable& x) { return F::tanh(x); }},
      {"sigmoid", [](const Variable& x) { return F::sigmoid(x); }},
      {"relu", [](const Variable& x) { return F::relu(x); }}};
  // 7 x 40151 elements: above np/parallel.hpp's threshold, so the fused loops run on the cores
  for (const np::DType dtype : {np::float32, np::float64}) {
    np::ndarray x0 = (np::random::randn({7, 40151}) * 3.0).astype(dtype);
    x0.set_flat(0, 0.0);
    x0.set_flat(1, -0.0);
    const np::ndarray gy = np::random::randn({7, 40151}).astype(dtype);
    for (const auto& [name, f] : functions) {
      SCOPED_TRACE(testing::Message() << name << ", " << np::dtype_name(dtype));
      const Variable x(x0);
      Variable y = f(x);
      y.set_grad(Variable(gy));
      y.backward();
      const np::ndarray fused = x.grad().data();
      x.cleargrad();
      y = f(x);
      y.set_grad(Variable(gy));
      y.backward({.create_graph = true});
      const np::ndarray formula = x.grad().data();
      x.cleargrad();  // the recorded gradient's graph refers back to x
      EXPECT_EQ(fused.dtype(), dtype);
      EXPECT_TRUE(np::array_equal(fused, formula));
      // bit for bit, signs of zeros included (ReLU's -gy * 0 is -0 in both)
      ASSERT_TRUE(fused.shape() == formula.shape() && formula.dtype() == dtype);
      EXPECT_EQ(std::memcmp(fused.device_data(), formula.device_data(),
                            static_cast<std::size_t>(fused.size()) * (dtype == np::float32 ? 4 : 8)),
                0);
      // and not by chance: the gradient is not gy itself
      EXPECT_FALSE(np::array_equal(fused, gy));
    }
  }
}

}  // namespace
