# `cmake --install <build> --prefix P` puts into P only:
#   lib/libdezero_np.a, libdezero.a, libdezero_data.a (.so with BUILD_SHARED_LIBS)
#   include/np/*.hpp, include/dezero/*.hpp          the public headers
#   lib/cmake/dezero/                               the CMake package: dezeroConfig.cmake,
#                                                   dezeroConfigVersion.cmake, the targets
#   lib/pkgconfig/dezero.pc, dezero-data.pc         for pkg-config
# No data files: the ImageNet labels are compiled into libdezero_data. `cpack -G DEB` packs the
# same files as libdezero-dev_<version>_amd64.deb. Included from the top CMakeLists.txt when
# DEZERO_INSTALL is on (the default at the top level).
include(CMakePackageConfigHelpers)

set(DEZERO_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/dezero)
set(DEZERO_PKGCONFIG_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# Two export sets: dezero::np and dezero::dezero need OpenMP (and zlib, static), dezero::data
# also libcurl and stb; a program that finds the package without libcurl still gets the first.
install(TARGETS np dezero EXPORT dezeroTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS dezero_data EXPORT dezeroDataTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT dezeroTargets NAMESPACE dezero:: DESTINATION ${DEZERO_CMAKE_DIR})
install(EXPORT dezeroDataTargets NAMESPACE dezero:: DESTINATION ${DEZERO_CMAKE_DIR})

# Every header of np/ and dezero/ but the zip container's, which only np/io.cpp uses.
foreach(dir np dezero)
  file(GLOB headers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${dir}/*.hpp)
  list(FILTER headers EXCLUDE REGEX "/np/zip\\.hpp$")
  install(FILES ${headers} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/${dir})
endforeach()

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/dezeroConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/package/dezeroConfig.cmake
                              INSTALL_DESTINATION ${DEZERO_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/package/dezeroConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/package/dezeroConfig.cmake
              ${PROJECT_BINARY_DIR}/package/dezeroConfigVersion.cmake
        DESTINATION ${DEZERO_CMAKE_DIR})

# pkg-config: the prefix is found from the .pc file's own place (${pcfiledir}), so that the
# files work wherever the tree lands (a --prefix, a .deb unpacked with dpkg -x). Static
# libraries need their dependencies' libraries on the link line, so zlib, libcurl and stb are
# then Requires, not Requires.private.
set(up "")
string(REGEX MATCHALL "[^/]+" parts "${DEZERO_PKGCONFIG_DIR}")
foreach(part IN LISTS parts)
  string(APPEND up "/..")
endforeach()
set(DEZERO_PC_PREFIX "\${pcfiledir}${up}")
if(BUILD_SHARED_LIBS)
  set(DEZERO_PC_REQUIRES_KIND "Requires.private")
else()
  set(DEZERO_PC_REQUIRES_KIND "Requires")
endif()
foreach(pc dezero dezero-data)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/${pc}.pc.in ${PROJECT_BINARY_DIR}/package/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/package/${pc}.pc DESTINATION ${DEZERO_PKGCONFIG_DIR})
endforeach()

# cpack -G DEB (in the build folder): libdezero-dev_<version>_amd64.deb, installing into /usr.
# Depends: with shared libraries dpkg-shlibdeps finds the run-time packages (dpkg-dev); the
# -dev packages a build against the static libraries needs are named by hand (and checked by
# the test consumer_deb: each must be an installed package's name).
set(CPACK_PACKAGE_NAME libdezero-dev)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "dezero-cpp")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}: libraries, headers, CMake and pkg-config files")
set(CPACK_PACKAGE_CONTACT "dezero-cpp maintainers <dezero-cpp@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE amd64)
if(BUILD_SHARED_LIBS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libgomp1")
else()
  # What the static libraries' users link: OpenMP's libgomp (through g++), zlib, libcurl, stb.
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "g++ (>= 4:12), zlib1g-dev, libcurl4-openssl-dev | libcurl-dev, libstb-dev")
endif()
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "pkg-config, cmake (>= 3.25)")
set(CPACK_SOURCE_GENERATOR "")
include(CPack)
