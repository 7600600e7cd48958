// mnist_mn: step 51's MNIST training, data-parallel over MPI as ChainerMN's MNIST example.
//
//   mpiexec -n 2 build/release/examples/mnist_mn/mnist_mn [--epochs N] [--batch N]
//
// Every process builds the same MLP (1000 hidden units, 10 outputs) and trains it on its own
// half (third, ...) of the 60 000 training images, `--batch` (100) at a time; before each
// update the gradients are averaged over the processes, so every process takes the same step
// and the copies of the model stay equal. One update therefore sees size x batch images, and
// an epoch takes 1/size of the updates. The test images are split too, and each epoch's
// figures are summed over the processes; only rank 0 prints them, with the epoch's time.
//
// The images come from the data cache, or offline from Debian's Fashion-MNIST (as in step 51).
// With neither, every process exits with 77 before MPI starts.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>

#include "dezero/dezero.hpp"
#include "dezero/distributed.hpp"
#include "step_options.hpp"

using dezero::Variable;
namespace F = dezero::functions;
namespace datasets = dezero::datasets;
namespace optimizers = dezero::optimizers;
namespace dm = dezero::distributed;
using dezero::dataloaders::DataLoader;
using dezero::models::MLP;

namespace {
// Loss and accuracy summed over the samples, and their number, then summed over the ranks.
struct Totals {
  double loss = 0, acc = 0, count = 0;
  void add(const Variable& loss_value, const Variable& acc_value, std::int64_t n) {
    loss += loss_value.data().item<double>() * static_cast<double>(n);
    acc += acc_value.data().item<double>() * static_cast<double>(n);
    count += static_cast<double>(n);
  }
  Totals over(const dm::Communicator& comm) const {
    const auto s = comm.allreduce(np::array(std::vector<double>{loss, acc, count})).to_vector<double>();
    return {s[0], s[1], s[2]};
  }
};
}  // namespace

int main(int argc, char** argv) {
  const auto options = steps::options(argc, argv, {{"epochs", 5}, {"batch", 100}});
  const long max_epoch = options.at("epochs");
  const std::int64_t batch_size = options.at("batch");
  if (batch_size < 1) {
    std::cerr << "mnist_mn: --batch must be at least 1\n";
    return 2;
  }
  const std::int64_t hidden_size = 1000;

  // Read before MPI starts: a missing data set ends every process alike.
  std::optional<datasets::MNIST> train_all, test_all;
  try {
    train_all.emplace(true);
    test_all.emplace(false);
  } catch (const datasets::DataError& e) {
    std::cerr << "mnist_mn: " << e.what() << "\n";
    return 77;
  }

  const dm::Communicator comm = dm::create_communicator();
  // Each process its own slice: the training set shuffled (the same way in every run), the
  // test set in order.
  const datasets::Dataset train_set = dm::scatter_dataset(*train_all, comm, true, 0);
  const datasets::Dataset test_set = dm::scatter_dataset(*test_all, comm);
  DataLoader train_loader(train_set, batch_size);
  DataLoader test_loader(test_set, batch_size, {.shuffle = false});

  MLP model({hidden_size, 10});
  auto optimizer = dm::create_multi_node_optimizer(optimizers::SGD(), comm).setup(model);

  if (comm.rank() == 0) {
    std::printf("%s, %d process%s, %lld training images each, batches of %lld per process\n",
                train_all->source().c_str(), comm.size(), comm.size() == 1 ? "" : "es",
                static_cast<long long>(train_set.len()),
                static_cast<long long>(batch_size));
  }
  for (long epoch = 0; epoch < max_epoch; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    Totals train;
    for (auto [x, t] : train_loader) {
      const Variable y = model(x);
      const Variable loss = F::softmax_cross_entropy(y, t);
      const Variable acc = F::accuracy(y, t);
      model.cleargrads();
      loss.backward();
      optimizer.update();  // averages the gradients over the processes, then SGD
      train.add(loss, acc, t.len());
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    Totals test;
    {
      auto guard = dezero::no_grad();
      for (auto [x, t] : test_loader) {
        const Variable y = model(x);
        test.add(F::softmax_cross_entropy(y, t), F::accuracy(y, t), t.len());
      }
    }
    const Totals tr = train.over(comm), te = test.over(comm);
    if (comm.rank() == 0) {
      std::printf("epoch: %ld\n", epoch + 1);
      std::printf("train loss: %.4f, accuracy: %.4f\n", tr.loss / tr.count, tr.acc / tr.count);
      std::printf("test loss: %.4f, accuracy: %.4f\n", te.loss / te.count, te.acc / te.count);
      std::printf("time: %.2f s\n", seconds);
      std::fflush(stdout);
    }
  }
}
