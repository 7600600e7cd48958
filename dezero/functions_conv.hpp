// dezero/functions_conv: convolution, pooling and batch normalisation (the book's
// functions_conv.py, and batch_nrom from functions.py), in the same namespace as the other
// functions:
//   namespace F = dezero::functions;
//   auto y = F::conv2d(x, W, b, /*stride=*/1, /*pad=*/1);
//   auto z = F::pooling(F::relu(y), 2, 2);
//
// Images are NCHW. A convolution's weight W is (OC, C, KH, KW), a transposed convolution's
// (C, OC, KH, KW). A kernel size, stride or padding is one number for both image axes or a
// pair {height, width} (utils::Pair).
//
// How it runs: a convolution is im2col (every receptive field of the input becomes a column
// of a matrix) followed by a matrix product through Eigen on the arrays' storage. The columns
// are laid out (C*KH*KW, output positions), so that W viewed as (OC, C*KH*KW) multiplies them
// as they are and the weight gradient multiplies by their transpose in place; they are made
// and multiplied in chunks of output rows that stay in the cache (one product per chunk), and
// the chunks are shared between the cores. col2im, pooling and their gradients are single
// loops over the image planes (both cores through OpenMP when the arrays are large).
#pragma once

#include <cstdint>
#include <optional>

#include "dezero/core.hpp"
#include "dezero/utils.hpp"

namespace dezero::functions {

using utils::Pair;

// --- im2col / col2im on arrays ---------------------------------------------------------------
// The receptive fields of img (N, C, H, W): (N, C, KH, KW, OH, OW), or with to_matrix
// (N*OH*OW, C*KH*KW) with rows in (N, OH, OW) order and columns in (C, KH, KW) order, where
// OH = (H + 2 PH - KH) // SH + 1 (utils::get_conv_outsize). The padding is zeros.
np::ndarray im2col_array(const np::ndarray& img, Pair kernel_size, Pair stride = 1, Pair pad = 0,
                         bool to_matrix = true);
// The adjoint of im2col_array: adds every column back into an image of img_shape (N, C, H, W);
// positions covered by several receptive fields receive the sum, and the padding is cut off.
np::ndarray col2im_array(const np::ndarray& col, const np::Shape& img_shape, Pair kernel_size,
                         Pair stride = 1, Pair pad = 0, bool to_matrix = true);

// --- im2col / col2im as functions --------------------------------------------------------------
// Differentiable forms ("Im2col", "Col2im"); each one's backward is the other.
Variable im2col(const Variable& x, Pair kernel_size, Pair stride = 1, Pair pad = 0,
                bool to_matrix = true);
Variable col2im(const Variable& x, const np::Shape& input_shape, Pair kernel_size,
                Pair stride = 1, Pair pad = 0, bool to_matrix = true);

// --- convolutions ----------------------------------------------------------------------------
// The book's first version, made of Im2col, Reshape, Transpose and Linear nodes: x (N, C, H, W),
// W (OC, C, KH, KW), b (OC,) or None; y (N, OC, OH, OW).
Variable conv2d_simple(const Variable& x, const Variable& W, const Variable& b = {},
                       Pair stride = 1, Pair pad = 0);
// The same as one "Conv2d" node. Its backward is made of deconv2d (for x), Conv2DGradW (for
// W) and a sum (for b), all differentiable, so double backpropagation works.
Variable conv2d(const Variable& x, const Variable& W, const Variable& b = {}, Pair stride = 1,
                Pair pad = 0);
// Transposed convolution ("Deconv2d"): x (N, C, H, W), W (C, OC, KH, KW), b (OC,) or None;
// y (N, OC, OH, OW) with OH = SH (H - 1) + KH - 2 PH (utils::get_deconv_outsize) unless
// `outsize` is given; an outsize must be one that a convolution of the same geometry maps back
// to (H, W) (several can, when the stride is larger than 1).
Variable deconv2d(const Variable& x, const Variable& W, const Variable& b = {}, Pair stride = 1,
                  Pair pad = 0, std::optional<Pair> outsize = std::nullopt);

// --- pooling ---------------------------------------------------------------------------------
// Max pooling from Im2col, Reshape, Max and Transpose nodes (the book's first version). Its
// padding is im2col's zeros, as in the book.
Variable pooling_simple(const Variable& x, Pair kernel_size, Pair stride = 1, Pair pad = 0);
// Max pooling as one "Pooling" node, which keeps the position of each window's maximum
// (indexes(): (N, C, OH, OW) int64 in [0, KH*KW), the first maximum in window order). Padding
// counts as -infinity, as in PyTorch and Chainer (the book pads with zeros, so that a window of
// negative values that overlaps the padding gives 0); so the padding must be smaller than the
// kernel, or a window could lie wholly in it.
Variable pooling(const Variable& x, Pair kernel_size, Pair stride = 1, Pair pad = 0);
// The mean of each window ("AveragePooling"); padding zeros count in the mean, as in the book.
// Kernels need not be square (the book's backward swaps KH and KW and fails on them).
Variable average_pooling(const Variable& x, Pair kernel_size, Pair stride = 1, Pair pad = 0);

// --- batch normalisation -----------------------------------------------------------------------
// The book calls it batch_nrom. x is (N, C) or (N, C, H, W) (statistics per channel, over the
// batch and the image); gamma, beta, mean and var are (C,). In training (Config::train) x is
// normalised with its own mean and variance, and the running statistics `mean` and `var` are
// updated in place (they are handles: pass the BatchNorm layer's arrays):
//   mean = decay mean + (1 - decay) batch_mean,  var = decay var + (1 - decay) m/(m-1) batch_var
// with m values per channel. In test mode the running statistics normalise x. Its backward
// works in both modes (the book's fails in test mode).
Variable batch_norm(const Variable& x, const Variable& gamma, const Variable& beta,
                    np::ndarray mean, np::ndarray var, double decay = 0.9, double eps = 2e-5);

// --- the Function classes behind them ------------------------------------------------------
// The graph nodes, for code that wants to look inside a graph (graph drawings show these
// names). Their constructors check the geometry: kernel and stride at least 1, padding at
// least 0 (std::invalid_argument otherwise); forward checks the shapes (np::shape_error naming
// them) and the dtypes (float32 or float64 for the products, np::dtype_error otherwise).
struct ConvGeometry {
  Pair kernel_size{1}, stride{1}, pad{0};
};

class Im2col : public Function {
 public:
  Im2col(Pair kernel_size, Pair stride, Pair pad, bool to_matrix);
  std::string name() const override { return "Im2col"; }
  Arrays forward(const Arrays& xs) override;
  Variables backward(const Variables& gys) override;

 private:
  ConvGeometry g_;
  bool to_matrix_;
  np::Shape input_shape_;
};

class Col2im : public Function {
 public:
  Col2im(np::Shape input_shape, Pair kernel_size, Pair stride, Pair pad, bool to_matrix);
  std::string name() const override { return "Col2im"; }
  Arrays forward(const Arrays& xs) override;
  Variables backward(const Variables& gys) override;

 private:
  np::Shape input_shape_;
  ConvGeometry g_;
  bool to_matrix_;
};

// Inputs x, W and optionally b (two or three inputs).
class Conv2d : public Function {
 public:
  Conv2d(Pair stride, Pair pad);
  std::string name() const override { return "Conv2d"; }
  Arrays forward(const Arrays& xs) override;
  Variables backward(const Variables& gys) override;
  Pair stride() const { return stride_; }
  Pair pad() const { return pad_; }

 private:
  Pair stride_, pad_;
};

class Deconv2d : public Function {
 public:
  Deconv2d(Pair stride, Pair pad, std::optional<Pair> outsize);
  std::string name() const override { return "Deconv2d"; }
  Arrays forward(const Arrays& xs) override;
  Variables backward(const Variables& gys) override;
  Pair stride() const { return stride_; }
  Pair pad() const { return pad_; }

 private:
  Pair stride_, pad_;
  std::optional<Pair> outsize_;
};

// The weight gradient of a convolution: inputs (x, gy), output gW (OC, C, KH, KW) as the
// correlation of gy with the receptive fields of x. Its backward gives the gradients for x and
// gy from the gradient of gW (the book's reads gW itself there, which cannot work).
class Conv2DGradW : public Function {
 public:
  Conv2DGradW(Pair kernel_size, Pair stride, Pair pad);
  std::string name() const override { return "Conv2DGradW"; }
  Arrays forward(const Arrays& xs) override;
  Variables backward(const Variables& gys) override;

 private:
  ConvGeometry g_;
};

class Pooling : public Function {
 public:
  Pooling(Pair kernel_size, Pair stride, Pair pad);
  std::string name() const override { return "Pooling"; }
  Arrays forward(const Arrays& xs) override;
  Variables backward(const Variables& gys) override;
  // Where each window's maximum was: (N, C, OH, OW) int64, kh * KW + kw.
  const np::ndarray& indexes() const { return indexes_; }

 private:
  ConvGeometry g_;
  np::Shape input_shape_;
  np::ndarray indexes_;
};

class AveragePooling : public Function {
 public:
  AveragePooling(Pair kernel_size, Pair stride, Pair pad);
  std::string name() const override { return "AveragePooling"; }
  Arrays forward(const Arrays& xs) override;
  Variables backward(const Variables& gys) override;

 private:
  ConvGeometry g_;
  np::Shape input_shape_;
};

// Inputs x, gamma, beta; the running statistics are held (and updated) as arrays.
class BatchNorm : public Function {
 public:
  BatchNorm(np::ndarray mean, np::ndarray var, double decay, double eps);
  std::string name() const override { return "BatchNorm"; }
  Arrays forward(const Arrays& xs) override;
  Variables backward(const Variables& gys) override;

 private:
  np::ndarray avg_mean_, avg_var_;
  double decay_, eps_;
  bool trained_ = true;  // which statistics forward used
  np::ndarray mean_, inv_std_;  // those statistics, for backward
};

}  // namespace dezero::functions
