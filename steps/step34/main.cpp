// Step 34: higher derivatives of sin.
//
// F::sin's backward uses F::cos, and F::cos's uses F::sin, so the derivatives go on for ever.
// Differentiating three times over 200 points gives y = sin(x), y' = cos(x), y'' = -sin(x)
// and y''' = -cos(x); the book plots them, and so does this step: sin_derivatives.png.
#include <iostream>
#include <string>
#include <vector>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Variable;
namespace F = dezero::functions;

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  Variable x(np::linspace(-7, 7, 200));
  Variable y = F::sin(x);
  y.backward({.create_graph = true});

  std::vector<np::ndarray> logs{y.data()};
  for (int i = 0; i < 3; ++i) {
    logs.push_back(x.grad().data());
    Variable gx = x.grad();
    x.cleargrad();
    gx.backward({.create_graph = true});
  }
  // The last derivative's graph refers back to x, a cycle that C++ never frees: drop it
  // (docs/stage3.md, "One thing C++ does not do for you").
  x.cleargrad();

  const std::vector<std::string> labels{"y=sin(x)", "y'", "y''", "y'''"};
  dezero::utils::Plot plot;
  for (std::size_t i = 0; i < logs.size(); ++i) plot.line(x.data(), logs[i], labels[i]);
  plot.legend("bottom right");
  try {
    plot.save("sin_derivatives.png");
    std::cerr << "wrote sin_derivatives.png\n";
  } catch (const dezero::utils::ToolError& e) {
    std::cerr << e.what() << "\n";  // the numbers are computed all the same
  }
}
