#include "harness/core/generator.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace faultline {

int64_t seconds(double s) { return static_cast<int64_t>(std::llround(s * 1e9)); }

int64_t Context::process(int thread) const {
  if (thread == nemesis_thread()) return kNemesisProcess;
  return (*process_of)[static_cast<size_t>(thread)];
}

int Context::thread_of(int64_t process) const {
  if (process == kNemesisProcess) return nemesis_thread();
  return static_cast<int>(process % clients);
}

Context Context::only(const std::function<bool(int)>& keep) const {
  Context c = *this;
  std::erase_if(c.threads, [&](int t) { return !keep(t); });
  std::erase_if(c.free, [&](int t) { return !keep(t); });
  return c;
}

namespace {

// Completes an op template for a free thread of ctx, or nullopt when none is free.
std::optional<Op> fill(Op op, const Context& ctx) {
  if (ctx.free.empty()) return std::nullopt;
  int thread = ctx.free.size() == 1 ? ctx.free[0] : ctx.free[ctx.rng->below(ctx.free.size())];
  op.type = OpType::kInvoke;
  op.process = ctx.process(thread);
  op.time = std::max(op.time, ctx.time);
  op.index = -1;
  return op;
}

class OnceOp : public Generator {
 public:
  explicit OnceOp(Op op) : op_(std::move(op)) {}
  Next next(const Context& ctx) override {
    if (done_) return Next::exhausted();
    auto op = fill(op_, ctx);
    if (!op) return Next::pending();
    done_ = true;
    return Next::of(std::move(*op));
  }

 private:
  Op op_;
  bool done_ = false;
};

class Fn : public Generator {
 public:
  explicit Fn(std::function<std::optional<Op>(const Context&)> make) : make_(std::move(make)) {}
  Next next(const Context& ctx) override {
    if (done_) return Next::exhausted();
    if (ctx.free.empty()) return Next::pending();
    auto op = make_(ctx);
    if (!op) {
      done_ = true;
      return Next::exhausted();
    }
    return Next::of(*fill(std::move(*op), ctx));
  }

 private:
  std::function<std::optional<Op>(const Context&)> make_;
  bool done_ = false;
};

class Nothing : public Generator {
 public:
  Next next(const Context&) override { return Next::exhausted(); }
};

class SleepFor : public Generator {
 public:
  explicit SleepFor(int64_t dt) : dt_(dt) {}
  Next next(const Context& ctx) override {
    if (until_ < 0) until_ = ctx.time + dt_;
    return ctx.time >= until_ ? Next::exhausted() : Next::pending(until_);
  }

 private:
  int64_t dt_;
  int64_t until_ = -1;
};

class LogMessage : public Generator {
 public:
  explicit LogMessage(std::string message) : message_(std::move(message)) {}
  Next next(const Context& ctx) override {
    if (!done_ && ctx.log) ctx.log(message_);
    done_ = true;
    return Next::exhausted();
  }

 private:
  std::string message_;
  bool done_ = false;
};

class Mix : public Generator {
 public:
  explicit Mix(std::vector<Gen> gens) : gens_(std::move(gens)) {}
  Next next(const Context& ctx) override {
    while (!gens_.empty()) {
      size_t i = ctx.rng->below(gens_.size());
      Next n = gens_[i]->next(ctx);
      if (!n.is_exhausted()) return n;
      gens_.erase(gens_.begin() + static_cast<long>(i));
    }
    return Next::exhausted();
  }
  void update(const Context& ctx, const Op& event) override {
    for (auto& g : gens_) g->update(ctx, event);
  }

 private:
  std::vector<Gen> gens_;
};

class Limit : public Generator {
 public:
  Limit(int64_t n, Gen gen) : left_(n), gen_(std::move(gen)) {}
  Next next(const Context& ctx) override {
    if (left_ <= 0) return Next::exhausted();
    Next n = gen_->next(ctx);
    if (n.is_op()) --left_;
    return n;
  }
  void update(const Context& ctx, const Op& event) override { gen_->update(ctx, event); }

 private:
  int64_t left_;
  Gen gen_;
};

class Repeat : public Generator {
 public:
  Repeat(int64_t n, Gen gen) : left_(n), gen_(std::move(gen)) {}
  Next next(const Context& ctx) override {
    if (left_ == 0) return Next::exhausted();
    if (!first_) {
      Next n = gen_->next(ctx);
      if (!n.is_op()) return n;
      first_ = n.op;
      first_->time = 0;
      if (left_ > 0) --left_;
      return n;
    }
    auto op = fill(*first_, ctx);
    if (!op) return Next::pending();
    if (left_ > 0) --left_;
    return Next::of(std::move(*op));
  }
  void update(const Context& ctx, const Op& event) override { gen_->update(ctx, event); }

 private:
  int64_t left_;
  Gen gen_;
  std::optional<Op> first_;
};

class Cycle : public Generator {
 public:
  Cycle(GenFactory make, int64_t times) : make_(std::move(make)), left_(times) {}
  Next next(const Context& ctx) override {
    // A fresh generator that is exhausted at once would spin; a few attempts then give up.
    for (int attempts = 0; attempts < 2; ++attempts) {
      if (!gen_) {
        if (left_ == 0) return Next::exhausted();
        if (left_ > 0) --left_;
        gen_ = make_();
      }
      Next n = gen_->next(ctx);
      if (!n.is_exhausted()) return n;
      gen_.reset();
    }
    return Next::pending();
  }
  void update(const Context& ctx, const Op& event) override {
    if (gen_) gen_->update(ctx, event);
  }

 private:
  GenFactory make_;
  int64_t left_;
  Gen gen_;
};

class TimeLimit : public Generator {
 public:
  TimeLimit(int64_t dt, Gen gen) : dt_(dt), gen_(std::move(gen)) {}
  Next next(const Context& ctx) override {
    if (deadline_ < 0) deadline_ = ctx.time + dt_;
    if (ctx.time >= deadline_) return Next::exhausted();
    Next n = gen_->next(ctx);
    if (n.is_op() && n.op.time >= deadline_) return Next::exhausted();
    if (n.is_pending()) n.wake = std::min(n.wake, deadline_);
    return n;
  }
  void update(const Context& ctx, const Op& event) override { gen_->update(ctx, event); }

 private:
  int64_t dt_;
  int64_t deadline_ = -1;
  Gen gen_;
};

class Spaced : public Generator {
 public:
  Spaced(int64_t dt, bool random, Gen gen) : dt_(dt), random_(random), gen_(std::move(gen)) {}
  Next next(const Context& ctx) override {
    if (next_time_ < 0) next_time_ = ctx.time;
    Next n = gen_->next(ctx);
    if (!n.is_op()) return n;
    n.op.time = std::max(n.op.time, next_time_);
    int64_t gap = random_ ? static_cast<int64_t>(ctx.rng->unit() * 2.0 * static_cast<double>(dt_)) : dt_;
    next_time_ = n.op.time + gap;
    return n;
  }
  void update(const Context& ctx, const Op& event) override { gen_->update(ctx, event); }

 private:
  int64_t dt_;
  bool random_;
  Gen gen_;
  int64_t next_time_ = -1;
};

class Then : public Generator {
 public:
  explicit Then(std::vector<Gen> gens) : gens_(std::move(gens)) {}
  Next next(const Context& ctx) override {
    while (i_ < gens_.size()) {
      Next n = gens_[i_]->next(ctx);
      if (!n.is_exhausted()) return n;
      ++i_;
    }
    return Next::exhausted();
  }
  void update(const Context& ctx, const Op& event) override {
    if (i_ < gens_.size()) gens_[i_]->update(ctx, event);
  }

 private:
  std::vector<Gen> gens_;
  size_t i_ = 0;
};

class Synchronize : public Generator {
 public:
  explicit Synchronize(Gen gen) : gen_(std::move(gen)) {}
  Next next(const Context& ctx) override {
    if (!started_) {
      if (!ctx.all_free()) return Next::pending();
      started_ = true;
    }
    return gen_->next(ctx);
  }
  void update(const Context& ctx, const Op& event) override {
    if (started_) gen_->update(ctx, event);
  }

 private:
  Gen gen_;
  bool started_ = false;
};

// Several generators, each limited to its own threads; the soonest op among them wins. An op a
// generator returned but that was not chosen is held and offered again, because returned ops must
// be invoked.
class Soonest : public Generator {
 public:
  struct Part {
    Gen gen;
    std::function<bool(int)> owns;  // which threads are this part's
    std::optional<Op> held;
    bool exhausted = false;
  };
  explicit Soonest(std::vector<Part> parts) : parts_(std::move(parts)) {}

  Next next(const Context& ctx) override {
    int64_t wake = INT64_MAX;
    Part* best = nullptr;
    bool live = false;
    for (Part& p : parts_) {
      if (p.exhausted) continue;
      if (!p.held) {
        Context sub = ctx.only(p.owns);
        if (sub.threads.empty()) {
          p.exhausted = true;
          continue;
        }
        Next n = p.gen->next(sub);
        if (n.is_exhausted()) {
          p.exhausted = true;
          continue;
        }
        if (n.is_pending()) {
          live = true;
          wake = std::min(wake, n.wake);
          continue;
        }
        p.held = std::move(n.op);
      }
      live = true;
      int thread = ctx.thread_of(p.held->process);
      if (!std::binary_search(ctx.free.begin(), ctx.free.end(), thread)) continue;
      if (!best || p.held->time < best->held->time) best = &p;
    }
    // A pending part may wake before the best op is due; it might have something sooner.
    if (best && best->held->time <= wake) {
      Op op = std::move(*best->held);
      best->held.reset();
      return Next::of(std::move(op));
    }
    if (best) wake = std::min(wake, best->held->time);
    return live ? Next::pending(wake) : Next::exhausted();
  }

  void update(const Context& ctx, const Op& event) override {
    int thread = ctx.thread_of(event.process);
    for (Part& p : parts_)
      if (!p.exhausted && p.owns(thread)) p.gen->update(ctx, event);
  }

 protected:
  std::vector<Part> parts_;
};

class EachThread : public Soonest {
 public:
  explicit EachThread(GenFactory make) : Soonest({}), make_(std::move(make)) {}
  Next next(const Context& ctx) override {
    for (int t : ctx.threads) {
      if (known_.insert(t).second) parts_.push_back({make_(), [t](int x) { return x == t; }, {}, false});
    }
    return Soonest::next(ctx);
  }

 private:
  GenFactory make_;
  std::set<int> known_;
};

class Until : public Generator {
 public:
  explicit Until(Gen gen) : gen_(std::move(gen)) {}
  Next next(const Context& ctx) override {
    if (done_) return Next::exhausted();
    Next n = gen_->next(ctx);
    if (n.is_op()) mine_.insert(n.op.process);
    return n;
  }
  void update(const Context& ctx, const Op& event) override {
    if (!event.is_invoke() && mine_.erase(event.process) && event.is_ok()) done_ = true;
    gen_->update(ctx, event);
  }

 private:
  Gen gen_;
  std::set<int64_t> mine_;
  bool done_ = false;
};

class FlipFlop : public Generator {
 public:
  FlipFlop(Gen a, Gen b) : gens_{std::move(a), std::move(b)} {}
  Next next(const Context& ctx) override {
    Next n = gens_[turn_]->next(ctx);
    if (n.is_op()) turn_ ^= 1;
    return n;
  }
  void update(const Context& ctx, const Op& event) override {
    for (auto& g : gens_) g->update(ctx, event);
  }

 private:
  Gen gens_[2];
  int turn_ = 0;
};

class Filter : public Generator {
 public:
  Filter(std::function<bool(const Op&)> keep, Gen gen) : keep_(std::move(keep)), gen_(std::move(gen)) {}
  Next next(const Context& ctx) override {
    // Bounded so a filter that rejects an endless stream cannot hang the interpreter.
    for (int tries = 0; tries < 10000; ++tries) {
      Next n = gen_->next(ctx);
      if (!n.is_op() || keep_(n.op)) return n;
    }
    return Next::pending();
  }
  void update(const Context& ctx, const Op& event) override { gen_->update(ctx, event); }

 private:
  std::function<bool(const Op&)> keep_;
  Gen gen_;
};

class Map : public Generator {
 public:
  Map(std::function<Op(Op)> f, Gen gen) : f_(std::move(f)), gen_(std::move(gen)) {}
  Next next(const Context& ctx) override {
    Next n = gen_->next(ctx);
    if (n.is_op()) n.op = f_(std::move(n.op));
    return n;
  }
  void update(const Context& ctx, const Op& event) override { gen_->update(ctx, event); }

 private:
  std::function<Op(Op)> f_;
  Gen gen_;
};

class Routed : public Generator {
 public:
  Routed(bool to_nemesis, Gen gen) : to_nemesis_(to_nemesis), gen_(std::move(gen)) {}
  Next next(const Context& ctx) override {
    int n = ctx.nemesis_thread();
    return gen_->next(ctx.only([&](int t) { return (t == n) == to_nemesis_; }));
  }
  void update(const Context& ctx, const Op& event) override { gen_->update(ctx, event); }

 private:
  bool to_nemesis_;
  Gen gen_;
};

}  // namespace

Gen once_op(Op op) { return std::make_shared<OnceOp>(std::move(op)); }
Gen once_op(std::string f, Json value) {
  Op op;
  op.f = std::move(f);
  op.value = std::move(value);
  return once_op(std::move(op));
}
Gen fn(std::function<std::optional<Op>(const Context&)> make) { return std::make_shared<Fn>(std::move(make)); }
Gen nothing() { return std::make_shared<Nothing>(); }
Gen sleep_for(int64_t dt) { return std::make_shared<SleepFor>(dt); }
Gen log_message(std::string message) { return std::make_shared<LogMessage>(std::move(message)); }
Gen mix(std::vector<Gen> gens) { return std::make_shared<Mix>(std::move(gens)); }
Gen limit(int64_t n, Gen gen) { return std::make_shared<Limit>(n, std::move(gen)); }
Gen repeat(int64_t n, Gen gen) { return std::make_shared<Repeat>(n, std::move(gen)); }
Gen cycle(GenFactory make, int64_t times) { return std::make_shared<Cycle>(std::move(make), times); }
Gen time_limit(int64_t dt, Gen gen) { return std::make_shared<TimeLimit>(dt, std::move(gen)); }
Gen stagger(int64_t dt, Gen gen) { return std::make_shared<Spaced>(dt, true, std::move(gen)); }
Gen delay(int64_t dt, Gen gen) { return std::make_shared<Spaced>(dt, false, std::move(gen)); }
Gen then(Gen a, Gen b) { return std::make_shared<Then>(std::vector<Gen>{std::move(a), std::move(b)}); }
Gen synchronize(Gen gen) { return std::make_shared<Synchronize>(std::move(gen)); }
Gen phases(std::vector<Gen> gens) {
  for (auto& g : gens) g = synchronize(std::move(g));
  return std::make_shared<Then>(std::move(gens));
}
Gen each_thread(GenFactory make) { return std::make_shared<EachThread>(std::move(make)); }
Gen reserve(std::vector<std::pair<int, Gen>> ranges, Gen rest) {
  std::vector<Soonest::Part> parts;
  int start = 0;
  for (auto& [count, gen] : ranges) {
    int end = start + count;
    parts.push_back({std::move(gen), [start, end](int t) { return t >= start && t < end; }, {}, false});
    start = end;
  }
  parts.push_back({std::move(rest), [start](int t) { return t >= start; }, {}, false});
  return std::make_shared<Soonest>(std::move(parts));
}
Gen clients(Gen gen) { return std::make_shared<Routed>(false, std::move(gen)); }
Gen nemesis(Gen gen) { return std::make_shared<Routed>(true, std::move(gen)); }
Gen any(std::vector<Gen> gens) {
  std::vector<Soonest::Part> parts;
  for (auto& g : gens) parts.push_back({std::move(g), [](int) { return true; }, {}, false});
  return std::make_shared<Soonest>(std::move(parts));
}
Gen until_ok(Gen gen) { return std::make_shared<Until>(std::move(gen)); }
Gen flip_flop(Gen a, Gen b) { return std::make_shared<FlipFlop>(std::move(a), std::move(b)); }
Gen filter(std::function<bool(const Op&)> keep, Gen gen) {
  return std::make_shared<Filter>(std::move(keep), std::move(gen));
}
Gen map(std::function<Op(Op)> f, Gen gen) { return std::make_shared<Map>(std::move(f), std::move(gen)); }

}  // namespace faultline
