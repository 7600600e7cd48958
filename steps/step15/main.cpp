// Step 15: complex computational graphs, the theory.
//
// The chapter has no code: it shows that a graph with branches must be walked back in the
// right order (every function after all the functions that use its outputs) and introduces
// the idea of generations. This program only names the subject; step 16 has the code.
#include <iostream>

int main() {
  std::cout << "Complex graphs theory: backward must visit functions in order of generation; "
               "the implementation is in the next step.\n";
}
