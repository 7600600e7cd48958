// The code side of the tour page (tools/tour_code.hpp): the library names a step uses, GNU
// diff's pairing of lines, and Pygments' highlighting kept line by line.
#include "tour_code.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace {

TEST(TourCode, LibraryNamesResolveAliasesAndSkipCommentsAndStrings) {
  const std::string source = R"(// uses F::cos in a comment, which does not count
#include <iostream>
#include "dezero/dezero.hpp"
#include "step_options.hpp"
using dezero::Variable;
namespace F = dezero::functions;
namespace L = dezero::layers;
int main() {
  L::Linear l1(10);  /* L::MLP in a block comment */
  Variable y = F::sin(Variable(np::array(1.0)));
  std::cout << "F::tanh in a string" << y << '\n';
  steps::options(0, nullptr);
}
)";
  const std::set<std::string> expected = {"dezero/dezero.hpp", "dezero::Variable",
                                          "dezero::functions::sin", "dezero::layers::Linear",
                                          "np::array"};
  EXPECT_EQ(tour::library_names(source), expected);
}

std::string write_temp(const std::string& name, const std::string& text) {
  // (the process id keeps two runs at the same time apart)
  const auto path =
      (std::filesystem::temp_directory_path() / (std::to_string(getpid()) + "_" + name)).string();
  std::ofstream(path) << text;
  return path;
}

TEST(TourCode, DiffPairsEveryLineOfBothFiles) {
  const auto a = write_temp("tour_code_a.txt", "one\ntwo\nthree\nfour\n");
  const auto b = write_temp("tour_code_b.txt", "one\n2\nthree\nfour\nfive\n");
  const auto diff = tour::diff_files(a, b);
  std::string kinds;
  for (const auto& d : diff) kinds += d.kind;
  EXPECT_EQ(kinds, " -+  +");
  ASSERT_EQ(diff.size(), 6u);
  EXPECT_EQ(diff[1].old_line, 1);  // "two"
  EXPECT_EQ(diff[1].new_line, -1);
  EXPECT_EQ(diff[2].new_line, 1);  // "2"
  EXPECT_EQ(diff[5].new_line, 4);  // "five"
  EXPECT_EQ(diff[4].old_line, 3);
  std::remove(a.c_str());
  std::remove(b.c_str());
  EXPECT_THROW(tour::diff_files(a, b), std::runtime_error);  // the files are gone
}

TEST(TourCode, HighlightingKeepsEveryLineOfEverySource) {
  // Leading and trailing blank lines and a comment spanning lines must not shift lines.
  const tour::Highlighted code({"\n\nint main() {\n  /* a\n  b */ return 0;\n}\n\n", "class A {};\n"});
  ASSERT_TRUE(code.ok()) << "pygmentize (python3-pygments) did not run";
  ASSERT_EQ(code.lines(0).size(), 7u);
  ASSERT_EQ(code.lines(1).size(), 1u);
  EXPECT_EQ(code.lines(0)[0], "");
  EXPECT_NE(code.lines(0)[2].find("<span class=\"kt\">int</span>"), std::string::npos) << code.lines(0)[2];
  EXPECT_NE(code.lines(0)[4].find("b */</span>"), std::string::npos) << code.lines(0)[4];
  EXPECT_NE(code.lines(1)[0].find("<span class=\"k"), std::string::npos) << code.lines(1)[0];
  EXPECT_NE(tour::Highlighted::css().find(".highlight"), std::string::npos);
}

}  // namespace
