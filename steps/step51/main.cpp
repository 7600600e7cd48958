// Step 51: training on MNIST.
//
// 60 000 training and 10 000 test images of 28x28 pixels, each given to the network as a
// vector of 784 values in [0, 1] (the data set's default transform: Flatten, ToFloat,
// Normalize(0, 255)). An MLP with 1000 hidden units and 10 outputs, SGD with the default
// lr = 0.01, mini-batches of 100, 5 epochs; every epoch prints the training and the test
// loss and accuracy. Nothing is seeded, as in the book, so the figures change from run to run.
//
// The images come from the data cache ($DEZERO_HOME or ~/.dezero), downloaded there when
// missing; offline, Fashion-MNIST from Debian's dataset-fashion-mnist takes their place (the
// reference ran on it too). With neither, the step says what to install and exits with 77
// ("could not run here"). `step51 --epochs N` trains N epochs.
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
  const std::int64_t hidden_size = 1000;

  const datasets::MNIST train_set(true);
  const datasets::MNIST test_set(false);
  DataLoader train_loader(train_set, batch_size);
  DataLoader test_loader(test_set, batch_size, {.shuffle = false});

  MLP model({hidden_size, 10});
  auto optimizer = optimizers::SGD().setup(model);

  const double train_size = static_cast<double>(train_set.len());
  const double test_size = static_cast<double>(test_set.len());
  for (long epoch = 0; epoch < max_epoch; ++epoch) {
    double sum_loss = 0, sum_acc = 0;

    for (auto [x, t] : train_loader) {
      const Variable y = model(x);
      const Variable loss = F::softmax_cross_entropy(y, t);
      const Variable acc = F::accuracy(y, t);
      model.cleargrads();
      loss.backward();
      optimizer.update();

      sum_loss += loss.item() * static_cast<double>(t.len());
      sum_acc += acc.item() * static_cast<double>(t.len());
    }

    std::printf("epoch: %ld\n", epoch + 1);
    std::printf("train loss: %.4f, accuracy: %.4f\n", sum_loss / train_size, sum_acc / train_size);

    sum_loss = 0, sum_acc = 0;
    {
      auto guard = dezero::no_grad();
      for (auto [x, t] : test_loader) {
        const Variable y = model(x);
        const Variable loss = F::softmax_cross_entropy(y, t);
        const Variable acc = F::accuracy(y, t);
        sum_loss += loss.item() * static_cast<double>(t.len());
        sum_acc += acc.item() * static_cast<double>(t.len());
      }
    }

    std::printf("test loss: %.4f, accuracy: %.4f\n", sum_loss / test_size, sum_acc / test_size);
  }
} catch (const dezero::datasets::DataError& e) {
  std::cerr << "step51: " << e.what() << "\n";
  return 77;
}
