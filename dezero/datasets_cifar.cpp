// CIFAR-10 and CIFAR-100 from their official binary archives, and the data cache's .npz
// copies of decoded data sets (the book's load_cache_npz / save_cache_npz).
#include <cstring>
#include <iostream>
#include <set>

#include "dezero/archive.hpp"
#include "dezero/datasets.hpp"
#include "dezero/download.hpp"
#include "dezero/utils.hpp"

namespace dezero::datasets {

namespace fs = std::filesystem;
using np::detail::msg;

// ===================================== the data cache's .npz copies =========================

namespace {

fs::path cache_npz_path(const std::string& name, bool train) {
  return utils::cache_dir() / (name.substr(name.rfind('/') + 1) + (train ? ".train.npz" : ".test.npz"));
}

}  // namespace

Example load_cache_npz(const std::string& name, bool train) {
  const fs::path path = cache_npz_path(name, train);
  if (!fs::exists(path)) return {};
  std::map<std::string, np::ndarray> loaded;
  try {
    loaded = np::load_npz(path);
  } catch (const np::io_error& e) {
    throw DataError(msg("load_cache_npz: ", path.string(), " cannot be read (", e.what(),
                        "); delete it to decode the data again"));
  }
  const auto data = loaded.find("data"), label = loaded.find("label");
  if (data == loaded.end() || label == loaded.end()) {
    throw DataError("load_cache_npz: " + path.string() +
                    " lacks the array 'data' or 'label'; delete it to decode the data again");
  }
  return {data->second, label->second};
}

fs::path save_cache_npz(const np::ndarray& data, const np::ndarray& label, const std::string& name,
                        bool train) {
  const fs::path path = cache_npz_path(name, train);
  if (fs::exists(path)) return path;
  std::cerr << "Saving: " << path.filename().string() << std::flush;
  fs::create_directories(path.parent_path());
  np::savez_compressed(path, {{"data", data}, {"label", label}});  // atomic: all or nothing
  std::cerr << " Done\n";
  return path;
}

// ===================================== CIFAR ================================================

namespace {

constexpr std::int64_t pixels = 3 * 32 * 32;

// One archive and what to take from it: the members (by name) of a split and how many label
// bytes lead each record.
struct Source {
  const char* dataset;
  const std::string& url;
  const std::string& md5;
  std::uint64_t size;
  std::vector<std::string> members;
  int label_bytes;
  int label_byte;  // which of them to keep
};

// The archive in the data cache (downloaded when missing), checked against its size: a file
// put there by hand or cut short by a full disk is refused before anything is decoded.
fs::path archive_file(const Source& src) {
  const fs::path path = utils::get_file(src.url, {}, src.md5);
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec || size != src.size) {
    throw DataError(msg(src.dataset, ": ", path.string(), " has ", ec ? 0 : size,
                        " bytes, but the official archive has ", src.size,
                        "; delete it to download it again (from ", src.url, ")"));
  }
  return path;
}

// Images (N, 3, 32, 32) uint8 and labels (N,) int64 of the members, in the order listed.
Example decode(const Source& src, const fs::path& path) {
  const std::int64_t record = src.label_bytes + pixels;
  std::map<std::string, std::vector<char>> found;
  const std::set<std::string> wanted(src.members.begin(), src.members.end());
  archive::read_tar_gz(path, [&](archive::TarMember& m) {
    if (!wanted.count(m.name)) return;
    if (m.size == 0 || m.size % static_cast<std::uint64_t>(record) != 0) {
      throw DataError(msg(src.dataset, ": ", path.string(), " member ", m.name, " has ", m.size,
                          " bytes, not a whole number of ", record, "-byte records"));
    }
    // The largest official member holds 50 000 records (CIFAR-100's train.bin): a damaged
    // size field must not allocate what a gzip stream could in theory unpack to.
    if (m.size > 50000 * static_cast<std::uint64_t>(record)) {
      throw DataError(msg(src.dataset, ": ", path.string(), " member ", m.name, " has ", m.size,
                          " bytes, more than 50000 records"));
    }
    std::vector<char> bytes(m.size);
    m.read(bytes.data(), bytes.size());
    found[m.name] = std::move(bytes);
  });
  std::int64_t n = 0;
  for (const auto& name : src.members) {
    const auto it = found.find(name);
    if (it == found.end()) {
      throw DataError(msg(src.dataset, ": ", path.string(), " has no member ", name,
                          " (is it the binary version of the archive?)"));
    }
    n += static_cast<std::int64_t>(it->second.size()) / record;
  }
  np::ndarray data = np::ndarray::uninitialized({n, 3, 32, 32}, np::uint8);
  np::ndarray label = np::ndarray::uninitialized({n}, np::int64);
  auto* px = data.data<std::uint8_t>();
  auto* pt = label.data<std::int64_t>();
  std::int64_t i = 0;
  for (const auto& name : src.members) {
    const std::vector<char>& bytes = found[name];
    for (std::size_t at = 0; at < bytes.size(); at += static_cast<std::size_t>(record), ++i) {
      pt[i] = static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(src.label_byte)]);
      std::memcpy(px + i * pixels, bytes.data() + at + src.label_bytes, pixels);
    }
    found.erase(name);  // the memory goes as soon as it is copied
  }
  return {data, label};
}

// The split from the cache's .npz copy, else decoded from the archive and then cached.
void load(const Source& src, const std::string& cache_name, bool train, np::ndarray& data,
          np::ndarray& label, std::int64_t classes) {
  Example cached = load_cache_npz(cache_name, train);
  const std::string where = cache_npz_path(cache_name, train).string();
  if (!cached.x.defined()) {
    cached = decode(src, archive_file(src));
    save_cache_npz(cached.x, cached.t, cache_name, train);
  } else if (cached.x.ndim() != 4 || cached.x.shape()[1] != 3 || cached.x.shape()[2] != 32 ||
             cached.x.shape()[3] != 32 || cached.t.ndim() != 1 || cached.t.len() != cached.x.len()) {
    throw DataError(msg(src.dataset, ": ", where, " holds data ", cached.x.shape(), " and labels ",
                        cached.t.shape(), ", not (N, 3, 32, 32) and (N,); delete it to decode ",
                        "the archive again"));
  }
  const auto labels = cached.t.astype(np::int64).to_vector<std::int64_t>();
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= classes) {
      throw DataError(msg(src.dataset, ": label ", labels[i], " of sample ", i, " is not a class 0-",
                          classes - 1, " (from ", where, ")"));
    }
  }
  data = cached.x;
  label = cached.t;
}

std::map<int, std::string> numbered(const std::vector<std::string>& names) {
  std::map<int, std::string> out;
  for (std::size_t i = 0; i < names.size(); ++i) out[static_cast<int>(i)] = names[i];
  return out;
}

}  // namespace

Transform CIFAR10::default_transform() {
  return transforms::Compose({transforms::ToFloat(), transforms::Normalize(0.5, 0.5)});
}

std::map<int, std::string> CIFAR10::labels() {
  return numbered({"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
                   "truck"});
}

CIFAR10::CIFAR10(bool train, Transform transform, Transform target_transform)
    : Dataset(train, std::move(transform), std::move(target_transform)) {
  const std::string dir = "cifar-10-batches-bin/";
  std::vector<std::string> members;
  if (train) {
    for (int i = 1; i <= 5; ++i) members.push_back(dir + "data_batch_" + std::to_string(i) + ".bin");
  } else {
    members.push_back(dir + "test_batch.bin");
  }
  const Source src{"CIFAR10", url, md5, archive_size, members, 1, 0};
  load(src, url, train, data_, label_, 10);
  check_arrays("CIFAR10");
}

std::map<int, std::string> CIFAR100::labels(const std::string& label_type) {
  if (label_type == "coarse") {
    return numbered({"aquatic mammals", "fish", "flowers", "food containers", "fruit and vegetables",
                     "household electrical device", "household furniture", "insects",
                     "large carnivores", "large man-made outdoor things",
                     "large natural outdoor scenes", "large omnivores and herbivores",
                     "medium-sized mammals", "non-insect invertebrates", "people", "reptiles",
                     "small mammals", "trees", "vehicles 1", "vehicles 2"});
  }
  if (label_type != "fine") {
    throw std::invalid_argument("CIFAR100: label_type is 'fine' or 'coarse', not '" + label_type + "'");
  }
  return numbered(
      {"apple",      "aquarium_fish", "baby",        "bear",         "beaver",    "bed",
       "bee",        "beetle",        "bicycle",     "bottle",       "bowl",      "boy",
       "bridge",     "bus",           "butterfly",   "camel",        "can",       "castle",
       "caterpillar", "cattle",       "chair",       "chimpanzee",   "clock",     "cloud",
       "cockroach",  "couch",         "crab",        "crocodile",    "cup",       "dinosaur",
       "dolphin",    "elephant",      "flatfish",    "forest",       "fox",       "girl",
       "hamster",    "house",         "kangaroo",    "keyboard",     "lamp",      "lawn_mower",
       "leopard",    "lion",          "lizard",      "lobster",      "man",       "maple_tree",
       "motorcycle", "mountain",      "mouse",       "mushroom",     "oak_tree",  "orange",
       "orchid",     "otter",         "palm_tree",   "pear",         "pickup_truck", "pine_tree",
       "plain",      "plate",         "poppy",       "porcupine",    "possum",    "rabbit",
       "raccoon",    "ray",           "road",        "rocket",       "rose",      "sea",
       "seal",       "shark",         "shrew",       "skunk",        "skyscraper", "snail",
       "snake",      "spider",        "squirrel",    "streetcar",    "sunflower", "sweet_pepper",
       "table",      "tank",          "telephone",   "television",   "tiger",     "tractor",
       "train",      "trout",         "tulip",       "turtle",       "wardrobe",  "whale",
       "willow_tree", "wolf",         "woman",       "worm"});
}

CIFAR100::CIFAR100(bool train, Transform transform, Transform target_transform,
                   const std::string& label_type)
    : Dataset(train, std::move(transform), std::move(target_transform)), label_type_(label_type) {
  if (label_type != "fine" && label_type != "coarse") {
    throw std::invalid_argument("CIFAR100: label_type is 'fine' or 'coarse', not '" + label_type + "'");
  }
  const std::string member = std::string("cifar-100-binary/") + (train ? "train.bin" : "test.bin");
  const Source src{"CIFAR100", url, md5, archive_size, {member}, 2, label_type == "fine" ? 1 : 0};
  const std::string base = url.substr(url.rfind('/') + 1);
  load(src, base + "." + label_type, train, data_, label_, label_type == "fine" ? 100 : 20);
  check_arrays("CIFAR100");
}

}  // namespace dezero::datasets
