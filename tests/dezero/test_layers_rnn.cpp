// Recurrent networks and embeddings (stage 5, steps 59-60): the LSTM's forward pass and the
// gradients of all twelve of its parameters against an independent float64 computation
// written here (plain loops, hand-derived backpropagation through time), the RNN with an
// in_size other than its hidden size (the book's bug, fixed) against a hand computation and
// numerical gradients, reset_state, the weights' draws in the book's order, embed_id and
// EmbedID (values, the scatter-add gradient of repeated ids, double backward), truncated
// backpropagation through time (the gradient after a cut equals that of the graph unrolled
// from the cut, and cut graphs are freed: live-object counters), SinCurve's noise from the
// global generator, SeqDataLoader's order, and the messages of bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "dezero/dezero.hpp"
#include "tests/dezero/helpers.hpp"

namespace {

namespace F = dezero::functions;
namespace L = dezero::layers;
using dezero::Function;
using dezero::Parameter;
using dezero::Variable;
using dezero::detail::VariableNode;
using dztest::array_is;
using dztest::arrays_near;
using dztest::data_is;
using dztest::throws_with;

// ===================================== a plain matrix =======================================
// Row-major doubles: the independent computation uses nothing of the library but the
// parameters' values.
struct Mat {
  std::int64_t rows = 0, cols = 0;
  std::vector<double> v;

  Mat() = default;
  Mat(std::int64_t r, std::int64_t c) : rows(r), cols(c), v(static_cast<std::size_t>(r * c)) {}
  explicit Mat(const np::ndarray& a)
      : rows(a.ndim() == 1 ? 1 : a.shape()[0]),
        cols(a.ndim() == 1 ? a.shape()[0] : a.shape()[1]),
        v(a.to_vector<double>()) {}
  double& operator()(std::int64_t r, std::int64_t c) { return v[static_cast<std::size_t>(r * cols + c)]; }
  double operator()(std::int64_t r, std::int64_t c) const {
    return v[static_cast<std::size_t>(r * cols + c)];
  }
};

Mat matmul(const Mat& a, const Mat& b) {
  Mat out(a.rows, b.cols);
  for (std::int64_t i = 0; i < a.rows; ++i)
    for (std::int64_t j = 0; j < b.cols; ++j) {
      double s = 0;
      for (std::int64_t k = 0; k < a.cols; ++k) s += a(i, k) * b(k, j);
      out(i, j) = s;
    }
  return out;
}
Mat transposed(const Mat& a) {
  Mat out(a.cols, a.rows);
  for (std::int64_t i = 0; i < a.rows; ++i)
    for (std::int64_t j = 0; j < a.cols; ++j) out(j, i) = a(i, j);
  return out;
}
// Element-wise: out = f(a, b) (b may be a 1-row bias, broadcast over the rows).
Mat zip(const Mat& a, const Mat& b, const std::function<double(double, double)>& f) {
  Mat out(a.rows, a.cols);
  for (std::int64_t i = 0; i < a.rows; ++i)
    for (std::int64_t j = 0; j < a.cols; ++j) out(i, j) = f(a(i, j), b(b.rows == 1 ? 0 : i, j));
  return out;
}
Mat map(const Mat& a, const std::function<double(double)>& f) {
  Mat out = a;
  for (double& x : out.v) x = f(x);
  return out;
}
Mat operator+(const Mat& a, const Mat& b) { return zip(a, b, [](double x, double y) { return x + y; }); }
Mat operator*(const Mat& a, const Mat& b) { return zip(a, b, [](double x, double y) { return x * y; }); }
Mat& operator+=(Mat& a, const Mat& b) { return a = a + b; }
Mat column_sums(const Mat& a) {
  Mat out(1, a.cols);
  for (std::int64_t i = 0; i < a.rows; ++i)
    for (std::int64_t j = 0; j < a.cols; ++j) out(0, j) += a(i, j);
  return out;
}
double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// The values of `m` as expected data of a Variable of shape (rows, cols), or (cols,) for a bias.
std::vector<double> values(const Mat& m) { return m.v; }

// Replaces every parameter of `layer` by float64 normal draws times `scale`, so that the
// computation runs in float64 (the layers make float32 weights, as the book's).
void float64_parameters(const L::Layer& layer, double scale = 0.5) {
  for (const Parameter& p : layer.params()) p.data() = np::random::randn(p.shape()) * scale;
}

// Central differences of loss() with respect to each element of p's data (float64).
np::ndarray numerical_grad(const Parameter& p, const std::function<double()>& loss) {
  const double eps = 1e-6;
  np::ndarray g = np::zeros(p.shape());
  for (std::int64_t k = 0; k < p.size(); ++k) {
    const double v = p.data().flat(k);
    p.data().set_flat(k, v + eps);
    const double up = loss();
    p.data().set_flat(k, v - eps);
    const double down = loss();
    p.data().set_flat(k, v);
    g.set_flat(k, (up - down) / (2 * eps));
  }
  return g;
}

class Recurrent : public ::testing::Test {
 protected:
  void SetUp() override { np::random::seed(0); }
};

// ===================================== LSTM =================================================

// The book's LSTM written out with plain matrices: the states of every step and the gradient
// of loss = sum_t sum(h_t * R_t) with respect to every parameter, by backpropagation through
// time derived by hand.
struct LstmReference {
  // Parameters in the order of the layer's registration: x2f, x2i, x2o, x2u (W, b), then
  // h2f, h2i, h2o, h2u (W).
  Mat Wx[4], bx[4], Wh[4];
  std::vector<Mat> xs, Rs;
  std::vector<Mat> f, i, o, u, c, h;  // per step
  Mat gWx[4], gbx[4], gWh[4];

  void forward() {
    for (std::size_t t = 0; t < xs.size(); ++t) {
      Mat a[4];
      for (int g = 0; g < 4; ++g) {
        a[g] = matmul(xs[t], Wx[g]) + bx[g];
        if (t > 0) a[g] += matmul(h[t - 1], Wh[g]);
      }
      f.push_back(map(a[0], sigmoid));
      i.push_back(map(a[1], sigmoid));
      o.push_back(map(a[2], sigmoid));
      u.push_back(map(a[3], [](double v) { return std::tanh(v); }));
      c.push_back(t == 0 ? i[t] * u[t] : f[t] * c[t - 1] + i[t] * u[t]);
      h.push_back(o[t] * map(c[t], [](double v) { return std::tanh(v); }));
    }
  }

  void backward() {
    const std::int64_t N = xs[0].rows, H = Wh[0].cols;
    for (int g = 0; g < 4; ++g) {
      gWx[g] = Mat(Wx[g].rows, Wx[g].cols);
      gbx[g] = Mat(1, H);
      gWh[g] = Mat(H, H);
    }
    Mat dh_next(N, H), dc_next(N, H);
    for (std::size_t t = xs.size(); t-- > 0;) {
      const Mat dh = Rs[t] + dh_next;
      const Mat tc = map(c[t], [](double v) { return std::tanh(v); });
      const Mat do_ = dh * tc;
      const Mat dc = dc_next + dh * o[t] * map(tc, [](double v) { return 1 - v * v; });
      const Mat di = dc * u[t], du = dc * i[t];
      // The first step has no f c term: its forget gate gets no gradient.
      const Mat df = t > 0 ? dc * c[t - 1] : Mat(N, H);
      dc_next = t > 0 ? dc * f[t] : Mat(N, H);
      const Mat da[4] = {df * map(f[t], [](double v) { return v * (1 - v); }),
                         di * map(i[t], [](double v) { return v * (1 - v); }),
                         do_ * map(o[t], [](double v) { return v * (1 - v); }),
                         du * map(u[t], [](double v) { return 1 - v * v; })};
      dh_next = Mat(N, H);
      for (int g = 0; g < 4; ++g) {
        gWx[g] += matmul(transposed(xs[t]), da[g]);
        gbx[g] += column_sums(da[g]);
        if (t > 0) {
          gWh[g] += matmul(transposed(h[t - 1]), da[g]);
          dh_next += matmul(da[g], transposed(Wh[g]));
        }
      }
    }
  }
};

TEST_F(Recurrent, LstmForwardAndTheGradientsOfAllTwelveParametersMatchAHandComputation) {
  const std::int64_t N = 2, I = 3, H = 4, T = 4;
  L::LSTM lstm(H, I);
  float64_parameters(lstm);

  // Twelve parameters: four input projections with W and b, four recurrent ones with W only.
  const L::NamedParameters named = lstm.flatten_params();
  const std::vector<std::string> paths = {"x2f/W", "x2f/b", "x2i/W", "x2i/b", "x2o/W", "x2o/b",
                                          "x2u/W", "x2u/b", "h2f/W", "h2i/W", "h2o/W", "h2u/W"};
  ASSERT_EQ(named.size(), paths.size());
  for (std::size_t k = 0; k < paths.size(); ++k) EXPECT_EQ(named[k].first, paths[k]);

  LstmReference ref;
  const L::Linear* x_layers[4] = {&lstm.x2f, &lstm.x2i, &lstm.x2o, &lstm.x2u};
  const L::Linear* h_layers[4] = {&lstm.h2f, &lstm.h2i, &lstm.h2o, &lstm.h2u};
  for (int g = 0; g < 4; ++g) {
    ASSERT_EQ(x_layers[g]->W.shape(), (np::Shape{I, H}));
    ASSERT_EQ(x_layers[g]->b.shape(), (np::Shape{H}));
    ASSERT_EQ(h_layers[g]->W.shape(), (np::Shape{H, H}));
    EXPECT_FALSE(h_layers[g]->b);  // no bias on the recurrent projections
    ref.Wx[g] = Mat(x_layers[g]->W.data());
    ref.bx[g] = Mat(x_layers[g]->b.data());
    ref.Wh[g] = Mat(h_layers[g]->W.data());
  }

  Variable loss(np::array(0.0));
  std::vector<Variable> hs;
  for (std::int64_t t = 0; t < T; ++t) {
    const np::ndarray x = np::random::randn({N, I});
    const np::ndarray R = np::random::randn({N, H});
    ref.xs.emplace_back(x);
    ref.Rs.emplace_back(R);
    const Variable h = lstm(x);
    hs.push_back(h);
    loss = loss + F::sum(h * R);
  }
  ref.forward();
  for (std::int64_t t = 0; t < T; ++t) {
    EXPECT_TRUE(data_is(hs[t], {N, H}, np::float64, values(ref.h[t]), 1e-12)) << "h at step " << t;
  }
  EXPECT_TRUE(lstm.h.is(hs.back()));
  EXPECT_TRUE(data_is(lstm.c, {N, H}, np::float64, values(ref.c.back()), 1e-12));

  lstm.cleargrads();
  loss.backward();
  ref.backward();
  const char* gates = "fiou";
  for (int g = 0; g < 4; ++g) {
    const std::string gate(1, gates[g]);
    EXPECT_TRUE(data_is(x_layers[g]->W.grad(), {I, H}, np::float64, values(ref.gWx[g]), 1e-12))
        << "x2" << gate << "/W";
    EXPECT_TRUE(data_is(x_layers[g]->b.grad(), {H}, np::float64, values(ref.gbx[g]), 1e-12))
        << "x2" << gate << "/b";
    EXPECT_TRUE(data_is(h_layers[g]->W.grad(), {H, H}, np::float64, values(ref.gWh[g]), 1e-12))
        << "h2" << gate << "/W";
  }
  // The forget gate's input projection gets its gradient from the steps after the first
  // only; a zero would mean the f c term had been lost.
  double norm = 0;
  for (double v : lstm.x2f.W.grad().data().to_vector<double>()) norm += v * v;
  EXPECT_GT(norm, 1e-3);

  // Numerical derivatives agree too, for a few parameters (an independent check of the hand
  // derivation above).
  const std::vector<np::ndarray> xs = [&] {
    std::vector<np::ndarray> out;
    for (const Mat& m : ref.xs) out.push_back(np::array(m.v, np::Shape{N, I}));
    return out;
  }();
  auto loss_value = [&] {
    auto guard = dezero::no_grad();
    lstm.reset_state();
    double total = 0;
    for (std::int64_t t = 0; t < T; ++t) {
      const Variable h = lstm(xs[static_cast<std::size_t>(t)]);
      total += (h.data() * np::array(ref.Rs[static_cast<std::size_t>(t)].v, np::Shape{N, H}))
                   .sum()
                   .item<double>();
    }
    return total;
  };
  for (const Parameter* p : {&lstm.x2f.W, &lstm.h2u.W, &lstm.x2o.b}) {
    EXPECT_TRUE(arrays_near(p->grad().data(), numerical_grad(*p, loss_value), 1e-7));
  }
}

TEST_F(Recurrent, LstmDrawsItsRecurrentWeightsFirstAndItsInputWeightsAtTheFirstCall) {
  // The reference's LSTM(H) makes h2f, h2i, h2o, h2u (in_size H) in its constructor and the
  // x2* layers lazily, in the order forward calls them: f, i, o, u.
  const std::int64_t H = 3, I = 2;
  L::LSTM lstm(H);
  const L::Linear* x_layers[4] = {&lstm.x2f, &lstm.x2i, &lstm.x2o, &lstm.x2u};
  const L::Linear* h_layers[4] = {&lstm.h2f, &lstm.h2i, &lstm.h2o, &lstm.h2u};
  for (const L::Linear* l : x_layers) EXPECT_FALSE(l->W.data().defined());
  const np::ndarray x = np::ones({1, I});
  lstm(x);

  // h2f.W[0, 0]: the first randn after seed(0) (1.764052345967664), cast to float32 and
  // scaled by sqrt(1/3) in float32, as NumPy computes randn(...).astype(float32) * sqrt(1/H).
  const float first = static_cast<float>(1.764052345967664) *
                      static_cast<float>(std::sqrt(1.0 / 3.0));
  EXPECT_EQ(lstm.h2f.W.data().flat(0), static_cast<double>(first));
  EXPECT_EQ(lstm.h2f.W.dtype(), np::float32);

  np::random::seed(0);
  const np::ndarray draws = np::random::randn({4 * H * H + 4 * I * H});
  std::int64_t at = 0;
  auto expect_drawn = [&](const L::Linear& l, std::int64_t in) {
    std::vector<double> expected;
    const float scale = static_cast<float>(std::sqrt(1.0 / static_cast<double>(in)));
    for (std::int64_t k = 0; k < in * H; ++k) {
      expected.push_back(static_cast<float>(draws.flat(at++)) * scale);
    }
    return array_is(l.W.data(), {in, H}, np::float32, expected);
  };
  for (const L::Linear* l : h_layers) EXPECT_TRUE(expect_drawn(*l, H)) << l->registered_name();
  for (const L::Linear* l : x_layers) EXPECT_TRUE(expect_drawn(*l, I)) << l->registered_name();
}

TEST_F(Recurrent, LstmResetStateStartsANewSequence) {
  L::LSTM lstm(3, 2);
  float64_parameters(lstm);
  const np::ndarray x0 = np::random::randn({2, 2}), x1 = np::random::randn({2, 2});
  const np::ndarray first = lstm(x0).data();
  const np::ndarray second = lstm(x1).data();
  EXPECT_FALSE(np::allclose(first, second));
  lstm.reset_state();
  EXPECT_FALSE(lstm.h);
  EXPECT_FALSE(lstm.c);
  // Fed x0 again after the reset, it gives the first step's output exactly (no h2* term, c
  // = i u), not a continuation.
  EXPECT_TRUE(arrays_near(lstm(x0).data(), first, 0.0));
}

// ===================================== RNN ==================================================

TEST_F(Recurrent, RnnWorksWithAnInSizeOtherThanItsHiddenSize) {
  // The reference's RNN(4, in_size=3) gives h2h a (3, 4) W and fails at the second step; ours
  // gives it (4, 4).
  const std::int64_t N = 2, I = 3, H = 4, T = 3;
  L::RNN rnn(H, I);
  ASSERT_TRUE(rnn.x2h.W.data().defined());
  ASSERT_TRUE(rnn.h2h.W.data().defined());
  EXPECT_EQ(rnn.x2h.W.shape(), (np::Shape{I, H}));
  EXPECT_EQ(rnn.h2h.W.shape(), (np::Shape{H, H}));
  EXPECT_EQ(rnn.x2h.b.shape(), (np::Shape{H}));
  EXPECT_FALSE(rnn.h2h.b);
  ASSERT_EQ(rnn.flatten_params().size(), 3u);
  float64_parameters(rnn);

  const Mat Wx(rnn.x2h.W.data()), b(rnn.x2h.b.data()), Wh(rnn.h2h.W.data());
  std::vector<np::ndarray> xs, Rs;
  Mat h;
  Variable loss(np::array(0.0));
  for (std::int64_t t = 0; t < T; ++t) {
    xs.push_back(np::random::randn({N, I}));
    Rs.push_back(np::random::randn({N, H}));
    Mat a = matmul(Mat(xs.back()), Wx) + b;
    if (t > 0) a += matmul(h, Wh);
    h = map(a, [](double v) { return std::tanh(v); });
    const Variable y = rnn(xs.back());
    EXPECT_TRUE(data_is(y, {N, H}, np::float64, values(h), 1e-12)) << "step " << t;
    loss = loss + F::sum(y * Rs.back());
  }
  rnn.cleargrads();
  loss.backward();

  auto loss_value = [&] {
    auto guard = dezero::no_grad();
    rnn.reset_state();
    double total = 0;
    for (std::size_t t = 0; t < xs.size(); ++t) {
      total += (rnn(xs[t]).data() * Rs[t]).sum().item<double>();
    }
    return total;
  };
  for (const Parameter* p : {&rnn.x2h.W, &rnn.x2h.b, &rnn.h2h.W}) {
    EXPECT_TRUE(arrays_near(p->grad().data(), numerical_grad(*p, loss_value), 1e-7))
        << p->name();
  }
}

TEST_F(Recurrent, RnnDrawsH2hAtTheSecondStepWithoutAnInSize) {
  // As the reference's RNN(hidden_size): x2h's W at the first call, h2h's at the second.
  L::RNN rnn(4);
  EXPECT_FALSE(rnn.x2h.W.data().defined());
  EXPECT_FALSE(rnn.h2h.W.data().defined());
  rnn(np::ones({1, 3}));
  EXPECT_EQ(rnn.x2h.W.shape(), (np::Shape{3, 4}));
  EXPECT_FALSE(rnn.h2h.W.data().defined());
  rnn(np::ones({1, 3}));
  EXPECT_EQ(rnn.h2h.W.shape(), (np::Shape{4, 4}));

  np::random::seed(0);
  const np::ndarray x2h = np::random::randn({3, 4}).astype(np::float32) * np::ndarray(std::sqrt(1.0 / 3));
  const np::ndarray h2h = np::random::randn({4, 4}).astype(np::float32) * np::ndarray(0.5);
  EXPECT_TRUE(arrays_near(rnn.x2h.W.data(), x2h, 0.0));
  EXPECT_TRUE(arrays_near(rnn.h2h.W.data(), h2h, 0.0));
}

TEST_F(Recurrent, RnnResetState) {
  L::RNN rnn(3, 2);
  float64_parameters(rnn);
  const np::ndarray x = np::random::randn({1, 2});
  const np::ndarray first = rnn(x).data();
  EXPECT_TRUE(rnn.h);
  // The first step is tanh(x W + b), without h2h.
  const np::ndarray expected = np::tanh(x.dot(rnn.x2h.W.data()) + rnn.x2h.b.data());
  EXPECT_TRUE(arrays_near(first, expected, 0.0));
  EXPECT_FALSE(np::allclose(rnn(x).data(), first));  // the second step adds h2h(h)
  rnn.reset_state();
  EXPECT_FALSE(rnn.h);
  EXPECT_TRUE(arrays_near(rnn(x).data(), first, 0.0));
}

TEST_F(Recurrent, RecurrentLayersRejectInputsThatChangeWithinASequence) {
  L::RNN rnn(4);
  rnn(np::ones({2, 3}));
  EXPECT_TRUE(throws_with<np::shape_error>([&] { rnn(np::ones({2, 5})); },
                                           {"RNN", "x (2, 5) has 5 features", "made for 3",
                                            "x2h.W is (3, 4)"}));
  EXPECT_TRUE(throws_with<np::shape_error>([&] { rnn(np::ones({1, 3})); },
                                           {"RNN", "x (1, 3) is a batch of 1", "h (2, 4)",
                                            "reset_state()"}));
  EXPECT_TRUE(throws_with<np::shape_error>([&] { rnn(np::ones({3})); },
                                           {"RNN", "(N, in_size)", "got (3,)"}));
  rnn.reset_state();
  EXPECT_EQ(rnn(np::ones({1, 3})).shape(), (np::Shape{1, 4}));  // a new batch size is fine now
  EXPECT_TRUE(throws_with<np::shape_error>([&] { rnn(np::ones({1, 2})); }, {"made for 3"}));

  L::LSTM lstm(4, 3);
  EXPECT_TRUE(throws_with<np::shape_error>([&] { lstm(np::ones({2, 2})); },
                                           {"LSTM", "has 2 features", "made for 3", "x2f.W"}));
  lstm(np::ones({2, 3}));
  EXPECT_TRUE(throws_with<np::shape_error>([&] { lstm(np::ones({5, 3})); },
                                           {"LSTM", "batch of 5", "h (2, 4)"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { L::RNN bad(0); },
                                                 {"RNN: hidden_size must be positive, got 0"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { L::LSTM bad(3, -1); },
                                                 {"LSTM: in_size must be positive, got -1"}));
}

// ===================================== embed_id / EmbedID ===================================

TEST_F(Recurrent, EmbedIdPicksRowsAndScatterAddsTheGradientOfRepeatedIds) {
  const Variable W(np::arange(0.0, 15.0).reshape({5, 3}) * np::ndarray(0.5));
  const np::ndarray ids = np::array({{0, 2}, {2, 4}});
  const Variable y = F::embed_id(ids, W);
  EXPECT_TRUE(data_is(y, {2, 2, 3}, np::float64,
                      {0, 0.5, 1, 3, 3.5, 4, 3, 3.5, 4, 6, 6.5, 7}));
  ASSERT_TRUE(y.creator());
  EXPECT_EQ(y.creator()->type(), "EmbedID");
  ASSERT_EQ(y.creator()->inputs().size(), 1u);  // the ids are not an input
  EXPECT_TRUE(y.creator()->input(0).is(W));

  const np::ndarray G = np::array({{{1.0, 2.0, 3.0}, {0.25, 0.5, 0.75}},
                                   {{10.0, 20.0, 30.0}, {-1.0, -2.0, -3.0}}});
  F::sum(y * G).backward();
  // Row 2 is picked twice: its gradient is the sum of both; rows 1 and 3 are never picked.
  EXPECT_TRUE(data_is(W.grad(), {5, 3}, np::float64,
                      {1, 2, 3, 0, 0, 0, 10.25, 20.5, 30.75, 0, 0, 0, -1, -2, -3}));
  EXPECT_EQ(W.grad().creator(), nullptr);  // no graph without create_graph

  // A negative id counts from the end, as NumPy's W[x]; one id gives one row.
  EXPECT_TRUE(data_is(F::embed_id(np::array({-1}), W), {1, 3}, np::float64, {6, 6.5, 7}));
  EXPECT_TRUE(data_is(F::embed_id(np::ndarray(std::int64_t{1}), W), {3}, np::float64,
                      {1.5, 2, 2.5}));
  // float32 tables stay float32.
  const Variable W32(W.data().astype(np::float32));
  EXPECT_EQ(F::embed_id(ids, W32).dtype(), np::float32);
}

TEST_F(Recurrent, EmbedIdGradientsNumericallyAndTwice) {
  const np::ndarray ids = np::array({3, 0, 3, 3, 1});
  const np::ndarray W0 = np::random::randn({4, 2});
  EXPECT_TRUE(dezero::utils::gradient_check(
      [&](const Variable& W) { return F::embed_id(ids, W) * F::embed_id(ids, W); }, W0));
  // EmbedIDGrad is differentiable. With y = sum(W[ids]^3), dy/dW row r is c_r 3 W_r^2 (c_r
  // the count of id r), so z = sum(dy/dW * R) has dz/dW row r = c_r 6 W_r R_r.
  const Variable W(W0);
  const Variable e = F::embed_id(ids, W);
  F::sum(e * e * e).backward({.create_graph = true});
  const Variable gW = W.grad();
  ASSERT_TRUE(gW.creator());
  EXPECT_EQ(gW.creator()->type(), "EmbedIDGrad");
  const np::ndarray R = np::random::randn({4, 2});
  W.cleargrad();
  F::sum(gW * R).backward();
  const double count[4] = {1, 1, 0, 3};
  std::vector<double> expected;
  for (std::int64_t k = 0; k < 8; ++k) {
    expected.push_back(count[k / 2] * 6 * W0.flat(k) * R.flat(k));
  }
  EXPECT_TRUE(data_is(W.grad(), {4, 2}, np::float64, expected, 1e-12));
}

TEST_F(Recurrent, EmbedIdRejectsBadIdsAndTables) {
  const Variable W(np::zeros({5, 3}));
  EXPECT_TRUE(throws_with<np::index_error>(
      [&] { F::embed_id(np::array({1, 5}), W); },
      {"embed_id", "id 5", "position 1", "outside [-5, 5)", "(5, 3)"}));
  EXPECT_TRUE(throws_with<np::index_error>([&] { F::embed_id(np::array({{0}, {-6}}), W); },
                                           {"embed_id", "id -6", "(2, 1)"}));
  EXPECT_TRUE(throws_with<np::dtype_error>([&] { F::embed_id(np::array({1.0}), W); },
                                           {"embed_id", "integers", "float64"}));
  EXPECT_TRUE(throws_with<np::shape_error>(
      [&] { F::embed_id(np::array({0}), Variable(np::zeros({5}))); },
      {"embed_id", "(vocabulary, features)", "not (5,)"}));

  L::EmbedID embed(5, 3);
  EXPECT_TRUE(throws_with<np::index_error>([&] { embed(np::array({7})); }, {"id 7"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { L::EmbedID bad(0, 3); },
                                                 {"EmbedID: in_size must be positive"}));
}

TEST_F(Recurrent, EmbedIdLayerDrawsItsTableAsTheBook) {
  // W = randn(in_size, out_size) in float64, drawn in the constructor: after seed(0) the
  // reference's first five draws.
  L::EmbedID embed(5, 1);
  EXPECT_TRUE(data_is(embed.W, {5, 1}, np::float64,
                      {1.764052345967664, 0.4001572083672233, 0.9787379841057392,
                       2.240893199201458, 1.8675579901499675}));
  ASSERT_EQ(embed.flatten_params().size(), 1u);
  EXPECT_EQ(embed.flatten_params()[0].first, "W");
  const Variable y = embed(np::array({4, 4, 1}));
  EXPECT_TRUE(data_is(y, {3, 1}, np::float64,
                      {1.8675579901499675, 1.8675579901499675, 0.4001572083672233}));
  F::sum(y).backward();
  EXPECT_TRUE(data_is(embed.W.grad(), {5, 1}, np::float64, {0, 1, 0, 0, 2}));
}

// ===================================== truncated BPTT =======================================

// The book's SimpleRNN with float64 weights.
class SimpleRNN : public dezero::Model {
 public:
  SimpleRNN() : rnn(3, 2), fc(1, {.in_size = 3}) {
    register_layer("rnn", rnn);
    register_layer("fc", fc);
    float64_parameters(*this);
  }
  Variable forward(const Variable& x) override { return fc(rnn(x)); }
  L::RNN rnn;
  L::Linear fc;
};

std::vector<np::ndarray> gradients(const L::Layer& model) {
  std::vector<np::ndarray> out;
  for (const Parameter& p : model.params()) out.push_back(p.grad().data());
  return out;
}

TEST_F(Recurrent, TruncatedBpttGivesTheGradientOfTheGraphUnrolledFromTheCut) {
  SimpleRNN model;
  const int chunk = 3, chunks = 3;
  std::vector<np::ndarray> xs, ts;
  for (int k = 0; k < chunk * chunks; ++k) {
    xs.push_back(np::random::randn({2, 2}));
    ts.push_back(np::random::randn({2, 1}));
  }

  // As steps 59 and 60, with a cut every 3 steps (and no update, so the weights stay): the
  // gradients after each cut, and the state each chunk started from.
  Variable loss(np::array(0.0));
  std::vector<std::vector<np::ndarray>> truncated;
  std::vector<np::ndarray> start_state = {np::ndarray()};  // the first chunk starts from None
  for (int k = 0; k < chunk * chunks; ++k) {
    loss += F::mean_squared_error(model(xs[k]), ts[k]);
    if ((k + 1) % chunk == 0) {
      model.cleargrads();
      loss.backward();
      loss.unchain_backward();
      truncated.push_back(gradients(model));
      EXPECT_FALSE(model.rnn.h.creator());  // the state is a leaf now
      start_state.push_back(model.rnn.h.data().copy());
    }
  }
  ASSERT_EQ(truncated.size(), 3u);
  ASSERT_EQ(truncated[0].size(), 5u);  // x2h W b, h2h W, fc W b

  // Each chunk's graph alone, started from the state at the cut before it as a constant.
  std::vector<np::ndarray> unrolled_last;
  for (int c = 0; c < chunks; ++c) {
    model.rnn.h = c == 0 ? Variable() : Variable(start_state[static_cast<std::size_t>(c)]);
    Variable chunk_loss(np::array(0.0));
    for (int k = c * chunk; k < (c + 1) * chunk; ++k) {
      chunk_loss += F::mean_squared_error(model(xs[k]), ts[k]);
    }
    model.cleargrads();
    chunk_loss.backward();
    const std::vector<np::ndarray> unrolled = gradients(model);
    for (std::size_t p = 0; p < unrolled.size(); ++p) {
      EXPECT_TRUE(arrays_near(truncated[static_cast<std::size_t>(c)][p], unrolled[p], 1e-15))
          << "chunk " << c << ", parameter " << p;
    }
    unrolled_last = unrolled;
  }

  // Without the cuts, the last chunk's gradient flows back through the earlier ones as well:
  // it differs, so the comparison above can tell.
  model.rnn.reset_state();
  Variable full(np::array(0.0));
  for (int k = 0; k < chunk * chunks; ++k) full += F::mean_squared_error(model(xs[k]), ts[k]);
  model.cleargrads();
  full.backward();
  EXPECT_FALSE(np::allclose(gradients(model)[2], unrolled_last[2], 1e-6, 1e-9));
}

TEST_F(Recurrent, UnchainBackwardFreesTheGraphsItCuts) {
  SimpleRNN model;
  const std::int64_t functions_before = Function::alive;
  std::vector<std::int64_t> functions_at_cut, nodes_at_cut;
  std::int64_t functions_in_chunk = 0;
  {
    Variable loss(np::array(0.0));
    for (int k = 0; k < 50; ++k) {
      loss += F::mean_squared_error(model(np::random::randn({2, 2})), np::random::randn({2, 1}));
      if ((k + 1) % 10 == 0) {
        functions_in_chunk = Function::alive - functions_before;
        model.cleargrads();
        loss.backward();
        loss.unchain_backward();
        functions_at_cut.push_back(Function::alive - functions_before);
        nodes_at_cut.push_back(VariableNode::alive);
      }
    }
    // Ten steps of RNN, Linear and the loss hold dozens of functions until the cut; after
    // it only the last Add (the creator of `loss`, whose inputs are leaves now) is left.
    EXPECT_GT(functions_in_chunk, 50);
    for (std::size_t c = 0; c < functions_at_cut.size(); ++c) {
      EXPECT_EQ(functions_at_cut[c], 1) << "cut " << c;
      EXPECT_EQ(nodes_at_cut[c], nodes_at_cut[0]) << "cut " << c;  // no growth
    }
  }
  model.rnn.reset_state();
  EXPECT_EQ(Function::alive, functions_before);
}

// ===================================== SinCurve, SeqDataLoader ==============================

TEST_F(Recurrent, SinCurveDrawsItsNoiseFromTheGlobalGenerator) {
  namespace D = dezero::datasets;
  const double pi = 3.141592653589793;
  // seed(0); uniform(-0.05, 0.05, 5): the reference's first five noise values.
  const std::vector<double> noise = {0.00488135039273248, 0.02151893663724194,
                                     0.01027633760716438, 0.00448831829968969,
                                     -0.00763452006610953};
  const D::SinCurve train(true);
  ASSERT_EQ(train.len(), 999);
  EXPECT_EQ(train.data().shape(), (np::Shape{999, 1}));
  EXPECT_EQ(train.label().shape(), (np::Shape{999, 1}));
  EXPECT_EQ(train.data().dtype(), np::float64);
  for (std::int64_t i = 0; i < 4; ++i) {
    const double x = static_cast<double>(i) * (2 * pi / 999);
    EXPECT_NEAR(train.data().flat(i), std::sin(x) + noise[static_cast<std::size_t>(i)], 1e-16);
    // label[i] is the next point, y[i + 1].
    EXPECT_EQ(train.label().flat(i), train.data().flat(i + 1));
  }
  // One sample: x (1,), t (1,). (The reference file prints the noise to 15 digits.)
  const auto [x, t] = train[0];
  EXPECT_TRUE(array_is(x, {1}, np::float64, {noise[0]}, 1e-17));
  EXPECT_TRUE(array_is(t, {1}, np::float64, {train.data().flat(1)}));

  // The test split draws the same 1000 numbers but uses a clean cosine.
  np::random::seed(0);
  const D::SinCurve test(false);
  for (std::int64_t i = 0; i < 5; ++i) {
    EXPECT_NEAR(test.data().flat(i), std::cos(static_cast<double>(i) * (2 * pi / 999)), 1e-16);
  }
  const double next = np::random::rand({1}).flat(0);
  np::random::seed(0);
  EXPECT_EQ(next, np::random::rand({1001}).flat(1000));

  // Unseeded, each data set has its own noise.
  const D::SinCurve again(true);
  EXPECT_FALSE(np::array_equal(again.data(), train.data()));
}

TEST_F(Recurrent, SeqDataLoaderWalksThirtyStreamsOfTheSeries) {
  namespace D = dezero::datasets;
  const D::SinCurve train(true);
  dezero::dataloaders::SeqDataLoader loader(train, 30);
  EXPECT_EQ(loader.max_iter(), 34);  // ceil(999 / 30)
  const std::vector<double> data = train.data().to_vector<double>();
  const std::vector<double> label = train.label().to_vector<double>();
  for (int epoch = 0; epoch < 2; ++epoch) {
    std::int64_t k = 0;
    for (auto [x, t] : loader) {
      ASSERT_EQ(x.shape(), (np::Shape{30, 1}));
      ASSERT_EQ(t.shape(), (np::Shape{30, 1}));
      for (std::int64_t i = 0; i < 30; ++i) {
        // The reference's order: row i of batch k is sample (i * jump + k) % N, jump = 999 // 30.
        const auto index = static_cast<std::size_t>((i * 33 + k) % 999);
        ASSERT_EQ(x.flat(i), data[index]) << "epoch " << epoch << " batch " << k << " row " << i;
        ASSERT_EQ(t.flat(i), label[index]);
      }
      ++k;
    }
    EXPECT_EQ(k, 34) << "epoch " << epoch;
  }
  // No shuffling: the generator has not moved since the data set drew its noise.
  const double after = np::random::rand({1}).flat(0);
  np::random::seed(0);
  const D::SinCurve replay(true);
  EXPECT_EQ(after, np::random::rand({1}).flat(0));
}

}  // namespace
