// dezero/process: running the external programs that draw pictures (Graphviz's `dot` for
// graphs, gnuplot for plots), without a shell, so that any file name is safe.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace dezero::utils {

// An external program (Graphviz, gnuplot) was missing or failed; what() says which and how
// to install it.
struct ToolError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Runs a program with an argument vector (no shell, so any file name is safe), capturing
// its standard output or its standard error into `captured`; the other stream is inherited
// and stdin is /dev/null. Returns the exit status (128 + signal when killed). Throws
// ToolError when the program cannot be started, naming the Debian `package` if given.
enum class Stream { out, err };
int run_program(const std::vector<std::string>& argv, Stream capture, std::string& captured,
                const std::string& package = {});

// Runs `argv` to draw `target`: the program writes to a temporary name, put where an argument
// says @OUT@, that is renamed over `target` only when the program succeeded. ToolError naming
// `what` (the caller: "plot_dot_graph") when it cannot be started or fails (with what it said
// on stderr), and no file is left behind.
void draw_with(std::vector<std::string> argv, const std::filesystem::path& target,
               const std::string& package, const std::string& what);

}  // namespace dezero::utils
