// The IDX reader of the MNIST files (dezero::datasets::read_idx_gz) on any bytes.
//
// The input's first byte chooses how the rest is handed over:
//   bit 0 set    the rest is an IDX file that this program gzips first, so that the fuzzer
//                works on the IDX header and data themselves;
//   bit 0 clear  the rest is the file as it is (gzip framing, truncation, corruption);
//   bit 1 set    read with the number of axes that the IDX magic's last byte names (when
//                1-8), else with 1 + (byte >> 2) % 8 axes, which may disagree with the file.
// Only DataError, the reader's error for a bad file, is caught.
#include <cstdint>
#include <string>

#include "dezero/datasets.hpp"
#include "fuzz_common.hpp"
#include "fuzz_gzip.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t mode = data[0];
  const std::uint8_t* body = data + 1;
  const std::size_t n = size - 1;
  int ndim = 1 + (mode >> 2) % np::Shape::max_ndim;
  if ((mode & 2) && n >= 4 && body[3] >= 1 && body[3] <= np::Shape::max_ndim) ndim = body[3];
  const std::string& path = (mode & 1) ? [&]() -> const std::string& {
    const std::string z = fuzz::gzip(body, n);
    return fuzz::write_scratch(z.data(), z.size());
  }()
                                       : fuzz::write_scratch(body, n);
  try {
    const np::ndarray a = dezero::datasets::read_idx_gz(path, ndim);
    // What was read is the header's shape of bytes.
    if (a.dtype() != np::uint8 || a.ndim() != ndim) fuzz::violated("read_idx_gz: wrong dtype or ndim");
    if ((mode & 1) && a.nbytes() != n - 4 - 4 * static_cast<std::size_t>(ndim)) {
      fuzz::violated("read_idx_gz: the data size disagrees with the file's");
    }
  } catch (const dezero::datasets::DataError&) {
  }
  return 0;
}
