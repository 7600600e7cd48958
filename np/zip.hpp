// The zip container of .npz files, with zlib alone (internal to np/io.cpp and its tests; not
// installed). Only what NumPy's savez and Python's zipfile write is needed: members stored or
// deflated, CRC-32 checked, ZIP64 records where sizes or offsets pass 4 GiB, no encryption,
// one disk. Errors are np::io_error, their text prefixed with the caller's `where`.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace np::zip {

// Above this, a size or an offset goes into a ZIP64 record (as the format says; the tests use
// a smaller limit to write ZIP64 archives of a few bytes).
constexpr std::uint64_t zip64_limit = 0xffffffffu;

// The bytes of an archive of `members` (name, bytes) in this order, stored or deflated at
// zlib's default level (Python's zipfile): dated 1980-01-01 00:00, permissions rw-------, as
// NumPy's members are. With no members, just the end record (NumPy's empty .npz).
std::string archive(const std::vector<std::pair<std::string, std::string>>& members,
                    bool compress, const std::string& where,
                    std::uint64_t limit = zip64_limit);

// A member as the central directory lists it.
struct Member {
  std::string name;
  std::uint16_t method = 0;  // 0 stored, 8 deflated
  std::uint16_t flags = 0;
  std::uint32_t crc = 0;
  std::uint64_t compressed_size = 0;
  std::uint64_t size = 0;  // uncompressed
  std::uint64_t header_offset = 0;
};

// Reads `n` bytes at `offset` of the archive into `out`; returns how many it got (fewer only
// at the end of the file) and throws io_error when the file cannot be read.
using ReadAt = std::function<std::size_t(char* out, std::size_t n, std::uint64_t offset)>;

// An archive of `file_size` bytes, read through `read_at`. The constructor reads the central
// directory and checks it (io_error "not a readable zip archive: ..." otherwise).
class Reader {
 public:
  Reader(ReadAt read_at, std::uint64_t file_size, std::string where);
  const std::vector<Member>& members() const { return members_; }

  // The bytes of a member as a stream: each call fills up to n bytes of `out` and returns how
  // many, 0 at the end. `where` names the member in errors.
  class Stream {
   public:
    Stream(const Reader& reader, const Member& member, std::string where);
    ~Stream();
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;
    std::size_t read(char* out, std::size_t n);
    // Reads what is left and checks the length and the CRC-32 against the directory's.
    void finish();

   private:
    struct Inflater;
    void refill();  // more compressed bytes from the file when the inflater has used them up
    const Reader& reader_;
    const Member& member_;
    std::string where_;
    std::uint64_t data_offset_ = 0;  // in the file
    std::uint64_t consumed_ = 0;     // compressed bytes taken from the file
    std::uint64_t produced_ = 0;     // bytes handed out
    std::uint32_t crc_ = 0;
    Inflater* inflater_ = nullptr;
  };

 private:
  ReadAt read_at_;
  std::uint64_t file_size_;
  std::string where_;
  std::uint64_t directory_offset_ = 0;
  std::vector<Member> members_;
};

}  // namespace np::zip
