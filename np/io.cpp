// .npy and .npz files (see io.hpp). The NPY header is written and parsed here; the zip
// container is np/zip.cpp's (zlib), built in memory and written with write_file_atomically.
#include "np/io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <utility>

#include "np/detail.hpp"
#include "np/zip.hpp"

namespace np {

static_assert(std::endian::native == std::endian::little,
              "np/io.cpp writes the elements as they are in memory, which must be little-endian");

namespace fs = std::filesystem;
using detail::msg;

namespace {

constexpr char magic_prefix[] = "\x93NUMPY";  // 6 bytes
constexpr std::size_t magic_len = 8;          // the prefix and two version bytes
constexpr std::size_t array_align = 64;       // NumPy pads the header to this
// NumPy leaves room in the header for the first axis to grow to this many digits.
constexpr std::size_t growth_axis_max_digits = 21;

// (Appended piece by piece: GCC 12 warns falsely about "'" + string, its bug 105329.)
std::string quoted(const fs::path& path) {
  std::string out(1, '\'');
  out += path.string();
  out += '\'';
  return out;
}

// ===================================== NPY header ===========================================

// NumPy's dtype.str of our dtypes: single bytes have no byte order ('|').
const char* descr_of(DType dtype) {
  switch (dtype) {
    case DType::bool_:
      return "|b1";
    case DType::uint8:
      return "|u1";
    case DType::int32:
      return "<i4";
    case DType::int64:
      return "<i8";
    case DType::float32:
      return "<f4";
    case DType::float64:
      break;
  }
  return "<f8";
}

// What a header's 'descr' says: our dtype and whether the bytes need swapping.
struct Descr {
  DType dtype;
  bool swap;
};

Descr parse_descr(const std::string& text, const std::string& where) {
  std::string_view s = text;
  char order = '=';
  if (!s.empty() && (s[0] == '<' || s[0] == '>' || s[0] == '|' || s[0] == '=')) {
    order = s[0];
    s.remove_prefix(1);
  }
  const std::string known =
      "; the array layer reads bool ('|b1'), uint8 ('|u1'), int32 ('<i4'), int64 ('<i8'), "
      "float32 ('<f4') and float64 ('<f8'), in either byte order";
  auto unsupported = [&]() -> io_error { return io_error(msg(where, ": unsupported dtype '", text, "'", known)); };
  if (s.size() < 2) throw unsupported();
  const char kind = s[0];
  const std::string_view size = s.substr(1);
  DType dtype;
  if (kind == 'b' && size == "1")
    dtype = DType::bool_;
  else if (kind == 'u' && size == "1")
    dtype = DType::uint8;
  else if (kind == 'i' && size == "4")
    dtype = DType::int32;
  else if (kind == 'i' && size == "8")
    dtype = DType::int64;
  else if (kind == 'f' && size == "4")
    dtype = DType::float32;
  else if (kind == 'f' && size == "8")
    dtype = DType::float64;
  else
    throw unsupported();
  return {dtype, order == '>' && itemsize(dtype) > 1};
}

// The header dict that NumPy's format.write_array writes, with its keys sorted and the spare
// spaces it leaves after the dict.
std::string header_dict(const Shape& shape, DType dtype) {
  std::string dict = msg("{'descr': '", descr_of(dtype), "', 'fortran_order': False, 'shape': ",
                         shape.str(), ", }");
  if (shape.ndim() > 0) {
    const std::size_t digits = std::to_string(shape[0]).size();
    if (digits < growth_axis_max_digits) dict.append(growth_axis_max_digits - digits, ' ');
  }
  return dict;
}

// Prefix, dict and padding for one format version (1: a 2-byte length, 2: a 4-byte length).
std::string wrap_header(const std::string& dict, int major) {
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  const std::size_t hlen = dict.size() + 1;  // the final newline
  // As NumPy computes it: a header that is already aligned gets a whole block of padding.
  const std::size_t padlen = array_align - (magic_len + length_bytes + hlen) % array_align;
  const std::size_t total = hlen + padlen;
  std::string out(magic_prefix, 6);
  out += static_cast<char>(major);
  out += '\0';
  for (std::size_t i = 0; i < length_bytes; ++i) out += static_cast<char>((total >> (8 * i)) & 0xff);
  out += dict;
  out.append(padlen, ' ');
  out += '\n';
  return out;
}

// A reader of the Python literal in the header: a dict of strings, booleans and int tuples.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& where) : s_(text), where_(where) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw io_error(msg(where_, ": corrupt NPY header (", what, "): ", printable()));
  }
  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }
  bool eat(char c) {
    skip_space();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!eat(c)) fail(msg("expected '", c, "'"));
  }
  char peek() {
    skip_space();
    return i_ < s_.size() ? s_[i_] : '\0';
  }
  bool at_end() {
    skip_space();
    return i_ == s_.size();
  }
  std::string string_literal() {
    skip_space();
    if (i_ >= s_.size() || (s_[i_] != '\'' && s_[i_] != '"')) fail("expected a string");
    const char quote = s_[i_++];
    std::string out;
    while (i_ < s_.size() && s_[i_] != quote) {
      if (s_[i_] == '\\') fail("escapes in strings are not supported");
      out += s_[i_++];
    }
    if (i_ >= s_.size()) fail("unterminated string");
    ++i_;
    return out;
  }
  bool bool_literal() {
    skip_space();
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
      const std::string_view w = word;
      if (s_.substr(i_, w.size()) == w) {
        i_ += w.size();
        return value;
      }
    }
    fail("expected True or False");
  }
  std::vector<std::int64_t> int_tuple() {
    expect('(');
    std::vector<std::int64_t> out;
    while (!eat(')')) {
      skip_space();
      if (i_ < s_.size() && s_[i_] == '-') fail("negative dimension");
      std::int64_t v = 0;
      std::size_t digits = 0;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, s_[i_] - '0', &v))
          fail("dimension too large");
        ++i_;
        ++digits;
      }
      if (digits == 0) fail("expected a dimension");
      if (i_ < s_.size() && (s_[i_] == 'L' || s_[i_] == 'l')) ++i_;  // Python 2's long
      out.push_back(v);
      if (!eat(',')) {
        expect(')');
        break;
      }
    }
    return out;
  }

 private:
  std::string printable() const {
    std::string out;
    for (char c : s_.substr(0, 200)) out += (c >= 32 && c < 127) ? c : '?';
    return out;
  }
  std::string_view s_;
  std::size_t i_ = 0;
  const std::string& where_;
};

struct Header {
  Shape shape;
  Descr descr;
  bool fortran_order;
};

Header parse_header(std::string_view text, const std::string& where) {
  HeaderParser p(text, where);
  p.expect('{');
  std::optional<std::string> descr;
  std::optional<bool> fortran;
  std::optional<std::vector<std::int64_t>> shape;
  while (!p.eat('}')) {
    const std::string key = p.string_literal();
    p.expect(':');
    if (key == "descr") {
      if (p.peek() == '[') {
        throw io_error(msg(where, ": structured dtypes (a 'descr' list) are not supported"));
      }
      descr = p.string_literal();
    } else if (key == "fortran_order") {
      fortran = p.bool_literal();
    } else if (key == "shape") {
      shape = p.int_tuple();
    } else {
      p.fail(msg("unexpected key '", key, "'"));
    }
    if (!p.eat(',')) {
      p.expect('}');
      break;
    }
  }
  if (!p.at_end()) p.fail("text after the dict");
  if (!descr || !fortran || !shape) p.fail("it needs the keys 'descr', 'fortran_order' and 'shape'");
  if (shape->size() > static_cast<std::size_t>(Shape::max_ndim)) {
    throw io_error(msg(where, ": the array has ", shape->size(),
                       " axes; the array layer supports at most ", Shape::max_ndim));
  }
  return {Shape(*shape), parse_descr(*descr, where), *fortran};
}

// ===================================== reading NPY ==========================================

// Where NPY bytes come from (a file, a zip member, memory): fills up to n bytes and returns how
// many it gave, 0 at the end; throws io_error when the source fails.
using ByteSource = std::function<std::size_t(char*, std::size_t)>;

std::size_t read_up_to(const ByteSource& read, char* out, std::size_t n) {
  std::size_t done = 0;
  while (done < n) {
    const std::size_t got = read(out + done, n - done);
    if (got == 0) break;
    done += got;
  }
  return done;
}

// An array from NPY bytes, `size` of them in all. The header is checked against the size
// before the array is allocated, and the elements are read straight into it.
ndarray read_npy(const ByteSource& read, std::uint64_t size, const std::string& where) {
  if (size == 0) throw io_error(msg(where, ": the file is empty"));
  char prefix[magic_len + 4];
  const std::size_t got = read_up_to(read, prefix, magic_len);
  const std::string_view start(prefix, got);
  if (got < magic_len || start.substr(0, 6) != std::string_view(magic_prefix, 6)) {
    if (start.substr(0, 4) == std::string_view("PK\x03\x04", 4) ||
        start.substr(0, 4) == std::string_view("PK\x05\x06", 4)) {
      throw io_error(msg(where, ": this is an .npz archive, not an .npy file (use np::load_npz)"));
    }
    throw io_error(msg(where, ": not an NPY file (it does not begin with \"\\x93NUMPY\")"));
  }
  const int major = static_cast<unsigned char>(prefix[6]);
  const int minor = static_cast<unsigned char>(prefix[7]);
  if (minor != 0 || major < 1 || major > 3) {
    throw io_error(msg(where, ": NPY format version ", major, ".", minor,
                       " is not supported (only 1.0, 2.0 and 3.0)"));
  }
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  if (read_up_to(read, prefix + magic_len, length_bytes) != length_bytes) {
    throw io_error(msg(where, ": the file ends inside the NPY header length"));
  }
  std::uint64_t header_len = 0;
  for (std::size_t i = 0; i < length_bytes; ++i) {
    header_len |= static_cast<std::uint64_t>(static_cast<unsigned char>(prefix[magic_len + i])) << (8 * i);
  }
  const std::uint64_t data_offset = magic_len + length_bytes + header_len;
  if (data_offset > size) {
    throw io_error(msg(where, ": the NPY header length ", header_len, " runs past the end of the data (",
                       size, " bytes in all)"));
  }
  std::string text(static_cast<std::size_t>(header_len), '\0');
  if (read_up_to(read, text.data(), text.size()) != text.size()) {
    throw io_error(msg(where, ": the file ends inside the NPY header"));
  }
  const Header h = parse_header(text, where);

  std::int64_t count = 1;
  for (const auto d : h.shape) {
    if (__builtin_mul_overflow(count, d, &count)) {
      throw io_error(msg(where, ": the shape ", h.shape, " is too large"));
    }
  }
  const DType dtype = h.descr.dtype;
  std::uint64_t needed = 0;
  if (__builtin_mul_overflow(static_cast<std::uint64_t>(count), itemsize(dtype), &needed)) {
    throw io_error(msg(where, ": the shape ", h.shape, " is too large"));
  }
  const std::uint64_t have = size - data_offset;
  if (needed != have) {
    throw io_error(msg(where, ": shape ", h.shape, " of ", dtype, " needs ", needed,
                       " bytes of data, but the file holds ", have));
  }

  // Fortran order is C order of the reversed shape; transposing that gives the array.
  Shape stored = h.shape;
  if (h.fortran_order) std::reverse(stored.begin(), stored.end());
  ndarray a = ndarray::uninitialized(stored, dtype);
  auto* out = static_cast<unsigned char*>(a.raw_data());
  char extra;
  if (read_up_to(read, reinterpret_cast<char*>(out), needed) != needed || read(&extra, 1) != 0) {
    throw io_error(msg(where, ": the data is not as long as its size said (", size, " bytes)"));
  }
  if (h.descr.swap) {
    const std::size_t n = itemsize(dtype);
    for (std::size_t i = 0; i < needed; i += n) std::reverse(out + i, out + i + n);
  }
  if (dtype == DType::bool_) {
    // Any non-zero byte is true; a C++ bool must hold exactly 0 or 1.
    for (std::size_t i = 0; i < needed; ++i) out[i] = out[i] != 0;
  }
  if (h.fortran_order && a.ndim() > 1) a = a.transpose();
  return a;
}

// ===================================== files ================================================

// A file opened for reading, and its size; io_error naming `op` and the path when it cannot
// be read (missing, a folder, no permission) or is empty.
struct InputFile {
  int fd = -1;
  std::uint64_t size = 0;
  InputFile(const fs::path& path, const char* op) {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw io_error(msg(op, ": cannot read ", quoted(path), ": ", std::strerror(errno)));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
      ::close(fd);
      throw io_error(msg(op, ": cannot read ", quoted(path), ": it is a folder"));
    }
    size = static_cast<std::uint64_t>(st.st_size);
    if (size == 0) {
      ::close(fd);
      // (NumPy finds no data in an empty file, though it is no zip archive either.)
      throw io_error(msg(op, ": ", quoted(path), ": the file is empty"));
    }
  }
  ~InputFile() {
    if (fd >= 0) ::close(fd);
  }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
};

// The permission bits a new file gets (0666 less the umask), as open(2) would give it; mkstemp
// makes its file 0600. Linux shows the umask in /proc/self/status; reading it with umask(2)
// means setting it for a moment, which only the fallback does.
mode_t new_file_mode() {
  static const mode_t mode = [] {
    mode_t mask = 0;
    bool found = false;
    if (std::FILE* f = std::fopen("/proc/self/status", "r")) {
      char line[256];
      while (std::fgets(line, sizeof line, f)) {
        unsigned value = 0;
        if (std::sscanf(line, "Umask: %o", &value) == 1) {
          mask = static_cast<mode_t>(value);
          found = true;
          break;
        }
      }
      std::fclose(f);
    }
    if (!found) {
      mask = ::umask(022);
      ::umask(mask);
    }
    return static_cast<mode_t>(0666 & ~mask);
  }();
  return mode;
}

fs::path with_extension(const fs::path& path, const char* ext) {
  const std::string s = path.string();
  const std::string e = ext;
  if (s.size() >= e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0) return path;
  return fs::path(s + e);
}

fs::path savez_impl(const fs::path& path_in, const NpzEntries& arrays, bool compress,
                    const char* op) {
  const fs::path path = with_extension(path_in, ".npz");
  const std::string where = msg(op, ": ", quoted(path));
  std::set<std::string> seen;
  std::vector<std::pair<std::string, std::string>> members;
  members.reserve(arrays.size());
  for (const auto& [key, array] : arrays) {
    if (key.empty()) throw std::invalid_argument(msg(where, ": an array has an empty key"));
    if (!seen.insert(key).second) {
      throw std::invalid_argument(msg(where, ": the key '", key, "' is given twice"));
    }
    if (!array.defined()) {
      throw std::invalid_argument(msg(where, ": the array '", key, "' is None (it has no data)"));
    }
    members.emplace_back(key + ".npy", to_npy(array));
  }
  write_file_atomically(path, zip::archive(members, compress, where), op);
  return path;
}

bool ends_with(const std::string& s, std::string_view tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

// ===================================== public ===============================================

std::string npy_header(const Shape& shape, DType dtype) {
  const std::string dict = header_dict(shape, dtype);
  std::string header = wrap_header(dict, 1);
  // Format 1.0 holds up to 65535 header bytes; NumPy moves to 2.0 beyond (never for 8 axes).
  if (header.size() - 10 > 65535) header = wrap_header(dict, 2);
  return header;
}

std::string to_npy(const ndarray& a) {
  if (!a.defined()) throw std::invalid_argument("to_npy: the array is None");
  // An array on a GPU is saved from a host copy: the same bytes (the host waits here).
  if (a.device() != Device::cpu) return to_npy(to_device(a, Device::cpu));
  std::string out = npy_header(a.shape(), a.dtype());
  out.append(static_cast<const char*>(a.raw_data()), a.nbytes());
  return out;
}

ndarray from_npy(std::string_view bytes, const std::string& where) {
  std::size_t at = 0;
  const ByteSource source = [&](char* out, std::size_t n) {
    const std::size_t k = std::min(n, bytes.size() - at);
    std::memcpy(out, bytes.data() + at, k);
    at += k;
    return k;
  };
  return read_npy(source, bytes.size(), where);
}

void write_file_atomically(const fs::path& path, std::string_view bytes, const char* op) {
  const fs::path folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::string name(1, '.');
  name += path.filename().string();
  name += ".tmp-XXXXXX";
  std::string tmp = (folder / name).string();
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) {
    throw io_error(msg(op, ": cannot write ", quoted(path), ": cannot create a file in ",
                       quoted(folder), ": ", std::strerror(errno)));
  }
  // The error is read before close() can change errno; the temporary file goes.
  auto fail = [&](int err) -> io_error {
    ::close(fd);
    ::unlink(tmp.c_str());
    return io_error(msg(op, ": cannot write ", quoted(path), ": ", std::strerror(err)));
  };
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw fail(errno);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, new_file_mode()) != 0) throw fail(errno);
  if (::fsync(fd) != 0) throw fail(errno);
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw io_error(msg(op, ": cannot write ", quoted(path), ": ", std::strerror(err)));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw io_error(msg(op, ": cannot write ", quoted(path), ": ", std::strerror(err)));
  }
}

fs::path save(const fs::path& path_in, const ndarray& a) {
  const fs::path path = with_extension(path_in, ".npy");
  if (!a.defined()) throw std::invalid_argument(msg("np::save: ", quoted(path), ": the array is None"));
  write_file_atomically(path, to_npy(a), "np::save");
  return path;
}

ndarray load(const fs::path& path) {
  const InputFile file(path, "np::load");
  const std::string where = msg("np::load: ", quoted(path));
  const ByteSource source = [&](char* out, std::size_t n) -> std::size_t {
    for (;;) {
      const ssize_t got = ::read(file.fd, out, n);
      if (got >= 0) return static_cast<std::size_t>(got);
      if (errno != EINTR) throw io_error(msg(where, ": cannot read: ", std::strerror(errno)));
    }
  };
  return read_npy(source, file.size, where);
}

fs::path savez(const fs::path& path, const NpzEntries& arrays) {
  return savez_impl(path, arrays, false, "np::savez");
}

fs::path savez_compressed(const fs::path& path, const NpzEntries& arrays) {
  return savez_impl(path, arrays, true, "np::savez_compressed");
}

std::map<std::string, ndarray> load_npz(const fs::path& path) {
  const std::string where = msg("np::load_npz: ", quoted(path));
  InputFile input(path, "np::load_npz");
  char magic[6] = {};
  if (::pread(input.fd, magic, sizeof magic, 0) == sizeof magic &&
      std::string_view(magic, 6) == std::string_view(magic_prefix, 6)) {
    throw io_error(msg(where, ": this is an .npy file, not an .npz archive (use np::load)"));
  }
  // pread: the members are read one after another, each from where the directory says.
  const zip::ReadAt read_at = [&](char* out, std::size_t n, std::uint64_t offset) -> std::size_t {
    std::size_t done = 0;
    while (done < n) {
      const ssize_t got = ::pread(input.fd, out + done, n - done, static_cast<off_t>(offset + done));
      if (got == 0) break;
      if (got < 0) {
        if (errno == EINTR) continue;
        throw io_error(msg(where, ": cannot read: ", std::strerror(errno)));
      }
      done += static_cast<std::size_t>(got);
    }
    return done;
  };
  const zip::Reader archive(read_at, input.size, where);

  std::map<std::string, ndarray> out;
  for (const zip::Member& m : archive.members()) {
    if (ends_with(m.name, "/")) continue;  // a folder entry
    const std::string member = msg(where, ", member '", m.name, "'");
    zip::Reader::Stream stream(archive, m, member);
    const ByteSource source = [&](char* buffer, std::size_t n) { return stream.read(buffer, n); };
    // As NumPy's NpzFile: "x.npy" is the array "x"; other members must still be NPY data.
    const std::string key = ends_with(m.name, ".npy") ? m.name.substr(0, m.name.size() - 4) : m.name;
    ndarray a = read_npy(source, m.size, member);
    stream.finish();  // the CRC and the length
    if (!out.emplace(key, std::move(a)).second) {
      throw io_error(msg(where, ": the key '", key, "' appears twice"));
    }
  }
  return out;
}

}  // namespace np
