// The functions of stage 4 (neural networks): get_item, expand_dims, flatten, average/mean,
// linear, the activations (sigmoid, relu, leaky_relu, softmax, log_softmax, clip, max/min),
// the losses and accuracy, and utils::logsumexp / max_backward_shape.
//
// Values are compared with goldens printed by NumPy 1.24.2 (the book's formulas evaluated in
// Python) or with hand computations written next to them; gradients with central differences
// (utils::gradient_check, the book's tolerances) and, where the result is simple, with closed
// forms; second derivatives by differentiating the recorded gradient again. Also: the fixes
// over the book (negative axes in max/min backward, pow(x, 0) at x = 0), float32 kept through
// forward and backward, and the messages of bad input.
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
using dezero::Variables;
using dezero::utils::gradient_check;
using dztest::array_is;
using dztest::data_is;
using dztest::throws_with;

using Fn = std::function<Variable(const Variable&)>;
using MultiFn = std::function<Variable(const Variables&)>;

class NnFunctions : public ::testing::Test {
 protected:
  void SetUp() override { np::random::seed(0); }
};

// 0.0, 1.0, ..., n - 1 as float64 in the given shape (np.arange(n, dtype=float).reshape(...)).
np::ndarray arange_f(std::int64_t n, const np::Shape& shape) {
  return np::arange(0.0, static_cast<double>(n), 1.0).reshape(shape);
}

// Inputs shared with the NumPy script that printed the goldens.
np::ndarray x1() { return np::array({-2.0, -0.5, 0.0, 0.5, 3.0}); }
np::ndarray x2() { return np::array({{0.5, -1.2, 2.0}, {1.5, 0.3, -0.7}}); }
// np.sin(np.arange(24.)).reshape(2, 3, 4); the C library's sin and NumPy's may differ in the
// last bit, and so may exp and tanh: values are compared within 1e-15.
np::ndarray x3() { return np::sin(arange_f(24, {2, 3, 4})); }

std::string name_of(const Variable& y) { return y.creator() ? y.creator()->type() : "(none)"; }

// gradient_check with respect to each input in `which`, the other inputs held as constants
// (W and b of linear, the target of a loss).
::testing::AssertionResult check_inputs(const MultiFn& f, const std::vector<np::ndarray>& xs,
                                        const std::vector<std::size_t>& which) {
  for (std::size_t i : which) {
    const Fn fi = [&](const Variable& v) {
      Variables args;
      for (std::size_t j = 0; j < xs.size(); ++j)
        args.push_back(j == i ? v : dezero::constant(xs[j]));
      return f(args);
    };
    if (!gradient_check(fi, xs[i])) return ::testing::AssertionFailure() << "input " << i;
  }
  return ::testing::AssertionSuccess();
}

// x -> f'(x) through backward({.create_graph = true}); gradient_check of that function
// compares the backprop second derivative with central differences of the first gradient.
Fn first_gradient(Fn f) {
  return [f = std::move(f)](const Variable& v) {
    const Variable y = f(v);
    y.backward({.create_graph = true});
    const Variable gx = v.grad();
    v.cleargrad();  // the gradient's graph refers back to v: break the cycle
    return gx;
  };
}

// 1.0 where x equals its maximum (or minimum) along the reduced axes, else 0.0: a hand
// computation of what max/min's gradient must be for one seed of ones.
std::vector<double> where_equal(const np::ndarray& x, const np::ndarray& extreme_kept) {
  const np::ndarray eq = (x == extreme_kept).astype(np::float64);
  return eq.to_vector<double>();
}

// ===================================== get_item =============================================

TEST_F(NnFunctions, GetItemValuesAndNode) {
  const Variable x(arange_f(12, {3, 4}));
  const Variable row = x[1];
  EXPECT_EQ(name_of(row), "GetItem");
  EXPECT_TRUE(data_is(row, {4}, np::float64, {4, 5, 6, 7}));
  EXPECT_TRUE(data_is(x[-1], {4}, np::float64, {8, 9, 10, 11}));
  EXPECT_TRUE(data_is(x[{np::slice(), 2}], {3}, np::float64, {2, 6, 10}));
  EXPECT_TRUE(data_is(x[{np::slice(1, 3)}], {2, 4}, np::float64, {4, 5, 6, 7, 8, 9, 10, 11}));
  EXPECT_TRUE(data_is(x[{np::slice(np::none, np::none, 2), -1}], {2}, np::float64, {3, 11}));
  EXPECT_TRUE(data_is(x[{1, 2}], {}, np::float64, {6}));  // 0-d
  // x[np.arange(3), t]: one element per row
  EXPECT_TRUE(data_is(x[{np::arange(3), np::array({1, 3, 0})}], {3}, np::float64, {1, 7, 8}));
  // repeated rows
  EXPECT_TRUE(data_is(x[np::array({0, 0, 2})], {3, 4}, np::float64,
                      {0, 1, 2, 3, 0, 1, 2, 3, 8, 9, 10, 11}));
  // a boolean mask
  EXPECT_TRUE(data_is(x[x.data() > np::ndarray(8.5)], {3}, np::float64, {9, 10, 11}));
  // F::get_item is the same function
  const Variable g = F::get_item(x, {np::slice(), np::slice(1, 3)});
  EXPECT_EQ(name_of(g), "GetItem");
  EXPECT_TRUE(data_is(g, {3, 2}, np::float64, {1, 2, 5, 6, 9, 10}));

  const Variable x3d(arange_f(24, {2, 3, 4}));
  EXPECT_TRUE(data_is(x3d[{np::ellipsis, 1}], {2, 3}, np::float64, {1, 5, 9, 13, 17, 21}));
  EXPECT_TRUE(data_is(x3d[{np::slice(), np::newaxis, -1}], {2, 1, 4}, np::float64,
                      {8, 9, 10, 11, 20, 21, 22, 23}));
  // NumPy's rule: the integer and the array are both advanced indices, split by a slice, so
  // their axis comes first
  EXPECT_TRUE(data_is(x3d[{1, np::slice(), np::array({0, 3})}], {2, 3}, np::float64,
                      {12, 16, 20, 15, 19, 23}));
}

TEST_F(NnFunctions, GetItemBackwardScatterAdds) {
  const Variable x(arange_f(12, {3, 4}));
  // Repeated rows: their gradients add up (np.add.at), row 1 gets none.
  const Variable y = x[np::array({0, 0, 2})];
  const np::ndarray w = arange_f(12, {3, 4}) + 1.0;  // weights 1..12
  F::sum(y * w).backward();
  EXPECT_TRUE(data_is(x.grad(), {3, 4}, np::float64,
                      {1 + 5, 2 + 6, 3 + 7, 4 + 8, 0, 0, 0, 0, 9, 10, 11, 12}));
  EXPECT_EQ(name_of(x.grad()), "(none)");  // no graph without create_graph

  x.cleargrad();
  x[{np::arange(3), np::array({1, 3, 1})}].backward();
  EXPECT_TRUE(data_is(x.grad(), {3, 4}, np::float64, {0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0}));

  x.cleargrad();
  x[{2, 0}].backward();  // 0-d result
  EXPECT_TRUE(data_is(x.grad(), {3, 4}, np::float64, {0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0}));

  const np::ndarray r2 = np::random::randn({3, 4});
  const np::ndarray r3 = np::random::randn({2, 3, 4});
  const std::vector<std::pair<const char*, Fn>> cases2 = {
      {"x[1]", [](const Variable& v) { return pow(v[1], 2); }},
      {"x[-1]", [](const Variable& v) { return F::sin(v[-1]); }},
      {"x[:, 2]",
       [](const Variable& v) {
         return pow(v[{np::slice(), 2}], 3);
       }},
      {"x[1:3]", [](const Variable& v) { return pow(v[{np::slice(1, 3)}], 2); }},
      {"x[[0, 0, 2]]",
       [](const Variable& v) {
         return pow(v[np::array({0, 0, 2})], 2);
       }},
      {"x[arange, t]",
       [](const Variable& v) {
         return pow(v[{np::arange(3), np::array({1, 1, 0})}], 3);
       }},
      {"x[1, 2]",
       [](const Variable& v) {
         return pow(v[{1, 2}], 2);
       }},
  };
  for (const auto& [what, f] : cases2) EXPECT_TRUE(gradient_check(f, r2)) << what;
  const std::vector<std::pair<const char*, Fn>> cases3 = {
      {"x[..., 1]",
       [](const Variable& v) {
         return pow(v[{np::ellipsis, 1}], 2);
       }},
      {"x[:, None, -1]",
       [](const Variable& v) {
         return pow(v[{np::slice(), np::newaxis, -1}], 2);
       }},
      {"x[1, :, [0, 3, 3]]",
       [](const Variable& v) {
         return pow(v[{1, np::slice(), np::array({0, 3, 3})}], 3);
       }},
  };
  for (const auto& [what, f] : cases3) EXPECT_TRUE(gradient_check(f, r3)) << what;
}

// GetItemGrad (the backward of GetItem) is differentiable: its own backward gathers again.
TEST_F(NnFunctions, GetItemSecondDerivativeWithRepeatedIndices) {
  const np::ndarray idx = np::array({0, 0, 1});
  const Variable x(np::array({0.5, -1.0, 2.0}));
  // f = sum(x[idx]^3) = 2 a^3 + b^3, so f' = (6 a^2, 3 b^2, 0)
  const Variable y = F::sum(pow(x[idx], 3));
  y.backward({.create_graph = true});
  const Variable gx = x.grad();
  x.cleargrad();
  EXPECT_EQ(name_of(gx), "GetItemGrad");
  EXPECT_TRUE(data_is(gx, {3}, np::float64, {1.5, 3.0, 0.0}));
  // z = sum(w * f'), dz/dx = (12 a w0, 6 b w1, 0)
  const Variable z = F::sum(gx * np::array({1.0, 10.0, 100.0}));
  z.backward();
  EXPECT_TRUE(data_is(x.grad(), {3}, np::float64, {6.0, -60.0, 0.0}));
  x.cleargrad();

  const np::ndarray r = np::random::randn({3, 2});
  EXPECT_TRUE(
      gradient_check(first_gradient([&](const Variable& v) { return pow(v[idx], 3) * 0.5; }), r));
  EXPECT_TRUE(gradient_check(first_gradient([](const Variable& v) {
                               return F::sin(v[{np::array({2, 2, 0}), np::array({1, 1, 0})}]);
                             }),
                             r));
}

TEST_F(NnFunctions, GetItemOutOfRange) {
  const Variable x(arange_f(12, {3, 4}));
  EXPECT_TRUE(throws_with<np::index_error>([&] { (void)x[3]; },
                                           {"GetItem", "index 3", "axis 0", "size 3"}));
  EXPECT_TRUE(throws_with<np::index_error>([&] { (void)x[-4]; }, {"GetItem", "-4", "size 3"}));
  EXPECT_TRUE(throws_with<np::index_error>(
      [&] {
        (void)x[{0, 4}];
      },
      {"GetItem", "index 4", "axis 1", "size 4"}));
  EXPECT_TRUE(throws_with<np::index_error>(
      [&] {
        (void)x[{np::arange(3), np::array({1, 3, 7})}];
      },
      {"GetItem", "7", "size 4"}));
  EXPECT_TRUE(throws_with<np::index_error>(
      [&] {
        (void)x[{0, 0, 0}];
      },
      {"GetItem", "too many indices"}));
}

// ===================================== expand_dims / flatten ================================

TEST_F(NnFunctions, ExpandDims) {
  const Variable x(arange_f(6, {2, 3}));
  // NumPy's axis numbering: a negative axis counts in the result, -1 appends (the book's
  // list.insert would put -1 before the last axis instead; the book only uses axis >= 0).
  const std::vector<std::pair<int, np::Shape>> cases = {{0, {1, 2, 3}},  {1, {2, 1, 3}},
                                                        {2, {2, 3, 1}},  {-1, {2, 3, 1}},
                                                        {-2, {2, 1, 3}}, {-3, {1, 2, 3}}};
  for (const auto& [axis, shape] : cases) {
    const Variable y = F::expand_dims(x, axis);
    EXPECT_EQ(name_of(y), "Reshape") << axis;
    EXPECT_TRUE(data_is(y, shape, np::float64, {0, 1, 2, 3, 4, 5})) << axis;
  }
  EXPECT_TRUE(data_is(F::expand_dims(Variable(np::array(2.5)), 0), {1}, np::float64, {2.5}));
  EXPECT_TRUE(data_is(F::expand_dims(Variable(np::array(2.5)), -1), {1}, np::float64, {2.5}));

  const Variable y = F::expand_dims(x, 1);
  F::sum(y * np::array({{{1.0, 2.0, 3.0}}})).backward();
  EXPECT_TRUE(data_is(x.grad(), {2, 3}, np::float64, {1, 2, 3, 1, 2, 3}));
  EXPECT_TRUE(gradient_check([](const Variable& v) { return pow(F::expand_dims(v, -1), 2); },
                             np::random::randn({2, 3})));

  EXPECT_TRUE(throws_with<np::axis_error>([&] { (void)F::expand_dims(x, 3); },
                                          {"expand_dims", "axis 3", "dimension 3"}));
  EXPECT_TRUE(throws_with<np::axis_error>([&] { (void)F::expand_dims(x, -4); },
                                          {"expand_dims", "axis -4", "dimension 3"}));
}

TEST_F(NnFunctions, Flatten) {
  const Variable x(arange_f(24, {2, 3, 4}));
  const Variable y = F::flatten(x);
  EXPECT_EQ(name_of(y), "Reshape");
  ASSERT_EQ(y.shape(), (np::Shape{2, 12}));
  EXPECT_EQ(y.data().to_vector<double>(), x.data().to_vector<double>());
  EXPECT_TRUE(data_is(F::flatten(Variable(np::array({1.0, 2.0}))), {2, 1}, np::float64, {1, 2}));
  EXPECT_EQ(F::flatten(Variable(arange_f(6, {2, 3}))).shape(), (np::Shape{2, 3}));
  EXPECT_EQ(F::flatten(Variable(arange_f(6, {1, 2, 1, 3}))).shape(), (np::Shape{1, 6}));

  y.backward();
  EXPECT_EQ(x.grad().shape(), (np::Shape{2, 3, 4}));
  EXPECT_TRUE(gradient_check([](const Variable& v) { return pow(F::flatten(v), 2); },
                             np::random::randn({2, 3, 2})));

  EXPECT_TRUE(throws_with<np::shape_error>([] { (void)F::flatten(Variable(np::array(1.0))); },
                                           {"flatten", "0-d"}));
}

// ===================================== average / mean =======================================

TEST_F(NnFunctions, AverageValues) {
  const Variable a(x2());
  const Variable m = F::mean(a);
  EXPECT_EQ(name_of(m), "Mul");  // sum * (size of y / size of x)
  EXPECT_EQ(name_of(m.creator()->input(0)), "Sum");
  EXPECT_TRUE(data_is(m, {}, np::float64, {0.3999999999999999}, 1e-15));
  EXPECT_TRUE(data_is(F::average(a), {}, np::float64, {0.3999999999999999}, 1e-15));
  EXPECT_TRUE(data_is(F::mean(a, 0), {3}, np::float64, {1.0, -0.44999999999999996, 0.65}, 1e-15));
  EXPECT_TRUE(data_is(F::mean(a, -1, true), {2, 1}, np::float64, {1.3 / 3, 1.1 / 3}, 1e-15));
  EXPECT_TRUE(data_is(F::mean(Variable(x3()), {0, 2}), {3}, np::float64,
                      {0.42704721679645485, -0.39857081438806874, 0.09399932377789677}, 1e-15));
  EXPECT_TRUE(data_is(F::mean(Variable(x3()), -1, true), {2, 3, 1}, np::float64,
                      {0.47297210492336134, -0.33453891736280095, -0.03563364639373373,
                       0.3811223286695483, -0.46260271141333653, 0.22363229394952727},
                      1e-15));
  EXPECT_TRUE(data_is(F::mean(Variable(np::array(0.7))), {}, np::float64, {0.7}));
  // integers give float64, as np.mean
  EXPECT_TRUE(data_is(F::mean(Variable(np::array({1, 2, 4}))), {}, np::float64, {7.0 / 3}, 1e-15));

  // d mean / dx = 1 / (number of elements averaged)
  m.backward();
  EXPECT_TRUE(data_is(a.grad(), {2, 3}, np::float64, std::vector<double>(6, 1.0 / 6), 1e-15));
  a.cleargrad();
  F::mean(a, 0).backward();
  EXPECT_TRUE(data_is(a.grad(), {2, 3}, np::float64, std::vector<double>(6, 0.5)));

  const np::ndarray r = np::random::randn({2, 3, 4});
  const std::vector<std::pair<const char*, Fn>> cases = {
      {"all", [](const Variable& v) { return pow(F::mean(v), 2); }},
      {"axis 1", [](const Variable& v) { return pow(F::mean(v, 1), 2); }},
      {"axis -1 keepdims", [](const Variable& v) { return pow(F::mean(v, -1, true), 2); }},
      {"axes (0, 2)",
       [](const Variable& v) {
         return pow(F::average(v, {0, 2}), 2);
       }},
  };
  for (const auto& [what, f] : cases) EXPECT_TRUE(gradient_check(f, r)) << what;
}

// ===================================== linear ===============================================

np::ndarray lin_x() { return np::array({{1.0, 2.0}, {3.0, 4.0}, {-1.0, 0.5}}); }
np::ndarray lin_W() { return np::array({{0.5, -1.0, 2.0, 0.0}, {1.5, 0.25, -0.5, 1.0}}); }
np::ndarray lin_b() { return np::array({0.1, 0.2, 0.3, 0.4}); }

TEST_F(NnFunctions, LinearValuesAndNodes) {
  const Variable x(lin_x()), W(lin_W()), b(lin_b());
  const std::vector<double> xw = {3.5, -0.5, 1.0,  2.0,   7.5,   -2.0,
                                  4.0, 4.0,  0.25, 1.125, -2.25, 0.5};
  const std::vector<double> xwb = {3.6, -0.3, 1.3,  2.4,   7.6,   -1.8,
                                   4.3, 4.4,  0.35, 1.325, -1.95, 0.9};
  const Variable y = F::linear(x, W, b);
  EXPECT_EQ(name_of(y), "Linear");
  EXPECT_EQ(y.creator()->inputs().size(), 3u);
  EXPECT_TRUE(data_is(y, {3, 4}, np::float64, xwb, 1e-15));

  const Variable y_nob = F::linear(x, W);
  EXPECT_EQ(name_of(y_nob), "Linear");
  EXPECT_EQ(y_nob.creator()->inputs().size(), 2u);
  EXPECT_TRUE(data_is(y_nob, {3, 4}, np::float64, xw));
  // b broadcasts: (1, 4) and 0-d
  EXPECT_TRUE(
      data_is(F::linear(x, W, Variable(lin_b().reshape({1, 4}))), {3, 4}, np::float64, xwb, 1e-15));
  std::vector<double> xw1 = xw;
  for (double& v : xw1) v += 1.0;
  EXPECT_TRUE(data_is(F::linear(x, W, Variable(np::array(1.0))), {3, 4}, np::float64, xw1));

  // linear_simple: MatMul then Add, the product's data freed
  const Variable s = F::linear_simple(x, W, b);
  EXPECT_EQ(name_of(s), "Add");
  const Variable t = s.creator()->input(0);
  EXPECT_EQ(name_of(t), "MatMul");
  EXPECT_FALSE(t.data().defined());
  EXPECT_TRUE(data_is(s, {3, 4}, np::float64, xwb, 1e-15));
  const Variable s_nob = F::linear_simple(x, W);
  EXPECT_EQ(name_of(s_nob), "MatMul");
  EXPECT_TRUE(data_is(s_nob, {3, 4}, np::float64, xw));
  // its backward still works without the product's data
  s.backward();
  EXPECT_TRUE(data_is(b.grad(), {4}, np::float64, {3, 3, 3, 3}));
}

TEST_F(NnFunctions, LinearBackward) {
  for (bool simple : {false, true}) {
    const Variable x(lin_x()), W(lin_W()), b(lin_b());
    const Variable y = simple ? F::linear_simple(x, W, b) : F::linear(x, W, b);
    y.backward();  // gy = ones (3, 4)
    // gx = ones W^T: the row sums of W; gW = x^T ones: the column sums of x; gb = N
    EXPECT_TRUE(data_is(x.grad(), {3, 2}, np::float64, {1.5, 2.25, 1.5, 2.25, 1.5, 2.25}))
        << simple;
    EXPECT_TRUE(data_is(W.grad(), {2, 4}, np::float64, {3, 3, 3, 3, 6.5, 6.5, 6.5, 6.5})) << simple;
    EXPECT_TRUE(data_is(b.grad(), {4}, np::float64, {3, 3, 3, 3})) << simple;
  }
  // b of shape (1, 4) gets a (1, 4) gradient
  const Variable b14(lin_b().reshape({1, 4}));
  F::linear(Variable(lin_x()), Variable(lin_W()), b14).backward();
  EXPECT_TRUE(data_is(b14.grad(), {1, 4}, np::float64, {3, 3, 3, 3}));

  const np::ndarray x = np::random::randn({5, 3}), W = np::random::randn({3, 4}),
                    b = np::random::randn({4});
  const MultiFn lin = [](const Variables& v) { return pow(F::linear(v[0], v[1], v[2]), 2); };
  const MultiFn lin_simple = [](const Variables& v) {
    return pow(F::linear_simple(v[0], v[1], v[2]), 2);
  };
  const MultiFn lin_nob = [](const Variables& v) { return F::sin(F::linear(v[0], v[1])); };
  const MultiFn lin_b14 = [](const Variables& v) { return pow(F::linear(v[0], v[1], v[2]), 2); };
  EXPECT_TRUE(check_inputs(lin, {x, W, b}, {0, 1, 2}));
  EXPECT_TRUE(check_inputs(lin_simple, {x, W, b}, {0, 1, 2}));
  EXPECT_TRUE(check_inputs(lin_nob, {x, W}, {0, 1}));
  EXPECT_TRUE(check_inputs(lin_b14, {x, W, b.reshape({1, 4})}, {0, 1, 2}));
}

TEST_F(NnFunctions, LinearSecondDerivative) {
  // L = sum((x W + b)^2): dL/dx = 2 y W^T. z = sum(dL/dx) = 2 sum_nj y_nj s_j with
  // s_j = sum_i W_ij, so dz/dx_nk = 2 (W s)_k for every row: s = (2, -0.75, 1.5, 1),
  // W s = (4.75, 3.0625).
  const Variable x(lin_x());
  const Variable W = dezero::constant(lin_W()), b = dezero::constant(lin_b());
  const Variable L = F::sum(pow(F::linear(x, W, b), 2));
  L.backward({.create_graph = true});
  const Variable gx = x.grad();
  x.cleargrad();
  ASSERT_TRUE(gx.creator());  // recorded
  F::sum(gx).backward();
  EXPECT_TRUE(data_is(x.grad(), {3, 2}, np::float64, {9.5, 6.125, 9.5, 6.125, 9.5, 6.125}));
  x.cleargrad();

  const np::ndarray rx = np::random::randn({4, 3}), rW = np::random::randn({3, 2}),
                    rb = np::random::randn({2});
  // with respect to x, to W and to b, the other two constants
  EXPECT_TRUE(gradient_check(first_gradient([&](const Variable& v) {
                               return pow(F::linear(v, dezero::constant(rW), dezero::constant(rb)),
                                          3);
                             }),
                             rx));
  EXPECT_TRUE(gradient_check(first_gradient([&](const Variable& v) {
                               return pow(F::linear(dezero::constant(rx), v, dezero::constant(rb)),
                                          3);
                             }),
                             rW));
  EXPECT_TRUE(gradient_check(first_gradient([&](const Variable& v) {
                               return F::sin(
                                   F::linear(dezero::constant(rx), dezero::constant(rW), v));
                             }),
                             rb));
}

TEST_F(NnFunctions, LinearBadShapes) {
  const Variable x(lin_x()), W(lin_W());
  EXPECT_TRUE(throws_with<np::shape_error>(
      [&] {
        (void)F::linear(x, Variable(np::ones({3, 4})));
      },
      {"linear", "(3, 2)", "(3, 4)"}));
  EXPECT_TRUE(throws_with<np::shape_error>(
      [&] {
        (void)F::linear_simple(x, Variable(np::ones({3, 4})));
      },
      {"linear_simple", "(3, 2)", "(3, 4)"}));
  EXPECT_TRUE(throws_with<np::shape_error>([&] { (void)F::linear(x, Variable(np::ones({2}))); },
                                           {"linear", "W (2,)"}));
  // x must be a batch of rows: a 1-d or 3-d x would fail only later, in the backward's x^T gy.
  EXPECT_TRUE(throws_with<np::shape_error>(
      [&] { (void)F::linear(Variable(np::ones({2})), W); }, {"linear", "x (2,)", "(N, in)"}));
  EXPECT_TRUE(throws_with<np::shape_error>(
      [&] { (void)F::linear(Variable(np::ones({5, 3, 2})), W); }, {"linear", "x (5, 3, 2)"}));
  EXPECT_TRUE(throws_with<np::shape_error>([&] { (void)F::linear(x, W, Variable(np::ones({3}))); },
                                           {"linear", "b (3,)", "(3, 2)", "(2, 4)"}));
  EXPECT_TRUE(throws_with<np::shape_error>(
      [&] {
        (void)F::linear(x, W, Variable(np::ones({3, 4, 1})));
      },
      {"linear", "b (3, 4, 1)"}));
  // An error inside the forward pass names the graph node: x W is int64, b float64 cannot be
  // added into it in place (NumPy's same_kind rule, as the book's `y += b`).
  EXPECT_TRUE(throws_with<np::dtype_error>(
      [] {
        (void)F::linear(Variable(np::array({{1, 2}})), Variable(np::array({{1}, {2}})),
                        Variable(np::array({0.5})));
      },
      {"Linear: ", "float64", "int64"}));
}

// ===================================== sigmoid ==============================================

double sigmoid_ref(double v) { return 1.0 / (1.0 + std::exp(-v)); }

TEST_F(NnFunctions, SigmoidValues) {
  const Variable y0 = F::sigmoid(Variable(np::array(0.7)));
  EXPECT_EQ(name_of(y0), "Sigmoid");
  EXPECT_TRUE(data_is(y0, {}, np::float64, {0.6681877721681662}, 1e-15));
  const std::vector<double> s1 = {0.11920292202211757, 0.3775406687981454, 0.5, 0.6224593312018546,
                                  0.9525741268224333};
  const std::vector<double> s2 = {0.6224593312018546, 0.2314752165009824, 0.8807970779778824,
                                  0.8175744761936437, 0.5744425168116589, 0.3318122278318339};
  EXPECT_TRUE(data_is(F::sigmoid(Variable(x1())), {5}, np::float64, s1, 1e-15));
  EXPECT_TRUE(data_is(F::sigmoid(Variable(x2())), {2, 3}, np::float64, s2, 1e-15));
  EXPECT_TRUE(data_is(
      F::sigmoid(Variable(x3())), {2, 3, 4}, np::float64,
      [] {
        std::vector<double> v;
        for (double e : x3().to_vector<double>()) v.push_back(sigmoid_ref(e));
        return v;
      }(),
      1e-15));
  // large inputs saturate without overflow
  EXPECT_TRUE(
      data_is(F::sigmoid(Variable(np::array({-1000.0, 1000.0}))), {2}, np::float64, {0, 1}));

  // sigmoid_simple: the same values from Neg, Exp, Add, Div nodes
  const Variable ss = F::sigmoid_simple(Variable(x1()));
  EXPECT_EQ(name_of(ss), "Div");
  EXPECT_TRUE(data_is(ss, {5}, np::float64, s1, 1e-15));
  EXPECT_TRUE(data_is(F::sigmoid_simple(Variable(x2())), {2, 3}, np::float64, s2, 1e-15));
}

TEST_F(NnFunctions, SigmoidDerivatives) {
  const np::ndarray pts = x1();
  std::vector<double> d1, d2, d3;
  for (double v : pts.to_vector<double>()) {
    const double s = sigmoid_ref(v), ds = s * (1 - s);
    d1.push_back(ds);                            // s' = s (1 - s)
    d2.push_back(ds * (1 - 2 * s));              // s'' = s (1 - s)(1 - 2 s)
    d3.push_back(ds * (1 - 6 * s + 6 * s * s));  // s''' = s (1 - s)(1 - 6 s + 6 s^2)
  }
  for (bool simple : {false, true}) {
    const Variable x(pts);
    const Variable y = simple ? F::sigmoid_simple(x) : F::sigmoid(x);
    y.backward({.create_graph = true});
    const Variable g1 = x.grad();
    x.cleargrad();
    EXPECT_TRUE(data_is(g1, {5}, np::float64, d1, 1e-15)) << simple;
    g1.backward({.create_graph = true});
    const Variable g2 = x.grad();
    x.cleargrad();
    EXPECT_TRUE(data_is(g2, {5}, np::float64, d2, 1e-15)) << simple;
    g2.backward();
    EXPECT_TRUE(data_is(x.grad(), {5}, np::float64, d3, 1e-15)) << simple;
    x.cleargrad();
  }
  const np::ndarray r = np::random::randn({3, 4});
  EXPECT_TRUE(gradient_check([](const Variable& v) { return F::sigmoid(v); }, r));
  EXPECT_TRUE(gradient_check([](const Variable& v) { return F::sigmoid_simple(v); }, r));
  EXPECT_TRUE(gradient_check([](const Variable& v) { return F::sigmoid(v * v); }, np::array(0.3)));
  EXPECT_TRUE(gradient_check(first_gradient([](const Variable& v) { return F::sigmoid(v); }), r));
}

// ===================================== relu / leaky_relu ====================================

TEST_F(NnFunctions, ReLU) {
  const Variable x(x1());
  const Variable y = F::relu(x);
  EXPECT_EQ(name_of(y), "ReLU");
  EXPECT_TRUE(data_is(y, {5}, np::float64, {0, 0, 0, 0.5, 3}));
  F::sum(y * np::array({1.0, 2.0, 3.0, 4.0, 5.0})).backward();
  EXPECT_TRUE(data_is(x.grad(), {5}, np::float64, {0, 0, 0, 4, 5}));  // 0 at x = 0
  EXPECT_TRUE(data_is(F::relu(Variable(x2())), {2, 3}, np::float64, {0.5, 0, 2, 1.5, 0.3, 0}));
  EXPECT_TRUE(data_is(F::relu(Variable(np::array(-0.7))), {}, np::float64, {0}));
  EXPECT_TRUE(gradient_check([](const Variable& v) { return F::relu(v) * v; },
                             np::random::randn({2, 3, 4})));
}

TEST_F(NnFunctions, ReLUOfNegativeZeroIsPositiveZero) {
  // np.maximum(np.array([-0.0, 0.0, -1.0]), 0.0) -> [0. 0. 0.]: NumPy's maximum gives its
  // second operand on a tie, so the book's relu never prints -0.
  const Variable y = F::relu(Variable(np::array({-0.0, 0.0, -1.0})));
  for (std::int64_t i = 0; i < 3; ++i) EXPECT_FALSE(std::signbit(y.data().flat(i))) << i;
  EXPECT_EQ(np::str(y.data()), "[0. 0. 0.]");
  EXPECT_EQ(np::str(F::relu(Variable(np::array({-0.0f, 2.0f}))).data()), "[0. 2.]");
  EXPECT_FALSE(std::signbit(F::relu(Variable(np::array(-0.0))).data().flat(0)));
}

TEST_F(NnFunctions, LeakyReLU) {
  const Variable x(x1());
  const Variable y = F::leaky_relu(x);  // slope 0.2
  EXPECT_EQ(name_of(y), "LeakyReLU");
  EXPECT_TRUE(data_is(y, {5}, np::float64, {-0.4, -0.1, 0, 0.5, 3}));
  y.backward();
  EXPECT_TRUE(data_is(x.grad(), {5}, np::float64, {0.2, 0.2, 0.2, 1, 1}));  // slope at x = 0
  EXPECT_TRUE(data_is(F::leaky_relu(x, 0.1), {5}, np::float64, {-0.2, -0.05, 0, 0.5, 3}));
  EXPECT_TRUE(data_is(F::leaky_relu(Variable(x2()), 0.5), {2, 3}, np::float64,
                      {0.5, -0.6, 2, 1.5, 0.3, -0.35}));
  EXPECT_TRUE(
      data_is(F::leaky_relu(Variable(np::array(-3.0))), {}, np::float64, {-0.6000000000000001}));
  const np::ndarray r = np::random::randn({2, 3, 4});
  EXPECT_TRUE(gradient_check([](const Variable& v) { return F::leaky_relu(v) * v; }, r));
  EXPECT_TRUE(gradient_check([](const Variable& v) { return F::leaky_relu(v, 0.01); }, r));
}

// ===================================== softmax / log_softmax / logsumexp ====================

const std::vector<double> kSoftmaxX2Axis1 = {0.17654205886637114, 0.032251325457234005,
                                             0.7912066156763948,  0.7082166164414095,
                                             0.21331074565219663, 0.07847263790639375};
const std::vector<double> kSoftmaxX2Axis0 = {0.26894142136999516, 0.18242552380635632,
                                             0.9370266439430035,  0.7310585786300049,
                                             0.8175744761936437,  0.06297335605699647};
const std::vector<double> kSoftmaxX1 = {0.005764805231382054, 0.025836064598112652,
                                        0.04259646925409088, 0.07022970491594367,
                                        0.8555729560004707};
const std::vector<double> kSoftmaxX3AxisM1 = {
    0.14380383660389098, 0.33359280745893155, 0.35700420195592797, 0.1655991539812494,
    0.13261970949146354, 0.10834969641102452, 0.21376402132635774, 0.5452665727711542,
    0.5224563157459224,  0.2933309848955646,  0.11274876406611645, 0.0714639352923965,
    0.0870689716770356,  0.22665760648109046, 0.400967692273559,   0.28530572956831507,
    0.2711108343540691,  0.1382458393608971,  0.1706208409092586,  0.4200224853757753,
    0.4005543644971314,  0.37113277648135,    0.15934201644324714, 0.06897084257827137};
const std::vector<double> kSoftmaxX3Axes02 = {
    0.07315372554885302, 0.16970031716985326, 0.1816098097689044,  0.08424111169464298,
    0.07442974774980772, 0.06080876367143523, 0.11997011791320086, 0.3060182654854292,
    0.23657921790484257, 0.1328264448191647,  0.05105501382334016, 0.032360374275003476,
    0.04277655355868355, 0.11135575689449201, 0.19699343673729727, 0.1401692886272736,
    0.1189561426375099,  0.06065855621461383, 0.07486383617419984, 0.18429457015380338,
    0.21917491625406138, 0.20307604264044846, 0.08718859711726366, 0.03773939316587557};

TEST_F(NnFunctions, SoftmaxValues) {
  for (bool simple : {false, true}) {
    const auto sm = [simple](const np::ndarray& x, np::Axes axis) {
      return simple ? F::softmax_simple(Variable(x), axis) : F::softmax(Variable(x), axis);
    };
    const Variable y = simple ? F::softmax_simple(Variable(x2())) : F::softmax(Variable(x2()));
    EXPECT_EQ(name_of(y), simple ? "Div" : "Softmax");
    EXPECT_TRUE(data_is(y, {2, 3}, np::float64, kSoftmaxX2Axis1, 1e-15)) << simple;  // axis=1
    EXPECT_TRUE(data_is(sm(x2(), 0), {2, 3}, np::float64, kSoftmaxX2Axis0, 1e-15)) << simple;
    EXPECT_TRUE(data_is(sm(x1(), 0), {5}, np::float64, kSoftmaxX1, 1e-15)) << simple;
    EXPECT_TRUE(data_is(sm(x1(), -1), {5}, np::float64, kSoftmaxX1, 1e-15)) << simple;
    EXPECT_TRUE(data_is(sm(x3(), -1), {2, 3, 4}, np::float64, kSoftmaxX3AxisM1, 1e-15)) << simple;
    EXPECT_TRUE(data_is(sm(x3(), {0, 2}), {2, 3, 4}, np::float64, kSoftmaxX3Axes02, 1e-15))
        << simple;
    EXPECT_TRUE(data_is(sm(x3(), {-1, 0}), {2, 3, 4}, np::float64, kSoftmaxX3Axes02, 1e-15))
        << simple;
  }
  // The fused form subtracts the maximum first: no overflow where exp(1000) is inf.
  const np::ndarray big = np::array({{1000.0, 1001.0}, {-1000.0, -1000.0}});
  EXPECT_TRUE(data_is(F::softmax(Variable(big)), {2, 2}, np::float64,
                      {0.26894142136999516, 0.7310585786300049, 0.5, 0.5}, 1e-15));
}

TEST_F(NnFunctions, SoftmaxGradients) {
  // With weights w: d/dx sum(w * softmax(x)) = y (w - sum(y w)) along the axis.
  const np::ndarray w = np::array({{1.0, 2.0, 3.0}, {-1.0, 0.0, 4.0}});
  const Variable x(x2());
  F::sum(F::softmax(x) * w).backward();
  std::vector<double> expected;
  for (int n = 0; n < 2; ++n) {
    double yw = 0;
    for (int c = 0; c < 3; ++c) yw += kSoftmaxX2Axis1[n * 3 + c] * w[{n, c}].item<double>();
    for (int c = 0; c < 3; ++c) {
      expected.push_back(kSoftmaxX2Axis1[n * 3 + c] * (w[{n, c}].item<double>() - yw));
    }
  }
  EXPECT_TRUE(data_is(x.grad(), {2, 3}, np::float64, expected, 1e-15));

  const np::ndarray r2 = np::random::randn({3, 4}), r3 = np::random::randn({2, 3, 4});
  const np::ndarray w2 = np::random::randn({3, 4}), w3 = np::random::randn({2, 3, 4});
  for (bool simple : {false, true}) {
    const auto sm = [simple](const Variable& v, np::Axes axis) {
      return simple ? F::softmax_simple(v, axis) : F::softmax(v, axis);
    };
    EXPECT_TRUE(gradient_check([&](const Variable& v) { return sm(v, 1) * w2; }, r2)) << simple;
    EXPECT_TRUE(gradient_check([&](const Variable& v) { return sm(v, 0) * w2; }, r2)) << simple;
    EXPECT_TRUE(gradient_check([&](const Variable& v) { return sm(v, -1) * w3; }, r3)) << simple;
    EXPECT_TRUE(gradient_check(
        [&](const Variable& v) {
          return sm(v, {0, 2}) * w3;
        },
        r3))
        << simple;
  }
  // second derivatives against central differences of the first gradient
  EXPECT_TRUE(
      gradient_check(first_gradient([&](const Variable& v) { return F::softmax(v) * w2; }), r2));
  EXPECT_TRUE(gradient_check(
      first_gradient([&](const Variable& v) { return pow(F::softmax(v, -1), 2) * w3; }), r3));
  EXPECT_TRUE(gradient_check(
      first_gradient([&](const Variable& v) { return F::softmax_simple(v, 0) * w2; }), r2));
}

TEST_F(NnFunctions, LogSoftmax) {
  const Variable y = F::log_softmax(Variable(x2()));
  EXPECT_EQ(name_of(y), "LogSoftmax");
  EXPECT_TRUE(data_is(y, {2, 3}, np::float64,
                      {-1.7341961371357981, -3.434196137135798, -0.23419613713579812,
                       -0.34500527665751424, -1.5450052766575142, -2.5450052766575144},
                      1e-15));
  EXPECT_TRUE(
      data_is(F::log_softmax(Variable(x3()), -1), {2, 3, 4}, np::float64,
              {-1.9393051539127755, -1.097834169104879,  -1.030007727087094,  -1.7981851458529083,
               -2.020269573577192,  -2.222391352932402,  -1.5428825764681893, -0.6064804795504743,
               -0.649213904866266,  -1.226453666247891,  -2.1825932623790174, -2.638562358040351,
               -2.4410546965130018, -1.484314741685926,  -0.9138744228176967, -1.2541939383554501,
               -1.305227558856785,  -1.9787217340712768, -1.768311488963396,  -0.8674470325287673,
               -0.9149057801199049, -0.9911953923114764, -1.8367023401379363, -2.674071435022703},
              1e-15));
  // large scores stay finite: x - logsumexp(x)
  EXPECT_TRUE(data_is(
      F::log_softmax(Variable(np::array({{1000.0, 1001.0}, {-1000.0, -1000.0}}))), {2, 2},
      np::float64,
      {1000.0 - 1001.3132616875182, 1001.0 - 1001.3132616875182, -std::log(2.0), -std::log(2.0)},
      1e-12));
  const np::ndarray r2 = np::random::randn({3, 4}), r3 = np::random::randn({2, 3, 4});
  const np::ndarray w2 = np::random::randn({3, 4}), w3 = np::random::randn({2, 3, 4});
  EXPECT_TRUE(gradient_check([&](const Variable& v) { return F::log_softmax(v) * w2; }, r2));
  EXPECT_TRUE(gradient_check([&](const Variable& v) { return F::log_softmax(v, 0) * w2; }, r2));
  EXPECT_TRUE(gradient_check([&](const Variable& v) { return F::log_softmax(v, -1) * w3; }, r3));
  EXPECT_TRUE(gradient_check(
      first_gradient([&](const Variable& v) { return F::log_softmax(v) * w2; }), r2));
}

TEST_F(NnFunctions, LogSumExp) {
  using dezero::utils::logsumexp;
  EXPECT_TRUE(array_is(logsumexp(x2()), {2, 1}, np::float64,
                       {2.234196137135798, 1.8450052766575142}, 1e-15));
  EXPECT_TRUE(array_is(logsumexp(x2(), 0), {1, 3}, np::float64,
                       {1.8132616875182228, 0.5014132779827525, 2.0650435617765903}, 1e-15));
  EXPECT_TRUE(array_is(logsumexp(x2(), -1), {2, 1}, np::float64,
                       {2.234196137135798, 1.8450052766575142}, 1e-15));
  EXPECT_TRUE(array_is(logsumexp(np::array({{1000.0, 1001.0}, {-1000.0, -1000.0}})), {2, 1},
                       np::float64, {1001.3132616875182, -999.3068528194401}, 1e-12));
  // log(e^0 + e^0 + e^0) over axes (0, 1) of a (1, 3) array, kept as (1, 1)
  EXPECT_TRUE(
      array_is(logsumexp(np::zeros({1, 3}), {0, 1}), {1, 1}, np::float64, {std::log(3.0)}, 1e-15));
  EXPECT_EQ(logsumexp(x2().astype(np::float32)).dtype(), np::float32);
}

// ===================================== clip =================================================

TEST_F(NnFunctions, Clip) {
  const Variable y = F::clip(Variable(x1()), -1.0, 1.0);
  EXPECT_EQ(name_of(y), "Clip");
  EXPECT_TRUE(data_is(y, {5}, np::float64, {-1, -0.5, 0, 0.5, 1}));
  // the gradient passes inside [x_min, x_max], the bounds included
  const Variable x(np::array({-1.0, -0.5, 1.0, 2.0, -3.0}));
  F::clip(x, -1.0, 1.0).backward();
  EXPECT_TRUE(data_is(x.grad(), {5}, np::float64, {1, 1, 1, 0, 0}));
  EXPECT_TRUE(data_is(F::clip(Variable(np::array(5.0)), 0.0, 2.0), {}, np::float64, {2}));
  EXPECT_TRUE(
      data_is(F::clip(Variable(x2()), 0.0, 1.0), {2, 3}, np::float64, {0.5, 0, 1, 1, 0.3, 0}));
  EXPECT_TRUE(gradient_check([](const Variable& v) { return F::clip(v, -0.5, 0.5) * v; },
                             np::array({{-2.0, -0.3, 0.1}, {0.2, 0.45, 3.0}})));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { (void)F::clip(Variable(x1()), 2.0, 1.0); },
                                                 {"clip", "x_min 2.0", "x_max 1.0"}));
}

// ===================================== max / min ============================================

TEST_F(NnFunctions, MaxMinValues) {
  const Variable x(x3());
  const Variable m = F::max(x);
  EXPECT_EQ(name_of(m), "Max");
  EXPECT_TRUE(data_is(m, {}, np::float64, {0.9906073556948702}, 1e-15));
  EXPECT_TRUE(data_is(x.max(-1), {2, 3}, np::float64,
                      {0.9092974268256816, 0.6569865987187891, 0.9893582466233817,
                       0.9906073556948702, 0.14987720966295234, 0.9129452507276276},
                      1e-15));
  EXPECT_TRUE(
      data_is(F::max(x, 1, true), {2, 1, 4}, np::float64,
              {0.9893582466233817, 0.8414709848078965, 0.9092974268256816, 0.6569865987187891,
               0.9129452507276276, 0.8366556385360561, 0.9906073556948702, 0.6502878401571168},
              1e-15));
  const Variable n = x.min({0, 2});
  EXPECT_EQ(name_of(n), "Min");
  EXPECT_TRUE(data_is(n, {3}, np::float64,
                      {-0.5365729180004348, -0.961397491879557, -0.9999902065507034}, 1e-15));
  EXPECT_TRUE(
      data_is(F::min(x, -2), {2, 4}, np::float64,
              {-0.7568024953079284, -0.9589242746631386, -0.5440211108893698, -0.9999902065507034,
               -0.5365729180004348, -0.961397491879557, -0.7509872467716763, -0.8462204041751706},
              1e-15));
  EXPECT_TRUE(data_is(F::max(Variable(np::array(-2.5))), {}, np::float64, {-2.5}));
  EXPECT_TRUE(data_is(F::min(Variable(x1()), 0), {}, np::float64, {-2.0}));
}

// The book compared the raw axis with 0..ndim-1 in max_backward_shape, so a negative axis
// failed in backward; here it works, and matches central differences.
TEST_F(NnFunctions, MaxMinBackwardWithNegativeAxes) {
  const np::ndarray data = x3();
  for (bool is_max : {true, false}) {
    const auto reduce = [is_max](const Variable& v, np::Axes axes, bool keepdims) {
      return is_max ? F::max(v, axes, keepdims) : F::min(v, axes, keepdims);
    };
    const np::ndarray kept_m1 = is_max ? data.max(-1, true) : data.min(-1, true);
    const np::ndarray kept_02 = is_max ? data.max({0, -1}, true) : data.min({0, -1}, true);
    const Variable x(data);
    reduce(x, -1, false).backward();
    EXPECT_TRUE(data_is(x.grad(), {2, 3, 4}, np::float64, where_equal(data, kept_m1))) << is_max;
    x.cleargrad();
    reduce(x, -1, true).backward();
    EXPECT_TRUE(data_is(x.grad(), {2, 3, 4}, np::float64, where_equal(data, kept_m1))) << is_max;
    x.cleargrad();
    reduce(x, {0, -1}, false).backward();
    EXPECT_TRUE(data_is(x.grad(), {2, 3, 4}, np::float64, where_equal(data, kept_02))) << is_max;
    // one element per slice gets the gradient
    EXPECT_EQ(x.grad().data().sum().item<double>(), 3.0) << is_max;

    const np::ndarray r = np::random::randn({2, 3, 4});
    const std::vector<std::pair<const char*, Fn>> cases = {
        {"all", [&](const Variable& v) { return pow(reduce(v, np::none, false), 2); }},
        {"axis 0", [&](const Variable& v) { return pow(reduce(v, 0, false), 2); }},
        {"axis -1", [&](const Variable& v) { return pow(reduce(v, -1, false), 2); }},
        {"axis -2 keepdims", [&](const Variable& v) { return pow(reduce(v, -2, true), 2); }},
        {"axes (0, -1)",
         [&](const Variable& v) {
           return pow(reduce(v, {0, -1}, false), 2);
         }},
        {"axes (-3, 1) keepdims",
         [&](const Variable& v) {
           return pow(reduce(v, {-3, 1}, true), 2);
         }},
    };
    for (const auto& [what, f] : cases) EXPECT_TRUE(gradient_check(f, r)) << what << " " << is_max;
  }
}

// Ties: every element equal to the extreme gets the full gradient (the book's behaviour,
// not a share of it as a subgradient would).
TEST_F(NnFunctions, MaxMinTiesGetTheFullGradient) {
  const Variable x(np::array({{1.0, 3.0, 3.0}, {2.0, 2.0, 0.0}}));
  F::sum(F::max(x, -1) * np::array({10.0, 100.0})).backward();
  EXPECT_TRUE(data_is(x.grad(), {2, 3}, np::float64, {0, 10, 10, 100, 100, 0}));
  x.cleargrad();
  F::sum(x.max(1, true) * np::array({{10.0}, {100.0}})).backward();
  EXPECT_TRUE(data_is(x.grad(), {2, 3}, np::float64, {0, 10, 10, 100, 100, 0}));
  x.cleargrad();
  F::max(x).backward();  // the global maximum 3 appears twice
  EXPECT_TRUE(data_is(x.grad(), {2, 3}, np::float64, {0, 1, 1, 0, 0, 0}));
  x.cleargrad();
  F::sum(F::min(x, 0) * np::array({1.0, 2.0, 3.0})).backward();  // column 1 ties at 2
  EXPECT_TRUE(data_is(x.grad(), {2, 3}, np::float64, {1, 0, 0, 0, 2, 3}));
  x.cleargrad();
  const Variable z(np::array({0.5, 0.5, 0.5}));
  F::min(z).backward();
  EXPECT_TRUE(data_is(z.grad(), {3}, np::float64, {1, 1, 1}));
}

TEST_F(NnFunctions, MaxBackwardShape) {
  using dezero::utils::max_backward_shape;
  EXPECT_EQ(max_backward_shape({2, 3, 4}, np::none), (np::Shape{1, 1, 1}));
  EXPECT_EQ(max_backward_shape({2, 3, 4}, 1), (np::Shape{2, 1, 4}));
  EXPECT_EQ(max_backward_shape({2, 3, 4}, -1), (np::Shape{2, 3, 1}));
  EXPECT_EQ(max_backward_shape({2, 3, 4}, {0, -1}), (np::Shape{1, 3, 1}));
  EXPECT_EQ(max_backward_shape({2, 3, 4}, {-3, -2}), (np::Shape{1, 1, 4}));
  EXPECT_EQ(max_backward_shape({}, np::none), (np::Shape{}));
  EXPECT_TRUE(throws_with<np::axis_error>(
      [] {
        (void)max_backward_shape({2, 3, 4}, 3);
      },
      {"max_backward_shape", "axis 3", "dimension 3"}));
  EXPECT_TRUE(throws_with<np::axis_error>(
      [] {
        (void)max_backward_shape({2, 3}, {0, -3});
      },
      {"max_backward_shape", "axis -3", "dimension 2"}));
}

// An axis outside the array names the function and the axis.
TEST_F(NnFunctions, AxisOutOfRange) {
  const Variable x(x2());
  EXPECT_TRUE(
      throws_with<np::axis_error>([&] { (void)F::sum(x, 2); }, {"Sum", "axis 2", "dimension 2"}));
  EXPECT_TRUE(throws_with<np::axis_error>([&] { (void)F::sum(x, {0, -3}); }, {"Sum", "axis -3"}));
  EXPECT_TRUE(
      throws_with<np::axis_error>([&] { (void)F::max(x, 2); }, {"Max", "axis 2", "dimension 2"}));
  EXPECT_TRUE(throws_with<np::axis_error>([&] { (void)x.min(-3); }, {"Min", "axis -3"}));
  EXPECT_TRUE(throws_with<np::axis_error>([&] { (void)F::softmax(x, 2); },
                                          {"Softmax", "axis 2", "dimension 2"}));
  // the default axis 1 does not exist in a 1-d array
  EXPECT_TRUE(throws_with<np::axis_error>([] { (void)F::softmax(Variable(x1())); },
                                          {"Softmax", "axis 1", "dimension 1"}));
  EXPECT_TRUE(
      throws_with<np::axis_error>([&] { (void)F::log_softmax(x, -3); }, {"LogSoftmax", "axis -3"}));
  EXPECT_TRUE(throws_with<np::axis_error>([&] { (void)F::mean(x, 5); }, {"Sum", "axis 5"}));
}

// ===================================== pow(x, 0) ============================================

// d/dx x^0 = 0 everywhere; the book's 0 * x^-1 gives NaN at x = 0.
TEST_F(NnFunctions, PowZeroExponentAtZero) {
  const Variable x(np::array({0.0, 2.0, -1.5}));
  const Variable y = pow(x, 0);
  EXPECT_TRUE(data_is(y, {3}, np::float64, {1, 1, 1}));
  y.backward({.create_graph = true});
  EXPECT_TRUE(data_is(x.grad(), {3}, np::float64, {0, 0, 0}));
  const Variable gx = x.grad();
  x.cleargrad();
  gx.backward();  // the second derivative is 0 too (or no gradient at all)
  if (x.grad()) {
    EXPECT_TRUE(data_is(x.grad(), {3}, np::float64, {0, 0, 0}));
  }
  x.cleargrad();

  const Variable x0(np::array(0.0));
  pow(x0, 0.0).backward();
  EXPECT_TRUE(data_is(x0.grad(), {}, np::float64, {0}));
  const Variable x32(np::array({0.0f, 1.0f}));
  pow(x32, 0).backward();
  EXPECT_TRUE(data_is(x32.grad(), {2}, np::float32, {0, 0}));
  // inside a larger expression: d/dx (x^0 * x) = 1 at x = 0
  const Variable xs(np::array({0.0}));
  (pow(xs, 0) * xs).backward();
  EXPECT_TRUE(data_is(xs.grad(), {1}, np::float64, {1}));
  // an exponent array with zeros in it: c x^(c-1) where c != 0, 0 where c == 0
  const Variable xa(np::array({0.0, 3.0, 0.0}));
  pow(xa, np::array({0.0, 2.0, 0.0})).backward();
  EXPECT_TRUE(data_is(xa.grad(), {3}, np::float64, {0, 6, 0}));
}

// ===================================== mean_squared_error ===================================

TEST_F(NnFunctions, MeanSquaredError) {
  const np::ndarray a = np::array({{1.0, 2.0, 3.0}, {0.5, -1.0, 2.0}});
  const np::ndarray c = np::array({{0.0, 2.5, 1.0}, {1.0, 1.0, -1.0}});
  for (bool simple : {false, true}) {
    const Variable x0(a), x1v(c);
    const Variable y =
        simple ? F::mean_squared_error_simple(x0, x1v) : F::mean_squared_error(x0, x1v);
    EXPECT_EQ(name_of(y), simple ? "Div" : "MeanSquaredError");
    // (1 + 0.25 + 4 + 0.25 + 4 + 9) / len 2
    EXPECT_TRUE(data_is(y, {}, np::float64, {9.25})) << simple;
    y.backward();
    // gx0 = 2 (x0 - x1) / len, gx1 = -gx0
    EXPECT_TRUE(data_is(x0.grad(), {2, 3}, np::float64, {1, -0.5, 2, -0.5, -2, 3})) << simple;
    EXPECT_TRUE(data_is(x1v.grad(), {2, 3}, np::float64, {-1, 0.5, -2, 0.5, 2, -3})) << simple;
    const Variable z = simple ? F::mean_squared_error_simple(Variable(np::array({1.0, -2.0, 0.5})),
                                                             Variable(np::array({0.0, 1.0, 0.5})))
                              : F::mean_squared_error(Variable(np::array({1.0, -2.0, 0.5})),
                                                      Variable(np::array({0.0, 1.0, 0.5})));
    EXPECT_TRUE(data_is(z, {}, np::float64, {3.3333333333333335})) << simple;
  }
  const np::ndarray r0 = np::random::randn({4, 3}), r1 = np::random::randn({4, 3});
  EXPECT_TRUE(check_inputs([](const Variables& v) { return F::mean_squared_error(v[0], v[1]); },
                           {r0, r1}, {0, 1}));
  EXPECT_TRUE(
      check_inputs([](const Variables& v) { return F::mean_squared_error_simple(v[0], v[1]); },
                   {r0, r1}, {0, 1}));
  EXPECT_TRUE(
      check_inputs([](const Variables& v) { return F::mean_squared_error(F::sin(v[0]), v[1]); },
                   {np::random::randn({2, 3, 2}), np::random::randn({2, 3, 2})}, {0, 1}));

  EXPECT_TRUE(throws_with<np::shape_error>(
      [&] { (void)F::mean_squared_error(Variable(a), Variable(a.T())); },
      {"mean_squared_error", "(2, 3)", "(3, 2)"}));
  EXPECT_TRUE(throws_with<np::shape_error>(
      [&] { (void)F::mean_squared_error_simple(Variable(a), Variable(np::ones({3}))); },
      {"mean_squared_error_simple", "(2, 3)", "(3,)"}));
  EXPECT_TRUE(throws_with<np::shape_error>(
      [] { (void)F::mean_squared_error(Variable(np::array(1.0)), Variable(np::array(2.0))); },
      {"mean_squared_error", "0-d"}));
}

// ===================================== softmax_cross_entropy ================================

np::ndarray sce_x() {
  return np::array({{0.2, -1.0, 3.0, 0.5}, {1.0, 1.0, 1.0, 1.0}, {-2.0, 0.0, 2.0, 4.0}});
}

TEST_F(NnFunctions, SoftmaxCrossEntropyValuesAndGradient) {
  const std::vector<double> grad = {0.017455937042834987,
                                    0.005257627200805697,
                                    -0.046276614605403665,
                                    0.02356305036176301,
                                    -0.25,
                                    0.08333333333333333,
                                    0.08333333333333333,
                                    0.08333333333333333,
                                    0.0007146695945282113,
                                    -0.3280525996071644,
                                    0.039019637746177636,
                                    0.2883182922664585};
  for (bool simple : {false, true}) {
    const Variable x(sce_x()), t(np::array({2, 0, 1}));
    const Variable loss =
        simple ? F::softmax_cross_entropy_simple(x, t) : F::softmax_cross_entropy(x, t);
    EXPECT_EQ(name_of(loss), simple ? "Div" : "SoftmaxCrossEntropy");
    EXPECT_TRUE(data_is(loss, {}, np::float64, {1.893611822643617}, 1e-15)) << simple;
    loss.backward();
    // (softmax(x) - onehot(t)) / N
    EXPECT_TRUE(data_is(x.grad(), {3, 4}, np::float64, grad, 1e-15)) << simple;
    EXPECT_FALSE(t.grad()) << simple;  // labels get no gradient
    EXPECT_EQ(t.dtype(), np::int64);
  }
  // labels as a column (N, 1), and int32 labels
  EXPECT_TRUE(
      data_is(F::softmax_cross_entropy(Variable(sce_x()), Variable(np::array({{2}, {0}, {1}}))), {},
              np::float64, {1.893611822643617}, 1e-15));
  EXPECT_TRUE(data_is(
      F::softmax_cross_entropy(Variable(sce_x()), Variable(np::array({2, 0, 1}).astype(np::int32))),
      {}, np::float64, {1.893611822643617}, 1e-15));
  // large scores: log-sum-exp keeps the fused loss finite, (0 + 1000) / 2
  EXPECT_TRUE(data_is(F::softmax_cross_entropy(Variable(np::array({{1000.0, 0.0}, {0.0, -1000.0}})),
                                               Variable(np::array({0, 1}))),
                      {}, np::float64, {500.0}));

  const np::ndarray r = np::random::randn({5, 4});
  const np::ndarray t = np::array({0, 3, 3, 1, 2});
  EXPECT_TRUE(gradient_check([&](const Variable& v) { return F::softmax_cross_entropy(v, t); }, r));
  EXPECT_TRUE(
      gradient_check([&](const Variable& v) { return F::softmax_cross_entropy_simple(v, t); }, r));
  const np::ndarray W = np::random::randn({4, 4});
  EXPECT_TRUE(gradient_check(
      [&](const Variable& v) { return F::softmax_cross_entropy(F::linear(v, W), t); }, r));
  EXPECT_TRUE(gradient_check(
      first_gradient([&](const Variable& v) { return F::softmax_cross_entropy(v, t); }), r));
}

TEST_F(NnFunctions, SoftmaxCrossEntropyBadLabels) {
  const Variable x(sce_x());
  for (bool simple : {false, true}) {
    const std::string fn = simple ? "softmax_cross_entropy_simple" : "softmax_cross_entropy";
    const auto sce = [simple](const Variable& a, const Variable& b) {
      return simple ? F::softmax_cross_entropy_simple(a, b) : F::softmax_cross_entropy(a, b);
    };
    EXPECT_TRUE(throws_with<np::shape_error>(
        [&] {
          (void)sce(x, Variable(np::array({0, 1})));
        },
        {fn + ": ", "2 labels", "(2,)", "3 rows", "(3, 4)"}));
    EXPECT_TRUE(throws_with<np::shape_error>(
        [&] {
          (void)sce(x, Variable(np::array({0, 1, 2, 3})));
        },
        {fn, "4 labels", "3 rows"}));
    EXPECT_TRUE(throws_with<np::index_error>(
        [&] {
          (void)sce(x, Variable(np::array({0, 1, 4})));
        },
        {fn, "label 4", "at 2", "[0, 4)"}));
    EXPECT_TRUE(throws_with<np::index_error>(
        [&] {
          (void)sce(x, Variable(np::array({-1, 1, 0})));
        },
        {fn, "label -1", "at 0", "[0, 4)"}));
    EXPECT_TRUE(throws_with<np::dtype_error>(
        [&] {
          (void)sce(x, Variable(np::array({0.0, 1.0, 2.0})));
        },
        {fn, "integers", "float64"}));
    EXPECT_TRUE(
        throws_with<np::shape_error>([&] { (void)sce(Variable(x1()), Variable(np::array({0}))); },
                                     {fn, "(N, classes)", "(5,)"}));
  }
}

// ===================================== sigmoid / binary cross entropy =======================

TEST_F(NnFunctions, SigmoidCrossEntropy) {
  const np::ndarray xd = np::array({{0.5}, {-1.0}, {2.0}, {0.0}});
  const std::vector<double> td = {1, 0, 0, 1};
  // d/dx = (sigmoid(x) - t) / N
  std::vector<double> grad;
  for (std::size_t i = 0; i < td.size(); ++i) {
    grad.push_back((sigmoid_ref(xd.flat(static_cast<std::int64_t>(i))) - td[i]) / 4.0);
  }
  // int labels of another shape (4,), and float targets of x's shape
  for (const np::ndarray& t : {np::array({1, 0, 0, 1}), np::array({{1.0}, {0.0}, {0.0}, {1.0}})}) {
    const Variable x(xd);
    const Variable loss = F::sigmoid_cross_entropy(x, t);
    EXPECT_EQ(loss.shape(), np::Shape{});
    EXPECT_TRUE(data_is(loss, {}, np::float64, {0.9018534658253118}, 1e-15));
    loss.backward();
    EXPECT_TRUE(data_is(x.grad(), {4, 1}, np::float64, grad, 1e-15));
  }
  const np::ndarray r = np::random::randn({3, 2});
  const np::ndarray t = np::array({{1, 0}, {0, 0}, {1, 1}});
  EXPECT_TRUE(gradient_check([&](const Variable& v) { return F::sigmoid_cross_entropy(v, t); }, r));
  EXPECT_TRUE(throws_with<np::shape_error>(
      [&] {
        (void)F::sigmoid_cross_entropy(Variable(xd), Variable(np::array({1, 0, 1})));
      },
      {"sigmoid_cross_entropy", "3 targets", "(3,)", "4 predictions", "(4, 1)"}));
  EXPECT_TRUE(throws_with<np::shape_error>(
      [] { (void)F::sigmoid_cross_entropy(Variable(np::array(0.5)), Variable(np::array(1))); },
      {"sigmoid_cross_entropy", "0-d"}));
}

TEST_F(NnFunctions, BinaryCrossEntropy) {
  // p = 1.0 is clipped to 0.999, so its target 1 costs -log(0.999)
  const Variable p(np::array({0.9, 0.2, 0.6, 1.0}));
  const Variable loss = F::binary_cross_entropy(p, np::array({1.0, 0.0, 0.0, 1.0}));
  EXPECT_TRUE(data_is(loss, {}, np::float64, {0.3114488247949436}, 1e-15));
  EXPECT_NEAR(loss.item(), -(std::log(0.9) + std::log(0.8) + std::log(0.4) + std::log(0.999)) / 4,
              1e-15);
  loss.backward();
  // d/dp = -(t / p - (1 - t) / (1 - p)) / N inside the clip, 0 where it clipped
  EXPECT_TRUE(
      data_is(p.grad(), {4}, np::float64, {-1 / 0.9 / 4, 1 / 0.8 / 4, 1 / 0.4 / 4, 0}, 1e-15));
  // integer targets
  EXPECT_TRUE(data_is(F::binary_cross_entropy(Variable(np::array({0.9, 0.2, 0.6, 1.0})),
                                              Variable(np::array({1, 0, 0, 1}))),
                      {}, np::float64, {0.3114488247949436}, 1e-15));
  const np::ndarray r = np::random::rand({3, 2}) * 0.8 + 0.1;
  EXPECT_TRUE(gradient_check(
      [](const Variable& v) {
        return F::binary_cross_entropy(v, np::array({{1, 0}, {0, 0}, {1, 1}}));
      },
      r));
  EXPECT_TRUE(throws_with<np::shape_error>(
      [&] {
        (void)F::binary_cross_entropy(p, Variable(np::array({1, 0})));
      },
      {"binary_cross_entropy", "2 targets", "4 predictions"}));
}

// ===================================== accuracy =============================================

TEST_F(NnFunctions, Accuracy) {
  const np::ndarray y = np::array({{0.1, 0.9}, {0.8, 0.2}, {0.3, 0.7}});
  const Variable acc = F::accuracy(y, np::array({1, 1, 1}));
  EXPECT_FALSE(acc.creator());  // not differentiable: no graph
  EXPECT_TRUE(data_is(acc, {}, np::float64, {2.0 / 3}));
  EXPECT_TRUE(data_is(F::accuracy(y, np::array({1, 0, 1})), {}, np::float64, {1.0}));
  EXPECT_TRUE(data_is(F::accuracy(y, np::array({0, 1, 0})), {}, np::float64, {0.0}));
  // labels as a column, float32 scores: still a 0-d float64
  EXPECT_TRUE(data_is(F::accuracy(y.astype(np::float32), np::array({{1}, {0}, {0}})), {},
                      np::float64, {2.0 / 3}));
  EXPECT_TRUE(throws_with<np::shape_error>(
      [&] {
        (void)F::accuracy(y, np::array({1, 1}));
      },
      {"accuracy", "(3, 2)", "(2,)"}));
  EXPECT_TRUE(throws_with<np::shape_error>(
      [&] { (void)F::accuracy(Variable(x1()), np::array({1})); }, {"accuracy", "(5,)"}));
}

// ===================================== float32 ==============================================

// float32 in, float32 out, float32 gradients for every input that gets one; integer labels
// stay int64 and get no gradient.
TEST_F(NnFunctions, Float32IsKeptForwardAndBackward) {
  const auto f32 = [](const np::ndarray& a) { return a.astype(np::float32); };
  const np::ndarray a = f32(np::random::randn({3, 4})), b = f32(np::random::randn({3, 4}));
  const np::ndarray W = f32(np::random::randn({4, 2})), bias = f32(np::random::randn({2}));
  const np::ndarray p = f32(np::random::rand({3, 4}) * 0.8 + 0.1);
  const np::ndarray labels = np::array({1, 0, 3});
  const np::ndarray s0 = f32(np::array(0.3));  // 0-d
  struct Case {
    const char* what;
    std::vector<np::ndarray> inputs;
    MultiFn f;
  };
  const std::vector<Case> cases = {
      {"get_item",
       {a},
       [](const Variables& v) {
         return v[0][{np::slice(), np::array({0, 0, 2})}];
       }},
      {"get_item 0-d",
       {a},
       [](const Variables& v) {
         return v[0][{1, 2}];
       }},
      {"expand_dims", {a}, [](const Variables& v) { return F::expand_dims(v[0], 1); }},
      {"flatten", {a}, [](const Variables& v) { return F::flatten(v[0]); }},
      {"mean", {a}, [](const Variables& v) { return F::mean(v[0]); }},
      {"mean axis", {a}, [](const Variables& v) { return F::mean(v[0], -1, true); }},
      {"linear", {a, W, bias}, [](const Variables& v) { return F::linear(v[0], v[1], v[2]); }},
      {"linear no b", {a, W}, [](const Variables& v) { return F::linear(v[0], v[1]); }},
      {"linear_simple",
       {a, W, bias},
       [](const Variables& v) { return F::linear_simple(v[0], v[1], v[2]); }},
      {"sigmoid", {a}, [](const Variables& v) { return F::sigmoid(v[0]); }},
      {"sigmoid 0-d", {s0}, [](const Variables& v) { return F::sigmoid(v[0]); }},
      {"sigmoid_simple", {a}, [](const Variables& v) { return F::sigmoid_simple(v[0]); }},
      {"relu", {a}, [](const Variables& v) { return F::relu(v[0]); }},
      {"relu 0-d", {s0}, [](const Variables& v) { return F::relu(v[0]); }},
      {"leaky_relu", {a}, [](const Variables& v) { return F::leaky_relu(v[0]); }},
      {"leaky_relu 0-d", {s0}, [](const Variables& v) { return F::leaky_relu(v[0], 0.1); }},
      {"softmax", {a}, [](const Variables& v) { return F::softmax(v[0]); }},
      {"softmax_simple", {a}, [](const Variables& v) { return F::softmax_simple(v[0]); }},
      {"log_softmax", {a}, [](const Variables& v) { return F::log_softmax(v[0], 0); }},
      {"clip", {a}, [](const Variables& v) { return F::clip(v[0], -0.5, 0.5); }},
      {"clip 0-d", {s0}, [](const Variables& v) { return F::clip(v[0], -0.5, 0.5); }},
      {"max", {a}, [](const Variables& v) { return F::max(v[0], -1); }},
      {"min", {a}, [](const Variables& v) { return v[0].min(); }},
      {"mean_squared_error",
       {a, b},
       [](const Variables& v) { return F::mean_squared_error(v[0], v[1]); }},
      {"mean_squared_error_simple",
       {a, b},
       [](const Variables& v) { return F::mean_squared_error_simple(v[0], v[1]); }},
      {"softmax_cross_entropy",
       {a},
       [&](const Variables& v) { return F::softmax_cross_entropy(v[0], labels); }},
      {"softmax_cross_entropy_simple",
       {a},
       [&](const Variables& v) { return F::softmax_cross_entropy_simple(v[0], labels); }},
      {"sigmoid_cross_entropy",
       {a},
       [](const Variables& v) {
         return F::sigmoid_cross_entropy(v[0],
                                         np::array({{1, 0, 0, 1}, {0, 0, 1, 1}, {1, 1, 1, 0}}));
       }},
      {"binary_cross_entropy",
       {p, f32(np::array({{1.0, 0.0, 0.0, 1.0}, {0.0, 0.0, 1.0, 1.0}, {1.0, 1.0, 1.0, 0.0}}))},
       [](const Variables& v) { return F::binary_cross_entropy(v[0], v[1]); }},
  };
  for (const auto& c : cases) {
    Variables xs;
    for (const auto& in : c.inputs) xs.emplace_back(in);
    const Variable y = c.f(xs);
    EXPECT_EQ(y.dtype(), np::float32) << c.what;
    y.backward();
    for (std::size_t i = 0; i < xs.size(); ++i) {
      ASSERT_TRUE(xs[i].grad()) << c.what << " input " << i;
      EXPECT_EQ(xs[i].grad().dtype(), np::float32) << c.what << " input " << i;
      EXPECT_EQ(xs[i].grad().shape(), xs[i].shape()) << c.what << " input " << i;
    }
  }
  // second-order gradients stay float32 too
  const Variable x(a);
  F::sum(F::sigmoid(x) * F::softmax(x)).backward({.create_graph = true});
  const Variable gx = x.grad();
  x.cleargrad();
  EXPECT_EQ(gx.dtype(), np::float32);
  F::sum(gx).backward();
  EXPECT_EQ(x.grad().dtype(), np::float32);
  x.cleargrad();

  // labels: int64, no gradient; accuracy: float64
  const Variable t(labels);
  const Variable x2v(a);
  F::softmax_cross_entropy(x2v, t).backward();
  EXPECT_EQ(t.dtype(), np::int64);
  EXPECT_FALSE(t.grad());
  EXPECT_EQ(F::accuracy(x2v, t).dtype(), np::float64);

  // float32 values agree with float64 ones to float32 precision
  const Variable l32 = F::softmax_cross_entropy(f32(sce_x()), np::array({2, 0, 1}));
  EXPECT_TRUE(data_is(l32, {}, np::float32, {1.893611822643617}, 1e-6));
  EXPECT_TRUE(data_is(F::sigmoid(Variable(f32(np::array(0.7)))), {}, np::float32,
                      {0.6681877721681662}, 1e-7));
}

}  // namespace
