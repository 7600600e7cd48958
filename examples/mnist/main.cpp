// examples/mnist: a larger MLP on MNIST with Adam and weight decay (the book's
// examples/mnist.py).
//
// MLP (1000, 1000, 10) with ReLU, Adam (alpha 0.001) and the WeightDecay(1e-4) hook,
// mini-batches of 100, 5 epochs; each epoch prints the training and the test loss and
// accuracy, and the first 100 training images are drawn into mnist_samples.png (the book's
// MNIST.show()). Nothing is seeded, as in the book, unless `--seed N` is given (the short
// ctest gives one, so that its checks do not depend on a lucky draw). The images come from
// the data cache, else (offline) Fashion-MNIST from Debian, said on stderr, as in steps 51-53;
// with neither, the example says what to install and exits with 77. `mnist --epochs N`
// trains N epochs; `--train-size N` and `--test-size N` (0: all) train and test on the first
// N images only, for a quick run.
#include <cstdio>
#include <iostream>

#include "dezero/dezero.hpp"
#include "example_support.hpp"
#include "step_options.hpp"

using dezero::Variable;
namespace F = dezero::functions;
namespace datasets = dezero::datasets;
namespace optimizers = dezero::optimizers;
using dezero::dataloaders::DataLoader;
using dezero::models::MLP;

int main(int argc, char** argv) try {
  const auto options =
      steps::options(argc, argv,
                     {{"epochs", 5}, {"train-size", 0}, {"test-size", 0}, {"seed", -1}});
  if (options.at("seed") >= 0) np::random::seed(static_cast<std::uint32_t>(options.at("seed")));
  const long max_epoch = options.at("epochs");
  const std::int64_t batch_size = 100;
  const std::int64_t hidden_size = 1000;

  const datasets::MNIST mnist_train(true);
  // The first 100 training images, as the book's MNIST.show() draws them.
  datasets::show(mnist_train, 10, 10).save("mnist_samples.png");
  const datasets::Dataset train_set = examples::first_samples(mnist_train, options.at("train-size"));
  const datasets::Dataset test_set = examples::first_samples(datasets::MNIST(false), options.at("test-size"));
  DataLoader train_loader(train_set, batch_size);
  DataLoader test_loader(test_set, batch_size, {.shuffle = false});

  MLP model({hidden_size, hidden_size, 10}, {.activation = F::relu});
  auto optimizer = optimizers::Adam().setup(model);
  optimizer.add_hook(optimizers::WeightDecay(1e-4));  // weight decay

  if (dezero::cuda::gpu_enable) {
    train_loader.to_gpu();
    test_loader.to_gpu();
    model.to_gpu();
  }

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
      sum_loss += loss.data().item<double>() * static_cast<double>(t.len());
      sum_acc += acc.data().item<double>() * static_cast<double>(t.len());
    }
    std::printf("epoch: %ld\n", epoch + 1);
    std::printf("train loss: %.4f, accuracy: %.4f\n", sum_loss / train_size, sum_acc / train_size);

    sum_loss = 0, sum_acc = 0;
    {
      const auto guard = dezero::no_grad();
      for (auto [x, t] : test_loader) {
        const Variable y = model(x);
        const Variable loss = F::softmax_cross_entropy(y, t);
        const Variable acc = F::accuracy(y, t);
        sum_loss += loss.data().item<double>() * static_cast<double>(t.len());
        sum_acc += acc.data().item<double>() * static_cast<double>(t.len());
      }
    }
    std::printf("test loss: %.4f, accuracy: %.4f\n", sum_loss / test_size, sum_acc / test_size);
    std::fflush(stdout);
  }
} catch (const datasets::DataError& e) {
  std::cerr << "mnist: " << e.what() << "\n";
  return 77;
}
