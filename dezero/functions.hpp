// dezero/functions: the differentiable functions (the book's functions.py), used as
//   namespace F = dezero::functions;  auto y = F::sin(x);  y.backward();
// Every function accepts Variables or arrays (arrays are wrapped) and builds a graph node
// whose class name ("Sin", "Reshape", ...) appears in graph drawings.
#pragma once

#include <optional>
#include <vector>

#include "dezero/core.hpp"

namespace dezero::functions {

// --- basic functions ---------------------------------------------------------------------
// Their derivatives are made of the same functions (sin' = cos, cos' = -sin, tanh' = 1 - y^2,
// exp' = exp), so they can be differentiated any number of times.
Variable sin(const Variable& x);
Variable cos(const Variable& x);
Variable tanh(const Variable& x);
Variable exp(const Variable& x);
Variable log(const Variable& x);

// --- tensor operations -------------------------------------------------------------------
// reshape returns x itself when the shape already matches (no graph node).
Variable reshape(const Variable& x, const np::Shape& shape);
// transpose(x) reverses the axes; transpose(x, axes) permutes them.
Variable transpose(const Variable& x, std::optional<std::vector<int>> axes = std::nullopt);

// Python's x[slices]: any index the array layer takes (integers, slices, integer or bool
// arrays, np::newaxis, np::ellipsis). Its backward (GetItemGrad) scatter-adds the gradient
// into zeros of x's shape with np::add_at, so repeated indices accumulate; GetItemGrad is
// differentiable itself. Also written x[...] on a Variable.
Variable get_item(const Variable& x, const np::Indices& slices);
// Inserts an axis of length 1 at `axis` (a reshape).
Variable expand_dims(const Variable& x, int axis);
// (N, ...) -> (N, everything else): keeps the batch axis.
Variable flatten(const Variable& x);

// --- sums and broadcasting ---------------------------------------------------------------
Variable sum(const Variable& x, np::Axes axes = np::none, bool keepdims = false);
// Sums x down to `shape` (see np::sum_to); x itself when the shape already matches.
Variable sum_to(const Variable& x, const np::Shape& shape);
// NumPy broadcasting as a function; x itself when the shape already matches.
Variable broadcast_to(const Variable& x, const np::Shape& shape);

// The mean over `axes` (all by default), as sum * (size of y / size of x).
Variable average(const Variable& x, np::Axes axes = np::none, bool keepdims = false);
Variable mean(const Variable& x, np::Axes axes = np::none, bool keepdims = false);

// --- products ----------------------------------------------------------------------------
Variable matmul(const Variable& x, const Variable& W);
// x W + b in one graph node ("Linear"); b may be None: linear(x, W).
Variable linear(const Variable& x, const Variable& W, const Variable& b = {});
// The same made of MatMul and Add (two nodes); the product's data is freed once the sum is
// made, as the book does to save memory.
Variable linear_simple(const Variable& x, const Variable& W, const Variable& b = {});

// --- activations -------------------------------------------------------------------------
// 1 / (1 + exp(-x)) from Exp, Add, Div nodes.
Variable sigmoid_simple(const Variable& x);
// One "Sigmoid" node computed as tanh(x / 2) / 2 + 1/2, which cannot overflow.
Variable sigmoid(const Variable& x);
Variable relu(const Variable& x);
// x where x > 0, slope * x elsewhere.
Variable leaky_relu(const Variable& x, double slope = 0.2);
// exp(x) / sum(exp(x)) along `axis` from separate nodes.
Variable softmax_simple(const Variable& x, np::Axes axis = 1);
// One "Softmax" node; the maximum along `axis` is subtracted first, so exp cannot overflow.
Variable softmax(const Variable& x, np::Axes axis = 1);
// x - logsumexp(x) along `axis`.
Variable log_softmax(const Variable& x, np::Axes axis = 1);
// Clamps into [x_min, x_max]; the gradient passes where x lies inside (bounds included).
Variable clip(const Variable& x, double x_min, double x_max);
// Maximum / minimum over `axes`. The gradient goes to the elements equal to the result: to
// every one of them when several tie (the book's behaviour).
Variable max(const Variable& x, np::Axes axes = np::none, bool keepdims = false);
Variable min(const Variable& x, np::Axes axes = np::none, bool keepdims = false);

// --- losses and metrics ------------------------------------------------------------------
// sum((x0 - x1)^2) / len(x0), from separate nodes and as one "MeanSquaredError" node.
Variable mean_squared_error_simple(const Variable& x0, const Variable& x1);
Variable mean_squared_error(const Variable& x0, const Variable& x1);
// Cross entropy of softmax(x) (N, C) against integer labels t (N,) in [0, C), averaged over
// the batch. The simple form is made of Softmax, Clip, Log and GetItem nodes; the fused
// "SoftmaxCrossEntropy" uses log-sum-exp. Labels are checked: count and range.
Variable softmax_cross_entropy_simple(const Variable& x, const Variable& t);
Variable softmax_cross_entropy(const Variable& x, const Variable& t);
// Binary cross entropy of sigmoid(x), and of probabilities p, against 0/1 targets t.
Variable sigmoid_cross_entropy(const Variable& x, const Variable& t);
Variable binary_cross_entropy(const Variable& p, const Variable& t);
// The fraction of rows of y (N, C) whose argmax equals t: a 0-d float64, no graph. Integer
// labels must lie in [0, C) (np::index_error naming the label and where it is).
Variable accuracy(const Variable& y, const Variable& t);

// --- embeddings --------------------------------------------------------------------------
// The rows of the table W (V, D) that the integer ids x pick: y = W[x], of shape x.shape + (D,)
// (the book's embed_id). One "EmbedID" node with W as its input; the ids get no gradient.
// Its backward (EmbedIDGrad) scatter-adds gy into zeros of W's shape, so an id that occurs
// several times receives the sum of the gradients of its rows; EmbedIDGrad is differentiable
// itself. Ids must be integers in [-V, V) (a negative id counts from the end, as in NumPy's
// W[x]): dtype_error and index_error name the bad id, where it is and the table's shape.
Variable embed_id(const Variable& x, const Variable& W);

// --- dropout -----------------------------------------------------------------------------
// Inverted dropout, the book's F.dropout: while training (Config::train) each element is kept
// where np::random::rand(x.shape) > dropout_ratio, drawn from the global generator as the book
// draws it, and the kept ones are divided by 1 - dropout_ratio, so that the expected value
// stays x; in test mode (dezero::test_mode()) x itself is returned. Made of a Mul by the mask
// and a Div by the scale, so the gradient flows through the kept elements only, times
// 1 / (1 - dropout_ratio). dropout_ratio must lie in [0, 1) (std::invalid_argument) and x
// be float32 or float64 (np::dtype_error). The book's keyword: F::dropout(x, {.dropout_ratio = 0.3}).
struct DropoutOptions {
  double dropout_ratio = 0.5;
};
Variable dropout(const Variable& x, DropoutOptions options = {});

// --- batch normalisation -----------------------------------------------------------------
// The book calls it batch_nrom. x is (N, C) or (N, C, H, W) (statistics per channel, over the
// batch and the image); gamma, beta, mean and var are (C,). In training (Config::train) x is
// normalised with its own mean and variance, and the running statistics `mean` and `var` are
// updated in place (they are handles: pass the BatchNorm layer's arrays):
//   mean = decay mean + (1 - decay) batch_mean,  var = decay var + (1 - decay) m/(m-1) batch_var
// with m values per channel. In test mode the running statistics normalise x. Its backward
// works in both modes (the book's fails in test mode). The book's keywords:
//   F::batch_norm(x, gamma, beta, mean, var, {.decay = 0.5, .eps = 1e-5})
struct BatchNormOptions {
  double decay = 0.9;
  double eps = 2e-5;
};
Variable batch_norm(const Variable& x, const Variable& gamma, const Variable& beta,
                    np::ndarray mean, np::ndarray var, BatchNormOptions options = {});

// The arithmetic of the core, re-exported as in the book's functions module.
using dezero::add;
using dezero::div;
using dezero::mul;
using dezero::neg;
using dezero::pow;
using dezero::rdiv;
using dezero::rsub;
using dezero::sub;

}  // namespace dezero::functions
