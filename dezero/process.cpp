#include "dezero/process.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

extern char** environ;

namespace dezero::utils {

namespace fs = std::filesystem;

int run_program(const std::vector<std::string>& argv, Stream capture, std::string& captured,
                const std::string& package) {
  if (argv.empty()) throw std::invalid_argument("run_program: no program given");
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("run_program: pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1],
                                   capture == Stream::out ? STDOUT_FILENO : STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int err = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (err != 0) {
    close(fds[0]);
    throw ToolError("`" + argv[0] + "` could not be started (" + std::strerror(err) + ")" +
                    (package.empty() ? "" : "; install it with: apt-get install " + package));
  }
  char buffer[65536];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;) {
    captured.append(buffer, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void draw_with(std::vector<std::string> argv, const fs::path& target, const std::string& package,
               const std::string& what) {
  const std::string tmp = target.string() + ".tmp";
  for (auto& a : argv) {
    if (const auto p = a.find("@OUT@"); p != std::string::npos) a.replace(p, 5, tmp);
  }
  std::string errors;
  int status = 0;
  try {
    status = run_program(argv, Stream::err, errors, package);
  } catch (const ToolError& e) {
    throw ToolError(what + ": " + target.string() + " was not drawn: " + e.what());
  }
  if (status != 0 || !fs::exists(tmp)) {
    fs::remove(tmp);
    throw ToolError(what + ": `" + argv[0] + "` failed (exit status " + std::to_string(status) +
                    ") drawing " + target.string() + (errors.empty() ? "" : ": " + errors));
  }
  fs::rename(tmp, target);
}

}  // namespace dezero::utils
