// Step 16: complex graphs, the implementation.
//
// Every variable and function gets a generation: how far it is from the inputs the user
// made. backward visits the functions from the highest generation down, so a function runs
// only once all the gradients of its outputs are complete, and each function only once.
#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_set>
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

  void set_creator(FunctionPtr func);  // defined below Function, which it uses

  void cleargrad() { grad = np::ndarray(); }  // back to None

  void backward();  // defined below Function, which it uses

  np::ndarray data;
  np::ndarray grad;
  FunctionPtr creator;
  int generation = 0;  // one more than the generation of the creator
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

    // A function is as far from the start as its furthest input.
    generation = 0;
    for (const VariablePtr& x : inputs) generation = std::max(generation, x->generation);
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
  int generation = 0;
};

void Variable::set_creator(FunctionPtr func) {
  creator = std::move(func);
  generation = creator->generation + 1;
}

void Variable::backward() {
  if (!grad.defined()) grad = np::ones_like(data);

  std::vector<FunctionPtr> funcs;
  std::unordered_set<Function*> seen_set;  // a function reached twice is queued once

  // Keeps funcs sorted by generation, so that pop takes the latest function (Python's sort
  // is stable, and so is stable_sort).
  auto add_func = [&](const FunctionPtr& f) {
    if (!seen_set.contains(f.get())) {
      funcs.push_back(f);
      seen_set.insert(f.get());
      std::ranges::stable_sort(funcs, {}, [](const FunctionPtr& g) { return g->generation; });
    }
  };

  add_func(creator);

  while (!funcs.empty()) {
    FunctionPtr f = funcs.back();
    funcs.pop_back();
    Arrays gys;
    for (const VariablePtr& output : f->outputs) gys.push_back(output->grad);
    Arrays gxs = f->backward(gys);

    // Python's zip(f.inputs, gxs): the i-th gradient belongs to the i-th input.
    for (std::size_t i = 0; i < f->inputs.size(); ++i) {
      const VariablePtr& x = f->inputs[i];
      if (!x->grad.defined()) {
        x->grad = gxs[i];
      } else {
        // A new array, not +=: x->grad may be the very array another variable holds as its
        // gradient (Add passes gy on as it is), and += would change that one too.
        x->grad = x->grad + gxs[i];
      }

      if (x->creator) add_func(x->creator);
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
  // a is used twice: a's gradient is complete only after both branches have passed theirs
  // back, which the order by generation guarantees. y = 2 x^4, dy/dx = 8 x^3 = 64.
  auto x = std::make_shared<Variable>(np::array(2.0));
  VariablePtr a = square(x);
  VariablePtr y = add(square(a), square(a));
  y->backward();

  std::cout << y->data << "\n";
  std::cout << x->grad << "\n";
}
