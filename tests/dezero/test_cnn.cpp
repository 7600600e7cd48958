// The convolutional layers (L::Conv2d, L::Deconv2d, L::BatchNorm), the models VGG16 and ResNet,
// images (dezero::Image: decoding, resizing, conversions, VGG16::preprocess) and the ImageNet
// class names. Weights are checked against the book's formula with the same random draws,
// outputs against the functions they are made of, images against hand-computed pixels.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "dezero/dezero.hpp"
#include "tests/dezero/helpers.hpp"

namespace {

namespace F = dezero::functions;
namespace L = dezero::layers;
namespace fs = std::filesystem;
using dezero::Image;
using dezero::ImageError;
using dezero::Resample;
using dezero::Variable;
using dztest::array_is;
using dztest::arrays_near;
using dztest::data_is;
using dztest::throws_with;

class Cnn : public ::testing::Test {
 protected:
  void SetUp() override {
    np::random::seed(0);
    dir_ = fs::temp_directory_path() / ("dezero_cnn_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

std::vector<std::string> names(const L::Layer& layer) {
  std::vector<std::string> out;
  for (const auto& [name, p] : layer.flatten_params()) out.push_back(name);
  return out;
}

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t i = text.find(part); i != std::string::npos; i = text.find(part, i + 1)) ++n;
  return n;
}

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

// ===================================== models ===============================================

TEST_F(Cnn, Vgg16Structure) {
  dezero::models::VGG16 model;
  // a small image: the fully connected layers are sized from what reaches them (1 x 1 x 512)
  const np::ndarray x = np::random::randn({2, 3, 32, 32}).astype(np::float32);
  Variable y;
  {
    auto guard = dezero::test_mode();
    y = model(x);
  }
  EXPECT_EQ(y.shape(), (np::Shape{2, 1000}));
  EXPECT_EQ(y.dtype(), np::float32);
  const std::vector<std::string> n = names(model);
  ASSERT_EQ(n.size(), 32u);  // 16 layers, W and b each
  EXPECT_EQ(n.front(), "conv1_1/W");
  EXPECT_EQ(n[25], "conv5_3/b");
  EXPECT_EQ(n.back(), "fc8/b");
  EXPECT_EQ(model.conv1_1.W.shape(), (np::Shape{64, 3, 3, 3}));
  EXPECT_EQ(model.conv5_3.W.shape(), (np::Shape{512, 512, 3, 3}));
  EXPECT_EQ(model.fc6.W.shape(), (np::Shape{512, 4096}));
  EXPECT_EQ(model.fc8.W.shape(), (np::Shape{4096, 1000}));
  // the graph: 13 convolutions, 5 poolings, 3 linear layers, dropout only while training
  const std::string test_graph = dezero::utils::get_dot_graph(y);
  EXPECT_EQ(count(test_graph, "label=\"Conv2d\""), 13u);
  EXPECT_EQ(count(test_graph, "label=\"Pooling\""), 5u);
  EXPECT_EQ(count(test_graph, "label=\"Linear\""), 3u);
  EXPECT_EQ(count(test_graph, "label=\"ReLU\""), 15u);
  // (dropout is x * mask / scale: a Mul and a Div after fc6 and after fc7)
  EXPECT_EQ(count(test_graph, "label=\"Mul\""), 0u);
  const Variable yt = model(x);
  const std::string train_graph = dezero::utils::get_dot_graph(yt);
  EXPECT_EQ(count(train_graph, "label=\"Mul\""), 2u);
  EXPECT_EQ(count(train_graph, "label=\"Div\""), 2u);
  // training works end to end
  F::softmax_cross_entropy(yt, np::array({3, 7})).backward();
  EXPECT_EQ(model.conv1_1.W.grad().shape(), model.conv1_1.W.shape());
}

TEST_F(Cnn, Vgg16Preprocess) {
  // 2 x 1 RGB pixels, kept at their size: BGR minus the means, channels first
  const Image img = Image::from_array(np::array({{{10, 20, 30}, {200, 100, 0}}}, np::uint8));
  const np::ndarray x = dezero::models::VGG16::preprocess(img, std::nullopt);
  EXPECT_TRUE(array_is(x, {3, 1, 2}, np::float32,
                       {30 - 103.939f, 0 - 103.939f, 20 - 116.779f, 100 - 116.779f,
                        10 - 123.68f, 200 - 123.68f}));
  // the default: 224 x 224, from a grey image too
  const np::ndarray big = dezero::models::VGG16::preprocess(Image("L", 300, 100));
  EXPECT_EQ(big.shape(), (np::Shape{3, 224, 224}));
  EXPECT_NEAR(big.flat(0), -103.939, 1e-4);
}

TEST_F(Cnn, ResNetStructure) {
  dezero::models::ResNet50 model;
  const np::ndarray x = np::random::randn({1, 3, 32, 32}).astype(np::float32);
  const Variable y = model(x);  // training mode: batch statistics
  EXPECT_EQ(y.shape(), (np::Shape{1, 1000}));
  const std::vector<std::string> n = names(model);
  // conv1 (W, b), bn1 (4), res2..res5 with 3 + 4 + 6 + 3 bottlenecks, fc6 (W, b)
  const std::size_t bottleneck_a = 4 + 4 * 4, bottleneck_b = 3 + 3 * 4;
  EXPECT_EQ(n.size(), 2 + 4 + 4 * bottleneck_a + (2 + 3 + 5 + 2) * bottleneck_b + 2);
  EXPECT_EQ(n[0], "conv1/W");
  EXPECT_EQ(n[1], "conv1/b");
  EXPECT_NE(std::find(n.begin(), n.end(), "res4/b5/bn3/avg_var"), n.end());
  EXPECT_NE(std::find(n.begin(), n.end(), "res5/a/conv4/W"), n.end());
  EXPECT_EQ(std::find(n.begin(), n.end(), "res4/b6/conv1/W"), n.end());
  EXPECT_EQ(model.res3.a.conv1.W.shape(), (np::Shape{128, 256, 1, 1}));
  EXPECT_EQ(model.res5.b[1].conv3.W.shape(), (np::Shape{2048, 512, 1, 1}));
  EXPECT_EQ(model.fc6.W.shape(), (np::Shape{2048, 1000}));
  const std::string graph = dezero::utils::get_dot_graph(y);
  EXPECT_EQ(count(graph, "label=\"Conv2d\""), 1 + 4 * 4 + 12 * 3u);
  EXPECT_EQ(count(graph, "label=\"BatchNorm\""), 1 + 4 * 4 + 12 * 3u);
  EXPECT_EQ(count(graph, "label=\"AveragePooling\""), 1u);
  y.backward();
  EXPECT_EQ(model.res2.a.bn1.gamma.grad().shape(), (np::Shape{64}));
  // the depths the book knows
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { dezero::models::ResNet(34); },
                                                 {"ResNet", "50, 101 or 152", "34"}));
  EXPECT_EQ(dezero::models::ResNet101().res4.b.size(), 22u);
  EXPECT_EQ(dezero::models::ResNet152().res3.b.size(), 7u);
}

// ===================================== images ===============================================

np::ndarray pattern(std::int64_t h, std::int64_t w, std::int64_t c) {
  std::vector<std::uint8_t> v;
  for (std::int64_t i = 0; i < h * w * c; ++i) v.push_back(static_cast<std::uint8_t>((i * 37) % 256));
  return np::array(v, np::Shape{h, w, c});
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}
std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_F(Cnn, PngAndJpegRoundTrips) {
  for (std::int64_t c : {1, 3, 4}) {
    const np::ndarray px = pattern(7, 5, c);
    const Image img = Image::from_array(c == 1 ? px.reshape({7, 5}) : px);
    std::string name(1, 'p');
    name += std::to_string(c);
    const fs::path png = dir_ / (name + ".png");
    img.save(png);
    const Image back = Image::open(png);
    EXPECT_EQ(back.mode(), c == 1 ? "L" : c == 3 ? "RGB" : "RGBA");
    EXPECT_EQ(back.width(), 5);
    EXPECT_EQ(back.height(), 7);
    EXPECT_TRUE(arrays_near(back.to_array(), img.to_array(), 0.0));
  }
  // JPEG is lossy: a smooth image comes back close
  Image smooth("RGB", 64, 48);
  np::ndarray a = smooth.to_array();
  for (std::int64_t i = 0; i < a.size(); ++i) a.set_flat(i, static_cast<double>((i / 3) % 64 * 3));
  const fs::path jpg = dir_ / "smooth.jpg";
  Image::from_array(a).save(jpg);
  const Image back = Image::open(jpg);
  EXPECT_EQ(back.mode(), "RGB");
  EXPECT_EQ(back.width(), 64);
  const np::ndarray diff = np::abs(back.to_array(np::float64) - a.astype(np::float64));
  EXPECT_LT(diff.mean().item(), 4.0);
}

TEST_F(Cnn, UnreadableImagesNameTheFile) {
  const Image img = Image::from_array(pattern(16, 16, 3));
  img.save(dir_ / "ok.png");
  img.save(dir_ / "ok.jpg");
  const std::string png = read_bytes(dir_ / "ok.png"), jpg = read_bytes(dir_ / "ok.jpg");
  write_bytes(dir_ / "cut.png", png.substr(0, png.size() / 2));
  write_bytes(dir_ / "cut.jpg", jpg.substr(0, jpg.size() - 40));
  write_bytes(dir_ / "notes.txt", "not an image at all\n");
  write_bytes(dir_ / "empty.png", "");
  std::string bad = png;
  for (std::size_t i = 40; i < bad.size() - 20; ++i) bad[i] = static_cast<char>(i * 7);  // IDAT garbage
  write_bytes(dir_ / "garbled.png", bad);
  const auto fails = [&](const std::string& name, const std::string& why) {
    const std::string path = (dir_ / name).string();
    return throws_with<ImageError>([&] { Image::open(dir_ / name); }, {"Image::open", path, why});
  };
  EXPECT_TRUE(fails("cut.png", "truncated"));
  EXPECT_TRUE(fails("cut.jpg", "truncated"));
  EXPECT_TRUE(fails("notes.txt", "not a JPEG or PNG"));
  EXPECT_TRUE(fails("empty.png", "empty"));
  EXPECT_TRUE(fails("garbled.png", "corrupt PNG"));
  EXPECT_TRUE(fails("absent.jpg", "no such file"));
  // the good ones read
  EXPECT_EQ(Image::open(dir_ / "ok.jpg").width(), 16);
}

TEST_F(Cnn, ResizeLikePillow) {
  // bilinear, shrinking 4 -> 2: the triangle widened to two pixels on each side
  const Image row = Image::from_array(np::array({{0, 100, 200, 255}}, np::uint8));
  // (0 .75 + 100 .75 + 200 .25) / 1.75 = 71.4 and (100 .25 + 200 .75 + 255 .75) / 1.75 = 209.3
  EXPECT_TRUE(array_is(row.resize(2, 1, Resample::bilinear).to_array(), {1, 2}, np::uint8, {71, 209}));
  // enlarging 2 -> 4: plain linear interpolation between pixel centres
  const Image two = Image::from_array(np::array({{0, 200}}, np::uint8));
  EXPECT_TRUE(array_is(two.resize(4, 1, Resample::bilinear).to_array(), {1, 4}, np::uint8,
                       {0, 50, 150, 200}));
  // bicubic (Keys, a = -0.5): at the outer samples the weights k(0.25) = 0.8672 and
  // k(1.25) = -0.0703 normalise to 1.0882 and -0.0882: 200 (-0.0882) is clipped to 0 on the
  // left, 200 (1.0882) = 217.6 overshoots on the right; inside, k(0.25) and k(0.75) = 0.2266
  // give 200 (0.2266 / 1.0938) = 41.4 and 200 (0.8672 / 1.0938) = 158.6
  EXPECT_TRUE(array_is(two.resize(4, 1, Resample::bicubic).to_array(), {1, 4}, np::uint8,
                       {0, 41, 159, 218}));
  EXPECT_TRUE(array_is(two.resize(4, 1, Resample::nearest).to_array(), {1, 4}, np::uint8,
                       {0, 0, 200, 200}));
  // a constant image stays constant at any size; both axes
  const Image flat = Image::from_array(np::full({9, 13, 3}, 77, np::uint8));
  const Image r = flat.resize(224, 224);
  EXPECT_EQ(r.width(), 224);
  EXPECT_EQ(r.height(), 224);
  EXPECT_TRUE(np::all(r.to_array() == np::ndarray(77)));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { flat.resize(0, 3); }, {"resize", "(0, 3)"}));
}

TEST_F(Cnn, ConvertCropAndArrays) {
  const Image rgb = Image::from_array(np::array({{{255, 0, 0}, {0, 255, 0}, {10, 20, 30}}}, np::uint8));
  // PIL's luma: (19595 R + 38470 G + 7471 B + 32768) >> 16
  EXPECT_TRUE(array_is(rgb.convert("L").to_array(), {1, 3}, np::uint8, {76, 150, 18}));
  EXPECT_TRUE(array_is(rgb.convert("BGR").to_array(), {1, 3, 3}, np::uint8,
                       {0, 0, 255, 0, 255, 0, 30, 20, 10}));
  EXPECT_TRUE(array_is(rgb.convert("RGBA").to_array(), {1, 3, 4}, np::uint8,
                       {255, 0, 0, 255, 0, 255, 0, 255, 10, 20, 30, 255}));
  EXPECT_TRUE(array_is(Image::from_array(np::array({{5, 6}}, np::uint8)).convert("RGB").to_array(),
                       {1, 2, 3}, np::uint8, {5, 5, 5, 6, 6, 6}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { rgb.convert("CMYK"); }, {"CMYK"}));
  // crop and the book's CenterCrop (the odd pixel to the right)
  const Image img = Image::from_array(np::arange(20).astype(np::uint8).reshape({4, 5}));
  EXPECT_TRUE(array_is(img.center_crop(2, 2).to_array(), {2, 2}, np::uint8, {6, 7, 11, 12}));
  EXPECT_TRUE(array_is(img.crop(3, 2, 6, 3).to_array(), {1, 3}, np::uint8, {13, 14, 0}));
  // ToArray / ToPIL
  const np::ndarray chw = rgb.to_chw();
  EXPECT_TRUE(array_is(chw, {3, 1, 3}, np::float32, {255, 0, 10, 0, 255, 20, 0, 0, 30}));
  EXPECT_TRUE(arrays_near(Image::from_chw(chw).to_array(), rgb.to_array(), 0.0));
  EXPECT_TRUE(throws_with<np::dtype_error>([] { Image::from_array(np::ones({2, 2})); },
                                           {"from_array", "uint8", "float64"}));
  EXPECT_TRUE(throws_with<np::shape_error>([] { Image::from_array(np::ones({2, 2, 5}, np::uint8)); },
                                           {"from_array", "(2, 2, 5)"}));
}

TEST(ImageNet, Labels) {
  const auto& labels = dezero::datasets::ImageNet::labels();
  ASSERT_EQ(labels.size(), 1000u);
  EXPECT_EQ(labels[0], "tench, Tinca tinca");
  EXPECT_EQ(labels[340], "zebra");
  EXPECT_EQ(labels[999], "toilet tissue, toilet paper, bathroom tissue");
}

}  // namespace
