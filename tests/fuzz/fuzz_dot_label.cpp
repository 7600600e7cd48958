// The DOT text of a graph (dezero::utils::get_dot_graph) whose variable and function names
// come from the input, which is split at '\x01' bytes into the names of x, y, a function,
// and z, with the last byte choosing the DotOptions. The text must stay well-formed DOT
// whatever the names hold: each statement on its own line, each label one quoted string in
// which quotes and backslashes are escaped, no raw line break, carriage return or NUL, only
// the escapes \\ \" \l, and no piece longer than Graphviz reads (16384 bytes; longer labels
// are "joined" + "pieces"); a name without control characters must read back from its label.
// Nothing is caught: get_dot_graph throws for no name.
#include <cstdint>
#include <string>
#include <vector>

#include "dezero/core.hpp"
#include "dezero/utils.hpp"
#include "fuzz_common.hpp"

namespace {

using dezero::Variable;

// An identity function with the name the input gives it.
class Named : public dezero::UnaryFunction {
 public:
  explicit Named(std::string name) : name_(std::move(name)) {}
  std::string type() const override { return name_; }
  np::ndarray forward(const np::ndarray& x) override { return x; }
  dezero::Variable backward(const dezero::Variable& gy) override { return gy; }

 private:
  std::string name_;
};

// The label of a node statement `ID [label="...", REST]\n` at text[pos], decoded, with pos
// moved past the statement; violated() when it is not well-formed.
std::string read_label(const std::string& text, std::size_t& pos, const std::string& line_start) {
  const std::string open = " [label=\"";
  std::size_t i = pos;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  if (i == pos || text.compare(i, open.size(), open) != 0) fuzz::violated("a node statement without a label", line_start);
  i += open.size();
  std::string label;
  std::size_t piece_start = i;
  for (;;) {
    if (i >= text.size()) fuzz::violated("a label that never ends", line_start);
    const char c = text[i++];
    if (c == '"') {
      // Graphviz reads quoted strings of up to 16384 bytes; longer labels come in pieces.
      if (i - 1 - piece_start > 16384) fuzz::violated("a quoted string too long for Graphviz", line_start);
      if (text.compare(i, 4, " + \"") != 0) break;
      i += 4;
      piece_start = i;
      continue;
    }
    if (c == '\n' || c == '\r' || c == '\0') fuzz::violated("a raw line break, CR or NUL in a label", line_start);
    if (c == '\\') {
      if (i >= text.size()) fuzz::violated("a backslash at the end", line_start);
      const char e = text[i++];
      if (e == '\\' || e == '"') {
        label += e;
      } else if (e == 'l') {
        label += '\n';
      } else {
        fuzz::violated("an unexpected escape in a label", line_start);
      }
      continue;
    }
    label += c;
  }
  const std::string var = ", color=orange, style=filled]\n";
  const std::string func = ", color=lightblue, style=filled, shape=box]\n";
  if (text.compare(i, var.size(), var) == 0) {
    i += var.size();
  } else if (text.compare(i, func.size(), func) == 0) {
    i += func.size();
  } else {
    fuzz::violated("text after a label's closing quote", line_start);
  }
  pos = i;
  return label;
}

// Checks the whole text and returns the labels in order.
std::vector<std::string> check_dot(const std::string& text) {
  const std::string head = "digraph g {\n";
  if (text.compare(0, head.size(), head) != 0 || text.empty() || text.back() != '}') {
    fuzz::violated("not a digraph", text);
  }
  std::vector<std::string> labels;
  std::size_t pos = head.size();
  const std::size_t end = text.size() - 1;
  while (pos < end) {
    const std::string line_start = text.substr(pos, 40);
    std::size_t i = pos;
    while (i < end && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == pos) fuzz::violated("a statement that is not a node or an edge", line_start);
    if (text.compare(i, 4, " -> ") == 0) {
      i += 4;
      const std::size_t digits = i;
      while (i < end && text[i] >= '0' && text[i] <= '9') ++i;
      if (i == digits || i >= end || text[i] != '\n') fuzz::violated("a broken edge", line_start);
      pos = i + 1;
    } else {
      labels.push_back(read_label(text, pos, line_start));
    }
  }
  if (pos != end) fuzz::violated("the closing brace is not on its own line");
  return labels;
}

// A name without control characters starts its label as it is (the library turns line
// breaks into \l and other control characters into '?').
bool shows_as(const std::string& label, const std::string& name) {
  return label.compare(0, name.size(), name) == 0;
}

bool plain(const std::string& s) {
  for (const unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t flags = data[size - 1];
  std::vector<std::string> names(1);
  for (std::size_t i = 0; i + 1 < size; ++i) {
    if (data[i] == 1 && names.size() < 4) {
      names.emplace_back();
    } else {
      names.back() += static_cast<char>(data[i]);
    }
  }
  names.resize(4);
  Variable x(np::array({1.0, 2.0}), names[0]);
  Variable y = dezero::call<Named>({x}, names[2]);
  y.set_name(names[1]);
  Variable z = x + y;
  z.set_name(names[3]);
  const dezero::utils::DotOptions options{.verbose = (flags & 1) != 0, .values = (flags & 2) != 0,
                                          .grads = (flags & 4) != 0, .order = (flags & 8) != 0};
  if (options.grads) z.backward();
  const std::string dot = dezero::utils::get_dot_graph(z, options);
  const std::vector<std::string> labels = check_dot(dot);
  // z, the Add, x and y, then the named function and x again.
  if (labels.size() != 6) fuzz::violated("not six nodes", dot);
  if (labels[1] != (options.order ? "#1 Add" : "Add")) fuzz::violated("the Add's label", dot);
  if (plain(names[3]) && !shows_as(labels[0], names[3])) fuzz::violated("z's label is not its name", dot);
  if (plain(names[1]) && !shows_as(labels[3], names[1])) fuzz::violated("y's label is not its name", dot);
  if (plain(names[2]) && labels[4] != (options.order ? "#2 " : "") + names[2]) {
    fuzz::violated("the function's label is not its name", dot);
  }
  return 0;
}
