// Step 29: Newton's method for optimisation (second derivative by hand).
//
// Newton's method uses the curvature too: x <- x - f'(x) / f''(x). Backpropagation gives f',
// and f'' = 12x^2 - 4 is written by hand here; step 33 will get it by backpropagation as
// well. It reaches the minimum x = 1 in a handful of iterations where gradient descent
// needs hundreds.
#include <iostream>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Variable;

Variable f(const Variable& x) { return pow(x, 4) - 2 * pow(x, 2); }

np::ndarray gx2(const np::ndarray& x) { return 12 * np::power(x, 2) - 4; }

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  Variable x(np::array(2.0));
  const int iters = 10;

  for (int i = 0; i < iters; ++i) {
    std::cout << i << " " << x << "\n";

    Variable y = f(x);
    x.cleargrad();
    y.backward();

    x.data() -= x.grad().data() / gx2(x.data());
  }
}
