#!/usr/bin/env bash
# The tour pages in a real browser. tour_page writes the tour of the project's real steps
# (their main.cpp, expected.txt and the stages of docs/) into a scratch tree, with made-up
# runs of a few steps and of one example; then
#  - every step page must have its highlighted code, its diff from the step before (all but
#    the first), the library names it uses first (steps that link the library) and a link to
#    the book's file of its own step number (none for 25, 30, 31, which have no code); the
#    index groups the steps by the stages of docs/, and a step has a first/previous/next bar;
#  - headless Chromium loads every page in a 1280-pixel-wide frame: every image must load
#    (naturalWidth > 0) and no page may be wider than 1280 pixels; the same checks must flag
#    a page with a missing image and a page that is too wide, so they can fail;
#  - one step page opened alone in a 1280-wide window must not scroll sideways.
# A screenshot of step 02's page is kept as tour_page.png in the working folder.
#   check_page.sh TOUR_PAGE_EXE SOURCE_DIR PNG_FILE
# Exits 77 (ctest: skipped) when Chromium is not installed (./test.sh installs it).
set -euo pipefail
tour_page=$1
source_dir=$2
png=$3
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "skipped: Chromium is not installed (apt-get install chromium)"
  exit 77
fi
command -v pygmentize >/dev/null || { echo "FAIL: pygmentize is missing (python3-pygments, tools/setup.sh)"; exit 1; }
fail() { echo "FAIL: $*"; exit 1; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/steps" "$scratch/docs" "$scratch/out"
cp "$source_dir/steps/CMakeLists.txt" "$scratch/steps/"
for d in "$source_dir"/steps/step[0-9][0-9]; do
  mkdir -p "$scratch/steps/${d##*/}"
  cp "$d/main.cpp" "$d/expected.txt" "$scratch/steps/${d##*/}/"
done
cp "$source_dir"/docs/stage*.md "$scratch/docs/"
mapfile -t steps < <(cd "$scratch/steps" && ls -d step[0-9][0-9] | sed 's/step//')
[ "${#steps[@]}" -ge 60 ] || fail "expected the 60 steps, found ${#steps[@]}"

# Made-up runs: our printout with one number off, an image and a graph drawn from a .dot.
run_step() {  # run_step NN
  local dir=$scratch/out/step$1
  mkdir -p "$dir/graphs"
  grep -v '^#' "$scratch/steps/step$1/expected.txt" > "$dir/stdout.txt" || true
  echo 0 > "$dir/exit_status"
  cp "$png" "$dir/plot.png"
  cp "$png" "$dir/graphs/backward_001.png"
  echo 'digraph g {}' > "$dir/graphs/backward_001.dot"
}
run_step 01
run_step 23
mkdir -p "$scratch/out/step02"
printf '# step02.py: exit_code=0\nvariable(1.5)\nvariable(2)\n' > "$scratch/steps/step02/expected.txt"
printf 'variable(1.5)\nvariable(3)\n' > "$scratch/out/step02/stdout.txt"
echo 0 > "$scratch/out/step02/exit_status"
cp "$png" "$scratch/out/step02/plot.png"
# An example (examples/NAME/main.cpp, run into out/NAME/) gets a page of its own.
mkdir -p "$scratch/examples/demo" "$scratch/out/demo"
printf '// An example: a demo.\n#include "dezero/dezero.hpp"\nint main() { return 0; }\n' \
  > "$scratch/examples/demo/main.cpp"
printf 'accuracy 0.97\n' > "$scratch/out/demo/stdout.txt"
cp "$png" "$scratch/out/demo/curve.png"

"$tour_page" --root "$scratch"
out=$scratch/out
[ -s "$out/index.html" ] && [ -s "$out/tour.css" ] || fail "no index.html or tour.css"
grep -q 'highlight' "$out/tour.css" || fail "tour.css has no Pygments style"
grep -q 'href="example-demo.html"' "$out/index.html" || fail "the example is not listed"
grep -q 'accuracy 0.97' "$out/example-demo.html" || fail "the example's printout is missing"
grep -qi 'https\?://[^"]*\.\(js\|css\|woff\)' "$out"/*.html && fail "a page loads something from the network"

# Each step page, as written.
first=${steps[0]}
for nn in "${steps[@]}"; do
  page=$out/step$nn.html
  [ -s "$page" ] || fail "no page for step $nn"
  grep -q "data-step=\"$nn\"" "$page" || fail "step$nn.html is not step $nn's page"
  # the code, highlighted: Pygments' keyword spans inside the program's <pre>
  grep -q '<pre class="code highlight">' "$page" || fail "step $nn: no code"
  code=$(sed -n '/<pre class="code highlight">/,/<\/pre>/p' "$page")
  grep -q '<span class="k' <<<"$code" || fail "step $nn: the code is not highlighted"
  if [ "$nn" != "$first" ]; then
    grep -q 'class="diff highlight"' "$page" || fail "step $nn: no diff from the step before"
    grep -q '<div class="add">\|<div class="del">' "$page" || fail "step $nn: its diff marks no line"
  fi
  if grep -q '#include "dezero/' "$scratch/steps/step$nn/main.cpp"; then
    grep -q 'class="names"' "$page" || fail "step $nn: no list of the library parts it uses first"
  fi
  links=$(grep -o 'deep-learning-from-scratch-3/blob/master/steps/step[0-9]*\.py' "$page" | sort -u || true)
  case $nn in
    25 | 30 | 31) [ -z "$links" ] || fail "step $nn links to $links, but the book has no program for it" ;;
    *) [ "$links" = "deep-learning-from-scratch-3/blob/master/steps/step$nn.py" ] ||
         fail "step $nn: the link to the book is '$links'" ;;
  esac
done
echo "${#steps[@]} step pages: code, diff, library parts and book links present"
# The stages of docs/stageN.md, each starting with its first step, and the bar of a step.
stages=$(grep -o '<h2>Stage [0-9]\|<a href="step[0-9]*.html">' "$out/index.html" |
  awk '/<h2>/ { h = $2; next } h { print h, $0; h = "" }' | sed 's/<a href="step\([0-9]*\).html">/\1/' | tr '\n' ' ')
[ "$stages" = "1 01 2 11 3 25 4 37 5 52 " ] || fail "the stages start at '$stages'"
grep -q '<div class="bar"><a href="step01.html">&laquo; first</a><a href="step04.html">&lsaquo; previous: [^<]*</a><a href="step06.html">next: ' \
  "$out/step05.html" || fail "step 05's first / previous / next bar"
# The diff folds unchanged stretches; step 23 folds step 22's framework as removed lines.
grep -q '<details class="fold"><summary>[0-9]* unchanged lines' "$out/step03.html" || fail "no folded stretch"
grep -q '<summary>[0-9]* lines removed' "$out/step23.html" || fail "step 23 does not fold step 22's framework"
grep -q '<code>dezero::Variable</code>' "$out/step23.html" || fail "step 23 does not name dezero::Variable"
grep -q '<code>dezero::layers::Linear</code>' "$out/step44.html" || fail "step 44 does not name layers::Linear"
# The printout beside the book's: the line with another number is marked, the same one not.
grep -q '<mark>variable(3)' "$out/step02.html" || fail "the differing line is not marked"
grep -q '<mark>variable(1.5)' "$out/step02.html" && fail "a matching line is marked"

# Every page in a 1280-pixel-wide frame, plus two that must be flagged: one with a missing
# image, one too wide. Each frame reports its images, broken images and width.
echo '<!DOCTYPE html><p>a missing image: <img src="nowhere.png" alt="x">' > "$out/broken.html"
echo '<!DOCTYPE html><div style="width:2000px">too wide</div>' > "$out/wide.html"
pages=(index.html example-demo.html broken.html wide.html)
for nn in "${steps[@]}"; do pages+=("step$nn.html"); done
{
  echo '<!DOCTYPE html><html><body><pre id="report">pending</pre><script>'
  printf 'var pages = ["%s"];\n' "$(IFS=,; echo "${pages[*]}" | sed 's/,/", "/g')"
  cat <<'EOF'
var lines = [], left = pages.length;
pages.forEach(function (name) {
  var f = document.createElement("iframe");
  f.style.cssText = "width:1280px;height:800px;border:0;display:block";
  f.onload = function () {
    var d = f.contentDocument, broken = 0;
    for (var i = 0; i < d.images.length; i++) {
      if (!d.images[i].complete || d.images[i].naturalWidth === 0) broken++;
    }
    lines.push(name + " images=" + d.images.length + " broken=" + broken +
               " width=" + d.documentElement.scrollWidth);
    if (--left === 0) {
      lines.sort();
      document.getElementById("report").textContent = "report\n" + lines.join("\n") + "\nend";
    }
  };
  f.src = name;
  document.body.appendChild(f);
});
</script></body></html>
EOF
} > "$out/check.html"
report=$(timeout 240 "$browser" --headless --no-sandbox --disable-gpu --allow-file-access-from-files \
  --window-size=1400,1000 --virtual-time-budget=60000 --dump-dom "file://$out/check.html" 2>/dev/null |
  grep '^[a-z0-9.-]*\.html images=' || true)
[ "$(wc -l <<<"$report")" -eq "${#pages[@]}" ] ||
  fail "the browser reported on $(grep -c . <<<"$report") of ${#pages[@]} pages"
line_of() { grep "^$1 " <<<"$report" || fail "no report for $1"; }
grep -q '^broken.html images=1 broken=1 ' <<<"$report" || fail "a missing image was not detected: $(line_of broken.html)"
width=$(line_of wide.html | sed 's/.*width=//')
[ "$width" -gt 1280 ] || fail "a page 2000 pixels wide measured $width"
for page in index.html example-demo.html "${pages[@]:4}"; do
  line=$(line_of "$page")
  [[ "$line" == *" broken=0 "* ]] || fail "$line: an image did not load"
  width=${line##*width=}
  [ "$width" -le 1280 ] || fail "$line: the page scrolls sideways at 1280 pixels"
done
[[ "$(line_of step01.html)" == *" images=2 broken=0 "* ]] || fail "step 01's two images: $(line_of step01.html)"
[[ "$(line_of example-demo.html)" == *" images=1 broken=0 "* ]] || fail "the example's image: $(line_of example-demo.html)"
echo "$((${#pages[@]} - 2)) pages in a 1280-pixel frame: every image loads, none scrolls sideways"

# One page alone in a 1280-pixel-wide window, measured by the page's own script.
alone=$(timeout 120 "$browser" --headless --no-sandbox --disable-gpu --window-size=1280,900 \
  --virtual-time-budget=10000 --dump-dom "file://$out/step23.html" 2>/dev/null |
  sed -n 's/.*data-width="\([0-9]*\)".*/\1/p' | head -1)
[ -n "$alone" ] && [ "$alone" -le 1280 ] || fail "step23.html in a 1280-wide window is '$alone' pixels wide"
echo "step23.html alone at 1280 pixels: $alone wide"

timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --window-size=1280,1000 --screenshot="$PWD/tour_page.png" "file://$out/step02.html" \
  >/dev/null 2>&1 || true
[ -s tour_page.png ] || fail "no screenshot"
echo "ok"
