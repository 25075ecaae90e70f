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

Op op_from_json(const Json& j) {
  if (!j.is_object()) fail(ErrorCode::kBadInput, "an op must be a JSON object");
  Op op;
  auto type = j.find("type");
  if (type == j.end() || !type->is_string()) bad_field("type", "is missing or not a string");
  auto parsed = parse_op_type(type->get_ref<const std::string&>());
  if (!parsed) bad_field("type", "must be invoke, ok, fail or info");
  op.type = *parsed;

  // Some published histories of a single sequential client omit :process (and :f for
  // transactions); they read as process 0 and f "txn".
  auto process = j.find("process");
  if (process == j.end() || process->is_null()) {
    op.process = 0;
  } else if (process->is_number_integer()) {
    op.process = process->get<int64_t>();
  } else if (process->is_string() &&
             (*process == "nemesis" || *process == ":nemesis")) {
    op.process = kNemesisProcess;
  } else {
    bad_field("process", "must be an integer or \"nemesis\"");
  }

  auto f = j.find("f");
  if (f == j.end() || f->is_null()) {
    auto v = j.find("value");
    bool txn = v != j.end() && v->is_array() && !v->empty() && (*v)[0].is_array();
    op.f = txn ? "txn" : "";
  } else if (f->is_string()) {
    op.f = f->get<std::string>();
    if (!op.f.empty() && op.f.front() == ':') op.f.erase(0, 1);
  } else {
    op.f = json_text(*f);
  }

  if (auto it = j.find("index"); it != j.end() && !it->is_null()) {
    if (!it->is_number_integer()) bad_field("index", "must be an integer");
    op.index = it->get<int64_t>();
  }
  if (auto it = j.find("time"); it != j.end() && !it->is_null()) {
    if (!it->is_number()) bad_field("time", "must be a number");
    op.time = it->is_number_integer() ? it->get<int64_t>() : static_cast<int64_t>(it->get<double>());
  }
  if (auto it = j.find("value"); it != j.end()) op.value = *it;
  if (auto it = j.find("error"); it != j.end()) op.error = *it;
  if (auto it = j.find("node"); it != j.end() && it->is_string()) op.node = it->get<std::string>();
  return op;
}

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
