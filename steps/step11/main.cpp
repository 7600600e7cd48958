// Step 11: functions with several inputs and outputs (forward).
//
// A Function now takes a list of variables and returns a list: forward receives the list of
// their arrays and returns a list of arrays. Add, the first function with two inputs, shows
// it. Backpropagation catches up in step 13.
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
    const np::ndarray& x0 = xs[0];
    const np::ndarray& x1 = xs[1];
    np::ndarray y = x0 + x1;
    return {y};  // a list with one element, Python's (y,)
  }
};

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  Variables xs = {std::make_shared<Variable>(np::array(2)),
                  std::make_shared<Variable>(np::array(3))};
  auto f = std::make_shared<Add>();
  Variables ys = (*f)(xs);
  VariablePtr y = ys[0];
  std::cout << y->data << "\n";
}
