#include "targets/memory/memory_target.h"

#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "harness/core/error.h"
#include "harness/core/random.h"

namespace faultline {
namespace {

// JSON values are the keys; their text form orders them.
using Key = std::string;
Key key_of(const Json& k) { return k.dump(); }

struct Store {
  std::mutex mu;
  std::map<Key, std::vector<Json>> registers;  // every value a key had, newest last
  std::map<Key, Json> lists;                   // list-append lists
  std::set<std::string> set;                   // set elements (as JSON text)
  Json set_values = Json::array();
  int64_t counter = 0;
  std::map<Key, int64_t> accounts;
  std::deque<Json> queue;
  int64_t next_id = 0;
};

struct Bugs {
  bool stale_read = false, lost_write = false, non_atomic_txn = false, lost_add = false, bad_transfer = false,
       duplicate_id = false;
};

// Bank accounts to open: the target options' numbers, else the workload's (so the total the
// checker expects holds).
struct Accounts {
  std::optional<int64_t> count, balance;
};

class MemoryClient : public Client {
 public:
  MemoryClient(std::shared_ptr<Store> store, std::string workload, Bugs bugs, Accounts accounts, Rng rng)
      : store_(std::move(store)), workload_(std::move(workload)), bugs_(bugs), accounts_(accounts), rng_(rng) {}

  void setup(const Json& prepare) override {
    if (!prepare.contains("accounts")) return;
    int64_t count = accounts_.count.value_or(prepare.value("accounts", int64_t{5}));
    int64_t balance = accounts_.balance.value_or(prepare.value("balance", int64_t{10}));
    std::lock_guard lock(store_->mu);
    for (int64_t a = 0; a < count; ++a) store_->accounts[key_of(a)] = balance;
  }

  // The vocabulary depends on the workload: "read" means a register, a set, a counter or the
  // bank's balances.
  Op invoke(const Op& op) override {
    if (op.f == "txn") return txn(op);
    std::lock_guard lock(store_->mu);
    const std::string& w = workload_;
    if (w == "set" || w == "set-full") {
      if (op.f == "add") return set_add(op);
      if (op.f == "read") return complete(op, OpType::kOk, read_growing(store_->set_values));
    } else if (w == "counter") {
      if (op.f == "add") {
        if (!lost_add()) store_->counter += op.value.get<int64_t>();
        return complete(op, OpType::kOk, op.value);
      }
      if (op.f == "read") return complete(op, OpType::kOk, store_->counter);
    } else if (w == "bank") {
      if (op.f == "transfer") return transfer(op);
      if (op.f == "read") return read_accounts(op);
    } else if (w == "queue" || w == "total-queue") {
      if (op.f == "enqueue") {
        if (!lost_add()) store_->queue.push_back(op.value);
        return complete(op, OpType::kOk, op.value);
      }
      if (op.f == "dequeue") {
        if (store_->queue.empty()) return complete(op, OpType::kFail, nullptr);
        Json v = store_->queue.front();
        store_->queue.pop_front();
        return complete(op, OpType::kOk, v);
      }
      if (op.f == "drain") {
        Json all = Json::array();
        for (auto& v : store_->queue) all.push_back(v);
        store_->queue.clear();
        return complete(op, OpType::kOk, all);
      }
    } else if (w == "unique-ids") {
      if (op.f == "generate") {
        bool repeat = bugs_.duplicate_id && store_->next_id > 0 && rng_.chance(0.1);
        return complete(op, OpType::kOk, repeat ? store_->next_id - 1 : store_->next_id++);
      }
    } else if (op.f == "read" || op.f == "write" || op.f == "cas") {
      return reg(op);
    }
    return complete_error(op, OpType::kFail, "the memory target has no \"" + op.f + "\" for workload " + w);
  }

 private:
  // Whether this read shows an older state (stale-read), this write is dropped (lost-write), ...
  bool stale() { return bugs_.stale_read && rng_.chance(0.2); }
  bool lost_write() { return bugs_.lost_write && rng_.chance(0.1); }
  bool lost_add() { return bugs_.lost_add && rng_.chance(0.1); }

  // A new register value; only the latest few are kept (stale reads pick among them, or the
  // initial none), so a long run does not grow the store.
  static void remember(std::vector<Json>& versions, Json value) {
    versions.push_back(std::move(value));
    if (versions.size() > 64) versions.erase(versions.begin());
  }

  // A register's value now, or under stale-read sometimes one it had before (possibly none).
  Json register_read(const std::vector<Json>& versions) {
    if (versions.empty()) return nullptr;
    if (!stale()) return versions.back();
    size_t older = rng_.below(versions.size());  // 0: before the first write
    return older == 0 ? Json(nullptr) : versions[older - 1];
  }

  // A list that only grows (a set's elements, an appended list; null = empty), or under
  // stale-read sometimes a shorter prefix of it.
  Json read_growing(const Json& list) {
    size_t n = list.size();
    size_t shown = stale() && n > 0 ? rng_.below(n) : n;
    return Json(std::vector<Json>(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(shown)));
  }

  Op set_add(const Op& op) {
    if (!lost_add() && store_->set.insert(op.value.dump()).second) store_->set_values.push_back(op.value);
    return complete(op, OpType::kOk, op.value);
  }

  // Registers: value is [key v] (Jepsen's independent form) or a bare v on one implicit key.
  Op reg(const Op& op) {
    bool tuple = op.value.is_array() && op.value.size() == 2;
    Json key = tuple ? op.value[0] : Json(nullptr);
    Json arg = tuple ? op.value[1] : op.value;
    auto wrap = [&](Json v) { return tuple ? Json::array({key, std::move(v)}) : v; };
    auto& versions = store_->registers[key_of(key)];
    Json current = versions.empty() ? Json(nullptr) : versions.back();
    if (op.f == "read") return complete(op, OpType::kOk, wrap(register_read(versions)));
    if (op.f == "write") {
      if (!lost_write()) remember(versions, arg);
      return complete(op, OpType::kOk, op.value);
    }
    // cas [old new]
    if (!arg.is_array() || arg.size() != 2) return complete_error(op, OpType::kFail, "cas needs [old new]");
    if (current != arg[0]) return complete(op, OpType::kFail, op.value);
    remember(versions, arg[1]);
    return complete(op, OpType::kOk, op.value);
  }

  Op transfer(const Op& op) {
    const Json& v = op.value;
    Key from = key_of(v.at("from")), to = key_of(v.at("to"));
    int64_t amount = v.at("amount").get<int64_t>();
    if (store_->accounts[from] < amount) return complete_error(op, OpType::kFail, "insufficient funds");
    store_->accounts[from] -= amount;
    if (!(bugs_.bad_transfer && rng_.chance(0.1))) store_->accounts[to] += amount;
    return complete(op, OpType::kOk, v);
  }

  Op read_accounts(const Op& op) {
    Json balances = Json::object();
    for (auto& [k, b] : store_->accounts) balances[Json::parse(k).dump()] = b;
    return complete(op, OpType::kOk, balances);
  }

  // Transactions over lists (append, r) for list-append and registers (w, r) otherwise, atomic
  // unless non-atomic-txn.
  Op txn(const Op& op) {
    if (!op.value.is_array()) return complete_error(op, OpType::kFail, "txn value must be a list");
    Json out = Json::array();
    std::unique_lock lock(store_->mu);
    for (const Json& mop : op.value) {
      if (!mop.is_array() || mop.size() != 3 || !mop[0].is_string())
        return complete_error(op, OpType::kFail, "malformed micro-op " + mop.dump());
      const std::string& f = mop[0].get_ref<const std::string&>();
      Key k = key_of(mop[1]);
      Json result = mop;
      if (f == "append") {
        Json& list = store_->lists[k];
        if (list.is_null()) list = Json::array();
        if (!lost_write()) list.push_back(mop[2]);
      } else if (f == "w") {
        if (!lost_write()) remember(store_->registers[k], mop[2]);
      } else if (f == "r" && workload_ == "list-append") {
        result[2] = read_growing(store_->lists[k]);
      } else if (f == "r") {
        result[2] = register_read(store_->registers[k]);
      } else {
        return complete_error(op, OpType::kFail, "unknown micro-op " + f);
      }
      out.push_back(std::move(result));
      if (bugs_.non_atomic_txn) {
        // Let other transactions run between our micro-ops.
        lock.unlock();
        std::this_thread::yield();
        lock.lock();
      }
    }
    return complete(op, OpType::kOk, out);
  }

  std::shared_ptr<Store> store_;
  std::string workload_;
  Bugs bugs_;
  Accounts accounts_;
  Rng rng_;
};

class MemoryTarget : public Target {
 public:
  MemoryTarget(std::string vocabulary, Bugs bugs, uint64_t seed, Accounts accounts)
      : store_(std::make_shared<Store>()),
        workload_(std::move(vocabulary)),
        bugs_(bugs),
        accounts_(accounts),
        rng_(Rng(seed).fork("memory-target")) {}
  std::string name() const override { return "memory"; }
  std::vector<std::string> speaks() const override {
    return {"register", "cas-register", "list-append", "rw-register", "set",
            "counter",  "bank",         "queue",       "unique-ids",  "long-fork"};
  }
  void setup(const TestEnv& env) override {
    std::lock_guard lock(mu_);
    workload_ = env.vocabulary;
  }
  bool needs_nodes() const override { return false; }
  std::unique_ptr<Client> make_client() override {
    std::lock_guard lock(mu_);
    return std::make_unique<MemoryClient>(store_, workload_, bugs_, accounts_, rng_.fork(std::to_string(clients_++)));
  }

 private:
  std::shared_ptr<Store> store_;
  std::string workload_;  // the vocabulary, known from setup on
  Bugs bugs_;
  Accounts accounts_;
  std::mutex mu_;
  Rng rng_;
  int clients_ = 0;
};

std::optional<int64_t> whole_number(const Json& options, const char* name) {
  auto it = options.find(name);
  if (it == options.end()) return std::nullopt;
  if (!it->is_number_integer() || it->get<int64_t>() < 0)
    fail(ErrorCode::kBadInput, std::string("target option \"") + name + "\" must be a whole number, got " + it->dump());
  return it->get<int64_t>();
}

}  // namespace

const std::set<std::string>& memory_bug_names() {
  static const std::set<std::string> names = {"stale-read", "lost-write",   "non-atomic-txn",
                                              "lost-add",   "bad-transfer", "duplicate-id"};
  return names;
}

std::unique_ptr<Target> memory_target(const std::string& vocabulary, const Json& options, uint64_t seed) {
  Bugs bugs;
  if (auto it = options.find("bugs"); it != options.end()) {
    if (!it->is_array()) fail(ErrorCode::kBadInput, "target option \"bugs\" must be a list of names");
    for (const Json& b : *it) {
      std::string name = b.is_string() ? b.get<std::string>() : b.dump();
      if (!memory_bug_names().count(name)) {
        std::string known;
        for (auto& n : memory_bug_names()) known += (known.empty() ? "" : ", ") + n;
        fail(ErrorCode::kBadInput, "unknown memory-target bug \"" + name + "\"; known: " + known);
      }
      bugs.stale_read |= name == "stale-read";
      bugs.lost_write |= name == "lost-write";
      bugs.non_atomic_txn |= name == "non-atomic-txn";
      bugs.lost_add |= name == "lost-add";
      bugs.bad_transfer |= name == "bad-transfer";
      bugs.duplicate_id |= name == "duplicate-id";
    }
  }
  Accounts accounts{whole_number(options, "accounts"), whole_number(options, "balance")};
  return std::make_unique<MemoryTarget>(vocabulary, bugs, seed, accounts);
}

}  // namespace faultline
