// Step 53: saving and loading the model's weights.
//
// Step 51's training for 3 epochs, then model.save_weights("my_mlp.npz"): every parameter
// under its path (l0/W, l0/b, l1/W, l1/b) in NumPy's .npz format, as np.savez_compressed
// writes it, so `numpy.load("my_mlp.npz")` and the Python DeZero's load_weights read it. When
// my_mlp.npz is already there, the model loads it before training, so a second run goes on
// from where the first stopped (its losses start lower). Nothing is seeded, as in the book.
//
// The images come as in step 51 (the data cache, else Fashion-MNIST from Debian's
// dataset-fashion-mnist; with neither, exit status 77). `step53 --epochs N` trains N epochs.
#include <cstdio>
#include <filesystem>
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
  const long max_epoch = steps::options(argc, argv, {{"epochs", 3}}).at("epochs");
  const std::int64_t batch_size = 100;

  const datasets::MNIST train_set(true);
  DataLoader train_loader(train_set, batch_size);
  MLP model({1000, 10});
  auto optimizer = optimizers::SGD().setup(model);

  if (std::filesystem::exists("my_mlp.npz")) {
    model.load_weights("my_mlp.npz");
    std::cerr << "step53: loaded the weights in my_mlp.npz\n";
  }

  const double train_size = static_cast<double>(train_set.len());
  for (long epoch = 0; epoch < max_epoch; ++epoch) {
    double sum_loss = 0;

    for (auto [x, t] : train_loader) {
      const Variable y = model(x);
      const Variable loss = F::softmax_cross_entropy(y, t);
      model.cleargrads();
      loss.backward();
      optimizer.update();
      sum_loss += loss.item() * static_cast<double>(t.len());
    }

    std::printf("epoch: %ld, loss: %.4f\n", epoch + 1, sum_loss / train_size);
  }

  model.save_weights("my_mlp.npz");
  std::cerr << "step53: wrote my_mlp.npz\n";
} catch (const dezero::datasets::DataError& e) {
  std::cerr << "step53: " << e.what() << "\n";
  return 77;
}
