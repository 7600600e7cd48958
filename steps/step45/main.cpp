// Step 45: layers of layers.
//
// The network of step 44 becomes a Model of its own: TwoLayerNet holds two Linear layers and
// registers them by name (C++ has no __setattr__ to notice them), so model.params() and
// model.cleargrads() reach every parameter. The losses are step 44's. After training, the
// step draws the graph of one forward pass with Model::plot: model.png (and model.dot), each
// variable with its shape and dtype. `step45 --iters N` runs N iterations.
#include <iostream>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Parameter;
using dezero::Variable;
namespace F = dezero::functions;
namespace L = dezero::layers;
namespace utils = dezero::utils;

class TwoLayerNet : public dezero::Model {
 public:
  TwoLayerNet(std::int64_t hidden_size, std::int64_t out_size)
      : l1(register_layer("l1", L::Linear(hidden_size))),
        l2(register_layer("l2", L::Linear(out_size))) {}

  Variable forward(const Variable& x) override {
    Variable y = F::sigmoid(l1(x));
    y = l2(y);
    return y;
  }

  L::Linear l1, l2;
};

int main(int argc, char** argv) {
  const long max_iter = steps::options(argc, argv, {{"iters", 10000}}).at("iters");

  np::random::seed(0);
  np::ndarray x = np::random::rand({100, 1});
  np::ndarray y = np::sin(2 * np::pi * x) + np::random::rand({100, 1});

  const double lr = 0.2;
  const std::int64_t hidden_size = 10;

  TwoLayerNet model(hidden_size, 1);

  for (long i = 0; i < max_iter; ++i) {
    Variable y_pred = model(x);
    Variable loss = F::mean_squared_error(y, y_pred);

    model.cleargrads();
    loss.backward();

    for (const Parameter& p : model.params()) p.data() -= lr * p.grad().data();
    if (i % 1000 == 0) std::cout << loss << "\n";
  }

  // The book draws a model's graph with plot; here after training, so that drawing takes no
  // random numbers from the training's sequence.
  Variable x_named(x, "x");
  try {
    model.plot(x_named, "model.png");
    std::cerr << "wrote model.png\n";
  } catch (const utils::ToolError& e) {
    std::cerr << e.what() << "\n";
  }
}
