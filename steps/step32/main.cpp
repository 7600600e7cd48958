// Step 32: higher-order derivatives (implementation).
//
// The chapter has no code of its own: it explains what the next steps use. This program
// only names the subject.
#include <iostream>

#include "step_options.hpp"

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  std::cout << "Higher-order derivatives, implementation: gradients become Variables and backward "
               "takes create_graph; the code is the final library in dezero/core.cpp and "
               "dezero/functions.cpp.\n";
}
