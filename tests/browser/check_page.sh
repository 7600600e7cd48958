#!/usr/bin/env bash
# The tour page in a real browser: tour_page writes a page for two small steps into a scratch
# tree, headless Chromium loads it from the file system, and the page's own count of images
# that failed to load must be zero; a page with one image missing must count one (so the
# check can fail). A screenshot is kept as tour_page.png in the working folder.
#   check_page.sh TOUR_PAGE_EXE PNG_FILE
# Exits 77 (ctest: skipped) when Chromium is not installed.
set -euo pipefail
tour_page=$1
png=$2
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "skipped: Chromium is not installed (apt-get install chromium)"
  exit 77
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
make_step() {  # make_step NN: a step with a printout, the book's, and a graph image
  local nn=$1
  mkdir -p "$scratch/steps/step$nn" "$scratch/out/step$nn/graphs"
  printf '// Step %s: a test step.\nint main() {}\n' "$nn" > "$scratch/steps/step$nn/main.cpp"
  printf '# step%s.py: exit_code=0 wall_seconds=0.1\nvariable(1.5)\nvariable(2)\n' "$nn" \
    > "$scratch/steps/step$nn/expected.txt"
  printf 'variable(1.5)\nvariable(3)\n' > "$scratch/out/step$nn/stdout.txt"
  echo 0 > "$scratch/out/step$nn/exit_status"
  cp "$png" "$scratch/out/step$nn/plot.png"
  cp "$png" "$scratch/out/step$nn/graphs/backward_001.png"
  echo 'digraph g {}' > "$scratch/out/step$nn/graphs/backward_001.dot"
}
make_step 01
make_step 02

render() {  # render: prints the page's image count
  "$tour_page" --root "$scratch" 01 02 2>/dev/null
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --virtual-time-budget=10000 \
    --dump-dom "file://$scratch/out/index.html" 2>/dev/null |
    sed -n 's/.*data-images="\([^"]*\)".*/\1/p' | head -1
}

result=$(render)
echo "all images present: $result"
[ "$result" = "4 images, 0 broken" ] || { echo "FAIL: expected 4 images, 0 broken"; exit 1; }
grep -q '<mark>variable(3)' "$scratch/out/index.html" || { echo "FAIL: the differing line is not marked"; exit 1; }
if grep -q '<mark>variable(1.5)' "$scratch/out/index.html"; then
  echo "FAIL: a matching line is marked"; exit 1
fi
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --window-size=1400,1000 --screenshot="$PWD/tour_page.png" "file://$scratch/out/index.html" \
  >/dev/null 2>&1 || true
[ -s tour_page.png ] || { echo "FAIL: no screenshot"; exit 1; }

# The check itself must be able to fail: a picture that went missing after the page was made.
"$tour_page" --root "$scratch" 01 02 2>/dev/null
rm "$scratch/out/step02/plot.png"
broken=$(timeout 120 "$browser" --headless --no-sandbox --disable-gpu --virtual-time-budget=10000 \
  --dump-dom "file://$scratch/out/index.html" 2>/dev/null |
  sed -n 's/.*data-images="\([^"]*\)".*/\1/p' | head -1)
echo "one image missing: $broken"
[ "$broken" = "4 images, 1 broken" ] || { echo "FAIL: the missing image was not detected"; exit 1; }
echo "ok"
