// Step 30: higher-order derivatives (preparation).
//
// The chapter has no code of its own: it explains what the next steps use. This program
// only names the subject.
#include <iostream>

#include "step_options.hpp"

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  std::cout << "Higher-order derivatives, preparation: the chapter reviews how Variable and "
               "Function hold data and links, ahead of gradients that are Variables themselves.\n";
}
