# dezero_add_step(NN [options]): one executable `stepNN` built from steps/stepNN/main.cpp,
# its own output folder, and a ctest that runs it there and compares its printout with
# steps/stepNN/expected.txt (the reference's printout) number by number.
#
#   SELF_CONTAINED     steps 01-22: the step defines its own Variable/Function; links only `np`
#   GTEST              the step is a GoogleTest program with its own main (step 10); ctest
#                      runs its tests
#   WRITES f...        files the step must write into its folder (graphs, plots, weights)
#   RTOL r             relative tolerance for the numbers (float32 training steps)
#   LAST n             compare only the last n numbers (unseeded training runs)
#   SKIP_AFTER w...    ignore the number after each word w (machine-dependent times)
#   EXIT_CODE n        expected exit status when it differs from the reference's
#   TEST_ARGS a...     arguments for the test run only (e.g. --epochs 1)
#   LABELS l...        extra ctest labels (e.g. long)
#   TIMEOUT s          ctest timeout in seconds (default 120)
#
# The executable lands in <build>/steps/stepNN/, the test runs in <build>/out/stepNN/.
function(dezero_add_step number)
  cmake_parse_arguments(STEP "SELF_CONTAINED;GTEST" "RTOL;LAST;EXIT_CODE;TIMEOUT"
                        "WRITES;SKIP_AFTER;TEST_ARGS;LABELS" ${ARGN})
  set(name step${number})
  add_executable(${name} ${name}/main.cpp)
  if(STEP_SELF_CONTAINED)
    target_link_libraries(${name} PRIVATE np dezero_options)
  else()
    target_link_libraries(${name} PRIVATE dezero dezero_options)
  endif()
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/steps/${name})

  set(workdir ${CMAKE_BINARY_DIR}/out/${name})
  file(MAKE_DIRECTORY ${workdir})
  if(STEP_GTEST)
    find_package(GTest REQUIRED)
    target_link_libraries(${name} PRIVATE GTest::gtest)  # the step has its own main()
    add_test(NAME ${name} COMMAND ${name} WORKING_DIRECTORY ${workdir})
  else()
    set(compare --expected ${CMAKE_CURRENT_SOURCE_DIR}/${name}/expected.txt)
    if(DEFINED STEP_RTOL)
      list(APPEND compare --rtol ${STEP_RTOL})
    endif()
    if(DEFINED STEP_LAST)
      list(APPEND compare --last ${STEP_LAST})
    endif()
    if(DEFINED STEP_EXIT_CODE)
      list(APPEND compare --exit-code ${STEP_EXIT_CODE})
    endif()
    foreach(word IN LISTS STEP_SKIP_AFTER)
      list(APPEND compare --skip-after ${word})
    endforeach()
    foreach(file IN LISTS STEP_WRITES)
      list(APPEND compare --writes ${file})
    endforeach()
    add_test(NAME ${name}
             COMMAND compare_output ${compare} -- $<TARGET_FILE:${name}> ${STEP_TEST_ARGS}
             WORKING_DIRECTORY ${workdir})
  endif()
  if(NOT DEFINED STEP_TIMEOUT)
    set(STEP_TIMEOUT 120)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "step;${STEP_LABELS}" TIMEOUT ${STEP_TIMEOUT}
                                          SKIP_RETURN_CODE 77)
endfunction()
