// Step 37: working with tensors.
//
// Nothing in the core assumed scalars: a Variable holds an array of any shape, element-wise
// functions work element by element, and the gradient of each variable has the shape of its
// data. F::sum reduces the 2x3 sum x + c to one number; its gradient flows back as ones.
#include <iostream>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Variable;
namespace F = dezero::functions;

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  Variable x(np::array({{1, 2, 3}, {4, 5, 6}}));
  Variable c(np::array({{10, 20, 30}, {40, 50, 60}}));
  Variable t = x + c;
  Variable y = F::sum(t);

  y.backward({.retain_grad = true});  // keep t's gradient too
  std::cout << y.grad() << "\n";
  std::cout << t.grad() << "\n";
  std::cout << x.grad() << "\n";
  std::cout << c.grad() << "\n";
}
