// Soak tests: long training loops must not grow. After the first iterations the live
// Variable and Function counters and the resident memory stay where they were; a graph,
// an optimizer's state or a recurrent state that piled up would show in one of them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <fstream>

#include "dezero/dezero.hpp"

namespace {

namespace F = dezero::functions;
namespace L = dezero::layers;
using dezero::Function;
using dezero::Variable;
using dezero::detail::VariableNode;

// Under AddressSanitizer every allocation is slow and its freed memory is held in a
// quarantine, so the sanitized build runs a tenth of the iterations and skips the RSS check.
// (GCC defines __SANITIZE_ADDRESS__; clang 14 answers __has_feature instead)
#if defined(__SANITIZE_ADDRESS__)
#define SOAK_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SOAK_UNDER_ASAN 1
#endif
#endif
#if defined(SOAK_UNDER_ASAN)
constexpr int kIterations = 10000;
constexpr bool kCheckRss = false;
#else
constexpr int kIterations = 100000;
constexpr bool kCheckRss = true;
#endif

// Resident memory in bytes (/proc/self/statm's second field, in pages).
std::int64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::int64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

// What the loop holds after `warmup` iterations, compared at the end.
struct Watch {
  std::int64_t nodes = -1, functions = -1, rss = -1;
  void take() {
    nodes = VariableNode::alive;
    functions = Function::alive;
    rss = resident_bytes();
  }
  void expect_flat() const {
    EXPECT_EQ(VariableNode::alive, nodes);
    EXPECT_EQ(Function::alive, functions);
    if (kCheckRss) {
      EXPECT_LT(resident_bytes() - rss, 4 << 20) << "resident memory grew";
    }
  }
};

TEST(Soak, MlpTrainingKeepsCountersAndMemoryFlat) {
  np::random::seed(0);
  const np::ndarray x = np::random::rand({16, 2}).astype(np::float32);
  const np::ndarray t = np::sin(x.sum(1, true) * 3.0).astype(np::float32);
  dezero::models::MLP model({8, 1});
  auto optimizer = dezero::optimizers::MomentumSGD(0.05).setup(model);
  Watch watch;
  double first_loss = 0, last_loss = 0;
  for (int i = 0; i < kIterations; ++i) {
    const Variable loss = F::mean_squared_error(model(x), t);
    model.cleargrads();
    loss.backward();
    optimizer.update();
    if (i == 0) first_loss = loss.data().astype(np::float64).item<double>();
    if (i == 1000) watch.take();
    if (i == kIterations - 1) watch.expect_flat();  // at the same point of an iteration
    last_loss = loss.data().astype(np::float64).item<double>();
  }
  EXPECT_LT(last_loss, first_loss * 0.5);  // it did train
}

class LstmRegressor : public dezero::Model {
 public:
  LstmRegressor() : lstm(10, 1), fc(1) {
    register_layer("lstm", lstm);
    register_layer("fc", fc);
  }
  Variable forward(const Variable& x) override { return fc(lstm(x)); }
  L::LSTM lstm;
  L::Linear fc;
};

// Steps 59/60's loop: one sample at a time, a cut of the graph every 30 steps.
TEST(Soak, LstmWithTruncatedBpttKeepsCountersAndMemoryFlat) {
  np::random::seed(0);
  LstmRegressor model;
  auto optimizer = dezero::optimizers::Adam().setup(model);
  const int bptt = 30;
  Watch watch;
  Variable loss(np::array(0.0f));
  for (int i = 0; i < kIterations; ++i) {
    const double phase = (i % 100) * 0.0628;
    const Variable y = model(np::array({{std::sin(phase)}}).astype(np::float32));
    const np::ndarray next = np::array({{std::sin(phase + 0.0628)}}).astype(np::float32);
    loss = loss + F::mean_squared_error(y, next);
    if ((i + 1) % bptt == 0) {
      model.cleargrads();
      loss.backward();
      loss.unchain_backward();
      optimizer.update();
      loss = Variable(np::array(0.0f));
      if (i + 1 == 30 * bptt) watch.take();
      if (i + 1 == kIterations / bptt * bptt) watch.expect_flat();  // the last cut
    }
  }
}

// The documented way of a higher-order loop (step 33's Newton's method): clear the recorded
// gradient before the next backward, and the graph it held goes.
TEST(Soak, NewtonWithCreateGraphAndCleargradDoesNotGrow) {
  Variable x(np::array(2.0));
  Watch watch;
  for (int i = 0; i < kIterations / 10; ++i) {
    const Variable y = x * x * x * x - 2.0 * x * x;
    x.cleargrad();
    y.backward({.create_graph = true});
    const Variable gx = x.grad();
    x.cleargrad();
    gx.backward();
    const Variable gx2 = x.grad();
    x.data() -= gx.data() / gx2.data();
    x.cleargrad();
    if (i == 100) watch.take();
    if (i == kIterations / 10 - 1) watch.expect_flat();
  }
  EXPECT_DOUBLE_EQ(x.item(), 1.0);  // the minimum step 33 finds
}

}  // namespace
