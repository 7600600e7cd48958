#include "tour_code.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>

#include "printout.hpp"

extern char** environ;

namespace tour {

std::string html(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string run(const std::vector<std::string>& argv, int* status) {
  *status = -1;
  int fds[2];
  if (pipe(fds) != 0) return {};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  std::string out;
  if (spawned == 0) {
    char buffer[65536];
    for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) != 0;) {
      if (n < 0) {
        if (errno == EINTR) continue;
        break;
      }
      out.append(buffer, static_cast<std::size_t>(n));
    }
  }
  close(fds[0]);
  if (spawned != 0) return {};
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  *status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
  return out;
}

namespace {

// A comment line put between the sources so that one pygmentize run highlights them all;
// complete C++ files leave the lexer at the top level, so the next file starts fresh.
const std::string separator = "// tour-page: next file 5c1e";

// A temporary file that is removed again when it goes out of scope.
struct TempFile {
  std::string path;
  explicit TempFile(const std::string& text) {
    std::string name = (std::filesystem::temp_directory_path() / "tour_page_XXXXXX").string();
    const int fd = mkstemp(name.data());
    if (fd < 0) throw std::runtime_error("tour_page: cannot create a temporary file in " + name);
    close(fd);
    path = name;
    std::ofstream(path, std::ios::binary) << text;
  }
  ~TempFile() { std::remove(path.c_str()); }
};

}  // namespace

Highlighted::Highlighted(const std::vector<std::string>& sources) {
  std::vector<std::vector<std::string>> plain;
  std::string all;
  for (const auto& source : sources) {
    plain.push_back(printout::split_lines(source));
    for (const auto& line : plain.back()) all += line + "\n";
    all += separator + "\n";
  }
  for (const auto& lines : plain) {
    lines_.emplace_back();
    for (const auto& line : lines) lines_.back().push_back(html(line));
  }
  if (sources.empty()) return;
  const TempFile input(all);
  int status = 0;
  // stripnl=False keeps leading and trailing blank lines, so line numbers stay the file's.
  const std::string out = run({"pygmentize", "-l", "cpp", "-f", "html", "-O",
                               "nowrap=True,stripnl=False", input.path}, &status);
  if (status != 0) return;
  std::vector<std::vector<std::string>> highlighted(1);
  for (const auto& line : printout::split_lines(out)) {
    if (line.find(separator) != std::string::npos) {
      highlighted.emplace_back();
    } else {
      highlighted.back().push_back(line);
    }
  }
  highlighted.pop_back();  // after the last separator
  if (highlighted.size() != plain.size()) return;
  for (std::size_t i = 0; i < plain.size(); ++i) {
    if (highlighted[i].size() != plain[i].size()) return;  // keep the escaped text
  }
  lines_ = std::move(highlighted);
  ok_ = true;
}

std::string Highlighted::css() {
  int status = 0;
  const std::string css = run({"pygmentize", "-S", "default", "-f", "html", "-a", ".highlight"}, &status);
  return status == 0 ? css : std::string();
}

std::vector<DiffLine> diff_files(const std::string& old_path, const std::string& new_path) {
  int status = 0;
  // GNU diff's line formats: every line of both files, each behind its mark.
  const std::string out = run({"diff", "--old-line-format=-%l\n", "--new-line-format=+%l\n",
                               "--unchanged-line-format= %l\n", old_path, new_path},
                              &status);
  if (status != 0 && status != 1) {
    throw std::runtime_error("tour_page: diff " + old_path + " " + new_path + " failed (status " +
                             std::to_string(status) + "; is GNU diff installed?)");
  }
  std::vector<DiffLine> lines;
  int old_line = 0, new_line = 0;
  for (const auto& line : printout::split_lines(out)) {
    const char kind = line.empty() ? ' ' : line[0];
    if (kind == '-') {
      lines.push_back({kind, old_line++, -1});
    } else if (kind == '+') {
      lines.push_back({kind, -1, new_line++});
    } else {
      lines.push_back({' ', old_line++, new_line++});
    }
  }
  return lines;
}

namespace {

// The source with its comments and string and character literals blanked out.
std::string code_only(const std::string& source) {
  std::string out = source;
  enum { code, line_comment, block_comment, string, character } state = code;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const char c = out[i], next = i + 1 < out.size() ? out[i + 1] : '\0';
    switch (state) {
      case code:
        if (c == '/' && next == '/') state = line_comment;
        else if (c == '/' && next == '*') state = block_comment;
        else if (c == '"') state = string;
        // a quote after a digit is a digit separator (1'000), not a character literal
        else if (c == '\'' && !(i > 0 && std::isalnum(static_cast<unsigned char>(out[i - 1])))) state = character;
        if (state != code) out[i] = ' ';
        break;
      case line_comment:
        if (c == '\n') state = code;
        else out[i] = ' ';
        break;
      case block_comment:
        if (c == '*' && next == '/') {
          out[i] = out[i + 1] = ' ';
          ++i;
          state = code;
        } else if (c != '\n') {
          out[i] = ' ';
        }
        break;
      case string:
      case character:
        if (c == '\\' && next != '\n') {
          out[i] = out[i + 1] = ' ';
          ++i;
        } else if (c == (state == string ? '"' : '\'')) {
          out[i] = ' ';
          state = code;
        } else if (c != '\n') {
          out[i] = ' ';
        }
        break;
    }
  }
  return out;
}

bool from_library(const std::string& name) {
  return name.rfind("dezero::", 0) == 0 || name.rfind("np::", 0) == 0;
}

}  // namespace

std::set<std::string> library_names(const std::string& source) {
  std::set<std::string> names;
  static const std::regex include(R"(#\s*include\s*"((dezero|np)/[^"]+)\")");
  for (std::sregex_iterator it(source.begin(), source.end(), include), end; it != end; ++it) {
    names.insert((*it)[1].str());
  }
  std::string code = code_only(source);
  // namespace F = dezero::functions;  (the alias itself is not a name it uses)
  std::map<std::string, std::string> aliases;
  static const std::regex alias(R"(\bnamespace\s+(\w+)\s*=\s*([\w:]+)\s*;)");
  for (std::sregex_iterator it(code.begin(), code.end(), alias), end; it != end; ++it) {
    aliases[(*it)[1].str()] = (*it)[2].str();
  }
  code = std::regex_replace(code, alias, " ");
  const auto full_name = [&](std::string name) {
    const auto colons = name.find("::");
    const auto first = aliases.find(name.substr(0, colons));
    if (first != aliases.end()) {
      name = first->second + (colons == std::string::npos ? "" : name.substr(colons));
    }
    return name;
  };
  static const std::regex qualified(R"((^|[^\w:])((\w+)(\s*::\s*\w+)+))");
  for (std::sregex_iterator it(code.begin(), code.end(), qualified), end; it != end; ++it) {
    std::string name = (*it)[2].str();
    std::erase_if(name, [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
    name = full_name(name);
    if (from_library(name)) names.insert(name);
  }
  return names;
}

}  // namespace tour
