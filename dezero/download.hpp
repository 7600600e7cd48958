// dezero/download: the data cache and the book's get_file, which downloads into it (libcurl),
// with MD5 to check downloads. Part of the dezero::data library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace dezero::utils {

// ===================================== data files ===========================================
// The data cache, where get_file keeps what it downloads: $DEZERO_HOME when set, else
// ~/.dezero (as the book's cache_dir). Created when a download needs it.
std::filesystem::path cache_dir();

// A download that failed: what() names the URL and why (HTTP status, broken connection,
// checksum). No file is left behind.
struct DownloadError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The book's get_file: the path of `file_name` (default: the URL's last part) in the data
// cache; downloaded with libcurl first when it is not there yet, with "Downloading: name", a
// progress bar and " Done" on stderr. The download goes to a temporary file in the cache that
// is renamed into place only when it is complete and, given `md5` (32 hex digits), when its MD5
// checksum matches; on any failure, also Ctrl-C, the temporary file is removed. A file that is
// already in the cache is returned as it is, without any network access (so files can be put
// there by hand). With the environment variable DEZERO_OFFLINE set (to anything but 0),
// nothing is downloaded: a missing file is a DownloadError at once.
std::filesystem::path get_file(const std::string& url, const std::string& file_name = {},
                               const std::string& md5 = {});

// MD5 (RFC 1321), to check downloads against their published checksums (integrity only: MD5
// is no protection against tampering).
class Md5 {
 public:
  Md5();
  Md5& update(const void* data, std::size_t size);
  std::string hex_digest();  // 32 lower-case hex digits; ends the computation

 private:
  void block(const unsigned char* p);
  std::uint32_t state_[4];
  std::uint64_t length_ = 0;
  unsigned char buffer_[64];
  std::size_t buffered_ = 0;
};
std::string md5_hex(const std::string& bytes);
// The MD5 of a file's contents; std::runtime_error naming the file when it cannot be read.
std::string md5_file(const std::filesystem::path& path);

}  // namespace dezero::utils
