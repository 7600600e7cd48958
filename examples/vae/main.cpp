// examples/vae: a convolutional variational autoencoder on MNIST (the book's examples/vae.py).
//
// The encoder maps each 28x28 image to a Gaussian in a 2-D latent space, the decoder maps a
// latent point back to an image; both learn together by minimising the negative evidence
// lower bound (vae.hpp). Adam, mini-batches of 16, 10 epochs; every 10 iterations the running
// mean loss of the epoch is printed (`epoch: 0.03, loss: 253.1234`, as the book on a CPU), and
// after each epoch the decoded 2-D manifold, 15 x 15 images over the latent plane, is written
// to vae_epochN.png (the book shows it in a window and leaves its savefig commented out).
//
// One change from the book: the sampling uses the standard deviation exp(z_log_var / 2),
// where the book has exp(z_log_var) (see vae.hpp). Images come as in steps 51-53: MNIST from
// the data cache, else Fashion-MNIST from Debian (said on stderr); with neither, exit 77.
//
//   vae [--epochs N] [--train-size N]    N epochs on the first N training images (0: all)
#include <cstdio>
#include <iostream>
#include <string>

#include "example_support.hpp"
#include "step_options.hpp"
#include "vae.hpp"

using dezero::Variable;
namespace T = dezero::transforms;
namespace datasets = dezero::datasets;
using dezero::dataloaders::DataLoader;

int main(int argc, char** argv) try {
  const auto options = steps::options(argc, argv, {{"epochs", 10}, {"train-size", 0}});
  const long max_epoch = options.at("epochs");
  const std::int64_t batch_size = 16;
  const std::int64_t latent_size = 2;

  vae::VAE model(latent_size);
  auto optimizer = dezero::optimizers::Adam().setup(model);

  // The book's transform, x / 255 as float32, keeping the (1, 28, 28) shape.
  const datasets::MNIST mnist(true, T::Compose({T::ToFloat(), T::Normalize(0., 255.)}));
  const auto train_set = examples::first_samples(mnist, options.at("train-size"));
  DataLoader train_loader(train_set, batch_size);

  for (long epoch = 0; epoch < max_epoch; ++epoch) {
    double avg_loss = 0;
    std::int64_t cnt = 0;
    for (auto [x, t] : train_loader) {
      ++cnt;
      const Variable loss = model(x);
      model.cleargrads();
      loss.backward();
      optimizer.update();

      avg_loss += loss.data().item<double>();
      if (cnt % 10 == 0) {
        const double epoch_detail =
            static_cast<double>(epoch) + static_cast<double>(cnt) / static_cast<double>(train_loader.max_iter());
        std::printf("epoch: %.2f, loss: %.4f\n", epoch_detail, avg_loss / static_cast<double>(cnt));
        std::fflush(stdout);
      }
    }
    const std::string file = "vae_epoch" + std::to_string(epoch + 1) + ".png";
    vae::manifold(model.decoder).save(file);
    std::cerr << "vae: wrote " << file << "\n";
  }
} catch (const dezero::datasets::DataError& e) {
  std::cerr << "vae: " << e.what() << "\n";
  return 77;
}
