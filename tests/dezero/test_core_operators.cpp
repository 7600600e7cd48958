// The arithmetic operators + - * / unary - and pow with every kind of operand (Variable,
// array, C++ number on either side): values, NumPy 1.x dtypes, the graph they build (the book's
// reflected operators), numerical gradient checks with and without broadcasting, and shape
// errors.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "dezero/dezero.hpp"
#include "tests/dezero/helpers.hpp"

namespace {

namespace F = dezero::functions;
using dezero::Variable;
using dezero::utils::gradient_check;
using dztest::data_is;
using dztest::printed;
using dztest::throws_with;

Variable var(const np::ndarray& a) { return Variable(a); }
np::ndarray a123() { return np::array({1.0, 2.0, 3.0}); }
np::ndarray a456() { return np::array({4.0, 5.0, 6.0}); }

// ===================================== values ===============================================

TEST(Operators, AddWithEveryOperandKind) {
  const Variable x = var(a123()), y = var(a456());
  EXPECT_TRUE(data_is(x + y, {3}, np::float64, {5, 7, 9}));
  EXPECT_TRUE(data_is(x + a456(), {3}, np::float64, {5, 7, 9}));
  EXPECT_TRUE(data_is(a456() + x, {3}, np::float64, {5, 7, 9}));
  EXPECT_TRUE(data_is(x + 1.5, {3}, np::float64, {2.5, 3.5, 4.5}));
  EXPECT_TRUE(data_is(1.5 + x, {3}, np::float64, {2.5, 3.5, 4.5}));
  EXPECT_TRUE(data_is(x + 2, {3}, np::float64, {3, 4, 5}));
}

TEST(Operators, SubWithEveryOperandKind) {
  const Variable x = var(a123()), y = var(a456());
  EXPECT_TRUE(data_is(x - y, {3}, np::float64, {-3, -3, -3}));
  EXPECT_TRUE(data_is(x - a456(), {3}, np::float64, {-3, -3, -3}));
  EXPECT_TRUE(data_is(a456() - x, {3}, np::float64, {3, 3, 3}));
  EXPECT_TRUE(data_is(x - 2.0, {3}, np::float64, {-1, 0, 1}));
  EXPECT_TRUE(data_is(2.0 - x, {3}, np::float64, {1, 0, -1}));
}

TEST(Operators, MulWithEveryOperandKind) {
  const Variable x = var(a123()), y = var(a456());
  EXPECT_TRUE(data_is(x * y, {3}, np::float64, {4, 10, 18}));
  EXPECT_TRUE(data_is(x * a456(), {3}, np::float64, {4, 10, 18}));
  EXPECT_TRUE(data_is(a456() * x, {3}, np::float64, {4, 10, 18}));
  EXPECT_TRUE(data_is(x * 0.5, {3}, np::float64, {0.5, 1, 1.5}));
  EXPECT_TRUE(data_is(0.5 * x, {3}, np::float64, {0.5, 1, 1.5}));
}

TEST(Operators, DivWithEveryOperandKind) {
  const Variable x = var(a123()), y = var(a456());
  EXPECT_TRUE(data_is(x / y, {3}, np::float64, {1.0 / 4, 2.0 / 5, 3.0 / 6}));
  EXPECT_TRUE(data_is(x / a456(), {3}, np::float64, {1.0 / 4, 2.0 / 5, 3.0 / 6}));
  EXPECT_TRUE(data_is(a456() / x, {3}, np::float64, {4.0, 2.5, 2.0}));
  EXPECT_TRUE(data_is(x / 2.0, {3}, np::float64, {0.5, 1, 1.5}));
  EXPECT_TRUE(data_is(6.0 / x, {3}, np::float64, {6, 3, 2}));
}

TEST(Operators, NegAndPow) {
  const Variable x = var(a123());
  EXPECT_TRUE(data_is(-x, {3}, np::float64, {-1, -2, -3}));
  EXPECT_TRUE(data_is(pow(x, 2), {3}, np::float64, {1, 4, 9}));
  EXPECT_TRUE(data_is(pow(x, 0.5), {3}, np::float64, {1.0, std::sqrt(2.0), std::sqrt(3.0)}));
  EXPECT_TRUE(data_is(pow(x, -1.0), {3}, np::float64, {1.0, 0.5, 1.0 / 3}));
  EXPECT_TRUE(data_is(F::pow(x, 3), {3}, np::float64, {1, 8, 27}));
  const Variable y = -x;
  EXPECT_EQ(y.creator()->type(), "Neg");
  EXPECT_EQ(pow(x, 2).creator()->type(), "Pow");
  EXPECT_EQ(pow(x, 2).creator()->inputs().size(), 1u);
}

TEST(Operators, CompoundAssignment) {
  const Variable x = var(a123());
  Variable y = x;
  y += 1.0;
  y *= x;
  y -= np::array({1.0, 1.0, 1.0});
  y /= 2;
  EXPECT_TRUE(data_is(y, {3}, np::float64, {0.5, 2.5, 5.5}));
  EXPECT_TRUE(data_is(x, {3}, np::float64, {1, 2, 3}));  // a new variable, x is unchanged
  y.backward();
  // y = ((x + 1) * x - 1) / 2, dy/dx = (2x + 1) / 2
  EXPECT_TRUE(data_is(x.grad(), {3}, np::float64, {1.5, 2.5, 3.5}));
}

// The array on the other side is NumPy arithmetic, not a Variable: `array - 1` stays an array.
TEST(Operators, ArrayArithmeticStaysArrayArithmetic) {
  const np::ndarray a = a123() - 1;
  EXPECT_TRUE(dztest::array_is(a, {3}, np::float64, {0, 1, 2}));
}

// ===================================== dtypes (NumPy 1.x) ===================================

TEST(OperatorDtypes, NumbersDoNotUpcastArraysOfTheSameKind) {
  const Variable f32(np::array({1.0f, 2.0f}));
  EXPECT_EQ((f32 * 2.0).dtype(), np::float32);
  EXPECT_EQ((2.0 * f32).dtype(), np::float32);
  EXPECT_EQ((f32 + 1).dtype(), np::float32);
  EXPECT_EQ((f32 / 3.0).dtype(), np::float32);
  EXPECT_EQ((1.0 - f32).dtype(), np::float32);
  EXPECT_EQ(pow(f32, 2).dtype(), np::float32);
  EXPECT_EQ(pow(f32, 0.5).dtype(), np::float32);
  EXPECT_EQ((-f32).dtype(), np::float32);
  // A 0-d float64 Variable does not upcast either (value-based casting of 0-d arrays).
  EXPECT_EQ((f32 + Variable(np::array(1.0))).dtype(), np::float32);

  const Variable i64(np::array({1, 2, 3}));
  EXPECT_TRUE(data_is(i64 + 1, {3}, np::int64, {2, 3, 4}));
  EXPECT_TRUE(data_is(1 - i64, {3}, np::int64, {0, -1, -2}));
  EXPECT_TRUE(data_is(i64 * 2, {3}, np::int64, {2, 4, 6}));
  EXPECT_TRUE(data_is(-i64, {3}, np::int64, {-1, -2, -3}));
  EXPECT_TRUE(data_is(pow(i64, 2), {3}, np::int64, {1, 4, 9}));
}

TEST(OperatorDtypes, HigherKindsAndArraysPromote) {
  const Variable i64(np::array({1, 2, 4}));
  EXPECT_TRUE(data_is(i64 + 1.5, {3}, np::float64, {2.5, 3.5, 5.5}));
  EXPECT_TRUE(data_is(i64 / 2, {3}, np::float64, {0.5, 1.0, 2.0}));  // true division
  EXPECT_TRUE(data_is(i64 / i64, {3}, np::float64, {1, 1, 1}));
  EXPECT_TRUE(data_is(pow(i64, 0.5), {3}, np::float64, {1.0, std::sqrt(2.0), 2.0}));

  const Variable f32(np::array({1.0f, 2.0f}));
  const Variable f64(np::array({0.5, 0.25}));
  EXPECT_TRUE(data_is(f32 + f64, {2}, np::float64, {1.5, 2.25}));
  EXPECT_TRUE(data_is(f64 * f32, {2}, np::float64, {0.5, 0.5}));
  EXPECT_EQ((f32 + np::array({1.0, 2.0})).dtype(), np::float64);
  EXPECT_EQ((np::array({1, 2}) * f32).dtype(), np::float64);  // int64 array * float32 array
  EXPECT_EQ((np::array({1, 2}) + f64).dtype(), np::float64);
}

// Book step 37: integer data gives integer gradients (the seed is ones of the output's dtype).
TEST(OperatorDtypes, IntegerDataGivesIntegerGradients) {
  const Variable x(np::array({{1, 2, 3}, {4, 5, 6}}));
  const Variable c(np::array({{10, 20, 30}, {40, 50, 60}}));
  const Variable t = x + c;
  const Variable y = F::sum(t);
  y.backward({.retain_grad = true});
  EXPECT_EQ(printed(y), "variable(231)");
  EXPECT_EQ(printed(y.grad()), "variable(1)");
  EXPECT_EQ(printed(t.grad()), "variable([[1 1 1]\n          [1 1 1]])");
  EXPECT_EQ(printed(x.grad()), "variable([[1 1 1]\n          [1 1 1]])");
  EXPECT_EQ(printed(c.grad()), "variable([[1 1 1]\n          [1 1 1]])");
  EXPECT_EQ(x.grad().dtype(), np::int64);
  EXPECT_EQ(c.grad().dtype(), np::int64);

  const Variable z(np::array({1, 2, 3}));
  const Variable w = z * z * 3 - z;  // dw/dz = 6z - 1
  w.backward();
  EXPECT_TRUE(data_is(z.grad(), {3}, np::int64, {5, 11, 17}));
}

// ===================================== graph structure ======================================

// `number op x` and `array op x` are x's reflected operators, as in the book: + and * list x
// first, - and / keep the operands' order (rsub/rdiv swap them back).
TEST(OperatorGraphs, ReflectedOperatorsPutTheVariableFirst) {
  const Variable x(np::array(3.0), "x");

  const Variable add = 2.0 + x;
  ASSERT_EQ(add.creator()->type(), "Add");
  ASSERT_EQ(add.creator()->inputs().size(), 2u);
  EXPECT_TRUE(add.creator()->input(0).is(x));
  EXPECT_TRUE(data_is(add.creator()->input(1), {}, np::float64, {2.0}));

  const Variable mul = 2 * x;
  ASSERT_EQ(mul.creator()->type(), "Mul");
  EXPECT_TRUE(mul.creator()->input(0).is(x));
  EXPECT_TRUE(data_is(mul.creator()->input(1), {}, np::int64, {2.0}));

  const Variable sub = 2.0 - x;  // Sub(2, x)
  ASSERT_EQ(sub.creator()->type(), "Sub");
  EXPECT_TRUE(data_is(sub.creator()->input(0), {}, np::float64, {2.0}));
  EXPECT_TRUE(sub.creator()->input(1).is(x));
  EXPECT_TRUE(data_is(sub, {}, np::float64, {-1.0}));

  const Variable div = 6.0 / x;  // Div(6, x)
  ASSERT_EQ(div.creator()->type(), "Div");
  EXPECT_TRUE(data_is(div.creator()->input(0), {}, np::float64, {6.0}));
  EXPECT_TRUE(div.creator()->input(1).is(x));
  EXPECT_TRUE(data_is(div, {}, np::float64, {2.0}));

  const np::ndarray a = np::array({1.0, 2.0});
  const Variable rsub_array = a - x;  // Sub(a, x)
  EXPECT_TRUE(rsub_array.creator()->input(0).data().shares_memory(a));
  EXPECT_TRUE(rsub_array.creator()->input(1).is(x));
  const Variable radd_array = a + x;  // Add(x, a)
  EXPECT_TRUE(radd_array.creator()->input(0).is(x));
  EXPECT_TRUE(radd_array.creator()->input(1).data().shares_memory(a));

  const Variable y(np::array(4.0));
  const Variable plain = x - y;  // Sub(x, y)
  EXPECT_TRUE(plain.creator()->input(0).is(x));
  EXPECT_TRUE(plain.creator()->input(1).is(y));

  // The functions by name: rsub(x, 2) is 2 - x, rdiv(x, 6) is 6 / x.
  EXPECT_TRUE(data_is(dezero::rsub(x, np::array(2.0)), {}, np::float64, {-1.0}));
  EXPECT_TRUE(data_is(dezero::rdiv(x, np::array(6.0)), {}, np::float64, {2.0}));
}

TEST(OperatorGraphs, ReflectedOperatorsDifferentiateCorrectly) {
  const Variable x(np::array(2.0));
  Variable y = 2.0 - x;
  y.backward();
  EXPECT_TRUE(data_is(x.grad(), {}, np::float64, {-1.0}));
  x.cleargrad();
  y = 6.0 / x;  // d/dx 6/x = -6/x^2
  y.backward();
  EXPECT_TRUE(data_is(x.grad(), {}, np::float64, {-1.5}));
  x.cleargrad();
  y = np::array(3.0) * x;
  y.backward();
  EXPECT_TRUE(data_is(x.grad(), {}, np::float64, {3.0}));
  x.cleargrad();
  y = np::array(5.0) - x * x;
  y.backward();
  EXPECT_TRUE(data_is(x.grad(), {}, np::float64, {-4.0}));
}

// ===================================== gradient checks ======================================

class OperatorGradients : public ::testing::Test {
 protected:
  void SetUp() override { np::random::seed(0); }
};

using Fn = std::function<Variable(const Variable&)>;

TEST_F(OperatorGradients, SameShapes) {
  const np::ndarray a = np::random::randn({3, 3});
  const np::ndarray b = np::random::randn({3, 3});
  const np::ndarray p = np::random::rand({3, 3}) + 0.5;  // positive, away from 0
  const std::vector<std::pair<const char*, Fn>> cases = {
      {"x + b", [&](const Variable& x) { return x + b; }},
      {"b + x", [&](const Variable& x) { return b + x; }},
      {"x - b", [&](const Variable& x) { return x - b; }},
      {"b - x", [&](const Variable& x) { return b - x; }},
      {"x * b", [&](const Variable& x) { return x * b; }},
      {"b * x", [&](const Variable& x) { return b * x; }},
      {"x * x", [&](const Variable& x) { return x * x; }},
      {"x / p", [&](const Variable& x) { return x / p; }},
      {"b / x", [&](const Variable& x) { return b / (x + 2.5); }},
      {"-x", [&](const Variable& x) { return -x; }},
      {"x + 1", [&](const Variable& x) { return x + 1.0; }},
      {"3 - x", [&](const Variable& x) { return 3.0 - x; }},
      {"x * 2", [&](const Variable& x) { return x * 2.0; }},
      {"1 / x", [&](const Variable& x) { return 1.0 / (x * x + 1.0); }},
      {"x ** 3", [&](const Variable& x) { return pow(x, 3); }},
      {"x ** 2", [&](const Variable& x) { return pow(x, 2); }},
  };
  for (const auto& [what, f] : cases) EXPECT_TRUE(gradient_check(f, a)) << what;
  // Non-integer powers of a positive base.
  EXPECT_TRUE(gradient_check([](const Variable& x) { return pow(x, 0.5); }, p));
  EXPECT_TRUE(gradient_check([](const Variable& x) { return pow(x, -1.5); }, p));
  EXPECT_TRUE(gradient_check([](const Variable& x) { return x / x; }, p));
}

// Broadcasting: each input's gradient comes back in that input's own shape.
TEST_F(OperatorGradients, Broadcasting) {
  struct Case {
    const char* op;
    np::Shape s0, s1;
    std::function<Variable(const Variable&, const Variable&)> f;
  };
  const std::vector<Case> cases = {
      {"+", {3, 3}, {3, 1}, [](const Variable& a, const Variable& b) { return a + b; }},
      {"+", {2, 3}, {3}, [](const Variable& a, const Variable& b) { return a + b; }},
      {"-", {3, 1}, {3, 3}, [](const Variable& a, const Variable& b) { return a - b; }},
      {"-", {2, 3}, {3}, [](const Variable& a, const Variable& b) { return a - b; }},
      {"*", {3}, {2, 3}, [](const Variable& a, const Variable& b) { return a * b; }},
      {"*", {3, 3}, {3, 1}, [](const Variable& a, const Variable& b) { return a * b; }},
      {"/", {2, 3}, {1, 3}, [](const Variable& a, const Variable& b) { return a / b; }},
      {"/", {3, 1}, {2, 1, 3}, [](const Variable& a, const Variable& b) { return a / b; }},
  };
  for (const auto& c : cases) {
    const std::string what = c.s0.str() + " " + c.op + " " + c.s1.str();
    const np::ndarray d0 = np::random::rand(c.s0) + 0.5;
    const np::ndarray d1 = np::random::rand(c.s1) + 0.5;
    EXPECT_TRUE(gradient_check([&](const Variable& x) { return c.f(x, Variable(d1)); }, d0))
        << what << " w.r.t. the first input";
    EXPECT_TRUE(gradient_check([&](const Variable& x) { return c.f(Variable(d0), x); }, d1))
        << what << " w.r.t. the second input";

    const Variable x0(d0), x1(d1);
    const Variable y = c.f(x0, x1);
    y.backward();
    EXPECT_EQ(x0.grad().shape(), c.s0) << what;
    EXPECT_EQ(x1.grad().shape(), c.s1) << what;
  }
}

TEST_F(OperatorGradients, BroadcastGradientValues) {
  const Variable x0(np::random::randn({3, 3}));
  const Variable x1(np::array({{1.0}, {2.0}, {3.0}}));
  const Variable y = x0 + x1;
  y.backward();
  EXPECT_TRUE(data_is(x0.grad(), {3, 3}, np::float64, {1, 1, 1, 1, 1, 1, 1, 1, 1}));
  EXPECT_TRUE(data_is(x1.grad(), {3, 1}, np::float64, {3, 3, 3}));

  // (2, 3) * (3,): the (3,) gradient sums x0 over the rows.
  const Variable a(np::array({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}}));
  const Variable b(np::array({10.0, 20.0, 30.0}));
  const Variable z = a * b;
  z.backward();
  EXPECT_TRUE(data_is(b.grad(), {3}, np::float64, {5, 7, 9}));
  EXPECT_TRUE(data_is(a.grad(), {2, 3}, np::float64, {10, 20, 30, 10, 20, 30}));

  // A bias (10,) added to (1, 10), as the reference's test_broadcast.py.
  const Variable w(np::random::randn({1, 10}));
  const Variable bias(np::zeros({10}));
  const Variable out = w + bias;
  out.backward();
  EXPECT_EQ(bias.grad().shape(), (np::Shape{10}));
  EXPECT_EQ(w.grad().shape(), (np::Shape{1, 10}));
}

// ===================================== errors ===============================================

TEST(OperatorErrors, MismatchedShapesNameBothShapes) {
  const Variable a(np::zeros({2, 3})), b(np::zeros({4, 5}));
  EXPECT_TRUE(throws_with<np::shape_error>([&] { (void)(a + b); }, {"(2, 3)", "(4, 5)"}));
  EXPECT_TRUE(throws_with<np::shape_error>([&] { (void)(a - b); }, {"(2, 3)", "(4, 5)"}));
  EXPECT_TRUE(throws_with<np::shape_error>([&] { (void)(a * b); }, {"(2, 3)", "(4, 5)"}));
  EXPECT_TRUE(throws_with<np::shape_error>([&] { (void)(a / b); }, {"(2, 3)", "(4, 5)"}));
  EXPECT_TRUE(throws_with<np::shape_error>(
      [&] {
        (void)(a + np::zeros({4, 5}));
      },
      {"(2, 3)", "(4, 5)"}));
  EXPECT_TRUE(throws_with<np::shape_error>(
      [&] {
        (void)(np::zeros({4, 5}) - a);
      },
      {"(2, 3)", "(4, 5)"}));
}

}  // namespace
