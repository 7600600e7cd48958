# Shared by run.sh and test.sh: install the Debian packages the build needs, configure, build.
# Sourced, not run.

# Everything comes from Debian's archive; nothing is downloaded at build or test time.
# The tour page (tools/tour_page) highlights the code with Pygments (python3-pygments: its
# pygmentize runs once, when the page is written, so the pages need no script or network to
# show it) and shows each step's changes with GNU diff (diffutils).
DEZERO_PACKAGES=(cmake ninja-build g++ libeigen3-dev libgtest-dev graphviz gnuplot-nox
                 zlib1g-dev libcurl4-openssl-dev libstb-dev dataset-fashion-mnist
                 python3-pygments diffutils libopenmpi-dev openmpi-bin iproute2
                 pkg-config dpkg-dev)

ensure_packages() {
  local missing=()
  if command -v dpkg-query >/dev/null 2>&1; then
    local p
    for p in "${DEZERO_PACKAGES[@]}"; do
      dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
  else
    echo "note: not a Debian system; make sure these are installed: ${DEZERO_PACKAGES[*]}" >&2
    return 0
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing missing packages: ${missing[*]}" >&2
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo)
    else
      echo "error: these packages are missing and I cannot install them without root:" >&2
      echo "    sudo apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

# build PRESET [TARGET...]: configure (once) and build with Ninja.
build() {
  local preset=$1
  shift
  cmake --preset "$preset" >/dev/null
  if [ $# -gt 0 ]; then
    cmake --build --preset "$preset" --target "$@"
  else
    cmake --build --preset "$preset"
  fi
}
