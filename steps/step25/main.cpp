// Step 25: visualising computational graphs (1): Graphviz and the DOT language.
//
// The chapter has no framework code: it introduces the DOT language by hand. This program
// writes the chapter's three small examples (two nodes, nodes with colours and shapes, and
// nodes joined by edges) and asks Graphviz's `dot` to draw each as a PNG, which is what the
// next step automates for real graphs.
#include <iostream>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  namespace utils = dezero::utils;
  const char* nodes = "digraph g {\nx\ny\n}";
  const char* styles =
      "digraph g {\n"
      "1 [label=\"x\", color=orange, style=filled]\n"
      "2 [label=\"y\", color=orange, style=filled]\n"
      "3 [label=\"Exp\", color=lightblue, style=filled, shape=box]\n"
      "}";
  const char* edges =
      "digraph g {\n"
      "1 [label=\"x\", color=orange, style=filled]\n"
      "2 [label=\"y\", color=orange, style=filled]\n"
      "3 [label=\"Exp\", color=lightblue, style=filled, shape=box]\n"
      "1 -> 3\n"
      "3 -> 2\n"
      "}";
  std::cout << "Visualizing computational graphs with Graphviz: the DOT language by hand.\n";
  try {
    utils::draw_dot(nodes, "dot_nodes.png");
    utils::draw_dot(styles, "dot_styles.png");
    utils::draw_dot(edges, "dot_edges.png");
    std::cerr << "wrote dot_nodes, dot_styles and dot_edges (.dot and .png)\n";
  } catch (const utils::ToolError& e) {
    std::cerr << e.what() << "\n";
  }
}
