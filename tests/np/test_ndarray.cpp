// Creating arrays: np::array, scalars, zeros/ones/full, arange, linspace, eye, astype, copies
// and shared handles. Every expected value was printed by NumPy 1.24.2.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>

#include "np/ndarray.hpp"
#include "tests/np/expect.hpp"

namespace {

using nptest::array_is;
using nptest::int_array_is;

// ------------------------------------------------------------------------ np::array

TEST(Creation, ArrayOfIntsIsInt64) {
  const auto a = np::array({{1, 2, 3}, {4, 5, 6}});
  EXPECT_TRUE(array_is(a, {2, 3}, np::int64, {1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(a.ndim(), 2);
  EXPECT_EQ(a.size(), 6);
  EXPECT_EQ(a.itemsize(), 8u);
  EXPECT_EQ(a.nbytes(), 48u);
}

TEST(Creation, ArrayOfFloatsIsFloat64) {
  EXPECT_TRUE(array_is(np::array({1.0, 2.0}), {2}, np::float64, {1.0, 2.0}));
  EXPECT_TRUE(array_is(np::array({{{0.5}, {1.5}}}), {1, 2, 1}, np::float64, {0.5, 1.5}));
}

TEST(Creation, ArrayOfBoolsIsBool) {
  const auto a = np::array({true, false, true});
  EXPECT_TRUE(array_is(a, {3}, np::bool_, {1, 0, 1}));
  EXPECT_EQ(a.itemsize(), 1u);
}

TEST(Creation, ArrayOfFloat32IsFloat32) {
  // np.array([np.float32(1.5), np.float32(2)]).dtype -> float32
  EXPECT_TRUE(array_is(np::array({1.5f, 2.0f}), {2}, np::float32, {1.5, 2.0}));
}

TEST(Creation, ArrayPromotesMixedLeaves) {
  // np.array([True, 2]) -> int64, [1, 2.5] -> float64, [True, 2.5] -> float64,
  // [np.float32(1.5), 2] -> float64, [np.float32(1.5), 2.0] -> float64
  EXPECT_TRUE(array_is(np::array({true, 2}), {2}, np::int64, {1, 2}));
  EXPECT_TRUE(array_is(np::array({1, 2.5}), {2}, np::float64, {1.0, 2.5}));
  EXPECT_TRUE(array_is(np::array({true, 2.5}), {2}, np::float64, {1.0, 2.5}));
  EXPECT_TRUE(array_is(np::array({1.5f, 2}), {2}, np::float64, {1.5, 2.0}));
  EXPECT_TRUE(array_is(np::array({1.5f, 2.0}), {2}, np::float64, {1.5, 2.0}));
  EXPECT_TRUE(array_is(np::array({{1, 2}, {3.5, 4}}), {2, 2}, np::float64, {1, 2, 3.5, 4}));
}

TEST(Creation, ArrayWithDtype) {
  // np.array([[1.5, 2.7], [-1.5, -2.7]], dtype=np.int64): truncation toward zero
  EXPECT_TRUE(array_is(np::array({{1.5, 2.7}, {-1.5, -2.7}}, np::int64), {2, 2}, np::int64,
                       {1, 2, -1, -2}));
  EXPECT_TRUE(array_is(np::array({1, 2}, np::float32), {2}, np::float32, {1, 2}));
  EXPECT_TRUE(array_is(np::array({0, 3}, np::bool_), {2}, np::bool_, {0, 1}));
}

TEST(Creation, RaggedListsAreShapeErrors) {
  EXPECT_THROW(np::array({{1, 2}, {3}}), np::shape_error);
  EXPECT_THROW(np::array({{1, 2}, 3}), np::shape_error);
  EXPECT_THROW(np::array({1, {2, 3}}), np::shape_error);
  EXPECT_THROW(np::array({{{1}, {2}}, {{3}, {4, 5}}}), np::shape_error);
}

TEST(Creation, ArrayFromVector) {
  const std::vector<float> v = {1, 2, 3, 4, 5, 6};
  EXPECT_TRUE(array_is(np::array(v), {6}, np::float32, {1, 2, 3, 4, 5, 6}));
  EXPECT_TRUE(array_is(np::array(v, np::Shape{3, 2}), {3, 2}, np::float32, {1, 2, 3, 4, 5, 6}));
  EXPECT_TRUE(
      array_is(np::array(v, np::Shape{2, 3}, np::int64), {2, 3}, np::int64, {1, 2, 3, 4, 5, 6}));
  EXPECT_THROW(np::array(v, np::Shape{4, 2}), np::shape_error);
}

// ------------------------------------------------------------------------ scalars

TEST(Creation, ScalarsAreZeroDimensional) {
  // np.array(2.5), np.array(7), np.array(True), np.array(np.float32(0.5))
  EXPECT_TRUE(array_is(np::ndarray(2.5), {}, np::float64, {2.5}));
  EXPECT_TRUE(array_is(np::ndarray(7), {}, np::int64, {7}));
  EXPECT_TRUE(array_is(np::ndarray(std::int32_t{-3}), {}, np::int64, {-3}));
  EXPECT_TRUE(array_is(np::ndarray(true), {}, np::bool_, {1}));
  EXPECT_TRUE(array_is(np::ndarray(0.5f), {}, np::float32, {0.5}));
  const np::ndarray s(2.5);
  EXPECT_EQ(s.ndim(), 0);
  EXPECT_EQ(s.size(), 1);
  EXPECT_EQ(s.shape(), np::Shape{});
}

TEST(Creation, LargeIntegerScalarStaysExact) {
  // np.array(2**62 + 1) keeps every bit
  const std::int64_t big = (std::int64_t{1} << 62) + 1;
  const np::ndarray s(big);
  EXPECT_EQ(s.item<std::int64_t>(), big);
  EXPECT_TRUE(int_array_is(s.reshape({1}), {1}, {big}));
}

// ------------------------------------------------------------------------ zeros/ones/full

TEST(Creation, ZerosOnesFull) {
  EXPECT_TRUE(array_is(np::zeros({2, 3}), {2, 3}, np::float64, {0, 0, 0, 0, 0, 0}));
  EXPECT_TRUE(array_is(np::ones({3}, np::int32), {3}, np::int32, {1, 1, 1}));
  EXPECT_TRUE(array_is(np::empty({2}), {2}, np::float64, {0, 0}));
  // np.full((2, 2), 2.7, dtype=np.int64) -> [[2, 2], [2, 2]]
  EXPECT_TRUE(array_is(np::full({2, 2}, 2.7, np::int64), {2, 2}, np::int64, {2, 2, 2, 2}));
  EXPECT_TRUE(array_is(np::full({2}, 1.5, np::float32), {2}, np::float32, {1.5, 1.5}));
  EXPECT_TRUE(array_is(np::zeros({}), {}, np::float64, {0}));
  EXPECT_TRUE(array_is(np::zeros({2, 0}), {2, 0}, np::float64, {}));
  EXPECT_THROW(np::zeros({2, -1}), np::shape_error);
}

TEST(Creation, Likes) {
  const auto i = np::array({1, 2});
  EXPECT_TRUE(array_is(np::zeros_like(i), {2}, np::int64, {0, 0}));
  EXPECT_TRUE(
      array_is(np::ones_like(np::array({1.0, 2.0}), np::float32), {2}, np::float32, {1, 1}));
  EXPECT_TRUE(array_is(np::full_like(np::zeros({2, 1}), 3.25), {2, 1}, np::float64, {3.25, 3.25}));
  EXPECT_TRUE(array_is(np::full_like(i, 3.25), {2}, np::int64, {3, 3}));
}

// ------------------------------------------------------------------------ arange

TEST(Creation, ArangeIntegers) {
  EXPECT_TRUE(array_is(np::arange(5), {5}, np::int64, {0, 1, 2, 3, 4}));
  EXPECT_TRUE(array_is(np::arange(0), {0}, np::int64, {}));
  EXPECT_TRUE(array_is(np::arange(-3), {0}, np::int64, {}));
  // np.arange(-3, 4, 2), np.arange(10, 0, -3), np.arange(0, -5, 2), np.arange(0, 10, 3)
  EXPECT_TRUE(array_is(np::arange(-3, 4, 2), {4}, np::int64, {-3, -1, 1, 3}));
  EXPECT_TRUE(array_is(np::arange(10, 0, -3), {4}, np::int64, {10, 7, 4, 1}));
  EXPECT_TRUE(array_is(np::arange(0, -5, 2), {0}, np::int64, {}));
  EXPECT_TRUE(array_is(np::arange(0, 10, 3), {4}, np::int64, {0, 3, 6, 9}));
  EXPECT_TRUE(array_is(np::arange(5, -5, -5), {2}, np::int64, {5, 0}));
  EXPECT_THROW(np::arange(0, 5, 0), std::invalid_argument);
}

TEST(Creation, ArangeFloats) {
  // np.arange(0.0, 1.0, 0.1)
  EXPECT_TRUE(array_is(np::arange(0.0, 1.0, 0.1), {10}, np::float64,
                       {0.0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6000000000000001,
                        0.7000000000000001, 0.8, 0.9}));
  // NumPy steps by (start + step) - start, not by step: np.arange(1.0, 2.0, 0.1)
  EXPECT_TRUE(array_is(
      np::arange(1.0, 2.0, 0.1), {10}, np::float64,
      {1.0, 1.1, 1.2000000000000002, 1.3000000000000003, 1.4000000000000004, 1.5000000000000004,
       1.6000000000000005, 1.7000000000000006, 1.8000000000000007, 1.9000000000000008}));
  // np.arange(-1.0, 1.0, 0.3)
  EXPECT_TRUE(array_is(np::arange(-1.0, 1.0, 0.3), {7}, np::float64,
                       {-1.0, -0.7, -0.3999999999999999, -0.09999999999999987, 0.20000000000000018,
                        0.5000000000000002, 0.8000000000000003}));
  // np.arange(2.0, 0.5, -0.15)
  EXPECT_TRUE(array_is(
      np::arange(2.0, 0.5, -0.15), {10}, np::float64,
      {2.0, 1.85, 1.7000000000000002, 1.5500000000000003, 1.4000000000000004, 1.2500000000000004,
       1.1000000000000005, 0.9500000000000006, 0.8000000000000007, 0.6500000000000008}));
  // np.arange(0.5, -1.0, -0.3)
  EXPECT_TRUE(array_is(np::arange(0.5, -1.0, -0.3), {5}, np::float64,
                       {0.5, 0.2, -0.09999999999999998, -0.3999999999999999, -0.7}));
  EXPECT_TRUE(array_is(np::arange(1.0, 0.0, 0.5), {0}, np::float64, {}));
  EXPECT_TRUE(array_is(np::arange(1.0, 1.5, 1.0), {1}, np::float64, {1.0}));
  EXPECT_THROW(np::arange(0.0, 1.0, 0.0), std::invalid_argument);
}

// ------------------------------------------------------------------------ linspace, eye

TEST(Creation, LinspaceMatchesNumPyBitForBit) {
  const auto l = np::linspace(-7, 7, 200);
  ASSERT_EQ(l.shape(), np::Shape{200});
  ASSERT_EQ(l.dtype(), np::float64);
  const auto v = l.to_vector<double>();
  EXPECT_EQ(v[0], -7.0);
  EXPECT_EQ(v[1], -6.9296482412060305);
  EXPECT_EQ(v[2], -6.85929648241206);
  EXPECT_EQ(v[57], -2.9899497487437188);
  EXPECT_EQ(v[99], -0.03517587939698519);
  EXPECT_EQ(v[100], 0.03517587939698519);
  EXPECT_EQ(v[150], 3.5527638190954764);
  EXPECT_EQ(v[198], 6.92964824120603);
  EXPECT_EQ(v[199], 7.0);
}

TEST(Creation, LinspaceSmall) {
  EXPECT_TRUE(array_is(np::linspace(0, 1, 7), {7}, np::float64,
                       {0.0, 0.16666666666666666, 0.3333333333333333, 0.5, 0.6666666666666666,
                        0.8333333333333333, 1.0}));
  EXPECT_TRUE(array_is(np::linspace(1, 0, 6), {6}, np::float64,
                       {1.0, 0.8, 0.6, 0.3999999999999999, 0.19999999999999996, 0.0}));
  EXPECT_TRUE(
      array_is(np::linspace(0.1, 0.9, 9), {9}, np::float64,
               {0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6, 0.7000000000000001, 0.8, 0.9}));
  EXPECT_TRUE(array_is(np::linspace(5, 5, 3), {3}, np::float64, {5, 5, 5}));
  EXPECT_TRUE(array_is(np::linspace(2, 3, 1), {1}, np::float64, {2}));
  EXPECT_TRUE(array_is(np::linspace(2, 3, 0), {0}, np::float64, {}));
  EXPECT_EQ(np::linspace(0, 1).size(), 50);
  EXPECT_THROW(np::linspace(0, 1, -1), std::invalid_argument);
}

TEST(Creation, Eye) {
  EXPECT_TRUE(array_is(np::eye(3), {3, 3}, np::float64, {1, 0, 0, 0, 1, 0, 0, 0, 1}));
  EXPECT_TRUE(array_is(np::eye(2, np::int32), {2, 2}, np::int32, {1, 0, 0, 1}));
}

// ------------------------------------------------------------------------ astype

TEST(Creation, AstypeTruncatesFloatsTowardZero) {
  // np.array([[1.5, 2.7], [-1.5, -2.7]]).astype(np.int64) -> [[1, 2], [-1, -2]]
  const auto f = np::array({{1.5, 2.7}, {-1.5, -2.7}});
  EXPECT_TRUE(array_is(f.astype(np::int64), {2, 2}, np::int64, {1, 2, -1, -2}));
  EXPECT_TRUE(array_is(f.astype(np::int32), {2, 2}, np::int32, {1, 2, -1, -2}));
  // np.array([1.9, 255.5, 3.99]).astype(np.uint8) -> [1, 255, 3]
  EXPECT_TRUE(
      array_is(np::array({1.9, 255.5, 3.99}).astype(np::uint8), {3}, np::uint8, {1, 255, 3}));
  // float64 -> float32 rounds to nearest: np.float32(0.1) == 0.10000000149011612
  EXPECT_TRUE(
      array_is(np::array({0.1}).astype(np::float32), {1}, np::float32, {0.10000000149011612}));
}

TEST(Creation, AstypeToBool) {
  // np.array([0, 0.5, -1, np.nan]).astype(bool) -> [False, True, True, True]
  const auto b = np::array({0.0, 0.5, -1.0, std::nan("")}).astype(np::bool_);
  EXPECT_TRUE(array_is(b, {4}, np::bool_, {0, 1, 1, 1}));
  EXPECT_TRUE(array_is(np::array({0, 2, -3}).astype(np::bool_), {3}, np::bool_, {0, 1, 1}));
  EXPECT_TRUE(array_is(b.astype(np::float32), {4}, np::float32, {0, 1, 1, 1}));
}

TEST(Creation, AstypeAlwaysCopies) {
  auto a = np::array({1.0, 2.0});
  auto b = a.astype(np::float64);
  EXPECT_FALSE(b.shares_memory(a));
  b += np::ndarray(1.0);
  EXPECT_TRUE(array_is(a, {2}, np::float64, {1, 2}));
}

// ------------------------------------------------------------------------ handles

TEST(Creation, AssignmentSharesCopyDoesNot) {
  auto a = np::array({1.0, 2.0, 3.0});
  auto b = a;  // b = a
  EXPECT_TRUE(b.shares_memory(a));
  b += np::ndarray(1.0);
  EXPECT_TRUE(array_is(a, {3}, np::float64, {2, 3, 4}));
  auto c = a.copy();
  EXPECT_FALSE(c.shares_memory(a));
  c *= np::ndarray(10.0);
  EXPECT_TRUE(array_is(a, {3}, np::float64, {2, 3, 4}));
  EXPECT_TRUE(array_is(c, {3}, np::float64, {20, 30, 40}));
}

TEST(Creation, ReshapeSharesFlattenCopies) {
  auto a = np::arange(6);
  auto r = a.reshape({2, 3});
  EXPECT_TRUE(r.shares_memory(a));
  r += np::ndarray(10);
  EXPECT_TRUE(array_is(a, {6}, np::int64, {10, 11, 12, 13, 14, 15}));
  auto f = r.flatten();
  EXPECT_FALSE(f.shares_memory(a));
  f.fill(0);
  EXPECT_TRUE(array_is(a, {6}, np::int64, {10, 11, 12, 13, 14, 15}));
}

TEST(Creation, FlatAccess) {
  auto a = np::array({{1, 2}, {3, 4}});
  EXPECT_EQ(a.flat(3), 4.0);
  a.set_flat(0, 7.9);  // a.flat[0] = 7.9 truncates for int64
  EXPECT_EQ(a.flat(0), 7.0);
  EXPECT_THROW(a.flat(4), np::index_error);
  EXPECT_THROW(a.set_flat(-1, 0), np::index_error);
  EXPECT_EQ(a.data<std::int64_t>()[1], 2);
  EXPECT_THROW(a.data<double>(), np::dtype_error);
}

TEST(Creation, Item) {
  EXPECT_EQ(np::ndarray(2.5).item(), 2.5);
  EXPECT_EQ(np::array({{7}}).item<std::int64_t>(), 7);
  EXPECT_EQ(np::array({0.5f}).item<float>(), 0.5f);
  EXPECT_EQ(np::array({3.9}).item<int>(), 3);
  EXPECT_TRUE(np::ndarray(true).item<bool>());
  EXPECT_TRUE(nptest::throws_with<np::shape_error>(
      [] {
        (void)np::zeros({2, 1}).item();
      },
      {"size 1", "(2, 1)"}));
}

TEST(Creation, Len) {
  EXPECT_EQ(np::zeros({4, 2}).len(), 4);
  EXPECT_EQ(np::zeros({0}).len(), 0);
  EXPECT_THROW(np::ndarray(1.0).len(), np::shape_error);
}

TEST(Creation, NoneArray) {
  const np::ndarray none;
  EXPECT_FALSE(none.defined());
  EXPECT_TRUE(np::array({1}).defined());
  EXPECT_FALSE(none.copy().defined());
  EXPECT_THROW(none.astype(np::float32), std::invalid_argument);
  EXPECT_THROW((void)none.item(), std::invalid_argument);
  EXPECT_THROW((void)none.to_vector<double>(), std::invalid_argument);
  EXPECT_THROW((void)none.reshape({1}), std::invalid_argument);
  EXPECT_THROW(none.len(), np::shape_error);
}

}  // namespace
