// Step 13: functions with several inputs and outputs (backward).
//
// backward also works on lists now: it receives the gradients of all outputs and returns one
// gradient per input, and Variable::backward hands each input its own. Add's backward passes
// the gradient on to both inputs unchanged.
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
  FunctionPtr creator;
};

using VariablePtr = std::shared_ptr<Variable>;
// Python's lists of variables and of arrays.
using Variables = std::vector<VariablePtr>;
using Arrays = std::vector<np::ndarray>;

// NumPy turns some results on 0-d arrays into NumPy scalars, so the book wraps them back with
// as_array. The array layer always returns arrays: here as_array has nothing left to convert.
np::ndarray as_array(np::ndarray x) { return x; }

class Function : public std::enable_shared_from_this<Function> {
 public:
  virtual ~Function() = default;

  // Python's *inputs is a std::vector here: (*f)({x0, x1}) builds it from braces. Python
  // returns outputs[0] alone when there is one output; a C++ function has one return type,
  // so this returns the list and one-output helpers like add() below take the element.
  Variables operator()(const Variables& inputs) {
    Arrays xs;  // the data of every input
    for (const VariablePtr& x : inputs) xs.push_back(x->data);
    Arrays ys = forward(xs);
    Variables outputs;  // every result wrapped in a Variable
    for (const np::ndarray& y : ys) outputs.push_back(std::make_shared<Variable>(as_array(y)));

    for (const VariablePtr& output : outputs) output->set_creator(shared_from_this());
    this->inputs = inputs;
    this->outputs = outputs;  // the book's reference cycle (see step 07)
    return outputs;
  }

  virtual Arrays forward(const Arrays& xs) = 0;
  // gys holds one gradient per output; the result holds one per input.
  virtual Arrays backward(const Arrays& gys) = 0;

  Variables inputs;
  Variables outputs;
};

void Variable::backward() {
  if (!grad.defined()) grad = np::ones_like(data);

  std::vector<FunctionPtr> funcs = {creator};
  while (!funcs.empty()) {
    FunctionPtr f = funcs.back();
    funcs.pop_back();
    Arrays gys;
    for (const VariablePtr& output : f->outputs) gys.push_back(output->grad);
    Arrays gxs = f->backward(gys);

    // Python's zip(f.inputs, gxs): the i-th gradient belongs to the i-th input.
    for (std::size_t i = 0; i < f->inputs.size(); ++i) {
      const VariablePtr& x = f->inputs[i];
      x->grad = gxs[i];

      if (x->creator) funcs.push_back(x->creator);
    }
  }
}

class Square : public Function {
 public:
  Arrays forward(const Arrays& xs) override {
    const np::ndarray& x = xs[0];
    np::ndarray y = np::pow(x, 2);
    return {y};
  }

  Arrays backward(const Arrays& gys) override {
    const np::ndarray& x = inputs[0]->data;
    np::ndarray gx = 2 * x * gys[0];
    return {gx};
  }
};

VariablePtr square(const VariablePtr& x) {
  auto f = std::make_shared<Square>();
  return (*f)({x})[0];
}

class Add : public Function {
 public:
  Arrays forward(const Arrays& xs) override {
    // Python unpacks the list into forward(x0, x1); here forward takes the list apart.
    const np::ndarray& x0 = xs[0];
    const np::ndarray& x1 = xs[1];
    np::ndarray y = x0 + x1;
    return {y};
  }

  // d(x0 + x1)/dx0 = d(x0 + x1)/dx1 = 1: both inputs get the output's gradient.
  Arrays backward(const Arrays& gys) override {
    const np::ndarray& gy = gys[0];
    return {gy, gy};
  }
};

VariablePtr add(const VariablePtr& x0, const VariablePtr& x1) {
  auto f = std::make_shared<Add>();
  return (*f)({x0, x1})[0];
}

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  auto x = std::make_shared<Variable>(np::array(2.0));
  auto y = std::make_shared<Variable>(np::array(3.0));

  // z = x^2 + y^2, so dz/dx = 2x = 4 and dz/dy = 2y = 6.
  VariablePtr z = add(square(x), square(y));
  z->backward();
  std::cout << z->data << "\n";
  std::cout << x->grad << "\n";
  std::cout << y->grad << "\n";
}
