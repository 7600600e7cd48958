// Step 38: functions that change shapes.
//
// reshape and transpose move elements around without changing them, so their backward passes
// just move the gradient back: reshape to the input's shape, transpose with the inverse
// permutation.
#include <iostream>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Variable;
namespace F = dezero::functions;

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  {
    Variable x(np::array({{0, 1, 2}, {3, 4, 5}}));
    Variable y = F::reshape(x, {6});  // also x.reshape({6})
    y.backward({.retain_grad = true});
    std::cout << x.grad() << "\n";
  }
  {
    Variable x(np::array({{1, 2, 3}, {4, 5, 6}}));
    Variable y = F::transpose(x);  // also x.T()
    y.backward();
    std::cout << x.grad() << "\n";
  }
}
