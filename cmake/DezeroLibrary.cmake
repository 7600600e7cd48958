# dezero_library_properties(target): what the installed libraries np, dezero and dezero_data
# share: C++20 for their users, file names that cannot clash in /usr/lib (libdezero_np.a beside
# libdezero.a and libdezero_data.a), and, built shared (BUILD_SHARED_LIBS), a version and a
# linker version script (cmake/dezero.map) that exports the symbols of the namespaces np and
# dezero (with their type information and virtual tables) and nothing else: Eigen's kernels
# and the standard library's templates compiled into them stay inside.
function(dezero_library_properties target)
  target_compile_features(${target} PUBLIC cxx_std_20)
  set(output ${target})
  if(NOT target MATCHES "^dezero")
    set(output dezero_${target})
  endif()
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ${output}
                        VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "SHARED_LIBRARY")
    set(map ${PROJECT_SOURCE_DIR}/cmake/dezero.map)
    target_link_options(${target} PRIVATE "LINKER:--version-script=${map}" "LINKER:--no-undefined")
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${map})
    # libdezero_data.so finds libdezero.so beside it wherever the tree is installed or unpacked
    set_target_properties(${target} PROPERTIES INSTALL_RPATH "$ORIGIN")
    # Calls inside the library need not go through the PLT as if another library could
    # replace the callee.
    target_compile_options(${target} PRIVATE -fno-semantic-interposition)
  endif()
endfunction()
