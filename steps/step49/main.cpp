// Step 49: the Dataset class and preprocessing.
//
// Step 48 again, with the spiral as a data set: datasets::Spiral holds the 300 samples, and
// train_set[i] gives sample i as (x, t), after the data set's transforms (none here). Each
// mini-batch is stacked from its samples, as the book does. The numbers are step 48's: the
// same draws in the same order. The decision regions go to step49.png.
// `step49 --epochs N` trains N epochs.
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

  const datasets::Spiral train_set(true);
  MLP model({hidden_size, 3});
  auto optimizer = optimizers::SGD(lr).setup(model);

  const std::int64_t data_size = train_set.len();
  const std::int64_t max_iter = (data_size + batch_size - 1) / batch_size;  // ceil

  for (long epoch = 0; epoch < max_epoch; ++epoch) {
    const np::ndarray index = np::random::permutation(data_size);
    double sum_loss = 0;

    for (std::int64_t i = 0; i < max_iter; ++i) {
      // Create the mini-batch: the samples one by one, stacked along a new first axis.
      // (train_set.batch(indices) does the same in one go.)
      const np::ndarray batch_index = index[{np::slice(i * batch_size, (i + 1) * batch_size)}];
      std::vector<np::ndarray> xs, ts;
      for (const std::int64_t j : batch_index.to_vector<std::int64_t>()) {
        const auto [x, t] = train_set[j];
        xs.push_back(x);
        ts.push_back(t);
      }
      const np::ndarray batch_x = np::stack(xs);
      const np::ndarray batch_t = np::stack(ts);

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

  utils::plot_decision_regions([&](const Variable& v) { return model(v); }, train_set.data(),
                               train_set.label(), "step49.png");
}
