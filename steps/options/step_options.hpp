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
// Every step links this (steps 01-22 too), so it depends on neither np nor dezero.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

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

}  // namespace steps
