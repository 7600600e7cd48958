// dezero::dataloaders (DataLoader, SeqDataLoader): batches, and the global generator's draw
// order, on which steps 48-50 depend, against the book's package run on NumPy 1.24.2.
#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>
#include <ranges>
#include <vector>

#include "dezero/dezero.hpp"
#include "tests/dezero/helpers.hpp"

namespace {

using dezero::dataloaders::DataLoader;
using dezero::dataloaders::SeqDataLoader;
namespace D = dezero::datasets;
namespace T = dezero::transforms;
using dztest::array_is;
using dztest::throws_with;

std::vector<std::int64_t> ints(const np::ndarray& a) { return a.to_vector<std::int64_t>(); }

// ===================================== DataLoader ===========================================

static_assert(std::input_iterator<DataLoader::iterator>);
static_assert(std::ranges::input_range<DataLoader>);

// Step 50's draws: the first permutation when the loader is made, the next one as soon as the
// last batch of an epoch has been taken (goldens from the book's DataLoader on NumPy).
TEST(DataLoader, DrawsItsPermutationsWhereTheBookDoes) {
  const D::Spiral train_set(true);
  DataLoader loader(train_set, 30);
  EXPECT_EQ(loader.max_iter(), 10);
  const std::vector<std::int64_t> first = {187, 212, 61, 57, 49, 258, 169, 225, 73, 288, 289, 22};
  EXPECT_EQ(std::vector<std::int64_t>(loader.index().begin(), loader.index().begin() + 12), first);

  int batches = 0;
  for (auto [x, t] : loader) {
    ASSERT_TRUE(array_is(x, {30, 2}, np::float32, x.to_vector<double>()));
    ASSERT_EQ(t.shape(), (np::Shape{30}));
    ASSERT_EQ(t.dtype(), np::int64);
    if (batches == 0) {
      EXPECT_EQ(ints(t), (std::vector<std::int64_t>{1, 2, 1, 0, 1, 2, 1, 2, 1, 0, 1, 0, 0, 0, 2,
                                                    0, 2, 1, 1, 0, 1, 1, 0, 0, 2, 2, 1, 1, 0, 0}));
      EXPECT_TRUE(array_is(x[0], {2}, np::float32, {-0.22394885122776031, 0.05241100862622261}));
      // row i of the batch is sample index[i]
      EXPECT_TRUE(np::array_equal(x[5], train_set.data()[first[5]]));
      // the next epoch's order is drawn only at the end
      EXPECT_EQ(loader.index()[0], 187);
    }
    ++batches;
  }
  EXPECT_EQ(batches, 10);
  EXPECT_EQ(loader.iteration(), 0);
  EXPECT_EQ(std::vector<std::int64_t>(loader.index().begin(), loader.index().begin() + 12),
            (std::vector<std::int64_t>{277, 83, 190, 166, 15, 167, 230, 213, 250, 266, 299, 249}));
  EXPECT_TRUE(array_is(np::random::randn({1}), {1}, np::float64, {-0.3388337190358344}));
}

TEST(DataLoader, SmallerLastBatchAndNoShuffle) {
  const D::Spiral test_set(false);
  DataLoader loader(test_set, 128, {.shuffle = false});
  std::vector<np::Shape> shapes;
  std::int64_t row = 0;
  for (const auto& [x, t] : loader) {
    shapes.push_back(x.shape());
    // in order, without drawing anything
    EXPECT_TRUE(np::array_equal(x, test_set.data()[{np::slice(row, row + x.len())}]));
    EXPECT_TRUE(np::array_equal(t, test_set.label()[{np::slice(row, row + t.len())}]));
    row += x.len();
  }
  EXPECT_EQ(shapes, (std::vector<np::Shape>{{128, 2}, {128, 2}, {44, 2}}));
  EXPECT_EQ(row, 300);
}

TEST(DataLoader, IsItsOwnIteratorAsTheBooks) {
  const auto ds = D::Dataset::from_arrays(np::arange(7), np::arange(7) * np::ndarray(10));
  DataLoader loader(ds, 3, {.shuffle = false});
  // A loop left early resumes where it stopped; next() is Python's next().
  for (auto [x, t] : loader) {
    EXPECT_TRUE(array_is(x, {3}, np::int64, {0, 1, 2}));
    EXPECT_TRUE(array_is(t, {3}, np::int64, {0, 10, 20}));
    break;
  }
  const auto second = loader.next();
  ASSERT_TRUE(second);
  EXPECT_TRUE(array_is(second->x, {3}, np::int64, {3, 4, 5}));
  std::vector<std::vector<std::int64_t>> rest;
  for (auto [x, t] : loader) rest.push_back(ints(x));
  EXPECT_EQ(rest, (std::vector<std::vector<std::int64_t>>{{6}}));
  // the epoch ended: the next loop is a whole epoch again
  EXPECT_EQ(std::ranges::distance(loader), 3);
  EXPECT_TRUE(loader.next());
  loader.reset();
  EXPECT_EQ(loader.iteration(), 0);

  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { DataLoader(ds, 0); },
                                                 {"DataLoader", "batch size", "0"}));
  // An empty data set gives no batches.
  const D::Dataset empty;
  DataLoader none(empty, 4);
  EXPECT_EQ(std::ranges::distance(none), 0);
}

// The data loader hands out what the data set's transforms make, stacked.
TEST(DataLoader, BatchesOfTransformedSamples) {
  const np::ndarray data = np::arange(2 * 1 * 2 * 2).reshape({2, 1, 2, 2}).astype(np::uint8);
  const auto ds = D::Dataset::from_arrays(data, np::array({4, 2}, np::uint8),
                                          D::MNIST::default_transform());
  DataLoader loader(ds, 2, {.shuffle = false});
  const auto [x, t] = *loader.next();
  EXPECT_TRUE(array_is(x, {2, 4}, np::float32,
                       {0.0, 1 / 255.0f, 2 / 255.0f, 3 / 255.0f, 4 / 255.0f, 5 / 255.0f, 6 / 255.0f,
                        7 / 255.0f}));
  EXPECT_TRUE(array_is(t, {2}, np::uint8, {4, 2}));
}


// ===================================== SeqDataLoader ========================================

TEST(SeqDataLoader, JumpsAlongTheSeries) {
  np::random::seed(0);
  const D::SinCurve ds(true);
  SeqDataLoader loader(ds, 30);
  EXPECT_EQ(loader.max_iter(), 34);
  std::vector<dezero::dataloaders::Batch> batches;
  for (auto batch : loader) batches.push_back(batch);
  ASSERT_EQ(batches.size(), 34u);
  // batch k, row i is sample (i * 33 + k) % 999
  for (const std::int64_t k : {0, 1, 33}) {
    for (const std::int64_t i : {0, 1, 29}) {
      const std::int64_t j = (i * 33 + k) % 999;
      EXPECT_TRUE(np::array_equal(batches[k].x[i], ds.data()[j])) << k << " " << i;
      EXPECT_TRUE(np::array_equal(batches[k].t[i], ds.label()[j])) << k << " " << i;
    }
    EXPECT_EQ(batches[k].x.shape(), (np::Shape{30, 1}));
  }
  // NumPy goldens of the book's SeqDataLoader
  EXPECT_TRUE(array_is(batches[0].x[{np::slice(0, 3)}], {3, 1}, np::float64,
                       {0.004881350392732478, 0.21290910629855742, 0.43538564546877473}, 1e-16));
  EXPECT_TRUE(array_is(batches[1].x[{np::slice(0, 2)}], {2, 1}, np::float64,
                       {0.027808369953309695, 0.1640950662261434}, 1e-16));
  EXPECT_TRUE(array_is(batches[33].x[29], {1}, np::float64, {-0.10535793348946684}, 1e-16));
  EXPECT_TRUE(array_is(batches[33].t[29], {1}, np::float64, {-0.06801161660855828}, 1e-16));
  // No permutation is drawn: the generator is where SinCurve left it.
  np::random::seed(0);
  np::random::rand({1000});
  const double next = np::random::rand().item<double>();
  np::random::seed(0);
  const D::SinCurve again(true);
  SeqDataLoader loader2(again, 30);
  for (auto batch : loader2) (void)batch;
  EXPECT_EQ(np::random::rand().item<double>(), next);
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { SeqDataLoader(ds, -1); },
                                                 {"SeqDataLoader", "-1"}));
}

}  // namespace
