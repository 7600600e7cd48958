// Step 12: functions with several inputs and outputs, easier to call.
//
// The book lets a function be called as f(x0, x1) instead of f([x0, x1]) and hands back the
// output itself when there is only one. In C++ the call is f({x0, x1}), and helpers such as
// add() take out the single output.
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
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

  // The book leaves step 10's backward here, written for one input and one output; it no
  // longer fits Function and nobody calls it, so C++ drops it until step 13 rewrites it.

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
  // Add has no backward before step 13: calling it is an error at run time, as Python's
  // NotImplementedError.
  virtual Arrays backward(const Arrays& /*gys*/) {
    throw std::logic_error("backward is not implemented");
  }

  Variables inputs;
  Variables outputs;
};

class Add : public Function {
 public:
  Arrays forward(const Arrays& xs) override {
    // Python unpacks the list into forward(x0, x1); here forward takes the list apart.
    const np::ndarray& x0 = xs[0];
    const np::ndarray& x1 = xs[1];
    np::ndarray y = x0 + x1;
    return {y};
  }
};

VariablePtr add(const VariablePtr& x0, const VariablePtr& x1) {
  auto f = std::make_shared<Add>();
  return (*f)({x0, x1})[0];
}

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  auto x0 = std::make_shared<Variable>(np::array(2));
  auto x1 = std::make_shared<Variable>(np::array(3));
  VariablePtr y = add(x0, x1);
  std::cout << y->data << "\n";
}
