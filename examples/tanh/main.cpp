// examples/tanh: the higher derivatives of tanh and the graph that computes them (the book's
// examples/tanh.py).
//
// tanh'(x) = 1 - tanh(x)^2 is itself made of Functions, so with create_graph every derivative
// is a graph that can be differentiated again, and each one is larger than the last. The
// example differentiates tanh at x = 1 until the derivative of order N (default 4, the book's
// three extra backward passes), printing each order's value and the number of Functions in its
// graph, and draws the last graph without shapes (tanh.png, tanh.dot), as the book does.
//
//   tanh [--order N]     N >= 1; the graphs grow quickly (order 6 has hundreds of nodes)
#include <cstdio>
#include <iostream>
#include <string>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Variable;
namespace F = dezero::functions;
namespace utils = dezero::utils;

namespace {

// The Functions in the graph leading to v: the boxes of its drawing.
int count_functions(const Variable& v) {
  const std::string dot = utils::get_dot_graph(v, false);
  int n = 0;
  for (std::size_t at = 0; (at = dot.find("shape=box", at)) != std::string::npos; ++at) ++n;
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  const long order = steps::options(argc, argv, {{"order", 4}}).at("order");
  if (order < 1) {
    std::cerr << "tanh: --order must be at least 1\n";
    return 2;
  }
  Variable x(np::array(1.0));
  x.set_name("x");
  int status = 0;
  {
    Variable y = F::tanh(x);
    y.set_name("y");
    y.backward({.create_graph = true});
    Variable gx = x.grad();
    for (long n = 1;; ++n) {
      std::printf("order %ld: %.10f, %d functions in its graph\n", n, gx.data().item<double>(),
                  count_functions(gx));
      if (n == order) break;
      x.cleargrad();
      gx.backward({.create_graph = true});
      gx = x.grad();
    }
    std::fflush(stdout);
    gx.set_name("gx" + std::to_string(order));
    try {
      utils::plot_dot_graph(gx, {.verbose = false}, "tanh.png");
      std::cerr << "tanh: wrote tanh.png (the graph of derivative " << order << ")\n";
    } catch (const utils::ToolError& e) {
      std::cerr << "tanh: " << e.what() << "\n";
      status = 1;
    }
  }
  // The last derivative's graph refers back to x, a cycle that C++ never frees: drop it.
  x.cleargrad();
  return status;
}
