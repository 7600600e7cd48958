// The NPY reader (header dict, versions, dtypes, byte order, Fortran order, data size) on any
// bytes: np::from_npy, the same reader np::load uses for a file and load_npz for a member.
// Every 16th input also goes through np::load of a file. What is read must survive a round
// trip through to_npy. Only np::io_error, the readers' error for a bad file, is caught.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "np/io.hpp"
#include "np/np.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  np::ndarray a;
  try {
    a = np::from_npy(bytes);
  } catch (const np::io_error&) {
    return 0;
  }
  if (!a.defined()) fuzz::violated("from_npy: an undefined array");
  // C order, native bytes: writing it and reading it back gives the same array.
  const std::string again = np::to_npy(a);
  const np::ndarray b = np::from_npy(again, "round trip");
  if (b.shape() != a.shape() || b.dtype() != a.dtype() ||
      std::memcmp(a.raw_data(), b.raw_data(), a.nbytes()) != 0) {
    fuzz::violated("from_npy: the round trip through to_npy changed the array");
  }
  if (size % 16 == 0) {
    const np::ndarray c = np::load(fuzz::write_scratch(data, size));
    if (c.shape() != a.shape() || c.dtype() != a.dtype() ||
        std::memcmp(a.raw_data(), c.raw_data(), a.nbytes()) != 0) {
      fuzz::violated("np::load and np::from_npy disagree");
    }
  }
  return 0;
}
