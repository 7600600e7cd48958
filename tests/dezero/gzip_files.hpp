// Writing the files the data-set readers take, for the tests that feed them good and broken
// ones: gzip-compressed bytes and IDX's big-endian 32-bit sizes.
#pragma once

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <string>

namespace dztest {

// `bytes` gzip-compressed into `path` (its folder made if missing).
inline void write_gz(const std::filesystem::path& path, const std::string& bytes) {
  std::filesystem::create_directories(path.parent_path());
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  gzclose(f);
}

// v as four big-endian bytes, as IDX headers store their magic number and sizes.
inline std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

}  // namespace dztest
