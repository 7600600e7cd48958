// Step 31: higher-order derivatives (theory).
//
// The chapter has no code of its own: it explains what the next steps use. This program
// only names the subject.
#include <iostream>

int main() {
  std::cout << "Higher-order derivatives, theory: if backward passes are built from Functions, the "
               "gradient has a graph of its own that can be differentiated again.\n";
}
