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

# faultline_expose(TARGET SCOPE DIR...): the headers of DIRs (relative to the repository top) become
# TARGET's include path under their full names ("harness/core/op.h"), each header linked one by one
# into a directory of TARGET's own. A library thus sees its own headers and those of what it links,
# never a header of a library it does not link: the compiler enforces the floors' dependencies.
function(faultline_expose target scope)
  set(root ${PROJECT_BINARY_DIR}/include/${target})
  foreach(dir IN LISTS ARGN)
    file(GLOB headers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${dir}/*.h)
    file(MAKE_DIRECTORY ${root}/${dir})
    foreach(header IN LISTS headers)
      get_filename_component(file ${header} NAME)
      file(CREATE_LINK ${header} ${root}/${dir}/${file} SYMBOLIC)
    endforeach()
  endforeach()
  target_include_directories(${target} ${scope} ${root})
endfunction()

# faultline_library(NAME SOURCES ... DEPS ... [PRIVATE_DEPS ...]): a static library that exposes the
# headers of its sources' folders. DEPS appear in its headers (consumers see them too); PRIVATE_DEPS
# only in its sources.
function(faultline_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  file(RELATIVE_PATH folder ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR})
  set(dirs ${folder})
  foreach(source IN LISTS ARG_SOURCES)
    get_filename_component(dir ${source} DIRECTORY)
    if(dir)
      list(APPEND dirs ${folder}/${dir})
    endif()
  endforeach()
  list(REMOVE_DUPLICATES dirs)
  faultline_expose(${name} PUBLIC ${dirs})
  target_compile_options(${name} PRIVATE ${FAULTLINE_WARNINGS})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# Programs and tests may include any header (and link what they use).
function(faultline_program name)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE ${FAULTLINE_WARNINGS})
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
  faultline_program(${name})
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
