// Values in ops, specs and results are JSON values (nlohmann::json). EDN values map onto them:
// keywords and symbols become strings, vectors/lists/sets become arrays, maps become objects whose
// non-string keys are printed as EDN/JSON text, nil becomes null.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace faultline {
using Json = nlohmann::json;

// Compact JSON text that never throws: invalid UTF-8 from a system under test is replaced, not fatal.
inline std::string json_text(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }
}  // namespace faultline
