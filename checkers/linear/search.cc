#include "checkers/linear/search.h"

#include <algorithm>
#include <memory>
#include <optional>

namespace faultline::linear {

StepTable::StepTable(const Model& model, const CompactHistory& history, const Json& initial_state)
    : model_(model), history_(history), values_(history) {
  intern_state(initial_state);
}

int32_t StepTable::intern_state(Json state) {
  auto [it, added] = state_ids_.emplace(state, static_cast<int32_t>(states_.size()));
  if (added) states_.push_back(std::move(state));
  return it->second;
}

int32_t StepTable::intern_op(const CompactModelOp& op) {
  int32_t value = values_.of(op.value);
  uint64_t key = (uint64_t(op.f) << 33) | (uint64_t(uint32_t(value)) << 1) | op.known;
  if (int32_t id = kind_ids_.find(key); id != FlatIdMap::kMissing) return id;
  ModelOp m{std::string(history_.str(op.f)), values_.json(value), op.known};
  model_.check_op(m);
  int32_t id = static_cast<int32_t>(kinds_.size());
  read_only_.push_back(model_.read_only(m));
  kinds_.push_back(std::move(m));
  kind_ids_.put(key, id);
  return id;
}

bool StepTable::unobservable(int32_t kind, std::span<const int32_t> kinds) const {
  std::vector<const ModelOp*> all;
  all.reserve(kinds.size());
  for (int32_t k : kinds) all.push_back(&kinds_[k]);
  return model_.unobservable(kinds_[kind], all);
}

int32_t StepTable::step(int32_t state, int32_t kind) {
  if (int32_t known = memo_.find(state, kind); known != StepMemo::kUnknown) return known;
  std::optional<Json> next = model_.step(states_[state], kinds_[kind]);
  int32_t id = next ? intern_state(std::move(*next)) : -1;
  memo_.put(state, kind, id);
  return id;
}

std::unique_ptr<Steps> make_steps(const Model& model, const CompactHistory& history, const Json& initial,
                                  std::span<const CompactModelOp> ops) {
  if (std::unique_ptr<Steps> compact = model.compact_steps(history, initial, ops)) return compact;
  return std::make_unique<StepTable>(model, history, initial);
}

namespace {

uint64_t mix(uint64_t x) {  // splitmix64 finalizer: a fixed random-looking key per op
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// The configurations explored or scheduled for exploration, as (placed required ops, state) groups,
// each with the sets of info ops placed on the way there. A configuration is pruned when its group
// holds a subset of its info ops: with fewer info ops used, more stay available, so every extension
// of the new configuration is open to the old one, which fails or is still to be explored. Open addressing over a flat
// table; bitsets live in arenas and are compared in full, so a hash collision can never prune anything.
class ConfigCache {
 public:
  // Empties the cache for a search of `ops` ops, keeping the buffers of the last search (a check of a
  // small history then allocates nothing); the table starts big enough for a few configurations per
  // op, so that it rarely grows.
  void reset(size_t required_words, size_t info_words, size_t ops) {
    required_words_ = required_words;
    info_words_ = info_words;
    size_t size = 64;
    while (size < 4 * ops && size < (size_t{1} << 16)) size *= 2;
    table_.assign(size, Entry{});
    group_count_ = info_count_ = 0;
    size_t expected = std::min<size_t>(4 * ops, size_t{1} << 16);  // configurations, as the table
    if (groups_.size() < expected * (required_words + 1)) groups_.resize(expected * (required_words + 1));
    if (infos_.size() < expected * (info_words + 1)) infos_.resize(expected * (info_words + 1));
  }
  // Gives the buffers back when a search left them big.
  void trim() {
    if (bytes() < (int64_t{8} << 20)) return;
    *this = ConfigCache();
  }

  // Starts loading the table slot that insert(hash, state, ...) will probe first: a big search's
  // table is far bigger than the caches, and a frame's moves can wait for their slots together.
  void prefetch(uint64_t hash, int32_t state) const {
    __builtin_prefetch(&table_[key_of(hash, state) & (table_.size() - 1)]);
  }

  // Whether the table is bigger than a core's own caches, where prefetching pays.
  bool beyond_caches() const { return table_.size() * sizeof(Entry) > (size_t{1} << 20); }

  // Records the configuration; false when an explored one makes it redundant.
  bool insert(uint64_t hash, int32_t state, const uint64_t* required, const uint64_t* info) {
    uint64_t key = key_of(hash, state);
    size_t mask = table_.size() - 1;
    for (size_t i = key & mask;; i = (i + 1) & mask) {
      Entry& e = table_[i];
      if (e.group == kNone) {
        e = {key, state, add_group(required, info)};
        if (group_count_ * 2 > table_.size()) grow();
        return true;
      }
      if (e.key != key || e.state != state) continue;
      uint64_t* group = &groups_[size_t{e.group} * (required_words_ + 1)];
      if (!same(group, required, required_words_)) continue;
      uint64_t& head = group[required_words_];
      for (uint64_t n = head; n != kNone; n = infos_[n * (info_words_ + 1)])
        if (subset(&infos_[n * (info_words_ + 1) + 1], info)) return false;
      head = add_info(head, info);
      return true;
    }
  }

  size_t size() const { return info_count_; }
  // What this search holds (buffers kept from an earlier, bigger search are not counted).
  int64_t bytes() const {
    return static_cast<int64_t>(table_.size() * sizeof(Entry) +
                                (group_count_ * (required_words_ + 1) + info_count_ * (info_words_ + 1)) *
                                    sizeof(uint64_t));
  }

 private:
  static constexpr uint32_t kNone = UINT32_MAX;
  // The op hashes are random in every bit; an odd multiplier spreads states over the low bits.
  static uint64_t key_of(uint64_t hash, int32_t state) {
    return hash ^ (uint64_t(uint32_t(state)) * 0x9E3779B97F4A7C15ull);
  }
  struct Entry {
    uint64_t key = 0;
    int32_t state = 0;
    uint32_t group = kNone;
  };

  // Bitsets are a word or two: plain loops beat the library calls for lengths known only at run time.
  static bool same(const uint64_t* a, const uint64_t* b, size_t words) {
    for (size_t w = 0; w < words; ++w)
      if (a[w] != b[w]) return false;
    return true;
  }
  bool subset(const uint64_t* a, const uint64_t* b) const {
    for (size_t w = 0; w < info_words_; ++w)
      if (a[w] & ~b[w]) return false;
    return true;
  }

  // A group is its required bitset and the index of its latest info set; an info set is the index
  // of the group's previous one and its bitset. Each lives in one arena, so a new configuration
  // costs two appends.
  uint32_t add_group(const uint64_t* required, const uint64_t* info) {
    uint64_t* at = append(groups_, group_count_, required_words_ + 1);
    std::copy(required, required + required_words_, at);
    at[required_words_] = add_info(kNone, info);
    return static_cast<uint32_t>(group_count_++);
  }
  uint64_t add_info(uint64_t previous, const uint64_t* info) {
    uint64_t* at = append(infos_, info_count_, info_words_ + 1);
    at[0] = previous;
    std::copy(info, info + info_words_, at + 1);
    return info_count_++;
  }
  // Room for record `index` of `words` words in `arena`, whose size is its capacity (doubled when
  // full, so an append is a bounds check).
  static uint64_t* append(std::vector<uint64_t>& arena, size_t index, size_t words) {
    size_t end = (index + 1) * words;
    if (end > arena.size()) arena.resize(std::max(end, 2 * arena.size()));
    return &arena[index * words];
  }

  void grow() {
    std::vector<Entry> old(table_.size() * 2);
    old.swap(table_);
    size_t mask = table_.size() - 1;
    for (const Entry& e : old) {
      if (e.group == kNone) continue;
      size_t i = e.key & mask;
      while (table_[i].group != kNone) i = (i + 1) & mask;
      table_[i] = e;
    }
  }

  size_t required_words_ = 0, info_words_ = 0;
  std::vector<Entry> table_;
  std::vector<uint64_t> groups_;  // per group: required bitset, latest info set (capacity: its size)
  std::vector<uint64_t> infos_;   // per info set: the group's previous one (kNone: none), bitset
  size_t group_count_ = 0, info_count_ = 0;
};

// Doubly linked lists over op positions with O(1) unlink and relink in LIFO order (dancing links).
// Position n is the sentinel.
struct Links {
  std::vector<int32_t> next, prev;
  void reset(size_t n) {
    next.resize(n + 1);
    prev.resize(n + 1);
    sentinel = static_cast<int32_t>(n);
    next[sentinel] = prev[sentinel] = sentinel;
  }
  void append(int32_t i) {
    prev[i] = prev[sentinel];
    next[i] = sentinel;
    next[prev[sentinel]] = i;
    prev[sentinel] = i;
  }
  void unlink(int32_t i) {
    next[prev[i]] = next[i];
    prev[next[i]] = prev[i];
  }
  void relink(int32_t i) { next[prev[i]] = prev[next[i]] = i; }
  int32_t first() const { return next[sentinel]; }
  int32_t sentinel = 0;
};

// Required ops invoked after the window whose reads push_frame checks for dead ends: a few, since
// every frame pays for them (on Porcupine's kv files 4 halve the configurations; 16 add little).
constexpr int kLookahead = 4;

struct Move {
  int32_t op;
  int32_t state;  // after the op
};

struct Frame {
  int32_t state;
  int32_t op;  // the op placed to reach this frame; -1 at the root
  uint32_t cand_begin, cand_end, cursor;
};

// One search at a time per thread; its buffers are kept for the next search (see search()).
class Searcher {
 public:
  void reset(const std::vector<SearchOp>& ops, Steps& steps, const SearchLimits& limits) {
    ops_ = &ops;
    steps_ = &steps;
    limits_ = &limits;
    n_ = ops.size();
    by_call_.reset(n_);
    by_ret_.reset(n_);
    unknown_.reset(n_);
    bits_.resize(n_);
    read_only_.resize(n_);
    required_.clear();
    size_t infos = 0;
    int32_t kinds = 0;
    for (size_t i = 0; i < n_; ++i) {
      read_only_[i] = steps.read_only(ops[i].kind);
      kinds = std::max(kinds, ops[i].kind + 1);
      size_t bit = ops[i].required ? required_.size() : infos++;
      bits_[i] = {uint32_t(bit >> 6), uint64_t{1} << (bit & 63), mix(i + 1), ops[i].required};
      if (ops[i].required) {
        by_call_.append(static_cast<int32_t>(i));
        required_.push_back(static_cast<int32_t>(i));
      } else {
        unknown_.append(static_cast<int32_t>(i));
      }
    }
    std::sort(required_.begin(), required_.end(),  // ties by position: no buffer as stable_sort takes
              [&](int32_t a, int32_t b) { return ops[a].ret < ops[b].ret || (ops[a].ret == ops[b].ret && a < b); });
    for (int32_t i : required_) by_ret_.append(i);
    grows_ = steps.grows();
    resets_.clear();  // in call order, as ops are
    for (size_t i = 0; i < n_; ++i)
      if (steps.resets(ops[i].kind)) resets_.push_back(static_cast<int32_t>(i));
    remaining_ = static_cast<int64_t>(required_.size());
    required_bits_.assign(required_.size() / 64 + 1, 0);
    info_bits_.assign((infos + 63) / 64, 0);  // none without info ops: every configuration's set is empty
    cache_.reset(required_bits_.size(), info_bits_.size(), n_);
    seen_kind_.assign(kinds, 0);
    stamp_ = 0;
    hash_ = 0;
    frames_.clear();
    candidates_.clear();
    placed_required_ = best_placed_ = 0;
    best_path_.clear();
    best_on_stack_ = false;
    best_shared_ = 0;
    best_stuck_ = -1;
    peak_ = reported_ = 0;
    ticks_ = 0;
  }

  // Leaves a paused search: its memory no longer counts.
  void abandon() {
    if (limits_->memory_used) limits_->memory_used->fetch_sub(reported_);
    reported_ = 0;
  }

  // Gives big buffers back once a search is over.
  void trim() {
    cache_.trim();
    if (frames_.capacity() + candidates_.capacity() > (size_t{1} << 20)) {
      frames_ = {};
      candidates_ = {};
    }
  }

  // Starts the search from the initial state.
  void start() {
    push_frame(0, -1);
    best_stuck_ = by_ret_.first() == by_ret_.sentinel ? -1 : by_ret_.first();
  }

  // Searches on until decided, or, when `pause_at` is given, until more configurations than that
  // are cached (nullopt: call again to go on from where it stopped).
  std::optional<SearchResult> run(size_t pause_at = SIZE_MAX) {
    SearchResult result;
    while (!frames_.empty()) {
      if (remaining_ == 0) {
        result.outcome = SearchOutcome::kLinearizable;
        record_path(result.linearization);
        return finish(result);
      }
      if ((ticks_++ & 1023) == 0) {  // also before the first step, so a spent budget shows at once
        if (limits_->stop && limits_->stop->load(std::memory_order_relaxed))
          return finish(result, SearchOutcome::kCancelled);
        if (limits_->decided && limits_->decided->load(std::memory_order_relaxed) &&
            static_cast<int64_t>(cache_.size()) > limits_->configurations_once_decided)
          return finish(result, SearchOutcome::kCancelled);
        if (std::chrono::steady_clock::now() > limits_->deadline) return finish(result, SearchOutcome::kOutOfTime);
        if (!account_memory()) return finish(result, SearchOutcome::kOutOfMemory);
      }
      if (cache_.size() > pause_at) return std::nullopt;
      Frame& top = frames_.back();
      if (top.cursor == top.cand_end) {
        pop_frame();
        continue;
      }
      auto [i, next] = candidates_[top.cursor++];
      flip(i);
      place(i);
      push_frame(next, i);
      if (placed_required_ > best_placed_) {
        best_placed_ = placed_required_;
        best_on_stack_ = true;
        best_stuck_ = by_ret_.first() == by_ret_.sentinel ? -1 : by_ret_.first();
      }
    }
    result.outcome = SearchOutcome::kIllegal;
    return finish(result);
  }

 private:
  // Pushes the frame for `state`, reached by placing `op`, with the moves to try from it: info ops
  // invoked before the earliest pending completion, then required ops invoked before it. Info ops
  // go first because a crashed op that took effect usually did so soon after its invocation; on
  // generated kv histories this order decides keys in milliseconds that the opposite order could
  // not decide in seconds. Info ops of the same kind are interchangeable, so only the earliest
  // unplaced one of each kind is tried (any linearization using a later one can use it instead).
  //
  // A required read-only op that is legal now is placed at once without alternatives: it changes no
  // state and placing it early only loosens the real-time bounds of the rest, so if any
  // linearization exists, one with it here does too. An info op that would leave this state
  // unchanged is not tried: leaving it unplaced keeps strictly more options. A configuration in
  // which a pending read is a dead end (see dead_end) gets no moves.
  //
  // Every move's configuration enters the cache now, before any is explored, so a deeper
  // configuration that one of these siblings subsumes is pruned at once; the sibling itself is
  // still explored from this frame later.
  void push_frame(int32_t state, int32_t op) {
    uint32_t begin = static_cast<uint32_t>(candidates_.size());
    int32_t first = by_ret_.first();
    int64_t horizon = first == by_ret_.sentinel ? kNever : (*ops_)[first].ret;
    // One pass over the required ops finds both a read to place at once and their moves, entered
    // after the info ops'. When the cache is bigger than the CPU's, all the moves are gathered first
    // and their table slots prefetched together.
    bool gather = cache_.beyond_caches();
    required_moves_.clear();
    info_moves_.clear();
    int32_t i = by_call_.first();
    for (; i != by_call_.sentinel && (*ops_)[i].call < horizon; i = by_call_.next[i]) {
      int32_t next = steps_->step(state, (*ops_)[i].kind);
      if (next < 0) {
        if (grows_ && read_only_[i] && dead_end(state, i)) return push_dead_end(state, op);
        continue;
      }
      if (read_only_[i] && next == state) {
        add_move(i, state);
        frames_.push_back({state, op, begin, static_cast<uint32_t>(candidates_.size()), begin});
        return;
      }
      required_moves_.push_back({i, next});
    }
    // Reads invoked just after the window are pending too: one that is a dead end already makes
    // this configuration one.
    for (int n = 0; grows_ && i != by_call_.sentinel && n < kLookahead; i = by_call_.next[i], ++n)
      if (read_only_[i] && steps_->step(state, (*ops_)[i].kind) < 0 && dead_end(state, i))
        return push_dead_end(state, op);
    ++stamp_;
    for (int32_t i = unknown_.first(); i != unknown_.sentinel && (*ops_)[i].call < horizon; i = unknown_.next[i]) {
      uint32_t& seen = seen_kind_[(*ops_)[i].kind];
      if (seen == stamp_) continue;
      seen = stamp_;
      int32_t next = steps_->step(state, (*ops_)[i].kind);
      if (next < 0 || next == state) continue;
      if (gather)
        info_moves_.push_back({i, next});
      else
        add_move(i, next);
    }
    if (gather) {
      for (Move m : info_moves_) cache_.prefetch(hash_, m.state);
      for (Move m : required_moves_) cache_.prefetch(hash_ ^ bits_[m.op].zobrist, m.state);
      for (Move m : info_moves_) add_move(m.op, m.state);
    }
    for (Move m : required_moves_) add_move(m.op, m.state);
    frames_.push_back({state, op, begin, static_cast<uint32_t>(candidates_.size()), begin});
  }

  // A frame with no moves: the search backs out of it at once.
  void push_dead_end(int32_t state, int32_t op) {
    uint32_t end = static_cast<uint32_t>(candidates_.size());
    frames_.push_back({state, op, end, end, end});
  }

  // Whether the pending required read i (not legal in `state`) can never become legal: the model
  // says only a reset could make it so, and every reset invoked before the read returned is placed.
  bool dead_end(int32_t state, int32_t i) const {
    if (!steps_->hopeless(state, (*ops_)[i].kind)) return false;
    for (int32_t r : resets_) {
      if ((*ops_)[r].call > (*ops_)[i].ret) break;
      const Bit& b = bits_[r];
      if (!((b.required ? required_bits_ : info_bits_)[b.word] & b.mask)) return false;
    }
    return true;
  }

  // Adds placing op i (reaching state next) to the current frame's moves unless its configuration
  // was already explored or scheduled.
  void add_move(int32_t i, int32_t next) {
    const Bit& b = bits_[i];
    uint64_t* set = b.required ? required_bits_.data() : info_bits_.data();
    set[b.word] ^= b.mask;
    if (cache_.insert(b.required ? hash_ ^ b.zobrist : hash_, next, required_bits_.data(), info_bits_.data()))
      candidates_.push_back({i, next});
    set[b.word] ^= b.mask;
  }

  void pop_frame() {
    if (best_on_stack_) {  // about to leave the longest prefix: keep it
      record_best();
      best_on_stack_ = false;
    }
    Frame& top = frames_.back();
    candidates_.resize(top.cand_begin);
    int32_t op = top.op;
    frames_.pop_back();
    best_shared_ = std::min(best_shared_, frames_.empty() ? 0 : frames_.size() - 1);  // the path got shorter
    if (op >= 0) {
      unplace(op);
      flip(op);
    }
  }

  // Toggles op i in the placed sets; the hash covers the required ops only (the cache's group key).
  void flip(int32_t i) {
    const Bit& b = bits_[i];
    if (b.required) {
      required_bits_[b.word] ^= b.mask;
      hash_ ^= b.zobrist;
    } else {
      info_bits_[b.word] ^= b.mask;
    }
  }

  void place(int32_t i) {
    if ((*ops_)[i].required) {
      by_call_.unlink(i);
      by_ret_.unlink(i);
      --remaining_;
      ++placed_required_;
    } else {
      unknown_.unlink(i);
    }
  }

  void unplace(int32_t i) {
    if ((*ops_)[i].required) {
      by_ret_.relink(i);
      by_call_.relink(i);
      ++remaining_;
      --placed_required_;
    } else {
      unknown_.relink(i);
    }
  }

  // Copies the frames' path into best_path_ from where the two differ: a search that keeps going
  // deeper with short backtracks records each step of the path once, not the whole path each time.
  void record_best() {
    size_t depth = frames_.size() - 1;
    best_path_.resize(depth);
    for (size_t f = best_shared_ + 1; f <= depth; ++f) best_path_[f - 1] = {frames_[f].op, frames_[f].state};
    best_shared_ = depth;
  }

  void record_path(std::vector<std::pair<int32_t, int32_t>>& out) const {
    out.clear();
    for (size_t f = 1; f < frames_.size(); ++f) out.emplace_back(frames_[f].op, frames_[f].state);
  }

  int64_t bytes() const {
    return cache_.bytes() + static_cast<int64_t>(candidates_.size() * sizeof(Move) + frames_.size() * sizeof(Frame));
  }

  // Publishes this search's growth to the shared counter; false when over the limit.
  bool account_memory() {
    int64_t now = bytes();
    peak_ = std::max(peak_, now);
    if (!limits_->memory_used) return now <= limits_->memory_limit_bytes;
    int64_t total = limits_->memory_used->fetch_add(now - reported_) + (now - reported_);
    reported_ = now;
    return total <= limits_->memory_limit_bytes;
  }

  SearchResult finish(SearchResult& result, SearchOutcome outcome) {
    result.outcome = outcome;
    return finish(result);
  }

  SearchResult finish(SearchResult& result) {
    account_memory();
    if (limits_->memory_used) limits_->memory_used->fetch_sub(reported_);
    if (result.outcome != SearchOutcome::kLinearizable) {
      if (best_on_stack_) record_best();
      result.linearization = best_path_;
      result.stuck = best_stuck_;
    }
    result.configurations = static_cast<int64_t>(cache_.size());
    result.peak_bytes = peak_;
    return result;
  }

  const std::vector<SearchOp>* ops_ = nullptr;
  Steps* steps_ = nullptr;
  const SearchLimits* limits_ = nullptr;
  size_t n_ = 0;
  Links by_call_, by_ret_, unknown_;
  // Per op: its bit among the required or among the info ops, and its share of the hash.
  struct Bit {
    uint32_t word;
    uint64_t mask;
    uint64_t zobrist;
    bool required;
  };
  std::vector<Bit> bits_;
  std::vector<uint8_t> read_only_;  // op -> Steps::read_only of its kind
  std::vector<int32_t> required_;
  bool grows_ = false;           // Steps::grows: dead ends are looked for
  std::vector<int32_t> resets_;  // ops whose kind resets the state (Steps::resets), by call
  std::vector<uint64_t> required_bits_, info_bits_;
  uint64_t hash_ = 0;
  ConfigCache cache_;
  std::vector<Frame> frames_;
  std::vector<Move> candidates_;
  std::vector<Move> info_moves_, required_moves_;  // push_frame's scratch
  std::vector<uint32_t> seen_kind_;
  uint32_t stamp_ = 0;
  int64_t remaining_ = 0;
  int64_t placed_required_ = 0;
  int64_t best_placed_ = 0;
  std::vector<std::pair<int32_t, int32_t>> best_path_;
  bool best_on_stack_ = false;  // the frames hold a longer prefix than best_path_ (copied when left)
  size_t best_shared_ = 0;      // the frames' first ops that best_path_ holds too
  int32_t best_stuck_ = -1;
  int64_t peak_ = 0;
  int64_t reported_ = 0;
  uint64_t ticks_ = 0;
};

}  // namespace

namespace {

// A required op that is legal in no state reachable from the initial one by any sequence of the
// ops, ignoring real time; -1 when there is none or the reachable states are too many to list.
int32_t unreachable_op(const std::vector<SearchOp>& ops, Steps& steps) {
  // Cheap next to the search, or give up: models whose states multiply (strings appended to, sets,
  // queues) give up after a few steps instead of making thousands of states nothing will use.
  constexpr size_t kMaxStates = 64, kMaxSteps = 1024;
  // Buffers kept per thread: this runs before every search, small ones included.
  thread_local std::vector<int32_t> kinds, reached;
  thread_local std::vector<uint8_t> is_kind, seen, legal_somewhere;
  kinds.clear();
  is_kind.clear();
  for (const SearchOp& op : ops) {
    if (size_t(op.kind) >= is_kind.size()) is_kind.resize(op.kind + 1, 0);
    if (!is_kind[op.kind]) {
      is_kind[op.kind] = 1;
      kinds.push_back(op.kind);
    }
  }
  reached.assign(1, 0);
  seen.assign(1, 1);
  legal_somewhere.assign(is_kind.size(), 0);
  size_t budget = kMaxSteps;
  for (size_t r = 0; r < reached.size(); ++r) {
    for (int32_t kind : kinds) {
      if (budget-- == 0) return -1;
      int32_t next = steps.step(reached[r], kind);
      if (next < 0) continue;
      legal_somewhere[kind] = 1;
      if (static_cast<size_t>(next) >= seen.size()) seen.resize(std::max<size_t>(next + 1, seen.size() * 2), 0);
      if (!seen[next]) {
        if (reached.size() == kMaxStates) return -1;
        seen[next] = 1;
        reached.push_back(next);
      }
    }
  }
  int32_t culprit = -1;
  for (size_t i = 0; i < ops.size(); ++i)
    if (ops[i].required && !legal_somewhere[ops[i].kind] && (culprit < 0 || ops[i].ret < ops[culprit].ret))
      culprit = static_cast<int32_t>(i);
  return culprit;
}

}  // namespace

SearchResult search(const std::vector<SearchOp>& ops, Steps& steps, const SearchLimits& limits) {
  thread_local Searcher searcher;
  searcher.reset(ops, steps, limits);
  searcher.start();
  // Most histories are decided in a few configurations per op; one that is, is linearizable or has
  // its culprit found by the search itself, so the scan for impossible values waits until then.
  std::optional<SearchResult> result = searcher.run(4 * ops.size() + 16);
  if (!result || result->outcome != SearchOutcome::kLinearizable) {
    if (int32_t culprit = unreachable_op(ops, steps); culprit >= 0) {
      searcher.abandon();
      searcher.trim();
      SearchResult impossible;
      impossible.outcome = SearchOutcome::kIllegal;
      impossible.stuck = culprit;
      impossible.unreachable = true;
      return impossible;
    }
    if (!result) result = searcher.run();
  }
  searcher.trim();
  return std::move(*result);
}

}  // namespace faultline::linear
