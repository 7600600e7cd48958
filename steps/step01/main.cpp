// Step 01: the variable as a box.
//
// A Variable holds data, and the data is an array: np::ndarray plays NumPy's part. Nothing
// else yet: no functions, no gradients. Putting a new array into the box replaces the old one.
#include <iostream>
#include <utility>

#include "np/np.hpp"
#include "step_options.hpp"

class Variable {
 public:
  explicit Variable(np::ndarray data) : data(std::move(data)) {}

  np::ndarray data;
};

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  const np::ndarray data = np::array(1.0);
  Variable x(data);
  std::cout << x.data << "\n";

  x.data = np::array(2.0);
  std::cout << x.data << "\n";
}
