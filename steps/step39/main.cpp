// Step 39: the sum function.
//
// F::sum(x, axis, keepdims) works as NumPy's sum. Its backward broadcasts the gradient back
// to the input's shape; when axes were removed (keepdims false) they are put back as length
// 1 first (utils::reshape_sum_backward), so that the broadcast lines up.
#include <iostream>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Variable;
namespace F = dezero::functions;

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  {
    Variable x(np::array({1, 2, 3, 4, 5, 6}));
    Variable y = F::sum(x);
    y.backward();
    std::cout << y << "\n" << x.grad() << "\n";
  }
  {
    Variable x(np::array({{1, 2, 3}, {4, 5, 6}}));
    Variable y = F::sum(x);
    y.backward();
    std::cout << y << "\n" << x.grad() << "\n";
  }
  {
    Variable x(np::array({{1, 2, 3}, {4, 5, 6}}));
    Variable y = F::sum(x, /*axes=*/0);
    y.backward();
    std::cout << y << "\n" << x.grad() << "\n";
  }
  {
    // The book draws these numbers without a seed: only the shape is printed.
    Variable x(np::random::randn({2, 3, 4, 5}));
    Variable y = x.sum(np::none, /*keepdims=*/true);
    std::cout << y.shape() << "\n";
  }
}
