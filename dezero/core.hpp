// dezero/core: Variable, Function, Config and the arithmetic operators (the book's core.py).
//
// A Variable is a cheap handle: copies share one node, as Python names share one object, so
// `auto y = x;` is `y = x`. A default-constructed Variable is None. A Function holds its
// inputs strongly and its outputs weakly, so a graph is owned by the variables that can
// still reach it and frees itself when the last of them goes.
#pragma once

#include <algorithm>
#include <atomic>
#include <concepts>
#include <cstddef>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <typeinfo>
#include <utility>
#include <vector>

#include "np/np.hpp"
#include "np/pool.hpp"

namespace dezero {

// ===================================== Config ===============================================
// Global switches, as the class attributes of the book's Config.
struct Config {
  static inline bool enable_backprop = true;  // record graphs during forward passes
  static inline bool train = true;            // training-time behaviour (dropout, batch norm)
};

// Python's `with using_config(name, value):` is a guard object in C++: the old value comes
// back when the guard goes out of scope, also when an exception leaves the scope.
class [[nodiscard]] ConfigGuard {
 public:
  ConfigGuard(bool& flag, bool value) : flag_(flag), old_(flag) { flag_ = value; }
  ~ConfigGuard() { flag_ = old_; }
  ConfigGuard(const ConfigGuard&) = delete;
  ConfigGuard& operator=(const ConfigGuard&) = delete;

 private:
  bool& flag_;
  bool old_;
};

// using_config("enable_backprop", false) or using_config("train", false); another name
// throws std::invalid_argument.
ConfigGuard using_config(std::string_view name, bool value);
// { auto guard = dezero::no_grad(); ... } builds no graph inside the braces.
ConfigGuard no_grad();
// { auto guard = dezero::test_mode(); ... } switches dropout and batch norm to inference.
ConfigGuard test_mode();

// ===================================== Variable =============================================
class Function;
class Variable;

// The book's keyword arguments of backward, by name: y.backward({.retain_grad = true}),
// y.backward({.create_graph = true}).
struct BackwardOptions {
  bool retain_grad = false;   // keep the gradients of intermediate variables too
  bool create_graph = false;  // record the backward pass (higher-order derivatives)
};

// Observers of backward: functions that every Variable::backward calls when it has finished,
// with the variable it started from and its options. The DEZERO_GRAPH recorder of
// dezero/utils is one (it installs itself); without any, backward tests an empty list.
// While one is installed, backward computes every gradient (Function::needs_input_grad).
using BackwardObserver = void (*)(const Variable& output, const BackwardOptions& options);
void add_backward_observer(BackwardObserver observer);
void remove_backward_observer(BackwardObserver observer);

namespace detail {
// What a Python Variable object holds; Variable handles share one node.
struct VariableNode {
  np::ndarray data;
  // Few variables have a name, and a graph has a node for every value: the string lives on
  // the heap only once one is given (32 bytes less for each of the others).
  std::unique_ptr<std::string> name;
  std::shared_ptr<VariableNode> grad;  // the gradient, itself a Variable's node (or None)
  std::shared_ptr<Function> creator;
  int generation = 0;
  // A number or array that an operator turned into a Variable (the 2 in 2 * x): nobody can
  // reach it to read its gradient, so backward does not store one (see constant()).
  bool constant = false;

  static inline std::int64_t alive = 0;  // live nodes, for tests that watch memory
  VariableNode() { ++alive; }
  // Frees the graph behind this node without recursion (see core.cpp).
  ~VariableNode();
  VariableNode(const VariableNode&) = delete;
  VariableNode& operator=(const VariableNode&) = delete;
};
// The outputs a Function holds weakly. Nearly every function has one, which is kept inline:
// a graph of 100 000 operations then makes 100 000 fewer allocations.
// (The others, rarely any, go to a list on the heap, which costs the node one pointer.)
class OutputList {
 public:
  std::size_t size() const { return size_; }
  const std::weak_ptr<VariableNode>& operator[](std::size_t i) const {
    return i == 0 ? first_ : (*rest_)[i - 1];
  }
  void clear() {
    first_.reset();
    rest_.reset();
    size_ = 0;
  }
  void push_back(std::weak_ptr<VariableNode> node) {
    if (size_ == 0) {
      first_ = std::move(node);
    } else {
      if (!rest_) rest_ = std::make_unique<std::vector<std::weak_ptr<VariableNode>>>();
      rest_->push_back(std::move(node));
    }
    ++size_;
  }

 private:
  std::weak_ptr<VariableNode> first_;
  std::unique_ptr<std::vector<std::weak_ptr<VariableNode>>> rest_;
  std::uint32_t size_ = 0;
};
}  // namespace detail

class Variable {
 public:
  // None: no node at all (Python's `x.grad is None`).
  Variable() = default;
  // A variable holding an array. Implicit, so that an array can be passed wherever a Variable
  // is expected, as the book's functions accept ndarrays (Python's as_variable).
  Variable(np::ndarray data, std::string name = {});
  // Python raises TypeError for Variable(1.0); C++ refuses it while compiling.
  template <np::Scalar T>
  Variable(T) {
    static_assert(sizeof(T) == 0,
                  "Variable: a C++ number is not supported; wrap it in an array: "
                  "Variable(np::array(1.0))");
  }

  // True unless this handle is None.
  explicit operator bool() const { return static_cast<bool>(node_); }

  // Fields of the node: the data as an assignable reference, x.data() -= lr * x.grad().data();
  np::ndarray& data() const { return node().data; }
  // The name, read without a copy (empty when none was given), and set: x.set_name("x") is the
  // book's x.name = 'x'.
  const std::string& name() const;
  void set_name(std::string name) const;
  Variable grad() const;
  void set_grad(const Variable& grad) const;
  std::shared_ptr<Function> creator() const { return node().creator; }
  int generation() const { return node().generation; }

  // Forwarded to the data, as the book's properties.
  const np::Shape& shape() const { return data().shape(); }
  int ndim() const { return data().ndim(); }
  std::int64_t size() const { return data().size(); }
  np::DType dtype() const { return data().dtype(); }
  std::int64_t len() const { return data().len(); }  // Python's len(x)
  // The one number a one-element variable holds, as a double: the book's float(loss.data).
  double item() const { return data().item<double>(); }

  void set_creator(std::shared_ptr<Function> func) const;
  void unchain() const { node().creator.reset(); }
  void cleargrad() const { node().grad.reset(); }
  // Moves the data to host memory / to the GPU (dezero/cuda.hpp). Without a GPU, to_gpu()
  // keeps the data on the CPU and says so once on stderr.
  void to_cpu() const;
  void to_gpu() const;

  // Reverse-mode differentiation from this variable. With create_graph the backward pass is
  // itself recorded, so gradients can be differentiated again (higher-order derivatives).
  void backward(BackwardOptions options = {}) const;
  // Cuts the graph above every variable upstream (truncated backpropagation through time).
  void unchain_backward() const;

  // Python's methods that call dezero.functions.
  Variable reshape(const np::Shape& shape) const;
  Variable transpose() const;
  Variable transpose(const std::vector<int>& axes) const;
  Variable T() const { return transpose(); }
  Variable sum(np::Axes axes = np::none, bool keepdims = false) const;
  Variable matmul(const Variable& w) const;
  Variable dot(const Variable& w) const { return matmul(w); }
  Variable max(np::Axes axes = np::none, bool keepdims = false) const;
  Variable min(np::Axes axes = np::none, bool keepdims = false) const;

  // Python's x[...] (functions::get_item): x[1], x[{np::slice(1, 3)}], x[{np::slice(), 2}],
  // x[{np::arange(N), t}], x[index_array]. Differentiable; the gradient scatter-adds back.
  Variable operator[](std::int64_t index) const;
  Variable operator[](const np::ndarray& index) const;
  Variable operator[](const np::Indices& indices) const;

  // Identity of the node, for seen-sets and graph drawings (Python's id()).
  const void* id() const { return node_.get(); }
  bool is(const Variable& other) const { return node_ == other.node_; }

 protected:
  explicit Variable(std::shared_ptr<detail::VariableNode> node) : node_(std::move(node)) {}
  detail::VariableNode& node() const;

 private:
  friend class Function;
  friend struct detail::VariableNode;
  friend Variable constant(np::ndarray value);
  std::shared_ptr<detail::VariableNode> node_;
};

// A Variable that a Layer owns and an Optimizer updates. Only the type differs.
class Parameter : public Variable {
 public:
  Parameter() = default;
  explicit Parameter(np::ndarray data, std::string name = {})
      : Variable(std::move(data), std::move(name)) {}
};

// print(x): `variable(...)` around NumPy's str of the data, continuation lines indented by
// nine spaces; `variable(None)` for a variable without data, and `None` for a None handle.
std::ostream& operator<<(std::ostream& os, const Variable& x);

// The other operand of an operator, when it is a number or an array: a Variable marked as
// a constant. The book stores gradients for such operands too, but nothing can read them, and
// with create_graph they would form reference cycles (the gradient of the 2 in 2 * x refers
// to x, whose gradient refers to the 2) that reference counting never frees.
Variable constant(np::ndarray value);

inline Variable as_variable(const Variable& x) { return x; }
inline Variable as_variable(const np::ndarray& x) { return Variable(x); }
template <np::Scalar T>
np::ndarray as_array(T x) {
  return np::ndarray(x);
}
inline np::ndarray as_array(const np::ndarray& x) { return x; }

// ===================================== Function =============================================
// The lists a Function takes and returns. A graph makes several of them per operation, so
// their storage comes from the pool of small blocks (np/pool.hpp) rather than the C
// library's allocator; otherwise they are std::vectors.
using Arrays = std::vector<np::ndarray, np::pool::Allocator<np::ndarray>>;
using Variables = std::vector<Variable, np::pool::Allocator<Variable>>;

// Base class of every operation in a graph. forward works on arrays, backward on Variables,
// so that backward passes are made of differentiable operations too.
//
// Three ways to write one, as the book writes them:
//   - UnaryFunction: one input, one output (Sin, Exp, Sum, ...): the book's forward(self, x)
//     and backward(self, gy), with x() and output() for its self.inputs[0] and
//     self.outputs[0]();
//   - BinaryFunction: two inputs, one output (Add, Mul, MatMul, ...): forward(x0, x1), and a
//     backward(gy) that returns the two gradients {gx0, gx1}, with x0() and x1();
//   - Function itself, for any number of inputs and outputs: forward(xs) on a list of arrays
//     and backward(gys) on a list of gradients (the book's *xs and *gys).
// The first two are written with the general one, so the graph machinery sees only Function.
//
// Functions live in std::shared_ptr (their outputs own them as creator); they are applied to
// variables with call<F>(...) (one output) or call_all<F>(...) (any number), below.
class Function {
 public:
  virtual ~Function() { --alive; }
  Function() { ++alive; }
  Function(const Function&) = delete;
  Function& operator=(const Function&) = delete;

  virtual Arrays forward(const Arrays& xs) = 0;
  virtual Variables backward(const Variables& gys) = 0;
  // What kind of node this is, as the book's graphs show it (its __class__.__name__): the
  // class name without namespaces, "Add", "Sin", "MatMul", ... Layers and optimizers answer
  // type() too; a `name` is always a label someone gave (Variable::name).
  virtual std::string type() const;

  int generation() const { return generation_; }
  const Variables& inputs() const { return inputs_; }
  const Variable& input(std::size_t i) const { return inputs_.at(i); }
  // The outputs that are still alive (None for one that has gone).
  Variables outputs() const;
  // The i-th output, reached through the weak reference (None when it has gone).
  Variable output(std::size_t i) const;
  // Identity, for seen-sets and graph drawings.
  const void* id() const { return this; }

  // Whether backward must give input i a gradient (PyTorch's ctx.needs_input_grad). Not when
  // nothing can ever read it: a constant operand (the 2 in 2 * x), or an array the call wrapped
  // in a Variable that no one else holds (the batch x in model(x)): the book computes those
  // gradients and drops them. backward may skip them (the products and convolutions do, a
  // third of an MLP's work); whatever it returns for them is dropped. True outside backward.
  bool needs_input_grad(std::size_t i) const {
    return i >= 32 || ((unread_grads_ >> i) & 1u) == 0;
  }

  static inline std::int64_t alive = 0;  // live functions, for tests that watch memory

 protected:
  friend struct detail::VariableNode;
  friend class Variable;
  friend class GraphWalk;
  template <class F, class... Args>
  friend Variables call_all(Variables inputs, Args&&... args);
  // Python's __call__: runs forward on the inputs' data and, when Config::enable_backprop,
  // links the outputs to this function. `self` owns this function (call<F> made it): the
  // last output takes that reference over, so no count is updated twice per operation.
  // (inputs by value: a graph node keeps them, and the list built at the call is moved there)
  Variables apply(Variables inputs, std::shared_ptr<Function> self);
  Arrays forward_named(const Arrays& xs);
  int generation_ = 0;
  std::uint32_t unread_grads_ = 0;  // bit i: input i's gradient cannot be read (backward only)
  std::uint64_t visit_mark_ = 0;    // the GraphWalk that last queued this function
  Variables inputs_;
  detail::OutputList outputs_;
};

// One input, one output: the book's `def forward(self, x)` and `def backward(self, gy)`.
// The accessors carry the book's own names: x() is what `x, = self.inputs` gives, output()
// what `self.outputs[0]()` gives (a Variable made from the weak reference, no list built).
class UnaryFunction : public Function {
 public:
  virtual np::ndarray forward(const np::ndarray& x) = 0;
  virtual Variable backward(const Variable& gy) = 0;

  const Variable& x() const { return inputs_[0]; }
  Variable output() const { return Function::output(0); }
  using Function::output;

  // The general form, which the graph machinery calls: the one array in, the one out.
  Arrays forward(const Arrays& xs) final { return {forward(xs[0])}; }
  Variables backward(const Variables& gys) final { return {backward(gys[0])}; }
};

// Two inputs, one output: `def forward(self, x0, x1)` and a backward returning gx0, gx1
// (either may be None: a label gets no gradient). x0() and x1() are `x0, x1 = self.inputs`.
class BinaryFunction : public Function {
 public:
  using Gradients = std::pair<Variable, Variable>;
  virtual np::ndarray forward(const np::ndarray& x0, const np::ndarray& x1) = 0;
  virtual Gradients backward(const Variable& gy) = 0;

  const Variable& x0() const { return inputs_[0]; }
  const Variable& x1() const { return inputs_[1]; }
  Variable output() const { return Function::output(0); }
  using Function::output;

  Arrays forward(const Arrays& xs) final { return {forward(xs[0], xs[1])}; }
  Variables backward(const Variables& gys) final {
    auto [gx0, gx1] = backward(gys[0]);
    return {std::move(gx0), std::move(gx1)};
  }
};

namespace detail {
// The class name of a dynamic type without its namespaces: "Sin", "TwoLayerNet".
std::string class_name(const std::type_info& type);
// call<F>'s error for a general Function that gave another number of outputs than one.
[[noreturn]] void throw_output_count(const Variables& outputs);
}  // namespace detail

// A function of the first two kinds has one output, which the compiler knows.
template <class F>
concept SingleOutputFunction = std::derived_from<F, UnaryFunction> ||
                               std::derived_from<F, BinaryFunction>;

// Python's `F(args...)(x0, x1, ...)` returning every output, for a function that has several:
// call_all<Split>({x}, 3) makes a Split(3) and applies it to x.
template <class F, class... Args>
Variables call_all(Variables inputs, Args&&... args) {
  static_assert(std::derived_from<F, Function>, "call_all<F>: F must be a dezero::Function");
  if (!Config::enable_backprop) {
    // No graph is recorded (no_grad, or a backward pass without create_graph): nothing keeps
    // the function afterwards, so it need not live on the heap.
    F f(std::forward<Args>(args)...);
    return f.apply(std::move(inputs), nullptr);
  }
  // The node comes from the pool of small blocks (np/pool.hpp), as the nodes of its outputs.
  auto f = std::allocate_shared<F>(np::pool::Allocator<F>{}, std::forward<Args>(args)...);
  Function& function = *f;
  return function.apply(std::move(inputs), std::move(f));
}

// The same for a function with one output, which is returned: call<Sum>({x}, axes, keepdims)
// makes a Sum(axes, keepdims) and applies it to x. For a UnaryFunction or BinaryFunction the
// count is known while compiling; a general Function's is checked when it runs.
template <class F, class... Args>
Variable call(Variables inputs, Args&&... args) {
  Variables outputs = call_all<F>(std::move(inputs), std::forward<Args>(args)...);
  if constexpr (!SingleOutputFunction<F>) {
    if (outputs.size() != 1) detail::throw_output_count(outputs);
  }
  return std::move(outputs[0]);
}

// ===================================== graph walks ==========================================
// The functions of the graph that leads to a variable, each taken once, from its creator
// towards the inputs: the one walk behind backward, unchain_backward, the graph drawings
// (utils::get_dot_graph) and the DEZERO_GRAPH recorder. Whoever takes a function queues the
// creators it goes on to:
//   GraphWalk walk(GraphWalk::Order::generation);
//   walk.add(y.creator());
//   while (const auto f = walk.next()) {
//     for (const Variable& x : f->inputs()) walk.add(x.creator());
//   }
// Order::generation is backward's: the latest generation first, and among equals the function
// queued last (as the book's stable sort). Order::lifo takes the one queued last, unsorted (the
// book's get_dot_graph). A function is queued once per walk: add() marks it with the walk's
// number (cheaper than a set of addresses, which dominated the backward pass of a graph of
// 100 000 nodes), so two walks over the same functions must not run interleaved.
class GraphWalk {
 public:
  enum class Order { generation, lifo };
  explicit GraphWalk(Order order) : order_(order), pass_(++passes_) {}

  // Queues f, unless it is None or this walk has queued it before.
  void add(const std::shared_ptr<Function>& f) {
    if (!f || f->visit_mark_ == pass_) return;
    f->visit_mark_ = pass_;
    if (order_ == Order::lifo) {
      funcs_.push_back(f);
      return;
    }
    const auto pos = std::upper_bound(
        funcs_.begin(), funcs_.end(), f->generation(),
        [](int g, const std::shared_ptr<Function>& other) { return g < other->generation(); });
    funcs_.insert(pos, f);
  }

  // The next function to take, or None when the walk is over.
  std::shared_ptr<Function> next() {
    if (funcs_.empty()) return nullptr;
    std::shared_ptr<Function> f = std::move(funcs_.back());
    funcs_.pop_back();
    return f;
  }

 private:
  static inline std::atomic<std::uint64_t> passes_{0};
  Order order_;
  std::uint64_t pass_;
  std::vector<std::shared_ptr<Function>> funcs_;  // the next one at the back
};

// ===================================== arithmetic ===========================================
// The input shapes of an Add or Sub, kept for the backward pass only when the forward pass
// broadcast (with equal shapes the gradients are gy itself). They cannot be read from the
// inputs then: linear_simple frees its product's data.
class BroadcastShapes {
 public:
  void record(const np::Shape& x0, const np::Shape& x1) {
    if (x0 == x1)
      shapes_.reset();
    else
      shapes_ = std::make_unique<std::pair<np::Shape, np::Shape>>(x0, x1);
  }
  bool broadcast() const { return static_cast<bool>(shapes_); }
  const np::Shape& x0() const { return shapes_->first; }
  const np::Shape& x1() const { return shapes_->second; }

 private:
  std::unique_ptr<std::pair<np::Shape, np::Shape>> shapes_;
};

class Add : public BinaryFunction {
 public:
  np::ndarray forward(const np::ndarray& x0, const np::ndarray& x1) override;
  Gradients backward(const Variable& gy) override;

 private:
  BroadcastShapes shapes_;
};

class Mul : public BinaryFunction {
 public:
  np::ndarray forward(const np::ndarray& x0, const np::ndarray& x1) override;
  Gradients backward(const Variable& gy) override;
};

class Neg : public UnaryFunction {
 public:
  np::ndarray forward(const np::ndarray& x) override;
  Variable backward(const Variable& gy) override;
};

class Sub : public BinaryFunction {
 public:
  np::ndarray forward(const np::ndarray& x0, const np::ndarray& x1) override;
  Gradients backward(const Variable& gy) override;

 private:
  BroadcastShapes shapes_;
};

class Div : public BinaryFunction {
 public:
  np::ndarray forward(const np::ndarray& x0, const np::ndarray& x1) override;
  Gradients backward(const Variable& gy) override;
};

// x ** c for a constant c (c is not differentiated).
class Pow : public UnaryFunction {
 public:
  explicit Pow(np::ndarray c) : c_(std::move(c)) {}
  np::ndarray forward(const np::ndarray& x) override;
  Variable backward(const Variable& gy) override;

 private:
  np::ndarray c_;
};

Variable add(const Variable& x0, const Variable& x1);
Variable mul(const Variable& x0, const Variable& x1);
Variable neg(const Variable& x);
Variable sub(const Variable& x0, const Variable& x1);
Variable rsub(const Variable& x0, const Variable& x1);  // x1 - x0
Variable div(const Variable& x0, const Variable& x1);
Variable rdiv(const Variable& x0, const Variable& x1);  // x1 / x0
// x ** c: pow(x, 2), pow(x, 0.5); an integer c keeps integer data integer, as in NumPy.
Variable pow(const Variable& x, const np::ndarray& c);

// The operators with a Variable on either side and a Variable, an array or a number on the
// other. As in the book, `number op x` is x's reflected operator: 2 * x is mul(x, 2) and
// 2 - x is rsub(x, 2), so graphs list the Variable first. The Variable side is a template
// parameter so that arrays are never converted into Variables here: `array - 1` stays
// NumPy arithmetic.
template <class V>
concept VariableType = std::derived_from<V, Variable>;

#define DEZERO_BINARY_OPERATOR(OP, FN, RFN)                \
  template <VariableType A, VariableType B>                \
  Variable operator OP(const A& a, const B& b) {           \
    return FN(a, b);                                       \
  }                                                        \
  template <VariableType A>                                \
  Variable operator OP(const A& a, const np::ndarray& b) { \
    return FN(a, constant(b));                             \
  }                                                        \
  template <VariableType B>                                \
  Variable operator OP(const np::ndarray& a, const B& b) { \
    return RFN(b, constant(a));                            \
  }                                                        \
  template <VariableType A, np::Scalar T>                  \
  Variable operator OP(const A& a, T b) {                  \
    return FN(a, constant(np::ndarray(b)));                \
  }                                                        \
  template <np::Scalar T, VariableType B>                  \
  Variable operator OP(T a, const B& b) {                  \
    return RFN(b, constant(np::ndarray(a)));               \
  }                                                        \
  template <class T>                                       \
  Variable& operator OP##=(Variable& a, const T& b) {      \
    return a = a OP b;                                     \
  }

DEZERO_BINARY_OPERATOR(+, add, add)
DEZERO_BINARY_OPERATOR(*, mul, mul)
DEZERO_BINARY_OPERATOR(-, sub, rsub)
DEZERO_BINARY_OPERATOR(/, div, rdiv)
#undef DEZERO_BINARY_OPERATOR

template <VariableType V>
Variable operator-(const V& x) {
  return neg(x);
}

}  // namespace dezero
