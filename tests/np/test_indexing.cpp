// Indexing with NumPy's rules: integers, slices, np::newaxis, np::ellipsis, integer and bool
// arrays (advanced indexing), setitem and np.add.at. Expected shapes, values and messages
// were printed by NumPy 1.24.2.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <vector>

#include "np/ndarray.hpp"
#include "tests/np/expect.hpp"

namespace {

using nptest::array_is;
using nptest::throws_with;

// x = np.arange(24).reshape(2, 3, 4)
np::ndarray x234() { return np::arange(24).reshape({2, 3, 4}); }
// y = np.arange(12).reshape(3, 4) * 10
np::ndarray y34() { return np::arange(12).reshape({3, 4}) * np::ndarray(10); }

// ----------------------------------------------------------------- basic indexing

TEST(Indexing, Integers) {
  const auto x = x234();
  EXPECT_TRUE(array_is(x[1], {3, 4}, np::int64, {12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}));
  EXPECT_TRUE(array_is(x[{-1, -2}], {4}, np::int64, {16, 17, 18, 19}));
  EXPECT_TRUE(array_is(x[{1, 2, 3}], {}, np::int64, {23}));
  EXPECT_TRUE(array_is(x[{-2, 0, -4}], {}, np::int64, {0}));
  EXPECT_TRUE(array_is(np::getitem(x, {0, 1}), {4}, np::int64, {4, 5, 6, 7}));
  EXPECT_FALSE(x[0].shares_memory(x));  // a copy, unlike NumPy's view
}

TEST(Indexing, SlicesWithSteps) {
  const auto v = np::arange(10);
  struct Case {
    np::Slice s;
    std::vector<double> want;
  };
  // np.arange(10)[s]
  const std::vector<Case> cases = {
      {np::slice(1, 7, 2), {1, 3, 5}},
      {np::slice(np::none, np::none, -1), {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}},
      {np::slice(8, 2, -2), {8, 6, 4}},
      {np::slice(-3), {7, 8, 9}},
      {np::slice(np::none, -7, -1), {9, 8, 7, 6, 5, 4}},
      {np::slice(2, 100), {2, 3, 4, 5, 6, 7, 8, 9}},
      {np::slice(-100, 3), {0, 1, 2}},
      {np::slice(100, np::none, -3), {9, 6, 3, 0}},
      {np::slice(5, 2), {}},
      {np::slice(-1, -100, -4), {9, 5, 1}},
      {np::slice(3, 3), {}},
      {np::slice(), {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(testing::Message()
                 << "slice(" << c.s.start.value_or(-999) << ", " << c.s.stop.value_or(-999) << ", "
                 << c.s.step.value_or(-999) << ")");
    EXPECT_TRUE(array_is(v[{c.s}], {static_cast<std::int64_t>(c.want.size())}, np::int64, c.want));
  }
  EXPECT_THROW(v[{np::slice(0, 5, 0)}], std::invalid_argument);
}

TEST(Indexing, SlicesOnSeveralAxes) {
  const auto x = x234();
  // x[:, 1:, ::-2]
  EXPECT_TRUE(array_is(x[{np::slice(), np::slice(1), np::slice(np::none, np::none, -2)}], {2, 2, 2},
                       np::int64, {7, 5, 11, 9, 19, 17, 23, 21}));
  // x[1, :, 1:3]
  EXPECT_TRUE(
      array_is(x[{1, np::slice(), np::slice(1, 3)}], {3, 2}, np::int64, {13, 14, 17, 18, 21, 22}));
}

TEST(Indexing, NewaxisAndEllipsis) {
  const auto x = x234();
  // x[..., 1]
  EXPECT_TRUE(array_is(x[{np::ellipsis, 1}], {2, 3}, np::int64, {1, 5, 9, 13, 17, 21}));
  // x[1, ...]
  EXPECT_TRUE(array_is(x[{1, np::ellipsis}], {3, 4}, np::int64,
                       {12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}));
  // x[:, np.newaxis, 1]
  EXPECT_TRUE(array_is(x[{np::slice(), np::newaxis, 1}], {2, 1, 4}, np::int64,
                       {4, 5, 6, 7, 16, 17, 18, 19}));
  // x[np.newaxis]
  EXPECT_EQ(x[{np::newaxis}].shape(), (np::Shape{1, 2, 3, 4}));
  // x[..., np.newaxis, 2:]
  EXPECT_TRUE(array_is(x[{np::ellipsis, np::newaxis, np::slice(2)}], {2, 3, 1, 2}, np::int64,
                       {2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23}));
  // np.array(5.0)[np.newaxis] and [...]
  EXPECT_TRUE(array_is(np::ndarray(5.0)[{np::newaxis}], {1}, np::float64, {5}));
  EXPECT_TRUE(array_is(np::ndarray(5.0)[{np::ellipsis}], {}, np::float64, {5}));
  EXPECT_TRUE(throws_with<np::index_error>(
      [&] {
        x[{np::ellipsis, np::ellipsis}];
      },
      {"single ellipsis"}));
}

// ----------------------------------------------------------------- advanced indexing

TEST(Indexing, IntegerArrays) {
  const auto y = y34();
  const auto t = np::array({2, 0, 1});
  // y[np.arange(3), t]: the book's softmax cross entropy
  EXPECT_TRUE(array_is(y[{np::arange(3), t}], {3}, np::int64, {20, 40, 90}));
  // y[t] and y[t, 1:3]
  EXPECT_TRUE(array_is(y[t], {3, 4}, np::int64, {80, 90, 100, 110, 0, 10, 20, 30, 40, 50, 60, 70}));
  EXPECT_TRUE(array_is(y[{t, np::slice(1, 3)}], {3, 2}, np::int64, {90, 100, 10, 20, 50, 60}));
  // y[np.array([[0, 1], [2, 2]])]
  EXPECT_TRUE(array_is(y[np::array({{0, 1}, {2, 2}})], {2, 2, 4}, np::int64,
                       {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 80, 90, 100, 110}));
  // y[np.array([-1, 0]), -1]
  EXPECT_TRUE(array_is(y[{np::array({-1, 0}), -1}], {2}, np::int64, {110, 30}));
  // index arrays of other integer dtypes
  EXPECT_TRUE(array_is(y[{np::arange(3), t.astype(np::uint8)}], {3}, np::int64, {20, 40, 90}));
  EXPECT_TRUE(array_is(y[{np::arange(3), t.astype(np::int32)}], {3}, np::int64, {20, 40, 90}));
  // broadcast index arrays: y[np.array([[0], [2]]), np.array([1, 3])]
  EXPECT_TRUE(array_is(y[{np::array({{0}, {2}}), np::array({1, 3})}], {2, 2}, np::int64,
                       {10, 30, 90, 110}));
}

TEST(Indexing, SliceThenArray) {
  const auto y = y34();
  const auto t = np::array({2, 0, 1});
  // y[:, t]
  EXPECT_TRUE(
      array_is(y[{np::slice(), t}], {3, 3}, np::int64, {20, 0, 10, 60, 40, 50, 100, 80, 90}));
  const auto x = x234();
  const auto idx = np::array({1, 0});
  // x[:, idx, idx] (adjacent: stays in place), x[:, 1, idx]
  EXPECT_TRUE(array_is(x[{np::slice(), idx, idx}], {2, 2}, np::int64, {5, 0, 17, 12}));
  EXPECT_TRUE(array_is(x[{np::slice(), 1, idx}], {2, 2}, np::int64, {5, 4, 17, 16}));
}

TEST(Indexing, SeparatedArraysMoveToTheFront) {
  const auto x = x234();
  const auto idx = np::array({1, 0});
  // x[idx, :, idx] -> (2, 3): the broadcast index axis first
  EXPECT_TRUE(array_is(x[{idx, np::slice(), idx}], {2, 3}, np::int64, {13, 17, 21, 0, 4, 8}));
  // x[idx, 1:, idx] -> (2, 2)
  EXPECT_TRUE(array_is(x[{idx, np::slice(1), idx}], {2, 2}, np::int64, {17, 21, 4, 8}));
  // x[0, :, idx] -> (2, 3): the integer counts as an index array
  EXPECT_TRUE(array_is(x[{0, np::slice(), idx}], {2, 3}, np::int64, {1, 5, 9, 0, 4, 8}));
}

TEST(Indexing, BoolMasks) {
  const auto y = y34();
  // y[y > 45]
  EXPECT_TRUE(array_is(y[y > np::ndarray(45)], {7}, np::int64, {50, 60, 70, 80, 90, 100, 110}));
  const auto x = x234();
  // x[np.array([True, False])]
  EXPECT_TRUE(array_is(x[np::array({true, false})], {1, 3, 4}, np::int64,
                       {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
  // x[:, np.array([False, True, True])]
  EXPECT_TRUE(array_is(x[{np::slice(), np::array({false, true, true})}], {2, 2, 4}, np::int64,
                       {4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23}));
  // x[1, np.array([False, True, True]), 2]
  EXPECT_TRUE(array_is(x[{1, np::array({false, true, true}), 2}], {2}, np::int64, {18, 22}));
  // a 2-D mask over the first two axes
  EXPECT_TRUE(array_is(x[np::array({{true, false, false}, {false, false, true}})], {2, 4},
                       np::int64, {0, 1, 2, 3, 20, 21, 22, 23}));
  EXPECT_TRUE(array_is(x[np::zeros({2}, np::bool_)], {0, 3, 4}, np::int64, {}));
}

TEST(Indexing, BoolMaskLengthMustMatch) {
  const auto x = x234();
  // x[np.array([True, False, True])]: IndexError, boolean index did not match ...
  EXPECT_TRUE(throws_with<np::index_error>(
      [&] {
        x[np::array({true, false, true})];
      },
      {"boolean index did not match", "dimension is 2", "boolean dimension is 3"}));
  EXPECT_TRUE(throws_with<np::index_error>(
      [&] {
        x[{np::slice(), np::array({true, false})}];
      },
      {"dimension is 3"}));
  EXPECT_THROW((x[{np::ellipsis, np::array({true})}]), np::index_error);
}

// ----------------------------------------------------------------- errors

TEST(Indexing, OutOfBounds) {
  const auto x = x234();
  // x[2]: index 2 is out of bounds for axis 0 with size 2
  EXPECT_TRUE(throws_with<np::index_error>([&] { x[2]; }, {"index 2", "axis 0", "size 2"}));
  EXPECT_TRUE(throws_with<np::index_error>([&] { x[{0, 3}]; }, {"index 3", "axis 1", "size 3"}));
  EXPECT_TRUE(throws_with<np::index_error>(
      [&] {
        x[{0, 0, -5}];
      },
      {"index -5", "axis 2", "size 4"}));
  EXPECT_TRUE(throws_with<np::index_error>(
      [&] {
        x[np::array({0, 2})];
      },
      {"index 2", "axis 0", "size 2"}));
  EXPECT_TRUE(throws_with<np::index_error>(
      [&] {
        x[{np::slice(), np::array({1, -4})}];
      },
      {"index -4", "axis 1", "size 3"}));
  // x[0, 0, 0, 0]
  EXPECT_TRUE(throws_with<np::index_error>(
      [&] {
        x[{0, 0, 0, 0}];
      },
      {"too many indices", "3-dimensional", "4 were"}));
  EXPECT_TRUE(throws_with<np::index_error>([&] { x[np::array({1.0})]; }, {"integer"}));
  EXPECT_THROW(np::ndarray(1.0)[0], np::index_error);
  EXPECT_THROW(np::ndarray()[0], std::invalid_argument);
}

// x[idx] with one int64 array and x[rows, cols] with two on a 2-D x take a shorter way than the
// general plan (np/indexing.cpp). An int32 index goes the general way: both must give the same
// elements, shapes and errors.
TEST(Indexing, RowGatherAndPairPickAgreeWithTheGeneralWay) {
  const np::ndarray x = np::arange(60).reshape({5, 3, 4}).astype(np::float32);
  const np::ndarray y = np::arange(20).reshape({5, 4});
  const np::ndarray idx = np::array({4, 0, -1, 2, 2});
  const np::ndarray idx32 = idx.astype(np::int32);
  const np::ndarray a = x[idx];
  EXPECT_EQ(a.shape(), (np::Shape{5, 3, 4}));
  EXPECT_TRUE(np::array_equal(a, x[idx32]));
  EXPECT_EQ((a[{1, 2, 3}].item<double>()), 11.0);  // x[0, 2, 3]
  EXPECT_EQ((a[{2, 0, 0}].item<double>()), 48.0);  // x[-1] is x[4]
  EXPECT_TRUE(np::array_equal(y[idx], y[idx32]));
  EXPECT_EQ(y[np::arange(0)].shape(), (np::Shape{0, 4}));
  const np::ndarray cols = np::array({3, 0, -4, 1, 2});
  const np::ndarray picked = y[{idx, cols}];
  EXPECT_TRUE(array_is(picked, {5}, np::int64, {19, 0, 16, 9, 10}));
  EXPECT_TRUE(np::array_equal(picked, y[{idx32, cols.astype(np::int32)}]));
  // Errors: the same index, axis and size either way; rows are checked before columns.
  for (const bool fast : {true, false}) {
    auto as = [&](std::vector<std::int64_t> v) {
      const np::ndarray arr = np::array(v);
      return fast ? arr : arr.astype(np::int32);
    };
    SCOPED_TRACE(fast ? "int64" : "int32");
    EXPECT_TRUE(throws_with<np::index_error>([&] { y[as({0, 5})]; }, {"index 5", "axis 0", "size 5"}));
    EXPECT_TRUE(throws_with<np::index_error>([&] { y[{as({0, 1}), as({4, 0})}]; },
                                             {"index 4", "axis 1", "size 4"}));
    EXPECT_TRUE(throws_with<np::index_error>([&] { y[{as({0, -6}), as({9, 0})}]; },
                                             {"index -6", "axis 0", "size 5"}));
  }
}

// ----------------------------------------------------------------- setitem

TEST(Indexing, SetitemBroadcasts) {
  // a = np.zeros((3, 4)); a[1] = [1, 2, 3, 4]; a[:, 0] = 7;
  // a[np.array([0, 2]), np.array([3, 3])] = [5.5, 6.5]; a[a > 6] = -1
  auto a = np::zeros({3, 4});
  const auto alias = a;
  np::setitem(a, {1}, np::array({1, 2, 3, 4}));
  np::setitem(a, {np::slice(), 0}, np::ndarray(7));
  np::setitem(a, {np::array({0, 2}), np::array({3, 3})}, np::array({5.5, 6.5}));
  np::setitem(a, {a > np::ndarray(6)}, np::ndarray(-1));
  EXPECT_TRUE(array_is(a, {3, 4}, np::float64, {-1, 0, 0, 5.5, -1, 2, 3, 4, -1, 0, 0, -1}));
  EXPECT_TRUE(alias.shares_memory(a));  // written in place
  // b = np.zeros((2, 3), np.int64); b[:, 1:] = np.array([[1.9], [2.9]]) -> cast to int64
  auto b = np::zeros({2, 3}, np::int64);
  np::setitem(b, {np::slice(), np::slice(1)}, np::array({{1.9}, {2.9}}));
  EXPECT_TRUE(array_is(b, {2, 3}, np::int64, {0, 1, 1, 0, 2, 2}));
  // repeated indices: the last write wins
  auto c = np::zeros({3});
  np::setitem(c, {np::array({0, 0})}, np::array({1.0, 2.0}));
  EXPECT_TRUE(array_is(c, {3}, np::float64, {2, 0, 0}));
  EXPECT_THROW(np::setitem(c, {np::slice()}, np::ones({2})), np::shape_error);
}

TEST(Indexing, SetitemFromItself) {
  // c = np.arange(5); c[::-1] = c -> [4, 3, 2, 1, 0]
  auto c = np::arange(5);
  np::setitem(c, {np::slice(np::none, np::none, -1)}, c);
  EXPECT_TRUE(array_is(c, {5}, np::int64, {4, 3, 2, 1, 0}));
  // c = np.arange(5); c[1:] = c[:-1] -> [0, 0, 1, 2, 3]
  auto d = np::arange(5);
  np::setitem(d, {np::slice(1)}, d[{np::slice(np::none, -1)}]);
  EXPECT_TRUE(array_is(d, {5}, np::int64, {0, 0, 1, 2, 3}));
  // through a reshaped handle of the same storage
  auto e = np::arange(4);
  np::setitem(e, {np::slice(np::none, np::none, -1)}, e.reshape({2, 2}).reshape({4}));
  EXPECT_TRUE(array_is(e, {4}, np::int64, {3, 2, 1, 0}));
}

// ----------------------------------------------------------------- add_at

TEST(Indexing, AddAtAccumulatesRepeatedIndices) {
  // z = np.zeros(5); np.add.at(z, np.array([0, 0, 2]), np.ones(3)) -> [2, 0, 1, 0, 0]
  auto z = np::zeros({5});
  np::add_at(z, {np::array({0, 0, 2})}, np::ones({3}));
  EXPECT_TRUE(array_is(z, {5}, np::float64, {2, 0, 1, 0, 0}));
  // np.add.at(z, (np.array([0, 2, 0, 0]), np.array([1, 0, 1, 1])), [1., 2, 3, 4])
  auto w = np::zeros({3, 2});
  np::add_at(w, {np::array({0, 2, 0, 0}), np::array({1, 0, 1, 1})},
             np::array({1.0, 2.0, 3.0, 4.0}));
  EXPECT_TRUE(array_is(w, {3, 2}, np::float64, {0, 8, 0, 0, 2, 0}));
  // np.add.at(z, np.array([1, 1]), np.array([[1., 2]])): whole rows, values broadcast
  auto r = np::zeros({3, 2});
  np::add_at(r, {np::array({1, 1})}, np::array({{1.0, 2.0}}));
  EXPECT_TRUE(array_is(r, {3, 2}, np::float64, {0, 0, 2, 4, 0, 0}));
  // np.add.at(z, (slice(None), np.array([0, 0, 2])), 1.0)
  auto s = np::zeros({2, 3});
  np::add_at(s, {np::slice(), np::array({0, 0, 2})}, np::ndarray(1.0));
  EXPECT_TRUE(array_is(s, {2, 3}, np::float64, {2, 0, 1, 2, 0, 1}));
}

TEST(Indexing, AddAtSeparatedIndices) {
  // g = np.zeros((2, 3, 4)); idx = np.array([1, 0, 1]);
  // np.add.at(g, (idx, slice(None), idx), np.ones((3, 3)))
  auto g = np::zeros({2, 3, 4});
  const auto idx = np::array({1, 0, 1});
  np::add_at(g, {idx, np::slice(), idx}, np::ones({3, 3}));
  EXPECT_TRUE(array_is(g, {2, 3, 4}, np::float64,
                       {1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0}));
}

TEST(Indexing, AddAtIsGetitemsBackward) {
  // the book's GetItemGrad: gx = zeros(x.shape); np.add.at(gx, slices, gy)
  const auto x = np::arange(0.0, 12.0).reshape({3, 4});
  const np::Indices slices = {np::array({0, 2, 0}), np::array({1, 1, 1})};
  const auto y = x[slices];
  EXPECT_TRUE(array_is(y, {3}, np::float64, {1, 9, 1}));
  auto gx = np::zeros_like(x);
  np::add_at(gx, slices, np::array({1.0, 10.0, 100.0}));
  EXPECT_TRUE(array_is(gx, {3, 4}, np::float64, {0, 101, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0}));
}

TEST(Indexing, AddAtFromItself) {
  // z = np.arange(6.); np.add.at(z, np.array([5, 5]), z[np.array([0, 1])]) -> [..., 6]
  auto z = np::arange(0.0, 6.0);
  np::add_at(z, {np::array({5, 5})}, z[np::array({0, 1})]);
  EXPECT_TRUE(array_is(z, {6}, np::float64, {0, 1, 2, 3, 4, 6}));
  // u = np.array([1., 2, 3]); np.add.at(u, np.array([2, 2, 2]), u) -> [1, 2, 9]
  auto u = np::array({1.0, 2.0, 3.0});
  np::add_at(u, {np::array({2, 2, 2})}, u);
  EXPECT_TRUE(array_is(u, {3}, np::float64, {1, 2, 9}));
  auto i = np::zeros({2}, np::int64);
  np::add_at(i, {np::array({1, 1, 1})}, np::ndarray(2));
  EXPECT_TRUE(array_is(i, {2}, np::int64, {0, 6}));
}

}  // namespace
