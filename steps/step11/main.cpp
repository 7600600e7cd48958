// Step 11: functions with several inputs and outputs (forward).
//
// A Function now takes a list of variables and returns a list: forward receives the list of
// their arrays and returns a list of arrays. Add, the first function with two inputs, shows
// it. Backpropagation catches up in step 13.
#include <cxxabi.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "np/np.hpp"
#include "step_options.hpp"

// Python's type(x) for the error message: the C++ name of a type, demangled.
template <class T>
std::string type_name() {
  const char* mangled = typeid(T).name();
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> readable(
      abi::__cxa_demangle(mangled, nullptr, nullptr, &status), &std::free);
  return status == 0 ? readable.get() : mangled;
}

class Function;
// Variables and functions refer to each other, as Python objects do, through shared_ptr.
using FunctionPtr = std::shared_ptr<Function>;

class Variable {
 public:
  // An array, or None (np::none); anything else is rejected at run time, as the book does.
  // C++ could reject it at compile time instead, with a constructor that takes only arrays.
  template <class T>
  explicit Variable([[maybe_unused]] T data) {
    if constexpr (std::is_same_v<T, np::ndarray>) {
      this->data = std::move(data);
    } else if constexpr (!std::is_same_v<T, std::nullopt_t>) {
      throw std::invalid_argument(type_name<T>() + " is not supported");
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

void collect_at_exit(const FunctionPtr& f);  // below: how the cycles are freed in the end

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
    this->outputs = outputs;
    collect_at_exit(shared_from_this());
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

// Python's garbage collector frees a function and its outputs once nothing else refers to
// them, though they refer to each other; C++ has no such collector. So every function is
// listed, and when the program ends the list cuts each cycle and everything is freed
// (LeakSanitizer checks it). Step 17 removes the cycle itself.
std::vector<std::weak_ptr<Function>> functions_made;
struct CutCyclesAtExit {
  ~CutCyclesAtExit() {
    for (const std::weak_ptr<Function>& f : functions_made) {
      if (FunctionPtr alive = f.lock()) alive->outputs.clear();
    }
  }
} cut_cycles_at_exit;
void collect_at_exit(const FunctionPtr& f) { functions_made.push_back(f); }

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
