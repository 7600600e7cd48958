// Step 04: numerical differentiation.
//
// The derivative by the central difference (f(x + eps) - f(x - eps)) / 2eps, for a single
// function and for the composite of step 03. Functions now remember the variables they were
// called with and the one they produced, so variables are shared from here on.
#include <functional>
#include <iostream>
#include <memory>
#include <utility>

#include "np/np.hpp"
#include "step_options.hpp"

class Variable {
 public:
  explicit Variable(np::ndarray data) : data(std::move(data)) {}

  np::ndarray data;
};

// A Python name refers to an object; a function that keeps `self.input = input` keeps the
// very same Variable. In C++ that shared reference is a std::shared_ptr.
using VariablePtr = std::shared_ptr<Variable>;

class Function {
 public:
  virtual ~Function() = default;

  VariablePtr operator()(const VariablePtr& input) {
    const np::ndarray& x = input->data;
    np::ndarray y = forward(x);
    auto output = std::make_shared<Variable>(y);
    this->input = input;  // remembered for later steps (backpropagation)
    this->output = output;
    return output;
  }

  virtual np::ndarray forward(const np::ndarray& x) = 0;

  VariablePtr input;
  VariablePtr output;
};

class Square : public Function {
 public:
  np::ndarray forward(const np::ndarray& x) override { return np::pow(x, 2); }
};

class Exp : public Function {
 public:
  np::ndarray forward(const np::ndarray& x) override { return np::exp(x); }
};

// f may be any callable from Variable to Variable: a Function object or a plain function,
// as Python accepts either.
np::ndarray numerical_diff(const std::function<VariablePtr(const VariablePtr&)>& f,
                           const VariablePtr& x, double eps = 1e-4) {
  auto x0 = std::make_shared<Variable>(x->data - eps);
  auto x1 = std::make_shared<Variable>(x->data + eps);
  VariablePtr y0 = f(x0);
  VariablePtr y1 = f(x1);
  return (y1->data - y0->data) / (2 * eps);
}

// The composite of step 03 as one function of x.
VariablePtr composite(const VariablePtr& x) {
  Square A;
  Exp B;
  Square C;
  return C(B(A(x)));
}

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  // d(x^2)/dx at x = 2 is 4: the difference quotient comes close, with a small error.
  Square f;
  auto x = std::make_shared<Variable>(np::array(2.0));
  np::ndarray dy = numerical_diff(f, x);
  std::cout << dy << "\n";

  x = std::make_shared<Variable>(np::array(0.5));
  dy = numerical_diff(composite, x);
  std::cout << dy << "\n";
}
