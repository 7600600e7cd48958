#include "dezero/core.hpp"

#include <cxxabi.h>

#include <algorithm>
#include <ostream>
#include <stdexcept>

#include "dezero/functions.hpp"

namespace dezero {

// ===================================== Config ===============================================

ConfigGuard using_config(std::string_view name, bool value) {
  if (name == "enable_backprop") return ConfigGuard(Config::enable_backprop, value);
  if (name == "train") return ConfigGuard(Config::train, value);
  throw std::invalid_argument("using_config: Config has no attribute '" + std::string(name) +
                              "' (known: enable_backprop, train)");
}

ConfigGuard no_grad() { return using_config("enable_backprop", false); }
ConfigGuard test_mode() { return using_config("train", false); }

// ===================================== Variable =============================================

// A graph is a chain of owners: output node -> creator -> input nodes -> their creators ...
// Letting shared_ptr free it would nest one destructor call per link, and a graph of 100 000
// operations would overflow the stack. So a dying node unlinks the part of the graph that
// only it owned with an explicit work list (what CPython's "trashcan" does for the book).
detail::VariableNode::~VariableNode() {
  --alive;
  if (!creator || creator.use_count() != 1) return;
  std::vector<std::shared_ptr<Function>> pending{std::move(creator)};
  while (!pending.empty()) {
    const std::shared_ptr<Function> f = std::move(pending.back());
    pending.pop_back();
    if (f.use_count() != 1) continue;  // still used elsewhere: dropping our reference is enough
    for (auto& x : f->inputs_) {
      std::shared_ptr<VariableNode> node = std::move(x.node_);
      if (node && node.use_count() == 1 && node->creator && node->creator.use_count() == 1) {
        pending.push_back(std::move(node->creator));
      }
    }  // each input node dies here with its creator already taken: no recursion
  }
}

Variable::Variable(np::ndarray data, std::string name)
    : node_(std::allocate_shared<detail::VariableNode>(np::pool::Allocator<detail::VariableNode>{})) {
  node_->data = std::move(data);
  if (!name.empty()) node_->name = std::make_unique<std::string>(std::move(name));
}

const std::string& Variable::name() const {
  static const std::string none;  // the unnamed share one empty string
  const auto& name = node().name;
  return name ? *name : none;
}

void Variable::set_name(std::string name) const {
  auto& held = node().name;
  if (name.empty()) {
    held.reset();
  } else if (held) {
    *held = std::move(name);
  } else {
    held = std::make_unique<std::string>(std::move(name));
  }
}

Variable constant(np::ndarray value) {
  Variable v(std::move(value));
  v.node().constant = true;
  return v;
}

detail::VariableNode& Variable::node() const {
  if (!node_) throw std::logic_error("Variable: this variable is None");
  return *node_;
}

Variable Variable::grad() const { return Variable(node().grad); }
void Variable::set_grad(const Variable& grad) const { node().grad = grad.node_; }

void Variable::set_creator(std::shared_ptr<Function> func) const {
  node().generation = func->generation() + 1;
  node().creator = std::move(func);
}

namespace {
// (constinit: filled by other files' static initialisers, whatever their order)
constinit std::vector<BackwardObserver> backward_observers;
}  // namespace

void add_backward_observer(BackwardObserver observer) { backward_observers.push_back(observer); }
void remove_backward_observer(BackwardObserver observer) {
  std::erase(backward_observers, observer);
}

void Variable::backward(BackwardOptions options) const {
  const auto [retain_grad, create_graph] = options;
  // The seed is a constant: a gradient with respect to it would only tie the graphs of
  // successive create_graph passes into cycles.
  if (!node().grad) set_grad(constant(np::ones_like(data())));

  // Functions wait in a list sorted by generation; the latest generation, and among equals
  // the one added last (as with Python's stable sort), is processed next.
  GraphWalk walk(GraphWalk::Order::generation);
  walk.add(node().creator);

  // Whether the gradient of an input can never be read, so that backward need not compute
  // it: a constant, or a variable without a creator that only this list holds (an array the
  // call wrapped; a program that keeps the Variable keeps its gradient). While an observer
  // watches (DEZERO_GRAPH draws every gradient), only constants are skipped.
  const bool observed = !backward_observers.empty();
  auto unreadable_grad = [observed](const Variables& inputs, std::size_t i) {
    const std::shared_ptr<detail::VariableNode>& node = inputs[i].node_;
    if (node->constant) return true;
    if (observed || node->creator) return false;
    long holders = 0;
    for (const Variable& x : inputs) holders += x.node_ == node ? 1 : 0;
    return node.use_count() == holders;
  };

  while (const std::shared_ptr<Function> f = walk.next()) {
    Variables gys;
    gys.reserve(f->outputs_.size());
    for (std::size_t k = 0; k < f->outputs_.size(); ++k) {
      const std::shared_ptr<detail::VariableNode> y = f->outputs_[k].lock();
      if (!y || !y->grad) {
        throw std::logic_error("backward: an output of " + f->type() + " has no gradient");
      }
      gys.push_back(Variable(y->grad));
    }
    const Variables& inputs = f->inputs();
    std::uint32_t unread = 0;
    for (std::size_t i = 0; i < inputs.size() && i < 32; ++i) {
      if (unreadable_grad(inputs, i)) unread |= 1u << i;
    }
    // When no input's gradient can be read, the function's backward is not run at all.
    if (inputs.size() >= 32 || unread != (1u << inputs.size()) - 1) {
      // The backward pass is recorded only when asked for (higher-order derivatives).
      const ConfigGuard guard(Config::enable_backprop, create_graph);
      // needs_input_grad tells backward which inputs need a gradient, and is true again after
      struct ResetOnExit {
        Function& f;
        ~ResetOnExit() { f.unread_grads_ = 0; }
      } reset{*f};
      f->unread_grads_ = unread;
      const Variables gxs = f->backward(gys);
      if (gxs.size() != inputs.size()) {
        throw std::logic_error("backward: " + f->type() + " returned " +
                               std::to_string(gxs.size()) + " gradients for " +
                               std::to_string(inputs.size()) + " inputs");
      }
      for (std::size_t i = 0; i < inputs.size(); ++i) {
        const Variable& x = inputs[i];
        // An unreadable gradient is not kept (see unreadable_grad); None is no gradient
        // (labels, for example).
        if (x.node().constant || !f->needs_input_grad(i) || !gxs[i]) continue;
        // The first gradient is shared, later ones are added into a new variable (never in
        // place), exactly as x.grad = x.grad + gx in the book.
        auto& grad = x.node().grad;
        grad = grad ? (Variable(grad) + gxs[i]).node_ : gxs[i].node_;
        walk.add(x.node().creator);
      }
    }
    if (!retain_grad) {
      for (std::size_t k = 0; k < f->outputs_.size(); ++k) {
        if (const auto y = f->outputs_[k].lock()) y->grad.reset();
      }
    }
  }
  for (const BackwardObserver observer : backward_observers) observer(*this, options);
}

void Variable::unchain_backward() const {
  GraphWalk walk(GraphWalk::Order::lifo);
  walk.add(node().creator);
  while (const auto f = walk.next()) {
    for (const auto& x : f->inputs()) {
      if (x.creator()) {
        walk.add(x.creator());
        x.unchain();
      }
    }
  }
}

Variable Variable::reshape(const np::Shape& shape) const {
  return functions::reshape(*this, shape);
}
Variable Variable::transpose() const { return functions::transpose(*this); }
Variable Variable::transpose(const std::vector<int>& axes) const {
  return functions::transpose(*this, axes);
}
Variable Variable::sum(np::Axes axes, bool keepdims) const {
  return functions::sum(*this, std::move(axes), keepdims);
}
Variable Variable::matmul(const Variable& w) const { return functions::matmul(*this, w); }
Variable Variable::max(np::Axes axes, bool keepdims) const {
  return functions::max(*this, std::move(axes), keepdims);
}
Variable Variable::min(np::Axes axes, bool keepdims) const {
  return functions::min(*this, std::move(axes), keepdims);
}
Variable Variable::operator[](std::int64_t index) const {
  return functions::get_item(*this, {np::Index(index)});
}
Variable Variable::operator[](const np::ndarray& index) const {
  return functions::get_item(*this, {np::Index(index)});
}
Variable Variable::operator[](const np::Indices& indices) const {
  return functions::get_item(*this, indices);
}

std::ostream& operator<<(std::ostream& os, const Variable& x) {
  if (!x) return os << "None";
  if (!x.data().defined()) return os << "variable(None)";
  std::string text = np::str(x.data());
  std::string indented;
  for (char c : text) {
    indented += c;
    if (c == '\n') indented += std::string(9, ' ');
  }
  return os << "variable(" << indented << ")";
}

// ===================================== Function =============================================

Variables Function::apply(Variables inputs, std::shared_ptr<Function> self) {
  Arrays xs;
  xs.reserve(inputs.size());
  for (const auto& x : inputs) xs.push_back(x.data());
  Arrays ys = forward_named(xs);
  Variables outputs;
  outputs.reserve(ys.size());
  for (auto& y : ys) outputs.emplace_back(std::move(y));

  if (Config::enable_backprop) {
    generation_ = 0;
    for (const auto& x : inputs) generation_ = std::max(generation_, x.generation());
    if (!self) {
      throw std::logic_error(type() +
                             ": a graph is recorded only for a Function that call<F> "
                             "or call_all<F> made (its outputs keep it as their creator)");
    }
    inputs_ = std::move(inputs);
    // (the last output takes the caller's reference over)
    for (std::size_t k = 0; k + 1 < outputs.size(); ++k) outputs[k].set_creator(self);
    if (!outputs.empty()) outputs.back().set_creator(std::move(self));
    outputs_.clear();
    for (const auto& y : outputs) outputs_.push_back(y.node_);
  }
  return outputs;
}

// An error of the array layer inside forward names the array operation ("dot: shapes ...");
// the Function's name is put in front, so that the message also says which graph node failed.
Arrays Function::forward_named(const Arrays& xs) {
  try {
    return forward(xs);
  } catch (const np::shape_error& e) {
    throw np::shape_error(type() + ": " + e.what());
  } catch (const np::axis_error& e) {
    throw np::axis_error(type() + ": " + e.what());
  } catch (const np::dtype_error& e) {
    throw np::dtype_error(type() + ": " + e.what());
  } catch (const np::index_error& e) {
    throw np::index_error(type() + ": " + e.what());
  }
}

std::string detail::class_name(const std::type_info& type) {
  int status = 0;
  const std::unique_ptr<char, void (*)(void*)> demangled(
      abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), std::free);
  std::string name = status == 0 && demangled ? demangled.get() : type.name();
  if (const auto colon = name.rfind("::"); colon != std::string::npos) name.erase(0, colon + 2);
  return name;
}

std::string Function::type() const { return detail::class_name(typeid(*this)); }

Variable Function::output(std::size_t i) const {
  if (i >= outputs_.size()) {
    throw std::out_of_range(type() + ": output " + std::to_string(i) + " of " +
                            std::to_string(outputs_.size()));
  }
  return Variable(outputs_[i].lock());
}

void detail::throw_output_count(const Variables& outputs) {
  const std::string who =
      !outputs.empty() && outputs[0].creator() ? outputs[0].creator()->type() : "a function";
  throw std::logic_error("call<F>: " + who + " gave " + std::to_string(outputs.size()) +
                         " outputs where one was expected; call_all<F> returns them all");
}

Variables Function::outputs() const {
  Variables out;
  out.reserve(outputs_.size());
  for (std::size_t k = 0; k < outputs_.size(); ++k) out.push_back(Variable(outputs_[k].lock()));
  return out;
}

// ===================================== arithmetic ===========================================
// Backward passes are written with Variable operations, so that with create_graph they
// become part of the graph and can be differentiated again.

np::ndarray Add::forward(const np::ndarray& x0, const np::ndarray& x1) {
  shapes_.record(x0.shape(), x1.shape());
  return x0 + x1;
}

Add::Gradients Add::backward(const Variable& gy) {
  Variable gx0 = gy, gx1 = gy;
  if (shapes_.broadcast()) {  // the forward pass broadcast one of them
    if (needs_input_grad(0)) gx0 = functions::sum_to(gx0, shapes_.x0());
    if (needs_input_grad(1)) gx1 = functions::sum_to(gx1, shapes_.x1());
  }
  return {gx0, gx1};
}

np::ndarray Mul::forward(const np::ndarray& x0, const np::ndarray& x1) { return x0 * x1; }

Mul::Gradients Mul::backward(const Variable& gy) {
  const bool broadcast = !(x0().shape() == x1().shape());
  Variable gx0, gx1;
  if (needs_input_grad(0)) {
    gx0 = gy * x1();
    if (broadcast) gx0 = functions::sum_to(gx0, x0().shape());
  }
  if (needs_input_grad(1)) {
    gx1 = gy * x0();
    if (broadcast) gx1 = functions::sum_to(gx1, x1().shape());
  }
  return {gx0, gx1};
}

np::ndarray Neg::forward(const np::ndarray& x) { return -x; }
Variable Neg::backward(const Variable& gy) { return -gy; }

np::ndarray Sub::forward(const np::ndarray& x0, const np::ndarray& x1) {
  shapes_.record(x0.shape(), x1.shape());
  return x0 - x1;
}

Sub::Gradients Sub::backward(const Variable& gy) {
  Variable gx0 = gy, gx1;
  if (needs_input_grad(1)) gx1 = -gy;
  if (shapes_.broadcast()) {
    if (needs_input_grad(0)) gx0 = functions::sum_to(gx0, shapes_.x0());
    if (needs_input_grad(1)) gx1 = functions::sum_to(gx1, shapes_.x1());
  }
  return {gx0, gx1};
}

np::ndarray Div::forward(const np::ndarray& x0, const np::ndarray& x1) { return x0 / x1; }

Div::Gradients Div::backward(const Variable& gy) {
  const bool broadcast = !(x0().shape() == x1().shape());
  Variable gx0, gx1;
  if (needs_input_grad(0)) {
    gx0 = gy / x1();
    if (broadcast) gx0 = functions::sum_to(gx0, x0().shape());
  }
  if (needs_input_grad(1)) {
    gx1 = gy * (-x0() / pow(x1(), 2));
    if (broadcast) gx1 = functions::sum_to(gx1, x1().shape());
  }
  return {gx0, gx1};
}

np::ndarray Pow::forward(const np::ndarray& x) { return np::power(x, c_); }

Variable Pow::backward(const Variable& gy) {
  // d/dx x^0 is 0 everywhere. The book's c * x^(c-1) gives 0 * 0^-1 = NaN at x = 0 (and an
  // integer x cannot even be raised to -1), so an exponent of zero is handled on its own.
  if (np::all(c_ == np::ndarray(0))) {
    return functions::sum_to(gy * np::zeros_like(x().data()), x().shape());
  }
  // An exponent array with some zeros: x^0 in their places keeps 0 * x^-1 (NaN at x = 0) out.
  const np::ndarray zero_c = c_ == np::ndarray(0);
  const np::ndarray e = np::any(zero_c) ? np::where(zero_c, np::zeros_like(c_), c_ - 1) : c_ - 1;
  return c_ * pow(x(), e) * gy;
}

Variable add(const Variable& x0, const Variable& x1) { return call<Add>({x0, x1}); }
Variable mul(const Variable& x0, const Variable& x1) { return call<Mul>({x0, x1}); }
Variable neg(const Variable& x) { return call<Neg>({x}); }
Variable sub(const Variable& x0, const Variable& x1) { return call<Sub>({x0, x1}); }
Variable rsub(const Variable& x0, const Variable& x1) { return call<Sub>({x1, x0}); }
Variable div(const Variable& x0, const Variable& x1) { return call<Div>({x0, x1}); }
Variable rdiv(const Variable& x0, const Variable& x1) { return call<Div>({x1, x0}); }
Variable pow(const Variable& x, const np::ndarray& c) { return call<Pow>({x}, c); }

}  // namespace dezero
