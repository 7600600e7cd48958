// Step 42: linear regression.
//
// 100 points y = 5 + 2x + noise, a model y = x W + b, and the mean squared error written by
// hand from Sub, Pow, Sum and Div. Gradient descent with lr = 0.1 moves W towards 2 and b
// towards 5.5 (the noise is uniform in [0, 1), so it adds 0.5 on average). The step prints
// W, b and the loss of each iteration, and draws the data and the fitted line in step42.png.
// `step42 --iters N` runs N iterations (default 100, as the book).
#include <iostream>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Variable;
namespace F = dezero::functions;
namespace utils = dezero::utils;

int main(int argc, char** argv) {
  const long iters = steps::options(argc, argv, {{"iters", 100}}).at("iters");

  // The toy data set.
  np::random::seed(0);
  np::ndarray x_data = np::random::rand({100, 1});
  np::ndarray y_data = 5 + 2 * x_data + np::random::rand({100, 1});
  Variable x(x_data), y(y_data);

  Variable W(np::zeros({1, 1}));
  Variable b(np::zeros({1}));

  auto predict = [&](const Variable& x) { return F::matmul(x, W) + b; };
  auto mean_squared_error = [](const Variable& x0, const Variable& x1) {
    Variable diff = x0 - x1;
    return F::sum(pow(diff, 2)) / diff.len();
  };

  const double lr = 0.1;
  for (long i = 0; i < iters; ++i) {
    Variable y_pred = predict(x);
    Variable loss = mean_squared_error(y, y_pred);

    W.cleargrad();
    b.cleargrad();
    loss.backward();

    // The update works on the data (no graph is needed for it).
    W.data() -= lr * W.grad().data();
    b.data() -= lr * b.grad().data();
    std::cout << W << " " << b << " " << loss << "\n";
  }

  utils::Plot plot;
  plot.xlabel("x").ylabel("y");
  plot.scatter(x.data(), y.data());
  plot.line(x.data(), predict(x).data()).color("red");
  try {
    plot.save("step42.png");
    std::cerr << "wrote step42.png\n";
  } catch (const utils::ToolError& e) {
    std::cerr << e.what() << "\n";  // the numbers are computed all the same
  }
}
