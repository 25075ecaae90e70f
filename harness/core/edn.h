// A reader and writer for EDN, the data notation of Jepsen's histories, mapped onto JSON values
// (see json.h). The reader never crashes or hangs on arbitrary bytes: nesting is bounded and every
// malformed input is an Error(kBadInput) with the line number.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harness/core/error.h"
#include "harness/core/json.h"
#include "harness/core/op.h"

namespace faultline {

class EdnReader {
 public:
  // `source` names the input in error messages (a file path).
  EdnReader(std::string_view text, std::string source);
  // Reads the next top-level form into `out`; false at the end of input.
  bool next(Json& out);
  // Line (1-based) where the last form returned by next() started.
  int line() const { return form_line_; }

 private:
  Json read_form(int depth);
  Json read_collection(char close, int depth);
  Json read_map(int depth);
  Json read_string();
  Json read_atom();
  void skip_space();
  [[noreturn]] void error(const std::string& what) const;

  std::string_view text_;
  std::string source_;
  size_t pos_ = 0;
  int line_ = 1;
  int form_line_ = 1;
};

// Parses exactly one EDN value (e.g. a command-line argument).
Json parse_edn(std::string_view text, const std::string& source = "edn");

// Writes a JSON value as EDN. Strings in `keyword_positions` style are the caller's business:
// to_edn writes every string as an EDN string, and keyword(...) marks one as a keyword.
std::string to_edn(const Json& value);
// Writes `name` as a keyword (":name"), for op fields that Jepsen spells as keywords.
std::string edn_keyword(std::string_view name);

}  // namespace faultline
