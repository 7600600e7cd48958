# dezero_add_step(NN [options]): one executable `stepNN` built from steps/stepNN/main.cpp,
# its own output folder, and a ctest that runs it there and compares its printout with
# steps/stepNN/expected.txt (the reference's printout) number by number. Every step links
# `step_options` (steps/options, its strict command line) and gets the ctest
# stepNN_rejects_a_bad_option: an unknown option must print the usage line and exit with 2.
#
#   USAGE u...         the step's usage line after its name, e.g. "[--iters N]" (default: none,
#                      the step takes no arguments); for its first count option `--name N`
#                      also the ctests stepNN_rejects_a_non_number and _a_negative_count
#   SELF_CONTAINED     steps 01-22: the step defines its own Variable/Function; links only `np`
#   GTEST              the step is a GoogleTest program with its own main (step 10); ctest
#                      runs its tests
#   WRITES f...        files the step must write into its folder (graphs, plots, weights)
#   RTOL r             relative tolerance for the numbers (float32 training steps)
#   ATOL a             also accept numbers within a of the reference's (unseeded runs)
#   LAST n             compare only the last n numbers (unseeded training runs)
#   LAYOUT             check the printout's layout (the reference's lines with other numbers;
#                      it may stop early) instead of its numbers, unless LAST is given too
#   RISING w...        the numbers after each word w grow from line to line (e.g. accuracy:)
#   FALLING w...       the last number after each word w is lower than the first (a noisy
#                      training loss that fell overall, e.g. loss)
#   SKIP_AFTER w...    ignore the number after each word w (machine-dependent times)
#   EXIT_CODE n        expected exit status when it differs from the reference's
#   TEST_ARGS a...     arguments for the test run only (e.g. --epochs 1)
#   LABELS l...        extra ctest labels (e.g. long)
#   ENVIRONMENT v...   NAME=value settings for the test run (e.g. DEZERO_OFFLINE=1)
#   TIMEOUT s          ctest timeout in seconds (default 120), times DEZERO_TIMEOUT_FACTOR
#
# dezero_add_step_test(NN NAME name [options]) adds another ctest of the same step, with the
# test options above (e.g. a full-length run labelled `long` beside a short default test).
#
# The executable lands in <build>/steps/stepNN/, the test runs in <build>/out/stepNN/ (a second
# test in <build>/out/<name>/).
# The sanitize preset sets 4: AddressSanitizer makes the training steps several times slower.
set(DEZERO_TIMEOUT_FACTOR 1 CACHE STRING "Multiplies every step test's ctest timeout")
set(_DEZERO_STEP_FLAGS LAYOUT)
set(_DEZERO_STEP_VALUES RTOL ATOL LAST EXIT_CODE TIMEOUT)
set(_DEZERO_STEP_LISTS WRITES SKIP_AFTER RISING FALLING TEST_ARGS LABELS ENVIRONMENT)

# Appends `flag value` to the list variable `out` for each of the values after it:
# dezero_append_each(compare --rising accuracy: loss:) adds --rising accuracy: --rising loss:.
# (compare_output's repeatable options, shared with cmake/DezeroExample.cmake.)
function(dezero_append_each out flag)
  set(result ${${out}})
  foreach(value IN LISTS ARGN)
    list(APPEND result ${flag} ${value})
  endforeach()
  set(${out} ${result} PARENT_SCOPE)
endfunction()

# The ctest `test_name` of step `name`, run in `workdir`, with the options parsed into STEP_*.
function(_dezero_step_test test_name name workdir)
  file(MAKE_DIRECTORY ${workdir})
  set(compare --expected ${CMAKE_CURRENT_SOURCE_DIR}/${name}/expected.txt)
  foreach(option RTOL ATOL LAST EXIT_CODE)
    if(DEFINED STEP_${option})
      string(TOLOWER ${option} flag)
      string(REPLACE "_" "-" flag ${flag})
      list(APPEND compare --${flag} ${STEP_${option}})
    endif()
  endforeach()
  if(STEP_LAYOUT)
    list(APPEND compare --layout)
  endif()
  dezero_append_each(compare --skip-after ${STEP_SKIP_AFTER})
  dezero_append_each(compare --rising ${STEP_RISING})
  dezero_append_each(compare --falling ${STEP_FALLING})
  dezero_append_each(compare --writes ${STEP_WRITES})
  add_test(NAME ${test_name}
           COMMAND compare_output ${compare} -- $<TARGET_FILE:${name}> ${STEP_TEST_ARGS}
           WORKING_DIRECTORY ${workdir})
  if(NOT DEFINED STEP_TIMEOUT)
    set(STEP_TIMEOUT 120)
  endif()
  math(EXPR STEP_TIMEOUT "${STEP_TIMEOUT} * ${DEZERO_TIMEOUT_FACTOR}")
  set_tests_properties(${test_name} PROPERTIES LABELS "step;${STEP_LABELS}" TIMEOUT ${STEP_TIMEOUT}
                                               SKIP_RETURN_CODE 77)
  if(STEP_ENVIRONMENT)
    set_tests_properties(${test_name} PROPERTIES ENVIRONMENT "${STEP_ENVIRONMENT}")
  endif()
endfunction()

# The ctests that the step's command line is read strictly (see steps/options): each bad
# command line must exit with status 2 before any work, saying what is wrong and the usage.
function(_dezero_step_rejects name workdir)
  list(JOIN STEP_USAGE " " usage)
  string(STRIP "usage: ${name} ${usage}" usage)
  set(check sh ${PROJECT_SOURCE_DIR}/steps/options/expect_usage_error.sh)
  add_test(NAME ${name}_rejects_a_bad_option
           COMMAND ${check} "unknown option '--no-such-option'" "${usage}"
                   $<TARGET_FILE:${name}> --no-such-option
           WORKING_DIRECTORY ${workdir})
  set(tests ${name}_rejects_a_bad_option)
  if(usage MATCHES "\\[(--[a-z-]+) N\\]")
    set(option ${CMAKE_MATCH_1})
    add_test(NAME ${name}_rejects_a_non_number
             COMMAND ${check} "option ${option} needs a count (a non-negative integer), not 'ten'"
                     "${usage}" $<TARGET_FILE:${name}> ${option} ten
             WORKING_DIRECTORY ${workdir})
    add_test(NAME ${name}_rejects_a_negative_count
             COMMAND ${check} "option ${option} needs a count (a non-negative integer), not '-1'"
                     "${usage}" $<TARGET_FILE:${name}> ${option} -1
             WORKING_DIRECTORY ${workdir})
    list(APPEND tests ${name}_rejects_a_non_number ${name}_rejects_a_negative_count)
  endif()
  set_tests_properties(${tests} PROPERTIES LABELS step TIMEOUT 60)
endfunction()

function(dezero_add_step number)
  cmake_parse_arguments(STEP "SELF_CONTAINED;GTEST;${_DEZERO_STEP_FLAGS}" "${_DEZERO_STEP_VALUES}"
                        "${_DEZERO_STEP_LISTS};USAGE" ${ARGN})
  set(name step${number})
  add_executable(${name} ${name}/main.cpp)
  target_link_libraries(${name} PRIVATE step_options)
  if(STEP_SELF_CONTAINED)
    target_link_libraries(${name} PRIVATE np dezero_options)
  else()
    target_link_libraries(${name} PRIVATE dezero dezero_data dezero_options)
  endif()
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/steps/${name})

  set(workdir ${CMAKE_BINARY_DIR}/out/${name})
  if(STEP_GTEST)
    file(MAKE_DIRECTORY ${workdir})
    find_package(GTest REQUIRED)
    target_link_libraries(${name} PRIVATE GTest::gtest)  # the step has its own main()
    add_test(NAME ${name} COMMAND ${name} WORKING_DIRECTORY ${workdir})
    if(NOT DEFINED STEP_TIMEOUT)
      set(STEP_TIMEOUT 120)
    endif()
    math(EXPR STEP_TIMEOUT "${STEP_TIMEOUT} * ${DEZERO_TIMEOUT_FACTOR}")
    set_tests_properties(${name} PROPERTIES LABELS "step;${STEP_LABELS}" TIMEOUT ${STEP_TIMEOUT}
                                            SKIP_RETURN_CODE 77)
  else()
    _dezero_step_test(${name} ${name} ${workdir})
  endif()
  _dezero_step_rejects(${name} ${workdir})
endfunction()

function(dezero_add_step_test number)
  cmake_parse_arguments(STEP "${_DEZERO_STEP_FLAGS}" "NAME;${_DEZERO_STEP_VALUES}"
                        "${_DEZERO_STEP_LISTS}" ${ARGN})
  if(NOT STEP_NAME)
    message(FATAL_ERROR "dezero_add_step_test(${number}): give the test a NAME")
  endif()
  _dezero_step_test(${STEP_NAME} step${number} ${CMAKE_BINARY_DIR}/out/${STEP_NAME})
endfunction()
