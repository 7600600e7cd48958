// The tar.gz reader of the CIFAR archives (dezero::archive::read_tar_gz) on any bytes.
//
// The input's first byte chooses how the rest is handed over: bit 0 set, the rest is a tar
// archive that this program gzips first (so that the fuzzer works on the tar headers); bit 0
// clear, the rest is the file as it is (gzip framing, truncation, corruption). Every member is
// read to its end, in pieces whose size bits 1-3 choose. Only DataError is caught.
#include <cstdint>
#include <string>
#include <vector>

#include "dezero/archive.hpp"
#include "dezero/datasets.hpp"
#include "fuzz_common.hpp"
#include "fuzz_gzip.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t mode = data[0];
  const std::size_t piece = std::size_t{1} << (2 * ((mode >> 1) & 7));
  const std::string& path = (mode & 1) ? [&]() -> const std::string& {
    const std::string z = fuzz::gzip(data + 1, size - 1);
    return fuzz::write_scratch(z.data(), z.size());
  }()
                                       : fuzz::write_scratch(data + 1, size - 1);
  try {
    std::vector<char> buffer(piece);
    dezero::archive::read_tar_gz(path, [&](dezero::archive::TarMember& m) {
      for (std::uint64_t left = m.size; left > 0;) {
        const std::size_t n = left < piece ? static_cast<std::size_t>(left) : piece;
        m.read(buffer.data(), n);
        left -= n;
      }
    });
  } catch (const dezero::datasets::DataError&) {
  }
  return 0;
}
