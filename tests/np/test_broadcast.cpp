// Broadcasting: the shape rule, element-wise values over broadcast operands, broadcast_to and
// the book's sum_to. Expected shapes and values were printed by NumPy 1.24.2.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "np/ndarray.hpp"
#include "tests/np/expect.hpp"

namespace {

using nptest::array_is;

struct ShapeCase {
  np::Shape a, b, out;
};

TEST(Broadcast, ShapeTable) {
  // np.broadcast_shapes(a, b)
  const std::vector<ShapeCase> cases = {
      {{2, 3}, {3}, {2, 3}},
      {{3, 1}, {1, 4}, {3, 4}},
      {{5, 1, 3}, {4, 1}, {5, 4, 3}},
      {{1}, {7}, {7}},
      {{}, {2, 3}, {2, 3}},
      {{2, 3}, {}, {2, 3}},
      {{}, {}, {}},
      {{2, 0}, {1}, {2, 0}},
      {{8, 1, 6, 1}, {7, 1, 5}, {8, 7, 6, 5}},
      {{1, 1}, {1}, {1, 1}},
      {{3}, {3}, {3}},
      {{0}, {1}, {0}},
      {{4, 1}, {2, 1, 3}, {2, 4, 3}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(testing::Message() << c.a << " with " << c.b);
    EXPECT_EQ(np::broadcast_shapes(c.a, c.b), c.out);
    EXPECT_EQ(np::broadcast_shapes(c.b, c.a), c.out);
    EXPECT_EQ((np::zeros(c.a) + np::zeros(c.b)).shape(), c.out);
  }
}

TEST(Broadcast, IncompatibleShapes) {
  const std::vector<std::pair<np::Shape, np::Shape>> cases = {
      {{2, 3}, {4, 5}}, {{3}, {4}}, {{2, 1}, {8, 4, 3}}, {{0}, {2}}, {{2, 3}, {2}}};
  for (const auto& pair : cases) {
    const np::Shape& a = pair.first;  // named, not bound: clang 14 cannot capture bindings
    const np::Shape& b = pair.second;
    SCOPED_TRACE(testing::Message() << a << " with " << b);
    EXPECT_TRUE(nptest::throws_with<np::shape_error>([&] { np::broadcast_shapes(a, b); },
                                                     {a.str(), b.str()}));
    EXPECT_TRUE(nptest::throws_with<np::shape_error>([&] { (void)(np::zeros(a) + np::zeros(b)); },
                                                     {"add", a.str(), b.str()}));
  }
  EXPECT_TRUE(nptest::throws_with<np::shape_error>(
      [] {
        (void)(np::ones({2, 3}) * np::ones({4, 5}));
      },
      {"multiply", "(2, 3)", "(4, 5)"}));
  EXPECT_TRUE(nptest::throws_with<np::shape_error>(
      [] {
        (void)(np::ones({2, 3}) < np::ones({3, 2}));
      },
      {"(2, 3)", "(3, 2)"}));
}

TEST(Broadcast, ColumnAddAndMultiply) {
  // x = np.arange(9.).reshape(3, 3); y = np.array([[10.], [20.], [30.]])
  const auto x = np::arange(0.0, 9.0).reshape({3, 3});
  const auto y = np::array({{10.0}, {20.0}, {30.0}});
  EXPECT_TRUE(array_is(x + y, {3, 3}, np::float64, {10, 11, 12, 23, 24, 25, 36, 37, 38}));
  EXPECT_TRUE(array_is(y + x, {3, 3}, np::float64, {10, 11, 12, 23, 24, 25, 36, 37, 38}));
  EXPECT_TRUE(array_is(x * y, {3, 3}, np::float64, {0, 10, 20, 60, 80, 100, 180, 210, 240}));
  EXPECT_TRUE(array_is(x - y, {3, 3}, np::float64, {-10, -9, -8, -17, -16, -15, -24, -23, -22}));
}

TEST(Broadcast, RowAddAndMultiply) {
  // a = np.arange(6).reshape(2, 3); b = np.array([10, 20, 30])
  const auto a = np::arange(6).reshape({2, 3});
  const auto b = np::array({10, 20, 30});
  EXPECT_TRUE(array_is(a + b, {2, 3}, np::int64, {10, 21, 32, 13, 24, 35}));
  EXPECT_TRUE(array_is(a * b, {2, 3}, np::int64, {0, 20, 60, 30, 80, 150}));
  EXPECT_TRUE(array_is(b - a, {2, 3}, np::int64, {10, 19, 28, 7, 16, 25}));
}

TEST(Broadcast, RowTimesColumn) {
  // r = np.arange(1, 4).reshape(1, 3) * 0.5; c = np.array([[1.], [2.]])
  const auto r = np::arange(1, 4).reshape({1, 3}) * np::ndarray(0.5);
  const auto c = np::array({{1.0}, {2.0}});
  EXPECT_TRUE(array_is(r + c, {2, 3}, np::float64, {1.5, 2.0, 2.5, 2.5, 3.0, 3.5}));
  EXPECT_TRUE(array_is(r * c, {2, 3}, np::float64, {0.5, 1.0, 1.5, 1.0, 2.0, 3.0}));
  EXPECT_TRUE(array_is(c / r, {2, 3}, np::float64,
                       {2.0, 1.0, 0.6666666666666666, 4.0, 2.0, 1.3333333333333333}));
}

TEST(Broadcast, ZeroDimWithNDim) {
  // np.array(2.5) + np.arange(4).reshape(2, 2)
  const auto m = np::arange(4).reshape({2, 2});
  EXPECT_TRUE(array_is(np::ndarray(2.5) + m, {2, 2}, np::float64, {2.5, 3.5, 4.5, 5.5}));
  EXPECT_TRUE(array_is(m - np::ndarray(1), {2, 2}, np::int64, {-1, 0, 1, 2}));
  EXPECT_TRUE(array_is(np::ndarray(2.0) * np::ndarray(4.0), {}, np::float64, {8}));
}

TEST(Broadcast, ThreeDimWithTwoDim) {
  // a = np.arange(6).reshape(2, 1, 3); b = np.array([[100], [200], [300], [400]])
  const auto a = np::arange(6).reshape({2, 1, 3});
  const auto b = np::array({{100}, {200}, {300}, {400}});
  EXPECT_TRUE(array_is(a + b, {2, 4, 3}, np::int64,
                       {100, 101, 102, 200, 201, 202, 300, 301, 302, 400, 401, 402,
                        103, 104, 105, 203, 204, 205, 303, 304, 305, 403, 404, 405}));
  EXPECT_TRUE(array_is(a * b, {2, 4, 3}, np::int64,
                       {0,   100, 200, 0,   200, 400,  0,   300,  600,  0,    400,  800,
                        300, 400, 500, 600, 800, 1000, 900, 1200, 1500, 1200, 1600, 2000}));
}

TEST(Broadcast, ManyAxesAgainstLoops) {
  // (2, 1, 3, 1) * (1, 4, 1, 5) -> (2, 4, 3, 5): every element checked against the definition
  const auto a = np::arange(6).reshape({2, 1, 3, 1});
  const auto b = np::arange(20).reshape({1, 4, 1, 5}) + np::ndarray(1);
  const auto p = a * b + b;
  ASSERT_EQ(p.shape(), (np::Shape{2, 4, 3, 5}));
  const auto v = p.to_vector<std::int64_t>();
  std::size_t n = 0;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j)
      for (int k = 0; k < 3; ++k)
        for (int l = 0; l < 5; ++l) {
          const std::int64_t x = i * 3 + k, y = j * 5 + l + 1;
          EXPECT_EQ(v[n++], x * y + y) << i << j << k << l;
        }
}

TEST(Broadcast, WhereAndMaximumBroadcast) {
  const auto cond = np::array({{true}, {false}});
  EXPECT_TRUE(array_is(np::where(cond, np::array({1, 2, 3}), np::ndarray(0)), {2, 3}, np::int64,
                       {1, 2, 3, 0, 0, 0}));
  EXPECT_TRUE(array_is(np::maximum(np::array({{1.0}, {5.0}}), np::array({0.0, 2.0, 6.0})), {2, 3},
                       np::float64, {1, 2, 6, 5, 5, 6}));
}

// ----------------------------------------------------------------- broadcast_to, sum_to

TEST(Broadcast, BroadcastTo) {
  EXPECT_TRUE(array_is(np::broadcast_to(np::array({1, 2, 3}), {2, 3}), {2, 3}, np::int64,
                       {1, 2, 3, 1, 2, 3}));
  EXPECT_TRUE(array_is(np::broadcast_to(np::array({{1}, {2}}), {2, 2, 3}), {2, 2, 3}, np::int64,
                       {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2}));
  EXPECT_TRUE(array_is(np::broadcast_to(np::ndarray(1.5f), {2}), {2}, np::float32, {1.5, 1.5}));
  EXPECT_TRUE(array_is(np::broadcast_to(np::ones({3, 1}), {3, 0}), {3, 0}, np::float64, {}));
  EXPECT_TRUE(nptest::throws_with<np::shape_error>([] { np::broadcast_to(np::ones({3}), {4}); },
                                                   {"(3,)", "(4,)"}));
  EXPECT_TRUE(nptest::throws_with<np::shape_error>(
      [] {
        np::broadcast_to(np::ones({2, 3}), {3});
      },
      {"(2, 3)", "(3,)"}));
  EXPECT_THROW(np::broadcast_to(np::ones({2, 1}), {1, 3}), np::shape_error);
}

TEST(Broadcast, SumTo) {
  // x = np.arange(24.).reshape(2, 3, 4); utils.sum_to(x, shape)
  const auto x = np::arange(0.0, 24.0).reshape({2, 3, 4});
  EXPECT_TRUE(array_is(np::sum_to(x, {3, 1}), {3, 1}, np::float64, {60, 92, 124}));
  EXPECT_TRUE(array_is(np::sum_to(x, {4}), {4}, np::float64, {60, 66, 72, 78}));
  EXPECT_TRUE(array_is(np::sum_to(x, {1, 3, 4}), {1, 3, 4}, np::float64,
                       {12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34}));
  EXPECT_TRUE(
      array_is(np::sum_to(x, {2, 1, 4}), {2, 1, 4}, np::float64, {12, 15, 18, 21, 48, 51, 54, 57}));
  EXPECT_TRUE(array_is(np::sum_to(x, {1, 1, 1}), {1, 1, 1}, np::float64, {276}));
  EXPECT_TRUE(array_is(np::sum_to(x, {1}), {1}, np::float64, {276}));
  EXPECT_TRUE(array_is(np::sum_to(x, {}), {}, np::float64, {276}));
  EXPECT_TRUE(array_is(
      np::sum_to(x, {2, 3, 4}), {2, 3, 4}, np::float64,
      {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}));
  // int arrays stay int64
  EXPECT_TRUE(
      array_is(np::sum_to(np::arange(6).reshape({2, 3}), {1, 3}), {1, 3}, np::int64, {3, 5, 7}));
  EXPECT_THROW(np::sum_to(x, {1, 2, 3, 4}), np::shape_error);
  EXPECT_THROW(np::sum_to(x, {5}), np::shape_error);
}

TEST(Broadcast, SumToUndoesBroadcastTo) {
  // the gradient pair of the book's BroadcastTo / SumTo: sum_to(broadcast_to(b, s), b.shape)
  const auto b = np::array({{1.0, 2.0, 3.0}});
  const auto g = np::broadcast_to(b, {4, 2, 3});
  EXPECT_TRUE(array_is(np::sum_to(g, b.shape()), {1, 3}, np::float64, {8, 16, 24}));
}

}  // namespace
