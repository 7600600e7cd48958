// dezero/distributed: data-parallel training over MPI, as ChainerMN did for Chainer.
//
// One copy of the model per process; each process trains on its own slice of the data, and
// before every update the gradients are averaged over all processes, so every copy takes the
// same step and the copies stay equal:
//
//   namespace dm = dezero::distributed;
//   auto comm = dm::create_communicator();              // MPI_Init on first use
//   auto train_set = dm::scatter_dataset(datasets::MNIST(true), comm, true, 0);
//   auto optimizer = dm::create_multi_node_optimizer(optimizers::SGD(), comm).setup(model);
//   ...  // the usual loop: cleargrads, backward, optimizer.update()
//   if (comm.rank() == 0) std::printf(...);             // only rank 0 prints and writes
//
// Run it with `mpiexec -np 2 program`. This header and its library (the CMake target
// dezero::distributed) are the only parts of the project that use MPI; they are built only
// when CMake finds it. docs/distributed.md has the whole story.
//
// Failures: a rank whose exception is not caught, or whose last Communicator is destroyed by
// an exception (main's catch block), calls MPI_Abort, so that every rank of the job ends with
// a non-zero status at once instead of the others waiting forever in their next collective.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "dezero/datasets.hpp"
#include "dezero/layers.hpp"
#include "dezero/optimizers.hpp"
#include "np/np.hpp"

namespace dezero::distributed {

// How allreduce combines the processes' arrays. For bool arrays sum and max are a logical
// or, prod and min a logical and (NumPy's bool arithmetic).
enum class ReduceOp { sum, prod, max, min };

// The processes of the job (MPI_COMM_WORLD, duplicated so that our messages never meet a
// program's own MPI traffic). Copies share the same communicator.
class Communicator {
 public:
  ~Communicator();
  Communicator(const Communicator&) = default;
  Communicator& operator=(const Communicator&) = default;

  // This process's number, 0 ... size() - 1, and the number of processes.
  int rank() const { return rank_; }
  int size() const { return size_; }
  // The processes on this rank's machine, and this rank's number among them.
  int intra_rank() const { return intra_rank_; }
  int intra_size() const { return intra_size_; }

  // Element-wise reduction of every rank's `x` (same shape and dtype everywhere, else an
  // std::invalid_argument naming both, thrown on every rank); every rank gets the result.
  np::ndarray allreduce(const np::ndarray& x, ReduceOp op = ReduceOp::sum) const;
  // The array of rank `root` (shape, dtype and elements) on every rank; what the others pass
  // is ignored and may be None.
  np::ndarray bcast(const np::ndarray& x, int root = 0) const;
  // Waits until every rank has come here.
  void barrier() const;
  // Ends every process of the job with `code` (MPI_Abort): for an error that only this rank
  // saw, where returning would leave the others waiting.
  [[noreturn]] void abort(int code = 1) const;

  // --- used by the optimizer wrapper: no shape checks, the caller guarantees them --------
  // In-place sum of `count` float32/float64 elements over all ranks.
  void allreduce_sum_inplace(void* data, std::int64_t count, np::DType dtype) const;
  // In-place broadcast of `nbytes` bytes from `root`.
  void bcast_inplace(void* data, std::int64_t nbytes, int root = 0) const;

  struct State;  // the MPI communicator, kept alive by the copies

 private:
  friend Communicator create_communicator();
  explicit Communicator(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
  int rank_ = 0, size_ = 1, intra_rank_ = 0, intra_size_ = 1;
};

// Initialises MPI (once per process; MPI_Finalize runs at exit) and returns the world's
// communicator. It also makes an uncaught exception call MPI_Abort after printing it with
// the rank. Works without mpiexec too: a single process of size 1.
Communicator create_communicator();

// ======================================= optimizer ==========================================

// Wraps an optimizer so that update() first averages every parameter's gradient over all
// processes (ChainerMN's multi_node_mean_grad), then runs the optimizer's own update with
// its hooks, which therefore see the averaged gradients (WeightDecay, ClipGrad act on the
// mean, as in ChainerMN).
//
// The gradients go into one flat buffer, in the parameters' order, with one count per
// parameter (1 when this rank has a gradient): one allreduce per update, whatever the
// number of parameters. The buffer is float32 when every gradient is float32, else float64.
// A parameter without a gradient on some ranks counts as a zero gradient there (ChainerMN's
// zero_fill); one without a gradient on every rank keeps none and is not updated.
//
// setup(model) broadcasts rank 0's parameters so that every copy starts equal. Parameters
// made at the first forward (a Linear without in_size) do not exist yet then: the first
// update() that finds parameters not broadcast yet broadcasts them from rank 0 and skips
// that one step, as ChainerMN's does, because the gradients of that step were computed from
// differing weights. Also then, every rank checks that all have the same parameters (count
// and sizes), else std::runtime_error on every rank.
class MultiNodeOptimizerBase {
 public:
  virtual ~MultiNodeOptimizerBase() = default;
  // Averages the gradients, then runs the wrapped optimizer's update (see above).
  void update();
  // Runs `hook` at every update, on the averaged gradients.
  void add_hook(optimizers::Hook hook) { actual().add_hook(std::move(hook)); }
  const Communicator& communicator() const { return comm_; }
  // Updates that only broadcast new parameters and did not step (0 or 1 in practice).
  std::int64_t skipped_updates() const { return skipped_; }

  virtual optimizers::Optimizer& actual() = 0;

 protected:
  explicit MultiNodeOptimizerBase(Communicator comm) : comm_(std::move(comm)) {}
  MultiNodeOptimizerBase(MultiNodeOptimizerBase&&) noexcept = default;
  MultiNodeOptimizerBase& operator=(MultiNodeOptimizerBase&&) noexcept = default;
  // Remembers the target's parameters and broadcasts those that have data.
  void setup_target(const layers::Layer& target);

 private:
  // Broadcasts the parameters with data not broadcast before; true when there were any.
  bool broadcast_new_params(const std::vector<Parameter>& params);
  void mean_grads(const std::vector<Parameter>& params);

  Communicator comm_;
  std::shared_ptr<const layers::detail::LayerNode> target_;
  std::unordered_set<const void*> broadcast_;  // the parameters broadcast so far
  std::vector<Parameter> keep_;                // ... kept alive so their ids stay theirs
  std::vector<unsigned char> buffer_;          // the flat gradient buffer, reused
  std::int64_t skipped_ = 0;
};

template <class Opt>
class MultiNodeOptimizer : public MultiNodeOptimizerBase {
 public:
  MultiNodeOptimizer(Opt optimizer, Communicator comm)
      : MultiNodeOptimizerBase(std::move(comm)), optimizer_(std::move(optimizer)) {}

  // The wrapped optimizer's setup, then the broadcast of rank 0's parameters.
  MultiNodeOptimizer& setup(const layers::Layer& target) & {
    optimizer_.setup(target);
    setup_target(target);
    return *this;
  }
  MultiNodeOptimizer setup(const layers::Layer& target) && {
    setup(target);
    return std::move(*this);
  }

  optimizers::Optimizer& actual() override { return optimizer_; }
  // The wrapped optimizer itself, for its settings: optimizer.inner().lr = 0.1;
  Opt& inner() { return optimizer_; }

 private:
  Opt optimizer_;
};

// ChainerMN's name for the wrapper:
//   auto optimizer = dm::create_multi_node_optimizer(optimizers::Adam(), comm).setup(model);
template <class Opt>
MultiNodeOptimizer<Opt> create_multi_node_optimizer(Opt optimizer, const Communicator& comm) {
  return MultiNodeOptimizer<Opt>(std::move(optimizer), comm);
}

// ======================================= data ===============================================

// The sample numbers that rank `rank` of `size` gets out of `n` samples, ChainerMN's split:
// with `order` (a permutation of 0 ... n-1, or empty for 0 ... n-1 in turn), rank i takes
// order[b, e) with b = n * i / size (rounded down). With force_equal_length (ChainerMN's
// default), e = b + ceil(n / size): every rank gets the same number of samples, and when
// size does not divide n a few samples at the slices' ends are taken by two ranks. Without
// it, e = n * (i + 1) / size: disjoint slices whose lengths differ by at most one.
// std::invalid_argument when n < size (a rank would get nothing) or the order is not of n.
std::vector<std::int64_t> scatter_indices(std::int64_t n, int size, int rank,
                                          const std::vector<std::int64_t>& order = {},
                                          bool force_equal_length = true);

// This rank's slice of `dataset` (see scatter_indices), as a data set of its own with the
// same transforms. Every rank passes the data set (each reads it, e.g. from the same files);
// all must have the same number of samples, else std::invalid_argument on every rank. With
// `shuffle`, the samples are split in the order of numpy.random.RandomState(seed)
// .permutation(n) (unseeded: from the operating system's entropy), drawn on rank 0 and
// broadcast, so that every run with a seed splits the data the same way.
// std::invalid_argument on every rank when the data set has fewer samples than processes.
datasets::Dataset scatter_dataset(const datasets::Dataset& dataset, const Communicator& comm,
                                  bool shuffle = false,
                                  std::optional<std::uint32_t> seed = std::nullopt,
                                  bool force_equal_length = true);

}  // namespace dezero::distributed
