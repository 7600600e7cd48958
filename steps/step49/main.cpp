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

using dezero::Variable;
namespace F = dezero::functions;
namespace utils = dezero::utils;
namespace datasets = dezero::datasets;
namespace optimizers = dezero::optimizers;
using dezero::models::MLP;

// The classes the trained model predicts on a grid over the data, and the points (as in
// step 48; the book's step 49 draws nothing).
void plot_decision_regions(MLP& model, const np::ndarray& x, const np::ndarray& t,
                           const std::string& file) {
  // The book samples every 0.001; 0.004 is finer than the picture's pixels all the same.
  const double h = 0.004;
  const np::ndarray x0 = x[{np::slice(), 0}], x1 = x[{np::slice(), 1}];
  const np::ndarray xs = np::arange(x0.min().item<double>() - .1, x0.max().item<double>() + .1, h);
  const np::ndarray ys = np::arange(x1.min().item<double>() - .1, x1.max().item<double>() + .1, h);
  // np.c_[xx.ravel(), yy.ravel()] of the meshgrid: row i * nx + j is (xs[j], ys[i])
  const std::int64_t nx = xs.len(), ny = ys.len();
  np::ndarray grid({nx * ny, 2}, np::float64);
  double* g = grid.data<double>();
  for (std::int64_t i = 0; i < ny; ++i) {
    for (std::int64_t j = 0; j < nx; ++j) {
      g[2 * (i * nx + j)] = xs.flat(j);
      g[2 * (i * nx + j) + 1] = ys.flat(i);
    }
  }
  Variable score;
  {
    auto guard = dezero::no_grad();
    score = model(grid);
  }
  const np::ndarray predict_cls = np::argmax(score.data(), 1).reshape({ny, nx});

  utils::Plot plot;
  plot.regions(xs, ys, predict_cls);
  // the book's 'o', 'x', '^' in matplotlib's orange, blue and green
  const std::vector<std::string> markers = {"o", "x", "^"};
  const std::vector<std::string> colors = {"#ffa500", "#0000ff", "#008000"};
  for (std::int64_t c = 0; c < 3; ++c) {
    const np::ndarray mine = t == np::ndarray(c);
    plot.scatter(x0[mine], x1[mine]).marker(markers[c], 1.5).color(colors[c]);
  }
  try {
    plot.save(file);
    std::cerr << "wrote " << file << "\n";
  } catch (const utils::ToolError& e) {
    std::cerr << e.what() << "\n";
  }
}

int main(int argc, char** argv) {
  const long max_epoch = utils::step_options(argc, argv, {{"epochs", 300}}).at("epochs");
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

      sum_loss += loss.data().item<double>() * static_cast<double>(batch_t.len());
    }

    const double avg_loss = sum_loss / static_cast<double>(data_size);
    std::printf("epoch %ld, loss %.2f\n", epoch + 1, avg_loss);
  }
  std::fflush(stdout);

  plot_decision_regions(model, train_set.data(), train_set.label(), "step49.png");
}
