// Step 09: making functions easier to use.
//
// Three conveniences: square() and exp() as plain functions, backward() that starts from
// dy/dy = 1 by itself, and a Variable that refuses data which is not an array.
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

  void backward();  // defined below Function, which it uses

  np::ndarray data;
  np::ndarray grad;
  FunctionPtr creator;  // null for a variable the user made
};

using VariablePtr = std::shared_ptr<Variable>;

// NumPy turns some results on 0-d arrays into NumPy scalars, so the book wraps them back with
// as_array. The array layer always returns arrays: here as_array has nothing left to convert.
np::ndarray as_array(np::ndarray x) { return x; }

void collect_at_exit(const FunctionPtr& f);  // below: how the cycles are freed in the end

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
    this->output = output;
    collect_at_exit(shared_from_this());
    return output;
  }

  virtual np::ndarray forward(const np::ndarray& x) = 0;
  virtual np::ndarray backward(const np::ndarray& gy) = 0;

  VariablePtr input;
  VariablePtr output;
};

// Python's garbage collector frees a function and its output once nothing else refers to
// them, though they refer to each other; C++ has no such collector. So every function is
// listed, and when the program ends the list cuts each cycle and everything is freed
// (LeakSanitizer checks it). Step 17 removes the cycle itself.
std::vector<std::weak_ptr<Function>> functions_made;
struct CutCyclesAtExit {
  ~CutCyclesAtExit() {
    for (const std::weak_ptr<Function>& f : functions_made) {
      if (FunctionPtr alive = f.lock()) alive->output.reset();
    }
  }
} cut_cycles_at_exit;
void collect_at_exit(const FunctionPtr& f) { functions_made.push_back(f); }

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
  try {
    x = std::make_shared<Variable>(1.0);  // NG: a double is not an array
  } catch (const std::invalid_argument& e) {
    // The reference stops here with Python's TypeError and exit status 1; so does this step.
    std::cerr << "TypeError: " << e.what() << "\n";
    return 1;
  }
}
