// Step 10: testing.
//
// The framework of step 09 (Exp left out: the tests need only Square), checked by unit tests
// as the book does with unittest: here a GoogleTest program, run by ctest. The last test
// compares backpropagation with numerical differentiation on a random input.
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

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

VariablePtr square(const VariablePtr& x) {
  auto f = std::make_shared<Square>();
  return (*f)(x);
}

np::ndarray numerical_diff(const std::function<VariablePtr(const VariablePtr&)>& f,
                           const VariablePtr& x, double eps = 1e-4) {
  auto x0 = std::make_shared<Variable>(x->data - eps);
  auto x1 = std::make_shared<Variable>(x->data + eps);
  VariablePtr y0 = f(x0);
  VariablePtr y1 = f(x1);
  return (y1->data - y0->data) / (2 * eps);
}

// unittest's TestCase methods test_forward, ... become GoogleTest's TEST(SquareTest, ...).
TEST(SquareTest, Forward) {
  auto x = std::make_shared<Variable>(np::array(2.0));
  VariablePtr y = square(x);
  np::ndarray expected = np::array(4.0);
  EXPECT_TRUE(np::array_equal(y->data, expected));
}

TEST(SquareTest, Backward) {
  auto x = std::make_shared<Variable>(np::array(3.0));
  VariablePtr y = square(x);
  y->backward();
  np::ndarray expected = np::array(6.0);
  EXPECT_TRUE(np::array_equal(x->grad, expected));
}

// Gradient check: the analytic gradient must agree with the numerical one, for any input.
TEST(SquareTest, GradientCheck) {
  auto x = std::make_shared<Variable>(np::random::rand({1}));
  VariablePtr y = square(x);
  y->backward();
  np::ndarray num_grad = numerical_diff(square, x);
  bool flg = np::allclose(x->grad, num_grad);
  EXPECT_TRUE(flg);
}

// `python step10.py` prints nothing; `python -m unittest step10` runs the tests. Here the
// program runs them, and their report is chatter, so it goes to stderr: stdout stays as
// empty as the book's.
int main(int argc, char** argv) {
  dup2(STDERR_FILENO, STDOUT_FILENO);  // GoogleTest prints its report on stdout
  testing::InitGoogleTest(&argc, argv);
  steps::options(argc, argv);  // what GoogleTest did not take: nothing else is accepted
  return RUN_ALL_TESTS();
}
