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

// The client ops of a compact history in order, each with its partner, without copying anything:
// an invocation left open at the end has the partner kOpenAtEnd and counts as an info op (as if an
// info completion closed it). Positions count client ops only.
class ClientOps {
 public:
  static constexpr int32_t kOpenAtEnd = -2;

  explicit ClientOps(const CompactHistory& h) : h_(h) {
    at_.resize(h.size());  // room for every op, trimmed to the client ops at the end
    partner_.resize(h.size());
    // process -> its open invocation (-1 when none): a table for the usual small process numbers,
    // kept per thread and cleaned after use, and a map for the others.
    constexpr int64_t kTable = 1 << 16;
    thread_local std::vector<int32_t> table;
    thread_local std::vector<int64_t> touched;
    FlatIdMap slot_of;          // other processes -> their slot in open
    std::vector<int32_t> open;  // per slot
    touched.clear();
    size_t clients = 0;
    auto open_of = [&](int64_t process) -> int32_t& {
      if (process >= 0 && process < kTable) {
        if (size_t(process) >= table.size()) table.resize(std::max<size_t>(process + 1, 2 * table.size()), -1);
        return table[process];
      }
      int32_t slot = slot_of.find(uint64_t(process));
      if (slot == FlatIdMap::kMissing) {
        slot = int32_t(open.size());
        slot_of.put(uint64_t(process), slot);
        open.push_back(-1);
      }
      return open[slot];
    };
    for (size_t i = 0; i < h.size(); ++i) {
      const CompactOp& op = h[i];
      if (op.is_nemesis()) continue;
      int32_t pos = int32_t(clients++);
      at_[pos] = uint32_t(i);
      partner_[pos] = -1;
      int32_t& invocation = open_of(op.process);
      if (op.is_invoke()) {
        if (invocation < 0 && op.process >= 0 && op.process < kTable) touched.push_back(op.process);
        invocation = pos;
      } else if (invocation >= 0) {
        partner_[pos] = invocation;
        partner_[invocation] = pos;
        invocation = -1;
      }
    }
    auto close = [&](int32_t& invocation) {
      if (invocation < 0) return;
      partner_[invocation] = kOpenAtEnd;
      ++closed_at_end_;
      invocation = -1;
    };
    at_.resize(clients);
    partner_.resize(clients);
    for (int64_t process : touched) close(table[process]);
    for (int32_t& invocation : open) close(invocation);
  }
  // Client ops, counting the info completions that close the invocations left open.
  size_t size() const { return at_.size() + closed_at_end_; }
  size_t real() const { return at_.size(); }
  const CompactOp& operator[](size_t i) const { return h_[at_[i]]; }
  // The position of op i's invocation or completion, -1 when it has none, kOpenAtEnd.
  int32_t partner(size_t i) const { return partner_[i]; }
  // The op as JSON, for explanations only.
  Op op(size_t i) const { return h_.op(at_[i]); }
  const CompactHistory& history() const { return h_; }

 private:
  const CompactHistory& h_;
  std::vector<uint32_t> at_;  // position -> index in the history
  std::vector<int32_t> partner_;
  size_t closed_at_end_ = 0;
};

// Jepsen's independent form: every client op's value is [key value] with a scalar key.
bool looks_independent(const ClientOps& ops) {
  const CompactHistory& h = ops.history();
  for (size_t i = 0; i < ops.real(); ++i) {
    ValueId v = ops[i].value;
    if (h.count(v) != 2) return false;
    ValueKind k = h.kind(h.element(v, 0));
    if (k == ValueKind::kArray || k == ValueKind::kObject || k == ValueKind::kNull) return false;
  }
  return ops.real() > 0;
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

// The option `key` as a T, or `fallback` when absent or null; Error(kBadInput) naming it when
// malformed. A reader copies all the options, so one is made only for an option that is given.
template <typename T>
T option(const Json& options, const char* key, T fallback) {
  if (options.is_object()) {
    auto it = options.find(key);
    if (it == options.end() || it->is_null()) return fallback;
  }
  return OptionReader(options, "checker option").get<T>(key, fallback);
}

// The ops of the longest linearizable prefix an explanation lists: its last ones.
constexpr size_t kPrefixShown = 32;

class LinearChecker : public Checker {
 public:
  explicit LinearChecker(std::unique_ptr<Model> model) : model_(std::move(model)) {}

  std::string name() const override { return "linearizable"; }

  CheckResult check(const HistoryView& input, const CheckOptions& options) const override {
    const CompactHistory& history = input.compact();
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
    Json initial = option<Json>(o, "initial-value", Json());
    std::vector<Part> parts = split(ops, independent, model_->initial(signed_numbers(std::move(initial))));
    run_parts(parts, limits);

    // Failed and unknown ops still make a history Knossos judges; only one without any client op
    // has nothing to judge (the stats checker calls a run in which nothing succeeded invalid).
    if (ops.real() == 0) {
      CheckResult nothing;
      nothing.verdict = Verdict::kUnknown;
      nothing.explanation = "the history has no client operation: nothing to judge";
      nothing.details = {{"valid", "unknown"}, {"model", model_->name()}};
      return nothing;
    }
    CheckResult result = summarize(ops, parts, independent);
    result.details["model"] = model_->name();
    result.details["time-ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    if (!options.out_dir.empty()) write_files(ops, parts, o, options.out_dir, result);
    return result;
  }

 private:
  // The ops the model sees, grouped per part, in the order of their keys. Fail ops never happened
  // and are dropped; so are info ops that cannot change the state (an info read) and info ops no ok
  // op could observe. Everything here reads the compact history: ids, not JSON.
  std::vector<Part> split(const ClientOps& ops, bool independent, const Json& initial) const {
    const CompactHistory& h = ops.history();
    struct Entry {  // one op the model sees
      int32_t group;
      CompactModelOp op;
      std::pair<int64_t, int64_t> position;
    };
    std::vector<Entry> entries;
    entries.reserve(ops.real() / 2 + 1);
    ValueIds keys(h);                   // one id per key JSON calls equal, as a std::map<Json> groups them
    std::vector<int32_t> group_of;      // key id + 1 -> group
    std::vector<int32_t> key_of_group;  // group -> key id (-1: the history is one part)
    std::vector<uint32_t> group_size;
    int64_t error_at = INT64_MAX;  // the first bad op in the history is the one named
    std::string error;
    auto bad = [&](int64_t p, const std::string& why) {
      if (p >= error_at) return;
      error_at = p;
      Op invoke = ops.op(p);
      error = "op " + std::to_string(invoke.index) + " (" + describe(invoke) + "): " + why;
    };
    for (size_t p = 0; p < ops.real(); ++p) {
      const CompactOp& invoke = ops[p];
      int32_t partner = ops.partner(p);
      if (!invoke.is_invoke() || partner == -1) continue;
      bool open = partner == ClientOps::kOpenAtEnd;
      const CompactOp* done = open ? nullptr : &ops[partner];
      if (done && done->is_fail()) continue;
      bool ok = done && done->is_ok();
      CompactModelOp mop{invoke.f, ok && !h.is_null(done->value) ? done->value : invoke.value, ok};
      int32_t key = -1;
      if (independent) {
        if (h.count(mop.value) != 2) {
          bad(int64_t(p), "expected a [key value] tuple like the other ops");
          continue;
        }
        key = keys.of(h.element(mop.value, 0));
        mop.value = h.element(mop.value, 1);
      }
      size_t slot = size_t(key + 1);
      if (slot >= group_of.size()) group_of.resize(slot + 1, -1);
      if (group_of[slot] < 0) {
        group_of[slot] = int32_t(key_of_group.size());
        key_of_group.push_back(key);
        group_size.push_back(0);
      }
      ++group_size[group_of[slot]];
      entries.push_back({group_of[slot], mop, {int64_t(p), ok ? partner : -1}});
    }
    // Parts in the order of their keys, as JSON orders them; each part's ops stay in call order.
    std::vector<int32_t> order(key_of_group.size());
    for (size_t g = 0; g < order.size(); ++g) order[g] = int32_t(g);
    if (independent)
      std::stable_sort(order.begin(), order.end(),
                       [&](int32_t a, int32_t b) { return keys.json(key_of_group[a]) < keys.json(key_of_group[b]); });
    std::vector<uint32_t> begin(order.size() + 1, 0);  // group -> its first entry once sorted by group
    for (size_t g = 0; g < order.size(); ++g) begin[g + 1] = begin[g] + group_size[g];
    std::vector<Entry> by_group;
    if (order.size() == 1) {
      by_group = std::move(entries);
      begin[0] = begin[1];
    } else {
      by_group.resize(entries.size());
      for (const Entry& e : entries) by_group[begin[e.group]++] = e;
      entries = {};
    }
    std::vector<Part> parts;
    parts.reserve(order.size());
    std::vector<CompactModelOp> group_ops;
    std::vector<int32_t> kinds, present;
    std::vector<uint8_t> seen;
    for (int32_t g : order) {
      std::span<const Entry> group(by_group.data() + begin[g] - group_size[g], group_size[g]);
      Part& part = parts.emplace_back();
      if (key_of_group[g] >= 0) part.key = keys.json(key_of_group[g]);
      group_ops.clear();
      for (const Entry& e : group) group_ops.push_back(e.op);
      part.steps = make_steps(*model_, h, initial, group_ops);
      part.ops.reserve(group.size());
      part.positions.reserve(group.size());
      kinds.assign(group.size(), -1);
      for (size_t i = 0; i < group.size(); ++i) {
        try {
          kinds[i] = part.steps->intern_op(group[i].op);
        } catch (const Error& e) {
          bad(group[i].position.first, e.what());
        }
      }
      if (error_at != INT64_MAX) continue;
      // Info reads are dropped; every other op is one that an info op might be observed by.
      present.clear();
      seen.assign(seen.size(), 0);
      for (size_t i = 0; i < group.size(); ++i) {
        if (!group[i].op.known && part.steps->read_only(kinds[i])) {
          kinds[i] = -1;
          continue;
        }
        if (size_t(kinds[i]) >= seen.size()) seen.resize(kinds[i] + 1, 0);
        if (!seen[kinds[i]]) {
          seen[kinds[i]] = 1;
          present.push_back(kinds[i]);
        }
      }
      for (size_t i = 0; i < group.size(); ++i) {
        if (kinds[i] < 0) continue;
        bool known = group[i].op.known;
        if (!known && part.steps->unobservable(kinds[i], present)) continue;
        part.ops.push_back({group[i].position.first, known ? group[i].position.second : kNever, kinds[i], known});
        part.positions.push_back(group[i].position);
      }
    }
    if (error_at != INT64_MAX) fail(ErrorCode::kBadInput, error);
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

  CheckResult summarize(const ClientOps& ops, const std::vector<Part>& parts, bool independent) const {
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
      std::vector<FaultWindow> faults = fault_windows(nemesis_ops(ops.history()));
      for (const Part& part : parts) {
        if (part.result.outcome != SearchOutcome::kIllegal) continue;
        CheckResult one;
        explain_failure(ops, part, independent, faults, &part == failed, one);
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

  // The nemesis ops and the last op, enough for fault_windows (made JSON only to explain a failure).
  static History nemesis_ops(const CompactHistory& h) {
    History out;
    int64_t last = -1;
    for (size_t i = 0; i < h.size(); ++i) {
      if (h[i].is_nemesis())
        out.push_back(h.op(i));
      else if (last < 0 || h[i].time >= h[last].time)
        last = int64_t(i);
    }
    if (last >= 0) out.push_back(h.op(last));  // a client op: only its time counts (the end of the history)
    return out;
  }

  Json op_json(const ClientOps& ops, const Part& part, int32_t i) const {
    auto [call, done] = part.positions[i];
    Json j = to_json(ops.op(done >= 0 ? done : call));
    j["index"] = ops[call].index;  // the invocation's index names the op, as in Knossos
    if (done < 0) j["type"] = "info";
    return j;
  }

  // The op's own value: the value of a [key value] tuple when the history is split per key.
  static ValueId own_value(const CompactHistory& h, const CompactOp& op, bool independent) {
    if (independent && h.count(op.value) == 2) return h.element(op.value, 1);
    return op.value;
  }

  // What an ok op left in a register: the value of a write, the new value of a cas; none otherwise.
  static std::optional<ValueId> written(const CompactHistory& h, const CompactOp& done, bool independent) {
    ValueId v = own_value(h, done, independent);
    if (done.f == h.find("write") && done.f != kNoString) return v;
    if (done.f == h.find("cas") && done.f != kNoString && h.count(v) == 2) return h.element(v, 1);
    return std::nullopt;
  }

  // Names the kind of violation where the history shows it: a read that returned something other
  // than what the last write completed before it began wrote is a stale read. Empty when the shape
  // of the violation has no simpler name than "no linearization".
  static std::string stale_read(const ClientOps& ops, const Part& part, int32_t stuck, bool independent, Json& d) {
    const CompactHistory& h = ops.history();
    auto [call, done_at] = part.positions[stuck];
    if (done_at < 0) return "";
    const CompactOp& read = ops[done_at];
    if (read.f == kNoString || read.f != h.find("read") || !read.is_ok()) return "";
    ValueId returned = own_value(h, read, independent);
    int64_t last = -1;    // the last ok write completed before the read was invoked
    int64_t source = -1;  // a write of the value the read returned
    for (auto [c, d_at] : part.positions) {
      if (d_at < 0 || !ops[d_at].is_ok()) continue;
      auto w = written(h, ops[d_at], independent);
      if (!w) continue;
      const CompactOp& done = ops[d_at];
      if (done.time < ops[call].time && (last < 0 || done.time > ops[last].time)) last = d_at;
      if (h.json(*w) == h.json(returned) && ops[c].time < read.time && (source < 0 || done.time > ops[source].time))
        source = d_at;
    }
    if (last < 0 || h.json(*written(h, ops[last], independent)) == h.json(returned)) return "";
    if (source < 0 && !h.is_null(returned)) return "";
    Op last_op = ops.op(last);
    char when[96];
    std::snprintf(when, sizeof when, "%.3f s, before the read began at %.3f s", static_cast<double>(last_op.time) / 1e9,
                  static_cast<double>(ops[call].time) / 1e9);
    Json returned_json = h.json(returned);
    d["violation"] = {{"kind", "stale-read"},
                      {"read", ops[call].index},
                      {"returned", returned_json},
                      {"missed-write", last_op.index},
                      {"missed-value", h.json(*written(h, ops[last], independent))},
                      {"missed-write-completed-ns", last_op.time}};
    std::string text = "stale read: it returned " + returned_json.dump() +
                       (source >= 0 ? " (written by op " + std::to_string(ops[source].index) + ")" : "") + ", but op " +
                       std::to_string(last_op.index) + " (" + describe(last_op) + ") had already completed at " + when;
    return text;
  }

  // Explains why the part is not linearizable; with `context`, also lists the ops around it (the
  // longest linearizable prefix, the unplaced concurrent ops): the first failing part's evidence,
  // which for the other failing keys would only repeat the kind of thing at great length.
  void explain_failure(const ClientOps& ops, const Part& part, bool independent, const std::vector<FaultWindow>& faults,
                       bool context, CheckResult& result) const {
    const SearchResult& r = part.result;
    const Steps& steps = *part.steps;
    Json& d = result.details;
    if (independent) d["key"] = part.key;
    if (context) {
      // The end of the prefix, where it got stuck, as Knossos's final paths show it: the whole
      // prefix of a long history would be most of the history again, as JSON.
      Json prefix = Json::array();
      size_t shown = std::min(r.linearization.size(), kPrefixShown);
      for (size_t p = r.linearization.size() - shown; p < r.linearization.size(); ++p) {
        auto [i, state] = r.linearization[p];
        prefix.push_back({{"op", op_json(ops, part, i)}, {"model", steps.describe(state)}});
      }
      d["last-linearized"] = prefix;
      d["linearized-count"] = r.linearization.size();
      Json previous_ok;
      for (auto it = r.linearization.rbegin(); it != r.linearization.rend(); ++it)
        if (part.ops[it->first].required) {
          previous_ok = op_json(ops, part, it->first);
          break;
        }
      d["previous-ok"] = previous_ok;
    }
    const SearchOp& stuck = part.ops[r.stuck];
    d["op"] = op_json(ops, part, r.stuck);
    std::vector<bool> placed(part.ops.size(), false);
    for (auto [i, state] : r.linearization) placed[i] = true;
    Json concurrent = Json::array();
    size_t concurrent_count = 0;
    for (size_t i = 0; i < part.ops.size(); ++i) {
      const SearchOp& op = part.ops[i];
      if (static_cast<int32_t>(i) == r.stuck || placed[i] || op.call > stuck.ret || op.ret < stuck.call) continue;
      ++concurrent_count;
      if (context) concurrent.push_back(op_json(ops, part, static_cast<int32_t>(i)));
    }
    if (context) d["concurrent"] = concurrent;
    int32_t state = r.linearization.empty() ? 0 : r.linearization.back().second;
    std::string state_text = steps.describe(state);
    std::string where = independent ? "key " + part.key.dump() + ": " : "";
    std::string what = where + "op " + std::to_string(ops[part.positions[r.stuck].first].index) + " (" +
                       describe(ops.op(part.positions[r.stuck].second)) + ") cannot be linearized";
    // Where and when: the node that served the op and the faults active during its window.
    auto [call_at, done_at] = part.positions[r.stuck];
    Op served = ops.op(done_at >= 0 ? done_at : call_at);
    std::string where_when;
    if (!served.node.empty()) {
      d["node"] = served.node;
      where_when += " It was served by " + served.node + ".";
    }
    Json active = Json::array();
    std::string active_text;
    int64_t until = done_at >= 0 ? ops[done_at].time : INT64_MAX;
    for (const FaultWindow& w : faults_during(faults, ops[call_at].time, until)) {
      active.push_back(to_json(w));
      active_text += (active_text.empty() ? "" : "; ") + describe(w);
    }
    d["faults-active"] = active;
    where_when +=
        active_text.empty() ? " No fault was active during it." : " Faults active during it: " + active_text + ".";
    if (r.unreachable) {
      d["unreachable"] = true;
      d["violation"] = {{"kind", "impossible-value"}, {"op", ops[call_at].index}};
      result.explanation = what +
                           ": impossible value: no sequence of the history's ops reaches a state in which it is legal "
                           "(for a read: nothing ever wrote that value)." +
                           where_when;
      return;
    }
    std::string kind = stale_read(ops, part, r.stuck, independent, d);
    if (!kind.empty()) {
      result.explanation = what + ": " + kind + "." + where_when;
      return;
    }
    d["violation"] = {{"kind", "no-linearization"}, {"op", ops[call_at].index}};
    result.explanation = what + ". The longest linearizable prefix places " + std::to_string(r.linearization.size()) +
                         " ops and leaves the model at " + state_text + "; no order of the " +
                         std::to_string(concurrent_count) + " unplaced concurrent ops makes it legal." + where_when;
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
      Op shown = ops.op(done >= 0 ? done : call);  // the lane names the process
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
