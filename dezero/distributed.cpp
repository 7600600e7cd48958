#include "dezero/distributed.hpp"

#include <mpi.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace dezero::distributed {

namespace {

// MPI counts are ints: larger arrays go in pieces of this many elements.
constexpr std::int64_t kChunk = std::int64_t{1} << 30;

MPI_Datatype mpi_type(np::DType dtype) {
  switch (dtype) {
    case np::DType::bool_: return MPI_C_BOOL;
    case np::DType::uint8: return MPI_UINT8_T;
    case np::DType::int32: return MPI_INT32_T;
    case np::DType::int64: return MPI_INT64_T;
    case np::DType::float32: return MPI_FLOAT;
    case np::DType::float64: return MPI_DOUBLE;
  }
  throw std::invalid_argument("distributed: unknown dtype");
}

MPI_Op mpi_op(ReduceOp op, np::DType dtype) {
  // MPI defines only the logical operations on bool; NumPy's bool + is or, * is and.
  if (dtype == np::DType::bool_) {
    return op == ReduceOp::sum || op == ReduceOp::max ? MPI_LOR : MPI_LAND;
  }
  switch (op) {
    case ReduceOp::sum: return MPI_SUM;
    case ReduceOp::prod: return MPI_PROD;
    case ReduceOp::max: return MPI_MAX;
    case ReduceOp::min: return MPI_MIN;
  }
  throw std::invalid_argument("distributed: unknown reduce operation");
}

int world_rank() {
  int initialized = 0, finalized = 0, rank = -1;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (initialized && !finalized) MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

// An exception that nobody caught on one rank would otherwise leave the other ranks waiting
// in their next collective operation for ever: say what it was, then end the whole job.
[[noreturn]] void abort_on_terminate() {
  const int rank = world_rank();
  if (std::exception_ptr e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      std::fprintf(stderr, "rank %d: uncaught exception: %s\n", rank, ex.what());
    } catch (...) {
      std::fprintf(stderr, "rank %d: uncaught exception of unknown type\n", rank);
    }
  } else {
    std::fprintf(stderr, "rank %d: std::terminate called\n", rank);
  }
  std::fflush(stderr);
  if (rank >= 0) MPI_Abort(MPI_COMM_WORLD, 1);
  std::abort();
}

void finalize_at_exit() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

void ensure_initialized() {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) return;
  // Only the main thread calls MPI (the OpenMP threads never do): FUNNELED is enough.
  int provided = 0;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    throw std::runtime_error("create_communicator: MPI_Init_thread failed");
  }
  std::atexit(finalize_at_exit);
  std::set_terminate(abort_on_terminate);
}

std::string describe(const np::ndarray& x) {
  if (!x.defined()) return "None";
  std::ostringstream os;
  os << x.shape() << " " << x.dtype();
  return os.str();
}

// A number that differs, almost surely, for different shapes (kept within 62 bits, so that
// it can be negated for the max/min trick below).
std::int64_t shape_hash(const np::ndarray& x) {
  std::uint64_t h = 1469598103934665603ULL;
  for (int i = 0; i < x.ndim(); ++i) {
    h = (h ^ static_cast<std::uint64_t>(x.shape()[i])) * 1099511628211ULL;
  }
  return static_cast<std::int64_t>(h >> 2);
}

}  // namespace

// ===================================== Communicator =========================================
struct Communicator::State {
  MPI_Comm comm = MPI_COMM_NULL;
  ~State() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized && comm != MPI_COMM_NULL) MPI_Comm_free(&comm);
  }
};

Communicator::Communicator(std::shared_ptr<State> state) : state_(std::move(state)) {
  MPI_Comm_rank(state_->comm, &rank_);
  MPI_Comm_size(state_->comm, &size_);
  // The ranks that share this machine's memory.
  MPI_Comm local;
  MPI_Comm_split_type(state_->comm, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local);
  MPI_Comm_rank(local, &intra_rank_);
  MPI_Comm_size(local, &intra_size_);
  MPI_Comm_free(&local);
}

Communicator::~Communicator() {
  // The last handle, destroyed by an exception on its way out (main's catch block, or a
  // return after it): the other ranks cannot know, so end them too.
  if (state_ && state_.use_count() == 1 && std::uncaught_exceptions() > 0) {
    std::fprintf(stderr, "rank %d: an exception ended the communicator's scope; aborting the job\n",
                 rank_);
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
}

Communicator create_communicator() {
  static std::mutex mutex;
  static std::weak_ptr<Communicator::State> current;
  std::lock_guard lock(mutex);
  ensure_initialized();
  std::shared_ptr<Communicator::State> state = current.lock();
  if (!state) {
    state = std::make_shared<Communicator::State>();
    MPI_Comm_dup(MPI_COMM_WORLD, &state->comm);
    current = state;
  }
  return Communicator(state);
}

np::ndarray Communicator::allreduce(const np::ndarray& x, ReduceOp op) const {
  // Every rank must pass the same shape and dtype; one small allreduce of the header and its
  // negation with MAX gives both the largest and the smallest of each field.
  const std::int64_t dtype = x.defined() ? static_cast<std::int64_t>(x.dtype()) : -1;
  const std::int64_t size = x.defined() ? x.size() : -1;
  const std::int64_t hash = x.defined() ? shape_hash(x) : -1;
  std::array<std::int64_t, 6> header{dtype, size, hash, -dtype, -size, -hash};
  MPI_Allreduce(MPI_IN_PLACE, header.data(), 6, MPI_INT64_T, MPI_MAX, state_->comm);
  if (!x.defined() || header[0] != -header[3] || header[1] != -header[4] ||
      header[2] != -header[5]) {
    throw std::invalid_argument("allreduce: every rank must pass a defined array of the same "
                                "shape and dtype; rank " + std::to_string(rank_) + " passed " +
                                describe(x) + ", and another rank passed something else");
  }
  np::ndarray out = x.copy();
  auto* bytes = static_cast<char*>(out.raw_data());
  const std::int64_t n = out.size();
  for (std::int64_t done = 0; done < n; done += kChunk) {
    const int count = static_cast<int>(std::min(kChunk, n - done));
    MPI_Allreduce(MPI_IN_PLACE, bytes + done * static_cast<std::int64_t>(out.itemsize()), count,
                  mpi_type(out.dtype()), mpi_op(op, out.dtype()), state_->comm);
  }
  return out;
}

np::ndarray Communicator::bcast(const np::ndarray& x, int root) const {
  if (root < 0 || root >= size_) {
    throw std::invalid_argument("bcast: root " + std::to_string(root) + " is not a rank of " +
                                std::to_string(size_) + " processes");
  }
  // Root's dtype and shape first, so that the others need not know them.
  constexpr int kMaxDims = np::Shape::max_ndim;
  std::array<std::int64_t, 2 + kMaxDims> header{};
  if (rank_ == root) {
    header[0] = x.defined() ? static_cast<std::int64_t>(x.dtype()) : -1;
    header[1] = x.defined() ? x.ndim() : 0;
    if (x.defined() && x.ndim() > kMaxDims) header[0] = -2;
    for (int i = 0; x.defined() && i < std::min(x.ndim(), kMaxDims); ++i) header[2 + i] = x.shape()[i];
  }
  MPI_Bcast(header.data(), static_cast<int>(header.size()), MPI_INT64_T, root, state_->comm);
  if (header[0] < 0) {
    throw std::invalid_argument("bcast: the root rank " + std::to_string(root) + "'s array is " +
                                (header[0] == -1 ? "None" : "of too many axes"));
  }
  np::ndarray out;
  if (rank_ == root) {
    out = x;
  } else {
    std::vector<std::int64_t> dims(header.begin() + 2, header.begin() + 2 + header[1]);
    out = np::ndarray::uninitialized(np::Shape(dims), static_cast<np::DType>(header[0]));
  }
  bcast_inplace(out.raw_data(), static_cast<std::int64_t>(out.nbytes()), root);
  return out;
}

void Communicator::barrier() const { MPI_Barrier(state_->comm); }

void Communicator::abort(int code) const {
  std::fflush(stdout);
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, code);
  std::abort();  // not reached
}

void Communicator::allreduce_sum_inplace(void* data, std::int64_t count, np::DType dtype) const {
  auto* bytes = static_cast<char*>(data);
  const auto itemsize = static_cast<std::int64_t>(np::itemsize(dtype));
  for (std::int64_t done = 0; done < count; done += kChunk) {
    const int n = static_cast<int>(std::min(kChunk, count - done));
    MPI_Allreduce(MPI_IN_PLACE, bytes + done * itemsize, n, mpi_type(dtype), MPI_SUM,
                  state_->comm);
  }
}

void Communicator::bcast_inplace(void* data, std::int64_t nbytes, int root) const {
  auto* bytes = static_cast<char*>(data);
  for (std::int64_t done = 0; done < nbytes; done += kChunk) {
    const int n = static_cast<int>(std::min(kChunk, nbytes - done));
    MPI_Bcast(bytes + done, n, MPI_BYTE, root, state_->comm);
  }
}

// ===================================== optimizer ============================================
namespace {

// The parameters that take part: those with data (a lazily made one has none yet).
std::vector<Parameter> with_data(const std::vector<Parameter>& params) {
  std::vector<Parameter> out;
  for (const Parameter& p : params) {
    if (p.data().defined()) out.push_back(p);
  }
  return out;
}

// Every rank must have the same parameters: the same count, and the same dtypes and sizes in
// the same order. Checked collectively, so that every rank throws together.
void check_same_params(const Communicator& comm, const std::vector<Parameter>& params) {
  std::int64_t total = 0;
  std::uint64_t h = 1469598103934665603ULL;
  for (const Parameter& p : params) {
    total += p.size();
    h = (h ^ static_cast<std::uint64_t>(p.size())) * 1099511628211ULL;
    h = (h ^ static_cast<std::uint64_t>(p.dtype())) * 1099511628211ULL;
  }
  const auto count = static_cast<std::int64_t>(params.size());
  const auto hash = static_cast<std::int64_t>(h >> 2);
  np::ndarray header = np::array(std::vector<std::int64_t>{count, total, hash, -count, -total, -hash});
  np::ndarray r = comm.allreduce(header, ReduceOp::max);
  const std::int64_t* m = r.data<std::int64_t>();
  if (m[0] != -m[3] || m[1] != -m[4] || m[2] != -m[5]) {
    throw std::runtime_error(
        "MultiNodeOptimizer: the processes' models differ; rank " + std::to_string(comm.rank()) +
        " has " + std::to_string(count) + " parameters with data, " + std::to_string(total) +
        " elements in all, and some other rank has other parameters (every process must build "
        "the same model)");
  }
}

template <class T>
void pack(T* dst, const np::ndarray& g) {
  if (g.dtype() == np::dtype_of_v<T>) {
    std::memcpy(dst, g.raw_data(), g.nbytes());
  } else {
    const np::ndarray c = g.astype(np::dtype_of_v<T>);
    std::memcpy(dst, c.raw_data(), c.nbytes());
  }
}

}  // namespace

void MultiNodeOptimizerBase::setup_target(const layers::Layer& target) {
  target_ = target.registry();
  broadcast_new_params(layers::detail::params_of(*target_));
}

bool MultiNodeOptimizerBase::broadcast_new_params(const std::vector<Parameter>& all) {
  const std::vector<Parameter> params = with_data(all);
  bool fresh = false;
  for (const Parameter& p : params) fresh = fresh || !broadcast_.contains(p.id());
  if (!fresh) return false;
  check_same_params(comm_, params);
  for (const Parameter& p : params) {
    if (broadcast_.contains(p.id())) continue;
    np::ndarray& data = p.data();
    comm_.bcast_inplace(data.raw_data(), static_cast<std::int64_t>(data.nbytes()), 0);
    broadcast_.insert(p.id());
    keep_.push_back(p);
  }
  return true;
}

void MultiNodeOptimizerBase::update() {
  if (!target_) {
    throw std::logic_error(actual().type() +
                           " (multi-node).update: no target; call setup(model) first");
  }
  const std::vector<Parameter> params = with_data(layers::detail::params_of(*target_));
  // Parameters that appeared since the last update (made at the first forward) were made
  // differently on each rank, and so were this step's gradients: broadcast, don't step.
  if (broadcast_new_params(params)) {
    ++skipped_;
    return;
  }
  mean_grads(params);
  actual().update();
}

void MultiNodeOptimizerBase::mean_grads(const std::vector<Parameter>& params) {
  if (params.empty()) return;
  // float32 unless some parameter is float64: decided from the parameters' dtypes, which all
  // ranks share, not from the gradients, which a rank may lack.
  bool wide = false;
  std::int64_t total = 0;
  for (const Parameter& p : params) {
    wide = wide || p.dtype() != np::float32;
    total += p.size();
  }
  const np::DType dtype = wide ? np::float64 : np::float32;
  const std::int64_t n = total + static_cast<std::int64_t>(params.size());  // + the counts
  buffer_.resize(static_cast<std::size_t>(n) * np::itemsize(dtype));

  auto run = [&](auto* buf) {
    using T = std::remove_pointer_t<decltype(buf)>;
    T* counts = buf + total;
    T* at = buf;
    for (std::size_t i = 0; i < params.size(); ++i) {
      const Parameter& p = params[i];
      const Variable g = p.grad();
      if (g && g.data().defined()) {
        if (g.size() != p.size()) {
          throw std::runtime_error("MultiNodeOptimizer: a gradient of shape " +
                                   describe(g.data()) + " for a parameter of shape " +
                                   describe(p.data()));
        }
        pack(at, g.data());
        counts[i] = T(1);
      } else {
        std::fill(at, at + p.size(), T(0));  // ChainerMN's zero_fill
        counts[i] = T(0);
      }
      at += p.size();
    }
    comm_.allreduce_sum_inplace(buf, n, dtype);

    const T divisor = static_cast<T>(comm_.size());
    at = buf;
    for (std::size_t i = 0; i < params.size(); ++i) {
      const Parameter& p = params[i];
      const std::int64_t size = p.size();
      if (counts[i] == T(0)) {
        p.cleargrad();  // no rank has a gradient: nothing to update
      } else {
        // A new array: the old gradient may share its storage with other variables.
        const Variable g = p.grad();
        np::ndarray mean = np::ndarray::uninitialized(p.shape(), dtype);
        T* out = static_cast<T*>(mean.raw_data());
        for (std::int64_t k = 0; k < size; ++k) out[k] = at[k] / divisor;
        if (g && g.data().defined() && g.dtype() != dtype) {
          mean = mean.astype(g.dtype()).reshape(g.shape());
        } else if (g && g.data().defined()) {
          mean = mean.reshape(g.shape());
        } else if (p.dtype() != dtype) {
          mean = mean.astype(p.dtype());
        }
        p.set_grad(Variable(mean));
      }
      at += size;
    }
  };
  if (dtype == np::float32) {
    run(reinterpret_cast<float*>(buffer_.data()));
  } else {
    run(reinterpret_cast<double*>(buffer_.data()));
  }
}

// ======================================= data ===============================================
std::vector<std::int64_t> scatter_indices(std::int64_t n, int size, int rank,
                                          const std::vector<std::int64_t>& order,
                                          bool force_equal_length) {
  if (size < 1 || rank < 0 || rank >= size) {
    throw std::invalid_argument("scatter_indices: rank " + std::to_string(rank) +
                                " is not one of " + std::to_string(size) + " processes");
  }
  if (n < size) {
    throw std::invalid_argument("scatter_dataset: " + std::to_string(n) +
                                " samples cannot be split over " + std::to_string(size) +
                                " processes; every process needs at least one sample");
  }
  if (!order.empty() && static_cast<std::int64_t>(order.size()) != n) {
    throw std::invalid_argument("scatter_indices: an order of " + std::to_string(order.size()) +
                                " samples for a data set of " + std::to_string(n));
  }
  const std::int64_t b = n * rank / size;
  const std::int64_t e = force_equal_length ? b + (n + size - 1) / size : n * (rank + 1) / size;
  std::vector<std::int64_t> out;
  out.reserve(static_cast<std::size_t>(e - b));
  for (std::int64_t i = b; i < e; ++i) out.push_back(order.empty() ? i : order[i]);
  return out;
}

datasets::Dataset scatter_dataset(const datasets::Dataset& dataset, const Communicator& comm,
                                  bool shuffle, std::optional<std::uint32_t> seed,
                                  bool force_equal_length) {
  // All ranks must hold the same number of samples; checked together so that all throw.
  const std::int64_t n = dataset.len();
  const np::ndarray r = comm.allreduce(np::array(std::vector<std::int64_t>{n, -n}), ReduceOp::max);
  if (r.data<std::int64_t>()[0] != -r.data<std::int64_t>()[1]) {
    throw std::invalid_argument("scatter_dataset: the processes' data sets differ in length; "
                                "rank " + std::to_string(comm.rank()) + " has " +
                                std::to_string(n) + " samples");
  }
  if (n < comm.size()) {
    throw std::invalid_argument("scatter_dataset: " + std::to_string(n) +
                                " samples cannot be split over " + std::to_string(comm.size()) +
                                " processes; every process needs at least one sample");
  }
  std::vector<std::int64_t> order;
  if (shuffle) {
    // Drawn once, on rank 0, and sent to all: an unseeded shuffle splits consistently too.
    np::ndarray perm;
    if (comm.rank() == 0) {
      np::random::RandomState rs = seed ? np::random::RandomState(*seed) : np::random::RandomState();
      perm = rs.permutation(n);
    }
    perm = comm.bcast(perm, 0);
    order = perm.to_vector<std::int64_t>();
  }
  const std::vector<std::int64_t> mine =
      scatter_indices(n, comm.size(), comm.rank(), order, force_equal_length);
  const np::ndarray index = np::array(mine);
  np::ndarray label = dataset.label().defined() ? dataset.label()[index] : np::ndarray();
  return datasets::Dataset::from_arrays(dataset.data()[index], std::move(label),
                                        dataset.transform(), dataset.target_transform());
}

}  // namespace dezero::distributed
