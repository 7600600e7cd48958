// Step 05: backpropagation, the theory.
//
// The chapter has no code: it derives the chain rule and shows why propagating derivatives
// from the output back to the input is efficient. This program only names the subject; the
// code follows in steps 06 (by hand) to 08 (automatic, with a loop).
#include <iostream>

#include "step_options.hpp"

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  std::cout << "Backpropagation theory: the chain rule, applied from the output back to the "
               "input; the code is in the next steps (manual backward, then automatic).\n";
}
