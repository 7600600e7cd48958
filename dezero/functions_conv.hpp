// dezero/functions_conv: convolution and pooling (the book's functions_conv.py), in the same
// namespace as the other functions:
//   namespace F = dezero::functions;
//   auto y = F::conv2d(x, W, b, {.stride = 1, .pad = 1});
//   auto z = F::pooling(F::relu(y), 2, {.stride = 2});
//
// Images are NCHW. A convolution's weight W is (OC, C, KH, KW), a transposed convolution's
// (C, OC, KH, KW). A kernel size, stride or padding is one number for both image axes or a
// pair {height, width} (utils::Pair). What the book passes by keyword, or may leave at its
// default, goes in an options struct by name (C++20 designated initialisers, in declaration
// order); what it always passes by position stays a parameter.
//
// The graph nodes are named as in the book ("Conv2d", "Deconv2d", "Conv2DGradW", "Im2col",
// "Col2im", "Pooling", "AveragePooling", and their gradients' nodes); graph drawings show these
// names. Bad geometry (kernel or stride below 1, negative padding) is std::invalid_argument,
// bad shapes np::shape_error naming them, bad dtypes np::dtype_error (the products run in
// float32 or float64). The array work (im2col, the blocked products, pooling) is in
// dezero/conv_kernels, which knows nothing of Variables.
#pragma once

#include <cstdint>
#include <optional>

#include "dezero/conv_sizes.hpp"
#include "dezero/core.hpp"

namespace dezero::functions {

using utils::Pair;

// The keyword arguments of conv2d and conv2d_simple, F::conv2d(x, W, b, {.stride = 2, .pad = 1}),
// and of the poolings, F::pooling(x, 2, {.stride = 2}) (a window slides the same way).
struct ConvOptions {
  Pair stride = 1;
  Pair pad = 0;
};
using PoolingOptions = ConvOptions;
// deconv2d's, with the output size: F::deconv2d(x, W, b, {.stride = 2, .outsize = {{28, 28}}}).
struct DeconvOptions {
  Pair stride = 1;
  Pair pad = 0;
  std::optional<Pair> outsize = std::nullopt;  // none: SH (H - 1) + KH - 2 PH
};
// im2col's and col2im's (and their array forms):
// F::im2col(x, 5, {.stride = 1, .pad = 0, .to_matrix = true}).
struct Im2colOptions {
  Pair stride = 1;
  Pair pad = 0;
  bool to_matrix = true;
};

// --- im2col / col2im on arrays ---------------------------------------------------------------
// The receptive fields of img (N, C, H, W): (N, C, KH, KW, OH, OW), or with to_matrix
// (N*OH*OW, C*KH*KW) with rows in (N, OH, OW) order and columns in (C, KH, KW) order, where
// OH = (H + 2 PH - KH) // SH + 1 (utils::get_conv_outsize). The padding is zeros.
np::ndarray im2col_array(const np::ndarray& img, Pair kernel_size, Im2colOptions options = {});
// The adjoint of im2col_array: adds every column back into an image of img_shape (N, C, H, W);
// positions covered by several receptive fields receive the sum, and the padding is cut off.
np::ndarray col2im_array(const np::ndarray& col, const np::Shape& img_shape, Pair kernel_size,
                         Im2colOptions options = {});

// --- im2col / col2im as functions --------------------------------------------------------------
// Differentiable forms ("Im2col", "Col2im"); each one's backward is the other.
Variable im2col(const Variable& x, Pair kernel_size, Im2colOptions options = {});
Variable col2im(const Variable& x, const np::Shape& input_shape, Pair kernel_size,
                Im2colOptions options = {});

// --- convolutions ----------------------------------------------------------------------------
// The book's first version, made of Im2col, Reshape, Transpose and Linear nodes: x (N, C, H, W),
// W (OC, C, KH, KW), b (OC,) or None; y (N, OC, OH, OW).
Variable conv2d_simple(const Variable& x, const Variable& W, const Variable& b = {},
                       ConvOptions options = {});
// The same as one "Conv2d" node. Its backward is made of deconv2d (for x), Conv2DGradW (for
// W) and a sum (for b), all differentiable, so double backpropagation works.
Variable conv2d(const Variable& x, const Variable& W, const Variable& b = {},
                ConvOptions options = {});
// Transposed convolution ("Deconv2d"): x (N, C, H, W), W (C, OC, KH, KW), b (OC,) or None;
// y (N, OC, OH, OW) with OH = SH (H - 1) + KH - 2 PH (utils::get_deconv_outsize) unless
// `outsize` is given; an outsize must be one that a convolution of the same geometry maps back
// to (H, W) (several can, when the stride is larger than 1).
Variable deconv2d(const Variable& x, const Variable& W, const Variable& b = {},
                  DeconvOptions options = {});

// --- pooling ---------------------------------------------------------------------------------
// Max pooling from Im2col, Reshape, Max and Transpose nodes (the book's first version). Its
// padding is im2col's zeros, as in the book.
Variable pooling_simple(const Variable& x, Pair kernel_size, PoolingOptions options = {});
// Max pooling as one "Pooling" node, which keeps the position of each window's maximum
// (its indexes: (N, C, OH, OW) int64 in [0, KH*KW), the first maximum in window order). Padding
// counts as -infinity, as in PyTorch and Chainer (the book pads with zeros, so that a window of
// negative values that overlaps the padding gives 0); so the padding must be smaller than the
// kernel, or a window could lie wholly in it.
Variable pooling(const Variable& x, Pair kernel_size, PoolingOptions options = {});
// The mean of each window ("AveragePooling"); padding zeros count in the mean, as in the book.
// Kernels need not be square (the book's backward swaps KH and KW and fails on them).
Variable average_pooling(const Variable& x, Pair kernel_size, PoolingOptions options = {});

}  // namespace dezero::functions
