// The convolutional layers (dezero/layers: L::Conv2d, L::Deconv2d, L::BatchNorm): weights
// checked against the book's formula with the same random draws, outputs against the
// functions they are made of.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "dezero/dezero.hpp"
#include "tests/dezero/helpers.hpp"

namespace {

using dztest::Cnn;  // the fixture and names() are shared with test_models.cpp
using dztest::names;
namespace F = dezero::functions;
namespace L = dezero::layers;
using dezero::Variable;
using dztest::array_is;
using dztest::arrays_near;
using dztest::throws_with;

// ===================================== layers ===============================================

TEST_F(Cnn, Conv2dLayerDrawsItsWeightsAtTheFirstCall) {
  L::Conv2d conv(4, 3, {.stride = 1, .pad = 1});
  EXPECT_FALSE(conv.W.data().defined());
  EXPECT_EQ(names(conv), (std::vector<std::string>{"W", "b"}));
  const np::ndarray x = np::random::randn({2, 3, 5, 5}).astype(np::float32);
  np::random::seed(7);
  const Variable y = conv(x);
  // the book's draw: randn(OC, C, KH, KW) cast to float32, times sqrt(1 / (C KH KW))
  np::random::seed(7);
  const np::ndarray want = np::random::randn({4, 3, 3, 3}).astype(np::float32) *
                           np::ndarray(std::sqrt(1.0 / 27.0));
  EXPECT_TRUE(arrays_near(conv.W.data(), want, 0.0));
  EXPECT_TRUE(array_is(conv.b.data(), {4}, np::float32, {0, 0, 0, 0}));
  EXPECT_TRUE(
      arrays_near(y.data(), F::conv2d(x, conv.W, conv.b, {.stride = 1, .pad = 1}).data(), 0.0));
  EXPECT_EQ(y.shape(), (np::Shape{2, 4, 5, 5}));
  // eager with in_channels, no bias, float64, a non-square kernel
  L::Conv2d eager(2, {1, 3},
                  {.stride = 2, .pad = 0, .nobias = true, .dtype = np::float64, .in_channels = 3});
  EXPECT_EQ(eager.W.shape(), (np::Shape{2, 3, 1, 3}));
  EXPECT_EQ(eager.W.dtype(), np::float64);
  EXPECT_EQ(names(eager), (std::vector<std::string>{"W"}));
  EXPECT_EQ(eager(np::random::randn({1, 3, 5, 7})).shape(), (np::Shape{1, 2, 3, 3}));
  // the gradients reach the parameters
  F::sum(conv(x)).backward();
  EXPECT_EQ(conv.W.grad().shape(), conv.W.shape());
  EXPECT_TRUE(array_is(conv.b.grad().data(), {4}, np::float32, {50, 50, 50, 50}));
}

TEST_F(Cnn, Conv2dLayerBadInput) {
  L::Conv2d conv(4, 3);
  conv(np::random::randn({1, 3, 5, 5}));
  EXPECT_TRUE(throws_with<np::shape_error>([&] { conv(np::random::randn({1, 2, 5, 5})); },
                                           {"Conv2d", "x (1, 2, 5, 5)", "2 channels", "(4, 3, 3, 3)", "made for 3"}));
  EXPECT_TRUE(throws_with<np::shape_error>([&] { conv(np::random::randn({3, 5, 5})); },
                                           {"Conv2d", "4-D", "(3, 5, 5)"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { L::Conv2d(0, 3); }, {"Conv2d", "out_channels"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { L::Conv2d(2, 3, {.stride = 0}); },
                                                 {"Conv2d", "stride (0, 0)"}));
  EXPECT_TRUE(throws_with<np::dtype_error>([] { L::Conv2d(2, 3, {.dtype = np::int64}); },
                                           {"Conv2d", "float32 or float64"}));
}

TEST_F(Cnn, Deconv2dLayer) {
  L::Deconv2d deconv(2, 3, {.stride = 2, .pad = 1});
  const np::ndarray x = np::random::randn({1, 4, 3, 3}).astype(np::float32);
  np::random::seed(3);
  const Variable y = deconv(x);
  np::random::seed(3);
  const np::ndarray want = np::random::randn({4, 2, 3, 3}).astype(np::float32) *
                           np::ndarray(std::sqrt(1.0 / 36.0));
  EXPECT_TRUE(arrays_near(deconv.W.data(), want, 0.0));
  EXPECT_EQ(y.shape(), (np::Shape{1, 2, 5, 5}));  // 2 (3 - 1) + 3 - 2
  EXPECT_TRUE(arrays_near(y.data(),
                          F::deconv2d(x, deconv.W, deconv.b, {.stride = 2, .pad = 1}).data(), 0.0));
}

TEST_F(Cnn, BatchNormLayer) {
  L::BatchNorm bn;
  EXPECT_EQ(names(bn), (std::vector<std::string>{"avg_mean", "avg_var", "gamma", "beta"}));
  const np::ndarray x = np::random::randn({4, 3, 2, 2}).astype(np::float32);
  const Variable y = bn(x);
  EXPECT_TRUE(array_is(bn.gamma.data(), {3}, np::float32, {1, 1, 1}));
  EXPECT_TRUE(array_is(bn.beta.data(), {3}, np::float32, {0, 0, 0}));
  // training: each channel of y has mean 0 and variance 1 (up to eps), and the running mean
  // moved a tenth of the way to the batch's
  const np::ndarray m = y.data().mean({0, 2, 3});
  for (double v : m.to_vector<double>()) EXPECT_NEAR(v, 0.0, 1e-6);
  const np::ndarray batch_mean = x.mean({0, 2, 3});
  EXPECT_TRUE(arrays_near(bn.avg_mean.data(), batch_mean * np::ndarray(0.1f), 1e-6));
  // test mode: the running statistics, unchanged by the call
  const np::ndarray mean_before = bn.avg_mean.data().copy();
  {
    auto guard = dezero::test_mode();
    const Variable z = bn(x);
    const np::ndarray want = (x - bn.avg_mean.data().reshape({1, 3, 1, 1})) /
                             np::sqrt(bn.avg_var.data().reshape({1, 3, 1, 1}) + np::ndarray(2e-5));
    EXPECT_TRUE(arrays_near(z.data(), want, 1e-5));
  }
  EXPECT_TRUE(arrays_near(bn.avg_mean.data(), mean_before, 0.0));
  // gamma and beta are trained
  F::sum(bn(x) * np::random::randn({4, 3, 2, 2})).backward();
  EXPECT_EQ(bn.gamma.grad().shape(), (np::Shape{3}));
  EXPECT_EQ(bn.beta.grad().shape(), (np::Shape{3}));
  EXPECT_TRUE(throws_with<np::shape_error>([&] { bn(np::ones({2, 3, 4})); },
                                           {"BatchNorm", "(2, 3, 4)"}));
}

}  // namespace
