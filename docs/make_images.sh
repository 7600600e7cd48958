#!/usr/bin/env bash
# Regenerates the images in docs/images/ by running the steps that draw them.
#   docs/make_images.sh
set -euo pipefail
cd "$(dirname "$0")/.."
./run.sh 25 26 27 34 35 42 43 >/dev/null
cp out/step25/dot_edges.png out/step26/goldstein.png out/step27/my_sin.png \
   out/step34/sin_derivatives.png out/step35/tanh.png out/step35/tanh_1.png \
   out/step42/step42.png out/step43/step43.png docs/images/
echo "updated: $(ls docs/images | tr '\n' ' ')"
