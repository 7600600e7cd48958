// F::dropout and test mode (the book's step 54): the mask drawn from the global generator as
// NumPy draws it (goldens printed by NumPy 1.24.2 for the same seeds), the inverted scaling,
// identity in test mode without any draw, the gradient through the kept elements only, the
// statistics of a large mask, dtypes and bad arguments.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "dezero/dezero.hpp"
#include "tests/dezero/helpers.hpp"

namespace {

namespace F = dezero::functions;
using dezero::Config;
using dezero::Variable;
using dztest::array_is;
using dztest::data_is;
using dztest::throws_with;

TEST(Dropout, TheMaskIsNumPysDrawForTheSeed) {
  // np.random.seed(0); x = np.ones(5); x * (np.random.rand(5) > 0.5) / np.array(0.5)
  //   -> [2. 2. 2. 2. 0.]   (rand(5) = 0.5488.., 0.7152.., 0.6028.., 0.5449.., 0.4237..)
  np::random::seed(0);
  const Variable y = F::dropout(np::ones({5}));
  EXPECT_TRUE(data_is(y, {5}, np::float64, {2, 2, 2, 2, 0}));
  EXPECT_EQ(dztest::printed(y), "variable([2. 2. 2. 2. 0.])");
}

TEST(Dropout, Float32StaysFloat32AndTheGeneratorMovesOnByOneDrawPerElement) {
  // np.random.seed(42); x = np.arange(6.0).reshape(2, 3).astype(np.float32)
  // x * (np.random.rand(2, 3) > 0.3) / np.array(0.7).astype(np.float32)
  //   -> [[0. 1.4285715 2.857143] [4.285714 0. 0.]] float32
  np::random::seed(42);
  const Variable x(np::arange(0.0, 6.0, 1.0).reshape({2, 3}).astype(np::float32));
  const Variable y = F::dropout(x, {.dropout_ratio = 0.3});
  EXPECT_TRUE(data_is(y, {2, 3}, np::float32,
                      {0.0, static_cast<float>(1.4285715), static_cast<float>(2.857143),
                       static_cast<float>(4.285714), 0.0, 0.0}));
  np::random::RandomState same(42);
  same.rand({2, 3});
  EXPECT_EQ(np::random::rand({2}).to_vector<double>(), same.rand({2}).to_vector<double>());
}

TEST(Dropout, TestModeReturnsXItselfWithoutDrawing) {
  const Variable x(np::ones({5}));
  np::random::seed(3);
  {
    auto guard = dezero::test_mode();
    EXPECT_FALSE(Config::train);
    const Variable y = F::dropout(x);
    EXPECT_TRUE(y.is(x));
    EXPECT_EQ(dztest::printed(y), "variable([1. 1. 1. 1. 1.])");
  }
  EXPECT_TRUE(Config::train);
  // No draw happened: the generator is where seed(3) left it.
  EXPECT_EQ(np::random::rand().item(), np::random::RandomState(3).rand().item());
  // And training mode again draws a mask.
  const Variable y = F::dropout(x);
  EXPECT_FALSE(y.is(x));
}

TEST(Dropout, TheGradientFlowsThroughTheKeptElementsOnly) {
  np::random::seed(0);  // the mask of the first test: kept, kept, kept, kept, dropped
  const Variable x(np::array({0.5, -1.0, 2.0, 3.0, -4.0}));
  const Variable y = F::dropout(x);
  EXPECT_TRUE(data_is(y, {5}, np::float64, {1.0, -2.0, 4.0, 6.0, 0.0}));
  // Made of the book's two operations: x * mask, then / scale.
  ASSERT_TRUE(y.creator());
  EXPECT_EQ(y.creator()->type(), "Div");
  EXPECT_EQ(y.creator()->input(0).creator()->type(), "Mul");
  const Variable loss = F::sum(y * np::array({1.0, 2.0, 3.0, 4.0, 5.0}));
  loss.backward();
  // d loss / dx_i = w_i * mask_i / 0.5
  EXPECT_TRUE(data_is(x.grad(), {5}, np::float64, {2.0, 4.0, 6.0, 8.0, 0.0}));
}

TEST(Dropout, AboutTheRatioOfElementsIsDroppedAndTheMeanIsKept) {
  np::random::seed(1);
  const Variable y = F::dropout(np::ones({200, 500}), {.dropout_ratio = 0.3});
  const auto values = y.data().to_vector<double>();
  std::size_t kept = 0;
  for (double v : values) {
    if (v != 0.0) {
      ++kept;
      ASSERT_EQ(v, 1.0 / 0.7);  // the kept ones scaled by 1 / (1 - ratio)
    }
  }
  const double fraction = static_cast<double>(kept) / static_cast<double>(values.size());
  // 100 000 draws: the standard deviation of the fraction is 0.0014.
  EXPECT_NEAR(fraction, 0.7, 0.01);
  EXPECT_NEAR(y.data().mean().item(), 1.0, 0.015);
}

TEST(Dropout, ARatioOfZeroKeepsEverythingButStillDraws) {
  np::random::seed(2);
  const Variable y = F::dropout(np::array({1.0, 2.0}), {.dropout_ratio = 0.0});
  EXPECT_TRUE(data_is(y, {2}, np::float64, {1.0, 2.0}));
  np::random::RandomState same(2);
  same.rand({2});
  EXPECT_EQ(np::random::rand().item(), same.rand().item());
}

TEST(Dropout, BadArgumentsAreNamed) {
  const Variable x(np::ones({3}));
  for (double ratio : {1.0, -0.1, 1.5, std::numeric_limits<double>::quiet_NaN()}) {
    EXPECT_TRUE(throws_with<std::invalid_argument>([&] { F::dropout(x, {.dropout_ratio = ratio}); },
                                                   {"dropout", "dropout_ratio", "[0, 1)"}))
        << ratio;
  }
  EXPECT_TRUE(throws_with<np::dtype_error>([] { F::dropout(np::arange(3)); },
                                           {"dropout", "float32 or float64", "int64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { F::dropout(Variable()); },
                                                 {"dropout", "None"}));
}

}  // namespace
