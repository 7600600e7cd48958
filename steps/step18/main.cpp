// Step 18: saving memory.
//
// Two savings. backward() forgets the gradients of intermediate variables unless asked to
// keep them (retain_grad). And Config::enable_backprop switches graph recording off for
// computations that will never be differentiated, such as inference: no_grad().
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

// Python's class attribute Config.enable_backprop: a static member, one for the program.
struct Config {
  static inline bool enable_backprop = true;
};

// Python's `with using_config(name, value):` is an RAII guard in C++: it sets the value when
// it is made and puts the old value back when it goes out of scope, exceptions included.
// It names the setting itself (a reference) where Python names it by a string.
class [[nodiscard]] UsingConfig {
 public:
  UsingConfig(bool& setting, bool value) : setting_(setting), old_value_(setting) {
    setting_ = value;
  }
  ~UsingConfig() { setting_ = old_value_; }
  UsingConfig(const UsingConfig&) = delete;
  UsingConfig& operator=(const UsingConfig&) = delete;

 private:
  bool& setting_;
  bool old_value_;
};

UsingConfig using_config(bool& setting, bool value) { return UsingConfig(setting, value); }

UsingConfig no_grad() { return using_config(Config::enable_backprop, false); }

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

  // With retain_grad false only the gradients of the variables the user made are kept.
  void backward(bool retain_grad = false);  // defined below Function, which it uses

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

    if (Config::enable_backprop) {  // only then record the graph for backward
      // A function is as far from the start as its furthest input.
      generation = 0;
      for (const VariablePtr& x : inputs) generation = std::max(generation, x->generation);
      for (const VariablePtr& output : outputs) output->set_creator(shared_from_this());
      this->inputs = inputs;
      // Python's weakref.ref: the function can reach its outputs without keeping them alive.
      this->outputs.assign(outputs.begin(), outputs.end());
    }

    return outputs;
  }

  virtual Arrays forward(const Arrays& xs) = 0;
  // gys holds one gradient per output; the result holds one per input.
  virtual Arrays backward(const Arrays& gys) = 0;

  Variables inputs;
  std::vector<std::weak_ptr<Variable>> outputs;
  int generation = 0;
};

void Variable::set_creator(FunctionPtr func) {
  creator = std::move(func);
  generation = creator->generation + 1;
}

void Variable::backward(bool retain_grad) {
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
    // lock() turns a weak reference back into a strong one, as calling a Python weakref does.
    for (const auto& output : f->outputs) gys.push_back(output.lock()->grad);
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

    if (!retain_grad) {
      for (const auto& y : f->outputs) y.lock()->grad = np::ndarray();  // None
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
  auto x0 = std::make_shared<Variable>(np::array(1.0));
  auto x1 = std::make_shared<Variable>(np::array(1.0));
  VariablePtr t = add(x0, x1);
  VariablePtr y = add(x0, t);
  y->backward();
  // The intermediate gradients are gone; an undefined array prints as Python's None.
  std::cout << y->grad << " " << t->grad << "\n";
  std::cout << x0->grad << " " << x1->grad << "\n";

  // Forward passes that record no graph: each guard holds until its closing brace.
  {
    UsingConfig guard = using_config(Config::enable_backprop, false);
    auto x = std::make_shared<Variable>(np::array(2.0));
    y = square(x);
  }  // enable_backprop is true again from here

  {
    UsingConfig guard = no_grad();
    auto x = std::make_shared<Variable>(np::array(2.0));
    y = square(x);
    std::cerr << "under no_grad, y has " << (y->creator ? "a" : "no") << " creator\n";
  }
}
