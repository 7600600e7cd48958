// Shared by the fuzz targets: a scratch file for the readers that take a path, and the check
// that stops the fuzzer on a broken promise.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace fuzz {

// One file per process in $TMPDIR (else /tmp), rewritten for every input and removed at exit.
inline const std::string& scratch_path() {
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    std::string p = std::string(dir && *dir ? dir : "/tmp") + "/dezero-fuzz-XXXXXX";
    const int fd = ::mkstemp(p.data());
    if (fd < 0) {
      std::perror("fuzz: mkstemp");
      std::abort();
    }
    ::close(fd);
    static std::string keep = p;
    std::atexit([] { ::unlink(keep.c_str()); });
    return p;
  }();
  return path;
}

// Writes the bytes into the scratch file and returns its path.
inline const std::string& write_scratch(const void* data, std::size_t size) {
  const std::string& path = scratch_path();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || (size && std::fwrite(data, 1, size, f) != size) || std::fclose(f) != 0) {
    std::perror("fuzz: writing the scratch file");
    std::abort();
  }
  return path;
}

// A promise of the code under test that does not hold: report it and stop (a crash to libFuzzer).
[[noreturn]] inline void violated(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "fuzz: violated: %s\n%s\n", what, detail.c_str());
  std::abort();
}

}  // namespace fuzz
