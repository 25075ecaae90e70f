#include "harness/core/op.h"

#include "harness/core/error.h"

namespace faultline {

std::string_view to_string(OpType type) {
  switch (type) {
    case OpType::kInvoke: return "invoke";
    case OpType::kOk: return "ok";
    case OpType::kFail: return "fail";
    case OpType::kInfo: return "info";
  }
  return "?";
}

std::optional<OpType> parse_op_type(std::string_view text) {
  if (!text.empty() && text.front() == ':') text.remove_prefix(1);
  if (text == "invoke") return OpType::kInvoke;
  if (text == "ok") return OpType::kOk;
  if (text == "fail") return OpType::kFail;
  if (text == "info") return OpType::kInfo;
  return std::nullopt;
}

Json to_json(const Op& op) {
  Json j = {{"index", op.index},
            {"time", op.time},
            {"type", to_string(op.type)},
            {"process", op.is_nemesis() ? Json("nemesis") : Json(op.process)},
            {"f", op.f},
            {"value", op.value}};
  if (!op.error.is_null()) j["error"] = op.error;
  if (!op.node.empty()) j["node"] = op.node;
  return j;
}

namespace {
[[noreturn]] void bad_field(const char* field, const std::string& why) {
  fail(ErrorCode::kBadInput, std::string("op field \"") + field + "\" " + why);
}
}  // namespace

void OpBuilder::field(std::string_view key, Json&& v) {
  if (key == "type") {
    if (!v.is_string()) bad_field("type", "is missing or not a string");
    auto parsed = parse_op_type(v.get_ref<const std::string&>());
    if (!parsed) bad_field("type", "must be invoke, ok, fail or info");
    op_.type = *parsed;
    has_type_ = true;
  } else if (key == "process") {
    // Some published histories of a single sequential client omit :process (and :f for
    // transactions); they read as process 0 and f "txn".
    if (v.is_null()) {
      op_.process = 0;
    } else if (v.is_number_integer()) {
      op_.process = v.get<int64_t>();
    } else if (v.is_string() && (v == "nemesis" || v == ":nemesis")) {
      op_.process = kNemesisProcess;
    } else {
      bad_field("process", "must be an integer or \"nemesis\"");
    }
  } else if (key == "f") {
    has_f_ = !v.is_null();
    if (v.is_string()) {
      op_.f = std::move(v.get_ref<std::string&>());
      if (!op_.f.empty() && op_.f.front() == ':') op_.f.erase(0, 1);
    } else if (has_f_) {
      op_.f = json_text(v);
    }
  } else if (key == "index") {
    if (!v.is_null() && !v.is_number_integer()) bad_field("index", "must be an integer");
    op_.index = v.is_null() ? -1 : v.get<int64_t>();
  } else if (key == "time") {
    if (!v.is_null() && !v.is_number()) bad_field("time", "must be a number");
    op_.time = v.is_null() ? 0 : v.is_number_integer() ? v.get<int64_t>() : static_cast<int64_t>(v.get<double>());
  } else if (key == "value") {
    value_is_txn_ = v.is_array() && !v.empty() && v[0].is_array();
    op_.value = std::move(v);
  } else if (key == "error") {
    op_.error = std::move(v);
  } else if (key == "node") {
    op_.node = v.is_string() ? std::move(v.get_ref<std::string&>()) : std::string();
  }
}

Op OpBuilder::finish() {
  if (!has_type_) bad_field("type", "is missing or not a string");
  if (!has_f_) op_.f = value_is_txn_ ? "txn" : "";
  Op op = std::move(op_);
  *this = OpBuilder();
  return op;
}

Op op_from_json(Json&& j) {
  if (!j.is_object()) fail(ErrorCode::kBadInput, "an op must be a JSON object");
  OpBuilder b;
  for (auto it = j.begin(); it != j.end(); ++it) b.field(it.key(), std::move(it.value()));
  return b.finish();
}

Op op_from_json(const Json& j) { return op_from_json(Json(j)); }

std::string describe(const Op& op) {
  std::string s = op.is_nemesis() ? "nemesis" : std::to_string(op.process);
  s += ' ';
  s += to_string(op.type);
  s += " :" + op.f + ' ' + json_text(op.value);
  if (!op.error.is_null()) s += " error=" + json_text(op.error);
  return s;
}

Op complete(const Op& invoke, OpType type, Json value) {
  Op done = invoke;
  done.type = type;
  done.value = std::move(value);
  return done;
}

Op complete_error(const Op& invoke, OpType type, Json error) {
  Op done = invoke;
  done.type = type;
  done.error = std::move(error);
  return done;
}

}  // namespace faultline
