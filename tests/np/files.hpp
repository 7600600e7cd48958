// Helpers for tests that write and read files: a scratch folder per test, whole-file reads
// and writes, and Debian's Python with NumPy (/usr/bin/python3 with python3-numpy) to check
// our files against NumPy itself. The pyenv python3 that may come first on PATH usually has
// no NumPy, so the system interpreter is named explicitly.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>

namespace nptest {

namespace fs = std::filesystem;

// A fresh, empty folder named after the running test; removed (permissions restored first)
// when the object goes.
class ScratchDir {
 public:
  ScratchDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string("dezero_") + (info ? info->test_suite_name() : "test") + "_" +
                       (info ? info->name() : "x") + "_" + std::to_string(::getpid());
    for (char& c : name) {
      if (c == '/') c = '_';
    }
    path_ = fs::temp_directory_path() / name;
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }
  // The names of the entries in the folder (temporary files included).
  std::set<std::string> entries() const {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(path_)) out.insert(e.path().filename().string());
    return out;
  }

 private:
  fs::path path_;
};

inline std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Runs `attempt` (true: what it tried behaved as it should) as a user without privileges:
// in this process, or when the tests run as root (as CI does; root may write anywhere), in a
// child process that has become the user nobody (65534). Returns 0 when the attempt passed,
// 1 when it failed, 3 when root could not drop its privileges. The files involved must be
// readable by others.
template <class Attempt>
int as_unprivileged_user(Attempt attempt) {
  if (::geteuid() != 0) return attempt() ? 0 : 1;
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) return 3;
  if (pid == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
    ::_exit(attempt() ? 0 : 1);
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return 1;
  return WEXITSTATUS(status);
}

// True when /usr/bin/python3 can import numpy (checked once).
inline bool have_numpy() {
  static const bool ok =
      ::access("/usr/bin/python3", X_OK) == 0 &&
      std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") == 0;
  return ok;
}

inline constexpr const char* no_numpy_message =
    "/usr/bin/python3 with NumPy is not available (Debian: apt-get install python3-numpy); "
    "the comparison with NumPy itself is skipped";

// Runs `script` with /usr/bin/python3 in `dir`; returns its exit status and puts stdout and
// stderr together into `output`.
inline int run_python(const fs::path& dir, const std::string& script, std::string& output) {
  const fs::path file = dir / "check.py";
  write_bytes(file, script);
  const std::string command = "cd '" + dir.string() + "' && /usr/bin/python3 check.py 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return -1;
  output.clear();
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  const int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace nptest
