// Step 33: Newton's method with automatic second derivatives.
//
// backward({.create_graph = true}) records the backward pass itself, so the gradient gx is a
// Variable with a graph of its own; backpropagating through gx gives the second derivative.
// The printout is the same as step 29's, where f'' was written by hand.
#include <iostream>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Variable;

Variable f(const Variable& x) { return pow(x, 4) - 2 * pow(x, 2); }

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  Variable x(np::array(2.0));
  const int iters = 10;

  for (int i = 0; i < iters; ++i) {
    std::cout << i << " " << x << "\n";

    Variable y = f(x);
    x.cleargrad();
    y.backward({.create_graph = true});

    Variable gx = x.grad();
    x.cleargrad();
    gx.backward();
    Variable gx2 = x.grad();

    x.data() -= gx.data() / gx2.data();
  }
}
