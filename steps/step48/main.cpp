// Step 48: multi-class classification.
//
// The three-armed spiral (300 points, datasets::get_spiral, which reseeds the generator with
// 1984) is learnt by an MLP with 10 hidden units and 3 outputs, trained on the softmax cross
// entropy with SGD (lr = 1.0), 300 epochs of mini-batches of 30 in a new random order each
// epoch. The step prints each epoch's mean loss, then draws the regions the trained network
// gives each class, with the data points on top, in step48.png. `step48 --epochs N` trains
// N epochs.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Variable;
namespace F = dezero::functions;
namespace utils = dezero::utils;
namespace datasets = dezero::datasets;
namespace optimizers = dezero::optimizers;
using dezero::models::MLP;

int main(int argc, char** argv) {
  const long max_epoch = steps::options(argc, argv, {{"epochs", 300}}).at("epochs");
  const std::int64_t batch_size = 30;
  const std::int64_t hidden_size = 10;
  const double lr = 1.0;

  const auto [x, t] = datasets::get_spiral(true);
  MLP model({hidden_size, 3});
  auto optimizer = optimizers::SGD(lr).setup(model);

  const std::int64_t data_size = x.len();
  const std::int64_t max_iter = (data_size + batch_size - 1) / batch_size;  // ceil

  for (long epoch = 0; epoch < max_epoch; ++epoch) {
    // A new order of the data every epoch.
    const np::ndarray index = np::random::permutation(data_size);
    double sum_loss = 0;

    for (std::int64_t i = 0; i < max_iter; ++i) {
      const np::ndarray batch_index = index[{np::slice(i * batch_size, (i + 1) * batch_size)}];
      const np::ndarray batch_x = x[batch_index];
      const np::ndarray batch_t = t[batch_index];

      const Variable y = model(batch_x);
      const Variable loss = F::softmax_cross_entropy(y, batch_t);
      model.cleargrads();
      loss.backward();
      optimizer.update();

      sum_loss += loss.item() * static_cast<double>(batch_t.len());
    }

    const double avg_loss = sum_loss / static_cast<double>(data_size);
    std::printf("epoch %ld, loss %.2f\n", epoch + 1, avg_loss);
  }

  utils::plot_decision_regions([&](const Variable& v) { return model(v); }, x, t, "step48.png");
}
