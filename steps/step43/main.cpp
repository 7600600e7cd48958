// Step 43: a neural network.
//
// A 1-10-1 network fits noisy sin(2 pi x): linear, sigmoid, linear, trained on the mean
// squared error by gradient descent (lr = 0.2, 10000 iterations). F::linear is one graph node
// for x W + b, F::sigmoid one node too. The step prints the loss every 1000 iterations and
// draws the data and the network's curve in step43.png. `step43 --iters N` runs N iterations.
#include <iostream>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Variable;
namespace F = dezero::functions;
namespace utils = dezero::utils;

int main(int argc, char** argv) {
  const long iters = steps::options(argc, argv, {{"iters", 10000}}).at("iters");

  np::random::seed(0);
  np::ndarray x = np::random::rand({100, 1});
  np::ndarray y = np::sin(2 * np::pi * x) + np::random::rand({100, 1});

  // Small random weights break the symmetry between the hidden units.
  const std::int64_t I = 1, H = 10, O = 1;
  Variable W1(0.01 * np::random::randn({I, H}));
  Variable b1(np::zeros({H}));
  Variable W2(0.01 * np::random::randn({H, O}));
  Variable b2(np::zeros({O}));

  auto predict = [&](const Variable& x) {
    Variable y = F::linear(x, W1, b1);
    y = F::sigmoid(y);
    return F::linear(y, W2, b2);
  };

  const double lr = 0.2;
  for (long i = 0; i < iters; ++i) {
    Variable y_pred = predict(x);
    Variable loss = F::mean_squared_error(y, y_pred);

    for (const Variable& p : {W1, b1, W2, b2}) p.cleargrad();
    loss.backward();

    for (const Variable& p : {W1, b1, W2, b2}) p.data() -= lr * p.grad().data();
    if (i % 1000 == 0) std::cout << loss << "\n";
  }

  const np::ndarray t = np::arange(0.0, 1.0, 0.01).reshape({-1, 1});
  utils::Plot plot;
  plot.xlabel("x").ylabel("y");
  plot.scatter(x, y);
  plot.line(t, predict(t).data()).color("red");
  try {
    plot.save("step43.png");
    std::cerr << "wrote step43.png\n";
  } catch (const utils::ToolError& e) {
    std::cerr << e.what() << "\n";
  }
}
