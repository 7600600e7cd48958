// Step 15: complex computational graphs, the theory.
//
// The chapter has no code: it shows that a graph with branches must be walked back in the
// right order (every function after all the functions that use its outputs) and introduces
// the idea of generations. This program only names the subject; step 16 has the code.
#include <iostream>

#include "step_options.hpp"

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  std::cout << "Complex graphs theory: backward must visit functions in order of generation; "
               "the implementation is in the next step.\n";
}
