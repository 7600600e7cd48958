#!/usr/bin/env bash
# Regenerates the images in docs/images/ by running the steps that draw them.
#   docs/make_images.sh
set -euo pipefail
cd "$(dirname "$0")/.."
./run.sh 8 25 26 27 34 35 42 43 45 48 59 60 >/dev/null
cp out/step25/dot_edges.png out/step26/goldstein.png out/step27/my_sin.png \
   out/step34/sin_derivatives.png out/step35/tanh.png out/step35/tanh_1.png \
   out/step42/step42.png out/step43/step43.png out/step48/step48.png out/step59/step59.png \
   out/step60/step60.png docs/images/
cp out/step45/model.png docs/images/step45_model.png
# Step 57's pictures: im2col of a 4x4 image, the graph of a small conv2d_simple.
mkdir -p out/draw_im2col
(cd out/draw_im2col && ../../build/release/tools/draw_im2col >/dev/null)
cp out/draw_im2col/im2col.png out/draw_im2col/conv2d_simple.png docs/images/
# VGG16's graph (step 58 with random weights on a generated image), drawn small.
(cd out/step58 && ../../build/release/steps/step58/step58 --random-weights >/dev/null 2>&1)
dot -Tpng -Gdpi=36 out/step58/vgg.dot -o docs/images/vgg.png
# A backward graph with values and gradients (docs/graphs.md), and the tour page.
(cd out/step42 && rm -rf graphs && DEZERO_GRAPH=graphs DEZERO_GRAPH_LIMIT=1 \
  ../../build/release/steps/step42/step42 --iters 1 >/dev/null 2>&1)
cp out/step42/graphs/backward_001.png docs/images/step42_backward_graph.png
# (step 08's page: what turning the recursion into a loop changes, and the printout)
build/release/tools/tour_page --root . 2>/dev/null
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --virtual-time-budget=5000 \
  --window-size=1280,1150 --screenshot="$PWD/docs/images/tour_page.png" "file://$PWD/out/step08.html" \
  >/dev/null 2>&1
echo "updated: $(ls docs/images | tr '\n' ' ')"
