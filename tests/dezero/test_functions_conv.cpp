// The convolution functions (functions_conv): im2col / col2im on arrays and as functions,
// conv2d_simple, conv2d, deconv2d, pooling_simple, pooling, average_pooling and batch_norm.
//
// Values are compared with direct nested-loop computations written here, independent of the
// im2col machinery (a convolution as the sum over channels and kernel offsets, a pooling as
// the max or mean of each window), on geometries with kernels 1, 3 and 5, strides 1 and 2,
// paddings 0, 1 and 2, square and non-square, batches of 1 and more; plus a few literal
// goldens. Gradients are checked with central differences (utils::gradient_check, the book's
// tolerances), second derivatives by differentiating a recorded gradient again. Also: the
// adjoint property of im2col and col2im, the fixes over the book (max pooling's padding,
// average pooling with a non-square kernel, batch_norm's backward in test mode, Conv2DGradW's
// backward) and the messages of bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "dezero/dezero.hpp"
#include "tests/dezero/helpers.hpp"

namespace {

namespace F = dezero::functions;
using dezero::Variable;
using dezero::Variables;
using dezero::utils::gradient_check;
using dezero::utils::Pair;
using dztest::array_is;
using dztest::arrays_near;
using dztest::data_is;
using dztest::throws_with;

using Fn = std::function<Variable(const Variable&)>;

class Conv : public ::testing::Test {
 protected:
  void SetUp() override { np::random::seed(0); }
};

std::string name_of(const Variable& y) { return y.creator() ? y.creator()->type() : "(none)"; }

// A convolution's geometry: image (N, C, H, W), OC output channels, kernel, stride, pad.
struct Case {
  std::int64_t N, C, H, W, OC;
  Pair k, s, p;
  std::int64_t OH() const { return (H + 2 * p.h - k.h) / s.h + 1; }
  std::int64_t OW() const { return (W + 2 * p.w - k.w) / s.w + 1; }
  std::string str() const {
    return "x (" + std::to_string(N) + ", " + std::to_string(C) + ", " + std::to_string(H) +
           ", " + std::to_string(W) + ") k " + k.str() + " s " + s.str() + " p " + p.str();
  }
};

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {1, 1, 5, 5, 1, 1, 1, 0},                // kernel 1
      {2, 3, 7, 7, 4, 3, 1, 1},                // 3x3, same size
      {2, 2, 8, 9, 3, 5, 2, 2},                // 5x5, stride 2, pad 2
      {1, 3, 6, 7, 2, {3, 5}, {2, 1}, {0, 2}}, // non-square everything
      {3, 2, 5, 4, 2, {1, 3}, {1, 2}, {1, 0}},
      {2, 1, 4, 4, 1, 3, 2, 1},                // stride 2 with pad 1
      {1, 2, 3, 3, 2, 5, 1, 2},                // a kernel larger than the unpadded image
  };
  return all;
}

// ===================================== direct computations ==================================

// Element (n, c, h, w) of a C-order 4-D array given as a vector.
struct Img {
  std::vector<double> v;
  np::Shape s;
  explicit Img(const np::ndarray& a) : v(a.to_vector<double>()), s(a.shape()) {}
  double at(std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w) const {
    return v[static_cast<std::size_t>(((n * s[1] + c) * s[2] + h) * s[3] + w)];
  }
  // The padded image: `outside` beyond the borders.
  double padded(std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w,
                double outside = 0.0) const {
    if (h < 0 || h >= s[2] || w < 0 || w >= s[3]) return outside;
    return at(n, c, h, w);
  }
};

// y[n, o, i, j] = sum over c, kh, kw of x[n, c, i SH - PH + kh, j SW - PW + kw] W[o, c, kh, kw] + b[o]
np::ndarray direct_conv(const np::ndarray& x, const np::ndarray& W, const np::ndarray& b,
                        Pair s, Pair p) {
  const Img X(x), K(W);
  const std::int64_t N = X.s[0], C = X.s[1], OC = K.s[0], KH = K.s[2], KW = K.s[3];
  const std::int64_t OH = (X.s[2] + 2 * p.h - KH) / s.h + 1, OW = (X.s[3] + 2 * p.w - KW) / s.w + 1;
  const std::vector<double> bias = b.defined() ? b.to_vector<double>() : std::vector<double>(OC);
  std::vector<double> y;
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t o = 0; o < OC; ++o)
      for (std::int64_t i = 0; i < OH; ++i)
        for (std::int64_t j = 0; j < OW; ++j) {
          double sum = bias[o];
          for (std::int64_t c = 0; c < C; ++c)
            for (std::int64_t kh = 0; kh < KH; ++kh)
              for (std::int64_t kw = 0; kw < KW; ++kw)
                sum += X.padded(n, c, i * s.h - p.h + kh, j * s.w - p.w + kw) * K.at(o, c, kh, kw);
          y.push_back(sum);
        }
  return np::array(y, np::Shape{N, OC, OH, OW});
}

// The transposed convolution: every x[n, c, i, j] W[c, o, kh, kw] lands on output position
// (i SH - PH + kh, j SW - PW + kw) of channel o, when that lies inside (OH, OW).
np::ndarray direct_deconv(const np::ndarray& x, const np::ndarray& W, const np::ndarray& b,
                          Pair s, Pair p, std::int64_t OH, std::int64_t OW) {
  const Img X(x), K(W);
  const std::int64_t N = X.s[0], C = X.s[1], H = X.s[2], Wd = X.s[3], OC = K.s[1], KH = K.s[2],
                     KW = K.s[3];
  std::vector<double> y(static_cast<std::size_t>(N * OC * OH * OW));
  const std::vector<double> bias = b.defined() ? b.to_vector<double>() : std::vector<double>(OC);
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t o = 0; o < OC; ++o) {
      for (std::int64_t q = 0; q < OH * OW; ++q) y[static_cast<std::size_t>((n * OC + o) * OH * OW + q)] = bias[o];
      for (std::int64_t c = 0; c < C; ++c)
        for (std::int64_t i = 0; i < H; ++i)
          for (std::int64_t j = 0; j < Wd; ++j)
            for (std::int64_t kh = 0; kh < KH; ++kh)
              for (std::int64_t kw = 0; kw < KW; ++kw) {
                const std::int64_t oi = i * s.h - p.h + kh, oj = j * s.w - p.w + kw;
                if (oi < 0 || oi >= OH || oj < 0 || oj >= OW) continue;
                y[static_cast<std::size_t>(((n * OC + o) * OH + oi) * OW + oj)] +=
                    X.at(n, c, i, j) * K.at(c, o, kh, kw);
              }
    }
  return np::array(y, np::Shape{N, OC, OH, OW});
}

// Max (padding counted as `outside`) or mean (padding counted as zeros) of every window.
np::ndarray direct_pool(const np::ndarray& x, Pair k, Pair s, Pair p, bool max,
                        double outside = -std::numeric_limits<double>::infinity()) {
  const Img X(x);
  const std::int64_t N = X.s[0], C = X.s[1];
  const std::int64_t OH = (X.s[2] + 2 * p.h - k.h) / s.h + 1, OW = (X.s[3] + 2 * p.w - k.w) / s.w + 1;
  std::vector<double> y;
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t c = 0; c < C; ++c)
      for (std::int64_t i = 0; i < OH; ++i)
        for (std::int64_t j = 0; j < OW; ++j) {
          double acc = max ? -std::numeric_limits<double>::infinity() : 0.0;
          for (std::int64_t kh = 0; kh < k.h; ++kh)
            for (std::int64_t kw = 0; kw < k.w; ++kw) {
              const double v = X.padded(n, c, i * s.h - p.h + kh, j * s.w - p.w + kw, max ? outside : 0.0);
              acc = max ? std::max(acc, v) : acc + v;
            }
          y.push_back(max ? acc : acc / static_cast<double>(k.h * k.w));
        }
  return np::array(y, np::Shape{N, C, OH, OW});
}

// The 6-D im2col (N, C, KH, KW, OH, OW) by its definition.
np::ndarray direct_im2col(const np::ndarray& x, Pair k, Pair s, Pair p) {
  const Img X(x);
  const std::int64_t N = X.s[0], C = X.s[1];
  const std::int64_t OH = (X.s[2] + 2 * p.h - k.h) / s.h + 1, OW = (X.s[3] + 2 * p.w - k.w) / s.w + 1;
  std::vector<double> col;
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t c = 0; c < C; ++c)
      for (std::int64_t kh = 0; kh < k.h; ++kh)
        for (std::int64_t kw = 0; kw < k.w; ++kw)
          for (std::int64_t i = 0; i < OH; ++i)
            for (std::int64_t j = 0; j < OW; ++j)
              col.push_back(X.padded(n, c, i * s.h - p.h + kh, j * s.w - p.w + kw));
  return np::array(col, np::Shape{N, C, k.h, k.w, OH, OW});
}

double inner(const np::ndarray& a, const np::ndarray& b) { return np::sum(a * b).item(); }

// gradient_check with respect to input i of f, the other inputs held as constants.
::testing::AssertionResult check_input(const std::function<Variable(const Variables&)>& f,
                                       const std::vector<np::ndarray>& xs, std::size_t i) {
  const Fn fi = [&](const Variable& v) {
    Variables args;
    for (std::size_t j = 0; j < xs.size(); ++j) args.push_back(j == i ? v : dezero::constant(xs[j]));
    return f(args);
  };
  if (!gradient_check(fi, xs[i])) return ::testing::AssertionFailure() << "input " << i;
  return ::testing::AssertionSuccess();
}

// The gradient of y with respect to `wrt`, recorded (create_graph) so that it can be
// differentiated again; every gradient on the way is cleared (they refer back to the inputs).
Variable recorded_grad(const Variable& y, const Variables& inputs, const Variable& wrt) {
  y.backward({.create_graph = true});
  const Variable g = wrt.grad();
  for (const Variable& v : inputs) v.cleargrad();
  return g;
}

// ===================================== im2col / col2im ======================================

TEST_F(Conv, Im2colLiteral) {
  // The four 3x3 windows of a 4x4 image, one row each, in (C, KH, KW) order.
  const np::ndarray x = np::arange(0.0, 16.0, 1.0).reshape({1, 1, 4, 4});
  EXPECT_TRUE(array_is(F::im2col_array(x, 3, {.stride = 1, .pad = 0}), {4, 9}, np::float64,
                       {0, 1, 2, 4, 5, 6,  8,  9,  10, 1, 2, 3, 5, 6,  7,  9,  10, 11,
                        4, 5, 6, 8, 9, 10, 12, 13, 14, 5, 6, 7, 9, 10, 11, 13, 14, 15}));
  // 2x2 windows with stride 2 and a pad of 1: the corners see mostly zeros.
  const np::ndarray col = F::im2col_array(x, 2, {.stride = 2, .pad = 1, .to_matrix = false});
  EXPECT_EQ(col.shape(), (np::Shape{1, 1, 2, 2, 3, 3}));
  // kh = kw = 0: the top-left value of each window, (2i - 1, 2j - 1)
  EXPECT_TRUE(array_is(col[{0, 0, 0, 0}], {3, 3}, np::float64, {0, 0, 0, 0, 5, 7, 0, 13, 15}));
  // kh = kw = 1: (2i, 2j)
  EXPECT_TRUE(array_is(col[{0, 0, 1, 1}], {3, 3}, np::float64, {0, 2, 0, 8, 10, 0, 0, 0, 0}));
  // dtypes are kept
  EXPECT_EQ(F::im2col_array(x.astype(np::float32), 3).dtype(), np::float32);
  EXPECT_EQ(F::im2col_array(np::ones({1, 1, 3, 3}, np::int64), 2).dtype(), np::int64);
}

TEST_F(Conv, Im2colMatchesTheDefinition) {
  for (const Case& c : cases()) {
    const np::ndarray x = np::random::randn({c.N, c.C, c.H, c.W});
    const np::ndarray want = direct_im2col(x, c.k, c.s, c.p);
    EXPECT_TRUE(arrays_near(
        F::im2col_array(x, c.k, {.stride = c.s, .pad = c.p, .to_matrix = false}), want, 0.0))
        << c.str();
    // the matrix form is the transpose (0, 4, 5, 1, 2, 3) reshaped
    const np::ndarray m = want.transpose({0, 4, 5, 1, 2, 3}).reshape({c.N * c.OH() * c.OW(), -1});
    EXPECT_TRUE(arrays_near(F::im2col_array(x, c.k, {.stride = c.s, .pad = c.p, .to_matrix = true}),
                            m, 0.0))
        << c.str();
  }
}

TEST_F(Conv, Col2imCountsCoverage) {
  // Summing ones back: each pixel gets the number of windows that contain it.
  const np::ndarray ones = np::ones({4, 9});
  EXPECT_TRUE(array_is(F::col2im_array(ones, {1, 1, 4, 4}, 3, {.stride = 1, .pad = 0}),
                       {1, 1, 4, 4}, np::float64,
                       {1, 2, 2, 1, 2, 4, 4, 2, 2, 4, 4, 2, 1, 2, 2, 1}));
  // stride 2, kernel 3 on 5x5: the odd rows/columns are shared by two windows
  EXPECT_TRUE(array_is(F::col2im_array(np::ones({1, 1, 3, 3, 2, 2}), {1, 1, 5, 5}, 3,
                                       {.stride = 2, .pad = 0, .to_matrix = false}),
                       {1, 1, 5, 5}, np::float64, {1, 1, 2, 1, 1, 1, 1, 2, 1, 1, 2, 2, 4,
                                                   2, 2, 1, 1, 2, 1, 1, 1, 1, 2, 1, 1}));
}

// <im2col(x), c> = <x, col2im(c)>: col2im is im2col's adjoint, in both layouts.
TEST_F(Conv, Col2imIsTheAdjointOfIm2col) {
  for (const Case& c : cases()) {
    for (bool to_matrix : {false, true}) {
      const np::ndarray x = np::random::randn({c.N, c.C, c.H, c.W});
      const np::ndarray col_like =
          F::im2col_array(x, c.k, {.stride = c.s, .pad = c.p, .to_matrix = to_matrix});
      const np::ndarray r = np::random::randn(col_like.shape());
      const double lhs = inner(col_like, r);
      const double rhs = inner(
          x,
          F::col2im_array(r, x.shape(), c.k, {.stride = c.s, .pad = c.p, .to_matrix = to_matrix}));
      EXPECT_NEAR(lhs, rhs, 1e-10 * (1 + std::abs(lhs))) << c.str() << " to_matrix " << to_matrix;
    }
  }
}

TEST_F(Conv, Im2colAndCol2imFunctions) {
  const Case c{2, 2, 5, 4, 1, {3, 2}, {2, 1}, {1, 1}};
  const np::ndarray x = np::random::randn({c.N, c.C, c.H, c.W});
  for (bool to_matrix : {false, true}) {
    const Variable col = F::im2col(x, c.k, {.stride = c.s, .pad = c.p, .to_matrix = to_matrix});
    EXPECT_EQ(name_of(col), "Im2col");
    EXPECT_TRUE(arrays_near(
        col.data(), F::im2col_array(x, c.k, {.stride = c.s, .pad = c.p, .to_matrix = to_matrix}),
        0.0));
    const Variable img =
        F::col2im(col, x.shape(), c.k, {.stride = c.s, .pad = c.p, .to_matrix = to_matrix});
    EXPECT_EQ(name_of(img), "Col2im");
    EXPECT_EQ(img.shape(), x.shape());
    // Both are linear: the gradient checks exercise the backward of each (the other one).
    EXPECT_TRUE(gradient_check(
        [&](const Variable& v) {
          return pow(F::im2col(v, c.k, {.stride = c.s, .pad = c.p, .to_matrix = to_matrix}), 2);
        },
        x));
    const np::ndarray r = np::random::randn(col.shape());
    EXPECT_TRUE(gradient_check(
        [&](const Variable& v) {
          return pow(
              F::col2im(v, x.shape(), c.k, {.stride = c.s, .pad = c.p, .to_matrix = to_matrix}), 2);
        },
        r));
  }
}

// Step 57's shapes.
TEST_F(Conv, Im2colShapesOfStep57) {
  EXPECT_EQ(F::im2col(np::random::rand({1, 3, 7, 7}), 5, {.stride = 1, .pad = 0, .to_matrix = true})
                .shape(),
            (np::Shape{9, 75}));
  EXPECT_EQ(F::im2col(np::random::rand({10, 3, 7, 7}), {5, 5},
                      {.stride = {1, 1}, .pad = {0, 0}, .to_matrix = true})
                .shape(),
            (np::Shape{90, 75}));
}

// ===================================== conv2d ===============================================

TEST_F(Conv, Conv2dLiteral) {
  // A 3x3 kernel of ones with pad 1 sums each pixel's neighbourhood; the bias adds 10.
  const np::ndarray x = np::arange(0.0, 9.0, 1.0).reshape({1, 1, 3, 3});
  const Variable y =
      F::conv2d(x, np::ones({1, 1, 3, 3}), np::array({10.0}), {.stride = 1, .pad = 1});
  EXPECT_EQ(name_of(y), "Conv2d");
  EXPECT_TRUE(data_is(y, {1, 1, 3, 3}, np::float64,
                      {18, 25, 22, 31, 46, 37, 30, 43, 34}));
  // stride 2: the corners only
  EXPECT_TRUE(data_is(F::conv2d(x, np::ones({1, 1, 3, 3}), {}, {.stride = 2, .pad = 1}),
                      {1, 1, 2, 2}, np::float64, {8, 12, 20, 24}));
}

TEST_F(Conv, Conv2dMatchesADirectConvolution) {
  for (const Case& c : cases()) {
    const np::ndarray x = np::random::randn({c.N, c.C, c.H, c.W});
    const np::ndarray W = np::random::randn({c.OC, c.C, c.k.h, c.k.w});
    const np::ndarray b = np::random::randn({c.OC});
    for (bool bias : {false, true}) {
      const np::ndarray bb = bias ? b : np::ndarray();
      const np::ndarray want = direct_conv(x, W, bb, c.s, c.p);
      ASSERT_EQ(want.shape(), (np::Shape{c.N, c.OC, c.OH(), c.OW()}));
      const Variable vb = bias ? Variable(b) : Variable();
      EXPECT_TRUE(arrays_near(F::conv2d(x, W, vb, {.stride = c.s, .pad = c.p}).data(), want, 1e-12))
          << c.str();
      EXPECT_TRUE(
          arrays_near(F::conv2d_simple(x, W, vb, {.stride = c.s, .pad = c.p}).data(), want, 1e-12))
          << c.str();
      // float32 data stays float32
      const Variable y32 = F::conv2d(x.astype(np::float32), W.astype(np::float32),
                                     bias ? Variable(b.astype(np::float32)) : Variable(),
                                     {.stride = c.s, .pad = c.p});
      EXPECT_EQ(y32.dtype(), np::float32);
      EXPECT_TRUE(arrays_near(y32.data().astype(np::float64), want, 1e-4)) << c.str();
    }
  }
}

TEST_F(Conv, Conv2dGradients) {
  using ConvFn = std::function<Variable(const Variables&, Pair, Pair)>;
  const ConvFn conv = [](const Variables& v, Pair s, Pair p) {
    return F::conv2d(v[0], v[1], v.size() > 2 ? v[2] : Variable(), {.stride = s, .pad = p});
  };
  const ConvFn simple = [](const Variables& v, Pair s, Pair p) {
    return F::conv2d_simple(v[0], v[1], v.size() > 2 ? v[2] : Variable(), {.stride = s, .pad = p});
  };
  for (const Case& c : cases()) {
    const std::vector<np::ndarray> xs = {np::random::randn({c.N, c.C, c.H, c.W}),
                                         np::random::randn({c.OC, c.C, c.k.h, c.k.w}),
                                         np::random::randn({c.OC})};
    for (const ConvFn& f : {conv, simple}) {
      const auto fn = [&](const Variables& v) { return f(v, c.s, c.p); };
      for (std::size_t i = 0; i < 3; ++i) EXPECT_TRUE(check_input(fn, xs, i)) << c.str();
      // without a bias
      const std::vector<np::ndarray> xw = {xs[0], xs[1]};
      EXPECT_TRUE(check_input(fn, xw, 0)) << c.str();
      EXPECT_TRUE(check_input(fn, xw, 1)) << c.str();
    }
  }
  // The gradient's shapes and dtype with float32 data.
  const Variable x(np::random::randn({2, 3, 5, 5}).astype(np::float32));
  const Variable W(np::random::randn({4, 3, 3, 3}).astype(np::float32));
  const Variable b(np::zeros({4}, np::float32));
  F::sum(F::conv2d(x, W, b, {.stride = 2, .pad = 1})).backward();
  EXPECT_EQ(x.grad().shape(), x.shape());
  EXPECT_EQ(W.grad().shape(), W.shape());
  EXPECT_EQ(b.grad().shape(), b.shape());
  EXPECT_EQ(x.grad().dtype(), np::float32);
  EXPECT_EQ(W.grad().dtype(), np::float32);
  // sum(y) = sum over outputs: each b gets the number of output positions
  EXPECT_TRUE(data_is(b.grad(), {4}, np::float32, {18, 18, 18, 18}));
}

// Second derivatives through conv2d's backward: Deconv2d (for x) and Conv2DGradW (for W), and
// Conv2DGradW's own backward with respect to both of its inputs.
TEST_F(Conv, Conv2dDoubleBackprop) {
  for (const Case& c : {cases()[1], cases()[3], cases()[5]}) {
    const np::ndarray x0 = np::random::randn({c.N, c.C, c.H, c.W});
    const np::ndarray W0 = np::random::randn({c.OC, c.C, c.k.h, c.k.w});
    const np::ndarray R = np::random::randn({c.N, c.OC, c.OH(), c.OW()});
    // d/dx of sum(conv(x, W)^3) recorded, then differentiated again with respect to x
    EXPECT_TRUE(gradient_check(
        [&](const Variable& x) {
          const Variable W(W0);
          return recorded_grad(F::sum(pow(F::conv2d(x, W, {}, {.stride = c.s, .pad = c.p}), 3)),
                               {x, W}, x);
        },
        x0))
        << c.str();
    // d/dW of sum(conv(x, W)^3), differentiated with respect to W: Conv2DGradW's gy input
    EXPECT_TRUE(gradient_check(
        [&](const Variable& W) {
          const Variable x(x0);
          return recorded_grad(F::sum(pow(F::conv2d(x, W, {}, {.stride = c.s, .pad = c.p}), 3)),
                               {x, W}, W);
        },
        W0))
        << c.str();
    // d/dW of sum(conv(x, W) R), differentiated with respect to x: Conv2DGradW's x input
    EXPECT_TRUE(gradient_check(
        [&](const Variable& x) {
          const Variable W(W0);
          const Variable gW = recorded_grad(
              F::sum(F::conv2d(x, W, {}, {.stride = c.s, .pad = c.p}) * R), {x, W}, W);
          return pow(gW, 2);
        },
        x0))
        << c.str();
  }
  // The recorded gradient's graph names the functions of the backward pass.
  const Variable x(np::random::randn({1, 1, 4, 4})), W(np::random::randn({1, 1, 3, 3}));
  F::sum(F::conv2d(x, W)).backward({.create_graph = true});
  EXPECT_EQ(name_of(x.grad()), "Deconv2d");
  EXPECT_EQ(name_of(W.grad()), "Conv2DGradW");
  // each gradient's graph holds the other variable: clear them, or the nodes keep each other
  x.cleargrad();
  W.cleargrad();
}

// gW[o, c, kh, kw] = sum over n, i, j of gy[n, o, i, j] x[n, c, i SH - PH + kh, j SW - PW + kw]
np::ndarray direct_grad_w(const np::ndarray& x, const np::ndarray& gy, Pair k, Pair s, Pair p) {
  const Img X(x), G(gy);
  const std::int64_t N = X.s[0], C = X.s[1], OC = G.s[1], OH = G.s[2], OW = G.s[3];
  std::vector<double> gw;
  for (std::int64_t o = 0; o < OC; ++o)
    for (std::int64_t c = 0; c < C; ++c)
      for (std::int64_t kh = 0; kh < k.h; ++kh)
        for (std::int64_t kw = 0; kw < k.w; ++kw) {
          double sum = 0;
          for (std::int64_t n = 0; n < N; ++n)
            for (std::int64_t i = 0; i < OH; ++i)
              for (std::int64_t j = 0; j < OW; ++j)
                sum += G.at(n, o, i, j) * X.padded(n, c, i * s.h - p.h + kh, j * s.w - p.w + kw);
          gw.push_back(sum);
        }
  return np::array(gw, np::Shape{OC, C, k.h, k.w});
}

// Large inputs are convolved in chunks of output rows: several whole images per chunk (shared
// between the threads) or bands of rows of one large image. The results are the direct ones.
TEST_F(Conv, Conv2dChunkedPaths) {
  const std::vector<Case> large = {
      {128, 3, 16, 16, 8, 3, 1, 1},      // 16 chunks of 8 images, on both cores
      {2, 2, 50, 50, 3, 3, 1, 1},        // 2500 positions per image: bands of rows
      {1, 1, 101, 103, 2, 5, 2, 2},      // bands with stride 2
      {3, 2, 60, 40, 2, {3, 5}, {1, 2}, {2, 1}},
  };
  for (const Case& c : large) {
    const np::ndarray x = np::random::randn({c.N, c.C, c.H, c.W});
    const np::ndarray W = np::random::randn({c.OC, c.C, c.k.h, c.k.w});
    const np::ndarray b = np::random::randn({c.OC});
    const Variable xv(x), Wv(W), bv(b);
    const Variable y = F::conv2d(xv, Wv, bv, {.stride = c.s, .pad = c.p});
    EXPECT_TRUE(arrays_near(y.data(), direct_conv(x, W, b, c.s, c.p), 1e-10)) << c.str();
    const np::ndarray gy = np::random::randn(y.shape());
    F::sum(y * gy).backward();
    EXPECT_TRUE(arrays_near(Wv.grad().data(), direct_grad_w(x, gy, c.k, c.s, c.p), 1e-9)) << c.str();
    // x's gradient is the transposed convolution of gy
    EXPECT_TRUE(arrays_near(xv.grad().data(), direct_deconv(gy, W, {}, c.s, c.p, c.H, c.W), 1e-10))
        << c.str();
    // float32 through the same paths
    const Variable y32 =
        F::conv2d(x.astype(np::float32), W.astype(np::float32), {}, {.stride = c.s, .pad = c.p});
    EXPECT_TRUE(arrays_near(y32.data().astype(np::float64), direct_conv(x, W, {}, c.s, c.p), 1e-3))
        << c.str();
  }
}

// ===================================== deconv2d =============================================

TEST_F(Conv, Deconv2dMatchesADirectTransposedConvolution) {
  for (const Case& c : cases()) {
    // x is what a convolution of this geometry produces; W is (C_in, OC, KH, KW)
    const np::ndarray x = np::random::randn({c.N, c.OC, c.OH(), c.OW()});
    const np::ndarray W = np::random::randn({c.OC, c.C, c.k.h, c.k.w});
    const np::ndarray b = np::random::randn({c.C});
    // the default output size
    const std::int64_t DH = c.s.h * (c.OH() - 1) + c.k.h - 2 * c.p.h;
    const std::int64_t DW = c.s.w * (c.OW() - 1) + c.k.w - 2 * c.p.w;
    const Variable y = F::deconv2d(x, W, b, {.stride = c.s, .pad = c.p});
    EXPECT_EQ(name_of(y), "Deconv2d");
    EXPECT_TRUE(arrays_near(y.data(), direct_deconv(x, W, b, c.s, c.p, DH, DW), 1e-12)) << c.str();
    // the image size the convolution came from (it may be larger when the stride left a rest)
    const Variable y2 =
        F::deconv2d(x, W, {}, {.stride = c.s, .pad = c.p, .outsize = Pair(c.H, c.W)});
    EXPECT_TRUE(arrays_near(y2.data(), direct_deconv(x, W, {}, c.s, c.p, c.H, c.W), 1e-12))
        << c.str();
    // the transposed convolution is the adjoint of the convolution: <conv(u), x> = <u, deconv(x)>
    const np::ndarray u = np::random::randn({c.N, c.C, c.H, c.W});
    EXPECT_NEAR(inner(F::conv2d(u, W, {}, {.stride = c.s, .pad = c.p}).data(), x),
                inner(u, y2.data()), 1e-10)
        << c.str();
  }
}

TEST_F(Conv, Deconv2dGradients) {
  for (const Case& c : {cases()[0], cases()[2], cases()[3], cases()[4]}) {
    const std::vector<np::ndarray> xs = {np::random::randn({c.N, c.OC, c.OH(), c.OW()}),
                                         np::random::randn({c.OC, c.C, c.k.h, c.k.w}),
                                         np::random::randn({c.C})};
    const auto fn = [&](const Variables& v) {
      return pow(
          F::deconv2d(v[0], v[1], v[2], {.stride = c.s, .pad = c.p, .outsize = Pair(c.H, c.W)}), 2);
    };
    for (std::size_t i = 0; i < 3; ++i) EXPECT_TRUE(check_input(fn, xs, i)) << c.str();
  }
}

// A batch passed as an array (the first layer of a model) gets no gradient, since nobody can
// read it (Function::needs_input_grad): the deconvolution for gx is skipped, and the weight and
// bias gradients are the same bits as when the batch is a Variable the program holds. The
// same for deconv2d, whose gx is a convolution.
TEST_F(Conv, AnArrayBatchIsNotDifferentiated) {
  for (const Case& c : {cases()[0], cases()[3]}) {
    const np::ndarray x = np::random::randn({c.N, c.C, c.H, c.W}).astype(np::float32);
    const np::ndarray gy_in = np::random::randn({c.N, c.OC, c.OH(), c.OW()}).astype(np::float32);
    const Variable W(np::random::randn({c.OC, c.C, c.k.h, c.k.w}).astype(np::float32));
    const Variable b_conv(np::random::randn({c.OC}).astype(np::float32));
    const Variable b_deconv(np::random::randn({c.C}).astype(np::float32));
    // The gradients of sum(y * r) for a fixed r: the input's (if kept), W's and b's. The input
    // is the array itself (wrapped by the call, for the call only) or a Variable held here.
    const auto grads = [&](const np::ndarray& array, const Variable* held, bool deconv) {
      const Variable& b = deconv ? b_deconv : b_conv;
      W.cleargrad();
      b.cleargrad();
      const F::DeconvOptions d{.stride = c.s, .pad = c.p, .outsize = Pair(c.H, c.W)};
      const F::ConvOptions o{.stride = c.s, .pad = c.p};
      const Variable y = deconv ? (held ? F::deconv2d(*held, W, b, d) : F::deconv2d(array, W, b, d))
                                : (held ? F::conv2d(*held, W, b, o) : F::conv2d(array, W, b, o));
      F::sum(y * (deconv ? x : gy_in)).backward();
      return std::make_tuple(y.creator()->inputs()[0].grad(), W.grad().data(), b.grad().data());
    };
    for (const bool deconv : {false, true}) {
      SCOPED_TRACE(c.str() + (deconv ? " deconv2d" : " conv2d"));
      const np::ndarray& input = deconv ? gy_in : x;
      const auto [g_wrapped, gW_wrapped, gb_wrapped] = grads(input, nullptr, deconv);
      EXPECT_FALSE(g_wrapped);
      const Variable held(input);
      const auto [g_held, gW_held, gb_held] = grads(input, &held, deconv);
      EXPECT_TRUE(g_held);
      EXPECT_TRUE(np::array_equal(gW_wrapped, gW_held));
      EXPECT_TRUE(np::array_equal(gb_wrapped, gb_held));
      EXPECT_TRUE(g_held && g_held.shape() == input.shape());
    }
  }
}

// ===================================== pooling ==============================================

TEST_F(Conv, PoolingLiteralAndIndexes) {
  const np::ndarray x = np::array({{{{1.0, 3.0, 2.0, 0.0},
                                     {4.0, 2.0, 8.0, 8.0},
                                     {0.0, 5.0, 1.0, 1.0},
                                     {5.0, 0.0, 1.0, 9.0}}}});
  const Variable y = F::pooling(x, 2, {.stride = 2});
  EXPECT_EQ(name_of(y), "Pooling");
  EXPECT_TRUE(data_is(y, {1, 1, 2, 2}, np::float64, {4, 8, 5, 9}));
  // The gradient goes to each window's maximum only, the first one in window order (the 8s
  // tie: the first one, at (1, 2)).
  const Variable xv(x);
  F::sum(F::pooling(xv, 2, {.stride = 2}) * np::array({{{{1.0, 2.0}, {3.0, 4.0}}}})).backward();
  EXPECT_TRUE(data_is(xv.grad(), {1, 1, 4, 4}, np::float64,
                      {0, 0, 0, 0, 1, 0, 2, 0, 0, 3, 0, 0, 0, 0, 0, 4}));
  // overlapping windows (3x3, stride 1): the 8 at (1, 2) is the maximum of three windows and
  // receives all three gradients
  const Variable xo(x);
  const Variable yo = F::pooling(xo, 3, {.stride = 1});
  EXPECT_TRUE(data_is(yo, {1, 1, 2, 2}, np::float64, {8, 8, 8, 9}));
  F::sum(yo).backward();
  EXPECT_TRUE(data_is(xo.grad(), {1, 1, 4, 4}, np::float64,
                      {0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 1}));
}

// NaN is the largest value, as NumPy's max and argmax have it: the first NaN of a window wins.
TEST_F(Conv, PoolingNaN) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const np::ndarray x = np::array({{{{1.0, 2.0, 3.0, nan, 5.0, 6.0},
                                     {0.0, 9.0, nan, 4.0, 8.0, 7.0}}}});
  const Variable y = F::pooling(x, 2, {.stride = 2});
  // (nptest::array_is: NaN matches NaN)
  EXPECT_TRUE(nptest::array_is(y.data(), {1, 1, 1, 3}, np::float64, {9, nan, 8}));
  // where the maxima were: the gradient goes there (the first NaN of the middle window)
  const Variable xv(x);
  F::sum(F::pooling(xv, 2, {.stride = 2}) * np::array({{{{1.0, 2.0, 3.0}}}})).backward();
  EXPECT_TRUE(data_is(xv.grad(), {1, 1, 2, 6}, np::float64, {0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 3, 0}));
  // with padding (windows cut by the border)
  const np::ndarray x2 = np::array({{{{1.0, nan}, {3.0, 2.0}}}});
  const Variable y2 = F::pooling(x2, 2, {.stride = 1, .pad = 1});
  EXPECT_TRUE(nptest::array_is(y2.data(), {1, 1, 3, 3}, np::float64, {1, nan, nan, 3, nan, nan, 3, 3, 2}));
}

// The book's pooling(x, 2, 2): the values and the windows' first maxima (NaN the largest),
// checked against the rule written out here, on small integers (many ties), NaNs, and odd
// sizes (the last row and column left out), in rows shorter and longer than a vector.
TEST_F(Conv, PoolingTwoByTwoFollowsTheFirstMaximumRule) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const np::DType dtype : {np::float32, np::float64}) {
    for (const auto& [H, W] : std::vector<std::pair<std::int64_t, std::int64_t>>{
             {4, 6}, {5, 7}, {2, 2}, {9, 3}, {6, 40}}) {
      SCOPED_TRACE(testing::Message() << np::dtype_name(dtype) << " " << H << "x" << W);
      const std::int64_t N = 2, C = 3, OH = H / 2, OW = W / 2;
      std::vector<double> xs = np::random::randint(0, 3, {N, C, H, W}).to_vector<double>();
      for (std::size_t i = 3; i < xs.size(); i += 11) xs[i] = nan;
      const std::vector<double> gys = np::random::randn({N, C, OH, OW}).to_vector<double>();
      std::vector<double> want_y, want_gx(xs.size(), 0.0);
      for (std::int64_t plane = 0; plane < N * C; ++plane) {
        for (std::int64_t i = 0; i < OH; ++i) {
          for (std::int64_t j = 0; j < OW; ++j) {
            std::size_t best = 0;
            bool found = false;
            for (std::int64_t kh = 0; kh < 2; ++kh) {
              for (std::int64_t kw = 0; kw < 2; ++kw) {
                const auto at = static_cast<std::size_t>((plane * H + 2 * i + kh) * W + 2 * j + kw);
                const bool wins = !found || (!std::isnan(xs[best]) && (std::isnan(xs[at]) || xs[at] > xs[best]));
                if (wins) best = at;
                found = true;
              }
            }
            want_y.push_back(xs[best]);
            want_gx[best] += gys[want_y.size() - 1];
          }
        }
      }
      const Variable x(np::array(xs, np::Shape{N, C, H, W}).astype(dtype));
      const Variable y = F::pooling(x, 2, {.stride = 2});
      EXPECT_TRUE(nptest::array_is(y.data(), {N, C, OH, OW}, dtype, want_y));
      F::sum(y * np::array(gys, np::Shape{N, C, OH, OW}).astype(dtype)).backward();
      const np::ndarray want = np::array(want_gx, np::Shape{N, C, H, W}).astype(dtype);
      EXPECT_TRUE(arrays_near(x.grad().data(), want, 0.0));
    }
  }
}

TEST_F(Conv, PoolingMatchesTheDirectMaximum) {
  for (const Case& c : cases()) {
    if (c.p.h >= c.k.h || c.p.w >= c.k.w) continue;  // not allowed (see PaddingIsMinusInfinity)
    const np::ndarray x = np::random::randn({c.N, c.C, c.H, c.W});
    const np::ndarray want = direct_pool(x, c.k, c.s, c.p, true);
    EXPECT_TRUE(arrays_near(F::pooling(x, c.k, {.stride = c.s, .pad = c.p}).data(), want, 0.0))
        << c.str();
    const Variable y32 = F::pooling(x.astype(np::float32), c.k, {.stride = c.s, .pad = c.p});
    EXPECT_EQ(y32.dtype(), np::float32);
    // pooling_simple pads with zeros (the book's im2col): equal without padding
    if (c.p.h == 0 && c.p.w == 0) {
      EXPECT_TRUE(
          arrays_near(F::pooling_simple(x, c.k, {.stride = c.s, .pad = c.p}).data(), want, 0.0))
          << c.str();
    } else {
      EXPECT_TRUE(arrays_near(F::pooling_simple(x, c.k, {.stride = c.s, .pad = c.p}).data(),
                              direct_pool(x, c.k, c.s, c.p, true, 0.0), 0.0))
          << c.str();
    }
  }
}

// The decision on padding: -infinity, so an all-negative window that overlaps the padding
// gives its own maximum. The book's zero padding (kept by pooling_simple) gives 0 there.
TEST_F(Conv, PoolingPaddingIsMinusInfinity) {
  const np::ndarray x = np::array({{{{-1.0, -2.0}, {-3.0, -4.0}}}});
  EXPECT_TRUE(data_is(F::pooling(x, 2, {.stride = 2, .pad = 1}), {1, 1, 2, 2}, np::float64,
                      {-1, -2, -3, -4}));
  EXPECT_TRUE(data_is(F::pooling_simple(x, 2, {.stride = 2, .pad = 1}), {1, 1, 2, 2}, np::float64,
                      {0, 0, 0, 0}));
  // the gradient goes to the real maxima
  const Variable xv(x);
  F::sum(F::pooling(xv, 3, {.stride = 1, .pad = 1})).backward();
  // the four 3x3 windows all contain (0, 0) = -1, the maximum
  EXPECT_TRUE(data_is(xv.grad(), {1, 1, 2, 2}, np::float64, {4, 0, 0, 0}));
  // a padding as large as the kernel would allow windows made only of padding
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] {
        F::pooling(x, 2, {.stride = 1, .pad = {0, 2}});
      },
      {"pooling", "pad (0, 2)", "kernel_size (2, 2)"}));
}

TEST_F(Conv, PoolingGradients) {
  for (const Case& c : cases()) {
    if (c.p.h >= c.k.h || c.p.w >= c.k.w) continue;
    // distinct values, so that no window has two maxima within the differences' epsilon
    const np::ndarray x = np::random::permutation(c.N * c.C * c.H * c.W)
                              .astype(np::float64)
                              .reshape({c.N, c.C, c.H, c.W}) * np::ndarray(0.1);
    EXPECT_TRUE(gradient_check(
        [&](const Variable& v) { return pow(F::pooling(v, c.k, {.stride = c.s, .pad = c.p}), 2); },
        x))
        << c.str();
    EXPECT_TRUE(gradient_check(
        [&](const Variable& v) {
          return pow(F::pooling_simple(v, c.k, {.stride = c.s, .pad = c.p}), 2);
        },
        x))
        << c.str();
  }
}

// Pooling2DGrad is differentiable: its backward gathers at the saved maxima
// (Pooling2DWithIndexes), whose backward is Pooling2DGrad again.
TEST_F(Conv, PoolingSecondOrder) {
  const np::ndarray x0 = np::random::permutation(2 * 2 * 5 * 6).astype(np::float64).reshape({2, 2, 5, 6});
  const Pair k{2, 3}, s{2, 2}, p{1, 1};
  const Variable x(x0);
  const Variable y = F::pooling(x, k, {.stride = s, .pad = p});
  const Variable v(np::random::randn(y.shape()));
  F::sum(y * v).backward({.create_graph = true});
  const Variable gx = x.grad();
  EXPECT_EQ(name_of(gx), "Pooling2DGrad");
  x.cleargrad();
  v.cleargrad();
  // d/dv of sum(gx u) = u at each window's maximum
  const np::ndarray u = np::random::randn(x.shape());
  F::sum(gx * u).backward();
  const np::ndarray want =
      F::pooling(u + x0 * np::ndarray(1e6), k, {.stride = s, .pad = p}).data() -
      F::pooling(x0 * np::ndarray(1e6), k, {.stride = s, .pad = p}).data();
  EXPECT_TRUE(arrays_near(v.grad().data(), want, 1e-6));
  // Both as gradient checks: v -> Pooling2DGrad(v) (through its backward), and the gathered
  // u -> Pooling2DWithIndexes(u) recorded (through its backward, Pooling2DGrad again).
  EXPECT_TRUE(gradient_check(
      [&](const Variable& vv) {
        const Variable xx(x0);
        return pow(
            recorded_grad(F::sum(F::pooling(xx, k, {.stride = s, .pad = p}) * vv), {xx, vv}, xx),
            2);
      },
      v.data()));
  const np::ndarray v0 = v.data();
  EXPECT_TRUE(gradient_check(
      [&](const Variable& uu) {
        const Variable xx(x0), vv(v0);
        const Variable g =
            recorded_grad(F::sum(F::pooling(xx, k, {.stride = s, .pad = p}) * vv), {xx, vv}, xx);
        const Variable gv = recorded_grad(F::sum(g * uu), {xx, vv, uu}, vv);
        EXPECT_NE(dezero::utils::get_dot_graph(gv).find("Pooling2DWithIndexes"), std::string::npos);
        return pow(gv, 2);
      },
      u));
}

// ===================================== average_pooling ======================================

TEST_F(Conv, AveragePoolingValues) {
  const np::ndarray x = np::arange(0.0, 16.0, 1.0).reshape({1, 1, 4, 4});
  const Variable y = F::average_pooling(x, 2, {.stride = 2});
  EXPECT_EQ(name_of(y), "AveragePooling");
  EXPECT_TRUE(data_is(y, {1, 1, 2, 2}, np::float64, {2.5, 4.5, 10.5, 12.5}));
  // padding zeros count in the mean: the corner window (pad 1) holds 0 and three zeros
  EXPECT_TRUE(data_is(F::average_pooling(x, 2, {.stride = 2, .pad = 1}), {1, 1, 3, 3}, np::float64,
                      {0.0, 0.75, 0.75, 3.0, 7.5, 4.5, 3.0, 6.75, 3.75}));
  for (const Case& c : cases()) {
    const np::ndarray xr = np::random::randn({c.N, c.C, c.H, c.W});
    EXPECT_TRUE(arrays_near(F::average_pooling(xr, c.k, {.stride = c.s, .pad = c.p}).data(),
                            direct_pool(xr, c.k, c.s, c.p, false), 1e-14))
        << c.str();
  }
  // integers average to float64, as NumPy's mean
  EXPECT_EQ(F::average_pooling(np::ones({1, 1, 2, 2}, np::int64), 2).dtype(), np::float64);
  EXPECT_EQ(F::average_pooling(x.astype(np::float32), 2).dtype(), np::float32);
}

// The book's backward swaps KH and KW; a non-square kernel must work (and square ones too).
TEST_F(Conv, AveragePoolingGradients) {
  const np::ndarray x = np::arange(0.0, 12.0, 1.0).reshape({1, 1, 3, 4});
  const Variable xv(x);
  F::sum(F::average_pooling(xv, {1, 2}, {.stride = {1, 2}})).backward();
  EXPECT_TRUE(data_is(xv.grad(), {1, 1, 3, 4}, np::float64, std::vector<double>(12, 0.5)));
  for (const Case& c : cases()) {
    const np::ndarray xr = np::random::randn({c.N, c.C, c.H, c.W});
    EXPECT_TRUE(gradient_check(
        [&](const Variable& v) {
          return pow(F::average_pooling(v, c.k, {.stride = c.s, .pad = c.p}), 2);
        },
        xr))
        << c.str();
  }
  // the second-order path: AveragePooling2DGrad's backward is average pooling
  const np::ndarray x0 = np::random::randn({2, 2, 5, 4});
  const np::ndarray w = np::random::randn({2, 2, 5, 2});  // the pooling's output shape
  EXPECT_TRUE(gradient_check(
      [&](const Variable& v) {
        const Variable xx(x0);
        const Variable g = recorded_grad(
            F::sum(F::average_pooling(xx, {3, 2}, {.stride = {1, 2}, .pad = {1, 0}}) * v), {xx, v},
            xx);
        return pow(g, 2);
      },
      w));
}

// ResNet's global average pooling: a kernel the size of the image.
TEST_F(Conv, GlobalAveragePooling) {
  const np::ndarray x = np::random::randn({2, 3, 4, 5});
  const Variable y = F::average_pooling(x, {4, 5}, {.stride = 1});
  EXPECT_TRUE(arrays_near(y.data(), x.mean({2, 3}, true), 1e-15));
}

// ===================================== batch_norm ===========================================

// Per-channel statistics of x (N, C) or (N, C, H, W), computed here with plain loops.
struct Stats {
  std::vector<double> mean, var;  // population variance
  std::int64_t m = 0;             // values per channel
};
Stats channel_stats(const np::ndarray& x) {
  const std::int64_t N = x.shape()[0], C = x.shape()[1], HW = x.size() / (N * C);
  const std::vector<double> v = x.to_vector<double>();
  Stats s{std::vector<double>(C), std::vector<double>(C), N * HW};
  for (std::int64_t c = 0; c < C; ++c) {
    double sum = 0, sq = 0;
    for (std::int64_t n = 0; n < N; ++n)
      for (std::int64_t i = 0; i < HW; ++i) sum += v[static_cast<std::size_t>((n * C + c) * HW + i)];
    s.mean[c] = sum / static_cast<double>(s.m);
    for (std::int64_t n = 0; n < N; ++n)
      for (std::int64_t i = 0; i < HW; ++i) {
        const double d = v[static_cast<std::size_t>((n * C + c) * HW + i)] - s.mean[c];
        sq += d * d;
      }
    s.var[c] = sq / static_cast<double>(s.m);
  }
  return s;
}

// gamma (x - mean) / sqrt(var + eps) + beta per channel.
np::ndarray normalised(const np::ndarray& x, const std::vector<double>& mean,
                       const std::vector<double>& var, const np::ndarray& gamma,
                       const np::ndarray& beta, double eps) {
  const std::int64_t N = x.shape()[0], C = x.shape()[1], HW = x.size() / (N * C);
  std::vector<double> v = x.to_vector<double>();
  const auto g = gamma.to_vector<double>(), b = beta.to_vector<double>();
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t c = 0; c < C; ++c)
      for (std::int64_t i = 0; i < HW; ++i) {
        double& e = v[static_cast<std::size_t>((n * C + c) * HW + i)];
        e = g[c] * (e - mean[c]) / std::sqrt(var[c] + eps) + b[c];
      }
  return np::array(v, x.shape());
}

TEST_F(Conv, BatchNormTrainingValuesAndRunningStatistics) {
  for (const np::Shape& shape : {np::Shape{6, 3}, np::Shape{2, 3, 4, 5}}) {
    const np::ndarray gamma = np::array({1.5, -0.5, 2.0});
    const np::ndarray beta = np::array({0.1, 0.2, -0.3});
    np::ndarray mean = np::zeros({3});
    np::ndarray var = np::ones({3});
    std::vector<double> want_mean(3, 0.0), want_var(3, 1.0);
    for (int call = 0; call < 3; ++call) {
      const np::ndarray x = np::random::randn(shape) * np::ndarray(2.0) + np::ndarray(call);
      const Variable y = F::batch_norm(x, gamma, beta, mean, var);
      EXPECT_EQ(name_of(y), "BatchNorm");
      const Stats s = channel_stats(x);
      EXPECT_TRUE(arrays_near(y.data(), normalised(x, s.mean, s.var, gamma, beta, 2e-5), 1e-12));
      // the running statistics, updated in place: decay 0.9, the variance unbiased
      for (int c = 0; c < 3; ++c) {
        want_mean[c] = 0.9 * want_mean[c] + 0.1 * s.mean[c];
        want_var[c] = 0.9 * want_var[c] + 0.1 * s.var[c] * s.m / (s.m - 1.0);
      }
      EXPECT_TRUE(array_is(mean, {3}, np::float64, want_mean, 1e-12)) << shape << " call " << call;
      EXPECT_TRUE(array_is(var, {3}, np::float64, want_var, 1e-12)) << shape << " call " << call;
    }
    // Test mode: the running statistics normalise, and nothing is updated.
    const np::ndarray x = np::random::randn(shape);
    auto guard = dezero::test_mode();
    const Variable y = F::batch_norm(x, gamma, beta, mean, var);
    EXPECT_TRUE(arrays_near(y.data(), normalised(x, want_mean, want_var, gamma, beta, 2e-5), 1e-12));
    EXPECT_TRUE(array_is(mean, {3}, np::float64, want_mean, 1e-12));
  }
  // float32 stays float32 (the statistics are the layer's, in its dtype)
  np::ndarray mean32 = np::zeros({2}, np::float32), var32 = np::ones({2}, np::float32);
  const Variable y32 = F::batch_norm(np::random::randn({4, 2}).astype(np::float32),
                                     np::ones({2}, np::float32), np::zeros({2}, np::float32),
                                     mean32, var32);
  EXPECT_EQ(y32.dtype(), np::float32);
  EXPECT_EQ(mean32.dtype(), np::float32);
  // two values per channel: the running variance takes m / (m - 1) = 2 times the batch's
  np::ndarray m1 = np::zeros({1}), v1 = np::zeros({1});
  F::batch_norm(np::array({{2.0}, {4.0}}), np::ones({1}), np::zeros({1}), m1, v1, {.decay = 0.5});
  EXPECT_TRUE(array_is(v1, {1}, np::float64, {0.5 * 1.0 * 2.0}));  // var 1, m / (m - 1) = 2
  EXPECT_TRUE(array_is(m1, {1}, np::float64, {1.5}));
}

TEST_F(Conv, BatchNormGradientsInBothModes) {
  for (const np::Shape& shape : {np::Shape{5, 3}, np::Shape{2, 3, 3, 2}}) {
    const std::vector<np::ndarray> xs = {np::random::randn(shape), np::random::randn({3}),
                                         np::random::randn({3})};
    const np::ndarray mean = np::random::randn({3}), var = np::random::rand({3}) + np::ndarray(0.5);
    const np::ndarray R = np::random::randn(shape);
    // the statistics are copied for each call, so that every evaluation sees the same ones
    const auto f = [&](const Variables& v) {
      return F::batch_norm(v[0], v[1], v[2], mean.copy(), var.copy()) * R;
    };
    for (std::size_t i = 0; i < 3; ++i) EXPECT_TRUE(check_input(f, xs, i)) << shape << " train";
    {
      auto guard = dezero::test_mode();
      for (std::size_t i = 0; i < 3; ++i) EXPECT_TRUE(check_input(f, xs, i)) << shape << " test";
      // in test mode y is affine in x: gx = gy gamma / sqrt(var + eps)
      const Variable x(xs[0]);
      F::sum(F::batch_norm(x, xs[1], xs[2], mean.copy(), var.copy())).backward();
      const np::ndarray scale = xs[1] / np::sqrt(var + np::ndarray(2e-5));
      const np::ndarray want = shape.ndim() == 2
                                   ? np::broadcast_to(scale, shape)
                                   : np::broadcast_to(scale.reshape({1, 3, 1, 1}), shape);
      EXPECT_TRUE(arrays_near(x.grad().data(), want, 1e-12));
    }
  }
}

// ===================================== bad input ============================================

TEST_F(Conv, BadInput) {
  const np::ndarray x = np::random::randn({1, 3, 7, 7});
  const np::ndarray W = np::random::randn({8, 5, 3, 3});
  // channel mismatch
  EXPECT_TRUE(throws_with<np::shape_error>([&] { F::conv2d(x, W); },
                                           {"Conv2d", "x (1, 3, 7, 7)", "3 channels", "W (8, 5, 3, 3)", "5"}));
  EXPECT_TRUE(throws_with<np::shape_error>([&] { F::conv2d_simple(x, W); },
                                           {"conv2d_simple", "(1, 3, 7, 7)", "(8, 5, 3, 3)"}));
  EXPECT_TRUE(throws_with<np::shape_error>([&] { F::deconv2d(x, W); },
                                           {"Deconv2d", "x (1, 3, 7, 7)", "W (8, 5, 3, 3)", "expects 8"}));
  // a kernel larger than the padded input
  const np::ndarray big = np::random::randn({2, 3, 9, 9});
  EXPECT_TRUE(throws_with<np::shape_error>([&] { F::conv2d(x, big, {}, {.stride = 1, .pad = 0}); },
                                           {"Conv2d", "kernel (9, 9)", "(1, 3, 7, 7)", "(7, 7)"}));
  EXPECT_TRUE(throws_with<np::shape_error>([&] { F::pooling(x, 8); }, {"Pooling", "kernel (8, 8)"}));
  EXPECT_TRUE(throws_with<np::shape_error>(
      [&] {
        F::average_pooling(x, {2, 10}, {.stride = 1, .pad = 1});
      },
      {"AveragePooling", "kernel (2, 10)", "(9, 9)"}));
  EXPECT_TRUE(throws_with<np::shape_error>([&] { F::im2col(x, 9); }, {"Im2col", "kernel (9, 9)"}));
  EXPECT_TRUE(throws_with<np::shape_error>([&] { F::pooling_simple(x, 9); },
                                           {"pooling_simple", "kernel (9, 9)"}));
  // not 4-D
  EXPECT_TRUE(throws_with<np::shape_error>([&] { F::conv2d(np::ones({3, 7, 7}), W); },
                                           {"Conv2d", "x (3, 7, 7)", "4-D"}));
  EXPECT_TRUE(throws_with<np::shape_error>([&] { F::conv2d(x, np::ones({8, 3, 3})); },
                                           {"Conv2d", "W (8, 3, 3)", "4-D"}));
  EXPECT_TRUE(throws_with<np::shape_error>([&] { F::pooling(np::ones({7, 7}), 2); },
                                           {"Pooling", "x (7, 7)", "4-D"}));
  EXPECT_TRUE(throws_with<np::shape_error>([&] { F::im2col_array(np::ones({7}), 2); },
                                           {"im2col", "img (7,)", "4-D"}));
  // a bias of the wrong length
  EXPECT_TRUE(throws_with<np::shape_error>(
      [&] { F::conv2d(x, np::ones({8, 3, 3, 3}), np::ones({5})); },
      {"Conv2d", "b (5,)", "8 output channels"}));
  // geometry
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] {
        F::conv2d(x, np::ones({8, 3, 3, 3}), {}, {.stride = 0});
      },
      {"conv2d", "stride (0, 0)"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { F::pooling(x, 2, {.stride = 1, .pad = -1}); }, {"pooling", "pad (-1, -1)"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { F::im2col(x, {0, 2}); },
                                                 {"im2col", "kernel_size (0, 2)"}));
  // deconv2d: an output size that no convolution maps back to the input
  EXPECT_TRUE(throws_with<np::shape_error>(
      [&] {
        F::deconv2d(x, np::ones({3, 2, 3, 3}), {}, {.stride = 1, .pad = 0, .outsize = Pair(5, 9)});
      },
      {"Deconv2d", "output size (5, 9)", "gives (3, 7), not (7, 7)"}));
  // col2im: columns that do not fit the image
  EXPECT_TRUE(throws_with<np::shape_error>([&] { F::col2im_array(np::ones({4, 8}), {1, 1, 4, 4}, 3); },
                                           {"col2im", "col (4, 8)", "(4, 9)"}));
  // integers cannot go through the matrix product
  EXPECT_TRUE(throws_with<np::dtype_error>(
      [&] { F::conv2d(np::ones({1, 1, 3, 3}, np::int64), np::ones({1, 1, 2, 2}, np::int64)); },
      {"Conv2d", "int64", "float32 or float64"}));
  // batch_norm
  np::ndarray mean = np::zeros({3}), var = np::ones({3});
  EXPECT_TRUE(throws_with<np::shape_error>(
      [&] { F::batch_norm(np::ones({2, 3, 4}), np::ones({3}), np::zeros({3}), mean, var); },
      {"BatchNorm", "x (2, 3, 4)", "(N, C) or (N, C, H, W)"}));
  EXPECT_TRUE(throws_with<np::shape_error>(
      [&] { F::batch_norm(np::ones({2, 3}), np::ones({4}), np::zeros({3}), mean, var); },
      {"BatchNorm", "gamma (4,)", "(3,)", "x (2, 3)"}));
  EXPECT_TRUE(throws_with<np::shape_error>(
      [&] { F::batch_norm(np::ones({2, 4}), np::ones({4}), np::zeros({4}), mean, var); },
      {"BatchNorm", "running mean (3,)", "(4,)"}));
}

// ===================================== utils ================================================

TEST(ConvUtils, OutputSizesAndPair) {
  using dezero::utils::get_conv_outsize;
  using dezero::utils::get_deconv_outsize;
  EXPECT_EQ(get_conv_outsize(4, 3, 1, 1), 4);  // step 55
  EXPECT_EQ(get_conv_outsize(7, 5, 1, 0), 3);
  EXPECT_EQ(get_conv_outsize(224, 2, 2, 0), 112);
  EXPECT_EQ(get_conv_outsize(8, 5, 2, 2), 4);
  EXPECT_EQ(get_conv_outsize(5, 2, 2, 0), 2);  // floor
  EXPECT_EQ(get_conv_outsize(2, 5, 1, 0), -2);  // Python's floor division of -3
  EXPECT_EQ(get_conv_outsize(2, 5, 2, 0), -1);  // -3 // 2 = -2
  EXPECT_EQ(get_deconv_outsize(4, 3, 1, 1), 4);
  EXPECT_EQ(get_deconv_outsize(4, 5, 2, 2), 7);
  EXPECT_EQ(dezero::utils::pair(3), Pair(3, 3));
  EXPECT_EQ(dezero::utils::pair(2, 5), Pair(2, 5));
  EXPECT_EQ(dezero::utils::pair(std::vector<std::int64_t>{4, 1}), Pair(4, 1));
  EXPECT_EQ(Pair(2, 5).str(), "(2, 5)");
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { dezero::utils::pair(std::vector<std::int64_t>{1, 2, 3}); }, {"pair", "2 values", "3"}));
}

}  // namespace
