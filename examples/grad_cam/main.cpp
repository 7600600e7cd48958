// examples/grad_cam: where VGG16 looks when it decides (Grad-CAM, Selvaraju et al. 2017;
// the book's examples/grad_cam.py).
//
// The pretrained VGG16 classifies the book's zebra photograph. The score of the winning class
// is differentiated back to the output of the last convolution (conv5_3, 512 maps of 14x14):
// each map's mean gradient says how much that map matters, and the maps weighted by it,
// averaged, with negative parts cut off and scaled to [0, 1], are the heat map. It is
// stretched over the photograph (bilinear), coloured with the jet colours (blue for cold, red
// for hot) and added at 0.4 of its strength, as the book does with OpenCV; the result is
// grad_cam.png. The printout says the class and where the heat map peaks (the class's name
// goes to stderr).
//
//   grad_cam [image.jpg|image.png]     that image instead of the zebra
//   grad_cam --random-weights [image]  random weights (seeded) and, without an image, a
//                                      generated one: the whole path without the 528 MB
//
// The weights (vgg16.npz) and the zebra are looked up in the data cache (~/.dezero or
// $DEZERO_HOME) and downloaded when missing; when a file can be neither found nor downloaded,
// the example says which, where it looked and where to get it, and exits with 77 (skipped).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include "dezero/dezero.hpp"
#include "example_support.hpp"
#include "step_options.hpp"

using dezero::Image;
using dezero::Variable;
using dezero::models::VGG16;
namespace F = dezero::functions;
namespace fs = std::filesystem;
namespace utils = dezero::utils;

namespace {

// A stand-in photograph for --random-weights: a few soft bands of colour.
Image test_image() {
  np::ndarray px({200, 300, 3}, np::uint8);
  auto* p = px.data<std::uint8_t>();
  for (int y = 0; y < 200; ++y)
    for (int x = 0; x < 300; ++x)
      for (int c = 0; c < 3; ++c)
        p[(y * 300 + x) * 3 + c] = static_cast<std::uint8_t>(127 + 120 * std::sin(0.05 * (x + 2 * y) + 2 * c));
  return Image::from_array(px);
}

// VGG16's forward pass that also hands out conv5_3's output (the book reads it back from the
// layer, model.conv5_3.outputs[0]()). In training mode, as the book calls the model.
std::pair<Variable, Variable> scores_and_last_conv(VGG16& m, const Variable& input) {
  Variable x = input;
  for (auto* block : {&m.conv1_1, &m.conv1_2}) x = F::relu((*block)(x));
  x = F::pooling(x, 2, {.stride = 2});
  for (auto* block : {&m.conv2_1, &m.conv2_2}) x = F::relu((*block)(x));
  x = F::pooling(x, 2, {.stride = 2});
  for (auto* block : {&m.conv3_1, &m.conv3_2, &m.conv3_3}) x = F::relu((*block)(x));
  x = F::pooling(x, 2, {.stride = 2});
  for (auto* block : {&m.conv4_1, &m.conv4_2, &m.conv4_3}) x = F::relu((*block)(x));
  x = F::pooling(x, 2, {.stride = 2});
  x = F::relu(m.conv5_1(x));
  x = F::relu(m.conv5_2(x));
  const Variable last_conv = m.conv5_3(x);
  x = F::pooling(F::relu(last_conv), 2, {.stride = 2});
  x = F::reshape(x, {x.shape()[0], -1});
  x = F::dropout(F::relu(m.fc6(x)));
  x = F::dropout(F::relu(m.fc7(x)));
  return {m.fc8(x), last_conv};
}

// The jet colour of v in [0, 1]: blue, cyan, yellow, red.
void jet(double v, double rgb[3]) {
  for (int c = 0; c < 3; ++c) rgb[c] = 255 * std::clamp(1.5 - std::abs(4 * v - (3 - 2 * c)), 0.0, 1.0);
}

}  // namespace

int main(int argc, char** argv) {
  const auto args = steps::parse(
      argc, argv, {.counts = {}, .flags = {"random-weights"}, .positional = "image.jpg|image.png"});
  const bool random_weights = args.flags.contains("random-weights");
  const std::string zebra = "https://github.com/oreilly-japan/deep-learning-from-scratch-3/raw/images/zebra.jpg";
  try {
    VGG16 model(false);
    if (random_weights) {
      np::random::seed(0);
    } else {
      model.load_weights(examples::cached_or_skip("grad_cam", VGG16::WEIGHTS_PATH,
                                                  "the pretrained weights vgg16.npz (528 MB)"));
    }
    Image img;
    if (args.positional) {
      img = Image::open(*args.positional);
    } else if (random_weights) {
      img = test_image();
    } else {
      img = Image::open(examples::cached_or_skip("grad_cam", zebra, "the photograph zebra.jpg"));
    }

    const np::ndarray x = VGG16::preprocess(img).reshape({1, 3, 224, 224});  // x[np.newaxis]
    const auto [y, last_conv] = scores_and_last_conv(model, x);
    const std::int64_t predict_id = np::argmax(y.data()).item<std::int64_t>();
    const Variable predict_output = y[{0, predict_id}];
    predict_output.backward({.retain_grad = true});

    // Each map's mean gradient weighs the map; their mean, positive part, scaled to [0, 1].
    const np::ndarray pooled_grads = np::mean(last_conv.grad().data(), np::Axes{0, 2, 3});  // (512,)
    const np::ndarray maps = last_conv.data()[0];                                           // (512, 14, 14)
    np::ndarray heatmap = np::mean(maps * pooled_grads.reshape({-1, 1, 1}), np::Axes{0});
    heatmap = np::maximum(heatmap, np::ndarray(0.0f));
    const double peak = np::max(heatmap).item<double>();
    if (peak > 0) heatmap = heatmap / np::ndarray(static_cast<float>(peak));
    const std::int64_t at = np::argmax(heatmap).item<std::int64_t>();

    const auto& labels = dezero::datasets::ImageNet::labels();
    std::printf("predicted class: %lld\n", static_cast<long long>(predict_id));
    std::printf("heat map: (%lld, %lld), peak %.4f at row %lld, column %lld\n",
                static_cast<long long>(heatmap.shape()[0]), static_cast<long long>(heatmap.shape()[1]),
                peak, static_cast<long long>(at / heatmap.shape()[1]),
                static_cast<long long>(at % heatmap.shape()[1]));
    std::fflush(stdout);

    // Over the photograph: the heat map stretched to its size, in jet colours, at 0.4.
    const Image rgb = img.convert("RGB");
    const Image heat = Image::from_array((heatmap * 255.0f).astype(np::uint8))
                           .resize(rgb.width(), rgb.height(), dezero::Resample::bilinear);
    np::ndarray out = rgb.to_array();
    auto* o = out.data<std::uint8_t>();
    const auto& h = heat.pixels();
    for (std::size_t i = 0; i < h.size(); ++i) {
      double colour[3];
      jet(h[i] / 255.0, colour);
      for (int c = 0; c < 3; ++c) {
        o[i * 3 + c] = static_cast<std::uint8_t>(std::min(255.0, std::round(colour[c] * 0.4 + o[i * 3 + c])));
      }
    }
    Image::from_array(out).save("grad_cam.png");
    std::cerr << "grad_cam: class " << predict_id << " is " << labels[predict_id]
              << (random_weights ? " (random weights)" : "") << "; wrote grad_cam.png\n";
  } catch (const std::exception& e) {  // an unreadable image, a damaged weight file
    std::cerr << "grad_cam: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
