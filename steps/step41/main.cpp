// Step 41: the matrix product.
//
// For y = x W, the gradients are gx = gy W^T and gW = x^T gy: the only products whose shapes
// fit, which is an easy way to remember them. The gradients have the shapes of x and W.
#include <iostream>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Variable;
namespace F = dezero::functions;

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  // Unseeded in the book: only the shapes are printed.
  Variable x(np::random::randn({2, 3}));
  Variable w(np::random::randn({3, 4}));
  Variable y = F::matmul(x, w);
  y.backward();

  std::cout << x.grad().shape() << "\n";
  std::cout << w.grad().shape() << "\n";
}
