// The zip container of .npz files (see zip.hpp), after PKWARE's APPNOTE.TXT: local headers
// with the data, a central directory, an end record, and the ZIP64 extras and end records
// where a size or an offset does not fit 32 bits. Deflate and CRC-32 are zlib's.
#include "np/zip.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "np/errors.hpp"
#include "np/io.hpp"

namespace np::zip {

using detail::msg;

namespace {

constexpr std::uint32_t local_signature = 0x04034b50;      // "PK\3\4"
constexpr std::uint32_t central_signature = 0x02014b50;    // "PK\1\2"
constexpr std::uint32_t end_signature = 0x06054b50;        // "PK\5\6"
constexpr std::uint32_t end64_signature = 0x06064b50;      // "PK\6\6"
constexpr std::uint32_t locator64_signature = 0x07064b50;  // "PK\6\7"
constexpr std::uint16_t zip64_extra_id = 0x0001;
constexpr std::uint32_t marker32 = 0xffffffffu;  // "the value is in the ZIP64 extra"
constexpr std::uint16_t marker16 = 0xffff;
constexpr std::size_t local_size = 30, central_size = 46, end_size = 22, end64_size = 56,
                      locator64_size = 20;
constexpr std::uint16_t flag_encrypted = 1, flag_utf8 = 1 << 11;
constexpr std::uint16_t dos_date_1980 = (0 << 9) | (1 << 5) | 1;  // 1980-01-01; time 00:00
// Deflate shrinks at most about 1032 to 1: a member claiming more is damaged (and must not
// make us allocate its claimed size).
constexpr std::uint64_t max_deflate_ratio = 1032;

void put16(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 2; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
void put32(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
void put64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
std::uint64_t get(const char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(p[i]);
  return v;
}
std::uint16_t get16(const char* p) { return static_cast<std::uint16_t>(get(p, 2)); }
std::uint32_t get32(const char* p) { return static_cast<std::uint32_t>(get(p, 4)); }
std::uint64_t get64(const char* p) { return get(p, 8); }

std::uint32_t crc32_of(std::uint32_t crc, const char* data, std::size_t n) {
  return static_cast<std::uint32_t>(
      ::crc32_z(crc, reinterpret_cast<const Bytef*>(data), static_cast<z_size_t>(n)));
}

// Raw deflate (no zlib or gzip wrapper, as zip wants it) at zlib's default level 6.
std::string deflate_raw(const std::string& in, const std::string& where) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw io_error(msg(where, ": zlib cannot start deflate"));
  }
  std::string out(deflateBound(&z, static_cast<uLong>(std::min<std::size_t>(in.size(), 1u << 30))), '\0');
  std::size_t in_at = 0;
  int status = Z_OK;
  constexpr std::size_t chunk = 1u << 30;  // zlib counts in 32 bits
  while (status != Z_STREAM_END) {
    if (z.avail_in == 0 && in_at < in.size()) {
      const std::size_t n = std::min(chunk, in.size() - in_at);
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + in_at));
      z.avail_in = static_cast<uInt>(n);
      in_at += n;
    }
    if (z.total_out + (1u << 16) > out.size()) out.resize(out.size() * 2 + (1u << 16));
    const std::size_t room = std::min<std::size_t>(out.size() - z.total_out, chunk);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + z.total_out);
    z.avail_out = static_cast<uInt>(room);
    status = deflate(&z, in_at == in.size() ? Z_FINISH : Z_NO_FLUSH);
    if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR) {
      deflateEnd(&z);
      throw io_error(msg(where, ": zlib's deflate failed (", status, ")"));
    }
  }
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

bool is_ascii(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

}  // namespace

// ===================================== writing ==============================================

namespace {
struct Entry {
  const std::string* name;
  std::uint16_t flags, method, version;
  std::uint32_t crc;
  std::uint64_t compressed, size, offset;
};

// The fields a local header and a directory entry share, from "version needed to extract" to
// the length of the extra field; 0xffffffff for a size that is in the ZIP64 extra.
void put_shared_fields(std::string& out, const Entry& e, std::uint64_t compressed,
                       std::uint64_t size, std::size_t extra_size) {
  put16(out, e.version);
  put16(out, e.flags);
  put16(out, e.method);
  put16(out, 0);  // 00:00
  put16(out, dos_date_1980);
  put32(out, e.crc);
  put32(out, compressed);
  put32(out, size);
  put16(out, e.name->size());
  put16(out, extra_size);
}
}  // namespace

std::string archive(const std::vector<std::pair<std::string, std::string>>& members,
                    bool compress, const std::string& where, std::uint64_t limit) {
  std::vector<Entry> entries;
  std::string out;
  for (const auto& [name, bytes] : members) {
    if (name.size() > 0xffff) throw io_error(msg(where, ": the member name '", name, "' is too long"));
    const std::string packed = compress ? deflate_raw(bytes, where) : std::string();
    const std::string& data = compress ? packed : bytes;
    Entry e{&name, static_cast<std::uint16_t>(is_ascii(name) ? 0 : flag_utf8),
            static_cast<std::uint16_t>(compress ? 8 : 0), 20,
            crc32_of(0, bytes.data(), bytes.size()), data.size(), bytes.size(), out.size()};
    const bool big = e.size >= limit || e.compressed >= limit;
    if (big || e.offset >= limit) e.version = 45;  // ZIP64
    put32(out, local_signature);
    put_shared_fields(out, e, big ? marker32 : e.compressed, big ? marker32 : e.size, big ? 20 : 0);
    out += name;
    if (big) {  // the local ZIP64 extra holds both sizes
      put16(out, zip64_extra_id);
      put16(out, 16);
      put64(out, e.size);
      put64(out, e.compressed);
    }
    out += data;
    entries.push_back(e);
  }

  const std::uint64_t directory = out.size();
  for (const Entry& e : entries) {
    std::string extra;
    const auto field = [&](std::uint64_t v) -> std::uint64_t {
      if (v < limit) return v;
      put64(extra, v);
      return marker32;
    };
    const std::uint64_t size = field(e.size), compressed = field(e.compressed),
                        offset = field(e.offset);
    put32(out, central_signature);
    put16(out, 3u << 8 | e.version);  // made by Unix
    put_shared_fields(out, e, compressed, size, extra.empty() ? 0 : extra.size() + 4);
    put16(out, 0);               // comment
    put16(out, 0);               // disk
    put16(out, 0);               // internal attributes
    put32(out, 0600u << 16);     // rw------- (Unix mode in the high half)
    put32(out, offset);
    out += *e.name;
    if (!extra.empty()) {
      put16(out, zip64_extra_id);
      put16(out, extra.size());
      out += extra;
    }
  }
  const std::uint64_t directory_size = out.size() - directory;
  const std::uint64_t count = entries.size();
  if (count >= marker16 || directory >= limit || directory_size >= limit) {
    const std::uint64_t end64 = out.size();
    put32(out, end64_signature);
    put64(out, end64_size - 12);  // the record's size after this field
    put16(out, 3u << 8 | 45);
    put16(out, 45);
    put32(out, 0);
    put32(out, 0);
    put64(out, count);
    put64(out, count);
    put64(out, directory_size);
    put64(out, directory);
    put32(out, locator64_signature);
    put32(out, 0);
    put64(out, end64);
    put32(out, 1);
  }
  put32(out, end_signature);
  put16(out, 0);
  put16(out, 0);
  put16(out, std::min<std::uint64_t>(count, marker16));
  put16(out, std::min<std::uint64_t>(count, marker16));
  put32(out, directory_size >= limit ? marker32 : directory_size);
  put32(out, directory >= limit ? marker32 : directory);
  put16(out, 0);
  return out;
}

// ===================================== reading ==============================================

Reader::Reader(ReadAt read_at, std::uint64_t file_size, std::string where)
    : read_at_(std::move(read_at)), file_size_(file_size), where_(std::move(where)) {
  const std::string bad = msg(where_, ": not a readable zip archive: ");
  const auto read_exactly = [&](std::uint64_t offset, std::uint64_t n, const char* what) {
    if (offset > file_size_ || n > file_size_ - offset) {
      throw io_error(msg(bad, "the ", what, " lies past the end of the file"));
    }
    std::string bytes(n, '\0');
    if (read_at_(bytes.data(), n, offset) != n) {
      throw io_error(msg(bad, "the file ends inside the ", what));
    }
    return bytes;
  };

  // The end record: the last "PK\5\6" whose comment reaches exactly to the end of the file.
  const std::uint64_t tail_size = std::min<std::uint64_t>(file_size_, end_size + 0xffff);
  const std::string tail = read_exactly(file_size_ - tail_size, tail_size, "end record");
  std::uint64_t end_at = 0;
  bool found = false;
  for (std::size_t i = tail.size() >= end_size ? tail.size() - end_size + 1 : 0; i-- > 0;) {
    if (get32(&tail[i]) == end_signature && i + end_size + get16(&tail[i + 20]) == tail.size()) {
      end_at = file_size_ - tail_size + i;
      found = true;
      break;
    }
  }
  if (!found) throw io_error(msg(bad, "no end of central directory record"));
  const char* end = tail.data() + (end_at - (file_size_ - tail_size));
  if (get16(end + 4) != 0 || get16(end + 6) != 0) {
    throw io_error(msg(bad, "archives split over several disks are not supported"));
  }
  std::uint64_t count = get16(end + 10);
  std::uint64_t directory_size = get32(end + 12);
  directory_offset_ = get32(end + 16);
  std::uint64_t directory_end = end_at;
  if (end_at >= locator64_size) {
    const std::string locator = read_exactly(end_at - locator64_size, locator64_size, "ZIP64 locator");
    if (get32(locator.data()) == locator64_signature) {
      const std::uint64_t end64_at = get64(locator.data() + 8);
      const std::string end64 = read_exactly(end64_at, end64_size, "ZIP64 end record");
      if (get32(end64.data()) != end64_signature) {
        throw io_error(msg(bad, "the ZIP64 end record is missing"));
      }
      count = get64(end64.data() + 32);
      directory_size = get64(end64.data() + 40);
      directory_offset_ = get64(end64.data() + 48);
      directory_end = end64_at;
    }
  }
  if (directory_offset_ > directory_end || directory_size != directory_end - directory_offset_) {
    throw io_error(msg(bad, "the central directory (", directory_size, " bytes at ",
                       directory_offset_, ") does not end where the end record begins"));
  }
  // At least 46 bytes an entry: a count the directory cannot hold is damage.
  if (count > directory_size / central_size) {
    throw io_error(msg(bad, "the central directory cannot hold ", count, " members"));
  }
  const std::string dir = read_exactly(directory_offset_, directory_size, "central directory");

  std::size_t at = 0;
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::string entry = msg(bad, "central directory entry ", i);
    if (dir.size() - at < central_size || get32(&dir[at]) != central_signature) {
      throw io_error(msg(entry, " is damaged"));
    }
    const char* p = &dir[at];
    Member m;
    m.flags = get16(p + 8);
    m.method = get16(p + 10);
    m.crc = get32(p + 16);
    m.compressed_size = get32(p + 20);
    m.size = get32(p + 24);
    const std::size_t name_len = get16(p + 28), extra_len = get16(p + 30),
                      comment_len = get16(p + 32);
    const std::uint16_t disk = get16(p + 34);
    m.header_offset = get32(p + 42);
    if (dir.size() - at - central_size < name_len + extra_len + comment_len) {
      throw io_error(msg(entry, " runs past the directory's end"));
    }
    m.name.assign(p + central_size, name_len);
    // The ZIP64 extra holds, in this order, the fields that are 0xffffffff above.
    const char* extra = p + central_size + name_len;
    for (std::size_t e = 0; e + 4 <= extra_len;) {
      const std::uint16_t id = get16(extra + e), len = get16(extra + e + 2);
      if (e + 4 + len > extra_len) throw io_error(msg(entry, ": an extra field runs past its end"));
      if (id == zip64_extra_id) {
        const char* q = extra + e + 4;
        std::size_t left = len;
        for (std::uint64_t* field : {&m.size, &m.compressed_size, &m.header_offset}) {
          if (*field != marker32) continue;
          if (left < 8) throw io_error(msg(entry, ": the ZIP64 extra field is too short"));
          *field = get64(q);
          q += 8;
          left -= 8;
        }
      }
      e += 4 + len;
    }
    if (disk != 0 && disk != marker16) {
      throw io_error(msg(entry, " lies on another disk"));
    }
    if (m.header_offset >= directory_offset_) {
      throw io_error(msg(entry, ": its local header lies past the members' data"));
    }
    members_.push_back(std::move(m));
    at += central_size + name_len + extra_len + comment_len;
  }
  if (at != dir.size()) throw io_error(msg(bad, "the central directory holds more than ", count, " members"));
}

struct Reader::Stream::Inflater {
  z_stream z{};
  std::string input = std::string(1u << 16, '\0');
  bool ended = false;
  Inflater() = default;
  ~Inflater() { inflateEnd(&z); }
};

Reader::Stream::Stream(const Reader& reader, const Member& member, std::string where)
    : reader_(reader), member_(member), where_(std::move(where)) {
  const std::string corrupt = msg(where_, ": the archive is corrupt: ");
  if (member.flags & flag_encrypted) throw io_error(msg(where_, ": encrypted members are not supported"));
  if (member.method != 0 && member.method != 8) {
    throw io_error(msg(where_, ": compression method ", member.method,
                       " is not supported (only stored and deflated)"));
  }
  char local[local_size];
  if (member.header_offset + local_size > reader_.file_size_ ||
      reader_.read_at_(local, local_size, member.header_offset) != local_size ||
      get32(local) != local_signature) {
    throw io_error(msg(corrupt, "no local header at offset ", member.header_offset));
  }
  const std::uint64_t name_len = get16(local + 26), extra_len = get16(local + 28);
  std::string name(name_len, '\0');
  if (reader_.read_at_(name.data(), name_len, member.header_offset + local_size) != name_len ||
      name != member.name || get16(local + 8) != member.method) {
    throw io_error(msg(corrupt, "the local header does not match the central directory"));
  }
  // Without a data descriptor (bit 3) the local header repeats the CRC and the sizes.
  const std::uint32_t local_csize = get32(local + 18), local_size_ = get32(local + 22);
  if (!(get16(local + 6) & 8) &&
      (get32(local + 14) != member.crc ||
       (local_csize != marker32 && local_csize != member.compressed_size) ||
       (local_size_ != marker32 && local_size_ != member.size))) {
    throw io_error(msg(corrupt, "the local header does not match the central directory"));
  }
  data_offset_ = member.header_offset + local_size + name_len + extra_len;
  if (data_offset_ > reader_.directory_offset_ ||
      member.compressed_size > reader_.directory_offset_ - data_offset_) {
    throw io_error(msg(corrupt, "its ", member.compressed_size, " bytes run past the members' data"));
  }
  if (member.method == 0 && member.compressed_size != member.size) {
    throw io_error(msg(corrupt, "a stored member of ", member.size, " bytes takes ",
                       member.compressed_size, " in the archive"));
  }
  if (member.method == 8) {
    if (member.size / max_deflate_ratio > member.compressed_size + 1) {
      throw io_error(msg(corrupt, member.compressed_size, " compressed bytes cannot hold ",
                         member.size, " bytes"));
    }
    inflater_ = new Inflater;
    if (inflateInit2(&inflater_->z, -15) != Z_OK) {
      delete inflater_;
      throw io_error(msg(where_, ": zlib cannot start inflate"));
    }
  }
}

Reader::Stream::~Stream() { delete inflater_; }

void Reader::Stream::refill() {
  z_stream& z = inflater_->z;
  if (z.avail_in > 0 || consumed_ == member_.compressed_size) return;
  const std::size_t k = static_cast<std::size_t>(
      std::min<std::uint64_t>(inflater_->input.size(), member_.compressed_size - consumed_));
  if (reader_.read_at_(inflater_->input.data(), k, data_offset_ + consumed_) != k) {
    throw io_error(msg(where_, ": the archive is corrupt: the file ends inside the member"));
  }
  consumed_ += k;
  z.next_in = reinterpret_cast<Bytef*>(inflater_->input.data());
  z.avail_in = static_cast<uInt>(k);
}

std::size_t Reader::Stream::read(char* out, std::size_t n) {
  const std::string corrupt = msg(where_, ": the archive is corrupt: ");
  n = static_cast<std::size_t>(std::min<std::uint64_t>(n, member_.size - produced_));
  n = std::min<std::size_t>(n, std::numeric_limits<uInt>::max());
  if (n == 0) return 0;
  std::size_t got = 0;
  if (!inflater_) {
    got = reader_.read_at_(out, n, data_offset_ + produced_);
    if (got != n) throw io_error(msg(corrupt, "the file ends inside the member"));
    consumed_ += got;
  } else {
    z_stream& z = inflater_->z;
    z.next_out = reinterpret_cast<Bytef*>(out);
    z.avail_out = static_cast<uInt>(n);
    while (z.avail_out > 0 && !inflater_->ended) {
      refill();
      const int status = inflate(&z, Z_NO_FLUSH);
      if (status == Z_STREAM_END) {
        inflater_->ended = true;
      } else if (status == Z_BUF_ERROR && z.avail_in == 0 && consumed_ == member_.compressed_size) {
        throw io_error(msg(corrupt, "the compressed data ends early"));
      } else if (status != Z_OK) {
        throw io_error(msg(corrupt, z.msg ? z.msg : "inflate failed"));
      }
    }
    got = n - z.avail_out;
  }
  crc_ = crc32_of(crc_, out, got);
  produced_ += got;
  return got;
}

void Reader::Stream::finish() {
  const std::string corrupt = msg(where_, ": the archive is corrupt: ");
  char scratch[4096];
  while (read(scratch, sizeof scratch) > 0) {
  }
  if (inflater_ && !inflater_->ended) {
    // All the bytes the directory promises are out; the stream must end here.
    z_stream& z = inflater_->z;
    z.next_out = reinterpret_cast<Bytef*>(scratch);
    z.avail_out = 1;
    for (;;) {
      refill();
      const int status = inflate(&z, Z_NO_FLUSH);
      if (status == Z_STREAM_END && z.avail_out == 1) break;
      if (z.avail_out == 0) {
        throw io_error(msg(corrupt, "the member holds more than the ", member_.size,
                           " bytes its entry says"));
      }
      if (status != Z_OK) throw io_error(msg(corrupt, "the compressed data ends early"));
    }
    inflater_->ended = true;
  }
  if (produced_ != member_.size) {
    throw io_error(msg(corrupt, "the member holds ", produced_, " bytes, its entry says ", member_.size));
  }
  if (crc_ != member_.crc) {
    throw io_error(msg(corrupt, "CRC error (the member's data is damaged)"));
  }
}

}  // namespace np::zip
