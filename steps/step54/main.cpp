// Step 54: dropout and test mode.
//
// F::dropout keeps each element where a draw of np::random::rand exceeds the ratio (0.5) and
// scales the kept ones by 1 / (1 - 0.5), so the ones become 2s and 0s at random (nothing is
// seeded, as in the book: the mask changes from run to run). In test mode
// (dezero::test_mode(), the book's `with test_mode():`) dropout passes x through unchanged.
#include <iostream>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Variable;
namespace F = dezero::functions;

int main(int argc, char** argv) {
  steps::options(argc, argv);

  const np::ndarray x = np::ones({5});
  std::cout << x << "\n";

  // When training
  Variable y = F::dropout(x);
  std::cout << y << "\n";

  // When testing (predicting)
  {
    auto guard = dezero::test_mode();
    y = F::dropout(x);
    std::cout << y << "\n";
  }
}
