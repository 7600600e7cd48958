# dezero_add_example(NAME [options]): one executable built from examples/NAME/main.cpp (target
# example_NAME, file <build>/examples/NAME/NAME, linked with dezero and the steps' strict
# option parser), and its ctests, run in <build>/out/example_NAME*/:
#
#   example_NAME                  a short run (TEST_ARGS) whose printout must have the layout of
#                                 examples/NAME/expected.txt (it may stop early), whose losses
#                                 fall (FALLING words) and accuracies rise (RISING words), and
#                                 which writes the files WRITES (PNGs must decode as PNGs)
#   example_NAME_long             the full run (LONG_ARGS), labelled `long`, same checks
#   example_NAME_rejects_a_bad_option   an unknown option: the usage line and exit status 2
#
#   USAGE u...        the usage line after the program's name, e.g. "[--epochs N]"
#   TEST_ARGS a...    arguments of the short run;  LONG_ARGS a...: of the full run
#   WRITES f...       files each run must write
#   FALLING w... / RISING w...   as compare_output's --falling / --rising
#   ENVIRONMENT v...  NAME=value settings for the runs (e.g. DEZERO_OFFLINE=1)
#   TIMEOUT s / LONG_TIMEOUT s   ctest timeouts in seconds (default 120 / 3600)
# An example's expected.txt gives the layout of its full run's printout (the numbers are not
# compared: examples train unseeded or in their own way). A run that exits with 77 (a data file it cannot do without is missing) counts as skipped.
function(dezero_add_example name)
  cmake_parse_arguments(EX "" "TIMEOUT;LONG_TIMEOUT"
                        "USAGE;TEST_ARGS;LONG_ARGS;WRITES;FALLING;RISING;ENVIRONMENT" ${ARGN})
  set(target example_${name})
  add_executable(${target} ${name}/main.cpp)
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ${name}
                        RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/examples/${name})
  target_link_libraries(${target} PRIVATE dezero dezero_data step_options dezero_options)
  # examples/common: what several examples share (example_support.hpp)
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/examples/common)

  set(compare --expected ${CMAKE_CURRENT_SOURCE_DIR}/${name}/expected.txt --layout)
  dezero_append_each(compare --falling ${EX_FALLING})  # (cmake/DezeroStep.cmake)
  dezero_append_each(compare --rising ${EX_RISING})
  dezero_append_each(compare --writes ${EX_WRITES})
  if(NOT DEFINED EX_TIMEOUT)
    set(EX_TIMEOUT 120)
  endif()
  if(NOT DEFINED EX_LONG_TIMEOUT)
    set(EX_LONG_TIMEOUT 3600)
  endif()
  math(EXPR EX_TIMEOUT "${EX_TIMEOUT} * ${DEZERO_TIMEOUT_FACTOR}")
  math(EXPR EX_LONG_TIMEOUT "${EX_LONG_TIMEOUT} * ${DEZERO_TIMEOUT_FACTOR}")
  foreach(run short long)
    if(run STREQUAL short)
      set(test ${target})
      set(args ${EX_TEST_ARGS})
      set(labels example)
      set(timeout ${EX_TIMEOUT})
    else()
      set(test ${target}_long)
      set(args ${EX_LONG_ARGS})
      set(labels "example;long")
      set(timeout ${EX_LONG_TIMEOUT})
    endif()
    set(workdir ${CMAKE_BINARY_DIR}/out/${test})
    file(MAKE_DIRECTORY ${workdir})
    add_test(NAME ${test} COMMAND compare_output ${compare} -- $<TARGET_FILE:${target}> ${args}
             WORKING_DIRECTORY ${workdir})
    set_tests_properties(${test} PROPERTIES LABELS "${labels}" TIMEOUT ${timeout}
                                            SKIP_RETURN_CODE 77)
    if(EX_ENVIRONMENT)
      string(REPLACE "@WORKDIR@" "${workdir}" environment "${EX_ENVIRONMENT}")
      set_tests_properties(${test} PROPERTIES ENVIRONMENT "${environment}")
    endif()
  endforeach()

  list(JOIN EX_USAGE " " usage)
  string(STRIP "usage: ${name} ${usage}" usage)
  add_test(NAME ${target}_rejects_a_bad_option
           COMMAND sh ${PROJECT_SOURCE_DIR}/steps/options/expect_usage_error.sh
                   "unknown option '--no-such-option'" "${usage}" $<TARGET_FILE:${target}>
                   --no-such-option
           WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
  set_tests_properties(${target}_rejects_a_bad_option PROPERTIES LABELS example TIMEOUT 60)
endfunction()

# dezero_add_example_test(NAME file.cpp): a GoogleTest program of the example's parts (what
# examples/NAME/ puts in headers), run as the ctest example_NAME_parts.
function(dezero_add_example_test name source)
  if(NOT (DEZERO_BUILD_TESTS AND BUILD_TESTING))
    return()
  endif()
  find_package(GTest REQUIRED)
  set(target example_${name}_parts)
  add_executable(${target} ${source})
  target_include_directories(${target} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/${name})
  target_link_libraries(${target} PRIVATE dezero dezero_data GTest::gtest_main dezero_options)
  add_test(NAME ${target} COMMAND ${target})
  set_tests_properties(${target} PROPERTIES LABELS example TIMEOUT 120)
endfunction()
