// Step 07: automating backpropagation.
//
// Each variable now remembers its creator, the function that produced it, and each function
// its input and output: the computational graph is recorded while the forward pass runs.
// Variable::backward follows the creators back and calls each backward, recursively.
#include <iostream>
#include <memory>
#include <utility>
#include <vector>

#include "np/np.hpp"
#include "step_options.hpp"

class Function;
// Variables and functions refer to each other, as Python objects do, through shared_ptr.
using FunctionPtr = std::shared_ptr<Function>;

class Variable {
 public:
  explicit Variable(np::ndarray data) : data(std::move(data)) {}

  void set_creator(FunctionPtr func) { creator = std::move(func); }

  void backward();  // defined below Function, which it uses

  np::ndarray data;
  np::ndarray grad;
  FunctionPtr creator;  // null for a variable the user made
};

using VariablePtr = std::shared_ptr<Variable>;

// enable_shared_from_this lets a function hand its outputs a shared_ptr to itself.
class Function : public std::enable_shared_from_this<Function> {
 public:
  virtual ~Function() = default;

  VariablePtr operator()(const VariablePtr& input) {
    const np::ndarray& x = input->data;
    np::ndarray y = forward(x);
    auto output = std::make_shared<Variable>(y);
    output->set_creator(shared_from_this());  // the output remembers its parent function
    this->input = input;
    // The function also keeps its output: output and creator now point at each other, a
    // reference cycle that keeps both alive. Python's garbage collector frees such cycles;
    // C++ has none, so here they live until the program ends, as the book's snapshots keep
    // them until step 17 breaks them (steps/CMakeLists.txt tells the leak checker so).
    this->output = output;
    return output;
  }

  virtual np::ndarray forward(const np::ndarray& x) = 0;
  virtual np::ndarray backward(const np::ndarray& gy) = 0;

  VariablePtr input;
  VariablePtr output;
};

void Variable::backward() {
  FunctionPtr f = creator;  // 1. the function that made this variable
  if (f) {
    VariablePtr x = f->input;     // 2. that function's input
    x->grad = f->backward(grad);  // 3. one step of the chain rule
    x->backward();                // and on, recursively, from that input
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

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  // Functions are shared too now: their outputs hold on to them as creator.
  auto A = std::make_shared<Square>();
  auto B = std::make_shared<Exp>();
  auto C = std::make_shared<Square>();

  auto x = std::make_shared<Variable>(np::array(0.5));
  VariablePtr a = (*A)(x);
  VariablePtr b = (*B)(a);
  VariablePtr y = (*C)(b);

  // One call replaces the three hand-written backward calls of step 06.
  y->grad = np::array(1.0);
  y->backward();
  std::cout << x->grad << "\n";
}
