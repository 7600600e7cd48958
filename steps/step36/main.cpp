// Step 36: other uses of higher-order differentiation (double backprop).
//
// z contains a gradient: z = (dy/dx)^3 + y with y = x^2. Because gx was recorded with
// create_graph, z can be differentiated with respect to x once more: 24x^2 + 2x = 100 at 2.
#include <iostream>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Variable;

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  Variable x(np::array(2.0));
  Variable y = pow(x, 2);
  y.backward({.create_graph = true});
  Variable gx = x.grad();
  x.cleargrad();

  Variable z = pow(gx, 3) + y;
  z.backward();
  std::cout << x.grad() << "\n";
}
