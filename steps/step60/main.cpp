// Step 60: an LSTM and the sequential data loader.
//
// BetterRNN (an LSTM of 100 units, then a Linear to one output) learns the noisy sine curve
// of step 59, now in batches: SeqDataLoader cuts the series of 999 samples into 30 streams,
// 33 samples apart, and batch k holds sample k of every stream, so each row of the batch
// walks along its own part of the curve (34 batches per epoch). As in the book, the loss is
// summed over the batches, backward and the update run after 30 of them (count never
// reaches the sequence's length, so the last 4 batches of an epoch are forwarded only), and
// unchain_backward cuts the graph there. Each epoch prints the mean loss; then the model
// predicts a cosine point by point, drawn as step60.png.
//
// Unseeded, as in the book: the noise and the initial weights change from run to run.
// `step60 --epochs N` trains N epochs (100 by default).
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
using dezero::dataloaders::SeqDataLoader;

class BetterRNN : public dezero::Model {
 public:
  BetterRNN(std::int64_t hidden_size, std::int64_t out_size)
      : rnn(register_layer("rnn", L::LSTM(hidden_size))),
        fc(register_layer("fc", L::Linear(out_size))) {}

  void reset_state() { rnn.reset_state(); }
  Variable forward(const Variable& x) override {
    Variable y = rnn(x);
    y = fc(y);
    return y;
  }

  L::LSTM rnn;
  L::Linear fc;
};

int main(int argc, char** argv) {
  const long max_epoch = steps::options(argc, argv, {{"epochs", 100}}).at("epochs");
  const std::int64_t batch_size = 30;
  const std::int64_t hidden_size = 100;
  const long bptt_length = 30;

  const datasets::SinCurve train_set(true);
  SeqDataLoader dataloader(train_set, batch_size);
  const std::int64_t seqlen = train_set.len();

  BetterRNN model(hidden_size, 1);
  auto optimizer = optimizers::Adam().setup(model);

  for (long epoch = 0; epoch < max_epoch; ++epoch) {
    model.reset_state();
    Variable loss(np::array(0.0));
    long count = 0;

    for (auto [x, t] : dataloader) {
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
    plot.save("step60.png");
    std::cerr << "wrote step60.png\n";
  } catch (const utils::ToolError& e) {
    std::cerr << e.what() << "\n";
  }
}
