// Values in ops, specs and results are JSON values (nlohmann::json). EDN values map onto them:
// keywords and symbols become strings, vectors/lists/sets become arrays, maps become objects whose
// non-string keys are printed as EDN/JSON text, nil becomes null.
#pragma once

#include <nlohmann/json.hpp>

namespace faultline {
using Json = nlohmann::json;
}
