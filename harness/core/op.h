// The op: one event of a history, in Jepsen's model (see DESIGN.md "The op and the history").
// An invocation (type invoke) is followed by exactly one completion of the same process:
//   ok   the operation took effect,
//   fail it definitely did not,
//   info unknown — it may take effect at any time after its invocation, or never.
// After an info completion the worker continues under a new process id, because the old operation
// may still be in flight.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "harness/core/json.h"

namespace faultline {

enum class OpType : uint8_t { kInvoke, kOk, kFail, kInfo };

std::string_view to_string(OpType type);
// Parses "invoke", "ok", "fail", "info" (with or without a leading ':'); nullopt otherwise.
std::optional<OpType> parse_op_type(std::string_view text);

// The process id of the nemesis; written as "nemesis" in JSON and :nemesis in EDN.
inline constexpr int64_t kNemesisProcess = -1;

struct Op {
  int64_t index = -1;  // dense position in the history, assigned when appended
  int64_t time = 0;    // nanoseconds since the start of the run
  OpType type = OpType::kInvoke;
  int64_t process = 0;
  std::string f;
  Json value;        // null when absent
  Json error;        // null when absent; any value the client or Jepsen gave
  std::string node;  // empty when absent: the node the client talked to

  bool is_invoke() const { return type == OpType::kInvoke; }
  bool is_ok() const { return type == OpType::kOk; }
  bool is_fail() const { return type == OpType::kFail; }
  bool is_info() const { return type == OpType::kInfo; }
  bool is_nemesis() const { return process == kNemesisProcess; }
  bool is_client() const { return process != kNemesisProcess; }
};

// JSON form used by history.jsonl: {"index","time","type","process","f","value"[,"error"][,"node"]}.
Json to_json(const Op& op);
// Builds an op from its fields one at a time, in any order, so a reader can fill an op straight from
// its input without building an object first. A field given twice keeps the last value. Unknown
// fields are ignored. Throws Error(kBadInput) naming the missing or malformed field.
class OpBuilder {
 public:
  void field(std::string_view key, Json&& value);
  // The op; the builder is then empty, ready for the next one.
  Op finish();

 private:
  Op op_;
  bool has_type_ = false;
  bool has_f_ = false;
  bool value_is_txn_ = false;  // the value is a list of lists: Jepsen's micro-ops
};

// Reads an op from its JSON form (an object of the fields OpBuilder takes).
Op op_from_json(const Json& j);
Op op_from_json(Json&& j);

// Completes `invoke` with `type` and `value`, or with `type` and `error` (process, f, node kept).
Op complete(const Op& invoke, OpType type, Json value);
Op complete_error(const Op& invoke, OpType type, Json error);

// A one-line human form for logs and explanations: "3 ok :write 4" style.
std::string describe(const Op& op);

}  // namespace faultline
