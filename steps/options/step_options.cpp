#include "step_options.hpp"

#include <cxxabi.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>
#include <system_error>

namespace steps {

namespace {

// An exception that escapes main reaches std::terminate, which would abort (a signal and a
// core dump); Python instead prints the exception and exits with status 1. So does this.
[[noreturn]] void exit_like_python() {
  std::fflush(stdout);  // what the step printed comes first, as in Python
  if (std::exception_ptr escaped = std::current_exception()) {
    try {
      std::rethrow_exception(escaped);
    } catch (const TypeError& e) {
      std::cerr << "TypeError: " << e.what() << std::endl;
    } catch (const std::exception& e) {
      std::cerr << e.what() << std::endl;
    } catch (...) {
      std::cerr << "an exception that is not a std::exception" << std::endl;
    }
    std::_Exit(1);
  }
  std::cerr << "std::terminate called without an exception" << std::endl;  // a bug: abort
  std::abort();
}

// Runs before main in every step (each one links this file for steps::options).
[[maybe_unused]] const bool set_up = [] {
  std::setvbuf(stdout, nullptr, _IOLBF, BUFSIZ);
  std::set_terminate(exit_like_python);
  return true;
}();

}  // namespace

std::string type_name(const std::type_info& type) {
  int status = 0;
  const std::unique_ptr<char, decltype(&std::free)> readable(
      abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), &std::free);
  return status == 0 ? readable.get() : type.name();
}

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
