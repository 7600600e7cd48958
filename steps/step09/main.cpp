// Step 09: making functions easier to use.
//
// Three conveniences: square() and exp() as plain functions, backward() that starts from
// dy/dy = 1 by itself, and a Variable that refuses data which is not an array.
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "np/np.hpp"
#include "step_options.hpp"

class Function;
// Variables and functions refer to each other, as Python objects do, through shared_ptr.
using FunctionPtr = std::shared_ptr<Function>;

class Variable {
 public:
  // An array, or None (np::none); anything else is the book's TypeError, at run time.
  // C++ could reject it at compile time instead, with a constructor that takes only arrays.
  template <class T>
  explicit Variable([[maybe_unused]] T data) {
    if constexpr (!std::is_same_v<T, std::nullopt_t>) {
      this->data = steps::must_be<np::ndarray>(std::move(data));
    }
  }

  void set_creator(FunctionPtr func) { creator = std::move(func); }

  void backward();  // defined below Function, which it uses

  np::ndarray data;
  np::ndarray grad;
  FunctionPtr creator;  // null for a variable the user made
};

using VariablePtr = std::shared_ptr<Variable>;

// NumPy turns some results on 0-d arrays into NumPy scalars, so the book wraps them back with
// as_array. The array layer always returns arrays: here as_array has nothing left to convert.
np::ndarray as_array(np::ndarray x) { return x; }

// enable_shared_from_this lets a function hand its outputs a shared_ptr to itself.
class Function : public std::enable_shared_from_this<Function> {
 public:
  virtual ~Function() = default;

  VariablePtr operator()(const VariablePtr& input) {
    const np::ndarray& x = input->data;
    np::ndarray y = forward(x);
    auto output = std::make_shared<Variable>(as_array(y));
    output->set_creator(shared_from_this());  // the output remembers its parent function
    this->input = input;
    this->output = output;  // the book's reference cycle (see step 07)
    return output;
  }

  virtual np::ndarray forward(const np::ndarray& x) = 0;
  virtual np::ndarray backward(const np::ndarray& gy) = 0;

  VariablePtr input;
  VariablePtr output;
};

void Variable::backward() {
  if (!grad.defined()) grad = np::ones_like(data);  // dy/dy = 1: no need to set it by hand

  std::vector<FunctionPtr> funcs = {creator};
  while (!funcs.empty()) {
    FunctionPtr f = funcs.back();  // 1. take a function
    funcs.pop_back();
    VariablePtr x = f->input;  // 2. its input and output
    VariablePtr y = f->output;
    x->grad = f->backward(y->grad);  // 3. one step of the chain rule

    if (x->creator) funcs.push_back(x->creator);  // the next function back, if any
  }
}

class Square : public Function {
 public:
  np::ndarray forward(const np::ndarray& x) override {
    np::ndarray y = np::pow(x, 2);
    return y;
  }

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

  np::ndarray backward(const np::ndarray& gy) override {
    const np::ndarray& x = input->data;
    np::ndarray gx = np::exp(x) * gy;
    return gx;
  }
};

VariablePtr square(const VariablePtr& x) {
  auto f = std::make_shared<Square>();
  return (*f)(x);
}

VariablePtr exp(const VariablePtr& x) {
  auto f = std::make_shared<Exp>();
  return (*f)(x);
}

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  auto x = std::make_shared<Variable>(np::array(0.5));
  VariablePtr y = square(exp(square(x)));
  y->backward();
  std::cout << x->grad << "\n";

  x = std::make_shared<Variable>(np::array(1.0));  // OK
  x = std::make_shared<Variable>(np::none);        // OK: None
  x = std::make_shared<Variable>(1.0);  // NG: TypeError, and exit status 1, as the book's
}
