// Layers and models (dezero/layers, dezero/models): registration of parameters and child
// layers by name, params() (complete, each parameter once), flatten_params() paths,
// cleargrads, Linear's weights (drawn as the book draws them: the goldens are the reference
// run's weights of step 44) and its lazy sizing, layers called with one or several inputs,
// moving layers, Sequential, MLP, Model::plot, and the messages of bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <numbers>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>
#include <unistd.h>
#include <utility>
#include <vector>

#include "dezero/dezero.hpp"
#include "tests/dezero/helpers.hpp"

namespace {

namespace F = dezero::functions;
namespace L = dezero::layers;
namespace M = dezero::models;
namespace fs = std::filesystem;
using dezero::Parameter;
using dezero::Variable;
using dezero::Variables;
using dztest::array_is;
using dztest::data_is;
using dztest::throws_with;

// The book's step 45 network, written as a reader of the book would.
class TwoLayerNet : public dezero::Model {
 public:
  TwoLayerNet(std::int64_t hidden_size, std::int64_t out_size)
      : l1(register_layer("l1", L::Linear(hidden_size))),
        l2(register_layer("l2", L::Linear(out_size))) {}
  Variable forward(const Variable& x) override { return l2(F::sigmoid(l1(x))); }

  L::Linear l1, l2;
};

// Two levels of nesting, as a model holding an RNN holding x2h: paths `rnn/x2h/W`.
class Inner : public L::Layer {
 public:
  Inner()
      : x2h(register_layer("x2h", L::Linear(2, {.in_size = 3}))),
        h2h(register_layer("h2h", L::Linear(2, {.nobias = true, .in_size = 2}))) {}
  L::Linear x2h, h2h;
};

class Outer : public dezero::Model {
 public:
  Outer() : fc(1, {.in_size = 2}) {
    register_layer("rnn", rnn);  // the lvalue form, for a member made in its declaration
    register_layer("fc", fc);
    scale = Parameter(np::ones({1}), "scale");
    register_parameter("scale", scale);
  }
  Inner rnn;
  L::Linear fc;
  Parameter scale;
};

std::vector<std::string> keys_of(const L::Layer& layer) {
  std::vector<std::string> keys;
  for (const auto& [key, param] : layer.flatten_params()) keys.push_back(key);
  return keys;
}

std::set<const void*> ids_of(const std::vector<Parameter>& params) {
  std::set<const void*> ids;
  for (const Parameter& p : params) ids.insert(p.id());
  return ids;
}

// The data of steps 44-46: seed 0, x = rand(100, 1), y = sin(2 pi x) + rand(100, 1).
std::pair<np::ndarray, np::ndarray> step44_data() {
  np::random::seed(0);
  np::ndarray x = np::random::rand({100, 1});
  np::ndarray y = np::sin(2 * std::numbers::pi * x) + np::random::rand({100, 1});
  return {x, y};
}

// ===================================== Linear ===============================================

// reference/extra/numpy_rng_reference.txt: the weights of step 44's l1 and l2, drawn at
// their first calls right after the data (l2's are scaled by sqrt(1/10) in float32).
TEST(Linear, WeightsAreTheReferenceRunsWeights) {
  auto [x, y] = step44_data();
  L::Linear l1(10), l2(1);
  EXPECT_FALSE(l1.W.data().defined());  // sized at the first call
  const Variable h = l2(F::sigmoid(l1(x)));
  EXPECT_TRUE(array_is(l1.W.data(), {1, 10}, np::float32,
                       {1.1266359f, -1.0799315f, -1.1474687f, -0.43782005f, -0.49803245f,
                        1.929532f, 0.9494208f, 0.08755124f, -1.2254355f, 0.844363f}));
  ASSERT_EQ(l2.W.shape(), (np::Shape{10, 1}));
  ASSERT_EQ(l2.W.dtype(), np::float32);
  const auto w2 = l2.W.data().to_vector<double>();
  EXPECT_EQ(w2[0], static_cast<double>(-0.31629583f));
  EXPECT_EQ(w2[1], static_cast<double>(-0.4884995f));
  EXPECT_EQ(w2[2], static_cast<double>(0.375688f));
  EXPECT_TRUE(array_is(l1.b.data(), {10}, np::float32, std::vector<double>(10, 0.0)));
  // float64 x through float32 weights: NumPy promotes the product to float64.
  EXPECT_EQ(h.dtype(), np::float64);
  EXPECT_EQ(h.shape(), (np::Shape{100, 1}));
}

// The book's first printed loss of steps 44-46, within two units in the last place (the C
// library's tanh and the order of the sums round the last bit differently from NumPy's).
TEST(Linear, Step44FirstLossIsTheBooks) {
  auto [x, y] = step44_data();
  L::Linear l1(10), l2(1);
  const Variable loss = F::mean_squared_error(y, l2(F::sigmoid(l1(x))));
  EXPECT_NEAR(loss.item(), 0.8165178492839198, 1e-15);
}

// W = float32(randn) * float32(sqrt(1 / I)), as NumPy 1.x computes the book's expression;
// with dtype float64 no rounding to float32 happens.
TEST(Linear, EagerWeightsFollowTheBooksExpression) {
  np::random::seed(3);
  const auto draws = np::random::randn({3, 2}).to_vector<double>();
  np::random::seed(3);
  L::Linear l32(2, {.dtype = np::float32, .in_size = 3});
  const float scale32 = static_cast<float>(std::sqrt(1.0 / 3));
  std::vector<double> expected32;
  for (double d : draws) expected32.push_back(static_cast<float>(d) * scale32);
  EXPECT_TRUE(array_is(l32.W.data(), {3, 2}, np::float32, expected32));
  EXPECT_EQ(l32.W.name(), "W");
  EXPECT_EQ(l32.b.name(), "b");

  np::random::seed(3);
  L::Linear l64(2, {.dtype = np::float64, .in_size = 3});
  std::vector<double> expected64;
  for (double d : draws) expected64.push_back(d * std::sqrt(1.0 / 3));
  EXPECT_TRUE(array_is(l64.W.data(), {3, 2}, np::float64, expected64));
  EXPECT_TRUE(array_is(l64.b.data(), {2}, np::float64, {0.0, 0.0}));
}

TEST(Linear, LazyCreationTakesTheInputsSize) {
  L::Linear l(4);
  EXPECT_EQ(l.params().size(), 2u);  // W exists as a handle before it has data
  EXPECT_FALSE(l.W.data().defined());
  const Variable y = l(np::ones({5, 3}));
  EXPECT_EQ(l.W.shape(), (np::Shape{3, 4}));
  EXPECT_EQ(y.shape(), (np::Shape{5, 4}));
  // The same W afterwards: params() still holds the handle that got the data.
  EXPECT_TRUE(l.params()[0].is(l.W));
  EXPECT_EQ(l.params()[0].shape(), (np::Shape{3, 4}));
}

TEST(Linear, NobiasHasNoB) {
  L::Linear l(3, {.nobias = true, .dtype = np::float32, .in_size = 2});
  EXPECT_FALSE(l.b);
  EXPECT_EQ(keys_of(l), (std::vector<std::string>{"W"}));
  const Variable y = l(np::array({{1.0, 2.0}}));
  EXPECT_TRUE(dztest::arrays_near(y.data(), np::array({{1.0, 2.0}}).dot(l.W.data()), 0.0));
}

TEST(Linear, WrongInputSizeNamesTheLayerAndShapes) {
  TwoLayerNet net(10, 1);
  net(np::ones({4, 3}));
  EXPECT_TRUE(throws_with<np::shape_error>([&] { net(np::ones({4, 2})); },
                                           {"Linear 'l1'", "(4, 2)", "(3, 10)", "made for 3"}));
  L::Linear free_standing(2, {.dtype = np::float32, .in_size = 3});
  EXPECT_TRUE(throws_with<np::shape_error>([&] { free_standing(np::ones({1, 5})); },
                                           {"Linear: x (1, 5)", "W (3, 2)"}));
  EXPECT_TRUE(throws_with<np::shape_error>([&] { free_standing(np::ones({3})); },
                                           {"Linear", "(N, in_size)", "(3,)"}));
}

TEST(Linear, BadSizesAndDtypes) {
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { L::Linear l(0); },
                                                 {"Linear", "out_size", "0"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { L::Linear l(3, {.dtype = np::float32, .in_size = -2}); }, {"Linear", "in_size", "-2"}));
  EXPECT_TRUE(throws_with<np::dtype_error>([] { L::Linear l(3, {.dtype = np::int64}); },
                                           {"Linear", "float32 or float64"}));
}

// ===================================== registration =========================================

TEST(Layer, RegisteredNamesFormPaths) {
  TwoLayerNet net(10, 1);
  EXPECT_EQ(keys_of(net), (std::vector<std::string>{"l1/W", "l1/b", "l2/W", "l2/b"}));
  const auto flat = net.flatten_params();
  EXPECT_TRUE(flat[0].second.is(net.l1.W));
  EXPECT_TRUE(flat[3].second.is(net.l2.b));
  EXPECT_EQ(net.type(), "TwoLayerNet");
  EXPECT_EQ(net.l1.registered_name(), "l1");
  EXPECT_EQ(net.l2.describe(), "Linear 'l2'");
}

TEST(Layer, NestedLayersAndOwnParameters) {
  Outer model;
  EXPECT_EQ(keys_of(model), (std::vector<std::string>{"rnn/x2h/W", "rnn/x2h/b", "rnn/h2h/W",
                                                      "fc/W", "fc/b", "scale"}));
  const auto params = model.params();
  ASSERT_EQ(params.size(), 6u);
  EXPECT_TRUE(params[0].is(model.rnn.x2h.W));
  EXPECT_TRUE(params[2].is(model.rnn.h2h.W));
  EXPECT_TRUE(params[5].is(model.scale));
  EXPECT_EQ(ids_of(params).size(), 6u);
}

TEST(Layer, ParamsHasNoDuplicates) {
  L::Linear shared(2, {.dtype = np::float64, .in_size = 2});
  L::Layer net;
  net.register_layer("a", shared);
  net.register_layer("b", shared);            // the same layer twice
  net.register_parameter("w_again", shared.W);  // and one of its parameters again
  const auto params = net.params();
  ASSERT_EQ(params.size(), 2u);
  EXPECT_TRUE(params[0].is(shared.W));
  EXPECT_TRUE(params[1].is(shared.b));
  // Every path is still there (the book's dictionary has them all).
  EXPECT_EQ(keys_of(net), (std::vector<std::string>{"a/W", "a/b", "b/W", "b/b", "w_again"}));
  EXPECT_EQ(shared.registered_name(), "a");  // the first name

  // A layer registered in two parents: each lists its parameters once.
  L::Layer other;
  other.register_layer("x", shared);
  EXPECT_EQ(ids_of(other.params()), ids_of(net.params()));
}

TEST(Layer, BadRegistrations) {
  L::Layer layer;
  const Parameter p(np::ones({2}));
  layer.register_parameter("p", p);
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { layer.register_parameter("p", p); },
                                                 {"register_parameter", "'p'", "already"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { layer.register_parameter("", p); },
                                                 {"register_parameter", "empty"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { layer.register_parameter("a/b", p); },
                                                 {"'a/b'", "'/'"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { layer.register_parameter("none", Parameter()); }, {"'none'", "None"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { layer.register_layer("self", layer); },
                                                 {"register_layer", "itself"}));
  L::Layer parent;
  parent.register_layer("child", layer);
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { layer.register_layer("up", parent); },
                                                 {"'up'", "itself"}));
  EXPECT_EQ(keys_of(layer), (std::vector<std::string>{"p"}));  // nothing else was added
}

TEST(Layer, CleargradsClearsEveryGradient) {
  Outer model;
  Variable h = model.fc(model.rnn.x2h(np::ones({4, 3})));
  Variable loss = F::sum(h * model.scale);
  loss.backward();
  Variable h2 = model.rnn.h2h(np::ones({1, 2}));
  F::sum(h2).backward();
  for (const auto& [key, p] : model.flatten_params()) EXPECT_TRUE(p.grad()) << key;
  model.cleargrads();
  for (const auto& [key, p] : model.flatten_params()) EXPECT_FALSE(p.grad()) << key;
}

// Moving a model moves its members; the registry goes with them, so the paths still lead to
// the parameters the layers use.
TEST(Layer, MovingKeepsTheRegistry) {
  TwoLayerNet a(3, 1);
  const auto ids = ids_of(a.params());
  TwoLayerNet b(std::move(a));
  EXPECT_EQ(ids_of(b.params()), ids);
  EXPECT_TRUE(b.flatten_params()[0].second.is(b.l1.W));
  EXPECT_TRUE(throws_with<std::logic_error>([&] { (void)a.params(); }, {"moved from"}));

  std::vector<L::Linear> layers;
  L::Layer parent;
  for (int i = 0; i < 5; ++i) {  // the vector reallocates and moves its elements
    layers.emplace_back(2, L::LinearOptions{.in_size = 2});
    parent.register_layer(M::layer_name(static_cast<std::size_t>(i)), layers.back());
  }
  const auto params = parent.params();
  ASSERT_EQ(params.size(), 10u);
  EXPECT_TRUE(params[8].is(layers[4].W));
  EXPECT_TRUE(params[0].is(layers[0].W));
  static_assert(!std::is_copy_constructible_v<L::Linear>);
  static_assert(!std::is_move_assignable_v<L::Linear>);
}

// ===================================== calling ==============================================

// A layer with two inputs and two outputs: (x0 * w + x1, x0 - x1).
class TwoInputs : public L::Layer {
 public:
  TwoInputs() : w(np::array({2.0})) { register_parameter("w", w); }
  Variables forward_many(const Variables& xs) override {
    if (xs.size() != 2) throw std::invalid_argument("TwoInputs takes 2 inputs");
    return {xs[0] * w + xs[1], xs[0] - xs[1]};
  }
  Parameter w;
};

class OneOfTwo : public L::Layer {
 public:
  Variables forward_many(const Variables& xs) override { return {xs[0] + xs[1]}; }
};

TEST(Layer, CalledWithSeveralInputs) {
  OneOfTwo add;
  const Variable y = add(np::array({1.0, 2.0}), np::array({10.0, 20.0}));
  EXPECT_TRUE(data_is(y, {2}, np::float64, {11.0, 22.0}));

  TwoInputs layer;
  const Variables ys = layer(Variables{Variable(np::array({3.0})), Variable(np::array({1.0}))});
  ASSERT_EQ(ys.size(), 2u);
  EXPECT_TRUE(data_is(ys[0], {1}, np::float64, {7.0}));
  EXPECT_TRUE(data_is(ys[1], {1}, np::float64, {2.0}));
  ys[0].backward();
  EXPECT_TRUE(data_is(layer.w.grad(), {1}, np::float64, {3.0}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { layer(np::array({1.0}), np::array({2.0})); }, {"TwoInputs", "2 outputs"}));
}

TEST(Layer, ForwardNotImplementedAndWrongInputCount) {
  L::Layer plain;
  EXPECT_TRUE(throws_with<std::logic_error>([&] { plain(np::ones({1})); },
                                            {"Layer", "forward is not implemented"}));
  L::Linear l(2);
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { l(np::ones({1, 2}), np::ones({1, 2})); }, {"Linear", "one input, given 2"}));
}

// ===================================== models ===============================================

TEST(Models, TwoLayerNetMatchesFreeLayers) {
  auto [x, y] = step44_data();
  TwoLayerNet model(10, 1);
  const Variable loss = F::mean_squared_error(y, model(x));
  EXPECT_NEAR(loss.item(), 0.8165178492839198, 1e-15);  // the book's step 45
}

TEST(Models, MlpLayersAndActivation) {
  auto [x, y] = step44_data();
  M::MLP model({10, 1});
  EXPECT_EQ(keys_of(model), (std::vector<std::string>{"l0/W", "l0/b", "l1/W", "l1/b"}));
  const Variable loss = F::mean_squared_error(y, model(x));
  EXPECT_NEAR(loss.item(), 0.8165178492839198, 1e-15);  // the book's step 46
  EXPECT_EQ(model.num_layers(), 2u);
  EXPECT_EQ(model.layer(1).W.shape(), (np::Shape{10, 1}));
  EXPECT_TRUE(throws_with<std::out_of_range>([&] { (void)model.layer(2); }, {"MLP", "2"}));

  // Any function as the activation: it runs between the layers, not after the last one.
  int calls = 0;
  M::MLP counted({3, 4, 2}, {.activation = [&](const Variable& v) {
                   ++calls;
                   return F::relu(v);
                 }});
  const Variable out = counted(np::ones({5, 2}));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(out.shape(), (np::Shape{5, 2}));
  EXPECT_EQ(keys_of(counted).size(), 6u);
}

TEST(Models, MlpBadSizes) {
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { M::MLP m({}); }, {"MLP", "empty"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { M::MLP m({10, 0}); },
                                                 {"MLP", "layer size 1 is 0"}));
}

TEST(Models, SequentialOfLayersAndFunctions) {
  np::random::seed(0);
  auto shared =
      std::make_shared<L::Linear>(1, L::LinearOptions{.dtype = np::float64, .in_size = 3});
  M::Sequential seq(L::Linear(3, {.dtype = np::float64, .in_size = 2}), F::sigmoid, shared);
  // Parts are numbered as given; the function's number is not registered.
  EXPECT_EQ(keys_of(seq), (std::vector<std::string>{"l0/W", "l0/b", "l2/W", "l2/b"}));
  EXPECT_TRUE(seq.params()[2].is(shared->W));
  const np::ndarray x = np::array({{0.5, -1.0}});
  const Variable y = seq(x);
  const Variable W0 = seq.flatten_params()[0].second;
  const np::ndarray expected = F::sigmoid(x.dot(W0.data())).data().dot(shared->W.data());
  EXPECT_TRUE(dztest::arrays_near(y.data(), expected, 1e-15));

  M::Sequential empty;  // applies nothing
  EXPECT_TRUE(dztest::arrays_near(empty(x).data(), x, 0.0));
  EXPECT_TRUE(empty.params().empty());
}

TEST(Models, PlotWritesTheGraphWithShapes) {
  const fs::path dir =
      fs::temp_directory_path() / ("dezero_test_layers_" + std::to_string(getpid()));
  fs::create_directories(dir);
  np::random::seed(0);
  TwoLayerNet model(10, 1);
  const std::string png = (dir / "model.png").string();
  try {
    model.plot(np::random::rand({100, 1}), png);
    EXPECT_GT(fs::file_size(png), 0u);
  } catch (const dezero::utils::ToolError&) {
    // Without Graphviz only the DOT text is written.
  }
  std::ifstream in(dir / "model.dot");
  std::stringstream text;
  text << in.rdbuf();
  const std::string dot = text.str();
  EXPECT_NE(dot.find("W: (1, 10) float32"), std::string::npos) << dot;
  EXPECT_NE(dot.find("b: (1,) float32"), std::string::npos) << dot;
  EXPECT_NE(dot.find("(100, 1) float64"), std::string::npos) << dot;
  EXPECT_NE(dot.find("label=\"Sigmoid\""), std::string::npos) << dot;
  EXPECT_NE(dot.find("label=\"Linear\""), std::string::npos) << dot;
  fs::remove_all(dir);
}

}  // namespace
