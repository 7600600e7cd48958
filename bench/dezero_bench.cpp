// dezero_bench: the peer workloads of ../shared/bench/BASELINE.md on dezero-cpp, one per run:
//
//   dezero_bench W [--threads N] [key=value ...]
//   dezero_bench --list        the workloads this build has
//
// It prints the peers' line, `workload=W seconds=S metric=M [extras]`, where S is the timed
// region BASELINE.md defines (the training or inference loop only: data in memory, model
// built) and M the figure that must agree with PyTorch's and the Python DeZero's. The options
// are the peers' (`iters`, `epochs`, `n`, `lr`, `reps`, `ops`, `order`); tests pass tiny ones.
// Speed is measured here and in bench/compare.sh, never asserted in a test.
#include <Eigen/Core>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <numbers>
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
  const np::ndarray y = np::sin(2 * std::numbers::pi * x) + np::random::rand({100, 1});
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
  return {seconds_since(t0), loss.data().item<double>(), {}};
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
          x.grad().data().item<double>(),
          {{"fwd_s", fixed(span(t0, t1), 4)},
           {"bwd_s", fixed(span(t1, t2), 4)},
           {"us_per_op", fixed(total / double(n_ops) * 1e6, 3)},
           {"free_s", fixed(span(t2, t3), 4)}}};
}

// W7b: the 6th derivative of tanh at 1 by repeated backward with create_graph.
Result w7b(const Options& options) {
  const long reps = option(options, "reps", 20);
  const long order = option(options, "order", 6);
  Variable x;
  const auto t0 = Clock::now();
  for (long r = 0; r < reps; ++r) {
    x = Variable(np::array(1.0));
    const Variable y = F::tanh(x);
    y.backward({.create_graph = true});
    for (long i = 0; i < order - 1; ++i) {
      const Variable gx = x.grad();
      x.cleargrad();
      gx.backward({.create_graph = true});
    }
  }
  return {seconds_since(t0) / double(reps), x.grad().data().item<double>(), {}};
}

const std::map<std::string, std::function<Result(const Options&)>>& workloads() {
  static const std::map<std::string, std::function<Result(const Options&)>> table{
      {"W1", w1}, {"W7a", w7a}, {"W7b", w7b}};
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
  Eigen::setNbThreads(threads);  // the matrix products; the rest runs on one thread
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
