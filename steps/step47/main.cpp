// Step 47: softmax and cross entropy.
//
// An MLP((10, 3)) classifies 2-D points into 3 classes. For one point, a softmax written from
// F::exp and F::sum turns its 3 scores into probabilities; for 4 points, F::softmax_simple
// does it row by row, and F::softmax_cross_entropy_simple gives the loss against the labels
// t. The book seeds the generator before anything else, so the weights drawn at the first
// call are fixed. The step takes no options.
#include <iostream>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::as_variable;
using dezero::Variable;
namespace F = dezero::functions;
using dezero::models::MLP;

Variable softmax1d(const Variable& x_in) {
  Variable x = as_variable(x_in);
  Variable y = F::exp(x);
  Variable sum_y = F::sum(y);
  return y / sum_y;
}

int main(int argc, char** argv) {
  steps::options(argc, argv);  // no options: anything given is an error
  np::random::seed(0);

  MLP model({10, 3});

  Variable x(np::array({{0.2, -0.4}}));
  Variable y = model(x);
  Variable p = softmax1d(y);
  std::cout << y << "\n";
  std::cout << p << "\n";

  np::ndarray xs = np::array({{0.2, -0.4}, {0.3, 0.5}, {1.3, -3.2}, {2.1, 0.3}});
  np::ndarray t = np::array({2, 0, 1, 0});

  y = model(xs);
  p = F::softmax_simple(y);
  std::cout << y << "\n";
  std::cout << p << "\n";

  Variable loss = F::softmax_cross_entropy_simple(y, t);
  loss.backward();
  std::cout << loss << "\n";
}
