// Step 50: the mini-batch DataLoader.
//
// The spiral again, training and test sets (seeds 1984 and 2020 inside the data sets), with
// data loaders: the training loader shuffles, drawing its order when it is made and again as
// each epoch ends; the test loader keeps the order. Every epoch prints the training loss and
// accuracy, then the test set's, computed without building graphs (no_grad).
// `step50 --epochs N` trains N epochs.
#include <cstdio>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Variable;
namespace F = dezero::functions;
namespace utils = dezero::utils;
namespace datasets = dezero::datasets;
namespace optimizers = dezero::optimizers;
using dezero::dataloaders::DataLoader;
using dezero::models::MLP;

int main(int argc, char** argv) {
  const long max_epoch = steps::options(argc, argv, {{"epochs", 300}}).at("epochs");
  const std::int64_t batch_size = 30;
  const std::int64_t hidden_size = 10;
  const double lr = 1.0;

  const datasets::Spiral train_set(true);
  const datasets::Spiral test_set(false);
  DataLoader train_loader(train_set, batch_size);
  DataLoader test_loader(test_set, batch_size, {.shuffle = false});

  MLP model({hidden_size, 3});
  auto optimizer = optimizers::SGD(lr).setup(model);

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
}
