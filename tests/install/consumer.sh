#!/usr/bin/env bash
# The installed library as another project sees it (ctest, label install; see
# tests/install/CMakeLists.txt). One mode per ctest:
#   consumer.sh install  BUILD WORK         cmake --install BUILD into the empty prefix WORK/prefix
#   consumer.sh layout   BUILD WORK         that prefix holds only the libraries, the headers and
#                                           the package files
#   consumer.sh find_package BUILD WORK CXX examples/consumer built with find_package, run
#   consumer.sh pkg_config   BUILD WORK CXX examples/consumer/main.cpp compiled with
#                                           `pkg-config --cflags --libs dezero`, run
#   consumer.sh deb      BUILD WORK CXX     cpack -G DEB, its Depends checked, dpkg -x into a
#                                           temporary root, the consumer built against it, run
#   consumer.sh subproject BUILD WORK CXX   a project that add_subdirectory()s dezero configures
#                                           the three libraries and none of the programs or tests
#   consumer.sh exports  BUILD WORK         (shared builds) the installed .so files export
#                                           np:: and dezero:: symbols only, no Eigen or stb
set -euo pipefail
mode=$1 build=$2 work=$3 cxx=${4:-c++}
src=$(cd "$(dirname "$0")/../.." && pwd)
consumer=$src/examples/consumer
prefix=$work/prefix

# The consumer's printout: the first loss is step 46's (the same data and weights), and the
# loss falls.
check_output() {
  local out
  out=$("$1") || { status=$?; printf "%s\n" "$out"; echo "FAIL: $1 exited with $status" >&2; exit 1; }
  printf '%s\n' "$out"
  grep -qx 'iteration 0: loss 0.816518' <<<"$out" || { echo "FAIL: not step 46's first loss" >&2; exit 1; }
  grep -q '^trained: the loss went from 0.816518 to ' <<<"$out" || { echo "FAIL: the loss did not fall" >&2; exit 1; }
  echo "consumer ran: ok"
}

# examples/consumer with CMake against the package under $1, built in $2.
cmake_consumer() {
  rm -rf "$2"
  cmake -S "$consumer" -B "$2" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_PREFIX_PATH="$1" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF >/dev/null
  # the package must be the one under $1, not one installed elsewhere
  grep -q "dezero_DIR:PATH=$1/" "$2/CMakeCache.txt" || { grep dezero_DIR "$2/CMakeCache.txt" >&2; exit 1; }
  cmake --build "$2" >/dev/null
  # the core's program links no libcurl; the data side's does (with static libraries)
  link=$(ninja -C "$2" -t commands consumer | tail -n 1)
  case $link in *-ldezero*|*libdezero.*) ;; *) echo "FAIL: no link line: $link"; exit 1;; esac
  case $link in *curl*|*zip*|*stb*) echo "FAIL: the core's program links $link"; exit 1;; esac
  "$2/spiral" | grep -x 'spiral: 300 samples'
  check_output "$2/consumer"
}

case $mode in
install)
  rm -rf "$prefix"
  mkdir -p "$prefix"
  cmake --install "$build" --prefix "$prefix" >/dev/null
  echo "installed into $prefix"
  ;;
layout)
  cd "$prefix"
  # Everything but the libraries, the public headers and the package files is unexpected.
  unexpected=$(find . -type f -o -type l | sort | grep -Ev \
    '^\./lib/libdezero(_np|_data)?\.(a|so(\.[0-9]+)*)$|^\./include/(np|dezero)/[a-z0-9_]+\.hpp$|^\./lib/cmake/dezero/dezero[A-Za-z-]*\.cmake$|^\./lib/pkgconfig/dezero(-data)?\.pc$' || true)
  if [ -n "$unexpected" ]; then echo "FAIL: unexpected files installed:"; echo "$unexpected"; exit 1; fi
  for f in lib/cmake/dezero/dezeroConfig.cmake lib/cmake/dezero/dezeroConfigVersion.cmake \
           lib/pkgconfig/dezero.pc lib/pkgconfig/dezero-data.pc include/np/np.hpp include/dezero/dezero.hpp; do
    [ -f "$f" ] || { echo "FAIL: $f is missing"; exit 1; }
  done
  ls lib/libdezero.* lib/libdezero_np.* lib/libdezero_data.* >/dev/null
  # no build-tree path may leak into the package files
  if grep -rl "$build\|$src" lib/cmake lib/pkgconfig; then echo "FAIL: build paths in package files"; exit 1; fi
  echo "layout: ok ($(find . -type f | wc -l) files)"
  ;;
find_package)
  cmake_consumer "$prefix" "$work/find_package"
  ;;
pkg_config)
  rm -rf "$work/pkg_config"
  mkdir -p "$work/pkg_config"
  export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
  flags=$(pkg-config --cflags --libs dezero)
  echo "pkg-config --cflags --libs dezero: $flags"
  case " $flags " in *curl*|*zip*|*stb*) echo "FAIL: the core needs no libcurl, libzip or stb"; exit 1;; esac
  # (word splitting of the flags is meant)
  # shellcheck disable=SC2086
  "$cxx" -O1 "$consumer/main.cpp" -o "$work/pkg_config/consumer" $flags
  export LD_LIBRARY_PATH=$prefix/lib  # (shared builds: a prefix outside the loader's paths)
  check_output "$work/pkg_config/consumer"
  pkg-config --exists --print-errors dezero-data
  ;;
deb)
  rm -rf "$work/deb"
  mkdir -p "$work/deb"
  (cd "$work/deb" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/deb" >/dev/null)
  version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
  deb=$work/deb/libdezero-dev_${version}_amd64.deb
  [ -f "$deb" ] || { echo "FAIL: no $deb"; ls "$work/deb"; exit 1; }
  [ "$(dpkg-deb -f "$deb" Package)" = libdezero-dev ] || exit 1
  depends=$(dpkg-deb -f "$deb" Depends)
  echo "Depends: $depends"
  [ -n "$depends" ] || { echo "FAIL: no Depends"; exit 1; }
  # Each dependency (or one of its alternatives) is a package installed here: the names exist.
  IFS=',' read -ra deps <<<"$depends"
  for dep in "${deps[@]}"; do
    ok=0
    IFS='|' read -ra alternatives <<<"$dep"
    for alt in "${alternatives[@]}"; do
      name=$(awk '{print $1}' <<<"$alt")
      dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q "install ok installed" && ok=1
    done
    [ $ok = 1 ] || { echo "FAIL: no installed package for dependency '$dep'"; exit 1; }
  done
  dpkg -x "$deb" "$work/deb/root"
  [ -f "$work/deb/root/usr/include/dezero/dezero.hpp" ] || { echo "FAIL: not installed under /usr"; exit 1; }
  cmake_consumer "$work/deb/root/usr" "$work/deb/consumer"
  ;;
subproject)
  rm -rf "$work/subproject"
  mkdir -p "$work/subproject"
  cat >"$work/subproject/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.25)
project(parent LANGUAGES CXX)
add_subdirectory("$src" dezero)
foreach(t dezero::np dezero::dezero dezero::data)
  if(NOT TARGET \${t})
    message(FATAL_ERROR "no target \${t}")
  endif()
endforeach()
foreach(t step01 step60 np_tests dezero_tests compare_output tour_page dezero_bench step_options)
  if(TARGET \${t})
    message(FATAL_ERROR "the subproject defines \${t}")
  endif()
endforeach()
CMAKE
  cmake -S "$work/subproject" -B "$work/subproject/build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" >/dev/null
  # nothing to install from a subproject by default, and no tests
  if grep -q 'dezero' "$work/subproject/build/dezero/cmake_install.cmake" 2>/dev/null &&
     grep -q 'libdezero' "$work/subproject/build/dezero/cmake_install.cmake"; then
    echo "FAIL: install rules in a subproject"; exit 1
  fi
  [ ! -f "$work/subproject/build/dezero/CTestTestfile.cmake" ] || ! grep -q add_test "$work/subproject/build/dezero/CTestTestfile.cmake" ||
    { echo "FAIL: tests in a subproject"; exit 1; }
  echo "consumer ran: ok (subproject: the libraries only)"
  ;;
exports)
  cd "$prefix/lib"
  for so in libdezero_np.so libdezero.so libdezero_data.so; do
    symbols=$(nm -D -C --defined-only "$so" | cut -d' ' -f3-)
    outside=$(grep -v 'np::\|dezero::' <<<"$symbols" || true)
    if [ -n "$outside" ]; then echo "FAIL: $so exports symbols outside np:: and dezero::"; head -20 <<<"$outside"; exit 1; fi
    if grep -q 'Eigen::\|stbi' <<<"$symbols"; then echo "FAIL: $so exports Eigen or stb"; grep 'Eigen::\|stbi' <<<"$symbols" | head; exit 1; fi
    echo "$so: $(wc -l <<<"$symbols") symbols, all of np:: and dezero::"
  done
  symbols=$(nm -D -C --defined-only libdezero_np.so)
  grep -q 'typeinfo for np::io_error' <<<"$symbols" || { echo "FAIL: np::io_error's typeinfo is not exported"; exit 1; }
  echo "consumer ran: ok (exports)"
  ;;
*)
  echo "usage: consumer.sh install|layout|find_package|pkg_config|deb BUILD WORK [CXX]" >&2
  exit 2
  ;;
esac
