// Step 52: the GPU switch.
//
// Step 51's training (MNIST, MLP((1000, 10)), SGD, mini-batches of 100) with the time each
// epoch takes. The book moves the model and the data loader to the GPU when CuPy is there
// (dezero.cuda.gpu_enable); here dezero::cuda::gpu_enable says whether the library was built
// with a GPU backend and a GPU is present. This build has none, so the step says so on stderr
// and trains on the CPU, as the book does without CuPy. The times are the machine's own.
//
// The images come from the data cache ($DEZERO_HOME or ~/.dezero), downloaded when missing;
// offline, Fashion-MNIST from Debian's dataset-fashion-mnist takes their place (the reference
// ran on it too). With neither, the step says what to install and exits with 77.
// `step52 --epochs N` trains N epochs (default 5).
#include <chrono>
#include <cstdio>
#include <iostream>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Variable;
namespace F = dezero::functions;
namespace utils = dezero::utils;
namespace datasets = dezero::datasets;
namespace optimizers = dezero::optimizers;
using dezero::dataloaders::DataLoader;
using dezero::models::MLP;

int main(int argc, char** argv) try {
  const long max_epoch = steps::options(argc, argv, {{"epochs", 5}}).at("epochs");
  const std::int64_t batch_size = 100;

  const datasets::MNIST train_set(true);
  DataLoader train_loader(train_set, batch_size);
  MLP model({1000, 10});
  auto optimizer = optimizers::SGD().setup(model);

  // GPU mode
  if (dezero::cuda::gpu_enable) {
    train_loader.to_gpu();
    model.to_gpu();
  } else {
    std::cerr << "step52: no GPU (dezero::cuda::gpu_enable is false); training on the CPU\n";
  }

  const double train_size = static_cast<double>(train_set.len());
  for (long epoch = 0; epoch < max_epoch; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    double sum_loss = 0;

    for (auto [x, t] : train_loader) {
      const Variable y = model(x);
      const Variable loss = F::softmax_cross_entropy(y, t);
      model.cleargrads();
      loss.backward();
      optimizer.update();
      sum_loss += loss.item() * static_cast<double>(t.len());
    }

    const std::chrono::duration<double> elapsed_time = std::chrono::steady_clock::now() - start;
    std::printf("epoch: %ld, loss: %.4f, time: %.4f[sec]\n", epoch + 1, sum_loss / train_size,
                elapsed_time.count());
  }
} catch (const dezero::datasets::DataError& e) {
  std::cerr << "step52: " << e.what() << "\n";
  return 77;
}
