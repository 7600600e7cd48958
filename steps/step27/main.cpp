// Step 27: differentiating with a Taylor series.
//
// First a Sin function written in this file (a UnaryFunction: forward on an array, backward on
// a Variable), then my_sin, which adds up the Maclaurin series of sin term by
// term. The Taylor version's graph is long; my_sin.png shows it.
#include <cmath>
#include <iostream>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Variable;

class Sin : public dezero::UnaryFunction {
 public:
  np::ndarray forward(const np::ndarray& x) override {
    np::ndarray y = np::sin(x);
    return y;
  }
  Variable backward(const Variable& gy) override {
    const np::ndarray& x = this->x().data();
    Variable gx = gy * np::cos(x);
    return gx;
  }
};

Variable sin(const Variable& x) { return dezero::call<Sin>({x}); }

double factorial(int n) {
  double f = 1.0;
  for (int k = 2; k <= n; ++k) f *= k;
  return f;
}

Variable my_sin(const Variable& x, double threshold = 0.0001) {
  Variable y;  // None: the book starts from the number 0
  for (int i = 0; i < 100000; ++i) {
    const double c = (i % 2 ? -1.0 : 1.0) / factorial(2 * i + 1);
    const Variable t = c * pow(x, 2 * i + 1);
    y = y ? y + t : 0 + t;  // 0 + t is t's reflected addition, as in Python
    if (std::abs(t.item()) < threshold) break;
  }
  return y;
}

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  {
    Variable x(np::array(np::pi / 4));
    Variable y = sin(x);
    y.backward();
    std::cout << "--- original sin ---\n";
    std::cout << y.data() << "\n";
    std::cout << x.grad() << "\n";
  }

  Variable x(np::array(np::pi / 4));
  Variable y = my_sin(x);  // try my_sin(x, 1e-150) for a much longer graph
  y.backward();
  std::cout << "--- approximate sin ---\n";
  std::cout << y.data() << "\n";
  std::cout << x.grad() << "\n";

  x.set_name("x");
  y.set_name("y");
  try {
    dezero::utils::plot_dot_graph(y, {.verbose = false}, "my_sin.png");
  } catch (const dezero::utils::ToolError& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
}
