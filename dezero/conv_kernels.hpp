// dezero/conv_kernels: the array work behind the convolutions and pooling of
// dezero/functions_conv, on np::ndarray only. Nothing here knows of Variables or graphs: the
// Functions call these for their forward passes, so that a second backend (CUDA) can provide
// the same kernels under the same names.
//
// Images are NCHW. A convolution's weight W is (OC, C, KH, KW), a transposed convolution's
// (C, OC, KH, KW). Every function checks what it is given: shapes (np::shape_error naming
// them), dtypes (np::dtype_error: the products run in float32 or float64) and missing arrays
// (std::invalid_argument); the messages do not name the operation (the caller adds it).
//
// How it runs: a convolution is im2col (every receptive field of the input becomes a column
// of a matrix) followed by a matrix product through Eigen on the arrays' storage. The columns
// are laid out (C*KH*KW, output positions), so that W viewed as (OC, C*KH*KW) multiplies them
// as they are and the weight gradient multiplies by their transpose in place; they are made
// and multiplied in chunks of output rows that stay in the cache (one product per chunk), and
// the chunks are shared between the cores. col2im, pooling and their gradients are single
// loops over the image planes (both cores through OpenMP when the arrays are large).
#pragma once

#include <optional>

#include "dezero/conv_sizes.hpp"
#include "np/np.hpp"

namespace dezero::kernels {

using utils::Pair;

// The kernel size, stride and padding of a convolution or pooling.
struct ConvGeometry {
  Pair kernel_size{1}, stride{1}, pad{0};
};

// std::invalid_argument naming `fn` unless the kernel (when has_kernel) and the stride are at
// least 1 and the padding at least 0.
void check_geometry(const char* fn, const ConvGeometry& g, bool has_kernel = true);

// x must be a defined 4-D array; `what` names it in the message ("x", "gy") and `layout` says
// what its axes are.
void require_image(const np::ndarray& x, const char* what, const char* layout = "(N, C, H, W)");

// The output size (OH, OW) of a convolution or pooling of an image of shape img (N, C, H, W);
// np::shape_error when the kernel does not fit into the padded image.
Pair output_size(const np::Shape& img, const ConvGeometry& g);

// The shapes of a (transposed) convolution: x (N, C, H, W), W (OC, C, KH, KW) for a
// convolution or (C, OC, KH, KW) for a transposed one, b (OC,) or null.
void require_conv_inputs(const np::ndarray& x, const np::ndarray& W, const np::ndarray* b,
                         bool transposed);

// --- im2col / col2im -------------------------------------------------------------------------
// The receptive fields of img (N, C, H, W): (N, C, KH, KW, OH, OW), or with to_matrix
// (N*OH*OW, C*KH*KW) with rows in (N, OH, OW) order and columns in (C, KH, KW) order. The
// padding is zeros. Any dtype.
np::ndarray im2col(const np::ndarray& img, const ConvGeometry& g, bool to_matrix);
// The adjoint: adds every column back into an image of img_shape (N, C, H, W).
np::ndarray col2im(const np::ndarray& col, const np::Shape& img_shape, const ConvGeometry& g,
                   bool to_matrix);

// --- convolutions ----------------------------------------------------------------------------
// y (N, OC, OH, OW) = the correlation of x with W, plus b (null: none).
np::ndarray conv2d(const np::ndarray& x, const np::ndarray& W, const np::ndarray* b, Pair stride,
                   Pair pad);
// The transposed convolution: W is (C, OC, KH, KW); the output size is get_deconv_outsize's
// unless `outsize` is given, and must be one that a convolution maps back to x's (H, W).
np::ndarray deconv2d(const np::ndarray& x, const np::ndarray& W, const np::ndarray* b,
                     Pair stride, Pair pad, const std::optional<Pair>& outsize);
// The weight gradient gW (OC, C, KH, KW) of a convolution of x that gave the output gradient
// gy (N, OC, OH, OW). The threads' partial sums are added in a fixed order (no dependence on
// timing).
np::ndarray conv2d_grad_w(const np::ndarray& x, const np::ndarray& gy, const ConvGeometry& g);

// --- pooling ---------------------------------------------------------------------------------
// The maximum of each window of x (any dtype), padding counting as -infinity (the padding must
// be smaller than the kernel); `indexes` receives where each maximum was: (N, C, OH, OW) int64,
// kh * KW + kw, the first maximum in window order (NaN counts as the largest).
np::ndarray max_pooling(const np::ndarray& x, const ConvGeometry& g, np::ndarray& indexes);
// The gradient of max_pooling: gy (its output's shape) added at each window's maximum, into
// an array of input_shape and `dtype`.
np::ndarray max_pooling_grad(const np::ndarray& gy, const np::ndarray& indexes,
                             const np::Shape& input_shape, np::DType dtype, const ConvGeometry& g);
// The adjoint of max_pooling_grad: the values of x (input_shape) at the saved maxima.
np::ndarray max_pooling_gather(const np::ndarray& x, const np::ndarray& indexes,
                               const np::Shape& input_shape, const ConvGeometry& g);
// The mean of each window of x (float32 or float64); padding zeros count in the mean.
np::ndarray average_pooling(const np::ndarray& x, const ConvGeometry& g);
// Its gradient: gy / (KH KW) spread over each window, into an array of input_shape.
np::ndarray average_pooling_grad(const np::ndarray& gy, const np::Shape& input_shape,
                                 const ConvGeometry& g);

}  // namespace dezero::kernels
