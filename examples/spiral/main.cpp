// examples/spiral: a two-layer network with batch normalisation on the spiral (the book's
// examples/spiral.py).
//
// Linear(10) -> BatchNorm -> sigmoid -> Linear(3), trained with SGD (lr 1) on mini-batches of
// 30 of the three-armed spiral for 100 epochs; the last mini-batch's loss is printed every 10
// epochs, as the book does. Then, in test mode (batch norm with its running averages), the
// class the network gives every point of a grid is drawn with the training points on top:
// spiral.png. The data set reseeds the global generator (datasets::Spiral), so a run is
// repeatable. `spiral --epochs N` trains N epochs.
#include <cstdio>
#include <iostream>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Variable;
namespace F = dezero::functions;
namespace L = dezero::layers;
namespace utils = dezero::utils;
namespace datasets = dezero::datasets;
namespace optimizers = dezero::optimizers;
using dezero::dataloaders::DataLoader;

class TwoLayerNet : public dezero::Model {
 public:
  TwoLayerNet(std::int64_t hidden_size, std::int64_t out_size) : l1(hidden_size), l2(out_size) {
    register_layer("l1", l1);
    register_layer("l2", l2);
    register_layer("bn1", bn1);
  }
  Variable forward(const Variable& x) override {
    const Variable y = F::sigmoid(bn1(l1(x)));
    return l2(y);
  }

  L::Linear l1, l2;
  L::BatchNorm bn1;
};

int main(int argc, char** argv) {
  const long max_epoch = steps::options(argc, argv, {{"epochs", 100}}).at("epochs");
  const std::int64_t batch_size = 30;
  const std::int64_t hidden_size = 10;
  const double lr = 1.0;

  const datasets::Spiral train_set(true);
  const datasets::Spiral test_set(false);
  DataLoader train_loader(train_set, batch_size);
  DataLoader test_loader(test_set, batch_size, {.shuffle = false});

  TwoLayerNet model(hidden_size, 3);
  auto optimizer = optimizers::SGD(lr).setup(model);

  Variable loss;
  for (long epoch = 0; epoch < max_epoch; ++epoch) {
    for (auto [x, t] : train_loader) {
      const Variable y = model(x);
      loss = F::softmax_cross_entropy(y, t);
      model.cleargrads();
      loss.backward();
      optimizer.update();
    }
    if (epoch % 10 == 0) std::printf("loss: %.8f\n", loss.data().item<double>());
  }
  std::fflush(stdout);

  // The decision regions in test mode: batch norm uses the averages it kept while training.
  const auto guard = dezero::test_mode();
  utils::plot_decision_regions([&](const Variable& v) { return model(v); }, train_set.data(),
                               train_set.label(), "spiral.png");
}
