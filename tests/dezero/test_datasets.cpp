// dezero::datasets (Dataset, get_spiral, Spiral, SinCurve): values and dtypes against NumPy
// 1.24.2 and the book's package run on it (goldens printed by the reference code), and the
// global generator's draw order, on which steps 48-50 depend.
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


// ===================================== SinCurve ======================================
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


}  // namespace
