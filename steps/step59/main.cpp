// Step 59: a recurrent network on a time series.
//
// SimpleRNN (an RNN of 100 units, then a Linear to one output) learns to predict the next
// point of a noisy sine curve, fed one sample at a time. The loss is summed along the
// sequence; every 30 samples (and at its end) backward runs through the steps since the last
// cut, and unchain_backward cuts the graph there, so the next steps start from the hidden
// state as a leaf and the old graph is freed (truncated backpropagation through time). Each
// epoch prints the mean loss. Then the model, fed a cosine it has never seen, predicts it
// point by point; step59.png draws both, as the book's figure.
//
// Unseeded, as in the book: the noise and the initial weights change from run to run.
// `step59 --epochs N` trains N epochs (100 by default).
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <vector>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Variable;
namespace F = dezero::functions;
namespace L = dezero::layers;
namespace utils = dezero::utils;
namespace datasets = dezero::datasets;
namespace optimizers = dezero::optimizers;

class SimpleRNN : public dezero::Model {
 public:
  SimpleRNN(std::int64_t hidden_size, std::int64_t out_size)
      : rnn(register_layer("rnn", L::RNN(hidden_size))),
        fc(register_layer("fc", L::Linear(out_size))) {}

  void reset_state() { rnn.reset_state(); }
  Variable forward(const Variable& x) override { return fc(rnn(x)); }

  L::RNN rnn;
  L::Linear fc;
};

int main(int argc, char** argv) {
  // Hyperparameters
  const long max_epoch = steps::options(argc, argv, {{"epochs", 100}}).at("epochs");
  const std::int64_t hidden_size = 100;
  const long bptt_length = 30;

  const datasets::SinCurve train_set(true);
  const std::int64_t seqlen = train_set.len();

  SimpleRNN model(hidden_size, 1);
  auto optimizer = optimizers::Adam().setup(model);

  // Start training.
  for (long epoch = 0; epoch < max_epoch; ++epoch) {
    model.reset_state();
    Variable loss(np::array(0.0));
    long count = 0;

    for (std::int64_t i = 0; i < seqlen; ++i) {
      auto [x, t] = train_set[i];
      x = x.reshape({1, 1});
      // The book subtracts the (1,) label from the (1, 1) prediction by broadcasting; our
      // mean_squared_error wants equal shapes. The same single number either way.
      t = t.reshape({1, 1});
      const Variable y = model(x);
      loss += F::mean_squared_error(y, t);
      count += 1;

      if (count % bptt_length == 0 || count == seqlen) {
        model.cleargrads();
        loss.backward();
        loss.unchain_backward();
        optimizer.update();
      }
    }

    const double avg_loss = loss.item() / static_cast<double>(count);
    std::printf("| epoch %ld | loss %f\n", epoch + 1, avg_loss);
  }

  // Plot
  const np::ndarray xs = np::cos(np::linspace(0, 4 * np::pi, 1000));
  model.reset_state();
  std::vector<double> pred_list;
  {
    auto guard = dezero::no_grad();
    for (std::int64_t i = 0; i < xs.len(); ++i) {
      const np::ndarray x = xs[i].reshape({1, 1});
      const Variable y = model(x);
      pred_list.push_back(y.item());
    }
  }

  const np::ndarray steps = np::arange(xs.len());
  utils::Plot plot;
  plot.line(steps, xs, "y=cos(x)");
  plot.line(steps, np::array(pred_list), "predict");
  plot.xlabel("x").ylabel("y").legend("bottom center");
  try {
    plot.save("step59.png");
    std::cerr << "wrote step59.png\n";
  } catch (const utils::ToolError& e) {
    std::cerr << e.what() << "\n";
  }
}
