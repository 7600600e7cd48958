// dezero/models: layers that are whole networks (the book's models.py).
//
//   models::MLP model({10, 1});                       // Linear(10), sigmoid, Linear(1)
//   models::Sequential net(L::Linear(10), F::relu, L::Linear(1));
//   model.plot(x, "model.png");                       // the graph of one forward pass
//
// A Model is a Layer that can draw itself; a network of one's own derives from it and
// registers its layers (see dezero/layers.hpp).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "dezero/core.hpp"
#include "dezero/functions.hpp"
#include "dezero/image.hpp"
#include "dezero/layers.hpp"
#include "dezero/utils.hpp"

namespace dezero::models {

class Model : public layers::Layer {
 public:
  // Runs forward once on the inputs and draws the graph it builds, with each variable's
  // shape and dtype (utils::plot_dot_graph with verbose), into `to_file`; the DOT text goes
  // beside it (model.dot). Throws utils::ToolError when Graphviz is missing, the .dot being
  // written in any case; std::invalid_argument when forward returns several outputs.
  void plot(const Variable& x, const std::string& to_file = "model.png");
  void plot(const Variables& inputs, const std::string& to_file = "model.png");
};

// One step of a network: a layer's call, F::sigmoid, a lambda.
using Activation = std::function<Variable(const Variable&)>;

// "l0", "l1", ...: the names under which Sequential and MLP register their layers.
std::string layer_name(std::size_t i);

// Applies its parts in order. A part is a layer, given by value (moved in: the Sequential
// owns it) or as a std::shared_ptr (shared with the caller), or any function of one
// Variable (F::relu, a lambda). Parts are numbered l0, l1, ... in the order given, as in the
// book, and the layers are registered under those names (a function's number is skipped:
// Sequential(L::Linear(10), F::sigmoid, L::Linear(1)) has l0/W, l0/b, l2/W, l2/b).
class Sequential : public Model {
 public:
  template <class... Parts>
  explicit Sequential(Parts&&... parts) {
    (add(std::forward<Parts>(parts)), ...);
  }
  Sequential(Sequential&&) noexcept = default;

  Variable forward(const Variable& x) override;

 private:
  template <class Part>
  void add(Part&& part);
  std::string next_name() { return layer_name(count_++); }

  std::vector<Activation> steps_;
  std::size_t count_ = 0;
};

// A multilayer perceptron: one Linear per entry of fc_output_sizes (each sized at the first
// call, registered as l0, l1, ...), with `activation` after every one but the last.
// fc_output_sizes must not be empty and its sizes must be positive (std::invalid_argument).
// The book's keyword argument: MLP({hidden_size, hidden_size, 10}, {.activation = F::relu}).
struct MLPOptions {
  Activation activation = functions::sigmoid;
};

class MLP : public Model {
 public:
  explicit MLP(const std::vector<std::int64_t>& fc_output_sizes, MLPOptions options = {});

  Variable forward(const Variable& x) override;

  // The i-th Linear (l0, l1, ...); std::out_of_range past the last one.
  const layers::Linear& layer(std::size_t i) const;
  std::size_t num_layers() const { return linears_.size(); }

 private:
  Activation activation_;
  std::vector<layers::Linear> linears_;
};

// ===================================== VGG16 ================================================
// (VGG16 and ResNet are defined in the dezero::data library, dezero/models_imagenet.cpp: their
// pretrained weights are downloaded and VGG16 reads images. Link dezero::data to use them.)
// The book's VGG16 (Simonyan and Zisserman's configuration D): thirteen 3x3 convolutions with
// padding 1 and ReLU in five groups, each group followed by 2x2 max pooling, then fc6 and fc7
// (4096, ReLU, dropout while training) and fc8 (1000 ImageNet classes). Input (N, 3, 224, 224)
// BGR float32 as preprocess() makes it; output (N, 1000) class scores (before softmax). All
// layers are sized at the first call, so the random weights are drawn where the book's are.
// With pretrained, vgg16.npz (the book's weights, about 528 MB) is fetched into the data
// cache with utils::get_file (downloaded when missing) and loaded.
class VGG16 : public Model {
 public:
  static constexpr const char* WEIGHTS_PATH =
      "https://github.com/koki0702/dezero-models/releases/download/v0.1/vgg16.npz";

  explicit VGG16(bool pretrained = false);

  Variable forward(const Variable& x) override;

  // The book's preprocess: the image as RGB, resized to `size` (height, width; none keeps its
  // size) with Pillow's default (bicubic) filter, as an (H, W, 3) array of dtype, the channels
  // reversed to BGR, the BGR means (103.939, 116.779, 123.68) subtracted, and channels first:
  // (3, H, W). Add the batch axis with x.reshape({1, 3, H, W}) (the book's x[np.newaxis]).
  static np::ndarray preprocess(const Image& image,
                                std::optional<utils::Pair> size = utils::Pair(224, 224),
                                np::DType dtype = np::float32);

  layers::Conv2d conv1_1, conv1_2, conv2_1, conv2_2, conv3_1, conv3_2, conv3_3, conv4_1,
      conv4_2, conv4_3, conv5_1, conv5_2, conv5_3;
  layers::Linear fc6, fc7, fc8;
};

// ===================================== ResNet ===============================================
// The book's ResNet (after Chainer's): bottleneck blocks of 1x1, 3x3 and 1x1 convolutions
// without biases, each followed by batch normalisation.

// A block that changes the resolution and the channels: conv1 (1x1) -> bn1 -> ReLU -> conv2
// (3x3, pad 1) -> bn2 -> ReLU -> conv3 (1x1) -> bn3, plus a projected shortcut conv4 (1x1,
// stride) -> bn4; ReLU of the sum. The stride is on the first 1x1 convolution (MSRA's ResNet)
// or, with downsample_fb, on the 3x3 one (Facebook's).
class BottleneckA : public layers::Layer {
 public:
  BottleneckA(std::int64_t in_channels, std::int64_t mid_channels, std::int64_t out_channels,
              utils::Pair stride = 2, bool downsample_fb = false);
  Variable forward(const Variable& x) override;

  layers::Conv2d conv1;
  layers::BatchNorm bn1;
  layers::Conv2d conv2;
  layers::BatchNorm bn2;
  layers::Conv2d conv3;
  layers::BatchNorm bn3;
  layers::Conv2d conv4;
  layers::BatchNorm bn4;
};

// A block that keeps the resolution and the channels: the same three convolutions, with the
// input itself as the shortcut.
class BottleneckB : public layers::Layer {
 public:
  BottleneckB(std::int64_t in_channels, std::int64_t mid_channels);
  Variable forward(const Variable& x) override;

  layers::Conv2d conv1;
  layers::BatchNorm bn1;
  layers::Conv2d conv2;
  layers::BatchNorm bn2;
  layers::Conv2d conv3;
  layers::BatchNorm bn3;
};

// One BottleneckA ("a") followed by n_layers - 1 BottleneckB ("b1", "b2", ...).
class BuildingBlock : public layers::Layer {
 public:
  BuildingBlock(std::int64_t n_layers, std::int64_t in_channels, std::int64_t mid_channels,
                std::int64_t out_channels, utils::Pair stride, bool downsample_fb = false);
  Variable forward(const Variable& x) override;

  BottleneckA a;
  std::vector<BottleneckB> b;  // registered as b1, b2, ...
};

// ResNet-50, -101 or -152 (3, 4, 6, 3 / 3, 4, 23, 3 / 3, 8, 36, 3 bottlenecks in res2..res5):
// conv1 (7x7, stride 2, pad 3) -> bn1 -> ReLU -> 3x3 max pooling with stride 2 -> res2..res5
// -> global average pooling -> fc6 (1000 classes). Another depth is std::invalid_argument.
// With pretrained, resnet<depth>.npz is fetched into the data cache and loaded.
class ResNet : public Model {
 public:
  static constexpr const char* WEIGHTS_PATH =
      "https://github.com/koki0702/dezero-models/releases/download/v0.1/resnet{}.npz";

  explicit ResNet(int n_layers = 152, bool pretrained = false);
  std::string type() const override { return "ResNet" + std::to_string(n_layers_); }
  Variable forward(const Variable& x) override;

 private:
  int n_layers_;
  std::vector<std::int64_t> blocks_;

 public:
  layers::Conv2d conv1;
  layers::BatchNorm bn1;
  BuildingBlock res2, res3, res4, res5;
  layers::Linear fc6;
};

class ResNet152 : public ResNet {
 public:
  explicit ResNet152(bool pretrained = false) : ResNet(152, pretrained) {}
};
class ResNet101 : public ResNet {
 public:
  explicit ResNet101(bool pretrained = false) : ResNet(101, pretrained) {}
};
class ResNet50 : public ResNet {
 public:
  explicit ResNet50(bool pretrained = false) : ResNet(50, pretrained) {}
};

// ================================ template definitions ======================================
namespace detail {
template <class T>
concept SharedLayer = requires { typename T::element_type; } &&
                      std::derived_from<typename T::element_type, layers::Layer> &&
                      std::same_as<T, std::shared_ptr<typename T::element_type>>;
}  // namespace detail

template <class Part>
void Sequential::add(Part&& part) {
  using T = std::remove_cvref_t<Part>;
  if constexpr (std::derived_from<T, layers::Layer>) {
    static_assert(!std::is_lvalue_reference_v<Part>,
                  "Sequential: a layer is moved in (std::move(layer)) or shared through a "
                  "std::shared_ptr, so that it lives as long as the Sequential");
    auto layer = std::make_shared<T>(std::move(part));
    register_layer(next_name(), *layer);
    steps_.emplace_back([layer](const Variable& x) { return (*layer)(x); });
  } else if constexpr (detail::SharedLayer<T>) {
    if (!part) {
      throw std::invalid_argument("Sequential: part " + std::to_string(count_) +
                                  " is a null layer pointer");
    }
    std::shared_ptr<typename T::element_type> layer = part;
    register_layer(next_name(), *layer);
    steps_.emplace_back([layer](const Variable& x) { return (*layer)(x); });
  } else {
    static_assert(std::is_invocable_r_v<Variable, T, const Variable&>,
                  "Sequential: a part is a layer or a function of one Variable");
    next_name();  // numbered, not registered: a function has no parameters
    steps_.emplace_back(Activation(std::forward<Part>(part)));
  }
}

}  // namespace dezero::models

namespace dezero {
// Python's `from dezero import Model`.
using models::Model;
}  // namespace dezero
