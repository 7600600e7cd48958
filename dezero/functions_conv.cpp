#include "dezero/functions_conv.hpp"

#include <stdexcept>
#include <string>
#include <utility>

#include "dezero/conv_kernels.hpp"
#include "dezero/functions.hpp"

namespace dezero::functions {

using kernels::ConvGeometry;
using kernels::check_geometry;

// ===================================== the Function classes =================================

// The graph nodes (graph drawings show their names). Their constructors check the geometry:
// kernel and stride at least 1, padding at least 0 (std::invalid_argument otherwise); forward
// checks the shapes (np::shape_error naming them) and the dtypes (float32 or float64 for the
// products, np::dtype_error otherwise).
class Im2col : public UnaryFunction {
 public:
  Im2col(Pair kernel_size, Im2colOptions options)
      : g_{kernel_size, options.stride, options.pad}, to_matrix_(options.to_matrix) {
    check_geometry("im2col", g_);
  }
  np::ndarray forward(const np::ndarray& x) override {
    input_shape_ = x.shape();
    return kernels::im2col(x, g_, to_matrix_);
  }
  Variable backward(const Variable& gy) override {
    return col2im(gy, input_shape_, g_.kernel_size, {g_.stride, g_.pad, to_matrix_});
  }

 private:
  ConvGeometry g_;
  bool to_matrix_;
  np::Shape input_shape_;
};

class Col2im : public UnaryFunction {
 public:
  Col2im(np::Shape input_shape, Pair kernel_size, Im2colOptions options)
      : input_shape_(input_shape),
        g_{kernel_size, options.stride, options.pad},
        to_matrix_(options.to_matrix) {
    check_geometry("col2im", g_);
  }
  np::ndarray forward(const np::ndarray& x) override {
    return kernels::col2im(x, input_shape_, g_, to_matrix_);
  }
  Variable backward(const Variable& gy) override {
    return im2col(gy, g_.kernel_size, {g_.stride, g_.pad, to_matrix_});
  }

 private:
  np::Shape input_shape_;
  ConvGeometry g_;
  bool to_matrix_;
};

// Inputs x, W and optionally b (two or three inputs: the general form).
class Conv2d : public Function {
 public:
  explicit Conv2d(ConvOptions options) : stride_(options.stride), pad_(options.pad) {
    check_geometry("conv2d", {1, stride_, pad_}, false);
  }
  Arrays forward(const Arrays& xs) override;
  Variables backward(const Variables& gys) override;

 private:
  Pair stride_, pad_;
};

class Deconv2d : public Function {
 public:
  explicit Deconv2d(DeconvOptions options)
      : stride_(options.stride), pad_(options.pad), outsize_(options.outsize) {
    check_geometry("deconv2d", {1, stride_, pad_}, false);
  }
  Arrays forward(const Arrays& xs) override;
  Variables backward(const Variables& gys) override;

 private:
  Pair stride_, pad_;
  std::optional<Pair> outsize_;
};

// The weight gradient of a convolution: inputs (x, gy), output gW (OC, C, KH, KW) as the
// correlation of gy with the receptive fields of x. Its backward gives the gradients for x and
// gy from the gradient of gW (the book's reads gW itself there, which cannot work).
class Conv2DGradW : public BinaryFunction {
 public:
  Conv2DGradW(Pair kernel_size, Pair stride, Pair pad) : g_{kernel_size, stride, pad} {
    check_geometry("Conv2DGradW", g_);
  }
  np::ndarray forward(const np::ndarray& x, const np::ndarray& gy) override {
    return kernels::conv2d_grad_w(x, gy, g_);
  }
  Gradients backward(const Variable& ggW) override;

 private:
  ConvGeometry g_;
};

class Pooling : public UnaryFunction {
 public:
  Pooling(Pair kernel_size, PoolingOptions options);
  np::ndarray forward(const np::ndarray& x) override;
  Variable backward(const Variable& gy) override;

 private:
  ConvGeometry g_;
  np::Shape input_shape_;
  np::ndarray indexes_;  // where each window's maximum was: (N, C, OH, OW) int64, kh * KW + kw
};

class AveragePooling : public UnaryFunction {
 public:
  AveragePooling(Pair kernel_size, PoolingOptions options)
      : g_{kernel_size, options.stride, options.pad} {
    check_geometry("average_pooling", g_);
  }
  np::ndarray forward(const np::ndarray& x) override;
  Variable backward(const Variable& gy) override;

 private:
  ConvGeometry g_;
  np::Shape input_shape_;
};

// ===================================== im2col / col2im arrays ===============================

np::ndarray im2col_array(const np::ndarray& img, Pair kernel_size, Im2colOptions options) {
  const ConvGeometry cg{kernel_size, options.stride, options.pad};
  check_geometry("im2col", cg);
  try {
    return kernels::im2col(img, cg, options.to_matrix);
  } catch (const np::shape_error& e) {
    throw np::shape_error(std::string("im2col: ") + e.what());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("im2col: ") + e.what());
  }
}

np::ndarray col2im_array(const np::ndarray& col, const np::Shape& img_shape, Pair kernel_size,
                         Im2colOptions options) {
  const ConvGeometry cg{kernel_size, options.stride, options.pad};
  check_geometry("col2im", cg);
  try {
    return kernels::col2im(col, img_shape, cg, options.to_matrix);
  } catch (const np::shape_error& e) {
    throw np::shape_error(std::string("col2im: ") + e.what());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("col2im: ") + e.what());
  }
}

// ===================================== Im2col / Col2im ======================================

Variable im2col(const Variable& x, Pair kernel_size, Im2colOptions options) {
  return call<Im2col>({x}, kernel_size, options);
}

Variable col2im(const Variable& x, const np::Shape& input_shape, Pair kernel_size,
                Im2colOptions options) {
  return call<Col2im>({x}, input_shape, kernel_size, options);
}

// ===================================== Conv2d ===============================================

namespace {

Pair kernel_of(const Variable& W) { return Pair(W.shape()[2], W.shape()[3]); }
Pair image_size(const Variable& x) { return Pair(x.shape()[2], x.shape()[3]); }

// A convolution node with inputs x, W and b, or x and W when b is None.
template <class Node, class Options>
Variable call_with_bias(const Variable& x, const Variable& W, const Variable& b, Options options) {
  if (!b) return call<Node>({x, W}, options);
  return call<Node>({x, W, b}, options);
}

// The gradients for x and W, and for b (gy summed over all but the channels) when there is one.
Variables with_bias_grad(const Function& f, Variable gx, Variable gW, const Variable& gy) {
  if (f.inputs().size() == 2) return {std::move(gx), std::move(gW)};
  Variable gb = f.needs_input_grad(2) ? gy.sum({0, 2, 3}) : Variable();
  return {std::move(gx), std::move(gW), std::move(gb)};
}

}  // namespace

Arrays Conv2d::forward(const Arrays& xs) {
  return {kernels::conv2d(xs[0], xs[1], xs.size() > 2 ? &xs[2] : nullptr, stride_, pad_)};
}

Variables Conv2d::backward(const Variables& gys) {
  const Variable &x = input(0), &W = input(1), &gy = gys[0];
  // The batch a model was called on needs no gradient (Function::needs_input_grad): the
  // first layer's deconvolution is skipped.
  Variable gx, gW;
  if (needs_input_grad(0)) {
    gx = deconv2d(gy, W, {}, {.stride = stride_, .pad = pad_, .outsize = image_size(x)});
  }
  if (needs_input_grad(1)) gW = call<Conv2DGradW>({x, gy}, kernel_of(W), stride_, pad_);
  return with_bias_grad(*this, std::move(gx), std::move(gW), gy);
}

Variable conv2d(const Variable& x, const Variable& W, const Variable& b, ConvOptions options) {
  return call_with_bias<Conv2d>(x, W, b, options);
}

Arrays Deconv2d::forward(const Arrays& xs) {
  return {
      kernels::deconv2d(xs[0], xs[1], xs.size() > 2 ? &xs[2] : nullptr, stride_, pad_, outsize_)};
}

Variables Deconv2d::backward(const Variables& gys) {
  const Variable &x = input(0), &W = input(1), &gy = gys[0];
  Variable gx, gW;
  if (needs_input_grad(0)) gx = conv2d(gy, W, {}, {.stride = stride_, .pad = pad_});
  if (needs_input_grad(1)) gW = call<Conv2DGradW>({gy, x}, kernel_of(W), stride_, pad_);
  return with_bias_grad(*this, std::move(gx), std::move(gW), gy);
}

Variable deconv2d(const Variable& x, const Variable& W, const Variable& b, DeconvOptions options) {
  return call_with_bias<Deconv2d>(x, W, b, options);
}

Conv2DGradW::Gradients Conv2DGradW::backward(const Variable& ggW) {
  // gW is bilinear in (x, gy): its gradient ggW correlates back into each of them.
  const Variable &x = x0(), &gy = x1();
  return {deconv2d(gy, ggW, {}, {.stride = g_.stride, .pad = g_.pad, .outsize = image_size(x)}),
          conv2d(x, ggW, {}, {.stride = g_.stride, .pad = g_.pad})};
}

// ===================================== conv2d_simple ========================================

Variable conv2d_simple(const Variable& x, const Variable& W, const Variable& b,
                       ConvOptions options) {
  const auto [stride, pad] = options;
  check_geometry("conv2d_simple", {1, stride, pad}, false);
  Pair out{0};
  try {
    kernels::require_conv_inputs(x.data(), W.data(), b ? &b.data() : nullptr, false);
    out = kernels::output_size(x.shape(), {kernel_of(W), stride, pad});
  } catch (const np::shape_error& e) {
    throw np::shape_error(std::string("conv2d_simple: ") + e.what());
  }
  const std::int64_t OC = W.shape()[0];
  const Variable col = im2col(x, kernel_of(W), {.stride = stride, .pad = pad, .to_matrix = true});
  const Variable weight = W.reshape({OC, -1}).transpose();
  const Variable t = linear(col, weight, b);
  return t.reshape({x.shape()[0], out.h, out.w, OC}).transpose({0, 3, 1, 2});
}

// ===================================== pooling ==============================================

namespace {
struct PoolingState {
  ConvGeometry cg;
  np::Shape input_shape;
  np::DType dtype;
  np::ndarray indexes;
};

// The backward of Pooling: the gradient goes to each window's maximum.
class Pooling2DGrad : public UnaryFunction {
 public:
  explicit Pooling2DGrad(PoolingState s) : s_(std::move(s)) {}
  np::ndarray forward(const np::ndarray& gy) override {
    // (in the input's dtype, as the book's)
    return kernels::max_pooling_grad(gy, s_.indexes, s_.input_shape, s_.dtype, s_.cg);
  }
  Variable backward(const Variable& ggx) override;

 private:
  PoolingState s_;
};

// Pooling2DGrad's backward: the values at the saved maxima.
class Pooling2DWithIndexes : public UnaryFunction {
 public:
  explicit Pooling2DWithIndexes(PoolingState s) : s_(std::move(s)) {}
  np::ndarray forward(const np::ndarray& x) override {
    return kernels::max_pooling_gather(x, s_.indexes, s_.input_shape, s_.cg);
  }
  // The adjoint again (the book has none).
  Variable backward(const Variable& gy) override {
    PoolingState s = s_;
    s.dtype = gy.dtype();
    return call<Pooling2DGrad>({gy}, std::move(s));
  }

 private:
  PoolingState s_;
};

Variable Pooling2DGrad::backward(const Variable& ggx) {
  return call<Pooling2DWithIndexes>({ggx}, s_);
}

// The backward of AveragePooling; its own backward is average pooling again.
class AveragePooling2DGrad : public UnaryFunction {
 public:
  AveragePooling2DGrad(ConvGeometry cg, np::Shape input_shape)
      : cg_(cg), input_shape_(input_shape) {}
  np::ndarray forward(const np::ndarray& gy) override {
    return kernels::average_pooling_grad(gy, input_shape_, cg_);
  }
  Variable backward(const Variable& ggx) override {
    return average_pooling(ggx, cg_.kernel_size, {.stride = cg_.stride, .pad = cg_.pad});
  }

 private:
  ConvGeometry cg_;
  np::Shape input_shape_;
};

}  // namespace

Pooling::Pooling(Pair kernel_size, PoolingOptions options)
    : g_{kernel_size, options.stride, options.pad} {
  check_geometry("pooling", g_);
  const Pair pad = options.pad;
  if (pad.h >= kernel_size.h || pad.w >= kernel_size.w) {
    throw std::invalid_argument("pooling: pad " + pad.str() + " must be smaller than kernel_size " +
                                kernel_size.str() +
                                ", or a window could lie wholly in the padding");
  }
}

np::ndarray Pooling::forward(const np::ndarray& x) {
  np::ndarray y = kernels::max_pooling(x, g_, indexes_);
  input_shape_ = x.shape();
  return y;
}

Variable Pooling::backward(const Variable& gy) {
  return call<Pooling2DGrad>({gy}, PoolingState{g_, input_shape_, x().dtype(), indexes_});
}

Variable pooling(const Variable& x, Pair kernel_size, PoolingOptions options) {
  return call<Pooling>({x}, kernel_size, options);
}

Variable pooling_simple(const Variable& x, Pair kernel_size, PoolingOptions options) {
  const auto [stride, pad] = options;
  const ConvGeometry cg{kernel_size, stride, pad};
  check_geometry("pooling_simple", cg);
  Pair out{0};
  try {
    kernels::require_image(x.data(), "x");
    out = kernels::output_size(x.shape(), cg);
  } catch (const np::shape_error& e) {
    throw np::shape_error(std::string("pooling_simple: ") + e.what());
  }
  Variable col = im2col(x, kernel_size, {.stride = stride, .pad = pad, .to_matrix = true});
  col = col.reshape({-1, kernel_size.h * kernel_size.w});
  const Variable y = col.max(1);
  return y.reshape({x.shape()[0], out.h, out.w, x.shape()[1]}).transpose({0, 3, 1, 2});
}

np::ndarray AveragePooling::forward(const np::ndarray& x_in) {
  // NumPy's mean of integers or booleans is float64.
  const np::ndarray x =
      np::is_floating(x_in.dtype()) || !x_in.defined() ? x_in : x_in.astype(np::float64);
  np::ndarray y = kernels::average_pooling(x, g_);
  input_shape_ = x.shape();
  return y;
}

Variable AveragePooling::backward(const Variable& gy) {
  return call<AveragePooling2DGrad>({gy}, g_, input_shape_);
}

Variable average_pooling(const Variable& x, Pair kernel_size, PoolingOptions options) {
  return call<AveragePooling>({x}, kernel_size, options);
}

}  // namespace dezero::functions
