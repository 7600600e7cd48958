// Element-wise functions (NumPy's ufuncs): math functions, power, maximum/minimum, clip,
// where, comparisons and None operands. Expected values are repr(float(x)) of what NumPy
// 1.24.2 printed. float64 math functions are compared within 4 ulps (EXPECT_DOUBLE_EQ's
// tolerance: NumPy's SIMD kernels and the C library may round the last bit differently),
// float32 ones within 4 ulps of float32, exact results exactly.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "np/ndarray.hpp"
#include "np/random.hpp"
#include "tests/np/expect.hpp"

namespace {

using nptest::array_is;

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// x = np.array([-2.5, -0.5, 0.0, 0.3, 1.0, 2.7, 10.0]) and p = np.array([0, 0.3, 1, 2.7, 10,
// 1e-300]) (positive, for log and sqrt)
np::ndarray x64() { return np::array({-2.5, -0.5, 0.0, 0.3, 1.0, 2.7, 10.0}); }
np::ndarray p64() { return np::array({0.0, 0.3, 1.0, 2.7, 10.0, 1e-300}); }

struct MathCase {
  const char* name;
  std::function<np::ndarray(const np::ndarray&)> f;
  bool positive;  // applied to p instead of x
  std::vector<double> f64, f32;
};

const std::vector<MathCase>& math_cases() {
  static const std::vector<MathCase> cases = {
      {"exp",
       [](const np::ndarray& a) { return np::exp(a); },
       false,
       {0.0820849986238988, 0.6065306597126334, 1.0, 1.3498588075760032, 2.718281828459045,
        14.879731724872837, 22026.465794806718},
       {0.0820850059390068, 0.6065306663513184, 1.0, 1.3498587608337402, 2.7182819843292236,
        14.879733085632324, 22026.466796875}},
      {"sin",
       [](const np::ndarray& a) { return np::sin(a); },
       false,
       {-0.5984721441039564, -0.47942553860420295, 0.0, 0.2955202066613396, 0.8414709848078965,
        0.4273798802338298, -0.5440211108893698},
       {-0.5984721779823303, -0.4794255495071411, 0.0, 0.29552021622657776, 0.8414710164070129,
        0.427379846572876, -0.5440210700035095}},
      {"cos",
       [](const np::ndarray& a) { return np::cos(a); },
       false,
       {-0.8011436155469338, 0.8775825618903725, 1.0, 0.9553364891256061, 0.5403023058681397,
        -0.9040721420170611, -0.8390715290764524},
       {-0.8011435866355896, 0.8775825500488281, 1.0, 0.9553365111351013, 0.5403022766113281,
        -0.9040721654891968, -0.83907151222229}},
      {"tanh",
       [](const np::ndarray& a) { return np::tanh(a); },
       false,
       {-0.9866142981514303, -0.46211715726000974, 0.0, 0.2913126124515909, 0.7615941559557649,
        0.9910074536781177, 0.9999999958776927},
       {-0.9866142868995667, -0.46211719512939453, 0.0, 0.29131263494491577, 0.7615941762924194,
        0.9910074472427368, 1.0}},
      {"log",
       [](const np::ndarray& a) { return np::log(a); },
       true,
       {-kInf, -1.203972804325936, 0.0, 0.9932517730102834, 2.3025850929940455, -690.7755278982137},
       {-kInf, -1.2039728164672852, 0.0, 0.9932518005371094, 2.3025851249694824, -kInf}},
      {"sqrt",
       [](const np::ndarray& a) { return np::sqrt(a); },
       true,
       {0.0, 0.5477225575051661, 1.0, 1.6431676725154984, 3.1622776601683795, 1e-150},
       {0.0, 0.547722578048706, 1.0, 1.6431677341461182, 3.1622776985168457, 0.0}},
  };
  return cases;
}

TEST(Elementwise, MathFunctionsFloat64) {
  for (const auto& c : math_cases()) {
    SCOPED_TRACE(c.name);
    const auto in = c.positive ? p64() : x64();
    const auto out = c.f(in);
    ASSERT_EQ(out.dtype(), np::float64);
    ASSERT_EQ(out.shape(), in.shape());
    const auto v = out.to_vector<double>();
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (std::isinf(c.f64[i])) {
        EXPECT_EQ(v[i], c.f64[i]) << i;
      } else {
        EXPECT_DOUBLE_EQ(v[i], c.f64[i]) << i;
      }
    }
  }
}

TEST(Elementwise, MathFunctionsFloat32) {
  for (const auto& c : math_cases()) {
    SCOPED_TRACE(c.name);
    const auto in = (c.positive ? p64() : x64()).astype(np::float32);
    EXPECT_TRUE(array_is(c.f(in), in.shape(), np::float32, c.f32, 4));
  }
}

TEST(Elementwise, ExactFunctions) {
  const auto x = x64();
  EXPECT_TRUE(array_is(np::abs(x), {7}, np::float64, {2.5, 0.5, 0.0, 0.3, 1.0, 2.7, 10.0}));
  // np.square(x): 2.7 ** 2 is 7.290000000000001
  EXPECT_TRUE(array_is(np::square(x), {7}, np::float64,
                       {6.25, 0.25, 0.0, 0.09, 1.0, 7.290000000000001, 100.0}));
  // np.negative(x): -0.0 for 0.0
  EXPECT_TRUE(
      array_is(np::negative(x), {7}, np::float64, {2.5, 0.5, -0.0, -0.3, -1.0, -2.7, -10.0}));
  EXPECT_TRUE(array_is(-x, {7}, np::float64, {2.5, 0.5, -0.0, -0.3, -1.0, -2.7, -10.0}));
  EXPECT_TRUE(array_is(np::square(x.astype(np::float32)), {7}, np::float32,
                       {6.25, 0.25, 0.0, 0.09000000357627869, 1.0, 7.2900004386901855, 100.0}));
  // log and sqrt of negative numbers are NaN; log(0) is -inf
  EXPECT_TRUE(array_is(np::log(np::array({-1.0, 0.0})), {2}, np::float64, {kNan, -kInf}));
  EXPECT_TRUE(array_is(np::sqrt(np::array({-1.0})), {1}, np::float64, {kNan}));
}

TEST(Elementwise, IntegerInputs) {
  // np.exp(np.array([0, 1, 2, -3])) -> float64
  const auto i = np::array({0, 1, 2, -3});
  const auto e = np::exp(i);
  ASSERT_EQ(e.dtype(), np::float64);
  const std::vector<double> want = {1.0, 2.718281828459045, 7.38905609893065, 0.04978706836786394};
  for (std::size_t k = 0; k < want.size(); ++k) EXPECT_DOUBLE_EQ(e.flat(k), want[k]);
  EXPECT_EQ(np::exp(i.astype(np::int32)).dtype(), np::float64);
  // NumPy gives float16 for uint8 and bool; we have no float16 and give float32
  EXPECT_EQ(np::exp(np::array({1, 2}, np::uint8)).dtype(), np::float32);
  EXPECT_EQ(np::sqrt(np::array({true})).dtype(), np::float32);
  // np.abs, np.square, np.negative keep integers
  EXPECT_TRUE(array_is(np::abs(i), {4}, np::int64, {0, 1, 2, 3}));
  EXPECT_TRUE(array_is(np::square(i), {4}, np::int64, {0, 1, 4, 9}));
  EXPECT_TRUE(array_is(np::negative(i), {4}, np::int64, {0, -1, -2, 3}));
  EXPECT_TRUE(array_is(np::abs(np::array({-128, 5}, np::int32)), {2}, np::int32, {128, 5}));
  EXPECT_TRUE(array_is(np::abs(np::array({200}, np::uint8)), {1}, np::uint8, {200}));
  EXPECT_THROW(np::negative(np::array({true})), np::dtype_error);
}

TEST(Elementwise, Power) {
  // np.power(np.array([2, 3, -2]), np.array([3, 0, 3])) -> int64 [8, 1, -8]
  EXPECT_TRUE(
      array_is(np::power(np::array({2, 3, -2}), np::array({3, 0, 3})), {3}, np::int64, {8, 1, -8}));
  EXPECT_TRUE(array_is(np::pow(np::array({2, 3}), np::ndarray(2)), {2}, np::int64, {4, 9}));
  EXPECT_TRUE(
      array_is(np::power(np::array({2, 3}, np::int32), np::ndarray(2)), {2}, np::int32, {4, 9}));
  // np.power(np.array([2.0, 9.0, 0.5]), np.array([0.5, 0.5, -1.5]))
  const auto f = np::power(np::array({2.0, 9.0, 0.5}), np::array({0.5, 0.5, -1.5}));
  ASSERT_EQ(f.dtype(), np::float64);
  EXPECT_DOUBLE_EQ(f.flat(0), 1.4142135623730951);
  EXPECT_EQ(f.flat(1), 3.0);
  EXPECT_DOUBLE_EQ(f.flat(2), 2.8284271247461903);
  // np.power(np.array([2, 4]), 0.5) -> float64
  const auto r = np::power(np::array({2, 4}), np::ndarray(0.5));
  ASSERT_EQ(r.dtype(), np::float64);
  EXPECT_DOUBLE_EQ(r.flat(0), 1.4142135623730951);
  EXPECT_EQ(r.flat(1), 2.0);
  // float32 ** 2 stays float32: [2.25, 4.0]; float32 ** float32
  EXPECT_TRUE(
      array_is(np::power(np::array({1.5f, -2.0f}), np::ndarray(2)), {2}, np::float32, {2.25, 4.0}));
  EXPECT_TRUE(array_is(np::power(np::array({1.1f, 2.2f}), np::ndarray(3.3f)), {2}, np::float32,
                       {1.3696067333221436, 13.489469528198242}, 4));
}

TEST(Elementwise, NegativeIntegerPowerThrows) {
  // np.power(np.array([2]), np.array([-1])): ValueError
  EXPECT_TRUE(nptest::throws_with<std::invalid_argument>(
      [] { np::power(np::array({2}), np::array({-1})); }, {"negative integer powers"}));
  EXPECT_THROW(np::power(np::array({2, 3}), np::ndarray(-2)), std::invalid_argument);
}

TEST(Elementwise, MaximumMinimumPropagateNan) {
  // np.maximum(np.array([1., nan, 3, nan]), np.array([nan, 2, 1, nan])) -> [nan, nan, 3, nan]
  const auto a = np::array({1.0, kNan, 3.0, kNan}), b = np::array({kNan, 2.0, 1.0, kNan});
  EXPECT_TRUE(array_is(np::maximum(a, b), {4}, np::float64, {kNan, kNan, 3, kNan}));
  EXPECT_TRUE(array_is(np::minimum(a, b), {4}, np::float64, {kNan, kNan, 1, kNan}));
  EXPECT_TRUE(array_is(np::maximum(a.astype(np::float32), np::ndarray(2.0)), {4}, np::float32,
                       {2, kNan, 3, kNan}));
  // np.maximum(np.array([1, 5]), 3) -> int64 [3, 5]; with 3.5 -> float64 [3.5, 5.]
  EXPECT_TRUE(array_is(np::maximum(np::array({1, 5}), np::ndarray(3)), {2}, np::int64, {3, 5}));
  EXPECT_TRUE(
      array_is(np::maximum(np::array({1, 5}), np::ndarray(3.5)), {2}, np::float64, {3.5, 5}));
  EXPECT_TRUE(array_is(np::minimum(np::array({1, 5}), np::ndarray(3)), {2}, np::int64, {1, 3}));
}

TEST(Elementwise, MaximumMinimumAndClipGiveTheSecondOperandOnATie) {
  // NumPy 1.24: np.maximum([-0., 0.], [0., -0.]) -> [0., -0.], np.minimum likewise, and
  // np.clip(np.array([-0., 0.]), 0., 1.) -> [0., 0.] (what the book's relu prints for -0.)
  const auto a = np::array({-0.0, 0.0}), b = np::array({0.0, -0.0});
  for (const np::ndarray& r : {np::maximum(a, b), np::minimum(a, b)}) {
    EXPECT_FALSE(std::signbit(r.flat(0)));
    EXPECT_TRUE(std::signbit(r.flat(1)));
  }
  const np::ndarray c = np::clip(a, np::ndarray(0.0), np::ndarray(1.0));
  EXPECT_FALSE(std::signbit(c.flat(0)));
  EXPECT_FALSE(std::signbit(c.flat(1)));
  EXPECT_EQ(np::str(np::maximum(np::array({-0.0f}), np::ndarray(0.0))), "[0.]");
}

TEST(Elementwise, Clip) {
  // np.clip(np.array([-2., 0.5, 3]), 0, 1) -> [0, 0.5, 1]
  EXPECT_TRUE(array_is(np::clip(np::array({-2.0, 0.5, 3.0}), np::ndarray(0), np::ndarray(1)), {3},
                       np::float64, {0, 0.5, 1}));
  EXPECT_TRUE(array_is(np::clip(np::array({-2, 1, 3}), np::ndarray(0), np::ndarray(2)), {3},
                       np::int64, {0, 1, 2}));
  EXPECT_TRUE(array_is(np::clip(np::array({-2.0f, 0.5f, 3.0f}), np::ndarray(0), np::ndarray(1.0)),
                       {3}, np::float32, {0, 0.5, 1}));
  // np.clip(np.array([1., nan]), 0, 0.5) -> [0.5, nan]
  EXPECT_TRUE(array_is(np::clip(np::array({1.0, kNan}), np::ndarray(0), np::ndarray(0.5)), {2},
                       np::float64, {0.5, kNan}));
}

TEST(Elementwise, Where) {
  // np.where([True, False, True], np.array([1, 2, 3]), np.array([10., 20, 30]))
  EXPECT_TRUE(array_is(np::where(np::array({true, false, true}), np::array({1, 2, 3}),
                                 np::array({10.0, 20.0, 30.0})),
                       {3}, np::float64, {1, 20, 3}));
  // np.where(np.array([1, 0]), 1, 2) -> int64 [1, 2]
  EXPECT_TRUE(array_is(np::where(np::array({1, 0}), np::ndarray(1), np::ndarray(2)), {2}, np::int64,
                       {1, 2}));
  // np.where(np.array([True, False]), np.array([1, 2], np.float32), 0.0) -> float32
  EXPECT_TRUE(
      array_is(np::where(np::array({true, false}), np::array({1.0f, 2.0f}), np::ndarray(0.0)), {2},
               np::float32, {1, 0}));
  // np.where(np.array([0.0, 0.5]), 1, 0) -> [0, 1]
  EXPECT_TRUE(array_is(np::where(np::array({0.0, 0.5}), np::ndarray(1), np::ndarray(0)), {2},
                       np::int64, {0, 1}));
  EXPECT_THROW(np::where(np::array({true, false, true}), np::ones({2}), np::ones({3})),
               np::shape_error);
}

TEST(Elementwise, Comparisons) {
  const auto a = np::array({1.0, 2.0, kNan, 4.0}), b = np::array({1.0, 3.0, kNan, 3.0});
  EXPECT_TRUE(array_is(a == b, {4}, np::bool_, {1, 0, 0, 0}));
  EXPECT_TRUE(array_is(a != b, {4}, np::bool_, {0, 1, 1, 1}));
  EXPECT_TRUE(array_is(a < b, {4}, np::bool_, {0, 1, 0, 0}));
  EXPECT_TRUE(array_is(a <= b, {4}, np::bool_, {1, 1, 0, 0}));
  EXPECT_TRUE(array_is(a > b, {4}, np::bool_, {0, 0, 0, 1}));
  EXPECT_TRUE(array_is(a >= b, {4}, np::bool_, {1, 0, 0, 1}));
  EXPECT_TRUE(array_is(np::array({1, 2, 3}) >= np::ndarray(2), {3}, np::bool_, {0, 1, 1}));
  EXPECT_TRUE(
      array_is(np::array({{1}, {2}}) == np::array({1, 2}), {2, 2}, np::bool_, {1, 0, 0, 1}));
  EXPECT_TRUE(array_is(np::logical_not(np::array({1.0, 0.0})), {2}, np::bool_, {0, 1}));
  EXPECT_TRUE(
      array_is(np::isfinite(np::array({1.0, kNan, kInf, -kInf})), {4}, np::bool_, {1, 0, 0, 0}));
  EXPECT_TRUE(array_is(np::isfinite(np::array({1, 2})), {2}, np::bool_, {1, 1}));
}

TEST(Elementwise, ArithmeticEdgeCases) {
  // np.array([1., -1., 0.]) / 0 -> [inf, -inf, nan]; np.array([1]) / 0 -> [inf]
  EXPECT_TRUE(array_is(np::array({1.0, -1.0, 0.0}) / np::ndarray(0), {3}, np::float64,
                       {kInf, -kInf, kNan}));
  EXPECT_TRUE(array_is(np::array({1}) / np::ndarray(0), {1}, np::float64, {kInf}));
  // True + True is True, True * False is False for bool arrays
  EXPECT_TRUE(
      array_is(np::array({true, false}) + np::array({true, false}), {2}, np::bool_, {1, 0}));
  EXPECT_TRUE(array_is(np::array({true, true}) * np::array({true, false}), {2}, np::bool_, {1, 0}));
  // 0.1 + 0.2 exactly as Python
  EXPECT_TRUE(
      array_is(np::array({0.1}) + np::array({0.2}), {1}, np::float64, {0.30000000000000004}));
}

TEST(Elementwise, NoneOperandsThrow) {
  const np::ndarray none;
  const auto a = np::ones({2});
  const std::vector<std::pair<std::string, std::function<void()>>> ops = {
      {"add", [&] { (void)(none + a); }},
      {"radd", [&] { (void)(a + none); }},
      {"subtract", [&] { (void)(none - a); }},
      {"multiply", [&] { (void)(a * none); }},
      {"divide", [&] { (void)(none / a); }},
      {"negative", [&] { (void)(-none); }},
      {"equal", [&] { (void)(none == a); }},
      {"less", [&] { (void)(a < none); }},
      {"power", [&] { (void)np::power(none, a); }},
      {"maximum", [&] { (void)np::maximum(a, none); }},
      {"minimum", [&] { (void)np::minimum(none, a); }},
      {"exp", [&] { (void)np::exp(none); }},
      {"log", [&] { (void)np::log(none); }},
      {"sin", [&] { (void)np::sin(none); }},
      {"cos", [&] { (void)np::cos(none); }},
      {"tanh", [&] { (void)np::tanh(none); }},
      {"sqrt", [&] { (void)np::sqrt(none); }},
      {"square", [&] { (void)np::square(none); }},
      {"abs", [&] { (void)np::abs(none); }},
      {"clip", [&] { (void)np::clip(none, a, a); }},
      {"where", [&] { (void)np::where(a, none, a); }},
      {"inplace",
       [&] {
         auto b = a.copy();
         b += none;
       }},
      {"inplace_self",
       [&] {
         np::ndarray c;
         c *= a;
       }},
  };
  for (const auto& [name, op] : ops) {
    SCOPED_TRACE(name);
    EXPECT_THROW(op(), std::invalid_argument);
  }
}

}  // namespace

namespace {

// Eigen's float32 kernels vectorise from the first element of the result on a vector boundary
// and do the ones before it one at a time, which rounds differently. np feeds them through an
// aligned buffer, so that the results do not depend on where in memory the result (a small
// array lies anywhere in the pool) or the operand (a view at any offset) lies.
TEST(Elementwise, Float32FunctionsDoNotDependOnWhereTheArraysLie) {
  np::random::seed(5);
  const np::ndarray base = np::abs(np::random::randn({700}) * 3.0).astype(np::float32);
  using Fn = np::ndarray (*)(const np::ndarray&);
  const std::vector<std::pair<const char*, Fn>> functions = {
      {"exp", np::exp}, {"tanh", np::tanh}, {"log", np::log}, {"sin", np::sin}};
  for (const auto& [name, fn] : functions) {
    for (const std::int64_t n : {7, 33, 60, 600}) {
      const np::ndarray x = base[{np::slice(0, n)}].copy();
      const np::ndarray first = fn(x);
      std::vector<np::ndarray> spacers;  // move the next results to other addresses
      for (std::int64_t round = 0; round < 24; ++round) {
        SCOPED_TRACE(testing::Message() << name << " of " << n << ", round " << round);
        EXPECT_TRUE(np::array_equal(fn(x), first));
        const np::ndarray view = base[{np::slice(round, round + n)}];
        EXPECT_TRUE(np::array_equal(fn(view), fn(view.copy())));
        spacers.push_back(np::zeros({round % 7 + 1}, np::float32));
      }
    }
  }
}

}  // namespace

namespace {

// float64 tanh runs the C library's algorithm several elements at a time (np/tanh.cpp) and must
// give the C library's bits: every printed digit of the float64 steps depends on it. Compared
// bit for bit with std::tanh over a million arguments spread over every way the algorithm
// takes (tiny, |x| < ln2/4, the reductions with k = -1, -2, -3, 3 ... 56 and beyond, |x| >= 22),
// at several lengths (the vector loop's remainder), and on the special values.
TEST(Elementwise, TanhFloat64HasTheCLibrarysBits) {
  if (!__builtin_cpu_supports("fma")) {
    // glibc's tanh then uses an expm1 without fused multiply-adds, whose last bits differ.
    GTEST_SKIP() << "this CPU has no FMA: glibc's tanh takes another way";
  }
  auto same_bits = [](double a, double b) {
    return std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b));
  };
  np::random::seed(11);
  const np::ndarray u = np::random::rand({50000}) * 2.0 - 1.0;
  long mismatches = 0, total = 0;
  for (const double scale : {1e-17, 1e-9, 1e-3, 0.1, 0.17, 0.35, 0.5, 0.52, 0.9, 1.0, 1.1, 2.0,
                             3.0, 5.0, 10.0, 19.0, 21.0, 22.5, 30.0, 1e3, 1e300}) {
    const np::ndarray x = u * scale;
    for (const std::int64_t offset : {0, 1, 3}) {  // other lengths: other remainders
      const np::ndarray part = x[{np::slice(offset, np::none)}];
      const np::ndarray y = np::tanh(part);
      for (std::int64_t i = 0; i < part.size(); ++i, ++total) {
        const double xi = part.flat(i);
        if (!same_bits(y.flat(i), std::tanh(xi))) {
          if (++mismatches <= 5) ADD_FAILURE() << std::hexfloat << "tanh(" << xi << ")";
        }
      }
    }
  }
  EXPECT_EQ(mismatches, 0) << "of " << total;
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> special = {0.0, -0.0, inf, -inf, std::nan(""), 22.0, -22.0, 1.0,
                                       -1.0, 0x1p-55, -0x1p-55, 0x1p-56, 0x1.62e42fefa39efp-2,
                                       0x1.0a2b2p0, 4.9e-324, 1e-310, 0.5 * std::log(3.0)};
  const np::ndarray y = np::tanh(np::array(special));
  for (std::size_t i = 0; i < special.size(); ++i) {
    EXPECT_TRUE(same_bits(y.flat(static_cast<std::int64_t>(i)), std::tanh(special[i])))
        << std::hexfloat << "tanh(" << special[i] << ")";
  }
  EXPECT_TRUE(std::signbit(y.flat(1)));  // tanh(-0) is -0
}

}  // namespace

namespace {

// NumPy's sqrt is correctly rounded in float32 as in float64 (Eigen's default float32 kernel is
// not: it refines an estimate and misses the last bits, which the Adam and AdaGrad updates and
// batch normalisation would carry). Every element, in the vector loop or not, is std::sqrt's.
TEST(Elementwise, SqrtIsCorrectlyRounded) {
  np::random::seed(2);
  const np::ndarray x = np::random::rand({4099}) * 1e3;
  for (const np::DType dtype : {np::float32, np::float64}) {
    const np::ndarray xd = x.astype(dtype);
    const np::ndarray y = np::sqrt(xd);
    ASSERT_EQ(y.dtype(), dtype);
    long mismatches = 0;
    for (std::int64_t i = 0; i < xd.size(); ++i) {
      if (dtype == np::float32) {
        mismatches += y.data<float>()[i] != std::sqrt(xd.data<float>()[i]);
      } else {
        mismatches += y.data<double>()[i] != std::sqrt(xd.data<double>()[i]);
      }
    }
    EXPECT_EQ(mismatches, 0) << np::dtype_name(dtype);
  }
  // A value whose correctly rounded float32 square root Eigen's estimate missed.
  EXPECT_EQ(np::sqrt(np::full({32}, 2.0, np::float32)).data<float>()[0], std::sqrt(2.0f));
}

}  // namespace
