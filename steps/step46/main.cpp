// Step 46: optimizers.
//
// The same training as steps 44 and 45, with the library's pieces: models::MLP({10, 1}) is
// Linear(10), sigmoid, Linear(1), and optimizers::SGD does the update that the steps before
// wrote by hand. setup() returns the optimizer, so it reads as the book's one line. The losses
// are those of steps 44 and 45. `step46 --iters N` runs N iterations.
#include <iostream>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Variable;
namespace F = dezero::functions;
namespace optimizers = dezero::optimizers;
namespace utils = dezero::utils;
using dezero::models::MLP;

int main(int argc, char** argv) {
  const long max_iter = steps::options(argc, argv, {{"iters", 10000}}).at("iters");

  np::random::seed(0);
  np::ndarray x = np::random::rand({100, 1});
  np::ndarray y = np::sin(2 * np::pi * x) + np::random::rand({100, 1});

  const double lr = 0.2;
  const std::int64_t hidden_size = 10;

  MLP model({hidden_size, 1});
  auto optimizer = optimizers::SGD(lr).setup(model);

  for (long i = 0; i < max_iter; ++i) {
    Variable y_pred = model(x);
    Variable loss = F::mean_squared_error(y, y_pred);

    model.cleargrads();
    loss.backward();

    optimizer.update();
    if (i % 1000 == 0) std::cout << loss << "\n";
  }
}
