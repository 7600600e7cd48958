// Step 23: packaging the framework.
//
// From here on the steps stop carrying their own copy of the framework: they include the
// dezero library (dezero/core.hpp and friends, the C++ for `import dezero`). Gradients are
// Variables in the final library, so x.grad prints as variable(8.0), as in the book's run.
#include <iostream>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Variable;

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  Variable x(np::array(1.0));
  Variable y = pow(x + 3, 2);
  y.backward();

  std::cout << y << "\n";
  std::cout << x.grad() << "\n";
}
