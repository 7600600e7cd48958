// examples/style_transfer: a photograph painted in the manner of another picture (Gatys et
// al.'s neural style transfer; the book's examples/style_transfer.py).
//
// The pretrained VGG16 (with average instead of max pooling) describes an image by the maps
// of its convolutions. An image is sought whose deep maps (conv5_2) match the content image's
// (the zebra) and whose correlations between maps (Gram matrices at conv1_1 ... conv5_1)
// match the style image's (Van Gogh's Starry Night), with a little total variation to keep it
// smooth. It starts as the content image and is improved by AdaGrad (lr 5) on its pixels for
// 2001 iterations; every iteration prints its loss (`12 loss: 1234567`, the book's CPU
// interval) and every 100th is written as style_transfer_N.png, at the content image's size
// (the book shows it in a window and leaves its save commented out).
//
//   style_transfer [--iters N]            N iterations (default 2001)
//   style_transfer --random-weights ...   seeded random weights and generated pictures: the
//                                         whole path without the 528 MB of weights
//
// vgg16.npz and the two pictures are looked up in the data cache (~/.dezero or $DEZERO_HOME)
// and downloaded when missing; when one can be neither found nor downloaded, the example says
// which, where it looked and where to get it, and exits with 77 (skipped).
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "dezero/dezero.hpp"
#include "example_support.hpp"
#include "step_options.hpp"

using dezero::Image;
using dezero::Parameter;
using dezero::Variable;
using dezero::models::VGG16;
namespace F = dezero::functions;
namespace fs = std::filesystem;
namespace utils = dezero::utils;

namespace {

const double lr = 5.0;
const double style_weight = 1.0;
const double content_weight = 1e-4;
const double total_variation_weight = 1e-6;
const std::vector<std::string> content_layers = {"conv5_2"};
const std::vector<std::string> style_layers = {"conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1"};

// A picture for --random-weights: rings (content) or diagonal waves (style).
Image generated(bool rings) {
  np::ndarray px({160, 240, 3}, np::uint8);
  auto* p = px.data<std::uint8_t>();
  for (int y = 0; y < 160; ++y)
    for (int x = 0; x < 240; ++x)
      for (int c = 0; c < 3; ++c) {
        const double t = rings ? 0.15 * std::hypot(x - 120.0, y - 80.0) : 0.08 * (x + y);
        p[(y * 240 + x) * 3 + c] = static_cast<std::uint8_t>(127 + 110 * std::sin(t + 2.1 * c));
      }
  return Image::from_array(px);
}

// The maps of every convolution, the book's VGG16.extract (average pooling between blocks).
std::map<std::string, Variable> extract(VGG16& m, const Variable& x0) {
  std::map<std::string, Variable> out;
  Variable x = x0;
  const std::vector<std::vector<std::pair<std::string, dezero::layers::Conv2d*>>> blocks = {
      {{"conv1_1", &m.conv1_1}, {"conv1_2", &m.conv1_2}},
      {{"conv2_1", &m.conv2_1}, {"conv2_2", &m.conv2_2}},
      {{"conv3_1", &m.conv3_1}, {"conv3_2", &m.conv3_2}, {"conv3_3", &m.conv3_3}},
      {{"conv4_1", &m.conv4_1}, {"conv4_2", &m.conv4_2}, {"conv4_3", &m.conv4_3}},
      {{"conv5_1", &m.conv5_1}, {"conv5_2", &m.conv5_2}, {"conv5_3", &m.conv5_3}}};
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    if (b > 0) x = F::average_pooling(x, 2, {.stride = 2});
    for (const auto& [name, conv] : blocks[b]) out[name] = x = F::relu((*conv)(x));
  }
  return out;
}

// The correlations between the maps of x (1, C, H, W): (1, C, C).
Variable gram_mat(const Variable& x) {
  const std::int64_t C = x.shape()[1];
  const Variable features = F::reshape(x, {C, -1});
  return F::reshape(F::matmul(features, F::transpose(features)), {1, C, C});
}

Variable style_loss(const Variable& style, const Variable& comb) {
  const double n = static_cast<double>(style.shape()[1] * style.shape()[2] * style.shape()[3]);
  return F::mean_squared_error(gram_mat(style), gram_mat(comb)) / (4 * n * n);
}

Variable content_loss(const Variable& base, const Variable& comb) {
  return F::mean_squared_error(base, comb) / 2.0;
}

// Squared differences of neighbouring pixels, down and to the right.
Variable total_variation_loss(const Variable& x) {
  using np::slice;
  const Variable corner = x[{slice(), slice(), slice(np::none, -1), slice(np::none, -1)}];
  const Variable a = corner - x[{slice(), slice(), slice(1), slice(np::none, -1)}];
  const Variable b = corner - x[{slice(), slice(), slice(np::none, -1), slice(1)}];
  return F::sum(a * a + b * b);
}

// The book's deprocess_image: means added back, BGR to RGB, clipped to bytes, resized.
Image deprocess(const np::ndarray& x, std::int64_t width, std::int64_t height) {
  np::ndarray hwc = x.reshape({3, x.shape()[2], x.shape()[3]}).transpose({1, 2, 0}).astype(np::float64) +
                    np::array({103.939, 116.779, 123.68});
  const np::ndarray bgr = np::clip(hwc, np::ndarray(0.0), np::ndarray(255.0)).astype(np::uint8);
  const np::ndarray rgb = bgr[{np::slice(), np::slice(), np::array({2, 1, 0})}];
  return Image::from_array(rgb).resize(width, height);
}

}  // namespace

int main(int argc, char** argv) {
  const auto args =
      steps::parse(argc, argv, {.counts = {{"iters", 2001}}, .flags = {"random-weights"}, .positional = {}});
  const long iterations = args.counts.at("iters");
  const bool random_weights = args.flags.contains("random-weights");
  try {
    VGG16 model(false);
    Image content, style;
    if (random_weights) {
      np::random::seed(0);
      content = generated(true);
      style = generated(false);
    } else {
      model.load_weights(examples::cached_or_skip("style_transfer", VGG16::WEIGHTS_PATH,
                                                  "the pretrained weights vgg16.npz (528 MB)"));
      content = Image::open(examples::cached_or_skip(
          "style_transfer", "https://github.com/oreilly-japan/deep-learning-from-scratch-3/raw/images/zebra.jpg",
          "the content picture zebra.jpg"));
      style = Image::open(examples::cached_or_skip(
          "style_transfer", "https://raw.githubusercontent.com/jcjohnson/neural-style/master/examples/inputs/starry_night_google.jpg",
          "the style picture starry_night_google.jpg"));
    }
    const Variable content_img(VGG16::preprocess(content).reshape({1, 3, 224, 224}));
    const Variable style_img(VGG16::preprocess(style).reshape({1, 3, 224, 224}));

    Parameter gen_img(content_img.data().copy());
    dezero::Model gen_model;
    gen_model.register_parameter("param", gen_img);
    auto optimizer = dezero::optimizers::AdaGrad({.lr = lr}).setup(gen_model);

    std::map<std::string, Variable> content_features, style_features;
    {
      const auto guard = dezero::no_grad();
      content_features = extract(model, content_img);
      style_features = extract(model, style_img);
    }

    for (long i = 0; i < iterations; ++i) {
      model.cleargrads();
      gen_img.cleargrad();
      const auto gen_features = extract(model, gen_img);
      Variable loss(np::array(0.0));
      for (const auto& layer : content_layers) {
        loss = loss + content_loss(content_features[layer], gen_features.at(layer)) *
                          (content_weight / static_cast<double>(content_layers.size()));
      }
      for (const auto& layer : style_layers) {
        loss = loss + style_loss(style_features[layer], gen_features.at(layer)) *
                          (style_weight / static_cast<double>(style_layers.size()));
      }
      loss = loss + total_variation_loss(gen_img) * total_variation_weight;
      loss.backward();
      optimizer.update();

      std::printf("%ld loss: %.0f\n", i, loss.data().item<double>());
      std::fflush(stdout);
      if (i % 100 == 0) {
        const std::string file = "style_transfer_" + std::to_string(i) + ".png";
        deprocess(gen_img.data(), content.width(), content.height()).save(file);
        std::cerr << "style_transfer: wrote " << file << "\n";
      }
    }
  } catch (const std::exception& e) {  // an unreadable picture, a damaged weight file
    std::cerr << "style_transfer: " << e.what() << "\n";
    return 1;
  }
}
