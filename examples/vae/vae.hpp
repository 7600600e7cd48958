// The book's convolutional variational autoencoder (examples/vae.py), shared by the example
// and its test: an encoder from a (N, 1, 28, 28) image to the mean and log-variance of a
// latent Gaussian, a decoder from a latent point back to an image, and the loss, the negative
// evidence lower bound (reconstruction cross entropy + KL divergence from N(0, I)).
#pragma once

#include <cmath>
#include <utility>

#include "dezero/dezero.hpp"

namespace vae {

using dezero::Variable;
namespace F = dezero::functions;
namespace L = dezero::layers;

class Encoder : public dezero::Model {
 public:
  explicit Encoder(std::int64_t latent_size)
      : latent_size(latent_size),
        conv1(32, 3, {.stride = 1, .pad = 1}),
        conv2(64, 3, {.stride = 2, .pad = 1}),
        conv3(64, 3, {.stride = 1, .pad = 1}),
        conv4(64, 3, {.stride = 1, .pad = 1}),
        linear1(32),
        linear2(latent_size),
        linear3(latent_size) {
    register_layer("conv1", conv1);
    register_layer("conv2", conv2);
    register_layer("conv3", conv3);
    register_layer("conv4", conv4);
    register_layer("linear1", linear1);
    register_layer("linear2", linear2);
    register_layer("linear3", linear3);
  }

  // (z_mean, z_log_var), each (N, latent_size).
  std::pair<Variable, Variable> encode(const Variable& x) {
    Variable h = F::relu(conv1(x));
    h = F::relu(conv2(h));
    h = F::relu(conv3(h));
    h = F::relu(conv4(h));
    h = F::flatten(h);
    h = F::relu(linear1(h));
    return {linear2(h), linear3(h)};
  }

  // The reparameterisation z = mean + sigma * epsilon, epsilon ~ N(0, I) from the global
  // generator, where z_log_var is log(sigma^2), so sigma = exp(z_log_var / 2). The book
  // multiplies by exp(z_log_var), the variance, which samples too widely (sigma^2 for sigma)
  // and disagrees with its own KL term; fixed here (docs/examples.md). epsilon is drawn in
  // float64 and cast to z_mean's dtype, so the decoder works in float32 as the data does.
  Variable sampling(const Variable& z_mean, const Variable& z_log_var) const {
    const np::ndarray epsilon =
        np::random::randn({z_mean.len(), latent_size}).astype(z_mean.dtype());
    return z_mean + F::exp(z_log_var * 0.5) * epsilon;
  }

  std::int64_t latent_size;
  L::Conv2d conv1, conv2, conv3, conv4;
  L::Linear linear1, linear2, linear3;
};

class Decoder : public dezero::Model {
 public:
  Decoder() : linear(64 * 14 * 14), deconv(32, 4, {.stride = 2, .pad = 1}), conv(1, 3, {.stride = 1, .pad = 1}) {
    register_layer("linear", linear);
    register_layer("deconv", deconv);
    register_layer("conv", conv);
  }

  // (N, latent_size) -> (N, 1, 28, 28) in (0, 1).
  Variable forward(const Variable& z) override {
    Variable h = F::relu(linear(z));
    h = F::reshape(h, {-1, 64, 14, 14});
    h = F::relu(deconv(h));
    return F::sigmoid(conv(h));
  }

  L::Linear linear;
  L::Deconv2d deconv;
  L::Conv2d conv;
};

class VAE : public dezero::Model {
 public:
  explicit VAE(std::int64_t latent_size) : encoder(latent_size) {
    register_layer("encoder", encoder);
    register_layer("decoder", decoder);
  }

  // The loss: -ELBO, with C weighting the KL term and k Monte Carlo samples of z (the book's
  // defaults C = 1, k = 1).
  Variable loss(const Variable& x, double C = 1.0, int k = 1) {
    const auto [z_mean, z_log_var] = encoder.encode(x);
    Variable rec_loss;
    for (int l = 0; l < k; ++l) {
      const Variable z = encoder.sampling(z_mean, z_log_var);
      const Variable y = decoder(z);
      const Variable term = F::binary_cross_entropy(F::flatten(y), F::flatten(x)) / static_cast<double>(k);
      rec_loss = l == 0 ? term : rec_loss + term;
    }
    Variable kl_loss = (z_mean * z_mean + F::exp(z_log_var) - z_log_var - 1.0) * (C * 0.5);
    kl_loss = F::sum(kl_loss) / static_cast<double>(x.len());
    return rec_loss + kl_loss;
  }
  Variable forward(const Variable& x) override { return loss(x); }

  Encoder encoder;
  Decoder decoder;
};

// scipy.stats.norm.ppf: the x with Phi(x) = p, for p in (0, 1), by bisection on erfc.
inline double norm_ppf(double p) {
  double lo = -40, hi = 40;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

// The 2-D latent manifold: n x n decoded images at the normal quantiles of
// linspace(0.05, 0.95, n) on both axes, tile (i, j) from z = (q[j], q[i]), as the book's
// show_digits, drawn as one grey picture.
inline dezero::Image manifold(Decoder& decoder, std::int64_t n = 15) {
  std::vector<double> q(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    q[static_cast<std::size_t>(i)] =
        norm_ppf(0.05 + 0.9 * static_cast<double>(i) / static_cast<double>(n - 1));
  }
  std::vector<double> z;
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      z.push_back(q[static_cast<std::size_t>(j)]);
      z.push_back(q[static_cast<std::size_t>(i)]);
    }
  }
  const auto guard = dezero::no_grad();
  const Variable decoded = decoder(np::array(z, np::Shape{n * n, 2}).astype(np::float32));
  return dezero::image_grid(decoded.data(), n, n, 0, 1);
}

}  // namespace vae
