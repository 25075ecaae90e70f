# Shared build settings: warnings, sanitizers, and helpers to declare libraries and tests.

set(FAULTLINE_WARNINGS -Wall -Wextra -Wpedantic -Wno-unused-parameter)

if(FAULTLINE_SANITIZE)
  string(REPLACE "," ";" _sanitizers "${FAULTLINE_SANITIZE}")
  foreach(s IN LISTS _sanitizers)
    add_compile_options(-fsanitize=${s} -fno-omit-frame-pointer)
    add_link_options(-fsanitize=${s})
  endforeach()
endif()

if(FAULTLINE_FUZZ)
  # Coverage instrumentation for everything the fuzz targets link; they add the fuzzer main.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# faultline_library(NAME SOURCES ... DEPS ...): a static library rooted at the repository top, so
# includes read "harness/core/op.h".
function(faultline_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE ${FAULTLINE_WARNINGS})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# faultline_embed(TARGET FUNCTION FILE): compiles FILE's bytes into TARGET as
# std::string_view faultline::FUNCTION() (cmake/embed.cmake), rebuilt when FILE changes.
function(faultline_embed target function file)
  set(input ${CMAKE_CURRENT_SOURCE_DIR}/${file})
  set(output ${CMAKE_CURRENT_BINARY_DIR}/embedded/${function}.cc)
  add_custom_command(OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DINPUT=${input} -DOUTPUT=${output} -DNAME=${function} -P ${PROJECT_SOURCE_DIR}/cmake/embed.cmake
    DEPENDS ${input} ${PROJECT_SOURCE_DIR}/cmake/embed.cmake
    COMMENT "Embedding ${file}")
  target_sources(${target} PRIVATE ${output})
endfunction()

# Public histories with known verdicts, shared beside the checkout (../shared/data). A clone made
# elsewhere finds them at the workplace's fixed location; -DFAULTLINE_DATA_DIR=... overrides both.
if(NOT FAULTLINE_DATA_DIR)
  foreach(candidate ${PROJECT_SOURCE_DIR}/../shared/data /work/shared/data)
    if(EXISTS ${candidate}/README.md)
      get_filename_component(FAULTLINE_DATA_DIR ${candidate} ABSOLUTE)
      break()
    endif()
  endforeach()
  if(NOT FAULTLINE_DATA_DIR)
    message(WARNING "shared test histories not found; tests that read them will fail. Pass -DFAULTLINE_DATA_DIR=DIR")
    set(FAULTLINE_DATA_DIR ${PROJECT_SOURCE_DIR}/../shared/data)
  endif()
endif()

# faultline_test(NAME SOURCES ... DEPS ... [LABELS ...]): a GoogleTest binary beside the code.
# Label "e2e" marks tests that need root and the sandbox; unit tests have label "unit".
function(faultline_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${FAULTLINE_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    FAULTLINE_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    FAULTLINE_DATA_DIR="${FAULTLINE_DATA_DIR}"
    FAULTLINE_BINARY="$<TARGET_FILE_DIR:faultline>/faultline")
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  gtest_discover_tests(${name} PROPERTIES LABELS "${ARG_LABELS}" DISCOVERY_TIMEOUT 60)
endfunction()
