// Step 44: layers that hold their parameters.
//
// Step 43's network again, but W and b now live in two L::Linear layers. A layer is called
// like a function, l1.cleargrads() clears its parameters' gradients, and l1.params() lists
// them for the update. W is made at the first call, from the input's size, with the same
// random draws as step 43's hand-made weights would take (so the losses are the book's).
// `step44 --iters N` runs N iterations.
#include <iostream>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Parameter;
using dezero::Variable;
namespace F = dezero::functions;
namespace L = dezero::layers;
namespace utils = dezero::utils;

int main(int argc, char** argv) {
  const long iters = steps::options(argc, argv, {{"iters", 10000}}).at("iters");

  np::random::seed(0);
  np::ndarray x = np::random::rand({100, 1});
  np::ndarray y = np::sin(2 * np::pi * x) + np::random::rand({100, 1});

  L::Linear l1(10);  // out_size only: in_size comes from x at the first call
  L::Linear l2(1);

  auto predict = [&](const Variable& x) {
    Variable y = l1(x);
    y = F::sigmoid(y);
    y = l2(y);
    return y;
  };

  const double lr = 0.2;
  for (long i = 0; i < iters; ++i) {
    Variable y_pred = predict(x);
    Variable loss = F::mean_squared_error(y, y_pred);

    l1.cleargrads();
    l2.cleargrads();
    loss.backward();

    for (L::Linear* l : {&l1, &l2}) {
      for (const Parameter& p : l->params()) p.data() -= lr * p.grad().data();
    }
    if (i % 1000 == 0) std::cout << loss << "\n";
  }
}
