# cmake -DINPUT=FILE -DOUTPUT=FILE.cc -DNAME=fn -P embed.cmake writes a C++ file defining
# std::string_view faultline::fn() that holds FILE's bytes, so the report's JavaScript and CSS live
# in real files and still ship inside the binary.
file(READ "${INPUT}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
file(WRITE "${OUTPUT}" "// Generated from ${INPUT} by cmake/embed.cmake; edit that file instead.\n"
  "#include <string_view>\n\nnamespace faultline {\nnamespace {\nconst char kBytes[] = {\n${bytes}\n'\\0'};\n}  // namespace\n\n"
  "std::string_view ${NAME}() { return {kBytes, sizeof kBytes - 1}; }\n\n}  // namespace faultline\n")
