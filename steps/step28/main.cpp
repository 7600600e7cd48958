// Step 28: optimising a function by gradient descent.
//
// The Rosenbrock function has its minimum at (1, 1) at the bottom of a long curved valley.
// Each iteration prints the current point, then steps against the gradient; after 1000
// steps of lr = 0.001 the point is still crawling along the valley (try --iters 50000).
#include <cstdlib>
#include <iostream>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Variable;

Variable rosenbrock(const Variable& x0, const Variable& x1) {
  return 100 * pow(x1 - pow(x0, 2), 2) + pow(x0 - 1, 2);
}

int main(int argc, char** argv) {
  const long iters = steps::options(argc, argv, {{"iters", 1000}}).at("iters");
  Variable x0(np::array(0.0));
  Variable x1(np::array(2.0));
  const double lr = 0.001;

  for (int i = 0; i < iters; ++i) {
    std::cout << x0 << " " << x1 << "\n";

    Variable y = rosenbrock(x0, x1);
    x0.cleargrad();
    x1.cleargrad();
    y.backward();

    x0.data() -= lr * x0.grad().data();
    x1.data() -= lr * x1.grad().data();
  }
}
