// dezero::transforms (dezero/transforms): values and dtypes against NumPy 1.24.2, and a batch
// transformed at once against the same samples transformed one by one.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "dezero/dezero.hpp"
#include "tests/dezero/helpers.hpp"

namespace {

namespace D = dezero::datasets;
namespace T = dezero::transforms;
using dztest::array_is;
using dztest::throws_with;

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

}  // namespace
