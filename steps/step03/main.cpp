// Step 03: chaining functions.
//
// A second function, Exp, and the point of the common Function interface: because every
// function takes a Variable and returns a Variable, functions can be chained, and the
// composite y = (e^(x^2))^2 is built from three of them.
#include <iostream>
#include <utility>

#include "np/np.hpp"
#include "step_options.hpp"

class Variable {
 public:
  explicit Variable(np::ndarray data) : data(std::move(data)) {}

  np::ndarray data;
};

class Function {
 public:
  virtual ~Function() = default;

  Variable operator()(const Variable& input) {
    const np::ndarray& x = input.data;
    np::ndarray y = forward(x);
    Variable output(y);
    return output;
  }

  virtual np::ndarray forward(const np::ndarray& x) = 0;
};

class Square : public Function {
 public:
  np::ndarray forward(const np::ndarray& x) override { return np::pow(x, 2); }
};

class Exp : public Function {
 public:
  np::ndarray forward(const np::ndarray& x) override { return np::exp(x); }
};

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  Square A;
  Exp B;
  Square C;

  // Data flows x -> A -> a -> B -> b -> C -> y: a chain of functions.
  Variable x(np::array(0.5));
  Variable a = A(x);
  Variable b = B(a);
  Variable y = C(b);
  std::cout << y.data << "\n";
}
