// Step 26: visualising computational graphs (2).
//
// utils::get_dot_graph walks the graph back from an output and writes it in DOT;
// plot_dot_graph saves that text as goldstein.dot and has Graphviz draw goldstein.png.
// Name the variables first: names become the labels of their nodes.
#include <iostream>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Variable;

Variable goldstein(const Variable& x, const Variable& y) {
  return (1 +
          pow(x + y + 1, 2) * (19 - 14 * x + 3 * pow(x, 2) - 14 * y + 6 * x * y + 3 * pow(y, 2))) *
         (30 + pow(2 * x - 3 * y, 2) *
                   (18 - 32 * x + 12 * pow(x, 2) + 48 * y - 36 * x * y + 27 * pow(y, 2)));
}

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  Variable x(np::array(1.0));
  Variable y(np::array(1.0));
  Variable z = goldstein(x, y);
  z.backward();

  x.set_name("x");
  y.set_name("y");
  z.set_name("z");
  try {
    dezero::utils::plot_dot_graph(z, {.verbose = false}, "goldstein.png");
  } catch (const dezero::utils::ToolError& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
}
