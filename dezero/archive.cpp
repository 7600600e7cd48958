#include "dezero/archive.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "dezero/datasets.hpp"
#include "np/np.hpp"

namespace dezero::archive {

namespace fs = std::filesystem;
using datasets::DataError;
using np::detail::msg;

// ===================================== gzip =================================================

GzipReader::GzipReader(const fs::path& path) : path_(path), in_(path, std::ios::binary) {
  if (!in_) throw DataError("cannot open " + path_.string() + ": " + std::strerror(errno));
  unsigned char magic[2] = {0, 0};
  in_.read(reinterpret_cast<char*>(magic), 2);
  if (in_.gcount() < 2 || magic[0] != 0x1f || magic[1] != 0x8b) {
    throw DataError(path_.string() + " is not a gzip file (it does not start with 1f 8b)");
  }
  in_.seekg(0);
  if (inflateInit2(&zs_, 16 + MAX_WBITS) != Z_OK) {
    throw DataError("zlib could not start to read " + path_.string());
  }
}

GzipReader::~GzipReader() { inflateEnd(&zs_); }

std::size_t GzipReader::read(void* out, std::size_t size) {
  zs_.next_out = static_cast<Bytef*>(out);
  std::size_t done = 0;
  while (done < size && !finished_) {
    const std::size_t chunk = std::min<std::size_t>(size - done, 1u << 30);
    zs_.avail_out = static_cast<uInt>(chunk);
    if (zs_.avail_in == 0) refill();
    const uInt before = zs_.avail_out;
    const int rc = inflate(&zs_, Z_NO_FLUSH);
    done += before - zs_.avail_out;
    if (rc == Z_STREAM_END) {
      // another gzip member may follow
      if (zs_.avail_in == 0) refill();
      if (zs_.avail_in == 0) {
        finished_ = true;
      } else if (inflateReset(&zs_) != Z_OK) {
        throw DataError("zlib failed while reading " + path_.string());
      }
    } else if (rc == Z_BUF_ERROR && zs_.avail_in == 0 && eof_) {
      throw DataError(path_.string() + " is truncated: its gzip data ends early");
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      throw DataError(path_.string() + " is corrupt: " + (zs_.msg ? zs_.msg : "bad gzip data"));
    }
  }
  return done;
}

void GzipReader::refill() {
  if (eof_) return;
  in_.read(reinterpret_cast<char*>(buffer_.data()), static_cast<std::streamsize>(buffer_.size()));
  const auto n = in_.gcount();
  if (in_.bad()) throw DataError("error reading " + path_.string() + ": " + std::strerror(errno));
  if (n < static_cast<std::streamsize>(buffer_.size())) eof_ = true;
  zs_.next_in = buffer_.data();
  zs_.avail_in = static_cast<uInt>(n);
}

// ===================================== tar ==================================================

namespace {

constexpr std::size_t block = 512;
using Header = std::array<unsigned char, block>;

// A NUL-terminated (or full-width) text field of a header.
std::string text_field(const Header& h, std::size_t offset, std::size_t width) {
  const auto* p = reinterpret_cast<const char*>(h.data() + offset);
  return std::string(p, strnlen(p, width));
}

// An octal number field (spaces and NULs around it), or GNU's base-256 form for large sizes.
std::uint64_t number_field(const Header& h, std::size_t offset, std::size_t width,
                           const std::string& where) {
  if (h[offset] & 0x80) {
    std::uint64_t v = 0;
    for (std::size_t i = 1; i < width; ++i) v = v << 8 | h[offset + i];
    return v;
  }
  std::uint64_t v = 0;
  bool digits = false;
  for (std::size_t i = 0; i < width; ++i) {
    const unsigned char c = h[offset + i];
    if (c >= '0' && c <= '7') {
      v = v * 8 + (c - '0');
      digits = true;
    } else if (c == ' ' || c == 0) {
      if (digits) break;
    } else {
      throw DataError(where + ": a tar header holds a number field that is not octal");
    }
  }
  return v;
}

}  // namespace

void read_tar_gz(const fs::path& path, const std::function<void(TarMember&)>& visit) {
  GzipReader in(path);
  const std::string name = path.string();
  // A member must fit in what the file can hold (deflate packs at most 1032 bytes into one),
  // so a damaged size field is an error before anything is allocated for it.
  std::error_code ec;
  const std::uintmax_t file_size = fs::file_size(path, ec);
  if (ec) throw DataError(msg(name, ": cannot tell its size: ", ec.message()));
  const std::uint64_t most = 1032 * static_cast<std::uint64_t>(file_size) + 1024;
  std::string long_name;  // from a GNU 'L' entry, for the next member
  for (std::uint64_t offset = 0;; offset += block) {
    Header h;
    const std::size_t got = in.read(h.data(), block);
    if (got == 0) return;  // no end-of-archive blocks: tolerated, as Python's tarfile does
    if (got < block) throw DataError(msg(name, " is truncated: a tar header at byte ", offset, " ends early"));
    if (std::all_of(h.begin(), h.end(), [](unsigned char c) { return c == 0; })) return;

    // The checksum: the header's bytes summed with its own field counted as spaces.
    const std::uint64_t stored = number_field(h, 148, 8, name);
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < block; ++i) sum += (i >= 148 && i < 156) ? ' ' : h[i];
    if (sum != stored) {
      throw DataError(msg(name, " is corrupt or not a tar archive: the header at byte ", offset,
                          " has checksum ", stored, " but its bytes sum to ", sum));
    }
    const std::uint64_t size = number_field(h, 124, 12, name);
    if (size > most) {
      throw DataError(msg(name, ": the tar header at byte ", offset, " announces a member of ", size,
                          " bytes, more than the archive can hold"));
    }
    const char type = static_cast<char>(h[156]);
    std::string member = text_field(h, 0, 100);
    if (text_field(h, 257, 5) == "ustar") {
      const std::string prefix = text_field(h, 345, 155);
      if (!prefix.empty()) member = prefix + "/" + member;
    }
    if (!long_name.empty()) {
      member = long_name;
      long_name.clear();
    }

    std::uint64_t left = size;
    auto read_exactly = [&](void* out, std::size_t n) {
      if (n > left) {
        throw DataError(msg(name, ": reading ", n, " bytes from member ", member, " with only ",
                            left, " left"));
      }
      if (in.read(out, n) < n) {
        throw DataError(msg(name, " is truncated: member ", member, " (", size,
                            " bytes) ends early"));
      }
      left -= n;
    };
    if (type == 'L') {  // GNU: the next member's long name is this entry's data
      // A name, not a payload: a damaged size must not allocate what the archive could hold.
      if (size > 65536) {
        throw DataError(msg(name, ": the GNU long-name entry at byte ", offset, " announces ",
                            size, " bytes; a name is at most 65536"));
      }
      std::string text(size, '\0');
      read_exactly(text.data(), text.size());
      long_name = text.substr(0, strnlen(text.c_str(), text.size()));
    } else if (type == '0' || type == '\0' || type == '7') {
      TarMember m{member, size, read_exactly};
      visit(m);
    }
    // what is left of the member, and the padding up to the next block
    const std::uint64_t padded = (size + block - 1) / block * block;
    std::uint64_t skip = left + (padded - size);
    char sink[block * 8];
    while (skip > 0) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(skip, sizeof sink));
      if (in.read(sink, n) < n) {
        throw DataError(msg(name, " is truncated: member ", member, " (", size,
                            " bytes) ends early"));
      }
      skip -= n;
    }
    offset += padded;
  }
}

}  // namespace dezero::archive
