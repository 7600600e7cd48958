// Must NOT compile: the book's Variable(1.0) raises TypeError ("<class 'float'> is not
// supported"); the C++ library refuses it while compiling, with a message that says what to
// write instead. The ctest `variable_rejects_a_number` checks that the compiler prints it.
#include "dezero/core.hpp"

int main() {
  dezero::Variable ok(np::array(1.0));  // an array: fine
  dezero::Variable x(1.0);              // a C++ number: rejected
  return ok && x ? 0 : 1;
}
