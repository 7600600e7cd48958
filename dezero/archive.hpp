// dezero/archive: the compressed files data sets come in, read as streams: gzip (MNIST's
// .gz files) and tar inside gzip (CIFAR's .tar.gz archives), without unpacking anything to
// disk. Every error is a DataError (dezero/datasets.hpp) naming the file and what is wrong.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace dezero::archive {

// Streams the decompressed bytes of a gzip file (several members are read one after the
// other, as Python's gzip does).
class GzipReader {
 public:
  explicit GzipReader(const std::filesystem::path& path);
  ~GzipReader();
  GzipReader(const GzipReader&) = delete;
  GzipReader& operator=(const GzipReader&) = delete;

  // Fills up to `size` bytes; fewer only at the end of the data.
  std::size_t read(void* out, std::size_t size);
  const std::filesystem::path& path() const { return path_; }

 private:
  void refill();

  std::filesystem::path path_;
  std::ifstream in_;
  z_stream zs_{};
  std::vector<Bytef> buffer_ = std::vector<Bytef>(1 << 18);
  bool eof_ = false;
  bool finished_ = false;
};

// One regular file in a tar archive, handed to the visitor of read_tar_gz.
struct TarMember {
  std::string name;    // its path inside the archive ("cifar-10-batches-bin/test_batch.bin")
  std::uint64_t size;  // its length in bytes
  // Reads exactly `n` more bytes of the member into `out` (DataError when the archive ends
  // first). Bytes the visitor leaves unread are skipped.
  std::function<void(void* out, std::size_t n)> read;
};

// Walks a gzip-compressed tar archive (POSIX ustar, old V7 and GNU long names), calling
// `visit` for each regular file in order; folders and links are passed over. Each header's
// checksum is verified, so a damaged archive is an error rather than garbage.
void read_tar_gz(const std::filesystem::path& path, const std::function<void(TarMember&)>& visit);

}  // namespace dezero::archive
