// Higher-order derivatives (book stage 3): backward({.create_graph = true}) records the backward
// pass, so gradients can be differentiated again. n-th derivatives of sin and tanh against
// their closed forms, second derivatives of the other functions against numerical
// differentiation, Newton's method (step 33) and double backprop (step 36).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "dezero/dezero.hpp"
#include "tests/dezero/helpers.hpp"

namespace {

namespace F = dezero::functions;
using dezero::Variable;
using dztest::data_is;
using dztest::show;

using Fn = std::function<Variable(const Variable&)>;

const std::vector<double> kPoints = {-1.3, 0.0, 0.5, 2.0};

// The first `n` derivatives of f at `points`, each by differentiating the previous one's graph.
std::vector<std::vector<double>> derivatives(const Fn& f, const std::vector<double>& points,
                                             int n) {
  const Variable x(np::array(points));
  const Variable y = f(x);
  y.backward({.create_graph = true});
  std::vector<std::vector<double>> out;
  for (int i = 0; i < n; ++i) {
    const Variable gx = x.grad();
    EXPECT_EQ(gx.shape(), x.shape());
    out.push_back(gx.data().to_vector<double>());
    x.cleargrad();
    if (i + 1 < n) gx.backward({.create_graph = true});
  }
  return out;
}

// |got - expected| <= 1e-12 * max(1, |expected|) for every point.
void expect_close(const std::vector<double>& got, const std::vector<double>& expected,
                  const std::string& what) {
  ASSERT_EQ(got.size(), expected.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_NEAR(got[i], expected[i], 1e-12 * std::max(1.0, std::abs(expected[i])))
        << what << " at x = " << show(kPoints[i]);
  }
}

TEST(HigherOrder, DerivativesOfSin) {
  const auto d = derivatives([](const Variable& x) { return F::sin(x); }, kPoints, 4);
  // sin' = cos, sin'' = -sin, sin''' = -cos, sin'''' = sin
  const std::vector<double (*)(double)> closed = {
      [](double x) { return std::cos(x); }, [](double x) { return -std::sin(x); },
      [](double x) { return -std::cos(x); }, [](double x) { return std::sin(x); }};
  for (int n = 0; n < 4; ++n) {
    std::vector<double> expected;
    for (double p : kPoints) expected.push_back(closed[n](p));
    expect_close(d[n], expected, "sin derivative " + std::to_string(n + 1));
  }
}

TEST(HigherOrder, DerivativesOfTanh) {
  const auto d = derivatives([](const Variable& x) { return F::tanh(x); }, kPoints, 4);
  // With t = tanh(x) and s = 1 - t^2 (derived by hand, checked with sympy):
  //   tanh'    = s
  //   tanh''   = -2 t s
  //   tanh'''  = s (6 t^2 - 2)
  //   tanh'''' = 8 t s (2 - 3 t^2)
  const std::vector<double (*)(double)> closed = {[](double x) {
                                                    const double t = std::tanh(x);
                                                    return 1 - t * t;
                                                  },
                                                  [](double x) {
                                                    const double t = std::tanh(x);
                                                    return -2 * t * (1 - t * t);
                                                  },
                                                  [](double x) {
                                                    const double t = std::tanh(x);
                                                    return (1 - t * t) * (6 * t * t - 2);
                                                  },
                                                  [](double x) {
                                                    const double t = std::tanh(x);
                                                    return 8 * t * (1 - t * t) * (2 - 3 * t * t);
                                                  }};
  for (int n = 0; n < 4; ++n) {
    std::vector<double> expected;
    for (double p : kPoints) expected.push_back(closed[n](p));
    expect_close(d[n], expected, "tanh derivative " + std::to_string(n + 1));
  }
  // Values from sympy (20 digits) at x = 0.5, as an independent check of the closed forms.
  EXPECT_NEAR(d[0][2], 0.78644773296592740408, 1e-15);
  EXPECT_NEAR(d[1][2], -0.72686198138358726339, 1e-15);
  EXPECT_NEAR(d[2][2], -0.56520928825977045928, 1e-15);
  EXPECT_NEAR(d[3][2], 3.9522195637245824962, 1e-14);
}

TEST(HigherOrder, DerivativesOfAPolynomial) {
  // y = x^4 - 2x^2: 4x^3 - 4x, 12x^2 - 4, 24x, 24
  const auto d =
      derivatives([](const Variable& x) { return pow(x, 4) - 2 * pow(x, 2); }, {-1.5, 0.5, 2.0}, 4);
  EXPECT_EQ(d[0], (std::vector<double>{-7.5, -1.5, 24.0}));
  EXPECT_EQ(d[1], (std::vector<double>{23.0, -1.0, 44.0}));
  EXPECT_EQ(d[2], (std::vector<double>{-36.0, 12.0, 48.0}));
  EXPECT_EQ(d[3], (std::vector<double>{24.0, 24.0, 24.0}));
}

// The second derivative of f: differentiate the recorded gradient, and compare with central
// differences of that gradient (utils::gradient_check on x -> f'(x)).
TEST(HigherOrder, SecondDerivativesAgreeWithNumericalDifferentiation) {
  np::random::seed(0);
  const np::ndarray w = np::random::randn({3, 2});
  const std::vector<std::pair<const char*, Fn>> cases = {
      {"sin", [](const Variable& x) { return F::sin(x); }},
      {"cos", [](const Variable& x) { return F::cos(x); }},
      {"tanh", [](const Variable& x) { return F::tanh(x); }},
      {"exp", [](const Variable& x) { return F::exp(x); }},
      {"log", [](const Variable& x) { return F::log(x * x + 1.0); }},
      {"div", [](const Variable& x) { return 1.0 / (x * x + 1.0); }},
      {"pow", [](const Variable& x) { return pow(x, 3) - x * 2.0; }},
      {"mixed", [](const Variable& x) { return F::exp(-x) * F::sin(x * x) / (2.0 + F::cos(x)); }},
      {"matmul",
       [&](const Variable& x) {
         // w as a constant: an ordinary Variable would get a gradient that refers to x,
         // while x's refers to w, a cycle under create_graph (see docs/stage3.md)
         return F::sum(pow(F::matmul(x.reshape({2, 3}), dezero::constant(w)), 3));
       }},
      {"broadcast",
       [](const Variable& x) {
         return F::sum(pow(x.reshape({6, 1}) - x, 2), 0);
       }},
  };
  const np::ndarray x = np::random::randn({6}) * 0.8;
  for (const auto& entry : cases) {
    const char* what = entry.first;  // named, not bound: clang 14 cannot capture bindings
    const Fn& f = entry.second;
    const Fn first = [&f](const Variable& v) {
      const Variable y = f(v);
      y.backward({.create_graph = true});
      const Variable gx = v.grad();
      v.cleargrad();  // so that gradient_check's backward starts from nothing
      return gx;
    };
    EXPECT_TRUE(dezero::utils::gradient_check(first, x)) << what;
  }
}

// Book step 33: Newton's method with the second derivative from create_graph. The iterates
// are the reference's printout (step33.txt), digit for digit.
TEST(HigherOrder, NewtonsMethodMatchesTheReference) {
  const std::vector<double> expected = {2.0,
                                        1.4545454545454546,
                                        1.1510467893775467,
                                        1.0253259289766978,
                                        1.0009084519430513,
                                        1.0000012353089454,
                                        1.000000000002289,
                                        1.0,
                                        1.0,
                                        1.0};
  const auto f = [](const Variable& x) { return pow(x, 4) - 2 * pow(x, 2); };
  const Variable x(np::array(2.0));
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(x.item(), expected[i]) << "iteration " << i;
    EXPECT_EQ(dztest::printed(x), "variable(" + np::float_repr(expected[i]) + ")");
    const Variable y = f(x);
    x.cleargrad();
    y.backward({.create_graph = true});
    const Variable gx = x.grad();
    x.cleargrad();
    gx.backward();
    const Variable gx2 = x.grad();
    if (i == 0) {  // f'(2) = 4*8 - 4*2, f''(2) = 12*4 - 4
      EXPECT_TRUE(data_is(gx, {}, np::float64, {24.0}));
      EXPECT_TRUE(data_is(gx2, {}, np::float64, {44.0}));
    }
    x.data() -= gx.data() / gx2.data();
  }
  EXPECT_EQ(x.item(), 1.0);
}

// Book step 36: z = (dy/dx)^3 + y with y = x^2; dz/dx = 24x^2 + 2x = 100 at x = 2.
TEST(HigherOrder, DoubleBackprop) {
  const Variable x(np::array(2.0));
  const Variable y = pow(x, 2);
  y.backward({.create_graph = true});
  const Variable gx = x.grad();
  x.cleargrad();
  const Variable z = pow(gx, 3) + y;
  z.backward();
  EXPECT_TRUE(data_is(x.grad(), {}, np::float64, {100.0}));
  EXPECT_EQ(dztest::printed(x.grad()), "variable(100.0)");
}

// Book step 34: the derivatives of sin over an interval, as the plotted curves.
TEST(HigherOrder, SinDerivativesOverAnInterval) {
  const np::ndarray xs = np::linspace(-7, 7, 200);
  const Variable x(xs);
  const Variable y = F::sin(x);
  y.backward({.create_graph = true});
  std::vector<np::ndarray> logs = {y.data()};
  for (int i = 0; i < 3; ++i) {
    logs.push_back(x.grad().data());
    const Variable gx = x.grad();
    x.cleargrad();
    gx.backward({.create_graph = true});
  }
  ASSERT_EQ(logs.size(), 4u);
  // y, y', y'', y''' = sin, cos, -sin, -cos
  EXPECT_TRUE(dztest::arrays_near(logs[1], np::cos(xs), 1e-15));
  EXPECT_TRUE(dztest::arrays_near(logs[2], -np::sin(xs), 1e-15));
  EXPECT_TRUE(dztest::arrays_near(logs[3], -np::cos(xs), 1e-15));
  EXPECT_TRUE(dztest::arrays_near(x.grad().data(), np::sin(xs), 1e-15));  // the 4th
  x.cleargrad();  // the recorded gradient refers back to x: a cycle until it is cleared
}

}  // namespace
