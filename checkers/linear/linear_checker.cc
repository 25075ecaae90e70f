#include "checkers/linear/linear_checker.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "checkers/faults.h"
#include "checkers/linear/html_view.h"
#include "checkers/linear/search.h"
#include "harness/core/error.h"
#include "harness/core/options.h"

namespace faultline::linear {
namespace {

using Clock = std::chrono::steady_clock;

// One independently checkable part of the history: all ops of one key, or the whole history.
struct Part {
  Json key;                                            // null when the history is not split
  std::vector<SearchOp> ops;                           // sorted by call
  std::vector<std::pair<int64_t, int64_t>> positions;  // (invocation, completion) in the history; completion -1 = never
  std::unique_ptr<Steps> steps;
  SearchResult result;
  double ms = 0;  // time the search took
};

// The client ops of a history in order, each with its partner, as complete_client_history gives
// them but without copying them: only the info completions closing invocations left open at the
// end are made. Refers to the history, which must outlive it.
class ClientOps {
 public:
  explicit ClientOps(const History& history) {
    ops_.reserve(history.size());
    partner_.reserve(history.size());
    std::unordered_map<int64_t, size_t> open;  // process -> its open invocation
    for (const Op& op : history) {
      if (op.is_nemesis()) continue;
      size_t at = ops_.size();
      ops_.push_back(&op);
      partner_.push_back(-1);
      if (op.is_invoke()) {
        open[op.process] = at;
      } else if (auto it = open.find(op.process); it != open.end()) {
        partner_[at] = static_cast<int64_t>(it->second);
        partner_[it->second] = static_cast<int64_t>(at);
        open.erase(it);
      }
    }
    int64_t end_time = history.empty() ? 0 : history.back().time;
    std::vector<size_t> dangling;
    for (auto& [process, at] : open) dangling.push_back(at);
    std::sort(dangling.begin(), dangling.end());
    closing_.reserve(dangling.size());  // ops_ points into it
    for (size_t at : dangling) {
      Op& info = closing_.emplace_back(*ops_[at]);
      info.type = OpType::kInfo;
      info.time = end_time;
      info.index = -1;
      info.error = "never completed: the run ended first";
      partner_[at] = static_cast<int64_t>(ops_.size());
      partner_.push_back(static_cast<int64_t>(at));
      ops_.push_back(&info);
    }
  }
  size_t size() const { return ops_.size(); }
  const Op& operator[](size_t i) const { return *ops_[i]; }
  // The position of op i's invocation or completion, -1 when it has none.
  int64_t partner(size_t i) const { return partner_[i]; }

 private:
  std::vector<const Op*> ops_;
  std::vector<int64_t> partner_;
  std::vector<Op> closing_;
};

// Jepsen's independent form: every client op's value is [key value] with a scalar key.
bool looks_independent(const ClientOps& ops) {
  bool any = false;
  for (size_t i = 0; i < ops.size(); ++i) {
    const Json& v = ops[i].value;
    if (!v.is_array() || v.size() != 2 || v[0].is_structured() || v[0].is_null()) return false;
    any = true;
  }
  return any;
}

// JSON keeps unsigned and signed integers apart when hashing (but not when comparing), and values
// arrive as either depending on the reader; one form keeps equal states one interned state.
Json signed_numbers(Json value) {
  if (value.is_number_unsigned() && value.get<uint64_t>() <= uint64_t{INT64_MAX})
    return static_cast<int64_t>(value.get<uint64_t>());
  if (value.is_structured())
    for (Json& element : value) element = signed_numbers(std::move(element));
  return value;
}

// The option `key` as a T, or `fallback` when absent; Error(kBadInput) naming it when malformed.
template <typename T>
T option(const Json& options, const char* key, T fallback) {
  return OptionReader(options, "checker option").get<T>(key, fallback);
}

class LinearChecker : public Checker {
 public:
  explicit LinearChecker(std::unique_ptr<Model> model) : model_(std::move(model)) {}

  std::string name() const override { return "linearizable"; }

  CheckResult check(const HistoryView& input, const CheckOptions& options) const override {
    const History& history = input.ops();
    const Json& o = options.options;
    auto started = Clock::now();
    int64_t budget_ms = option<int64_t>(o, "budget-ms", 10000);
    SearchLimits limits;
    limits.deadline = started + std::chrono::milliseconds(budget_ms);
    std::atomic<int64_t> memory_used{0};
    std::atomic<bool> stop{false}, decided{false};
    limits.memory_used = &memory_used;
    limits.stop = &stop;
    limits.decided = &decided;
    limits.configurations_once_decided = option<int64_t>(o, "configurations-after-verdict", 1000);
    int64_t memory_mb = option<int64_t>(o, "memory-mb", -1);
    if (memory_mb >= 0) limits.memory_limit_bytes = memory_mb << 20;

    ClientOps ops(history);
    bool independent = o.contains("independent") ? option<bool>(o, "independent", false) : looks_independent(ops);
    std::vector<Part> parts = split(ops, independent, option<Json>(o, "initial-value", Json()));
    run_parts(parts, limits);

    // Failed and unknown ops still make a history Knossos judges; only one without any client op
    // has nothing to judge (the stats checker calls a run in which nothing succeeded invalid).
    if (std::none_of(history.begin(), history.end(), [](const Op& op) { return op.is_client(); })) {
      CheckResult nothing;
      nothing.verdict = Verdict::kUnknown;
      nothing.explanation = "the history has no client operation: nothing to judge";
      nothing.details = {{"valid", "unknown"}, {"model", model_->name()}};
      return nothing;
    }
    CheckResult result = summarize(ops, parts, independent, fault_windows(history));
    result.details["model"] = model_->name();
    result.details["time-ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    if (!options.out_dir.empty()) write_files(ops, parts, o, options.out_dir, result);
    return result;
  }

 private:
  // The ops the model sees, grouped per part. Fail ops never happened and are dropped; so are info
  // ops that cannot change the state (an info read) and info ops no ok op could observe.
  std::vector<Part> split(const ClientOps& ops, bool independent, const Json& initial) const {
    struct Pending {
      ModelOp op;
      int64_t invoke, complete;  // positions; complete -1 for info ops
    };
    std::map<Json, std::vector<Pending>> by_key;
    for (size_t p = 0; p < ops.size(); ++p) {
      const Op& invoke = ops[p];
      if (!invoke.is_invoke() || ops.partner(p) < 0) continue;
      const Op& done = ops[ops.partner(p)];
      if (done.is_fail()) continue;
      ModelOp mop{invoke.f, signed_numbers(done.is_ok() && !done.value.is_null() ? done.value : invoke.value),
                  done.is_ok()};
      Json key;
      if (independent) {
        if (!mop.value.is_array() || mop.value.size() != 2)
          fail(ErrorCode::kBadInput, "op " + std::to_string(invoke.index) + " (" + describe(invoke) +
                                         "): expected a [key value] tuple like the other ops");
        key = mop.value[0];
        mop.value = Json(mop.value[1]);
      }
      try {
        model_->check_op(mop);
      } catch (const Error& e) {
        fail(ErrorCode::kBadInput, "op " + std::to_string(invoke.index) + " (" + describe(invoke) + "): " + e.what());
      }
      if (!mop.known && model_->read_only(mop)) continue;
      by_key[key].push_back({std::move(mop), static_cast<int64_t>(p), done.is_info() ? -1 : ops.partner(p)});
    }
    std::vector<Part> parts;
    for (auto& [key, pending] : by_key) {
      std::vector<const ModelOp*> all, kept;
      for (const Pending& p : pending) all.push_back(&p.op);
      std::vector<const Pending*> searched;
      for (const Pending& p : pending)
        if (p.op.known || !model_->unobservable(p.op, all)) {
          searched.push_back(&p);
          kept.push_back(&p.op);
        }
      Part& part = parts.emplace_back();
      part.key = key;
      part.steps = make_steps(*model_, model_->initial(signed_numbers(initial)), kept);
      for (const Pending* p : searched) {
        part.ops.push_back({p->invoke, p->op.known ? p->complete : kNever, part.steps->intern_op(p->op), p->op.known});
        part.positions.emplace_back(p->invoke, p->complete);
      }
    }
    return parts;
  }

  // Checks the parts on worker threads, smallest first. Once one part is not linearizable the
  // verdict is known: the other parts are still decided when that is cheap, so that the keys that
  // fail are listed, but a part that needs a long search to prove more is left undecided (proving a
  // key not linearizable can mean exhausting millions of configurations).
  static void run_parts(std::vector<Part>& parts, const SearchLimits& limits) {
    std::vector<size_t> order(parts.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return parts[a].ops.size() < parts[b].ops.size(); });
    std::atomic<size_t> next{0};
    std::mutex mu;
    std::exception_ptr error;  // a model that throws on a worker thread is reported on this one
    std::vector<std::thread> pool;
    // hardware_concurrency() reads /sys on every call: a cost next to a small history's whole check.
    static const size_t cores = std::max(1u, std::thread::hardware_concurrency());
    // Helper threads join at once for big histories, else once the parts prove slow: on a loaded
    // machine waiting for a new thread to be scheduled takes milliseconds, longer than a small
    // history's whole check.
    size_t total_ops = 0;
    for (const Part& part : parts) total_ops += part.ops.size();
    bool big = total_ops >= 1000;
    auto started = Clock::now();
    std::function<void(bool)> work = [&](bool main) {
      try {
        for (size_t i; (i = next.fetch_add(1)) < order.size();) {
          if (main && pool.empty() && (big || Clock::now() - started > std::chrono::milliseconds(1)))
            for (size_t t = 1; t < std::min(cores, order.size() - i); ++t) pool.emplace_back([&] { work(false); });
          Part& part = parts[order[i]];
          if (limits.stop->load()) break;
          auto began = Clock::now();
          part.result = search(part.ops, *part.steps, limits);
          if (part.result.outcome == SearchOutcome::kIllegal) limits.decided->store(true);
          part.ms = std::chrono::duration<double, std::milli>(Clock::now() - began).count();
        }
      } catch (...) {
        std::lock_guard lock(mu);
        if (!error) error = std::current_exception();
        limits.stop->store(true);
      }
    };
    work(true);
    for (auto& t : pool) t.join();
    if (error) std::rethrow_exception(error);
  }

  CheckResult summarize(const ClientOps& ops, const std::vector<Part>& parts, bool independent,
                        const std::vector<FaultWindow>& faults) const {
    CheckResult result;
    Json& d = result.details;
    const Part* failed = nullptr;
    Json failed_keys = Json::array();
    Json undecided = Json::array();
    int64_t configurations = 0, peak = 0;
    double slowest = 0;
    for (const Part& part : parts) {
      slowest = std::max(slowest, part.ms);
      configurations += part.result.configurations;
      peak = std::max(peak, part.result.peak_bytes);
      if (part.result.outcome == SearchOutcome::kIllegal) {
        if (!failed) failed = &part;
        failed_keys.push_back(part.key);
      } else if (part.result.outcome != SearchOutcome::kLinearizable) {
        undecided.push_back(part.key);
      }
    }
    d["parts"] = parts.size();
    d["configurations"] = configurations;
    d["peak-memory-bytes"] = peak;
    d["slowest-part-ms"] = slowest;
    if (failed) {
      result.verdict = Verdict::kInvalid;
      d["valid"] = false;
      Json failures = Json::array();
      for (const Part& part : parts) {
        if (part.result.outcome != SearchOutcome::kIllegal) continue;
        CheckResult one;
        explain_failure(ops, part, independent, faults, one);
        if (&part == failed) result.details.update(one.details);
        one.details["explanation"] = one.explanation;
        failures.push_back(std::move(one.details));
        if (&part == failed) result.explanation = one.explanation;
      }
      if (independent) {
        d["failed-keys"] = failed_keys;
        d["failed-key-count"] = failed_keys.size();
        d["failures"] = std::move(failures);
        if (!undecided.empty()) d["undecided-keys"] = undecided;
        if (failed_keys.size() > 1) {
          std::string list;
          for (size_t i = 0; i < failed_keys.size() && i < 20; ++i) list += (i ? ", " : "") + failed_keys[i].dump();
          if (failed_keys.size() > 20) list += ", …";
          result.explanation = std::to_string(failed_keys.size()) + " of " + std::to_string(parts.size()) +
                               " keys are not linearizable (" + list + "). First: " + result.explanation;
        }
        if (!undecided.empty())
          result.explanation += " " + std::to_string(undecided.size()) +
                                " keys were left undecided once the verdict was known (raise "
                                "configurations-after-verdict, or budget-ms, to decide them).";
      }
    } else if (!undecided.empty()) {
      result.verdict = Verdict::kUnknown;
      d["valid"] = "unknown";
      if (independent) d["undecided-keys"] = undecided;
      bool memory = std::any_of(parts.begin(), parts.end(),
                                [](const Part& p) { return p.result.outcome == SearchOutcome::kOutOfMemory; });
      result.explanation =
          std::string(memory ? "memory" : "time") + " budget ran out before " +
          (independent ? std::to_string(undecided.size()) + " of " + std::to_string(parts.size()) + " keys were decided"
                       : std::string("the history was decided")) +
          "; raise " + (memory ? "memory-mb" : "budget-ms") + " to decide";
    } else {
      result.verdict = Verdict::kValid;
      d["valid"] = true;
    }
    return result;
  }

  Json op_json(const ClientOps& ops, const Part& part, int32_t i) const {
    auto [call, done] = part.positions[i];
    Json j = to_json(ops[done >= 0 ? done : call]);
    j["index"] = ops[call].index;  // the invocation's index names the op, as in Knossos
    if (done < 0) j["type"] = "info";
    return j;
  }

  // The op's own value: the value of a [key value] tuple when the history is split per key.
  static Json own_value(const Op& op, bool independent) {
    if (independent && op.value.is_array() && op.value.size() == 2) return op.value[1];
    return op.value;
  }

  // What an ok op left in a register: the value of a write, the new value of a cas; null otherwise.
  static std::optional<Json> written(const Op& done, bool independent) {
    Json v = own_value(done, independent);
    if (done.f == "write") return v;
    if (done.f == "cas" && v.is_array() && v.size() == 2) return v[1];
    return std::nullopt;
  }

  // Names the kind of violation where the history shows it: a read that returned something other
  // than what the last write completed before it began wrote is a stale read. Empty when the shape
  // of the violation has no simpler name than "no linearization".
  static std::string stale_read(const ClientOps& ops, const Part& part, int32_t stuck, bool independent, Json& d) {
    auto [call, done_at] = part.positions[stuck];
    if (done_at < 0) return "";
    const Op& read = ops[done_at];
    if (read.f != "read" || !read.is_ok()) return "";
    Json returned = own_value(read, independent);
    const Op* last = nullptr;    // the last ok write completed before the read was invoked
    const Op* source = nullptr;  // a write of the value the read returned
    for (auto [c, d_at] : part.positions) {
      if (d_at < 0 || !ops[d_at].is_ok()) continue;
      auto w = written(ops[d_at], independent);
      if (!w) continue;
      if (ops[d_at].time < ops[call].time && (!last || ops[d_at].time > last->time)) last = &ops[d_at];
      if (*w == returned && ops[c].time < read.time && (!source || ops[d_at].time > source->time)) source = &ops[d_at];
    }
    if (!last || *written(*last, independent) == returned) return "";
    if (!source && !returned.is_null()) return "";
    char when[96];
    std::snprintf(when, sizeof when, "%.3f s, before the read began at %.3f s", static_cast<double>(last->time) / 1e9,
                  static_cast<double>(ops[call].time) / 1e9);
    d["violation"] = {{"kind", "stale-read"},
                      {"read", ops[call].index},
                      {"returned", returned},
                      {"missed-write", last->index},
                      {"missed-value", *written(*last, independent)},
                      {"missed-write-completed-ns", last->time}};
    std::string text = "stale read: it returned " + returned.dump() +
                       (source ? " (written by op " + std::to_string(source->index) + ")" : "") + ", but op " +
                       std::to_string(last->index) + " (" + describe(*last) + ") had already completed at " + when;
    return text;
  }

  void explain_failure(const ClientOps& ops, const Part& part, bool independent, const std::vector<FaultWindow>& faults,
                       CheckResult& result) const {
    const SearchResult& r = part.result;
    const Steps& steps = *part.steps;
    Json& d = result.details;
    if (independent) d["key"] = part.key;
    Json prefix = Json::array();
    for (auto [i, state] : r.linearization)
      prefix.push_back({{"op", op_json(ops, part, i)}, {"model", steps.describe(state)}});
    d["last-linearized"] = prefix;
    Json previous_ok;
    for (auto it = r.linearization.rbegin(); it != r.linearization.rend(); ++it)
      if (part.ops[it->first].required) {
        previous_ok = op_json(ops, part, it->first);
        break;
      }
    d["previous-ok"] = previous_ok;
    const SearchOp& stuck = part.ops[r.stuck];
    d["op"] = op_json(ops, part, r.stuck);
    std::vector<bool> placed(part.ops.size(), false);
    for (auto [i, state] : r.linearization) placed[i] = true;
    Json concurrent = Json::array();
    for (size_t i = 0; i < part.ops.size(); ++i) {
      const SearchOp& op = part.ops[i];
      if (static_cast<int32_t>(i) == r.stuck || placed[i] || op.call > stuck.ret || op.ret < stuck.call) continue;
      concurrent.push_back(op_json(ops, part, static_cast<int32_t>(i)));
    }
    d["concurrent"] = concurrent;
    int32_t state = r.linearization.empty() ? 0 : r.linearization.back().second;
    std::string state_text = steps.describe(state);
    std::string where = independent ? "key " + part.key.dump() + ": " : "";
    std::string what = where + "op " + std::to_string(ops[part.positions[r.stuck].first].index) + " (" +
                       describe(ops[part.positions[r.stuck].second]) + ") cannot be linearized";
    // Where and when: the node that served the op and the faults active during its window.
    auto [call_at, done_at] = part.positions[r.stuck];
    const Op& served = ops[done_at >= 0 ? done_at : call_at];
    std::string context;
    if (!served.node.empty()) {
      d["node"] = served.node;
      context += " It was served by " + served.node + ".";
    }
    Json active = Json::array();
    std::string active_text;
    int64_t until = done_at >= 0 ? ops[done_at].time : INT64_MAX;
    for (const FaultWindow& w : faults_during(faults, ops[call_at].time, until)) {
      active.push_back(to_json(w));
      active_text += (active_text.empty() ? "" : "; ") + describe(w);
    }
    d["faults-active"] = active;
    context +=
        active_text.empty() ? " No fault was active during it." : " Faults active during it: " + active_text + ".";
    if (r.unreachable) {
      d["unreachable"] = true;
      d["violation"] = {{"kind", "impossible-value"}, {"op", ops[call_at].index}};
      result.explanation = what +
                           ": impossible value: no sequence of the history's ops reaches a state in which it is legal "
                           "(for a read: nothing ever wrote that value)." +
                           context;
      return;
    }
    std::string kind = stale_read(ops, part, r.stuck, independent, d);
    if (!kind.empty()) {
      result.explanation = what + ": " + kind + "." + context;
      return;
    }
    d["violation"] = {{"kind", "no-linearization"}, {"op", ops[call_at].index}};
    result.explanation = what + ". The longest linearizable prefix places " + std::to_string(r.linearization.size()) +
                         " ops and leaves the model at " + state_text + "; no order of the " +
                         std::to_string(concurrent.size()) + " unplaced concurrent ops makes it legal." + context;
  }

  void write_files(const ClientOps& ops, const std::vector<Part>& parts, const Json& o,
                   const std::filesystem::path& dir, CheckResult& result) const {
    std::filesystem::create_directories(dir);
    if (result.verdict == Verdict::kInvalid) {
      for (const Part& part : parts)
        if (part.result.outcome == SearchOutcome::kIllegal) {
          write_html_view(dir / "linear.html", ops.size(), part_view(ops, part, result.explanation));
          result.files.push_back("linear.html");
          break;
        }
    } else if (result.verdict == Verdict::kValid && option<bool>(o, "witness", false)) {
      Json witness = Json::array();
      for (const Part& part : parts) {
        Json order = Json::array();
        for (auto [i, state] : part.result.linearization)
          order.push_back({{"index", ops[part.positions[i].first].index}, {"model", part.steps->describe(state)}});
        witness.push_back({{"key", part.key}, {"linearization", order}});
      }
      std::ofstream out(dir / "linear-witness.json");
      out << witness.dump(1) << "\n";
      if (!out) fail(ErrorCode::kIo, "cannot write " + (dir / "linear-witness.json").string());
      result.files.push_back("linear-witness.json");
    }
  }

  HtmlView part_view(const ClientOps& ops, const Part& part, const std::string& explanation) const {
    HtmlView view;
    view.title = "Not linearizable (" + model_->name() + ")";
    view.explanation = explanation;
    const SearchResult& r = part.result;
    std::vector<int32_t> order(part.ops.size(), -1);
    for (size_t k = 0; k < r.linearization.size(); ++k) order[r.linearization[k].first] = static_cast<int32_t>(k);
    const SearchOp& stuck = part.ops[r.stuck];
    for (size_t i = 0; i < part.ops.size(); ++i) {
      auto [call, done] = part.positions[i];
      HtmlBar bar;
      bar.process = ops[call].process;
      bar.start = call;
      bar.end = done;
      const Op& shown = ops[done >= 0 ? done : call];  // the lane names the process
      bar.label = (done < 0 ? "info " : "") + shown.f + (shown.value.is_null() ? "" : " " + shown.value.dump());
      bar.order = order[i];
      if (order[i] >= 0) {
        bar.model_after = part.steps->describe(r.linearization[order[i]].second);
        bar.role = HtmlBar::Role::kLinearized;
      } else if (static_cast<int32_t>(i) == r.stuck) {
        bar.role = HtmlBar::Role::kStuck;
      } else if (part.ops[i].call <= stuck.ret && part.ops[i].ret >= stuck.call) {
        bar.role = HtmlBar::Role::kConcurrent;
      }
      view.bars.push_back(std::move(bar));
    }
    view.focus_end = stuck.ret;
    return view;
  }

  std::unique_ptr<Model> model_;
};

}  // namespace

std::unique_ptr<Checker> linear_checker(const std::string& model) { return linear_checker(make_model(model)); }

std::unique_ptr<Checker> linear_checker(std::unique_ptr<Model> model) {
  return std::make_unique<LinearChecker>(std::move(model));
}

}  // namespace faultline::linear
