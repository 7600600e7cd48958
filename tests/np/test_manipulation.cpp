// Shape manipulation: reshape, transpose, swapaxes, expand_dims, squeeze, flatten,
// concatenate, stack and pad. Expected shapes and values were printed by NumPy 1.24.2.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "np/ndarray.hpp"
#include "tests/np/expect.hpp"

namespace {

using nptest::array_is;

std::vector<double> iota(int n) {
  std::vector<double> v(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = i;
  return v;
}

// ----------------------------------------------------------------- reshape

TEST(Shape, ReshapeWithMinusOne) {
  const auto x = np::arange(24).reshape({2, 3, 4});
  EXPECT_TRUE(array_is(x.reshape({4, -1}), {4, 6}, np::int64, iota(24)));
  EXPECT_TRUE(array_is(x.reshape({-1}), {24}, np::int64, iota(24)));
  EXPECT_EQ(x.reshape({-1, 2, 2}).shape(), (np::Shape{6, 2, 2}));
  EXPECT_EQ(np::reshape(x, {1, -1, 1}).shape(), (np::Shape{1, 24, 1}));
  EXPECT_EQ(np::zeros({0, 3}).reshape({-1, 3}).shape(), (np::Shape{0, 3}));
  EXPECT_EQ(np::ndarray(5.0).reshape({1, 1}).shape(), (np::Shape{1, 1}));
  EXPECT_EQ(np::zeros({1, 1}).reshape({}).shape(), np::Shape{});
}

TEST(Shape, BadReshape) {
  const auto x = np::arange(24);
  // np.arange(24).reshape(5, -1): cannot reshape array of size 24 into shape (5,newaxis)
  EXPECT_TRUE(nptest::throws_with<np::shape_error>([&] { x.reshape({5, -1}); }, {"24"}));
  EXPECT_TRUE(nptest::throws_with<np::shape_error>([&] { x.reshape({5, 5}); }, {"24", "(5, 5)"}));
  EXPECT_THROW(x.reshape({-1, -1}), np::shape_error);
  EXPECT_THROW(x.reshape({-2, 12}), np::shape_error);
  EXPECT_THROW(np::zeros({0}).reshape({0, -1}), np::shape_error);
}

// ----------------------------------------------------------------- transpose, swapaxes

TEST(Shape, Transpose2D) {
  // np.arange(6).reshape(2, 3).T
  const auto a = np::arange(6).reshape({2, 3});
  EXPECT_TRUE(array_is(a.T(), {3, 2}, np::int64, {0, 3, 1, 4, 2, 5}));
  EXPECT_TRUE(array_is(np::transpose(a), {3, 2}, np::int64, {0, 3, 1, 4, 2, 5}));
  EXPECT_TRUE(array_is(a.transpose({1, 0}), {3, 2}, np::int64, {0, 3, 1, 4, 2, 5}));
  EXPECT_TRUE(array_is(a.transpose({0, 1}), {2, 3}, np::int64, {0, 1, 2, 3, 4, 5}));
  EXPECT_TRUE(array_is(np::arange(3).T(), {3}, np::int64, {0, 1, 2}));
  EXPECT_TRUE(array_is(np::ndarray(2.0).T(), {}, np::float64, {2}));
  EXPECT_FALSE(a.T().shares_memory(a));  // every operation but reshape returns a new array
}

TEST(Shape, Transpose3DEveryOrder) {
  const auto x = np::arange(24).reshape({2, 3, 4});
  struct Case {
    std::vector<int> axes;
    np::Shape shape;
    std::vector<double> values;
  };
  // x.transpose(axes) for x = np.arange(24).reshape(2, 3, 4)
  const std::vector<Case> cases = {
      {{0, 2, 1}, {2, 4, 3}, {0,  4,  8,  1,  5,  9,  2,  6,  10, 3,  7,  11,
                              12, 16, 20, 13, 17, 21, 14, 18, 22, 15, 19, 23}},
      {{1, 0, 2}, {3, 2, 4}, {0,  1,  2,  3,  12, 13, 14, 15, 4,  5,  6,  7,
                              16, 17, 18, 19, 8,  9,  10, 11, 20, 21, 22, 23}},
      {{1, 2, 0}, {3, 4, 2}, {0, 12, 1, 13, 2, 14, 3, 15, 4,  16, 5,  17,
                              6, 18, 7, 19, 8, 20, 9, 21, 10, 22, 11, 23}},
      {{2, 0, 1}, {4, 2, 3}, {0, 4, 8,  12, 16, 20, 1, 5, 9,  13, 17, 21,
                              2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23}},
      {{2, 1, 0}, {4, 3, 2}, {0, 12, 4, 16, 8,  20, 1, 13, 5, 17, 9,  21,
                              2, 14, 6, 18, 10, 22, 3, 15, 7, 19, 11, 23}},
      {{-1, 0, -2}, {4, 2, 3}, {0, 4, 8,  12, 16, 20, 1, 5, 9,  13, 17, 21,
                                2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(testing::Message() << "axes " << c.axes[0] << c.axes[1] << c.axes[2]);
    EXPECT_TRUE(array_is(x.transpose(c.axes), c.shape, np::int64, c.values));
  }
  EXPECT_TRUE(array_is(x.T(), {4, 3, 2}, np::int64, cases[4].values));
}

TEST(Shape, TransposeErrors) {
  const auto x = np::zeros({2, 3, 4});
  EXPECT_THROW(x.transpose({0, 1}), np::axis_error);
  EXPECT_THROW(x.transpose({0, 1, 1}), np::axis_error);
  EXPECT_THROW(x.transpose({0, 1, 3}), np::axis_error);
}

TEST(Shape, Swapaxes) {
  const auto x = np::arange(24).reshape({2, 3, 4});
  // np.swapaxes(x, 0, 2) is x.transpose(2, 1, 0); np.swapaxes(x, -1, 1) is (0, 2, 1)
  EXPECT_TRUE(array_is(
      np::swapaxes(x, 0, 2), {4, 3, 2}, np::int64,
      {0, 12, 4, 16, 8, 20, 1, 13, 5, 17, 9, 21, 2, 14, 6, 18, 10, 22, 3, 15, 7, 19, 11, 23}));
  EXPECT_TRUE(array_is(
      np::swapaxes(x, -1, 1), {2, 4, 3}, np::int64,
      {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11, 12, 16, 20, 13, 17, 21, 14, 18, 22, 15, 19, 23}));
  EXPECT_TRUE(array_is(np::swapaxes(x, 1, 1), {2, 3, 4}, np::int64, iota(24)));
  EXPECT_THROW(np::swapaxes(x, 0, 3), np::axis_error);
}

// ----------------------------------------------------------------- expand_dims, squeeze

TEST(Shape, ExpandDims) {
  const auto x = np::arange(24).reshape({2, 3, 4});
  EXPECT_EQ(np::expand_dims(x, 0).shape(), (np::Shape{1, 2, 3, 4}));
  EXPECT_EQ(np::expand_dims(x, -1).shape(), (np::Shape{2, 3, 4, 1}));
  EXPECT_EQ(np::expand_dims(x, 2).shape(), (np::Shape{2, 3, 1, 4}));
  EXPECT_EQ(np::expand_dims(x, -2).shape(), (np::Shape{2, 3, 1, 4}));
  EXPECT_TRUE(array_is(np::expand_dims(x, 3), {2, 3, 4, 1}, np::int64, iota(24)));
  EXPECT_EQ(np::expand_dims(np::ndarray(1.0), 0).shape(), np::Shape{1});
  EXPECT_THROW(np::expand_dims(x, 4), np::axis_error);
  EXPECT_THROW(np::expand_dims(x, -5), np::axis_error);
}

TEST(Shape, Squeeze) {
  const auto y = np::arange(6).reshape({1, 3, 1, 2});
  EXPECT_TRUE(array_is(y.squeeze(), {3, 2}, np::int64, iota(6)));
  EXPECT_EQ(np::squeeze(y, 0).shape(), (np::Shape{3, 1, 2}));
  EXPECT_EQ(y.squeeze({0, 2}).shape(), (np::Shape{3, 2}));
  EXPECT_EQ(y.squeeze(-2).shape(), (np::Shape{1, 3, 2}));
  EXPECT_EQ(np::ones({1, 1}).squeeze().shape(), np::Shape{});
  EXPECT_TRUE(nptest::throws_with<np::shape_error>([&] { y.squeeze(1); }, {"(1, 3, 1, 2)"}));
  EXPECT_THROW(y.squeeze(4), np::axis_error);
}

TEST(Shape, Flatten) {
  const auto x = np::arange(0.0, 6.0).reshape({2, 3});
  EXPECT_TRUE(array_is(x.flatten(), {6}, np::float64, iota(6)));
  EXPECT_TRUE(array_is(x.T().flatten(), {6}, np::float64, {0, 3, 1, 4, 2, 5}));
  EXPECT_TRUE(array_is(np::ndarray(3).flatten(), {1}, np::int64, {3}));
}

// ----------------------------------------------------------------- concatenate, stack

TEST(Shape, Concatenate) {
  const auto a = np::arange(6).reshape({2, 3});
  const auto b = np::arange(6, 12).reshape({2, 3});
  EXPECT_TRUE(array_is(np::concatenate({a, b}), {4, 3}, np::int64, iota(12)));
  EXPECT_TRUE(array_is(np::concatenate({a, b}, 1), {2, 6}, np::int64,
                       {0, 1, 2, 6, 7, 8, 3, 4, 5, 9, 10, 11}));
  // np.concatenate([a, b[:, :1]], axis=-1)
  EXPECT_TRUE(array_is(np::concatenate({a, b[{np::slice(), np::slice(np::none, 1)}]}, -1), {2, 4},
                       np::int64, {0, 1, 2, 6, 3, 4, 5, 9}));
  // np.concatenate([a, np.ones((1, 3))]) promotes to float64
  EXPECT_TRUE(array_is(np::concatenate({a, np::ones({1, 3})}), {3, 3}, np::float64,
                       {0, 1, 2, 3, 4, 5, 1, 1, 1}));
  EXPECT_TRUE(array_is(np::concatenate({np::zeros({0, 3}), a}), {2, 3}, np::float64, iota(6)));
  EXPECT_TRUE(array_is(np::concatenate({a}), {2, 3}, np::int64, iota(6)));
  EXPECT_TRUE(nptest::throws_with<np::shape_error>(
      [&] {
        np::concatenate({a, np::ones({2, 2})});
      },
      {"(2, 3)", "(2, 2)"}));
  EXPECT_THROW(np::concatenate({a, np::ones({6})}), np::shape_error);
  EXPECT_THROW(np::concatenate({np::ndarray(1.0), np::ndarray(2.0)}), np::shape_error);
  EXPECT_THROW(np::concatenate({a, b}, 2), np::axis_error);
  EXPECT_THROW(np::concatenate({}), std::invalid_argument);
}

TEST(Shape, Stack) {
  const auto a = np::arange(6).reshape({2, 3});
  const auto b = np::arange(6, 12).reshape({2, 3});
  EXPECT_TRUE(array_is(np::stack({a, b}), {2, 2, 3}, np::int64, iota(12)));
  EXPECT_TRUE(
      array_is(np::stack({a, b}, 1), {2, 2, 3}, np::int64, {0, 1, 2, 6, 7, 8, 3, 4, 5, 9, 10, 11}));
  EXPECT_TRUE(
      array_is(np::stack({a, b}, 2), {2, 3, 2}, np::int64, {0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11}));
  EXPECT_TRUE(array_is(np::stack({a, b}, -1), {2, 3, 2}, np::int64,
                       {0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11}));
  EXPECT_TRUE(array_is(np::stack({np::ndarray(1.0), np::ndarray(2.0)}), {2}, np::float64, {1, 2}));
  EXPECT_THROW(np::stack({a, np::ones({3, 2})}), np::shape_error);
  EXPECT_THROW(np::stack({a, b}, 3), np::axis_error);
}

// ----------------------------------------------------------------- pad

TEST(Shape, Pad) {
  // np.pad(np.array([1, 2, 3]), (2, 1))
  EXPECT_TRUE(
      array_is(np::pad(np::array({1, 2, 3}), {{2, 1}}), {6}, np::int64, {0, 0, 1, 2, 3, 0}));
  // np.pad(np.array([[1., 2], [3, 4]]), ((1, 0), (0, 2)), constant_values=-1)
  EXPECT_TRUE(array_is(np::pad(np::array({{1.0, 2.0}, {3.0, 4.0}}), {{1, 0}, {0, 2}}, -1.0), {3, 4},
                       np::float64, {-1, -1, -1, -1, 1, 2, -1, -1, 3, 4, -1, -1}));
  // one (before, after) pair for every axis
  EXPECT_TRUE(array_is(np::pad(np::ones({1, 1}, np::int32), {{1, 1}}), {3, 3}, np::int32,
                       {0, 0, 0, 0, 1, 0, 0, 0, 0}));
  EXPECT_TRUE(
      array_is(np::pad(np::zeros({2, 0}), {{0, 0}, {1, 0}}, 5.0), {2, 1}, np::float64, {5, 5}));
  EXPECT_THROW(np::pad(np::ones({2, 2}), {{1, 1}, {1, 1}, {1, 1}}), np::shape_error);
  EXPECT_THROW(np::pad(np::ones({2}), {{-1, 0}}), std::invalid_argument);
}

TEST(Shape, PadForIm2col) {
  // z = np.arange(1, 9).reshape(1, 2, 2, 2).astype(np.float32)
  // np.pad(z, ((0, 0), (0, 0), (1, 2), (1, 2)))
  const auto z = np::arange(1, 9).reshape({1, 2, 2, 2}).astype(np::float32);
  EXPECT_TRUE(
      array_is(np::pad(z, {{0, 0}, {0, 0}, {1, 2}, {1, 2}}), {1, 2, 5, 5}, np::float32,
               {0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 5, 6, 0, 0, 0, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  // a larger (N, C, H, W) batch against the definition
  const auto x = np::arange(0.0, 2 * 3 * 4 * 5).reshape({2, 3, 4, 5});
  const auto p = np::pad(x, {{0, 0}, {0, 0}, {1, 2}, {2, 1}}, -1.0);
  ASSERT_EQ(p.shape(), (np::Shape{2, 3, 7, 8}));
  const auto v = p.to_vector<double>();
  std::size_t k = 0;
  for (int n = 0; n < 2; ++n)
    for (int c = 0; c < 3; ++c)
      for (int h = 0; h < 7; ++h)
        for (int w = 0; w < 8; ++w) {
          const bool inside = h >= 1 && h < 5 && w >= 2 && w < 7;
          const double want = inside ? ((n * 3 + c) * 4 + (h - 1)) * 5 + (w - 2) : -1.0;
          EXPECT_EQ(v[k++], want) << n << c << h << w;
        }
}

}  // namespace
