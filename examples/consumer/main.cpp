// A tiny program of one's own on dezero: the MLP of the book's step 46 fitted to
// y = sin(2 pi x) + noise for a few iterations of SGD, its loss printed. It uses only the core
// (dezero::dezero, pkg-config's dezero).
#include <cstdio>
#include <numbers>

#include "dezero/functions.hpp"
#include "dezero/models.hpp"
#include "dezero/optimizers.hpp"
#include "np/np.hpp"

namespace F = dezero::functions;

int main() {
  np::random::seed(0);
  const np::ndarray x = np::random::rand({100, 1});
  const np::ndarray y = np::sin(2 * std::numbers::pi * x) + np::random::rand({100, 1});

  dezero::models::MLP model({10, 1});
  auto optimizer = dezero::optimizers::SGD(0.2).setup(model);
  double first = 0, last = 0;
  for (int i = 0; i < 5; ++i) {
    const dezero::Variable loss = F::mean_squared_error(y, model(x));
    model.cleargrads();
    loss.backward();
    optimizer.update();
    last = loss.data().item<double>();
    if (i == 0) first = last;
    std::printf("iteration %d: loss %.6f\n", i, last);
  }
  std::printf("%s: the loss went from %.6f to %.6f\n", last < first ? "trained" : "NOT trained",
              first, last);
  return last < first ? 0 : 1;
}
