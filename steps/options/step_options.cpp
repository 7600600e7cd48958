#include "step_options.hpp"

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <limits>
#include <system_error>

namespace steps {

std::string usage(const std::string& program, const Spec& spec) {
  std::string line = "usage: " + program;
  for (const auto& [name, value] : spec.counts) line += " [--" + name + " N]";
  for (const auto& name : spec.flags) line += " [--" + name + "]";
  if (!spec.positional.empty()) line += " [" + spec.positional + "]";
  return line;
}

Arguments parse(int argc, char** argv, const Spec& spec) {
  const std::string program =
      argc > 0 && argv[0] ? std::filesystem::path(argv[0]).filename().string() : "step";
  auto fail = [&](const std::string& problem) {
    std::cerr << program << ": " << problem << "\n" << usage(program, spec) << "\n";
    std::exit(2);
  };
  Arguments given{.counts = spec.counts, .flags = {}, .positional = std::nullopt};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help") {
      std::cout << usage(program, spec) << "\n";
      std::exit(0);
    }
    if (!arg.starts_with("-")) {
      if (spec.positional.empty() || given.positional) fail("unexpected argument '" + arg + "'");
      given.positional = arg;
      continue;
    }
    const std::string name = arg.starts_with("--") ? arg.substr(2) : "";
    if (spec.flags.contains(name)) {
      given.flags.insert(name);
      continue;
    }
    if (!spec.counts.contains(name)) fail("unknown option '" + arg + "'");
    if (i + 1 >= argc) fail("option " + arg + " needs a value");
    const std::string value = argv[++i];
    long n = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec == std::errc::result_out_of_range) {
      fail("option " + arg + " is too large: '" + value + "' (at most " +
           std::to_string(std::numeric_limits<long>::max()) + ")");
    }
    if (ec != std::errc() || end != value.data() + value.size() || n < 0) {
      fail("option " + arg + " needs a count (a non-negative integer), not '" + value + "'");
    }
    given.counts[name] = n;
  }
  return given;
}

std::map<std::string, long> options(int argc, char** argv, std::map<std::string, long> defaults) {
  return parse(argc, argv, Spec{.counts = std::move(defaults), .flags = {}, .positional = {}})
      .counts;
}

}  // namespace steps
