// Step 32: higher-order derivatives (implementation).
//
// The chapter has no code of its own: it explains what the next steps use. This program
// only names the subject.
#include <iostream>

int main() {
  std::cout << "Higher-order derivatives, implementation: gradients become Variables and backward "
               "takes create_graph; the code is the final library in dezero/core.cpp and "
               "dezero/functions.cpp.\n";
}
