// The ImageNet models of dezero/models.hpp, VGG16 and ResNet: part of the dezero::data library,
// since their pretrained weights come through get_file (libcurl) and VGG16 reads Images (stb).
#include "dezero/models.hpp"

#include <stdexcept>

#include "dezero/download.hpp"
#include "dezero/functions_conv.hpp"
#include "dezero/utils.hpp"

namespace dezero::models {

// ===================================== VGG16 ================================================
// Each layer is registered where it is made, under the keys of vgg16.npz (conv1_1/W, ...,
// fc8/b), as the book's self.conv1_1 = L.Conv2d(64, kernel_size=3, stride=1, pad=1).
VGG16::VGG16(bool pretrained)
    : conv1_1(register_layer("conv1_1", layers::Conv2d(64, 3, {.stride = 1, .pad = 1}))),
      conv1_2(register_layer("conv1_2", layers::Conv2d(64, 3, {.stride = 1, .pad = 1}))),
      conv2_1(register_layer("conv2_1", layers::Conv2d(128, 3, {.stride = 1, .pad = 1}))),
      conv2_2(register_layer("conv2_2", layers::Conv2d(128, 3, {.stride = 1, .pad = 1}))),
      conv3_1(register_layer("conv3_1", layers::Conv2d(256, 3, {.stride = 1, .pad = 1}))),
      conv3_2(register_layer("conv3_2", layers::Conv2d(256, 3, {.stride = 1, .pad = 1}))),
      conv3_3(register_layer("conv3_3", layers::Conv2d(256, 3, {.stride = 1, .pad = 1}))),
      conv4_1(register_layer("conv4_1", layers::Conv2d(512, 3, {.stride = 1, .pad = 1}))),
      conv4_2(register_layer("conv4_2", layers::Conv2d(512, 3, {.stride = 1, .pad = 1}))),
      conv4_3(register_layer("conv4_3", layers::Conv2d(512, 3, {.stride = 1, .pad = 1}))),
      conv5_1(register_layer("conv5_1", layers::Conv2d(512, 3, {.stride = 1, .pad = 1}))),
      conv5_2(register_layer("conv5_2", layers::Conv2d(512, 3, {.stride = 1, .pad = 1}))),
      conv5_3(register_layer("conv5_3", layers::Conv2d(512, 3, {.stride = 1, .pad = 1}))),
      fc6(register_layer("fc6", layers::Linear(4096))),
      fc7(register_layer("fc7", layers::Linear(4096))),
      fc8(register_layer("fc8", layers::Linear(1000))) {
  if (pretrained) load_weights(utils::get_file(WEIGHTS_PATH));
}

Variable VGG16::forward(const Variable& input) {
  namespace F = functions;
  Variable x = F::relu(conv1_1(input));
  x = F::relu(conv1_2(x));
  x = F::pooling(x, 2, {.stride = 2});
  x = F::relu(conv2_1(x));
  x = F::relu(conv2_2(x));
  x = F::pooling(x, 2, {.stride = 2});
  x = F::relu(conv3_1(x));
  x = F::relu(conv3_2(x));
  x = F::relu(conv3_3(x));
  x = F::pooling(x, 2, {.stride = 2});
  x = F::relu(conv4_1(x));
  x = F::relu(conv4_2(x));
  x = F::relu(conv4_3(x));
  x = F::pooling(x, 2, {.stride = 2});
  x = F::relu(conv5_1(x));
  x = F::relu(conv5_2(x));
  x = F::relu(conv5_3(x));
  x = F::pooling(x, 2, {.stride = 2});
  x = F::reshape(x, {x.shape()[0], -1});
  x = F::dropout(F::relu(fc6(x)));
  x = F::dropout(F::relu(fc7(x)));
  return fc8(x);
}

np::ndarray VGG16::preprocess(const Image& image, std::optional<utils::Pair> size,
                              np::DType dtype) {
  Image rgb = image.convert("RGB");
  if (size) rgb = rgb.resize(size->w, size->h);
  const np::ndarray pixels = rgb.to_array(dtype);  // (H, W, 3)
  // image[:, :, ::-1]: RGB -> BGR
  np::ndarray bgr = pixels.copy();
  const std::int64_t n = rgb.width() * rgb.height();
  np::dispatch(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* src = pixels.data<T>();
    T* dst = bgr.data<T>();
    for (std::int64_t i = 0; i < n; ++i) {
      dst[3 * i] = src[3 * i + 2];
      dst[3 * i + 2] = src[3 * i];
    }
  });
  bgr -= np::array({103.939, 116.779, 123.68}, dtype);
  return bgr.transpose({2, 0, 1});
}

// ===================================== ResNet ===============================================
namespace {
// The 1x1 and 3x3 convolutions of a bottleneck have no biases; the batch normalisations
// that follow them shift anyway.
constexpr bool nobias = true;

std::vector<std::int64_t> resnet_blocks(int n_layers) {
  if (n_layers == 50) return {3, 4, 6, 3};
  if (n_layers == 101) return {3, 4, 23, 3};
  if (n_layers == 152) return {3, 8, 36, 3};
  throw std::invalid_argument("ResNet: n_layers must be 50, 101 or 152, not " +
                              std::to_string(n_layers));
}

Variable global_average_pooling_2d(const Variable& x) {
  const np::Shape& s = x.shape();
  if (s.ndim() != 4) {
    throw np::shape_error("ResNet: global average pooling needs (N, C, H, W), not " + s.str());
  }
  const Variable h = functions::average_pooling(x, utils::Pair(s[2], s[3]), {.stride = 1});
  return functions::reshape(h, {s[0], s[1]});
}
}  // namespace

BottleneckA::BottleneckA(std::int64_t in_channels, std::int64_t mid_channels,
                         std::int64_t out_channels, utils::Pair stride, bool downsample_fb)
    : conv1(register_layer(
          "conv1",
          layers::Conv2d(
              mid_channels, 1,
              {.stride = downsample_fb ? utils::Pair(1) : stride, .pad = 0, .nobias = nobias}))),
      bn1(register_layer("bn1", layers::BatchNorm())),
      conv2(register_layer(
          "conv2",
          layers::Conv2d(
              mid_channels, 3,
              {.stride = downsample_fb ? stride : utils::Pair(1), .pad = 1, .nobias = nobias}))),
      bn2(register_layer("bn2", layers::BatchNorm())),
      conv3(register_layer(
          "conv3", layers::Conv2d(out_channels, 1, {.stride = 1, .pad = 0, .nobias = nobias}))),
      bn3(register_layer("bn3", layers::BatchNorm())),
      conv4(register_layer(
          "conv4",
          layers::Conv2d(out_channels, 1, {.stride = stride, .pad = 0, .nobias = nobias}))),
      bn4(register_layer("bn4", layers::BatchNorm())) {
  (void)in_channels;  // the convolutions are sized at the first call, as in the book
}

Variable BottleneckA::forward(const Variable& x) {
  namespace F = functions;
  Variable h1 = F::relu(bn1(conv1(x)));
  h1 = F::relu(bn2(conv2(h1)));
  h1 = bn3(conv3(h1));
  const Variable h2 = bn4(conv4(x));
  return F::relu(h1 + h2);
}

BottleneckB::BottleneckB(std::int64_t in_channels, std::int64_t mid_channels)
    : conv1(register_layer(
          "conv1", layers::Conv2d(mid_channels, 1, {.stride = 1, .pad = 0, .nobias = nobias}))),
      bn1(register_layer("bn1", layers::BatchNorm())),
      conv2(register_layer(
          "conv2", layers::Conv2d(mid_channels, 3, {.stride = 1, .pad = 1, .nobias = nobias}))),
      bn2(register_layer("bn2", layers::BatchNorm())),
      conv3(register_layer(
          "conv3", layers::Conv2d(in_channels, 1, {.stride = 1, .pad = 0, .nobias = nobias}))),
      bn3(register_layer("bn3", layers::BatchNorm())) {}

Variable BottleneckB::forward(const Variable& x) {
  namespace F = functions;
  Variable h = F::relu(bn1(conv1(x)));
  h = F::relu(bn2(conv2(h)));
  h = bn3(conv3(h));
  return F::relu(h + x);
}

BuildingBlock::BuildingBlock(std::int64_t n_layers, std::int64_t in_channels,
                             std::int64_t mid_channels, std::int64_t out_channels,
                             utils::Pair stride, bool downsample_fb)
    : a(register_layer(
          "a", BottleneckA(in_channels, mid_channels, out_channels, stride, downsample_fb))) {
  if (n_layers < 1) {
    throw std::invalid_argument("BuildingBlock: n_layers must be positive, got " +
                                std::to_string(n_layers));
  }
  b.reserve(static_cast<std::size_t>(n_layers - 1));
  for (std::int64_t i = 1; i < n_layers; ++i) {
    b.emplace_back(out_channels, mid_channels);
    std::string name(1, 'b');
    name += std::to_string(i);
    register_layer(name, b.back());
  }
}

Variable BuildingBlock::forward(const Variable& x) {
  Variable y = a(x);
  for (BottleneckB& block : b) y = block(y);
  return y;
}

ResNet::ResNet(int n_layers, bool pretrained)
    : n_layers_(n_layers),
      blocks_(resnet_blocks(n_layers)),
      conv1(register_layer("conv1", layers::Conv2d(64, 7, {.stride = 2, .pad = 3}))),
      bn1(register_layer("bn1", layers::BatchNorm())),
      res2(register_layer("res2", BuildingBlock(blocks_[0], 64, 64, 256, 1))),
      res3(register_layer("res3", BuildingBlock(blocks_[1], 256, 128, 512, 2))),
      res4(register_layer("res4", BuildingBlock(blocks_[2], 512, 256, 1024, 2))),
      res5(register_layer("res5", BuildingBlock(blocks_[3], 1024, 512, 2048, 2))),
      fc6(register_layer("fc6", layers::Linear(1000))) {
  if (pretrained) {
    std::string url = WEIGHTS_PATH;
    url.replace(url.find("{}"), 2, std::to_string(n_layers));
    load_weights(utils::get_file(url));
  }
}

Variable ResNet::forward(const Variable& input) {
  namespace F = functions;
  Variable x = F::relu(bn1(conv1(input)));
  x = F::pooling(x, 3, {.stride = 2});
  x = res2(x);
  x = res3(x);
  x = res4(x);
  x = res5(x);
  x = global_average_pooling_2d(x);
  return fc6(x);
}

}  // namespace dezero::models
