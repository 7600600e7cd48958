// Step 40: broadcasting.
//
// NumPy broadcasts x1 of shape (1,) against x0 of shape (3,) in x0 + x1. For the gradient to
// have x1's shape again, Add's backward sums the broadcast axes away (F::sum_to); Mul, Sub and
// Div do the same. broadcast_to and sum_to are each other's backward.
#include <iostream>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Variable;

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  Variable x0(np::array({1, 2, 3}));
  Variable x1(np::array({10}));
  Variable y = x0 + x1;
  std::cout << y << "\n";

  y.backward();
  std::cout << x1.grad() << "\n";
}
