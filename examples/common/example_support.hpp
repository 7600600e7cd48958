// What several examples share: a slice of a data set for quick runs, and the data cache's
// copy of a file the example cannot do without (else the program says what is missing and
// exits with 77, "skipped", as step 58 does).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "dezero/dezero.hpp"

namespace examples {

// The first n samples of a data set (all of them for n <= 0), with its transforms.
inline dezero::datasets::Dataset first_samples(const dezero::datasets::Dataset& ds, long n) {
  const std::int64_t size = n > 0 && n < ds.len() ? n : ds.len();
  const np::ndarray label = ds.label().defined() ? ds.label()[{np::slice(0, size)}] : np::ndarray();
  return dezero::datasets::Dataset::from_arrays(ds.data()[{np::slice(0, size)}], label,
                                                ds.transform(), ds.target_transform());
}

// utils::get_file(url): the file in the data cache, downloaded when missing; when it can be
// neither, `program` says what is missing, where it looked and where to get it, and exits 77.
inline std::filesystem::path cached_or_skip(const std::string& program, const std::string& url,
                                            const std::string& what) {
  try {
    return dezero::utils::get_file(url);
  } catch (const dezero::utils::DownloadError& e) {
    std::cerr << program << ": skipped: " << what << " is missing.\n  looked for: "
              << (dezero::utils::cache_dir() / url.substr(url.rfind('/') + 1)).string() << "\n  ("
              << e.what() << ")\n  get it from " << url
              << " into that folder (or point DEZERO_HOME at a folder that has it); `" << program
              << " --random-weights` runs without it\n";
    std::exit(77);
  }
}

}  // namespace examples
