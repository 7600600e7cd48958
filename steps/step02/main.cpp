// Step 02: functions that create variables.
//
// A Function takes a Variable, applies its forward computation to the data inside, and
// hands back the result in a new Variable. Square is the first concrete function. The
// base class only fixes the calling convention; each subclass says what forward computes.
#include <iostream>
#include <memory>
#include <typeinfo>
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

  // Python's __call__ is C++'s operator(): f(x) takes the data out, computes, wraps it up.
  Variable operator()(const Variable& input) {
    const np::ndarray& x = input.data;
    np::ndarray y = forward(x);
    Variable output(y);
    return output;
  }

  // Python raises NotImplementedError at run time; a pure virtual function makes a subclass
  // without forward a compile error instead.
  virtual np::ndarray forward(const np::ndarray& x) = 0;
};

class Square : public Function {
 public:
  np::ndarray forward(const np::ndarray& x) override { return np::pow(x, 2); }
};

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  Variable x(np::array(10));
  Square f;
  Variable y = f(x);
  std::cout << steps::type_name(typeid(y)) << "\n";  // Python's type(y)
  std::cout << y.data << "\n";
}
