#include "dezero/optimizers.hpp"

#include <cmath>
#include <initializer_list>
#include <type_traits>
#include <stdexcept>
#include <string>

#include "np/parallel.hpp"

namespace dezero::optimizers {

namespace {
// Hyperparameters are checked once, in the constructors: a NaN or a negative rate would
// otherwise spoil every parameter silently.
void check_at_least(const char* op, const char* what, double value, double low) {
  if (!(value >= low) || !std::isfinite(value)) {
    throw std::invalid_argument(std::string(op) + ": " + what + " must be a finite number >= " +
                                np::float_repr(low) + ", got " + np::float_repr(value));
  }
}
void check_positive(const char* op, const char* what, double value) {
  if (!(value > 0) || !std::isfinite(value)) {
    throw std::invalid_argument(std::string(op) + ": " + what +
                                " must be a finite number > 0, got " + np::float_repr(value));
  }
}
void check_fraction(const char* op, const char* what, double value) {  // [0, 1)
  if (!(value >= 0 && value < 1)) {
    throw std::invalid_argument(std::string(op) + ": " + what + " must lie in [0, 1), got " +
                                np::float_repr(value));
  }
}

// The updates below run as one loop over the elements when the parameter, its gradient and
// the optimizer's state share one floating dtype (the usual case): NumPy's expression makes a
// temporary array per operation and passes over memory once for each, which for the layers of
// an MNIST MLP is several megabytes per operation and step. The loop does the same operations
// in the same order, each rounded in the dtype, with the Python numbers converted to that dtype
// as NumPy converts them (-ffp-contract=off: no product is fused into a sum), so the results
// are the same to the bit (tests: Optimizers.FusedUpdatesHaveTheExpressionsBits). Other
// combinations, such as float32 parameters with float64 gradients, take the expression.
template <class Kernel>
bool fused(Kernel kernel, np::ndarray& p, const np::ndarray& g,
           std::initializer_list<np::ndarray*> state = {}) {
  // (host loops: parameters on a GPU take the expression, whose operations run there)
  bool same = p.dtype() == g.dtype() && p.shape() == g.shape() && np::is_floating(p.dtype()) &&
              p.device() == np::Device::cpu && g.device() == np::Device::cpu;
  for (const np::ndarray* a : state) same = same && a->dtype() == p.dtype() && a->shape() == p.shape();
  if (!same) return false;
  // Each element's update is its own: the cores share the range (np/parallel.hpp), with the
  // same bits as on one.
  np::detail::parallel_range(p.size(), [&](std::int64_t begin, std::int64_t end) {
    if (p.dtype() == np::float32) {
      kernel(p.data<float>(), g.data<float>(), begin, end);
    } else {
      kernel(p.data<double>(), g.data<double>(), begin, end);
    }
  });
  return true;
}

std::vector<Parameter> with_grad(const std::vector<Parameter>& params) {
  std::vector<Parameter> out;
  for (const Parameter& p : params) {
    if (p.grad()) out.push_back(p);
  }
  return out;
}
}  // namespace

// ===================================== Optimizer ============================================
Optimizer& Optimizer::setup(const layers::Layer& target) {
  target_ = target.registry();
  return *this;
}

void Optimizer::require_target() const {
  if (!target_) {
    throw std::logic_error(type() + ".update: no target; call setup(model) first");
  }
}

void Optimizer::update() {
  require_target();
  std::vector<Parameter> params = with_grad(layers::detail::params_of(*target_));
  for (const Hook& hook : hooks_) {
    hook(params);
    // The fix of the book's FreezeParam: a gradient that a hook removed is not updated.
    params = with_grad(params);
  }
  for (const Parameter& p : params) update_one(p);
}

void Optimizer::add_hook(Hook hook) {
  if (!hook) throw std::invalid_argument(type() + ".add_hook: the hook is an empty function");
  hooks_.push_back(std::move(hook));
}

// ===================================== SGD ==================================================
SGD::SGD(double lr) : lr(lr) { check_at_least("SGD", "lr", lr, 0.0); }

void SGD::update_one(const Parameter& param) {
  np::ndarray& p = param.data();
  const np::ndarray& g = param.grad().data();
  const bool done = fused(
      [&](auto* pp, const auto* gp, std::int64_t begin, std::int64_t end) {
        using T = std::remove_pointer_t<decltype(pp)>;
        const T rate = static_cast<T>(lr);
        for (std::int64_t i = begin; i < end; ++i) pp[i] -= rate * gp[i];
      },
      p, g);
  if (!done) p -= lr * g;  // the book's line
}

// ===================================== MomentumSGD ==========================================
MomentumSGD::MomentumSGD(MomentumSGDOptions options) : lr(options.lr), momentum(options.momentum) {
  check_at_least("MomentumSGD", "lr", lr, 0.0);
  check_at_least("MomentumSGD", "momentum", momentum, 0.0);
}

void MomentumSGD::update_one(const Parameter& param) {
  np::ndarray& v = vs_.get(param, [](const Parameter& p) { return np::zeros_like(p.data()); });
  v *= momentum;
  v -= lr * param.grad().data();
  param.data() += v;
}

np::ndarray MomentumSGD::velocity(const Parameter& param) const {
  const np::ndarray* v = vs_.find(param);
  return v ? *v : np::ndarray();
}

// ===================================== AdaGrad ==============================================
AdaGrad::AdaGrad(AdaGradOptions options) : lr(options.lr), eps(options.eps) {
  check_at_least("AdaGrad", "lr", lr, 0.0);
  check_at_least("AdaGrad", "eps", eps, 0.0);
}

void AdaGrad::update_one(const Parameter& param) {
  np::ndarray& h = hs_.get(param, [](const Parameter& p) { return np::zeros_like(p.data()); });
  const np::ndarray& grad = param.grad().data();
  h += grad * grad;
  param.data() -= lr * grad / (np::sqrt(h) + eps);
}

// ===================================== AdaDelta =============================================
AdaDelta::AdaDelta(AdaDeltaOptions options) : rho(options.rho), eps(options.eps) {
  check_fraction("AdaDelta", "rho", rho);
  check_at_least("AdaDelta", "eps", eps, 0.0);
}

void AdaDelta::update_one(const Parameter& param) {
  State& s = state_.get(param, [](const Parameter& p) {
    return State{np::zeros_like(p.data()), np::zeros_like(p.data())};
  });
  const np::ndarray& grad = param.grad().data();
  s.msg *= rho;
  s.msg += (1 - rho) * grad * grad;
  const np::ndarray dx = np::sqrt((s.msdx + eps) / (s.msg + eps)) * grad;
  s.msdx *= rho;
  s.msdx += (1 - rho) * dx * dx;
  param.data() -= dx;
}

// ===================================== Adam =================================================
Adam::Adam(AdamOptions options)
    : alpha(options.alpha), beta1(options.beta1), beta2(options.beta2), eps(options.eps) {
  check_at_least("Adam", "alpha", alpha, 0.0);
  check_fraction("Adam", "beta1", beta1);
  check_fraction("Adam", "beta2", beta2);
  check_at_least("Adam", "eps", eps, 0.0);
}

void Adam::update() {
  require_target();  // before counting: a failed update is not an update
  ++t_;
  Optimizer::update();
}

double Adam::lr() const {
  const double fix1 = 1.0 - std::pow(beta1, static_cast<double>(t_));
  const double fix2 = 1.0 - std::pow(beta2, static_cast<double>(t_));
  return alpha * std::sqrt(fix2) / fix1;
}

void Adam::update_one(const Parameter& param) {
  State& s = state_.get(param, [](const Parameter& p) {
    return State{np::zeros_like(p.data()), np::zeros_like(p.data())};
  });
  const np::ndarray& grad = param.grad().data();
  const double rate = lr();
  const bool done = fused(
      [&](auto* p, const auto* g, std::int64_t begin, std::int64_t end) {
        using T = std::remove_pointer_t<decltype(p)>;
        T* m = s.m.data<T>();
        T* v = s.v.data<T>();
        const T b1 = static_cast<T>(1 - beta1), b2 = static_cast<T>(1 - beta2);
        const T r = static_cast<T>(rate), e = static_cast<T>(eps);
        for (std::int64_t i = begin; i < end; ++i) {
          m[i] += b1 * (g[i] - m[i]);
          v[i] += b2 * (g[i] * g[i] - v[i]);
          p[i] -= r * m[i] / (std::sqrt(v[i]) + e);
        }
      },
      param.data(), grad, {&s.m, &s.v});
  if (done) return;
  // the book's lines
  s.m += (1 - beta1) * (grad - s.m);
  s.v += (1 - beta2) * (grad * grad - s.v);
  param.data() -= rate * s.m / (np::sqrt(s.v) + eps);
}

np::ndarray Adam::m(const Parameter& param) const {
  const State* s = state_.find(param);
  return s ? s->m : np::ndarray();
}

np::ndarray Adam::v(const Parameter& param) const {
  const State* s = state_.find(param);
  return s ? s->v : np::ndarray();
}

// ===================================== hooks ================================================
WeightDecay::WeightDecay(double rate) : rate(rate) {
  check_at_least("WeightDecay", "rate", rate, 0.0);
}

void WeightDecay::operator()(const std::vector<Parameter>& params) const {
  for (const Parameter& p : params) p.grad().data() += rate * p.data();
}

ClipGrad::ClipGrad(double max_norm) : max_norm(max_norm) {
  check_positive("ClipGrad", "max_norm", max_norm);
}

void ClipGrad::operator()(const std::vector<Parameter>& params) const {
  // Each sum of squares in the gradient's dtype, the total in float64, as the book's
  // Python-number accumulation.
  double total = 0.0;
  for (const Parameter& p : params) total += np::square(p.grad().data()).sum().item<double>();
  const double rate = max_norm / (std::sqrt(total) + 1e-6);
  if (rate < 1) {
    for (const Parameter& p : params) p.grad().data() *= np::ndarray(rate);
  }
}

void FreezeParam::add(const Parameter& param) {
  if (!param) throw std::invalid_argument("FreezeParam: a parameter is None");
  params_.push_back(param);
}

void FreezeParam::add(const layers::Layer& layer) {
  for (const Parameter& p : layer.params()) params_.push_back(p);
}

void FreezeParam::operator()(const std::vector<Parameter>&) const {
  for (const Parameter& p : params_) p.cleargrad();
}

}  // namespace dezero::optimizers
