// dezero/layers: layers that hold parameters (the book's layers.py), used as
//   namespace L = dezero::layers;
//   L::Linear l1(10);            // W is made at the first call, from the input's size
//   Variable y = l1(x);          // a layer is called like a function
//   for (const Parameter& p : l1.params()) p.data() -= lr * p.grad().data();
//
// Registering parts. Python's Layer notices every Parameter or Layer assigned to one of its
// attributes (__setattr__) and remembers the attribute's name. C++ has no such hook, so a
// layer registers its parts itself, by name, where it constructs them:
//
//   class TwoLayerNet : public dezero::Model {
//    public:
//     TwoLayerNet(std::int64_t hidden_size, std::int64_t out_size)
//         : l1(register_layer("l1", L::Linear(hidden_size))),
//           l2(register_layer("l2", L::Linear(out_size))) {}
//     Variable forward(const Variable& x) override { return l2(F::sigmoid(l1(x))); }
//     L::Linear l1, l2;
//   };
//
// The names make the paths of flatten_params() (`l1/W`, `rnn/x2h/b`), the keys under which
// weights are saved. params() lists the parameters in registration order, children included.
//
// Ownership. A layer is an object with an identity, like a Python object: it cannot be
// copied (two layers sharing parameters by accident would be a trap), but it can be moved
// (into a Sequential, a std::vector, out of a function). What a layer registers lives in a
// small shared registry (its parameters, which are handles, and the registries of its
// children), so a parent reaches its children's parameters however the child objects are
// stored, and an optimizer set up with a model keeps the model's registry alive.
#pragma once

#include <concepts>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "dezero/conv_sizes.hpp"
#include "dezero/core.hpp"

namespace dezero::layers {

namespace detail {
// The registry behind a layer: its parameters and children by name, in registration order.
struct LayerNode;
// The parameters reachable from a registry, each once (what Layer::params() returns).
std::vector<Parameter> params_of(const LayerNode& node);
}  // namespace detail

// Path names and parameters, as flatten_params returns them: {"l1/W", W}, {"l1/b", b}, ...
using NamedParameters = std::vector<std::pair<std::string, Parameter>>;

class Layer {
 public:
  Layer();
  virtual ~Layer() = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;
  // Moving keeps the registry (a parent's view of this layer stays valid); a moved-from
  // layer cannot be used any more. There is no move assignment: `l1 = L::Linear(5)` would
  // leave a parent holding the old layer's registry.
  Layer(Layer&& other) noexcept = default;
  Layer& operator=(Layer&&) = delete;

  // Python's __call__. One input and one output, the common case: y = l1(x).
  Variable operator()(const Variable& x);
  // Several inputs, one output: y = layer(x0, x1).
  template <class... Xs>
    requires(sizeof...(Xs) >= 2)
  Variable operator()(const Xs&... xs) {
    return single_output(forward_many(Variables{Variable(xs)...}));
  }
  // Any number of inputs and outputs: ys = layer(Variables{x0, x1}).
  Variables operator()(const Variables& xs);

  // What the layer computes. Override forward (one input, one output: most layers), or
  // forward_many for a layer with several inputs or outputs. The default forward_many passes
  // a single input to forward; the default forward throws (the book's NotImplementedError).
  // Two names rather than two overloads, so that overriding one never hides the other.
  virtual Variable forward(const Variable& x);
  virtual Variables forward_many(const Variables& xs);

  // The parameters of this layer and of its children, depth first in registration order;
  // each appears once, also when it (or a layer holding it) is registered several times.
  std::vector<Parameter> params() const;
  // cleargrad() on every parameter.
  void cleargrads() const;
  // Every registered path and its parameter, in registration order: `W`, `b` for a Linear,
  // `l1/W`, `l1/b`, `l2/W`, ... for a model. A layer registered under two names gives both
  // paths (as in the book; the parameters are the same objects).
  NamedParameters flatten_params() const;

  // Moves every parameter's data to host memory / to the GPU (Variable::to_cpu, to_gpu;
  // without a GPU the data stays on the CPU, see dezero/cuda.hpp).
  void to_cpu() const;
  void to_gpu() const;

  // The book's save_weights: every parameter's data under its flatten_params() path (`l0/W`),
  // written with np::savez_compressed, so that numpy.load and the Python DeZero's
  // load_weights read the file (".npz" is appended when `path` lacks it, as NumPy does). The
  // file is replaced atomically: when saving fails, also for a parameter that has no data yet
  // (a layer sized at its first call that has not been called), an existing file stays as it
  // was. Errors name the file and the parameter's path.
  void save_weights(const std::filesystem::path& path) const;
  // The book's load_weights: each parameter's data becomes the file's array under its path
  // (extra arrays in the file are ignored). Every path is checked before any parameter
  // changes: a missing array, or one whose shape or dtype differs from the parameter's data,
  // raises np::io_error naming the file and the path and leaves the layer as it was. A
  // parameter without data yet takes the file's array as it is (that is how a model whose
  // layers are sized at their first call is restored, as in step 53).
  void load_weights(const std::filesystem::path& path) const;

  // The registration that Python's __setattr__ does. `name` must be non-empty, without '/',
  // and not yet used in this layer (std::invalid_argument otherwise). A parameter is kept as
  // the handle it is: a lazily made weight gets its data later (W.data() = ...) rather than
  // being replaced by another Parameter. A child is kept by its registry, so register layers
  // that the registering one owns (members, or elements of a member container), which live
  // exactly as long as it does. A layer cannot contain itself (std::invalid_argument).
  void register_parameter(const std::string& name, const Parameter& param);
  void register_layer(const std::string& name, const Layer& layer);
  // The same for a layer made in a member's initialiser, which is handed back to initialise the
  // member: the layer is registered where it is constructed, as Python's
  // `self.l1 = L.Linear(10)`:
  //   TwoLayerNet() : l1(register_layer("l1", L::Linear(10))) {}
  // (the registry moves with the layer, so the member is what is registered)
  template <std::derived_from<Layer> L>
    requires(!std::is_lvalue_reference_v<L>)
  L register_layer(const std::string& name, L&& layer) {
    register_layer(name, static_cast<const Layer&>(layer));
    return std::move(layer);
  }

  // The class name in messages ("Linear", "TwoLayerNet"), and the name this layer was first
  // registered under in a parent ("l1"), empty for a free-standing layer.
  virtual std::string type() const;
  std::string registered_name() const;
  // "Linear 'l1'" or "Linear": how messages name this layer.
  std::string describe() const;

  // The shared registry, for what must outlive a move of the layer object (an optimizer's
  // target, a parent's children).
  std::shared_ptr<const detail::LayerNode> registry() const;

 private:
  Variable single_output(const Variables& ys) const;
  detail::LayerNode& node() const;
  std::shared_ptr<detail::LayerNode> node_;
};

// Options of Linear by name: L::Linear(10, {.nobias = true, .in_size = 3}).
struct LinearOptions {
  bool nobias = false;                         // no b: y = x W
  np::DType dtype = np::float32;               // of W and b
  std::optional<std::int64_t> in_size = {};    // none: W is made at the first call
};

// A fully connected layer: y = x W + b with W (in_size, out_size) and b (out_size,).
// W is drawn as the book draws it, randn(in_size, out_size) (float64) cast to `dtype` and
// multiplied by sqrt(1 / in_size); b is zeros. Without in_size, W is made at the first call
// from x's second axis, so the random draws happen where the book's happen.
class Linear : public Layer {
 public:
  explicit Linear(std::int64_t out_size, const LinearOptions& options = {});

  // x must be (N, in_size): another in_size than W was made for is a shape_error naming the
  // layer and both shapes.
  Variable forward(const Variable& x) override;

  Parameter W;  // data None until in_size is known
  Parameter b;  // None (no handle) with nobias

 private:
  void init_W(std::int64_t in_size);
  std::int64_t out_size_;
  np::DType dtype_;
};

// ===================================== recurrent layers =====================================
// A recurrent layer keeps its state between calls: call it once per time step with that
// step's batch x (N, in_size), and reset_state() before a new sequence. Within a sequence
// the batch size and in_size must stay the same (shape_error naming the layer otherwise).
// Truncated backpropagation through time is the book's: loss.backward(), then
// loss.unchain_backward() cuts the graph behind the state, which the next step continues from
// as a leaf; the cut-off graph is freed.

// An Elman RNN with tanh (the book's RNN): h = tanh(x2h(x)) at the first step and
// tanh(x2h(x) + h2h(h)) after it. x2h is a Linear with a bias, h2h one without.
//
// A fix: the book makes h2h with in_size=in_size, so RNN(hidden_size, in_size) with in_size
// != hidden_size gets an h2h.W of (in_size, hidden_size) that the state (N, hidden_size) does
// not fit, and fails at the second step. Here h2h.W is always (hidden_size, hidden_size):
// drawn in the constructor when in_size is given, else at the second step from h's size (as
// the book's is), so the random draws happen where the book's do whenever the book's works.
class RNN : public Layer {
 public:
  explicit RNN(std::int64_t hidden_size, std::optional<std::int64_t> in_size = std::nullopt);

  // Forgets h: the next call starts a new sequence.
  void reset_state();
  // x (N, in_size) -> the new state h (N, hidden_size), which the layer keeps.
  Variable forward(const Variable& x) override;

  Linear x2h, h2h;
  Variable h;  // None at the start of a sequence
};

// A long short-term memory layer (the book's LSTM): four input projections x2f, x2i, x2o, x2u
// (with biases) and four recurrent ones h2f, h2i, h2o, h2u (without, (hidden_size,
// hidden_size), drawn in the constructor as the book's are):
//   f, i, o = sigmoid(x2*(x) + h2*(h)),  u = tanh(x2u(x) + h2u(h))   (no h2* at the first step)
//   c = f c + i u  (i u at the first step),  h = o tanh(c)
class LSTM : public Layer {
 public:
  explicit LSTM(std::int64_t hidden_size, std::optional<std::int64_t> in_size = std::nullopt);

  // Forgets h and c.
  void reset_state();
  Variable forward(const Variable& x) override;

  Linear x2f, x2i, x2o, x2u, h2f, h2i, h2o, h2u;
  Variable h, c;  // None at the start of a sequence
};

// ===================================== embeddings ===========================================
// A table of in_size vectors of out_size features, W = randn(in_size, out_size) (float64,
// drawn in the constructor, as the book's): layer(ids) is functions::embed_id(ids, W), the
// rows the integer ids pick, of shape ids.shape + (out_size,).
class EmbedID : public Layer {
 public:
  EmbedID(std::int64_t in_size, std::int64_t out_size);

  Variable forward(const Variable& x) override;

  Parameter W;
};

// ===================================== convolutional layers =================================
// Kernel sizes, strides and paddings are one number for both image axes or a pair
// {height, width} (utils::Pair). The output channels and the kernel size come first, the rest
// by name: L::Conv2d(64, 3, {.stride = 1, .pad = 1}) is the book's
// L.Conv2d(64, kernel_size=3, stride=1, pad=1).

// The options of Conv2d and Deconv2d, by name (those not named keep the book's defaults).
struct Conv2dOptions {
  utils::Pair stride = 1;
  utils::Pair pad = 0;
  bool nobias = false;                           // no b
  np::DType dtype = np::float32;                 // of W and b
  std::optional<std::int64_t> in_channels = {};  // none: W is made at the first call
};
using Deconv2dOptions = Conv2dOptions;

// A convolution (functions::conv2d): x (N, C, H, W) -> (N, out_channels, OH, OW), with
// W (out_channels, C, KH, KW) and b (out_channels,). W is drawn as the book draws it,
// randn(OC, C, KH, KW) (float64) cast to `dtype` and multiplied by sqrt(1 / (C KH KW)); b is
// zeros. Without in_channels, W is made at the first call from x's channels, so the random draws
// happen where the book's happen.
class Conv2d : public Layer {
 public:
  Conv2d(std::int64_t out_channels, utils::Pair kernel_size, const Conv2dOptions& options = {});

  // x must be 4-D with the channels W was made for (shape_error naming the layer otherwise).
  Variable forward(const Variable& x) override;

  Parameter W;  // data None until the input channels are known
  Parameter b;  // None (no handle) with nobias

 private:
  void init_W(std::int64_t in_channels);
  std::int64_t out_channels_;
  utils::Pair kernel_size_, stride_, pad_;
  np::DType dtype_;
};

// A transposed convolution (functions::deconv2d, output size SH (H - 1) + KH - 2 PH): W is
// (C, out_channels, KH, KW), drawn and scaled as Conv2d's; b (out_channels,) zeros.
class Deconv2d : public Layer {
 public:
  Deconv2d(std::int64_t out_channels, utils::Pair kernel_size,
           const Deconv2dOptions& options = {});

  Variable forward(const Variable& x) override;

  Parameter W;
  Parameter b;

 private:
  void init_W(std::int64_t in_channels);
  std::int64_t out_channels_;
  utils::Pair kernel_size_, stride_, pad_;
  np::DType dtype_;
};

// Batch normalisation (functions::batch_norm; the book's F.batch_nrom) of x (N, C) or
// (N, C, H, W). Its four parameters are made at the first call, (C,) in x's dtype:
// avg_mean zeros, avg_var ones (the running statistics, updated in place while training and
// used in test mode; Parameters so that save_weights keeps them, but never trained), gamma
// ones and beta zeros.
class BatchNorm : public Layer {
 public:
  BatchNorm();

  Variable forward(const Variable& x) override;

  Parameter avg_mean, avg_var, gamma, beta;
};

}  // namespace dezero::layers

namespace dezero {
// Python's `from dezero import Layer`.
using layers::Layer;
}  // namespace dezero
