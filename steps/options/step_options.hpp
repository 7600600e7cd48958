// The command line of a step program, read strictly: counts `--name N` (N a non-negative
// integer), flags `--name`, and at most one positional argument, each only where the step
// declares it. Anything else (an unknown option, a missing value, a value that is not a count,
// an argument the step does not take) prints the problem and the step's usage line on stderr,
// e.g. `usage: step42 [--iters N]`, and exits with status 2; `--help` prints the usage line on
// stdout and exits with status 0.
//
//   const long iters = steps::options(argc, argv, {{"iters", 100}}).at("iters");
//   steps::options(argc, argv);  // a step that takes no arguments
//
// Linking this also sets up, once for every step, what Python gives the book's scripts: stdout
// is line-buffered (each line shows at once, in order with stderr and with the programs a
// step starts), and an exception that escapes main ends the step as an uncaught Python
// exception does: its message on stderr and exit status 1, not an abort.
//
// Every step links this (steps 01-22 too), so it depends on neither np nor dezero.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <typeinfo>

namespace steps {

// What a step accepts.
struct Spec {
  std::map<std::string, long> counts;  // name -> default value
  std::set<std::string> flags;
  std::string positional;  // its name in the usage line; empty: the step takes none
};

// What was given: every count (given or its default), the flags given, the positional argument.
struct Arguments {
  std::map<std::string, long> counts;
  std::set<std::string> flags;
  std::optional<std::string> positional;
};

// argv[1..argc) read against `spec`; exits with status 2 (or 0 for --help) as said above.
Arguments parse(int argc, char** argv, const Spec& spec);

// The counts only, for a step whose options are all counts (none: it takes no arguments).
std::map<std::string, long> options(int argc, char** argv,
                                    std::map<std::string, long> defaults = {});

// The usage line, without its newline: `usage: step58 [--random-weights] [image.jpg|image.png]`.
std::string usage(const std::string& program, const Spec& spec);

// Python's TypeError, for the snapshots 09-22 that keep the book's run-time type check
// (`if not isinstance(data, np.ndarray): raise TypeError(...)`). Uncaught, it prints
// "TypeError: double is not supported" and the step exits with status 1, as the book's does.
struct TypeError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

std::string type_name(const std::type_info& type);  // Python's type(x): the C++ name, "double"

// `value` if it is a Wanted, else the book's TypeError naming its type.
template <class Wanted, class T>
Wanted must_be(T value) {
  if constexpr (std::is_same_v<T, Wanted>) {
    return value;
  } else {
    throw TypeError(type_name(typeid(T)) + " is not supported");
  }
}

}  // namespace steps
