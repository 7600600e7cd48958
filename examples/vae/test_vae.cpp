// The VAE example's parts: the reparameterisation draws with the standard deviation
// exp(z_log_var / 2) (the book's exp(z_log_var) would give the variance), the loss is the KL
// term's closed form plus the reconstruction term, gradients reach both halves, and the
// manifold picture has its 15 x 15 tiles.
#include <gtest/gtest.h>

#include <cmath>

#include "vae.hpp"

namespace {

using dezero::Variable;

TEST(VaeSampling, UsesTheStandardDeviation) {
  np::random::seed(0);
  vae::Encoder encoder(2);
  const std::int64_t n = 20000;
  // mean (1, -3), variance 4 and 0.25: standard deviations 2 and 0.5
  const Variable z_mean(np::zeros({n, 2}, np::float32) + np::array(std::vector<float>{1.f, -3.f}));
  const Variable z_log_var(np::zeros({n, 2}, np::float32) +
                           np::array(std::vector<float>{std::log(4.f), std::log(0.25f)}));
  const np::ndarray z = encoder.sampling(z_mean, z_log_var).data().astype(np::float64);
  const auto v = z.to_vector<double>();
  double mean[2] = {0, 0}, var[2] = {0, 0};
  for (std::int64_t i = 0; i < n; ++i)
    for (int k = 0; k < 2; ++k) mean[k] += v[static_cast<std::size_t>(i * 2 + k)] / static_cast<double>(n);
  for (std::int64_t i = 0; i < n; ++i)
    for (int k = 0; k < 2; ++k) {
      const double d = v[static_cast<std::size_t>(i * 2 + k)] - mean[k];
      var[k] += d * d / static_cast<double>(n);
    }
  EXPECT_NEAR(mean[0], 1.0, 0.05);
  EXPECT_NEAR(mean[1], -3.0, 0.02);
  EXPECT_NEAR(std::sqrt(var[0]), 2.0, 0.05);   // the book's sampling: 4
  EXPECT_NEAR(std::sqrt(var[1]), 0.5, 0.02);   // the book's sampling: 0.25
  EXPECT_EQ(z.shape(), (np::Shape{n, 2}));
}

TEST(VaeLoss, IsFiniteAndTrainsBothHalves) {
  np::random::seed(1);
  vae::VAE model(2);
  const np::ndarray x = np::random::rand({2, 1, 28, 28}).astype(np::float32);
  const Variable loss = model(x);
  const double value = loss.data().item<double>();
  // the reconstruction term alone is a mean binary cross entropy over 784 pixels of each
  // image, about 784 * 0.69 for an untrained decoder near 0.5; the KL term is >= 0
  EXPECT_GT(value, 400.0);
  EXPECT_LT(value, 700.0);
  model.cleargrads();
  loss.backward();
  EXPECT_TRUE(model.encoder.conv1.W.grad());
  EXPECT_TRUE(model.decoder.conv.W.grad());
  auto optimizer = dezero::optimizers::Adam().setup(model);
  for (int i = 0; i < 8; ++i) {
    const Variable l = model(x);
    model.cleargrads();
    l.backward();
    optimizer.update();
  }
  EXPECT_LT(model(x).data().item<double>(), value);
}

TEST(VaeManifold, QuantilesAndTiles) {
  EXPECT_NEAR(vae::norm_ppf(0.5), 0.0, 1e-12);
  EXPECT_NEAR(vae::norm_ppf(0.95), 1.6448536269514722, 1e-9);  // scipy.stats.norm.ppf(0.95)
  EXPECT_NEAR(vae::norm_ppf(0.05), -1.6448536269514722, 1e-9);
  vae::Decoder decoder;
  const dezero::Image img = vae::manifold(decoder, 3);
  EXPECT_EQ(img.width(), 3 * 28);
  EXPECT_EQ(img.height(), 3 * 28);
  EXPECT_EQ(img.mode(), "L");
}

}  // namespace
