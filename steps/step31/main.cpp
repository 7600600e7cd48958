// Step 31: higher-order derivatives (theory).
//
// The chapter has no code of its own: it explains what the next steps use. This program
// only names the subject.
#include <iostream>

#include "step_options.hpp"

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  std::cout << "Higher-order derivatives, theory: if backward passes are built from Functions, the "
               "gradient has a graph of its own that can be differentiated again.\n";
}
