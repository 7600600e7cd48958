#include "dezero/layers.hpp"

#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>
#include <sstream>
#include <stdexcept>
#include <typeinfo>
#include <unordered_set>
#include <variant>

#include "dezero/cuda.hpp"
#include "dezero/functions.hpp"
#include "dezero/functions_conv.hpp"
#include "np/io.hpp"

namespace dezero::layers {

namespace detail {

struct LayerNode {
  // A registered part: a parameter, or a child's registry.
  struct Entry {
    std::string name;
    std::variant<Parameter, std::shared_ptr<LayerNode>> part;
  };
  std::vector<Entry> entries;  // in registration order
  std::string registered_name;
};

namespace {
void collect(const LayerNode& node, std::vector<Parameter>& out,
             std::unordered_set<const void*>& seen) {
  for (const auto& entry : node.entries) {
    if (const auto* param = std::get_if<Parameter>(&entry.part)) {
      if (seen.insert(param->id()).second) out.push_back(*param);
    } else {
      const auto& child = std::get<std::shared_ptr<LayerNode>>(entry.part);
      // A child registered twice is visited once; its parameters are in `seen` already.
      if (seen.insert(child.get()).second) collect(*child, out, seen);
    }
  }
}

void flatten(const LayerNode& node, const std::string& prefix, NamedParameters& out) {
  for (const auto& entry : node.entries) {
    const std::string key = prefix.empty() ? entry.name : prefix + "/" + entry.name;
    if (const auto* param = std::get_if<Parameter>(&entry.part)) {
      out.emplace_back(key, *param);
    } else {
      flatten(*std::get<std::shared_ptr<LayerNode>>(entry.part), key, out);
    }
  }
}

bool contains(const LayerNode& node, const LayerNode* target) {
  if (&node == target) return true;
  for (const auto& entry : node.entries) {
    if (const auto* child = std::get_if<std::shared_ptr<LayerNode>>(&entry.part)) {
      if (contains(**child, target)) return true;
    }
  }
  return false;
}
}  // namespace

std::vector<Parameter> params_of(const LayerNode& node) {
  std::vector<Parameter> out;
  std::unordered_set<const void*> seen;
  collect(node, out, seen);
  return out;
}

}  // namespace detail

namespace {
std::string shape_str(const np::Shape& shape) {
  std::ostringstream os;
  os << shape;
  return os.str();
}
}  // namespace

// ===================================== Layer ================================================
Layer::Layer() : node_(std::make_shared<detail::LayerNode>()) {}

detail::LayerNode& Layer::node() const {
  if (!node_) {
    throw std::logic_error(type() + ": this layer has been moved from and cannot be used");
  }
  return *node_;
}

std::shared_ptr<const detail::LayerNode> Layer::registry() const {
  node();  // a moved-from layer has none
  return node_;
}

Variable Layer::operator()(const Variable& x) { return single_output(forward_many({x})); }

Variables Layer::operator()(const Variables& xs) { return forward_many(xs); }

Variable Layer::single_output(const Variables& ys) const {
  if (ys.size() != 1) {
    throw std::invalid_argument(describe() + ": forward returned " + std::to_string(ys.size()) +
                                " outputs; call the layer with Variables{...} to get them all");
  }
  return ys[0];
}

Variable Layer::forward(const Variable&) {
  throw std::logic_error(describe() + ": forward is not implemented (override forward, or "
                         "forward_many for several inputs or outputs)");
}

Variables Layer::forward_many(const Variables& xs) {
  if (xs.size() != 1) {
    throw std::invalid_argument(describe() + ": forward takes one input, given " +
                                std::to_string(xs.size()) +
                                " (a layer with several inputs overrides forward_many)");
  }
  return {forward(xs[0])};
}

std::vector<Parameter> Layer::params() const { return detail::params_of(node()); }

void Layer::cleargrads() const {
  for (const Parameter& p : params()) p.cleargrad();
}

NamedParameters Layer::flatten_params() const {
  NamedParameters out;
  detail::flatten(node(), "", out);
  return out;
}

namespace {
void check_name(const Layer& layer, const detail::LayerNode& node, const std::string& name,
                const char* what) {
  const std::string op = layer.describe() + "." + what;
  if (name.empty()) throw std::invalid_argument(op + ": the name is empty");
  if (name.find('/') != std::string::npos) {
    throw std::invalid_argument(op + ": the name '" + name +
                                "' contains '/', which separates the parts of a path");
  }
  for (const auto& entry : node.entries) {
    if (entry.name == name) {
      throw std::invalid_argument(op + ": '" + name + "' is already registered");
    }
  }
}
}  // namespace

void Layer::register_parameter(const std::string& name, const Parameter& param) {
  check_name(*this, node(), name, "register_parameter");
  if (!param) {
    throw std::invalid_argument(describe() + ".register_parameter: '" + name +
                                "' is None (a layer without it just does not register it)");
  }
  node().entries.push_back({name, param});
}

void Layer::register_layer(const std::string& name, const Layer& layer) {
  check_name(*this, node(), name, "register_layer");
  const std::shared_ptr<detail::LayerNode>& child = layer.node_;
  if (!child) {
    throw std::invalid_argument(describe() + ".register_layer: '" + name +
                                "' is a moved-from layer");
  }
  if (detail::contains(*child, node_.get())) {
    throw std::invalid_argument(describe() + ".register_layer: '" + name +
                                "' contains this layer, which cannot contain itself");
  }
  if (child->registered_name.empty()) child->registered_name = name;
  node().entries.push_back({name, child});
}

std::string Layer::type() const {
  // The class name without its namespaces: "TwoLayerNet" for a user's model.
  return dezero::detail::class_name(typeid(*this));
}

std::string Layer::registered_name() const { return node_ ? node_->registered_name : ""; }

std::string Layer::describe() const {
  const std::string name = registered_name();
  return name.empty() ? type() : type() + " '" + name + "'";
}

// ===================================== Linear ===============================================
Linear::Linear(std::int64_t out_size, const LinearOptions& options)
    : W(np::ndarray(), "W"), out_size_(out_size), dtype_(options.dtype) {
  const auto [nobias, dtype, in_size] = options;
  if (out_size < 1) {
    throw std::invalid_argument("Linear: out_size must be positive, got " +
                                std::to_string(out_size));
  }
  if (in_size && *in_size < 1) {
    throw std::invalid_argument("Linear: in_size must be positive, got " +
                                std::to_string(*in_size));
  }
  if (!np::is_floating(dtype)) {
    throw np::dtype_error("Linear: the parameters' dtype must be float32 or float64, not " +
                          std::string(np::dtype_name(dtype)));
  }
  register_parameter("W", W);
  if (in_size) init_W(*in_size);
  if (!nobias) {
    b = Parameter(np::zeros({out_size}, dtype), "b");
    register_parameter("b", b);
  }
}

void Linear::init_W(std::int64_t in_size) {
  // As the book: the float64 draws are cast first, then scaled by a 0-d float64, which NumPy
  // 1.x's value-based casting applies in the parameters' dtype.
  const double scale = std::sqrt(1.0 / static_cast<double>(in_size));
  W.data() = np::random::randn({in_size, out_size_}).astype(dtype_) * scale;
}

Variable Linear::forward(const Variable& x) {
  if (x.ndim() != 2) {
    throw np::shape_error(describe() + ": x must be (N, in_size), got " + shape_str(x.shape()));
  }
  if (!W.data().defined()) {
    init_W(x.shape()[1]);
    // The book's get_array_module(x): W goes where x lives (drawn on the host, docs/gpu.md).
    W.data() = np::to_device(W.data(), x.data().device());
  } else if (x.shape()[1] != W.shape()[0]) {
    throw np::shape_error(describe() + ": x " + shape_str(x.shape()) + " has " +
                          std::to_string(x.shape()[1]) + " features, but W " +
                          shape_str(W.shape()) + " was made for " +
                          std::to_string(W.shape()[0]));
  }
  return functions::linear(x, W, b);
}

// ===================================== devices, weight files =================================
void Layer::to_cpu() const {
  for (const Parameter& p : params()) p.to_cpu();
}

void Layer::to_gpu() const {
  for (const Parameter& p : params()) p.to_gpu();
}

namespace {
std::string quoted_path(const std::filesystem::path& path) {
  std::string out(1, '\'');  // (not "'" + ...: GCC 12 warns falsely about that, bug 105329)
  out += path.string();
  out += '\'';
  return out;
}
}  // namespace

void Layer::save_weights(const std::filesystem::path& path) const {
  to_cpu();
  np::NpzEntries arrays;
  for (const auto& [key, param] : flatten_params()) {
    if (!param.data().defined()) {
      throw std::invalid_argument(
          describe() + ".save_weights: " + quoted_path(path) + ": the parameter '" + key +
          "' has no data yet (its layer is sized at its first call, which has not happened); "
          "nothing was written");
    }
    arrays.emplace_back(key, param.data());
  }
  np::savez_compressed(path, arrays);
}

void Layer::load_weights(const std::filesystem::path& path) const {
  const std::map<std::string, np::ndarray> npz = np::load_npz(path);
  const NamedParameters params = flatten_params();
  const std::string where = describe() + ".load_weights: " + quoted_path(path);
  // Everything is checked first, so that a bad file changes nothing.
  for (const auto& [key, param] : params) {
    const auto it = npz.find(key);
    if (it == npz.end()) {
      std::string present;
      for (const auto& [name, array] : npz) present += (present.empty() ? "" : ", ") + name;
      throw np::io_error(where + " has no array '" + key + "' (it holds: " +
                         (present.empty() ? "nothing" : present) + "); the layer is unchanged");
    }
    const np::ndarray& current = param.data();
    const np::ndarray& stored = it->second;
    if (current.defined() && (current.shape() != stored.shape() || current.dtype() != stored.dtype())) {
      throw np::io_error(where + ": '" + key + "' is " + shape_str(stored.shape()) + " " +
                         std::string(np::dtype_name(stored.dtype())) + " in the file, but the " +
                         "parameter is " + shape_str(current.shape()) + " " +
                         std::string(np::dtype_name(current.dtype())) + "; the layer is unchanged");
    }
  }
  for (const auto& [key, param] : params) param.data() = npz.at(key);
}

// ===================================== recurrent layers =====================================
namespace {
// Sizes are checked before the Linear members are made, so that the message names the
// recurrent layer and its argument.
std::int64_t positive(const char* layer, const char* what, std::int64_t size) {
  if (size < 1) {
    throw std::invalid_argument(std::string(layer) + ": " + what + " must be positive, got " +
                                std::to_string(size));
  }
  return size;
}
std::optional<std::int64_t> positive(const char* layer, const char* what,
                                     std::optional<std::int64_t> size) {
  if (size) positive(layer, what, *size);
  return size;
}

// One time step's input: x (N, in_size) with the in_size the layer was made for (the W of its
// input projection, once it exists) and, within a sequence, the batch size of the state.
void check_step(const Layer& layer, const Variable& x, const Linear& input_proj,
                const Variable& h) {
  if (!x) throw std::invalid_argument(layer.describe() + ": x is None");
  if (x.ndim() != 2) {
    throw np::shape_error(layer.describe() + ": x must be (N, in_size), got " +
                          shape_str(x.shape()));
  }
  const np::ndarray& W = input_proj.W.data();
  if (W.defined() && x.shape()[1] != W.shape()[0]) {
    throw np::shape_error(layer.describe() + ": x " + shape_str(x.shape()) + " has " +
                          std::to_string(x.shape()[1]) + " features, but the layer was made for " +
                          std::to_string(W.shape()[0]) + " (" + input_proj.registered_name() +
                          ".W is " + shape_str(W.shape()) + ")");
  }
  if (h && x.shape()[0] != h.shape()[0]) {
    throw np::shape_error(layer.describe() + ": x " + shape_str(x.shape()) + " is a batch of " +
                          std::to_string(x.shape()[0]) + ", but the state h " +
                          shape_str(h.shape()) + " holds " + std::to_string(h.shape()[0]) +
                          "; call reset_state() before a sequence of another batch size");
  }
}

LinearOptions recurrent(std::int64_t hidden_size, bool eager) {
  return {.nobias = true, .in_size = eager ? std::optional(hidden_size) : std::nullopt};
}
}  // namespace

RNN::RNN(std::int64_t hidden_size, std::optional<std::int64_t> in_size)
    : x2h(register_layer("x2h", Linear(positive("RNN", "hidden_size", hidden_size),
                                       {.in_size = positive("RNN", "in_size", in_size)}))),
      h2h(register_layer("h2h",
                         Linear(hidden_size, recurrent(hidden_size, in_size.has_value())))) {}

void RNN::reset_state() { h = Variable(); }

Variable RNN::forward(const Variable& x) {
  check_step(*this, x, x2h, h);
  h = h ? functions::tanh(x2h(x) + h2h(h)) : functions::tanh(x2h(x));
  return h;
}

LSTM::LSTM(std::int64_t hidden_size, std::optional<std::int64_t> in_size)
    : x2f(register_layer("x2f", Linear(positive("LSTM", "hidden_size", hidden_size),
                                       {.in_size = positive("LSTM", "in_size", in_size)}))),
      x2i(register_layer("x2i", Linear(hidden_size, {.in_size = in_size}))),
      x2o(register_layer("x2o", Linear(hidden_size, {.in_size = in_size}))),
      x2u(register_layer("x2u", Linear(hidden_size, {.in_size = in_size}))),
      h2f(register_layer("h2f", Linear(hidden_size, recurrent(hidden_size, true)))),
      h2i(register_layer("h2i", Linear(hidden_size, recurrent(hidden_size, true)))),
      h2o(register_layer("h2o", Linear(hidden_size, recurrent(hidden_size, true)))),
      h2u(register_layer("h2u", Linear(hidden_size, recurrent(hidden_size, true)))) {}

void LSTM::reset_state() {
  h = Variable();
  c = Variable();
}

Variable LSTM::forward(const Variable& x) {
  namespace F = functions;
  check_step(*this, x, x2f, h);
  Variable f, i, o, u;
  // The gates in the book's order (f, i, o, u), which is also the order of the x2* layers'
  // lazy draws at the first step.
  if (!h) {
    f = F::sigmoid(x2f(x));
    i = F::sigmoid(x2i(x));
    o = F::sigmoid(x2o(x));
    u = F::tanh(x2u(x));
  } else {
    f = F::sigmoid(x2f(x) + h2f(h));
    i = F::sigmoid(x2i(x) + h2i(h));
    o = F::sigmoid(x2o(x) + h2o(h));
    u = F::tanh(x2u(x) + h2u(h));
  }
  c = c ? f * c + i * u : i * u;
  h = o * F::tanh(c);
  return h;
}

// ===================================== embeddings ===========================================
EmbedID::EmbedID(std::int64_t in_size, std::int64_t out_size)
    : W(np::random::randn({positive("EmbedID", "in_size", in_size),
                           positive("EmbedID", "out_size", out_size)}),
        "W") {
  register_parameter("W", W);
}

Variable EmbedID::forward(const Variable& x) { return functions::embed_id(x, W); }

// ===================================== convolutional layers =================================

namespace {
// The checks Conv2d and Deconv2d share: sizes at least 1, padding at least 0, a float dtype.
void check_conv_layer(const char* type, std::int64_t out_channels, utils::Pair kernel_size,
                      utils::Pair stride, utils::Pair pad, np::DType dtype,
                      std::optional<std::int64_t> in_channels) {
  const std::string t(type);
  if (out_channels < 1) {
    throw std::invalid_argument(t + ": out_channels must be positive, got " +
                                std::to_string(out_channels));
  }
  if (in_channels && *in_channels < 1) {
    throw std::invalid_argument(t + ": in_channels must be positive, got " +
                                std::to_string(*in_channels));
  }
  if (kernel_size.h < 1 || kernel_size.w < 1 || stride.h < 1 || stride.w < 1 || pad.h < 0 ||
      pad.w < 0) {
    throw std::invalid_argument(t + ": kernel_size " + kernel_size.str() + " and stride " +
                                stride.str() + " must be at least 1 and pad " + pad.str() +
                                " at least 0");
  }
  if (!np::is_floating(dtype)) {
    throw np::dtype_error(t + ": the parameters' dtype must be float32 or float64, not " +
                          std::string(np::dtype_name(dtype)));
  }
}

// randn(shape) cast to dtype and scaled by sqrt(1 / fan_in), in the book's order (cast first).
np::ndarray conv_weight(const np::Shape& shape, std::int64_t fan_in, np::DType dtype) {
  const double scale = std::sqrt(1.0 / static_cast<double>(fan_in));
  return np::random::randn(shape).astype(dtype) * scale;
}

// x must be an image batch (N, C, H, W) whose C matches the channels W was made for.
void check_conv_input(const Layer& layer, const Variable& x, const Parameter& W,
                      std::int64_t channels_axis) {
  if (x.ndim() != 4) {
    throw np::shape_error(layer.describe() + ": x must be 4-D (N, C, H, W), got " +
                          shape_str(x.shape()));
  }
  if (W.data().defined() && x.shape()[1] != W.shape()[channels_axis]) {
    throw np::shape_error(layer.describe() + ": x " + shape_str(x.shape()) + " has " +
                          std::to_string(x.shape()[1]) + " channels, but W " +
                          shape_str(W.shape()) + " was made for " +
                          std::to_string(W.shape()[channels_axis]));
  }
}
}  // namespace

Conv2d::Conv2d(std::int64_t out_channels, utils::Pair kernel_size, const Conv2dOptions& options)
    : W(np::ndarray(), "W"),
      out_channels_(out_channels),
      kernel_size_(kernel_size),
      stride_(options.stride),
      pad_(options.pad),
      dtype_(options.dtype) {
  const auto& [stride, pad, nobias, dtype, in_channels] = options;
  check_conv_layer("Conv2d", out_channels, kernel_size, stride, pad, dtype, in_channels);
  register_parameter("W", W);
  if (in_channels) init_W(*in_channels);
  if (!nobias) {
    b = Parameter(np::zeros({out_channels}, dtype), "b");
    register_parameter("b", b);
  }
}

void Conv2d::init_W(std::int64_t in_channels) {
  W.data() = conv_weight({out_channels_, in_channels, kernel_size_.h, kernel_size_.w},
                         in_channels * kernel_size_.h * kernel_size_.w, dtype_);
}

Variable Conv2d::forward(const Variable& x) {
  check_conv_input(*this, x, W, 1);
  if (!W.data().defined()) init_W(x.shape()[1]);
  return functions::conv2d(x, W, b, {.stride = stride_, .pad = pad_});
}

Deconv2d::Deconv2d(std::int64_t out_channels, utils::Pair kernel_size,
                   const Deconv2dOptions& options)
    : W(np::ndarray(), "W"),
      out_channels_(out_channels),
      kernel_size_(kernel_size),
      stride_(options.stride),
      pad_(options.pad),
      dtype_(options.dtype) {
  const auto& [stride, pad, nobias, dtype, in_channels] = options;
  check_conv_layer("Deconv2d", out_channels, kernel_size, stride, pad, dtype, in_channels);
  register_parameter("W", W);
  if (in_channels) init_W(*in_channels);
  if (!nobias) {
    b = Parameter(np::zeros({out_channels}, dtype), "b");
    register_parameter("b", b);
  }
}

void Deconv2d::init_W(std::int64_t in_channels) {
  W.data() = conv_weight({in_channels, out_channels_, kernel_size_.h, kernel_size_.w},
                         in_channels * kernel_size_.h * kernel_size_.w, dtype_);
}

Variable Deconv2d::forward(const Variable& x) {
  check_conv_input(*this, x, W, 0);
  if (!W.data().defined()) init_W(x.shape()[1]);
  return functions::deconv2d(x, W, b, {.stride = stride_, .pad = pad_});
}

BatchNorm::BatchNorm()
    : avg_mean(np::ndarray(), "avg_mean"),
      avg_var(np::ndarray(), "avg_var"),
      gamma(np::ndarray(), "gamma"),
      beta(np::ndarray(), "beta") {
  register_parameter("avg_mean", avg_mean);
  register_parameter("avg_var", avg_var);
  register_parameter("gamma", gamma);
  register_parameter("beta", beta);
}

Variable BatchNorm::forward(const Variable& x) {
  if (x.ndim() != 2 && x.ndim() != 4) {
    throw np::shape_error(describe() + ": x must be (N, C) or (N, C, H, W), got " +
                          shape_str(x.shape()));
  }
  // Each one separately, as the book: weights loaded for some of them are kept.
  const std::int64_t D = x.shape()[1];
  if (!avg_mean.data().defined()) avg_mean.data() = np::zeros({D}, x.dtype());
  if (!avg_var.data().defined()) avg_var.data() = np::ones({D}, x.dtype());
  if (!gamma.data().defined()) gamma.data() = np::ones({D}, x.dtype());
  if (!beta.data().defined()) beta.data() = np::zeros({D}, x.dtype());
  // The running statistics go in as the arrays themselves, which batch_norm updates in place.
  return functions::batch_norm(x, gamma, beta, avg_mean.data(), avg_var.data());
}

}  // namespace dezero::layers
