// Step 35: higher derivatives of tanh, and what their graphs look like.
//
// tanh'(x) = 1 - y^2 is built from Functions, so every derivative is a new, larger graph.
// The book draws the graph of the second derivative (tanh.png); this step draws every order
// it computes: tanh_1.png (first derivative), tanh_2.png, ... and the book's tanh.png.
// `step35 --iters N` differentiates N more times (the graphs grow quickly).
#include <cstdlib>
#include <iostream>
#include <string>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Variable;
namespace F = dezero::functions;

int main(int argc, char** argv) {
  // As in the book, the second derivative by default.
  const long iters = steps::options(argc, argv, {{"iters", 1}}).at("iters");
  Variable x(np::array(1.0));
  int status = 0;
  try {
    Variable y = F::tanh(x);
    x.set_name("x");
    y.set_name("y");
    y.backward({.create_graph = true});

    for (int order = 1;; ++order) {
      Variable gx = x.grad();
      gx.set_name("gx" + std::to_string(order));
      dezero::utils::plot_dot_graph(gx, {.verbose = false},
                                    "tanh_" + std::to_string(order) + ".png");
      std::cerr << "wrote tanh_" << order << ".png\n";
      if (order == iters + 1) {
        dezero::utils::plot_dot_graph(gx, {.verbose = false}, "tanh.png");
        std::cerr << "wrote tanh.png (the book's graph: derivative of order " << order << ")\n";
        break;
      }
      x.cleargrad();
      gx.backward({.create_graph = true});
    }
  } catch (const dezero::utils::ToolError& e) {
    std::cerr << e.what() << "\n";
    status = 1;
  }
  // The last derivative's graph refers back to x, a cycle that C++ never frees: drop it
  // (docs/stage3.md, "One thing C++ does not do for you").
  x.cleargrad();
  return status;
}
