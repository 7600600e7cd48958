// dezero_bench: the peer workloads of ../shared/bench/BASELINE.md on dezero-cpp, one per run:
//
//   dezero_bench W [--threads N] [key=value ...]
//   dezero_bench --list        the workloads this build has
//
// It prints the peers' line, `workload=W seconds=S metric=M [extras]`, where S is the timed
// region BASELINE.md defines (the training or inference loop only: data in memory, model
// built) and M the figure that must agree with PyTorch's and the Python DeZero's. The options
// are the peers' (`iters`, `epochs`, `n`, `reps`, `ops`, `order`; `n` also limits W3's data and
// `size` is W6's image size, for the tests, which pass tiny ones).
// Speed is measured here and in bench/compare.sh, never asserted in a test.
#include <Eigen/Core>
#ifdef _OPENMP
#include <omp.h>
#endif

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dezero/dezero.hpp"

using dezero::Variable;
namespace F = dezero::functions;

namespace {

using Options = std::map<std::string, std::string>;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

long option(const Options& options, const std::string& key, long fallback) {
  const auto it = options.find(key);
  if (it == options.end()) return fallback;
  char* end = nullptr;
  const long value = std::strtol(it->second.c_str(), &end, 10);
  if (*end != '\0' || value < 0) {
    throw std::invalid_argument("option " + key + "=" + it->second + " is not a count");
  }
  return value;
}

struct Result {
  double seconds;
  double metric;
  std::vector<std::pair<std::string, std::string>> extras;
};

std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

// W1: step 43's network (linear, sigmoid, linear, mean squared error), 10 000 iterations.
Result w1(const Options& options) {
  const long iters = option(options, "iters", 10000);
  const np::ndarray x = np::random::rand({100, 1});
  const np::ndarray y = np::sin(2 * np::pi * x) + np::random::rand({100, 1});
  Variable W1(0.01 * np::random::randn({1, 10})), b1(np::zeros({10}));
  Variable W2(0.01 * np::random::randn({10, 1})), b2(np::zeros({1}));
  const std::vector<Variable> params{W1, b1, W2, b2};
  const double lr = 0.2;
  Variable loss;
  const auto t0 = Clock::now();
  for (long i = 0; i < iters; ++i) {
    const Variable h = F::sigmoid(F::linear(x, W1, b1));
    const Variable y_pred = F::linear(h, W2, b2);
    loss = F::mean_squared_error(y, y_pred);
    for (const auto& p : params) p.cleargrad();
    loss.backward();
    for (const auto& p : params) p.data() -= lr * p.grad().data();
  }
  return {seconds_since(t0), loss.item(), {}};
}

// W2: step 48's spiral MLP (10, 3), SGD lr 1.0, batch 30, 300 epochs; the last epoch's loss.
Result w2(const Options& options) {
  const long epochs = option(options, "epochs", 300);
  const auto [x, t] = dezero::datasets::get_spiral(true);
  dezero::models::MLP model({10, 3});
  auto optimizer = dezero::optimizers::SGD(1.0).setup(model);
  const std::int64_t n = x.len(), batch = 30;
  double sum_loss = 0;
  const auto t0 = Clock::now();
  for (long epoch = 0; epoch < epochs; ++epoch) {
    const np::ndarray index = np::random::permutation(n);
    sum_loss = 0;
    for (std::int64_t i = 0; i < (n + batch - 1) / batch; ++i) {
      const np::ndarray bi = index[{np::slice(i * batch, (i + 1) * batch)}];
      const Variable loss = F::softmax_cross_entropy(model(x[bi]), t[bi]);
      model.cleargrads();
      loss.backward();
      optimizer.update();
      sum_loss += loss.item() * double(bi.len());
    }
  }
  return {seconds_since(t0), sum_loss / double(n), {}};
}

// W3 / W3b: step 51's MLP on Fashion-MNIST, one epoch with per-batch accuracy, then the test
// pass. W3: 784-1000-10 sigmoid, SGD(0.01); W3b: 784-1000-1000-10 ReLU, Adam.
Result w3(const Options& options, bool big) {
  const long epochs = option(options, "epochs", 1);
  const long limit = option(options, "n", 0);  // tests use a few batches
  dezero::datasets::FashionMNIST train_set(true), test_set(false);
  auto cut = [&](const dezero::datasets::Dataset& ds) {
    if (limit == 0 || limit >= ds.len()) return ds;
    return dezero::datasets::Dataset::from_arrays(ds.data()[{np::slice(0, limit)}],
                                                  ds.label()[{np::slice(0, limit)}],
                                                  ds.transform(), ds.target_transform());
  };
  const auto train = cut(train_set), test = cut(test_set);
  dezero::dataloaders::DataLoader train_loader(train, 100);
  dezero::dataloaders::DataLoader test_loader(test, 100, {.shuffle = false});
  std::unique_ptr<dezero::models::MLP> model;
  std::unique_ptr<dezero::optimizers::Optimizer> optimizer;
  if (big) {
    model =
        std::make_unique<dezero::models::MLP>(std::vector<std::int64_t>{1000, 1000, 10},
                                              dezero::models::MLPOptions{.activation = F::relu});
    optimizer = std::make_unique<dezero::optimizers::Adam>();
  } else {
    model = std::make_unique<dezero::models::MLP>(std::vector<std::int64_t>{1000, 10});
    optimizer = std::make_unique<dezero::optimizers::SGD>();
  }
  optimizer->setup(*model);
  double sum_loss = 0, sum_acc = 0;
  const auto t0 = Clock::now();
  for (long epoch = 0; epoch < epochs; ++epoch) {
    sum_loss = sum_acc = 0;
    for (auto [x, t] : train_loader) {
      const Variable y = (*model)(x);
      const Variable loss = F::softmax_cross_entropy(y, t);
      const Variable acc = F::accuracy(y, t);
      model->cleargrads();
      loss.backward();
      optimizer->update();
      sum_loss += loss.item() * double(t.len());
      sum_acc += acc.item() * double(t.len());
    }
  }
  const double train_s = seconds_since(t0);
  double test_acc = 0;
  {
    const auto guard = dezero::no_grad();
    for (auto [x, t] : test_loader) {
      const Variable y = (*model)(x);
      const Variable loss = F::softmax_cross_entropy(y, t);
      test_acc += F::accuracy(y, t).item() * double(t.len());
    }
  }
  return {seconds_since(t0),
          test_acc / double(test.len()),
          {{"train_s", fixed(train_s, 4)}, {"train_loss", fixed(sum_loss / double(train.len()), 4)}}};
}

// W3loader: W3's data pipeline alone, one epoch of batches.
Result w3loader(const Options&) {
  dezero::datasets::FashionMNIST train_set(true);
  dezero::dataloaders::DataLoader loader(train_set, 100);
  np::ndarray last;
  const auto t0 = Clock::now();
  for (auto [x, t] : loader) {
    (void)t;  // the labels are gathered all the same
    last = x;
  }
  return {seconds_since(t0), last.astype(np::float64).sum().item<double>(), {}};
}

// W4: a small CNN (conv 16, pool, conv 32, pool, linear 10), SGD lr 0.1, one epoch over the
// first 10 000 training images in batches of 100; the mean training loss.
class SmallCNN : public dezero::models::Model {
 public:
  SmallCNN() {
    register_layer("conv1", conv1);
    register_layer("conv2", conv2);
    register_layer("fc", fc);
  }
  Variable forward(const Variable& x) override {
    Variable h = F::pooling(F::relu(conv1(x)), 2, {.stride = 2});
    h = F::pooling(F::relu(conv2(h)), 2, {.stride = 2});
    return fc(F::reshape(h, {h.shape()[0], -1}));
  }
  dezero::layers::Conv2d conv1{16, 3, {.stride = 1, .pad = 1}},
      conv2{32, 3, {.stride = 1, .pad = 1}};
  dezero::layers::Linear fc{10};
};

Result w4(const Options& options) {
  namespace T = dezero::transforms;
  const long n = option(options, "n", 10000);
  const double lr = 0.1;
  dezero::datasets::FashionMNIST full(true, T::Compose({T::ToFloat(), T::Normalize(0., 255.)}));
  const auto train = dezero::datasets::Dataset::from_arrays(
      full.data()[{np::slice(0, n)}], full.label()[{np::slice(0, n)}], full.transform());
  dezero::dataloaders::DataLoader loader(train, 100);
  SmallCNN model;
  auto optimizer = dezero::optimizers::SGD(lr).setup(model);
  double sum_loss = 0;
  const auto t0 = Clock::now();
  for (auto [x, t] : loader) {
    const Variable loss = F::softmax_cross_entropy(model(x), t);
    model.cleargrads();
    loss.backward();
    optimizer.update();
    sum_loss += loss.item() * double(t.len());
  }
  return {seconds_since(t0), sum_loss / double(n), {}};
}

// W5: step 60's LSTM (hidden 100) on the sine curve, truncated BPTT every 30 steps, Adam, 100
// epochs; the last epoch's mean loss.
class LstmRegressor : public dezero::models::Model {
 public:
  LstmRegressor() {
    register_layer("rnn", rnn);
    register_layer("fc", fc);
  }
  void reset_state() { rnn.reset_state(); }
  Variable forward(const Variable& x) override { return fc(rnn(x)); }
  dezero::layers::LSTM rnn{100};
  dezero::layers::Linear fc{1};
};

Result w5(const Options& options) {
  const long epochs = option(options, "epochs", 100);
  const long bptt = 30;
  dezero::datasets::SinCurve train_set(true);
  dezero::dataloaders::SeqDataLoader loader(train_set, 30);
  const std::int64_t seqlen = train_set.len();
  LstmRegressor model;
  auto optimizer = dezero::optimizers::Adam().setup(model);
  double avg_loss = 0;
  const auto t0 = Clock::now();
  for (long epoch = 0; epoch < epochs; ++epoch) {
    model.reset_state();
    Variable loss(np::array(0));
    long count = 0;
    for (auto [x, t] : loader) {
      const Variable y = model(x);
      loss = loss + F::mean_squared_error(y, t);
      ++count;
      if (count % bptt == 0 || count == seqlen) {
        model.cleargrads();
        loss.backward();
        loss.unchain_backward();
        optimizer.update();
      }
    }
    avg_loss = loss.item() / double(count);
  }
  return {seconds_since(t0), avg_loss, {}};
}

// W6: VGG16 forward on one random 1x3x224x224 image (`size` changes 224) in test mode: a warm-up (which also draws
// the weights), then the median of `reps` timed forwards.
Result w6(const Options& options) {
  const long reps = option(options, "reps", 3);
  const long size = option(options, "size", 224);  // tests use a small image
  dezero::models::VGG16 model(false);
  const np::ndarray x = np::random::randn({1, 3, size, size}).astype(np::float32);
  std::vector<double> times;
  Variable y;
  const auto mode = dezero::test_mode();
  const auto guard = dezero::no_grad();
  y = model(x);
  for (long r = 0; r < reps; ++r) {
    const auto t0 = Clock::now();
    y = model(x);
    times.push_back(seconds_since(t0));
  }
  std::sort(times.begin(), times.end());
  return {times.empty() ? 0.0 : times[times.size() / 2], np::abs(y.data()).astype(np::float64).mean().item<double>(), {}};
}

// W7a: 100 000 scalar graph nodes (y = y * 1.0001 + 0.0001, 50 000 times), then backward.
Result w7a(const Options& options) {
  const long n_ops = option(options, "ops", 100000);
  const Variable x(np::array(1.0));
  const auto t0 = Clock::now();
  Variable y = x;
  for (long i = 0; i < n_ops / 2; ++i) y = y * 1.0001 + 0.0001;
  const auto t1 = Clock::now();
  y.backward();
  const auto t2 = Clock::now();
  y = Variable();  // frees the graph
  const auto t3 = Clock::now();
  auto span = [](Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  };
  const double total = span(t0, t2);
  return {total,
          x.grad().item(),
          {{"fwd_s", fixed(span(t0, t1), 4)},
           {"bwd_s", fixed(span(t1, t2), 4)},
           {"us_per_op", fixed(total / double(n_ops) * 1e6, 3)},
           {"free_s", fixed(span(t2, t3), 4)}}};
}

// W7b: the 6th derivative of tanh at 1 by repeated backward with create_graph.
Result w7b(const Options& options) {
  const long reps = option(options, "reps", 20);
  const long order = option(options, "order", 6);
  double metric = 0;
  const auto t0 = Clock::now();
  for (long r = 0; r < reps; ++r) {
    const Variable x(np::array(1.0));
    const Variable y = F::tanh(x);
    y.backward({.create_graph = true});
    for (long i = 0; i < order - 1; ++i) {
      const Variable gx = x.grad();
      x.cleargrad();
      gx.backward({.create_graph = true});
    }
    metric = x.grad().item();
    // The last gradient was recorded with create_graph, so its graph holds x: clearing it
    // breaks the cycle (docs/stage3.md), as Python's garbage collector does for the book.
    x.cleargrad();
  }
  return {seconds_since(t0) / double(reps), metric, {}};
}

const std::map<std::string, std::function<Result(const Options&)>>& workloads() {
  static const std::map<std::string, std::function<Result(const Options&)>> table{
      {"W1", w1},
      {"W2", w2},
      {"W3", [](const Options& o) { return w3(o, false); }},
      {"W3b", [](const Options& o) { return w3(o, true); }},
      {"W3loader", w3loader},
      {"W4", w4},
      {"W5", w5},
      {"W6", w6},
      {"W7a", w7a},
      {"W7b", w7b}};
  return table;
}

// The workloads BASELINE.md defines; those not in the table need parts not written yet.
const std::vector<std::string> all_names{"W1", "W2", "W3", "W3b", "W3loader",
                                         "W4", "W5", "W6", "W7a", "W7b"};

int usage() {
  std::cerr << "usage: dezero_bench {";
  for (std::size_t i = 0; i < all_names.size(); ++i) std::cerr << (i ? "|" : "") << all_names[i];
  std::cerr << "} [--threads N] [key=value ...]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 2) return usage();
  const std::string name = argv[1];
  if (name == "--list") {  // the workloads this build has, for compare.sh
    for (const auto& known : all_names) {
      if (workloads().contains(known)) std::printf("%s\n", known.c_str());
    }
    return 0;
  }
  int threads = 1;
  if (const char* env = std::getenv("BENCH_THREADS")) threads = std::atoi(env);
  Options options;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--threads" && i + 1 < argc) {
      threads = std::atoi(argv[++i]);
    } else if (const auto eq = arg.find('='); eq != std::string::npos && eq > 0) {
      options[arg.substr(0, eq)] = arg.substr(eq + 1);
    } else {
      std::cerr << "dezero_bench: unknown argument '" << arg << "'\n";
      return usage();
    }
  }
  if (threads < 1) {
    std::cerr << "dezero_bench: --threads needs a positive count\n";
    return 2;
  }
  const auto it = workloads().find(name);
  if (it == workloads().end()) {
    for (const auto& known : all_names) {
      if (known == name) {
        std::cerr << "dezero_bench: " << name << " needs parts of the library not written yet\n";
        return 77;
      }
    }
    return usage();
  }
  // The matrix products, and the OpenMP loops of the convolutions and pooling (im2col, col2im,
  // the chunked products): all run on `threads` threads, as the peers' torch.set_num_threads.
  Eigen::setNbThreads(threads);
#ifdef _OPENMP
  omp_set_num_threads(threads);
#endif
  np::random::seed(0);
  const Result r = it->second(options);
  std::printf("workload=%s seconds=%.6f metric=%.6g", name.c_str(), r.seconds, r.metric);
  for (const auto& [key, value] : r.extras) std::printf(" %s=%s", key.c_str(), value.c_str());
  std::printf(" threads=%d\n", threads);
  return 0;
} catch (const std::exception& e) {
  std::cerr << "dezero_bench: " << e.what() << "\n";
  return 1;
}
