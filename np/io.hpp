// np::save / np::load (.npy) and np::savez / np::savez_compressed / np::load_npz (.npz): arrays
// in NumPy's own file formats, so that files move freely between C++ and Python:
//
//   np::savez_compressed("weights.npz", {{"l0/W", W}, {"l0/b", b}});
//   auto npz = np::load_npz("weights.npz");       // npz.at("l0/W")
//   >>> numpy.load("weights.npz")["l0/W"]         # the same array in Python
//
// A .npy file is NumPy's format 1.0: the magic "\x93NUMPY", the version, a little-endian header
// length, a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and a newline so that the data starts on a 64-byte boundary, then the
// elements in C order, little-endian. We write the header byte for byte as NumPy 1.24 does.
// A .npz file is a zip archive with one member `<key>.npy` per array, stored (savez) or
// deflated (savez_compressed) as NumPy's savez functions make it; the zip side is np/zip.cpp
// (zlib's deflate and CRC-32, ZIP64 where a size or an offset passes 4 GiB).
//
// Reading accepts what NumPy writes: formats 1.0, 2.0 and 3.0, the dtypes of the array layer
// ('|b1', '|u1', '<i4', '<i8', '<f4', '<f8'), big-endian data ('>f8', converted to native
// order) and Fortran-ordered arrays (converted to C order). Anything else, and any damaged
// file, raises np::io_error naming the file (and the member of an archive) and what is wrong;
// a file is never half read into an array.
//
// Every file is written atomically: into a temporary file in the same folder (".name.tmp-XXXXXX")
// that is renamed over `path` only when it is complete, so a failure (disk full, no permission)
// leaves an existing file byte for byte as it was and no temporary file behind.
#pragma once

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "np/ndarray.hpp"

namespace np {

// A file that cannot be written or read, or that is not what it should be.
struct io_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The arrays of an .npz file, in the order they are written.
using NpzEntries = std::vector<std::pair<std::string, ndarray>>;

// np.save(path, a): ".npy" is appended when `path` lacks it, as NumPy does; returns the path
// written.
std::filesystem::path save(const std::filesystem::path& path, const ndarray& a);
// np.load(path) of a .npy file (an .npz archive is refused with a hint to use load_npz).
ndarray load(const std::filesystem::path& path);

// np.savez(path, key=array, ...) and np.savez_compressed: ".npz" is appended when `path` lacks
// it; returns the path written. Keys must be distinct and non-empty; every array must be defined.
std::filesystem::path savez(const std::filesystem::path& path, const NpzEntries& arrays);
std::filesystem::path savez_compressed(const std::filesystem::path& path, const NpzEntries& arrays);
// np.load(path) of an .npz file: every member, by key (the member's name without ".npy").
std::map<std::string, ndarray> load_npz(const std::filesystem::path& path);

// The bytes of a .npy file holding `a`, and the array in such bytes. `where` names the source
// in error messages ("'w.npz', member 'l0/W.npy'").
std::string to_npy(const ndarray& a);
ndarray from_npy(std::string_view bytes, const std::string& where = "npy data");
// The NPY header alone (magic, version, length, dict, padding) that to_npy writes for a.
std::string npy_header(const Shape& shape, DType dtype);

// Writes `bytes` to `path` atomically (see above); io_error naming `op` and the path otherwise.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes,
                           const char* op = "write");

}  // namespace np
