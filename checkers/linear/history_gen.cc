#include "checkers/linear/history_gen.h"

#include <algorithm>
#include <deque>
#include <map>
#include <queue>
#include <string>
#include <vector>

#include "harness/core/random.h"

namespace faultline::linear {
namespace {

// An event of the simulation: an op's invocation, its effect on the store, or its completion.
struct Event {
  int64_t time;
  int64_t seq;
  enum Kind { kInvoke, kEffect, kComplete } kind;
  int id;  // invoke: the client slot (a worker thread); effect and complete: the op's record
  bool operator>(const Event& o) const { return time != o.time ? time > o.time : seq > o.seq; }
};

struct Pending {
  int slot = 0;
  Op invoke;
  Json result;     // the value the completion reports
  bool ok = true;  // false: cas precondition failed
  bool crashed = false;
};

class Simulation {
 public:
  explicit Simulation(const GenSpec& spec)
      : spec_(spec), rng_(Rng(spec.seed).fork("linear-history")), process_(spec.processes) {
    for (int s = 0; s < spec.processes; ++s) {
      process_[s] = s;
      schedule(rng_.between(0, 5), Event::kInvoke, s);
    }
  }

  History run() {
    while (!events_.empty()) {
      Event e = events_.top();
      events_.pop();
      now_ = e.time;
      if (e.kind == Event::kInvoke)
        invoke(e.id);
      else if (e.kind == Event::kEffect)
        effect(pending_[e.id]);
      else
        complete(pending_[e.id]);
    }
    reindex(history_);
    return history_;
  }

 private:
  void schedule(int64_t at, Event::Kind kind, int id) { events_.push({at, seq_++, kind, id}); }

  Json wrap(const Json& key, Json value) const { return spec_.keys > 1 ? Json::array({key, std::move(value)}) : value; }

  void invoke(int slot) {
    if (started_ >= spec_.ops) return;
    ++started_;
    int id = static_cast<int>(pending_.size());
    Pending& p = pending_.emplace_back();
    p.slot = slot;
    Op& op = p.invoke;
    op.process = process_[slot];
    op.type = OpType::kInvoke;
    op.time = now_;
    Json key = static_cast<int64_t>(rng_.below(spec_.keys));
    uint64_t roll = rng_.below(3);
    int64_t v = static_cast<int64_t>(rng_.below(std::max(spec_.values, 1)));
    if (spec_.shape == GenSpec::Shape::kKv) {
      const char* fs[] = {"get", "put", "append"};
      op.f = fs[roll];
      // Like the kv clients Porcupine's histories come from: every put and append writes a unique
      // token (client and sequence number) unless `values` asks for small, ambiguous ones.
      std::string token =
          spec_.values > 0 ? std::to_string(v) : "x" + std::to_string(slot) + "." + std::to_string(started_) + ";";
      op.value = wrap(key, roll == 0 ? Json() : Json(token));
    } else {
      const char* fs[] = {"read", "write", "cas"};
      op.f = fs[roll];
      op.value = wrap(key, roll == 0   ? Json()
                           : roll == 1 ? Json(v)
                                       : Json::array({static_cast<int64_t>(rng_.below(spec_.values)), v}));
    }
    history_.push_back(op);
    p.crashed = rng_.chance(spec_.crash_rate);
    int64_t effect_at = now_ + rng_.between(1, 10);
    // A crashed op may take effect long after the client gave up on it, or never.
    if (p.crashed) effect_at = rng_.chance(0.5) ? now_ + rng_.between(1, 200) : -1;
    if (effect_at >= 0) schedule(effect_at, Event::kEffect, id);
    schedule(p.crashed ? now_ + rng_.between(5, 30) : effect_at + rng_.between(1, 10), Event::kComplete, id);
  }

  void effect(Pending& p) {
    Json key = spec_.keys > 1 ? p.invoke.value[0] : Json(0);
    Json arg = spec_.keys > 1 ? p.invoke.value[1] : p.invoke.value;
    Json& state = store_[key.dump()];
    if (state.is_null() && spec_.shape == GenSpec::Shape::kCasRegister) state = 0;
    const std::string& f = p.invoke.f;
    if (f == "read" || f == "get") {
      p.result = wrap(key, state);
    } else if (f == "write" || f == "put") {
      state = arg;
    } else if (f == "append") {
      state = (state.is_null() ? std::string() : state.get<std::string>()) + arg.get<std::string>();
    } else {  // cas
      p.ok = state == arg[0];
      if (p.ok) state = arg[1];
    }
  }

  void complete(const Pending& p) {
    int slot = p.slot;
    Op op = p.invoke;
    op.time = now_;
    if (p.crashed) {
      op.type = OpType::kInfo;
      process_[slot] += spec_.processes;  // the old op may still be in flight: a new process continues
    } else {
      op.type = p.ok ? OpType::kOk : OpType::kFail;
      if (!p.result.is_null()) op.value = p.result;
    }
    history_.push_back(op);
    schedule(now_ + rng_.between(1, 5), Event::kInvoke, slot);
  }

  const GenSpec& spec_;
  Rng rng_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::deque<Pending> pending_;  // every op's record; a deque keeps references stable
  std::vector<int64_t> process_;
  std::map<std::string, Json> store_;
  History history_;
  int64_t now_ = 0, seq_ = 0;
  int started_ = 0;
};

}  // namespace

History generate_history(const GenSpec& spec) { return Simulation(spec).run(); }

History corrupt_history(const History& history, uint64_t seed) {
  std::vector<size_t> reads;
  for (size_t i = 0; i < history.size(); ++i) {
    const Op& op = history[i];
    if (!op.is_ok() || (op.f != "read" && op.f != "get")) continue;
    const Json& v = op.value.is_array() && op.value.size() == 2 ? op.value[1] : op.value;
    if (!v.is_null()) reads.push_back(i);
  }
  History out = history;
  if (reads.empty()) return out;
  Rng rng = Rng(seed).fork("corrupt");
  Op& op = out[rng.pick(reads)];
  Json never = op.value.is_array() ? Json(op.value[1].is_string() ? Json("never-written") : Json(-1)) : Json(-1);
  if (op.value.is_array() && op.value.size() == 2)
    op.value[1] = never;
  else
    op.value = never;
  return out;
}

History stale_read_history(const History& history, uint64_t seed) {
  std::vector<size_t> reads;
  for (size_t i = history.size() / 2; i < history.size(); ++i)
    if (history[i].is_ok() && history[i].f == "read") reads.push_back(i);
  History out = history;
  if (reads.empty()) return out;
  Rng rng = Rng(seed).fork("stale-read");
  size_t read = rng.pick(reads);
  std::vector<int64_t> partner = pair_index(history);
  // The values left by ok writes and cas ops that completed before the read was invoked, newest last.
  std::vector<Json> written;
  for (size_t i = 0; i < static_cast<size_t>(partner[read]); ++i) {
    const Op& op = history[i];
    if (!op.is_ok()) continue;
    if (op.f == "write") written.push_back(op.value);
    if (op.f == "cas") written.push_back(op.value[1]);
  }
  for (auto it = written.rbegin(); it != written.rend(); ++it)
    if (*it != written.back()) {
      out[read].value = *it;
      break;
    }
  return out;
}

}  // namespace faultline::linear
