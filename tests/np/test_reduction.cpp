// Reductions: sum, mean, max, min, argmax, argmin over all elements, one axis, negative axes,
// tuples of axes and with keepdims. Float32 sums must be NumPy's bit for bit (pairwise along
// the contiguous axis, in blocks of 8192, rows added one after another otherwise): the
// expected float32 values are repr(float(x)) of what NumPy 1.24.2 printed.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "np/ndarray.hpp"
#include "tests/np/expect.hpp"

namespace {

using nptest::array_is;

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// (np.arange(n, dtype=np.float64) * step + offset).astype(np.float32)
np::ndarray ramp32(std::int64_t n, double step, double offset) {
  return (np::arange(0.0, static_cast<double>(n)) * np::ndarray(step) + np::ndarray(offset))
      .astype(np::float32);
}

// ----------------------------------------------------------------- integer arrays

TEST(Reduction, IntSum) {
  // x = np.arange(24).reshape(2, 3, 4)
  const auto x = np::arange(24).reshape({2, 3, 4});
  EXPECT_TRUE(array_is(x.sum(), {}, np::int64, {276}));
  EXPECT_TRUE(
      array_is(np::sum(x, 0), {3, 4}, np::int64, {12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34}));
  EXPECT_TRUE(array_is(x.sum(-1), {2, 3}, np::int64, {6, 22, 38, 54, 70, 86}));
  EXPECT_TRUE(array_is(x.sum({0, 2}), {3}, np::int64, {60, 92, 124}));
  EXPECT_TRUE(array_is(x.sum({2, 0}), {3}, np::int64, {60, 92, 124}));
  EXPECT_TRUE(array_is(x.sum(1, true), {2, 1, 4}, np::int64, {12, 15, 18, 21, 48, 51, 54, 57}));
  EXPECT_TRUE(array_is(x.sum(np::none, true), {1, 1, 1}, np::int64, {276}));
  EXPECT_TRUE(array_is(
      x.sum(std::vector<int>{}), {2, 3, 4}, np::int64,
      {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}));
}

TEST(Reduction, SumDtypes) {
  // np.array([True, False, True]).sum() -> 2 (int64)
  EXPECT_TRUE(array_is(np::array({true, false, true}).sum(), {}, np::int64, {2}));
  // np.array([2**30, 2**30], np.int32).sum() -> 2147483648 (int64, no overflow)
  const auto i32 = np::array({1 << 30, 1 << 30}, np::int32);
  EXPECT_TRUE(array_is(i32.sum(), {}, np::int64, {2147483648.0}));
  // NumPy sums uint8 in uint64 (300); we have no uint64 and use int64
  EXPECT_TRUE(array_is(np::array({200, 100}, np::uint8).sum(), {}, np::int64, {300}));
  EXPECT_EQ(np::ones({2}, np::float32).sum().dtype(), np::float32);
  EXPECT_TRUE(array_is(np::zeros({0}).sum(), {}, np::float64, {0}));
  EXPECT_TRUE(array_is(np::zeros({2, 0}).sum(1), {2}, np::float64, {0, 0}));
  EXPECT_TRUE(array_is(np::ndarray(2.5).sum(), {}, np::float64, {2.5}));
}

TEST(Reduction, IntMean) {
  const auto x = np::arange(24).reshape({2, 3, 4});
  EXPECT_TRUE(array_is(x.mean(), {}, np::float64, {11.5}));
  EXPECT_TRUE(array_is(x.mean(1), {2, 4}, np::float64, {4, 5, 6, 7, 16, 17, 18, 19}));
  EXPECT_TRUE(array_is(x.mean({0, -1}), {3}, np::float64, {7.5, 11.5, 15.5}));
  EXPECT_TRUE(array_is(x.mean({0, -1}, true), {1, 3, 1}, np::float64, {7.5, 11.5, 15.5}));
  // np.array([True, False, True]).mean() -> 0.6666666666666666
  EXPECT_TRUE(
      array_is(np::array({true, false, true}).mean(), {}, np::float64, {0.6666666666666666}));
  EXPECT_EQ(np::array({1, 2}, np::int32).mean().dtype(), np::float64);
}

TEST(Reduction, IntMaxMin) {
  // y = np.array([[3, -1, 7, 7], [0, 9, -5, 9], [2, 2, 2, 2]])
  const auto y = np::array({{3, -1, 7, 7}, {0, 9, -5, 9}, {2, 2, 2, 2}});
  EXPECT_TRUE(array_is(y.max(), {}, np::int64, {9}));
  EXPECT_TRUE(array_is(y.min(), {}, np::int64, {-5}));
  EXPECT_TRUE(array_is(y.max(0), {4}, np::int64, {3, 9, 7, 9}));
  EXPECT_TRUE(array_is(y.max(1), {3}, np::int64, {7, 9, 2}));
  EXPECT_TRUE(array_is(np::min(y, 1), {3}, np::int64, {-1, -5, 2}));
  EXPECT_TRUE(array_is(y.min(-2, true), {1, 4}, np::int64, {0, -1, -5, 2}));
  EXPECT_TRUE(array_is(y.astype(np::uint8).max(), {}, np::uint8, {255}));  // -1 wraps to 255
  EXPECT_TRUE(array_is(np::array({true, false}).min(), {}, np::bool_, {0}));
}

TEST(Reduction, ArgmaxArgminFirstWins) {
  const auto y = np::array({{3, -1, 7, 7}, {0, 9, -5, 9}, {2, 2, 2, 2}});
  EXPECT_TRUE(array_is(y.argmax(), {}, np::int64, {5}));
  EXPECT_TRUE(array_is(np::argmin(y), {}, np::int64, {6}));
  EXPECT_TRUE(array_is(y.argmax(1), {3}, np::int64, {2, 1, 0}));
  EXPECT_TRUE(array_is(np::argmin(y, 1), {3}, np::int64, {1, 2, 0}));
  EXPECT_TRUE(array_is(np::argmax(y, 0), {4}, np::int64, {0, 1, 0, 1}));
  EXPECT_TRUE(array_is(np::argmin(y, -2), {4}, np::int64, {1, 0, 1, 2}));
  EXPECT_TRUE(array_is(np::array({1.0, 3.0, 3.0, 2.0}).argmax(), {}, np::int64, {1}));
  EXPECT_TRUE(array_is(np::argmax(np::ndarray(4.0)), {}, np::int64, {0}));
  EXPECT_THROW(np::argmax(np::zeros({0})), std::invalid_argument);
}

// ----------------------------------------------------------------- float arrays

TEST(Reduction, FloatReductions) {
  // x = np.arange(24.).reshape(2, 3, 4) * 0.5
  const auto x = np::arange(0.0, 24.0).reshape({2, 3, 4}) * np::ndarray(0.5);
  EXPECT_TRUE(array_is(x.sum({0, 1}), {4}, np::float64, {30, 33, 36, 39}));
  EXPECT_TRUE(array_is(x.max({0, 2}), {3}, np::float64, {7.5, 9.5, 11.5}));
  EXPECT_TRUE(array_is(x.min({2, 1}, true), {2, 1, 1}, np::float64, {0, 6}));
  EXPECT_TRUE(array_is(x.mean(-2), {2, 4}, np::float64, {2, 2.5, 3, 3.5, 8, 8.5, 9, 9.5}));
  // d = np.arange(1000, dtype=np.float64) * 0.1
  const auto d = np::arange(0.0, 1000.0) * np::ndarray(0.1);
  EXPECT_EQ(d.sum().item(), 49950.0);
  EXPECT_EQ(d.reshape({10, 100}).sum(0).flat(3), 453.00000000000006);
  EXPECT_EQ(d.reshape({10, 100}).sum(1).flat(3), 3495.0);
}

TEST(Reduction, NanPropagates) {
  // z = np.array([1.0, np.nan, 3.0, np.nan])
  const auto z = np::array({1.0, kNan, 3.0, kNan});
  EXPECT_TRUE(std::isnan(z.max().item()));
  EXPECT_TRUE(std::isnan(z.min().item()));
  EXPECT_TRUE(std::isnan(z.sum().item()));
  EXPECT_TRUE(array_is(z.argmax(), {}, np::int64, {1}));
  EXPECT_TRUE(array_is(np::argmin(z), {}, np::int64, {1}));
  // np.array([[1., 2], [np.nan, 0]]).max(axis=1) -> [2, nan]
  EXPECT_TRUE(array_is(np::array({{1.0, 2.0}, {kNan, 0.0}}).max(1), {2}, np::float64, {2, kNan}));
  EXPECT_TRUE(array_is(np::array({{1.0, 2.0}, {0.0, kNan}}).min(1), {2}, np::float64, {1, kNan}));
}

TEST(Reduction, Float32SumOfArangeTimesPointOne) {
  // f = np.arange(1000, dtype=np.float32) * 0.1  (float32)
  const auto f = np::arange(1000).astype(np::float32) * np::ndarray(0.1);
  ASSERT_EQ(f.dtype(), np::float32);
  const auto s = f.sum();
  EXPECT_EQ(s.dtype(), np::float32);
  EXPECT_EQ(s.item(), 49950.0);
  EXPECT_TRUE(array_is(f.mean(), {}, np::float32, {49.95000076293945}));
  EXPECT_TRUE(array_is(f.max(), {}, np::float32, {99.9000015258789}));
  // Where the order shows: np.arange(3000, dtype=np.float32) * 0.1 sums to 449850.03125
  // (adding one after another, or in float64, gives 449850.0), and np.arange(20000, ...)
  // * 0.1 to 19999000.0 (one after another: 19998648.0).
  EXPECT_TRUE(array_is((np::arange(3000).astype(np::float32) * np::ndarray(0.1)).sum(), {},
                       np::float32, {449850.03125}));
  EXPECT_TRUE(array_is((np::arange(20000).astype(np::float32) * np::ndarray(0.1)).sum(), {},
                       np::float32, {19999000.0}));
}

TEST(Reduction, Float32SumsOfA300By7Array) {
  // g = (np.arange(2100, dtype=np.float64) * 0.01 + 1000).astype(np.float32).reshape(300, 7)
  const auto g = ramp32(2100, 0.01, 1000).reshape({300, 7});
  // axis 0: rows added one after another
  EXPECT_TRUE(array_is(
      g.sum(0), {7}, np::float32,
      {303139.5, 303142.5, 303145.46875, 303148.53125, 303151.46875, 303154.46875, 303157.53125}));
  // axis 1: seven contiguous values each
  const auto s1 = g.sum(1);
  ASSERT_EQ(s1.shape(), np::Shape{300});
  EXPECT_EQ(s1.flat(0), 7000.2099609375);
  EXPECT_EQ(s1.flat(1), 7000.69970703125);
  EXPECT_EQ(s1.flat(150), 7073.7099609375);
  EXPECT_EQ(s1.flat(299), 7146.7197265625);
  // all: pairwise over the 2100 values
  EXPECT_TRUE(array_is(g.sum(), {}, np::float32, {2122039.5}));
  EXPECT_TRUE(array_is(g.mean(), {}, np::float32, {1010.4949951171875}));
  EXPECT_TRUE(array_is(g.mean(0), {7}, np::float32,
                       {1010.4650268554688, 1010.4749755859375, 1010.4849243164062, 1010.4951171875,
                        1010.5048828125, 1010.514892578125, 1010.5250854492188}));
}

TEST(Reduction, Float32SumOverAColumn) {
  // h = (np.arange(300.) * 0.01 + 1000).astype(np.float32).reshape(300, 1): NumPy drops the
  // length-1 axis and adds the column pairwise, not row by row.
  const auto h = ramp32(300, 0.01, 1000).reshape({300, 1});
  EXPECT_TRUE(array_is(h.sum(0), {1}, np::float32, {300448.5}));
  EXPECT_TRUE(array_is(h.sum(0, true), {1, 1}, np::float32, {300448.5}));
  EXPECT_TRUE(array_is(h.sum(), {}, np::float32, {300448.5}));
  EXPECT_TRUE(array_is(h.reshape({1, 300, 1}).sum({0, 1}), {1}, np::float32, {300448.5}));
}

TEST(Reduction, Float32SumOverOuterAndLastAxes) {
  // k = (np.arange(1200.) * 0.013 + 3).astype(np.float32).reshape(6, 5, 40)
  const auto k = ramp32(1200, 0.013, 3).reshape({6, 5, 40});
  // k.sum(axis=(0, 2)): each row of 40 summed pairwise, the six row sums added in order
  EXPECT_TRUE(array_is(k.sum({0, 2}), {5}, np::float32,
                       {2340.840087890625, 2465.639892578125, 2590.43994140625, 2715.239990234375,
                        2840.040283203125}));
  // k.sum(axis=(1, 2)): the two trailing axes are one contiguous run of 200
  EXPECT_TRUE(array_is(k.sum({1, 2}), {6}, np::float32,
                       {858.699951171875, 1378.699951171875, 1898.699951171875, 2418.699951171875,
                        2938.7001953125, 3458.7001953125}));
  const auto s01 = k.sum({0, 1});
  ASSERT_EQ(s01.shape(), np::Shape{40});
  EXPECT_EQ(s01.flat(0), 316.1999816894531);
  EXPECT_EQ(s01.flat(1), 316.5899963378906);
  EXPECT_EQ(s01.flat(2), 316.9800109863281);
  EXPECT_TRUE(array_is(k.sum(), {}, np::float32, {12952.201171875}));
}

TEST(Reduction, Float32SumInBlocksOf8192) {
  // m = (np.arange(54000.) * 0.001 + 100).astype(np.float32).reshape(2, 3, 9000): every
  // 9000-value row is summed as a block of 8192 and one of 808, each added to the result.
  const auto m = ramp32(54000, 0.001, 100).reshape({2, 3, 9000});
  EXPECT_TRUE(array_is(m.sum({0, 2}), {3}, np::float32, {2123991.25, 2285991.25, 2447991.25}));
  EXPECT_TRUE(array_is(m.sum(2), {2, 3}, np::float32,
                       {940495.5625, 1021495.5625, 1102495.5, 1183495.5, 1264495.5, 1345495.5}));
  EXPECT_TRUE(array_is(m.sum(), {}, np::float32, {6857972.5}));
}

// ----------------------------------------------------------------- errors

TEST(Reduction, AxisErrors) {
  const auto x = np::zeros({2, 3});
  EXPECT_TRUE(nptest::throws_with<np::axis_error>([&] { x.sum({0, 0}); }, {"duplicate"}));
  EXPECT_THROW(x.sum({0, -2}), np::axis_error);
  EXPECT_THROW(x.max({1, -1}), np::axis_error);
  EXPECT_TRUE(nptest::throws_with<np::axis_error>([&] { x.sum(2); }, {"axis 2", "dimension 2"}));
  EXPECT_THROW(x.mean(-3), np::axis_error);
  EXPECT_THROW(x.min(5), np::axis_error);
  EXPECT_THROW(np::argmax(x, 2), np::axis_error);
  EXPECT_THROW(np::argmin(x, -3), np::axis_error);
  EXPECT_THROW(np::ndarray(1.0).sum(0), np::axis_error);
}

TEST(Reduction, EmptyMaxHasNoIdentity) {
  EXPECT_THROW(np::zeros({0}).max(), std::invalid_argument);
  EXPECT_THROW(np::zeros({2, 0}).min(1), std::invalid_argument);
  EXPECT_TRUE(array_is(np::zeros({0, 2}).max(1), {0}, np::float64, {}));
}

TEST(Reduction, NoneOperand) {
  const np::ndarray none;
  EXPECT_THROW(none.sum(), std::invalid_argument);
  EXPECT_THROW(none.mean(), std::invalid_argument);
  EXPECT_THROW(none.max(), std::invalid_argument);
  EXPECT_THROW(np::argmin(none), std::invalid_argument);
}

// ----------------------------------------------------------------- all, any, allclose

TEST(Reduction, Predicates) {
  EXPECT_TRUE(np::all(np::array({1, 2, 3})));
  EXPECT_FALSE(np::all(np::array({1.0, 0.0})));
  EXPECT_TRUE(np::any(np::array({0.0, -0.5})));
  EXPECT_FALSE(np::any(np::zeros({3})));
  EXPECT_TRUE(np::all(np::zeros({0})));
  EXPECT_FALSE(np::any(np::zeros({0})));
  EXPECT_TRUE(np::array_equal(np::array({1, 2}), np::array({1.0, 2.0})));
  EXPECT_FALSE(np::array_equal(np::array({1, 2}), np::array({{1, 2}})));
  EXPECT_FALSE(np::array_equal(np::array({1, 2}), np::array({1, 3})));
  // a = np.array([[1., 2, 3], [4, 5, 6]])
  const auto a = np::array({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  EXPECT_TRUE(np::allclose(a, a + np::ndarray(1e-9)));
  EXPECT_FALSE(np::allclose(a, a + np::ndarray(1e-4)));
  EXPECT_TRUE(np::allclose(np::array({kInf}), np::array({kInf})));
  EXPECT_FALSE(np::allclose(np::array({kNan}), np::array({kNan})));
  EXPECT_FALSE(np::allclose(a, np::array({1.0, 2.0, 3.0})));
  EXPECT_TRUE(np::allclose(np::array({{1.0, 2.0, 3.0}}), np::array({1.0, 2.0, 3.0})));
}

}  // namespace
