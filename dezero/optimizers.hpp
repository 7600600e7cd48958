// dezero/optimizers: update rules for a model's parameters (the book's optimizers.py).
//
//   auto optimizer = optimizers::SGD(lr).setup(model);
//   optimizer.add_hook(optimizers::WeightDecay(1e-4));
//   ...
//   model.cleargrads();
//   loss.backward();
//   optimizer.update();
//
// Every update works in place on the parameter's data, so a float32 parameter stays float32
// even when its gradient is float64 (NumPy's in-place casting), and the state an optimizer
// keeps per parameter (velocities, running averages) has the parameter's dtype.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dezero/core.hpp"
#include "dezero/layers.hpp"

namespace dezero::optimizers {

// A hook sees the parameters about to be updated (those that have a gradient) and may change
// their gradients (WeightDecay, ClipGrad) or drop them (FreezeParam).
using Hook = std::function<void(const std::vector<Parameter>& params)>;

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(Optimizer&&) noexcept = default;
  Optimizer& operator=(Optimizer&&) noexcept = default;

  // Which parameters update() works on: those of `target` (a layer or model) and its
  // children. The optimizer keeps the target's registry, so the target object itself may
  // be moved afterwards. Returns the optimizer (see Chainable for the derived type).
  Optimizer& setup(const layers::Layer& target);

  // One step: takes the target's parameters that have a gradient, runs the hooks on them in
  // the order they were added, then updates each with update_one. A parameter whose gradient
  // a hook removed (FreezeParam) is left out of the later hooks and of the update.
  // std::logic_error before setup.
  virtual void update();
  // Runs `hook` at every update, after the hooks added before it.
  void add_hook(Hook hook);

  // The rule for one parameter (its gradient is not None).
  virtual void update_one(const Parameter& param) = 0;
  // "SGD", "Adam", ...: how messages name the optimizer (its class name, as Layer::type).
  virtual std::string type() const { return detail::class_name(typeid(*this)); }

 protected:
  Optimizer() = default;
  // std::logic_error naming the optimizer unless setup() was called.
  void require_target() const;

 private:
  std::shared_ptr<const layers::detail::LayerNode> target_;
  std::vector<Hook> hooks_;
};

// Makes setup() return the derived optimizer, so that the book's one line works:
//   auto optimizer = optimizers::SGD(lr).setup(model);   // an SGD, moved out of the temporary
//   optimizer.setup(other_model);                        // SGD& on a named optimizer
// An optimizer of one's own derives from Chainable<MyOptimizer>.
template <class Derived>
class Chainable : public Optimizer {
 public:
  Derived& setup(const layers::Layer& target) & {
    Optimizer::setup(target);
    return static_cast<Derived&>(*this);
  }
  Derived setup(const layers::Layer& target) && {
    Optimizer::setup(target);
    return std::move(static_cast<Derived&>(*this));
  }
};

// State per parameter (a velocity, running averages). Entries are keyed by the parameter's
// node and hold the parameter itself, so the node stays alive and its address cannot be
// reused by another parameter (Python's id() keys can be, once the object is gone).
template <class State>
class PerParameter {
 public:
  // The state of `param`, made by `init(param)` the first time.
  template <class Init>
  State& get(const Parameter& param, Init&& init) {
    auto it = entries_.find(param.id());
    if (it == entries_.end()) it = entries_.emplace(param.id(), Entry{param, init(param)}).first;
    return it->second.state;
  }
  // The state of `param`, or nullptr when it has none yet.
  const State* find(const Parameter& param) const {
    auto it = entries_.find(param.id());
    return it == entries_.end() ? nullptr : &it->second.state;
  }
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    Parameter param;  // keeps the node, hence the key, alive
    State state;
  };
  std::unordered_map<const void*, Entry> entries_;
};

// ================================ update rules ==============================================
// p -= lr * g
class SGD : public Chainable<SGD> {
 public:
  explicit SGD(double lr = 0.01);
  void update_one(const Parameter& param) override;

  double lr;
};

// The hyperparameters by name, as the book's keyword arguments:
// MomentumSGD({.lr = 0.1, .momentum = 0.5}), AdaGrad({.lr = lr}), Adam({.alpha = 2e-4,
// .beta1 = 0.5}); the ones not named keep the book's defaults.
struct MomentumSGDOptions {
  double lr = 0.01;
  double momentum = 0.9;
};
struct AdaGradOptions {
  double lr = 0.001;
  double eps = 1e-8;
};
struct AdaDeltaOptions {
  double rho = 0.95;
  double eps = 1e-6;
};
struct AdamOptions {
  double alpha = 0.001;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
};

// v = momentum * v - lr * g;  p += v   (v starts at zeros)
class MomentumSGD : public Chainable<MomentumSGD> {
 public:
  explicit MomentumSGD(MomentumSGDOptions options = {});
  // The book's MomentumSGD(lr), with lr by position.
  explicit MomentumSGD(double lr) : MomentumSGD(MomentumSGDOptions{.lr = lr}) {}
  void update_one(const Parameter& param) override;
  // The velocity of `param` (undefined before its first update).
  np::ndarray velocity(const Parameter& param) const;

  double lr, momentum;

 private:
  PerParameter<np::ndarray> vs_;
};

// h += g * g;  p -= lr * g / (sqrt(h) + eps)
class AdaGrad : public Chainable<AdaGrad> {
 public:
  explicit AdaGrad(AdaGradOptions options = {});
  void update_one(const Parameter& param) override;

  double lr, eps;

 private:
  PerParameter<np::ndarray> hs_;
};

// msg = rho msg + (1 - rho) g^2;  dx = sqrt((msdx + eps) / (msg + eps)) g;
// msdx = rho msdx + (1 - rho) dx^2;  p -= dx
class AdaDelta : public Chainable<AdaDelta> {
 public:
  explicit AdaDelta(AdaDeltaOptions options = {});
  void update_one(const Parameter& param) override;

  double rho, eps;

 private:
  struct State {
    np::ndarray msg, msdx;
  };
  PerParameter<State> state_;
};

// The book's (Chainer's) Adam: t counts the updates, the bias correction is folded into the
// step size, lr = alpha sqrt(1 - beta2^t) / (1 - beta1^t), and eps is added outside the
// square root:  m += (1 - beta1)(g - m);  v += (1 - beta2)(g^2 - v);
// p -= lr m / (sqrt(v) + eps).
class Adam : public Chainable<Adam> {
 public:
  explicit Adam(AdamOptions options = {});
  void update() override;  // t += 1, then the common update
  void update_one(const Parameter& param) override;

  // The step size of update number t() (the book's lr property).
  double lr() const;
  std::int64_t t() const { return t_; }
  // m and v of `param` (undefined before its first update).
  np::ndarray m(const Parameter& param) const;
  np::ndarray v(const Parameter& param) const;

  double alpha, beta1, beta2, eps;

 private:
  std::int64_t t_ = 0;
  struct State {
    np::ndarray m, v;
  };
  PerParameter<State> state_;
};

// ================================ hooks =====================================================
// Adds rate * p to every gradient: L2 regularisation. rate must be >= 0.
class WeightDecay {
 public:
  explicit WeightDecay(double rate);
  void operator()(const std::vector<Parameter>& params) const;
  double rate;
};

// Scales all gradients together by max_norm / (norm + 1e-6) when that is below 1, where norm
// is the L2 norm of all of them as one vector. max_norm must be > 0.
class ClipGrad {
 public:
  explicit ClipGrad(double max_norm);
  void operator()(const std::vector<Parameter>& params) const;
  double max_norm;
};

// Keeps the given parameters, or all parameters of the given layers, unchanged: it removes
// their gradients, and update() then leaves them out.
//   optimizer.add_hook(optimizers::FreezeParam(model.l1, model.l2.b));
// The book's FreezeParam crashes update(): it sets the gradients to None after update() has
// listed the parameters to update, which then reads the None gradients. Here update() drops
// a parameter from its list as soon as a hook has removed its gradient.
class FreezeParam {
 public:
  template <class... Items>
  explicit FreezeParam(const Items&... items) {
    (add(items), ...);
  }
  void operator()(const std::vector<Parameter>& params) const;
  // The frozen parameters.
  const std::vector<Parameter>& params() const { return params_; }

 private:
  void add(const Parameter& param);
  void add(const layers::Layer& layer);
  std::vector<Parameter> params_;
};

}  // namespace dezero::optimizers
