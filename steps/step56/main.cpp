// Step 56: the mechanics of convolutional networks (2).
//
// The chapter has no code of its own: it explains pooling and how a whole batch of images is
// convolved at once, ahead of the next step. This program only names the subject.
#include <iostream>

#include "step_options.hpp"

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  std::cout << "Convolutional networks, mechanics part two: pooling layers and batches of "
               "images; the code comes in the next step (dezero/functions_conv).\n";
}
