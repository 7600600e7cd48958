#include "dezero/models.hpp"

#include <stdexcept>

#include "dezero/functions_conv.hpp"
#include "dezero/utils.hpp"

namespace dezero::models {

// ===================================== Model ================================================
void Model::plot(const Variable& x, const std::string& to_file) { plot(Variables{x}, to_file); }

void Model::plot(const Variables& inputs, const std::string& to_file) {
  // forward itself, as the book: the drawing shows the layers' functions, not a call.
  const Variables ys = forward_many(inputs);
  if (ys.size() != 1) {
    throw std::invalid_argument(describe() + ".plot: forward returned " +
                                std::to_string(ys.size()) +
                                " outputs; a graph is drawn from one output");
  }
  utils::plot_dot_graph(ys[0], {.verbose = true}, to_file);
}

std::string layer_name(std::size_t i) {
  std::string name(1, 'l');  // (not "l" + ...: GCC 12 warns falsely about that, bug 105329)
  name += std::to_string(i);
  return name;
}

// ===================================== Sequential ===========================================
Variable Sequential::forward(const Variable& x) {
  Variable y = x;
  for (const Activation& step : steps_) y = step(y);
  return y;
}

// ===================================== MLP ==================================================
MLP::MLP(const std::vector<std::int64_t>& fc_output_sizes, MLPOptions options)
    : activation_(std::move(options.activation)) {
  if (fc_output_sizes.empty()) {
    throw std::invalid_argument("MLP: fc_output_sizes is empty; give at least one layer size");
  }
  if (!activation_) throw std::invalid_argument("MLP: the activation is an empty function");
  linears_.reserve(fc_output_sizes.size());
  for (std::size_t i = 0; i < fc_output_sizes.size(); ++i) {
    if (fc_output_sizes[i] < 1) {
      throw std::invalid_argument("MLP: layer size " + std::to_string(i) + " is " +
                                  std::to_string(fc_output_sizes[i]) + "; sizes must be positive");
    }
    linears_.emplace_back(fc_output_sizes[i]);
    // The registry is shared, so the vector may move its elements later.
    register_layer(layer_name(i), linears_.back());
  }
}

Variable MLP::forward(const Variable& x) {
  Variable y = x;
  for (std::size_t i = 0; i + 1 < linears_.size(); ++i) y = activation_(linears_[i](y));
  return linears_.back()(y);
}

const layers::Linear& MLP::layer(std::size_t i) const {
  if (i >= linears_.size()) {
    throw std::out_of_range("MLP.layer: index " + std::to_string(i) + " is out of range for " +
                            std::to_string(linears_.size()) + " layers");
  }
  return linears_[i];
}

}  // namespace dezero::models
