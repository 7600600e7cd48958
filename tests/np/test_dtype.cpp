// NumPy 1.24's dtype rules: promotion of array pairs, value-based casting with 0-d operands,
// true division, comparisons and in-place operations. Every expected dtype and value was
// printed by NumPy 1.24.2.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <limits>

#include "np/ndarray.hpp"
#include "tests/np/expect.hpp"

namespace {

using nptest::array_is;

constexpr std::array<np::DType, 6> kDtypes = {np::bool_, np::uint8,   np::int32,
                                              np::int64, np::float32, np::float64};

// (np.ones(2, a) + np.ones(2, b)).dtype for a (rows) and b (columns) in kDtypes order.
constexpr np::DType kAdd[6][6] = {
    {np::bool_, np::uint8, np::int32, np::int64, np::float32, np::float64},
    {np::uint8, np::uint8, np::int32, np::int64, np::float32, np::float64},
    {np::int32, np::int32, np::int32, np::int64, np::float64, np::float64},
    {np::int64, np::int64, np::int64, np::int64, np::float64, np::float64},
    {np::float32, np::float32, np::float64, np::float64, np::float32, np::float64},
    {np::float64, np::float64, np::float64, np::float64, np::float64, np::float64},
};

// (np.ones(2, a) / np.ones(2, b)).dtype
constexpr np::DType kDivide[6][6] = {
    {np::float64, np::float64, np::float64, np::float64, np::float32, np::float64},
    {np::float64, np::float64, np::float64, np::float64, np::float32, np::float64},
    {np::float64, np::float64, np::float64, np::float64, np::float64, np::float64},
    {np::float64, np::float64, np::float64, np::float64, np::float64, np::float64},
    {np::float32, np::float32, np::float64, np::float64, np::float32, np::float64},
    {np::float64, np::float64, np::float64, np::float64, np::float64, np::float64},
};

TEST(Promotion, AddTable) {
  for (int i = 0; i < 6; ++i) {
    for (int j = 0; j < 6; ++j) {
      SCOPED_TRACE(testing::Message() << kDtypes[i] << " + " << kDtypes[j]);
      const auto a = np::ones({2}, kDtypes[i]), b = np::ones({2}, kDtypes[j]);
      EXPECT_EQ(np::result_type(a, b), kAdd[i][j]);
      EXPECT_EQ(np::promote_types(kDtypes[i], kDtypes[j]), kAdd[i][j]);
      const auto sum = a + b;
      EXPECT_EQ(sum.dtype(), kAdd[i][j]);
      // True + True is True (logical or); every other pair gives 2.
      EXPECT_EQ(sum.flat(0), kAdd[i][j] == np::bool_ ? 1.0 : 2.0);
    }
  }
}

TEST(Promotion, DivideTable) {
  for (int i = 0; i < 6; ++i) {
    for (int j = 0; j < 6; ++j) {
      SCOPED_TRACE(testing::Message() << kDtypes[i] << " / " << kDtypes[j]);
      const auto q = np::ones({2}, kDtypes[i]) / np::ones({2}, kDtypes[j]);
      EXPECT_EQ(q.dtype(), kDivide[i][j]);
      EXPECT_EQ(q.flat(1), 1.0);
    }
  }
}

TEST(Promotion, IntegerDivisionGivesFloat64) {
  // np.array([7, -7]) / np.array([2, 2]) -> [3.5, -3.5]
  EXPECT_TRUE(array_is(np::array({7, -7}) / np::array({2, 2}), {2}, np::float64, {3.5, -3.5}));
  // np.array([1, 2], np.uint8) / np.array(4, np.uint8) -> float64 [0.25, 0.5]
  const auto u = np::array({1, 2}, np::uint8);
  EXPECT_TRUE(array_is(u / np::ndarray(4).astype(np::uint8), {2}, np::float64, {0.25, 0.5}));
  EXPECT_TRUE(array_is(np::array({1, 2}, np::int32) / np::ndarray(2), {2}, np::float64, {0.5, 1}));
  // np.array([0.1, 0.2, 0.3], np.float32) / 3 stays float32
  EXPECT_TRUE(array_is(np::array({0.1f, 0.2f, 0.3f}) / np::ndarray(3), {3}, np::float32,
                       {0.03333333507180214, 0.06666667014360428, 0.10000000149011612}));
}

// ----------------------------------------------------------------- value-based casting

TEST(Promotion, Float32ArrayTimesPythonFloatStaysFloat32) {
  // np.array([0.1, 0.2, 0.3], np.float32) * 2.0
  const auto f = np::array({0.1f, 0.2f, 0.3f});
  EXPECT_TRUE(array_is(f * np::ndarray(2.0), {3}, np::float32,
                       {0.20000000298023224, 0.4000000059604645, 0.6000000238418579}));
  EXPECT_EQ((np::ndarray(2.0) * f).dtype(), np::float32);
  EXPECT_EQ((f - np::ndarray(1)).dtype(), np::float32);
  EXPECT_EQ((f + np::ndarray(true)).dtype(), np::float32);
}

TEST(Promotion, TwoZeroDimOperandsPromoteNormally) {
  // np.array(np.float32(0.1)) * np.array(0.1) -> float64 0.010000000149011612
  EXPECT_TRUE(
      array_is(np::ndarray(0.1f) * np::ndarray(0.1), {}, np::float64, {0.010000000149011612}));
  // np.array(np.int32(1)) + np.array(np.uint8(1)) -> int32
  EXPECT_EQ(np::result_type(np::ndarray(1).astype(np::int32), np::ndarray(1).astype(np::uint8)),
            np::int32);
  EXPECT_EQ((np::ndarray(3) + np::ndarray(2.0f)).dtype(), np::float64);
}

TEST(Promotion, ZeroDimOfHigherKindPromotes) {
  // np.array([1, 2]) + 1.5 -> float64 [2.5, 3.5]
  EXPECT_TRUE(array_is(np::array({1, 2}) + np::ndarray(1.5), {2}, np::float64, {2.5, 3.5}));
  // np.array([True, False]) + 1 -> int64 [2, 1]
  EXPECT_TRUE(array_is(np::array({true, false}) + np::ndarray(1), {2}, np::int64, {2, 1}));
  // uint8 array * np.float32 scalar -> float32; uint8 array - 0.5 -> float64
  const auto u = np::array({1, 2}, np::uint8);
  EXPECT_EQ((u * np::ndarray(0.5f)).dtype(), np::float32);
  EXPECT_EQ((u - np::ndarray(0.5)).dtype(), np::float64);
  // int32 array + np.float32 scalar -> float64
  EXPECT_EQ((np::array({1, 2}, np::int32) + np::ndarray(3.0f)).dtype(), np::float64);
}

TEST(Promotion, SmallIntegerScalarsKeepTheArrayDtype) {
  // np.array([250, 3], np.uint8) + 10 -> uint8 [4, 13] (wraps around)
  EXPECT_TRUE(array_is(np::array({250, 3}, np::uint8) + np::ndarray(10), {2}, np::uint8, {4, 13}));
  EXPECT_EQ((np::array({1, 2}, np::uint8) + np::ndarray(255)).dtype(), np::uint8);
  // np.array([1, 2], np.int32) * 3 -> int32
  EXPECT_EQ((np::array({1, 2}, np::int32) * np::ndarray(3)).dtype(), np::int32);
  EXPECT_EQ((np::array({1, 2}, np::int32) + np::ndarray(-2147483648)).dtype(), np::int32);
}

TEST(Promotion, LargeScalarsWidenTheArrayDtype) {
  // np.array([1, 2], np.int32) + 2**40 -> int64
  const std::int64_t big = std::int64_t{1} << 40;
  EXPECT_TRUE(array_is(np::array({1, 2}, np::int32) + np::ndarray(big), {2}, np::int64,
                       {1099511627777.0, 1099511627778.0}));
  EXPECT_EQ((np::array({1, 2}, np::int32) + np::ndarray(2147483648)).dtype(), np::int64);
  // np.array([1.5, 2], np.float32) + 70000 -> float64; + 65535 and - 32768 stay float32
  const auto f = np::array({1.5f, 2.0f});
  EXPECT_TRUE(array_is(f + np::ndarray(70000), {2}, np::float64, {70001.5, 70002.0}));
  EXPECT_EQ((f + np::ndarray(65535)).dtype(), np::float32);
  EXPECT_EQ((f + np::ndarray(65536)).dtype(), np::float64);
  EXPECT_EQ((f + np::ndarray(-32768)).dtype(), np::float32);
  EXPECT_EQ((f + np::ndarray(-32769)).dtype(), np::float64);
  // float32 array * 1e300 -> float64; 3.3e38 stays float32, 3.4e38 does not; inf stays
  EXPECT_TRUE(array_is(f * np::ndarray(1e300), {2}, np::float64, {1.5e300, 2e300}));
  EXPECT_EQ((f + np::ndarray(3.3e38)).dtype(), np::float32);
  EXPECT_EQ((f + np::ndarray(3.4e38)).dtype(), np::float64);
  EXPECT_EQ((f + np::ndarray(-1e39)).dtype(), np::float64);
  EXPECT_EQ((f + np::ndarray(std::numeric_limits<double>::infinity())).dtype(), np::float32);
}

TEST(Promotion, ScalarsOutsideUint8) {
  // NumPy: uint8 array + 300 -> uint16 [301, 302] and uint8 array + (-1) -> int16 [0, 1].
  // uint16 and int16 are not among our dtypes: int32 holds the same values.
  const auto u = np::array({1, 2}, np::uint8);
  EXPECT_TRUE(array_is(u + np::ndarray(300), {2}, np::int32, {301, 302}));
  EXPECT_TRUE(array_is(u + np::ndarray(-1), {2}, np::int32, {0, 1}));
  // np.array([1, 2], np.uint8) > -1 -> [True, True] (not a comparison with 255)
  EXPECT_TRUE(array_is(u > np::ndarray(-1), {2}, np::bool_, {1, 1}));
  EXPECT_TRUE(array_is(u < np::ndarray(300), {2}, np::bool_, {1, 1}));
  // np.array([1, 2], np.uint8) == 257 -> [False, False]
  EXPECT_TRUE(array_is(u == np::ndarray(257), {2}, np::bool_, {0, 0}));
}

// ----------------------------------------------------------------- comparisons

TEST(Promotion, ComparisonsGiveBool) {
  // np.array([1, 2, 3]) < 2.5 -> [True, True, False]
  EXPECT_TRUE(array_is(np::array({1, 2, 3}) < np::ndarray(2.5), {3}, np::bool_, {1, 1, 0}));
  // float32 0.1 is not float64 0.1: np.array([0.1, 0.2, 0.3], np.float32) == [0.1, 0.2, 0.3]
  const auto f = np::array({0.1f, 0.2f, 0.3f});
  EXPECT_TRUE(array_is(f == np::array({0.1, 0.2, 0.3}), {3}, np::bool_, {0, 0, 0}));
  // ... but equal to np.float32(0.1)
  EXPECT_TRUE(array_is(f == np::ndarray(0.1f), {3}, np::bool_, {1, 0, 0}));
  // value-based: the 0-d float64 0.1 is rounded to float32 first, as NumPy does
  EXPECT_TRUE(array_is(f == np::ndarray(0.1), {3}, np::bool_, {1, 0, 0}));
  EXPECT_TRUE(array_is(np::array({true, false}) != np::array({1, 1}), {2}, np::bool_, {0, 1}));
}

// ----------------------------------------------------------------- in-place operations

TEST(Promotion, InPlaceKeepsFloat32AndRoundsToIt) {
  // a = np.array([0.1, 0.2, 0.3], np.float32); a -= np.array([0.7, 1e-9, 1/3])
  auto a = np::array({0.1f, 0.2f, 0.3f});
  const auto before = a;
  a -= np::array({0.7, 1e-9, 1.0 / 3.0});
  EXPECT_TRUE(a.shares_memory(before));
  EXPECT_TRUE(array_is(a, {3}, np::float32,
                       {-0.6000000238418579, 0.20000000298023224, -0.033333320170640945}));
  // a -= np.array(1/3): the 0-d float64 is used as float32
  auto b = np::array({0.1f, 0.2f, 0.3f});
  b -= np::ndarray(1.0 / 3.0);
  EXPECT_TRUE(array_is(b, {3}, np::float32,
                       {-0.23333334922790527, -0.13333334028720856, -0.03333333134651184}));
}

TEST(Promotion, InPlaceSameKindCasting) {
  // a = np.array([1, 2], np.int32); a += np.array([2**33 + 1, 3]) -> [2, 5] (wraps)
  auto a = np::array({1, 2}, np::int32);
  a += np::array({(std::int64_t{1} << 33) + 1, std::int64_t{3}});
  EXPECT_TRUE(array_is(a, {2}, np::int32, {2, 5}));
  // a = np.array([250, 2], np.uint8); a += 10 -> [4, 12]
  auto u = np::array({250, 2}, np::uint8);
  u += np::ndarray(10);
  EXPECT_TRUE(array_is(u, {2}, np::uint8, {4, 12}));
  auto f = np::array({1.0, 2.0});
  f *= np::array({true, false});
  EXPECT_TRUE(array_is(f, {2}, np::float64, {1, 0}));
  auto g = np::array({1.0, 2.0});
  g /= np::array({4, 8});
  EXPECT_TRUE(array_is(g, {2}, np::float64, {0.25, 0.25}));
}

TEST(Promotion, InPlaceRefusesUnsafeCasts) {
  // a = np.array([1, 2]); a += 1.5 -> UFuncTypeError (float64 to int64, 'same_kind')
  auto i = np::array({1, 2});
  EXPECT_TRUE(nptest::throws_with<np::dtype_error>([&] { i += np::ndarray(1.5); },
                                                   {"float64", "int64", "same_kind"}));
  EXPECT_TRUE(array_is(i, {2}, np::int64, {1, 2}));
  EXPECT_THROW(i /= np::ndarray(2), np::dtype_error);
  // int64 into uint8 is not 'same_kind'
  auto u = np::array({1}, np::uint8);
  EXPECT_THROW(u += np::array({1}), np::dtype_error);
  // NumPy: uint8 array += 300 fails too (uint16 to uint8)
  EXPECT_THROW(u += np::ndarray(300), np::dtype_error);
  auto f = np::array({1.0f});
  EXPECT_NO_THROW(f += np::array({1}));
  // boolean subtract is not supported: np.array([True]) -= np.array([True]) -> TypeError
  auto b = np::array({true});
  EXPECT_THROW(b -= np::array({true}), np::dtype_error);
  EXPECT_THROW((void)(b - b), np::dtype_error);
}

TEST(Promotion, InPlaceShapeMustNotGrow) {
  auto a = np::zeros({3});
  EXPECT_TRUE(nptest::throws_with<np::shape_error>(
      [&] {
        a += np::zeros({2, 3});
      },
      {"(3,)", "(2, 3)"}));
  auto s = np::ndarray(1.0);
  EXPECT_THROW(s += np::array({1.0}), np::shape_error);
  auto m = np::zeros({2, 3});
  m += np::array({1.0, 2.0, 3.0});
  EXPECT_TRUE(array_is(m, {2, 3}, np::float64, {1, 2, 3, 1, 2, 3}));
}

}  // namespace
