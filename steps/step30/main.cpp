// Step 30: higher-order derivatives (preparation).
//
// The chapter has no code of its own: it explains what the next steps use. This program
// only names the subject.
#include <iostream>

int main() {
  std::cout << "Higher-order derivatives, preparation: the chapter reviews how Variable and "
               "Function hold data and links, ahead of gradients that are Variables themselves.\n";
}
