// A data cache of its own for each test of the data sets: $DEZERO_HOME points at a fresh
// folder under the system's temporary folder, removed afterwards, and $DEZERO_HOME is put back
// as it was. Restore<T> puts a setting the test changes (a mirror URL) back the same way.
#pragma once

#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <system_error>

namespace dztest {

// A file's bytes, and a file written with exactly these bytes (its folder made first).
inline std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
inline void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

class ScopedDataCache {
 public:
  explicit ScopedDataCache(const std::string& prefix) {
    static std::atomic<int> counter{0};
    root = std::filesystem::temp_directory_path() /
           (prefix + std::to_string(getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(root);
    cache = root / "cache";
    std::filesystem::create_directories(cache);
    if (const char* old = std::getenv("DEZERO_HOME")) old_home_ = old;
    setenv("DEZERO_HOME", cache.c_str(), 1);
  }
  ~ScopedDataCache() {
    if (old_home_)
      setenv("DEZERO_HOME", old_home_->c_str(), 1);
    else
      unsetenv("DEZERO_HOME");
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }
  ScopedDataCache(const ScopedDataCache&) = delete;
  ScopedDataCache& operator=(const ScopedDataCache&) = delete;

  std::filesystem::path root;   // the test's folder
  std::filesystem::path cache;  // root / "cache", the data cache

 private:
  std::optional<std::string> old_home_;
};

template <class T>
class Restore {
 public:
  explicit Restore(T& setting) : setting_(setting), old_(setting) {}
  ~Restore() { setting_ = old_; }
  Restore(const Restore&) = delete;
  Restore& operator=(const Restore&) = delete;

 private:
  T& setting_;
  T old_;
};

// A test fixture with its own data cache: root_ (the test's folder) and cache_ (the data cache,
// $DEZERO_HOME) exist from SetUp to TearDown.
class DataCacheTest : public ::testing::Test {
 protected:
  explicit DataCacheTest(std::string prefix) : prefix_(std::move(prefix)) {}
  void SetUp() override {
    scoped_.emplace(prefix_);
    root_ = scoped_->root;
    cache_ = scoped_->cache;
  }
  void TearDown() override { scoped_.reset(); }

  std::filesystem::path root_, cache_;

 private:
  std::string prefix_;
  std::optional<ScopedDataCache> scoped_;
};

}  // namespace dztest
