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

// The graph nodes, for code that wants to look inside a graph (graph drawings show these
// names). Their constructors check the geometry: kernel and stride at least 1, padding at
// least 0 (std::invalid_argument otherwise); forward checks the shapes (np::shape_error naming
// them) and the dtypes (float32 or float64 for the products, np::dtype_error otherwise).
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

// ===================================== im2col / col2im arrays ===============================

np::ndarray im2col_array(const np::ndarray& img, Pair kernel_size, Pair stride, Pair pad,
                         bool to_matrix) {
  const ConvGeometry cg{kernel_size, stride, pad};
  check_geometry("im2col", cg);
  try {
    return kernels::im2col(img, cg, to_matrix);
  } catch (const np::shape_error& e) {
    throw np::shape_error(std::string("im2col: ") + e.what());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("im2col: ") + e.what());
  }
}

np::ndarray col2im_array(const np::ndarray& col, const np::Shape& img_shape, Pair kernel_size,
                         Pair stride, Pair pad, bool to_matrix) {
  const ConvGeometry cg{kernel_size, stride, pad};
  check_geometry("col2im", cg);
  try {
    return kernels::col2im(col, img_shape, cg, to_matrix);
  } catch (const np::shape_error& e) {
    throw np::shape_error(std::string("col2im: ") + e.what());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("col2im: ") + e.what());
  }
}

// ===================================== Im2col / Col2im ======================================

Im2col::Im2col(Pair kernel_size, Pair stride, Pair pad, bool to_matrix)
    : g_{kernel_size, stride, pad}, to_matrix_(to_matrix) {
  check_geometry("im2col", g_);
}

Arrays Im2col::forward(const Arrays& xs) {
  input_shape_ = xs[0].shape();
  return {kernels::im2col(xs[0], g_, to_matrix_)};
}

Variables Im2col::backward(const Variables& gys) {
  return {col2im(gys[0], input_shape_, g_.kernel_size, g_.stride, g_.pad, to_matrix_)};
}

Col2im::Col2im(np::Shape input_shape, Pair kernel_size, Pair stride, Pair pad, bool to_matrix)
    : input_shape_(input_shape), g_{kernel_size, stride, pad}, to_matrix_(to_matrix) {
  check_geometry("col2im", g_);
}

Arrays Col2im::forward(const Arrays& xs) {
  return {kernels::col2im(xs[0], input_shape_, g_, to_matrix_)};
}

Variables Col2im::backward(const Variables& gys) {
  return {im2col(gys[0], g_.kernel_size, g_.stride, g_.pad, to_matrix_)};
}

Variable im2col(const Variable& x, Pair kernel_size, Pair stride, Pair pad, bool to_matrix) {
  return call<Im2col>({x}, kernel_size, stride, pad, to_matrix);
}

Variable col2im(const Variable& x, const np::Shape& input_shape, Pair kernel_size, Pair stride,
                Pair pad, bool to_matrix) {
  return call<Col2im>({x}, input_shape, kernel_size, stride, pad, to_matrix);
}

// ===================================== Conv2d ===============================================

namespace {

Pair kernel_of(const Variable& W) { return Pair(W.shape()[2], W.shape()[3]); }

}  // namespace

Conv2d::Conv2d(Pair stride, Pair pad) : stride_(stride), pad_(pad) {
  check_geometry("conv2d", {1, stride, pad}, false);
}

Arrays Conv2d::forward(const Arrays& xs) {
  return {kernels::conv2d(xs[0], xs[1], xs.size() > 2 ? &xs[2] : nullptr, stride_, pad_)};
}

Variables Conv2d::backward(const Variables& gys) {
  const Variable &x = input(0), &W = input(1), &gy = gys[0];
  Variables gxs{deconv2d(gy, W, {}, stride_, pad_, Pair(x.shape()[2], x.shape()[3])),
                call<Conv2DGradW>({x, gy}, kernel_of(W), stride_, pad_)};
  if (inputs().size() == 3) gxs.push_back(gy.sum({0, 2, 3}));
  return gxs;
}

Variable conv2d(const Variable& x, const Variable& W, const Variable& b, Pair stride, Pair pad) {
  if (!b) return call<Conv2d>({x, W}, stride, pad);
  return call<Conv2d>({x, W, b}, stride, pad);
}

Deconv2d::Deconv2d(Pair stride, Pair pad, std::optional<Pair> outsize)
    : stride_(stride), pad_(pad), outsize_(outsize) {
  check_geometry("deconv2d", {1, stride, pad}, false);
}

Arrays Deconv2d::forward(const Arrays& xs) {
  return {kernels::deconv2d(xs[0], xs[1], xs.size() > 2 ? &xs[2] : nullptr, stride_, pad_, outsize_)};
}

Variables Deconv2d::backward(const Variables& gys) {
  const Variable &x = input(0), &W = input(1), &gy = gys[0];
  Variables gxs{conv2d(gy, W, {}, stride_, pad_),
                call<Conv2DGradW>({gy, x}, kernel_of(W), stride_, pad_)};
  if (inputs().size() == 3) gxs.push_back(gy.sum({0, 2, 3}));
  return gxs;
}

Variable deconv2d(const Variable& x, const Variable& W, const Variable& b, Pair stride, Pair pad,
                  std::optional<Pair> outsize) {
  if (!b) return call<Deconv2d>({x, W}, stride, pad, outsize);
  return call<Deconv2d>({x, W, b}, stride, pad, outsize);
}

Conv2DGradW::Conv2DGradW(Pair kernel_size, Pair stride, Pair pad) : g_{kernel_size, stride, pad} {
  check_geometry("Conv2DGradW", g_);
}

Arrays Conv2DGradW::forward(const Arrays& xs) { return {kernels::conv2d_grad_w(xs[0], xs[1], g_)}; }

Variables Conv2DGradW::backward(const Variables& gys) {
  // gW is bilinear in (x, gy): its gradient ggW correlates back into each of them.
  const Variable &x = input(0), &gy = input(1), &ggW = gys[0];
  return {deconv2d(gy, ggW, {}, g_.stride, g_.pad, Pair(x.shape()[2], x.shape()[3])),
          conv2d(x, ggW, {}, g_.stride, g_.pad)};
}

// ===================================== conv2d_simple ========================================

Variable conv2d_simple(const Variable& x, const Variable& W, const Variable& b, Pair stride,
                       Pair pad) {
  check_geometry("conv2d_simple", {1, stride, pad}, false);
  Pair out{0};
  try {
    kernels::require_conv_inputs(x.data(), W.data(), b ? &b.data() : nullptr, false);
    out = kernels::output_size(x.shape(), {kernel_of(W), stride, pad});
  } catch (const np::shape_error& e) {
    throw np::shape_error(std::string("conv2d_simple: ") + e.what());
  }
  const std::int64_t OC = W.shape()[0];
  const Variable col = im2col(x, kernel_of(W), stride, pad, true);
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
class Pooling2DGrad : public Function {
 public:
  explicit Pooling2DGrad(PoolingState s) : s_(std::move(s)) {}
  std::string name() const override { return "Pooling2DGrad"; }
  Arrays forward(const Arrays& xs) override {
    // (in the input's dtype, as the book's)
    return {kernels::max_pooling_grad(xs[0], s_.indexes, s_.input_shape, s_.dtype, s_.cg)};
  }
  Variables backward(const Variables& gys) override;

 private:
  PoolingState s_;
};

// Pooling2DGrad's backward: the values at the saved maxima.
class Pooling2DWithIndexes : public Function {
 public:
  explicit Pooling2DWithIndexes(PoolingState s) : s_(std::move(s)) {}
  std::string name() const override { return "Pooling2DWithIndexes"; }
  Arrays forward(const Arrays& xs) override {
    return {kernels::max_pooling_gather(xs[0], s_.indexes, s_.input_shape, s_.cg)};
  }
  // The adjoint again (the book has none).
  Variables backward(const Variables& gys) override {
    PoolingState s = s_;
    s.dtype = gys[0].dtype();
    return {call<Pooling2DGrad>({gys[0]}, std::move(s))};
  }

 private:
  PoolingState s_;
};

Variables Pooling2DGrad::backward(const Variables& gys) {
  return {call<Pooling2DWithIndexes>({gys[0]}, s_)};
}

// The backward of AveragePooling; its own backward is average pooling again.
class AveragePooling2DGrad : public Function {
 public:
  AveragePooling2DGrad(ConvGeometry cg, np::Shape input_shape)
      : cg_(cg), input_shape_(input_shape) {}
  std::string name() const override { return "AveragePooling2DGrad"; }
  Arrays forward(const Arrays& xs) override {
    return {kernels::average_pooling_grad(xs[0], input_shape_, cg_)};
  }
  Variables backward(const Variables& gys) override {
    return {average_pooling(gys[0], cg_.kernel_size, cg_.stride, cg_.pad)};
  }

 private:
  ConvGeometry cg_;
  np::Shape input_shape_;
};

}  // namespace

Pooling::Pooling(Pair kernel_size, Pair stride, Pair pad) : g_{kernel_size, stride, pad} {
  check_geometry("pooling", g_);
  if (pad.h >= kernel_size.h || pad.w >= kernel_size.w) {
    throw std::invalid_argument("pooling: pad " + pad.str() + " must be smaller than kernel_size " +
                                kernel_size.str() +
                                ", or a window could lie wholly in the padding");
  }
}

Arrays Pooling::forward(const Arrays& xs) {
  np::ndarray y = kernels::max_pooling(xs[0], g_, indexes_);
  input_shape_ = xs[0].shape();
  return {y};
}

Variables Pooling::backward(const Variables& gys) {
  return {call<Pooling2DGrad>({gys[0]}, PoolingState{g_, input_shape_, input(0).dtype(), indexes_})};
}

Variable pooling(const Variable& x, Pair kernel_size, Pair stride, Pair pad) {
  return call<Pooling>({x}, kernel_size, stride, pad);
}

Variable pooling_simple(const Variable& x, Pair kernel_size, Pair stride, Pair pad) {
  const ConvGeometry cg{kernel_size, stride, pad};
  check_geometry("pooling_simple", cg);
  Pair out{0};
  try {
    kernels::require_image(x.data(), "x");
    out = kernels::output_size(x.shape(), cg);
  } catch (const np::shape_error& e) {
    throw np::shape_error(std::string("pooling_simple: ") + e.what());
  }
  Variable col = im2col(x, kernel_size, stride, pad, true);
  col = col.reshape({-1, kernel_size.h * kernel_size.w});
  const Variable y = col.max(1);
  return y.reshape({x.shape()[0], out.h, out.w, x.shape()[1]}).transpose({0, 3, 1, 2});
}

AveragePooling::AveragePooling(Pair kernel_size, Pair stride, Pair pad)
    : g_{kernel_size, stride, pad} {
  check_geometry("average_pooling", g_);
}

Arrays AveragePooling::forward(const Arrays& xs) {
  // NumPy's mean of integers or booleans is float64.
  const np::ndarray x = np::is_floating(xs[0].dtype()) || !xs[0].defined()
                            ? xs[0]
                            : xs[0].astype(np::float64);
  np::ndarray y = kernels::average_pooling(x, g_);
  input_shape_ = x.shape();
  return {y};
}

Variables AveragePooling::backward(const Variables& gys) {
  return {call<AveragePooling2DGrad>({gys[0]}, g_, input_shape_)};
}

Variable average_pooling(const Variable& x, Pair kernel_size, Pair stride, Pair pad) {
  return call<AveragePooling>({x}, kernel_size, stride, pad);
}

}  // namespace dezero::functions
