// examples/gan: a deep convolutional GAN on MNIST (the book's examples/gan.py).
//
// A generator turns 62 random numbers into a 28x28 image (Linear, BatchNorm, ReLU, then two
// transposed convolutions up to 1 channel and a sigmoid); a discriminator says how real an
// image looks (two strided convolutions with LeakyReLU and BatchNorm, Linear, a sigmoid).
// Every weight matrix starts as 0.02 * randn, as the book's init_weight. They train against
// each other with Adam (alpha 2e-4, beta1 0.5) on mini-batches of 128 for 5 epochs: first the
// discriminator on real and generated images, then the generator on fooling it. Every 5
// iterations the epoch's mean loss_g and loss_d are printed (`epoch: 0.01, loss_g: 0.7321,
// loss_d: 1.3813`, the book's CPU interval); after each epoch 25 images generated (in test
// mode) from the same fixed noise are written as a 5x5 grid, gan_epochN.png (the book shows
// them in a window and leaves its savefig commented out).
//
// One change from the book: the 0.02 * randn weights are cast to float32 (the book assigns
// float64 arrays, which makes the whole network compute in float64). The global generator is
// drawn from in the book's order (weights, the loader's first permutation, the fixed noise,
// then each iteration's noise). Images come as in steps 51-53: MNIST from the data cache, else
// Fashion-MNIST from Debian (said on stderr); with neither, exit 77.
//
//   gan [--epochs N] [--train-size N]    N epochs on the first N training images (0: all)
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "dezero/dezero.hpp"
#include "example_support.hpp"
#include "step_options.hpp"

using dezero::Variable;
namespace F = dezero::functions;
namespace L = dezero::layers;
namespace T = dezero::transforms;
namespace datasets = dezero::datasets;
using dezero::dataloaders::DataLoader;
using dezero::models::Sequential;

int main(int argc, char** argv) try {
  const auto options = steps::options(argc, argv, {{"epochs", 5}, {"train-size", 0}});
  const long max_epoch = options.at("epochs");
  const std::int64_t batch_size = 128;
  const std::int64_t hidden_size = 62;
  const std::int64_t fc_channel = 128, fc_height = 7, fc_width = 7;

  // The layers with weights are kept as handles too, for the initialisation below.
  auto g0 = std::make_shared<L::Linear>(1024);
  auto g3 = std::make_shared<L::Linear>(fc_channel * fc_height * fc_width);
  auto g7 = std::make_shared<L::Deconv2d>(fc_channel / 2, 4, L::Deconv2dOptions{.stride = 2, .pad = 1});
  auto g10 = std::make_shared<L::Deconv2d>(1, 4, L::Deconv2dOptions{.stride = 2, .pad = 1});
  Sequential gen(g0, L::BatchNorm(), F::relu, g3, L::BatchNorm(), F::relu,
                 [=](const Variable& x) {
                   return F::reshape(x, {-1, fc_channel, fc_height, fc_width});
                 },
                 g7, L::BatchNorm(), F::relu, g10, F::sigmoid);

  auto d0 = std::make_shared<L::Conv2d>(64, 4, L::Conv2dOptions{.stride = 2, .pad = 1});
  auto d2 = std::make_shared<L::Conv2d>(128, 4, L::Conv2dOptions{.stride = 2, .pad = 1});
  auto d6 = std::make_shared<L::Linear>(1024);
  auto d9 = std::make_shared<L::Linear>(1);
  auto leaky_relu = [](const Variable& x) { return F::leaky_relu(x); };
  Sequential dis(d0, leaky_relu, d2, L::BatchNorm(), leaky_relu,
                 [](const Variable& x) { return F::flatten(x); }, d6, L::BatchNorm(), leaky_relu,
                 d9, F::sigmoid);

  // The book's init_weight: one dummy pass makes the weights, then each is redrawn as
  // 0.02 * randn in the order of dis's layers, then gen's.
  {
    const np::ndarray z = np::random::rand({1, hidden_size}).astype(np::float32);
    dis(gen(z));
    std::vector<Variable*> weights = {&d0->W, &d2->W, &d6->W, &d9->W,
                                      &g0->W, &g3->W, &g7->W, &g10->W};
    for (Variable* W : weights) W->data() = (np::random::randn(W->shape()) * 0.02).astype(np::float32);
  }

  auto opt_g = dezero::optimizers::Adam({.alpha = 0.0002, .beta1 = 0.5}).setup(gen);
  auto opt_d = dezero::optimizers::Adam({.alpha = 0.0002, .beta1 = 0.5}).setup(dis);

  // The book's transform, x / 255 as float32, keeping the (1, 28, 28) shape.
  const datasets::MNIST mnist(true, T::Compose({T::ToFloat(), T::Normalize(0., 255.)}));
  const auto train_set = examples::first_samples(mnist, options.at("train-size"));
  DataLoader train_loader(train_set, batch_size);

  const np::ndarray label_real = np::ones({batch_size}, np::int64);
  const np::ndarray label_fake = np::zeros({batch_size}, np::int64);
  const np::ndarray test_z = np::random::randn({25, hidden_size}).astype(np::float32);

  for (long epoch = 0; epoch < max_epoch; ++epoch) {
    double avg_loss_d = 0, avg_loss_g = 0;
    std::int64_t cnt = 0;
    for (auto [x, t] : train_loader) {
      ++cnt;
      if (t.len() != batch_size) continue;

      // (1) the discriminator: real images are 1, generated ones 0
      const np::ndarray z = np::random::randn({batch_size, hidden_size}).astype(np::float32);
      const Variable fake = gen(z);
      const Variable y_real = dis(x);
      const Variable y_fake_d = dis(fake.data());
      const Variable loss_d = F::binary_cross_entropy(y_real, label_real) +
                              F::binary_cross_entropy(y_fake_d, label_fake);
      gen.cleargrads();
      dis.cleargrads();
      loss_d.backward();
      opt_d.update();

      // (2) the generator: its images should be taken for real
      const Variable y_fake = dis(fake);
      const Variable loss_g = F::binary_cross_entropy(y_fake, label_real);
      gen.cleargrads();
      dis.cleargrads();
      loss_g.backward();
      opt_g.update();

      avg_loss_g += loss_g.data().item<double>();
      avg_loss_d += loss_d.data().item<double>();
      if (cnt % 5 == 0) {
        const double epoch_detail = static_cast<double>(epoch) +
                                    static_cast<double>(cnt) / static_cast<double>(train_loader.max_iter());
        std::printf("epoch: %.2f, loss_g: %.4f, loss_d: %.4f\n", epoch_detail,
                    avg_loss_g / static_cast<double>(cnt), avg_loss_d / static_cast<double>(cnt));
        std::fflush(stdout);
      }
    }
    Variable images;
    {
      const auto guard = dezero::test_mode();
      images = gen(test_z);
    }
    const std::string file = "gan_epoch" + std::to_string(epoch + 1) + ".png";
    dezero::image_grid(images.data(), 5, 5, 0, 1).save(file);
    std::cerr << "gan: wrote " << file << "\n";
  }
} catch (const datasets::DataError& e) {
  std::cerr << "gan: " << e.what() << "\n";
  return 77;
}
