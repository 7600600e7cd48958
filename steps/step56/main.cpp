// Step 56: the mechanics of convolutional networks (2).
//
// The chapter has no code of its own: it explains pooling and how a whole batch of images is
// convolved at once, ahead of the next step. This program only names the subject.
#include <iostream>

int main() {
  std::cout << "Convolutional networks, mechanics part two: pooling layers and batches of "
               "images; the code comes in the next step (dezero/functions_conv).\n";
}
