// Step 24: differentiating complicated functions.
//
// Thanks to operator overloading, the test functions of optimisation read like their
// formulas; pow(x, 2) stands for Python's x ** 2. Try sphere or matyas in place of goldstein.
#include <iostream>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Variable;

Variable sphere(const Variable& x, const Variable& y) { return pow(x, 2) + pow(y, 2); }

Variable matyas(const Variable& x, const Variable& y) {
  return 0.26 * (pow(x, 2) + pow(y, 2)) - 0.48 * x * y;
}

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
  Variable z = goldstein(x, y);  // or sphere(x, y), matyas(x, y)
  z.backward();
  std::cout << x.grad() << " " << y.grad() << "\n";
}
