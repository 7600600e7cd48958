// The models VGG16 and ResNet (dezero/models): their structure, graphs and VGG16::preprocess.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dezero/dezero.hpp"
#include "tests/dezero/helpers.hpp"

namespace {

namespace F = dezero::functions;
using dezero::Image;
using dezero::Variable;
using dztest::array_is;
using dztest::Cnn;
using dztest::names;
using dztest::throws_with;

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t i = text.find(part); i != std::string::npos; i = text.find(part, i + 1)) ++n;
  return n;
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

}  // namespace
