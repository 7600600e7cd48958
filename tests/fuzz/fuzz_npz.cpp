// np::load_npz (np/zip.cpp's zip reader, then the NPY reader for each member) on any bytes written to a file.
// Only np::io_error, the reader's error for a bad file, is caught.
#include <cstdint>

#include "fuzz_common.hpp"
#include "np/io.hpp"
#include "np/np.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto arrays = np::load_npz(fuzz::write_scratch(data, size));
    for (const auto& [key, a] : arrays) {
      if (!a.defined()) fuzz::violated("load_npz: an undefined array", key);
    }
  } catch (const np::io_error&) {
  }
  return 0;
}
