// dezero::transforms, datasets (Dataset, get_spiral, Spiral, SinCurve) and dataloaders
// (DataLoader, SeqDataLoader): values and dtypes against NumPy 1.24.2 and the book's
// package run on it (goldens printed by the reference code), and the global generator's draw
// order, on which steps 48-50 depend. Also utils::Plot's regions and markers (step 48's
// picture).
#include <gtest/gtest.h>

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ranges>
#include <sstream>
#include <string>
#include <vector>

#include "dezero/dezero.hpp"
#include "tests/dezero/helpers.hpp"

namespace {

namespace fs = std::filesystem;
namespace T = dezero::transforms;
namespace D = dezero::datasets;
using dezero::dataloaders::DataLoader;
using dezero::dataloaders::SeqDataLoader;
using dztest::array_is;
using dztest::throws_with;

std::vector<std::int64_t> ints(const np::ndarray& a) { return a.to_vector<std::int64_t>(); }

// ===================================== transforms ===========================================

const np::ndarray& image() {
  static const np::ndarray a = np::array({{{0, 51}, {255, 128}}}, np::uint8);  // (1, 2, 2)
  return a;
}

TEST(Transforms, MnistDefaultGivesFloat32VectorsInZeroOne) {
  const T::Compose f({T::Flatten(), T::ToFloat(), T::Normalize(0., 255.)});
  // NumPy: float32 [0, 0.2, 1, 0.50196081]; float32 - 0.0 / 255.0 stays float32
  EXPECT_TRUE(array_is(f(image()), {4}, np::float32,
                       {0.0, 0.20000000298023224, 1.0, 0.501960813999176}));
  EXPECT_TRUE(array_is(D::MNIST::default_transform()(image()), {4}, np::float32,
                       {0.0, 0.20000000298023224, 1.0, 0.501960813999176}));
}

TEST(Transforms, NormalizeFollowsNumpysDtypes) {
  // The defaults (0, 1) are Python ints: uint8 - 0 stays uint8, / 1 is true division.
  EXPECT_TRUE(array_is(T::Normalize()(image()), {1, 2, 2}, np::float64, {0, 51, 255, 128}));
  EXPECT_TRUE(array_is(T::Normalize(0, 255)(image()), {1, 2, 2}, np::float64,
                       {0.0, 0.2, 1.0, 0.5019607843137255}));
  EXPECT_EQ(T::Normalize(0., 255.)(image()).dtype(), np::float64);  // uint8 - 0.0 is float64
  EXPECT_EQ(T::Normalize(0., 255.)(image().astype(np::float32)).dtype(), np::float32);
}

TEST(Transforms, NormalizePerChannel) {
  const np::ndarray b = np::arange(8).astype(np::float32).reshape({2, 2, 2});
  EXPECT_TRUE(array_is(T::Normalize({1, 2}, {2, 4})(b), {2, 2, 2}, np::float32,
                       {-0.5, 0.0, 0.5, 1.0, 0.5, 0.75, 1.0, 1.25}));
  // The values take the data's dtype first, as np.array(mean, dtype=x.dtype): 1.5, 2.5 -> 1, 2
  const np::ndarray u = np::array({{10, 20}, {30, 40}}, np::uint8);
  EXPECT_TRUE(array_is(T::Normalize({1.5, 2.5}, 2.0)(u), {2, 2}, np::float64, {4.5, 9.5, 14, 19}));
  // One value for every channel; uint8 arithmetic wraps as NumPy's: 0 - 127 = 129
  EXPECT_TRUE(array_is(T::Normalize({127.5}, {2.0})(image()), {1, 2, 2}, np::float64,
                       {64.5, 90.0, 64.0, 0.5}));
  EXPECT_TRUE(throws_with<np::shape_error>([&] { T::Normalize({1, 2, 3}, 1.0)(b); },
                                           {"Normalize", "3 mean values for 2 channels"}));
  EXPECT_TRUE(throws_with<np::shape_error>([] { T::Normalize({1.0}, 1.0)(np::ndarray(2.0)); },
                                           {"Normalize", "0-d"}));
}

TEST(Transforms, TypesFlattenAndCompose) {
  EXPECT_TRUE(array_is(T::ToInt()(np::array({1.7, -2.5})), {2}, np::int64, {1, -2}));
  EXPECT_TRUE(array_is(T::AsType(np::float64)(np::array({1.0f, 2.0f})), {2}, np::float64, {1, 2}));
  EXPECT_TRUE(array_is(T::ToFloat()(np::array({3, 4})), {2}, np::float32, {3, 4}));
  EXPECT_TRUE(array_is(T::Flatten()(np::ndarray(5.0)), {1}, np::float64, {5}));
  EXPECT_TRUE(array_is(T::Flatten()(image()), {4}, np::uint8, {0, 51, 255, 128}));
  // An empty Compose is the identity, as the book's (it returns its input itself).
  const T::Compose none;
  EXPECT_TRUE(none.is_identity());
  EXPECT_TRUE(none(image()).shares_memory(image()));
  // In order: flatten then double, or a user function in between.
  const T::Compose f({T::Flatten(), [](const np::ndarray& x) { return x * np::ndarray(2); }});
  EXPECT_TRUE(array_is(f(np::array({{1, 2}, {3, 4}})), {4}, np::int64, {2, 4, 6, 8}));
  EXPECT_FALSE(f.batchable());
  EXPECT_TRUE(T::Compose({T::Flatten(), T::ToFloat()}).batchable());
}

// A stack of samples transformed at once is the stack of the transformed samples.
TEST(Transforms, ApplyBatchEqualsSampleBySample) {
  np::random::seed(3);
  const np::ndarray images = (np::random::rand({5, 3, 2, 2}) * np::ndarray(255.0)).astype(np::uint8);
  const std::vector<T::Transform> cases = {
      D::MNIST::default_transform(),
      T::Normalize({10, 20, 30}, {2, 4, 8}),
      T::Compose({T::ToFloat(), T::Normalize({0.5, 0.25, 1.0}, 0.5), T::Flatten()}),
      T::ToInt(),
      T::Normalize(),
  };
  for (std::size_t c = 0; c < cases.size(); ++c) {
    const auto& f = cases[c];
    ASSERT_TRUE(f.batchable()) << c;
    std::vector<np::ndarray> rows;
    for (std::int64_t i = 0; i < 5; ++i) rows.push_back(f(images[i]));
    const np::ndarray expected = np::stack(rows);
    const np::ndarray got = f.apply_batch(images);
    EXPECT_EQ(got.dtype(), expected.dtype()) << c;
    EXPECT_EQ(got.shape(), expected.shape()) << c;
    EXPECT_TRUE(np::array_equal(got, expected)) << c;
  }
  const T::Transform user([](const np::ndarray& x) { return x; });
  EXPECT_FALSE(user.batchable());
  EXPECT_TRUE(throws_with<std::logic_error>([&] { user.apply_batch(images); }, {"sample by sample"}));
  EXPECT_TRUE(throws_with<np::shape_error>([] { T::ToInt().apply_batch(np::zeros({3})); },
                                           {"apply_batch", "(3,)"}));
}

// ===================================== Dataset ==============================================

TEST(Dataset, IndexingAppliesTheTransforms) {
  const np::ndarray data = np::arange(12).reshape({4, 3});
  const np::ndarray label = np::array({7, 8, 9, 10});
  const auto ds = D::Dataset::from_arrays(data, label, T::ToFloat(),
                                          [](const np::ndarray& t) { return t * np::ndarray(10); });
  EXPECT_EQ(ds.len(), 4);
  EXPECT_TRUE(ds.train());
  const auto [x, t] = ds[1];
  EXPECT_TRUE(array_is(x, {3}, np::float32, {3, 4, 5}));
  EXPECT_TRUE(array_is(t, {}, np::int64, {80}));
  EXPECT_TRUE(array_is(ds[-1].x, {3}, np::float32, {9, 10, 11}));  // from the end, as NumPy
  EXPECT_TRUE(throws_with<np::index_error>([&] { ds[4]; }, {"Dataset", "index 4", "4 samples"}));
  EXPECT_TRUE(throws_with<np::index_error>([&] { ds[-5]; }, {"index -5"}));

  // Without labels t is None, as the book's (x, None).
  const auto unlabelled = D::Dataset::from_arrays(data, {});
  EXPECT_FALSE(unlabelled[0].t.defined());
  EXPECT_FALSE(unlabelled.batch(std::vector<std::int64_t>{0, 1}).t.defined());

  EXPECT_TRUE(throws_with<np::shape_error>(
      [&] { D::Dataset::from_arrays(data, np::array({1, 2})); }, {"4 samples", "(2,)"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { D::Dataset::from_arrays({}, {}); },
                                                 {"None"}));
  // The empty base data set, as the book's Dataset() before prepare fills it.
  EXPECT_EQ(D::Dataset().len(), 0);
}

// A batch is np.array([ds[i] ...]): the same whichever way it is assembled.
TEST(Dataset, BatchStacksTheSamples) {
  np::random::seed(1);
  const np::ndarray data = (np::random::rand({6, 1, 2, 2}) * np::ndarray(255.0)).astype(np::uint8);
  const np::ndarray label = np::array({3, 1, 4, 1, 5, 9}, np::uint8);
  const std::vector<std::int64_t> idx = {5, 0, 2, -1};
  const std::vector<T::Transform> cases = {
      T::Transform(), D::MNIST::default_transform(),
      [](const np::ndarray& x) { return x.flatten().astype(np::float64) + np::ndarray(1.0); }};
  for (std::size_t c = 0; c < cases.size(); ++c) {
    const auto ds = D::Dataset::from_arrays(data, label, cases[c]);
    const auto [x, t] = ds.batch(idx);
    std::vector<np::ndarray> xs, ts;
    for (const auto i : idx) {
      xs.push_back(ds[i].x);
      ts.push_back(ds[i].t);
    }
    EXPECT_TRUE(dztest::arrays_near(x, np::stack(xs), 0.0)) << c;
    EXPECT_TRUE(array_is(t, {4}, np::uint8, {9, 3, 4, 9})) << c;
  }
  // A transform that gives samples of different shapes cannot be stacked.
  const auto ragged = D::Dataset::from_arrays(np::arange(3), {}, [](const np::ndarray& x) {
    return np::zeros({x.item<std::int64_t>() + 1});
  });
  EXPECT_TRUE(throws_with<np::shape_error>([&] { ragged.batch(std::vector<std::int64_t>{0, 1}); },
                                           {"Dataset::batch", "different shapes"}));
  EXPECT_TRUE(throws_with<np::index_error>([&] { ragged.batch(std::vector<std::int64_t>{0, 3}); },
                                           {"index 3"}));
}

// ===================================== spiral ===============================================

// NumPy goldens: the book's get_spiral run with NumPy 1.24.2 (x[:3], t[:10] and the next draws
// are also in ../shared/reference/extra/numpy_rng_reference.txt).
const std::vector<std::int64_t> spiral_train_t = {
    1, 1, 2, 0, 1, 2, 0, 0, 1, 2, 1, 1, 2, 1, 1, 2, 1, 2, 2, 1, 2, 1, 0, 2, 1, 0, 2, 2, 0, 2, 0, 0,
    1, 0, 0, 2, 2, 1, 1, 2, 2, 1, 0, 0, 0, 1, 0, 1, 2, 1, 0, 1, 1, 2, 0, 2, 0, 0, 1, 2, 2, 1, 2, 1,
    0, 0, 1, 1, 0, 0, 1, 1, 2, 1, 2, 2, 2, 1, 0, 2, 0, 1, 0, 0, 1, 0, 2, 2, 1, 2, 1, 0, 0, 0, 0, 0,
    0, 2, 0, 0, 0, 0, 2, 1, 0, 2, 0, 1, 0, 1, 0, 0, 2, 0, 2, 0, 1, 0, 0, 0, 2, 2, 1, 1, 0, 1, 0, 0,
    2, 1, 0, 1, 1, 1, 0, 2, 2, 1, 0, 1, 1, 1, 2, 1, 1, 1, 1, 1, 2, 0, 2, 1, 2, 2, 2, 0, 0, 2, 0, 1,
    0, 0, 0, 1, 2, 0, 1, 2, 2, 1, 0, 1, 0, 2, 0, 1, 0, 1, 0, 2, 2, 2, 2, 0, 2, 0, 1, 1, 0, 0, 1, 2,
    1, 1, 1, 2, 2, 2, 2, 1, 1, 2, 1, 2, 1, 0, 0, 2, 2, 2, 0, 1, 2, 0, 1, 1, 1, 1, 1, 2, 2, 1, 2, 0,
    0, 2, 0, 0, 0, 2, 0, 1, 0, 2, 0, 2, 1, 1, 1, 2, 1, 1, 1, 0, 0, 1, 1, 0, 1, 2, 2, 1, 2, 0, 2, 1,
    2, 2, 2, 2, 0, 2, 0, 1, 0, 2, 0, 0, 0, 1, 2, 1, 1, 2, 1, 2, 1, 0, 1, 2, 2, 2, 0, 2, 0, 2, 0, 1,
    0, 1, 2, 2, 2, 0, 2, 2, 2, 0, 2, 0};

// The float32 values summed in C order in float64: any changed point changes it.
double sum_in_order(const np::ndarray& x) {
  double s = 0.0;
  for (const double v : x.to_vector<double>()) s += v;
  return s;
}

TEST(Spiral, TrainingSetMatchesNumpy) {
  np::random::seed(12345);  // get_spiral reseeds: what came before does not matter
  const auto [x, t] = D::get_spiral(true);
  ASSERT_EQ(x.shape(), (np::Shape{300, 2}));
  ASSERT_EQ(x.dtype(), np::float32);
  EXPECT_TRUE(array_is(t, {300}, np::int64,
                       std::vector<double>(spiral_train_t.begin(), spiral_train_t.end())));
  EXPECT_TRUE(array_is(x[{np::slice(0, 3)}], {3, 2}, np::float32,
                       {-0.1398138850927353, -0.007216573692858219, 0.37049391865730286,
                        0.5820947289466858, 0.13742630183696747, -0.17179642617702484}));
  EXPECT_TRUE(array_is(x[299], {2}, np::float32, {0.025064952671527863, 0.07597202062606812}));
  EXPECT_EQ(sum_in_order(x), -13.916731213830644);
  // 300 randn and one permutation(300) were drawn after seed(1984): the next draws are NumPy's.
  EXPECT_TRUE(array_is(np::random::randn({3}), {3}, np::float64,
                       {0.24333422293984552, 1.048301779335564, -1.4648470258211543}));
}

TEST(Spiral, TestSetMatchesNumpy) {
  const auto [x, t] = D::get_spiral(false);
  EXPECT_TRUE(array_is(x[{np::slice(0, 2)}], {2, 2}, np::float32,
                       {0.13246453, 0.13620993, -0.31427157, 0.24745378}, 5e-9));
  EXPECT_TRUE(array_is(x[299], {2}, np::float32, {-0.16662900149822235, 0.03368643671274185}));
  EXPECT_EQ(sum_in_order(x), -11.263850776544132);
  EXPECT_TRUE(array_is(t[{np::slice(0, 10)}], {10}, np::int64, {0, 1, 0, 1, 2, 2, 1, 2, 2, 0}));
  EXPECT_TRUE(array_is(t[{np::slice(290)}], {10}, np::int64, {2, 2, 1, 0, 0, 0, 0, 1, 0, 1}));
  EXPECT_TRUE(array_is(np::random::randn({2}), {2}, np::float64,
                       {0.5882268528568941, -0.08760154380455992}));
}

TEST(Spiral, DatasetHoldsGetSpiral) {
  const D::Spiral ds(true);
  const auto [x, t] = D::get_spiral(true);
  EXPECT_EQ(ds.len(), 300);
  EXPECT_TRUE(np::array_equal(ds.data(), x));
  EXPECT_TRUE(np::array_equal(ds.label(), t));
  const auto [x0, t0] = ds[0];
  EXPECT_TRUE(array_is(x0, {2}, np::float32, {-0.1398138850927353, -0.007216573692858219}));
  EXPECT_TRUE(array_is(t0, {}, np::int64, {1}));
  EXPECT_FALSE(D::Spiral(false).train());
}

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

// ===================================== SinCurve / SeqDataLoader =============================

TEST(SinCurve, TrainingSetIsNoisySineAsNumpys) {
  np::random::seed(0);
  const D::SinCurve ds(true);
  EXPECT_EQ(ds.len(), 999);
  EXPECT_EQ(ds.data().shape(), (np::Shape{999, 1}));
  EXPECT_EQ(ds.label().shape(), (np::Shape{999, 1}));
  // np.sin may round the last bit differently from the C library
  const double tol = 1e-16;
  EXPECT_TRUE(array_is(ds.data()[{np::slice(0, 3)}], {3, 1}, np::float64,
                       {0.004881350392732478, 0.027808369953309695, 0.02285495544590544}, tol));
  EXPECT_TRUE(array_is(ds.label()[{np::slice(0, 2)}], {2, 1}, np::float64,
                       {0.027808369953309695, 0.02285495544590544}, tol));
  EXPECT_TRUE(array_is(ds.data()[998], {1}, np::float64, {-0.03342477821777386}, tol));
  EXPECT_TRUE(array_is(ds.label()[998], {1}, np::float64, {0.01771411441114217}, tol));
}

TEST(SinCurve, TestSetIsCosineButDrawsTheNoiseToo) {
  np::random::seed(0);
  const D::SinCurve ds(false);
  // NumPy's vectorised cos is 2 ulps off the C library's (correctly rounded) one here
  EXPECT_TRUE(array_is(ds.data()[{np::slice(0, 2)}], {2, 1}, np::float64,
                       {1.0, 0.9999802213186835}, 5e-16));
  // 1000 uniform draws were made: the next rand is NumPy's 1001st after seed(0)
  EXPECT_TRUE(array_is(np::random::rand({1}), {1}, np::float64, {0.5928802707811576}));
}

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

// ===================================== Plot: regions and markers ============================

// A PNG decoder for what gnuplot's pngcairo writes (8-bit RGB or RGBA, not interlaced), to
// look at the colours of the drawn picture.
struct Image {
  std::uint32_t width = 0, height = 0;
  int channels = 0;
  std::vector<unsigned char> pixels;
  std::string rgb(std::uint32_t x, std::uint32_t y) const {
    const unsigned char* p = &pixels[(static_cast<std::size_t>(y) * width + x) * channels];
    char buf[8];
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", p[0], p[1], p[2]);
    return buf;
  }
};

Image read_png(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  Image img;
  if (bytes.size() < 8 || bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) return img;
  auto u32 = [&](std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(bytes[at + i]);
    return v;
  };
  std::string idat;
  int color_type = 0;
  for (std::size_t pos = 8; pos + 8 <= bytes.size();) {
    const std::uint32_t n = u32(pos);
    const std::string type = bytes.substr(pos + 4, 4);
    if (type == "IHDR") {
      img.width = u32(pos + 8);
      img.height = u32(pos + 12);
      color_type = static_cast<unsigned char>(bytes[pos + 17]);
      if (bytes[pos + 16] != 8 || bytes[pos + 20] != 0) return {};
    } else if (type == "IDAT") {
      idat += bytes.substr(pos + 8, n);
    }
    pos += 12 + n;
  }
  img.channels = color_type == 6 ? 4 : color_type == 2 ? 3 : 0;
  if (!img.channels) return {};
  const std::size_t stride = img.width * img.channels;
  std::vector<unsigned char> raw((stride + 1) * img.height);
  uLongf raw_size = raw.size();
  if (uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(idat.data()), idat.size()) !=
      Z_OK) {
    return {};
  }
  img.pixels.assign(stride * img.height, 0);
  const int bpp = img.channels;
  for (std::uint32_t y = 0; y < img.height; ++y) {
    const unsigned char filter = raw[y * (stride + 1)];
    const unsigned char* src = &raw[y * (stride + 1) + 1];
    unsigned char* row = &img.pixels[y * stride];
    const unsigned char* up = y ? &img.pixels[(y - 1) * stride] : nullptr;
    for (std::size_t i = 0; i < stride; ++i) {
      const int a = i >= static_cast<std::size_t>(bpp) ? row[i - bpp] : 0;
      const int b = up ? up[i] : 0;
      const int c = up && i >= static_cast<std::size_t>(bpp) ? up[i - bpp] : 0;
      int pred = 0;
      switch (filter) {
        case 1: pred = a; break;
        case 2: pred = b; break;
        case 3: pred = (a + b) / 2; break;
        case 4: {
          const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
          pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: break;
      }
      row[i] = static_cast<unsigned char>(src[i] + pred);
    }
  }
  return img;
}

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (!dir.empty() && access((fs::path(dir) / program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

// Three classes on a 4 x 3 grid: class = column, except the top row, which is all class 2.
dezero::utils::Plot regions_plot() {
  const np::ndarray xs = np::array({0.0, 1.0, 2.0, 3.0});
  const np::ndarray ys = np::array({0.0, 0.5, 1.0});
  const np::ndarray z = np::array({{0, 0, 1, 1}, {0, 0, 1, 1}, {2, 2, 2, 2}});
  dezero::utils::Plot plot;
  plot.regions(xs, ys, z);
  plot.scatter(np::array({0.5}), np::array({0.25})).marker("x").color("blue");
  plot.scatter(np::array({2.5}), np::array({0.25})).marker("^", 2.0);
  return plot;
}

TEST(PlotRegions, ScriptHasOneFlatColourPerClass) {
  const std::string gp = regions_plot().script("r.png");
  EXPECT_NE(gp.find("set palette defined (-0.5 \"#48186a\", 0.5 \"#48186a\", 0.5 \"#26828e\", "
                    "1.5 \"#26828e\", 1.5 \"#d8e219\", 2.5 \"#d8e219\")"),
            std::string::npos)
      << gp;
  EXPECT_NE(gp.find("set cbrange [-0.5:2.5]"), std::string::npos);
  EXPECT_NE(gp.find("$regions << EOD\n0 0 1 1\n0 0 1 1\n2 2 2 2\nEOD\n"), std::string::npos);
  EXPECT_NE(gp.find("plot $regions matrix using (0 + $1 * 1):(0 + $2 * 0.5):3 with image notitle, "),
            std::string::npos);
  EXPECT_NE(gp.find("with points pointtype 2 pointsize 1.2 linewidth 2 linecolor rgb \"blue\""),
            std::string::npos);
  EXPECT_NE(gp.find("with points pointtype 9 pointsize 1.6 notitle"), std::string::npos);
  EXPECT_NE(gp.find("set offsets 0, 0, 0, 0"), std::string::npos);
}

TEST(PlotRegions, DrawsTheClassColours) {
  if (!on_path("gnuplot")) GTEST_SKIP() << "gnuplot is not installed (apt-get install gnuplot-nox)";
  const fs::path dir = fs::temp_directory_path() / ("dezero_regions_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const fs::path png = dir / "regions.png";
  regions_plot().save(png.string());
  const Image img = read_png(png);
  fs::remove_all(dir);
  ASSERT_EQ(img.width, 800u);
  ASSERT_EQ(img.height, 600u);
  // Find the plotted area (non-white, non-black pixels of the region colours) and look at
  // the middle of each class's cells.
  std::uint32_t left = img.width, right = 0, top = img.height, bottom = 0;
  for (std::uint32_t y = 0; y < img.height; ++y) {
    for (std::uint32_t x = 0; x < img.width; ++x) {
      if (img.rgb(x, y) == "#48186a" || img.rgb(x, y) == "#d8e219") {
        left = std::min(left, x), right = std::max(right, x);
        top = std::min(top, y), bottom = std::max(bottom, y);
      }
    }
  }
  ASSERT_LT(left, right);
  ASSERT_LT(top, bottom);
  auto at = [&](double fx, double fy) {  // fractions of the area, from the bottom left
    return img.rgb(left + static_cast<std::uint32_t>(fx * (right - left)),
                   bottom - static_cast<std::uint32_t>(fy * (bottom - top)));
  };
  EXPECT_EQ(at(0.05, 0.05), "#48186a");  // class 0: bottom left
  EXPECT_EQ(at(0.95, 0.05), "#26828e");  // class 1: bottom right
  EXPECT_EQ(at(0.5, 0.95), "#d8e219");   // class 2: the top row
}

TEST(PlotRegions, BadInput) {
  dezero::utils::Plot plot;
  const np::ndarray xs = np::array({0.0, 1.0}), ys = np::array({0.0, 1.0, 2.0});
  EXPECT_TRUE(throws_with<np::shape_error>([&] { plot.regions(xs, ys, np::zeros({2, 3}, np::int64)); },
                                           {"Plot::regions", "(2, 3)", "(3, 2)"}));
  EXPECT_TRUE(throws_with<np::dtype_error>([&] { plot.regions(xs, ys, np::zeros({3, 2})); },
                                           {"Plot::regions", "float64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { plot.regions(xs, ys, np::full({3, 2}, 4, np::int64)); }, {"5 classes", "0 colours"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { plot.marker("x"); }, {"Plot::marker"}));
  plot.scatter(xs, xs);
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { plot.marker("*"); }, {"unknown marker"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { plot.marker("o", 0); }, {"scale", "positive"}));
}

}  // namespace
