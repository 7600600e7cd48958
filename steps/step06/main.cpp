// Step 06: backpropagation by hand.
//
// Variables get a grad next to their data, and functions a backward method: given the
// derivative with respect to their output, it returns the derivative with respect to their
// input (the chain rule, one link at a time). Here the links are called by hand, in reverse.
#include <iostream>
#include <memory>
#include <utility>

#include "np/np.hpp"
#include "step_options.hpp"

class Variable {
 public:
  explicit Variable(np::ndarray data) : data(std::move(data)) {}

  np::ndarray data;
  np::ndarray grad;  // an undefined array is Python's None: no gradient yet
};

using VariablePtr = std::shared_ptr<Variable>;

class Function {
 public:
  virtual ~Function() = default;

  VariablePtr operator()(const VariablePtr& input) {
    const np::ndarray& x = input->data;
    np::ndarray y = forward(x);
    auto output = std::make_shared<Variable>(y);
    this->input = input;  // backward needs the input's value
    return output;
  }

  virtual np::ndarray forward(const np::ndarray& x) = 0;
  // gy is dL/dy for this function's output y; the result is dL/dx for its input x.
  virtual np::ndarray backward(const np::ndarray& gy) = 0;

  VariablePtr input;
};

class Square : public Function {
 public:
  np::ndarray forward(const np::ndarray& x) override {
    np::ndarray y = np::pow(x, 2);
    return y;
  }

  // d(x^2)/dx = 2x
  np::ndarray backward(const np::ndarray& gy) override {
    const np::ndarray& x = input->data;
    np::ndarray gx = 2 * x * gy;
    return gx;
  }
};

class Exp : public Function {
 public:
  np::ndarray forward(const np::ndarray& x) override {
    np::ndarray y = np::exp(x);
    return y;
  }

  // d(e^x)/dx = e^x
  np::ndarray backward(const np::ndarray& gy) override {
    const np::ndarray& x = input->data;
    np::ndarray gx = np::exp(x) * gy;
    return gx;
  }
};

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  Square A;
  Exp B;
  Square C;

  auto x = std::make_shared<Variable>(np::array(0.5));
  VariablePtr a = A(x);
  VariablePtr b = B(a);
  VariablePtr y = C(b);

  // Backward, by hand: from dy/dy = 1 through C, B and A in the reverse order of forward.
  y->grad = np::array(1.0);
  b->grad = C.backward(y->grad);
  a->grad = B.backward(b->grad);
  x->grad = A.backward(a->grad);
  std::cout << x->grad << "\n";
}
