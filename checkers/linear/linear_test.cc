#include "checkers/linear/linear_checker.h"

#include <gtest/gtest.h>
#include <algorithm>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "checkers/linear/history_gen.h"
#include "checkers/linear/search.h"
#include "harness/core/error.h"
#include "harness/core/history_io.h"
#include "harness/core/random.h"

namespace faultline::linear {
namespace {

namespace fs = std::filesystem;
const fs::path kKnossos = fs::path(FAULTLINE_DATA_DIR) / "knossos";

CheckResult check(const std::string& model, const History& h, Json options = Json::object()) {
  CheckOptions o;
  o.options = std::move(options);
  return linear_checker(model)->check(h, o);
}

// A history from compact rows: {process, type, f, value}.
using Row = std::tuple<int, const char*, const char*, Json>;

History make(const std::vector<Row>& rows) {
  History h;
  for (const auto& [process, type, f, value] : rows) {
    Op op;
    op.process = process;
    op.type = *parse_op_type(type);
    op.f = f;
    op.value = value;
    h.push_back(op);
  }
  reindex(h);
  return h;
}

History make(std::initializer_list<Row> rows) { return make(std::vector<Row>(rows)); }

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

// Knossos calls a history without any client op valid; here it has nothing to judge: unknown.
Verdict good_verdict(const History& h) {
  return std::any_of(h.begin(), h.end(), [](const Op& op) { return op.is_client(); }) ? Verdict::kValid
                                                                                      : Verdict::kUnknown;
}

TEST(LinearKnossos, CasRegisterGoodFilesAreValid) {
  int empty = 0;
  for (const fs::path& file : files_in(kKnossos / "cas-register" / "good")) {
    History h = read_history_file(file);
    CheckResult r = check("cas-register", h, {{"initial-value", 0}});
    EXPECT_EQ(r.verdict, good_verdict(h)) << file << ": " << r.explanation;
    empty += good_verdict(h) == Verdict::kUnknown;
  }
  EXPECT_LE(empty, 2);  // most good files have client ops and are valid
}

TEST(LinearKnossos, CasRegisterBadFilesAreInvalid) {
  for (const fs::path& file : files_in(kKnossos / "cas-register" / "bad")) {
    CheckResult r = check("cas-register", read_history_file(file), {{"initial-value", 0}});
    EXPECT_EQ(r.verdict, Verdict::kInvalid) << file;
    EXPECT_EQ(r.details["valid"], false);
    EXPECT_TRUE(r.details["op"].contains("index")) << file;
  }
}

TEST(LinearKnossos, CasRegisterFilesKeepTheirVerdictWithNilInitialValue) {
  for (const char* kind : {"good", "bad"})
    for (const fs::path& file : files_in(kKnossos / "cas-register" / kind))
      EXPECT_EQ(check("cas-register", read_history_file(file)).verdict,
                std::string(kind) == "good" ? good_verdict(read_history_file(file)) : Verdict::kInvalid)
          << file;
}

// Porcupine's kv files, every key starting as "": VERDICTS.tsv gives each file's exit code.
TEST(LinearPorcupine, KvFilesKeepTheirVerdicts) {
  fs::path dir = fs::path(FAULTLINE_DATA_DIR) / "porcupine" / "kv";
  std::ifstream verdicts(dir / "VERDICTS.tsv");
  std::string file;
  int code = 0, files = 0;
  while (verdicts >> file >> code) {
    CheckResult r = check("kv", read_history_file(dir / file), {{"initial-value", ""}});
    EXPECT_EQ(r.verdict, code == 0 ? Verdict::kValid : Verdict::kInvalid) << file << ": " << r.explanation;
    ++files;
  }
  EXPECT_EQ(files, 6);
}

TEST(LinearKnossos, MultiRegisterIsValidFromZeros) {
  History h = read_history_file(kKnossos / "multi-register" / "good" / "multi-register.edn");
  EXPECT_EQ(check("multi-register", h, {{"initial-value", {{"x", 0}, {"y", 0}}}}).verdict, Verdict::kValid);
}

TEST(LinearKnossos, EtcdMutexIsInvalid) {
  CheckResult r = check("mutex", read_history_file(kKnossos / "mutex" / "bad" / "etcd.edn"));
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_NE(r.explanation.find("cannot be linearized"), std::string::npos) << r.explanation;
}

TEST(LinearModels, RegisterReadsTheLatestWrite) {
  EXPECT_EQ(check("register", make({{0, "invoke", "write", 1},
                                    {0, "ok", "write", 1},
                                    {1, "invoke", "read", nullptr},
                                    {1, "ok", "read", 1}}))
                .verdict,
            Verdict::kValid);
  CheckResult stale = check("register", make({{0, "invoke", "write", 1},
                                              {0, "ok", "write", 1},
                                              {0, "invoke", "write", 2},
                                              {0, "ok", "write", 2},
                                              {1, "invoke", "read", nullptr},
                                              {1, "ok", "read", 1}}));
  EXPECT_EQ(stale.verdict, Verdict::kInvalid);
  EXPECT_EQ(stale.details["op"]["index"], 4);
  EXPECT_EQ(stale.details["previous-ok"]["index"], 2);
  EXPECT_EQ(stale.details["last-linearized"].back()["model"], "2");
}

TEST(LinearModels, AnExplanationShowsTheEndOfALongPrefix) {
  std::vector<Row> ops;
  for (int v = 1; v <= 100; ++v) {
    ops.emplace_back(0, "invoke", "write", v);
    ops.emplace_back(0, "ok", "write", v);
  }
  ops.emplace_back(1, "invoke", "read", nullptr);
  ops.emplace_back(1, "ok", "read", 7);
  CheckResult r = check("register", make(ops));
  ASSERT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["linearized-count"], 100);
  ASSERT_EQ(r.details["last-linearized"].size(), 32u);
  EXPECT_EQ(r.details["last-linearized"].front()["model"], "69");
  EXPECT_EQ(r.details["last-linearized"].back()["model"], "100");
}

TEST(LinearModels, AReadOfAValueNeverWrittenIsNamedAtOnce) {
  History h = generate_history({.seed = 3, .ops = 2000, .crash_rate = 0.2});
  CheckResult r = check("cas-register", corrupt_history(h, 3), {{"initial-value", 0}});
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["unreachable"], true);
  EXPECT_EQ(r.details["op"]["value"], -1);
  EXPECT_NE(r.explanation.find("nothing ever wrote that value"), std::string::npos) << r.explanation;
}

TEST(LinearModels, UnsignedAndSignedNumbersAreTheSameValue) {
  History h = make({{0, "invoke", "write", Json(uint64_t{3})},
                    {0, "ok", "write", Json(uint64_t{3})},
                    {1, "invoke", "read", nullptr},
                    {1, "ok", "read", Json(int64_t{3})}});
  EXPECT_EQ(check("register", h).verdict, Verdict::kValid);
  h[3].value = Json(uint64_t{3});
  h[2].type = OpType::kInvoke;
  EXPECT_EQ(check("register", h, {{"initial-value", Json(int64_t{3})}}).verdict, Verdict::kValid);
}

TEST(LinearModels, ConcurrentOpsMayTakeEffectInEitherOrder) {
  History h =
      make({{0, "invoke", "write", 1}, {1, "invoke", "read", nullptr}, {1, "ok", "read", 1}, {0, "ok", "write", 1}});
  EXPECT_EQ(check("register", h).verdict, Verdict::kValid);
}

TEST(LinearModels, CasRegisterRefusesACasFromTheWrongValue) {
  History h =
      make({{0, "invoke", "write", 1}, {0, "ok", "write", 1}, {0, "invoke", "cas", {2, 3}}, {0, "ok", "cas", {2, 3}}});
  EXPECT_EQ(check("cas-register", h).verdict, Verdict::kInvalid);
  h[3].type = OpType::kFail;  // a failed cas never happened
  EXPECT_EQ(check("cas-register", h).verdict, Verdict::kValid);
}

TEST(LinearInfo, AnInfoWriteMayTakeEffectLateOrNever) {
  History late = make({{0, "invoke", "write", 1},
                       {0, "info", "write", 1},
                       {1, "invoke", "read", nullptr},
                       {1, "ok", "read", nullptr},
                       {1, "invoke", "read", nullptr},
                       {1, "ok", "read", 1}});
  late[3].value = 0;
  EXPECT_EQ(check("register", late, {{"initial-value", 0}}).verdict, Verdict::kValid);
  History never =
      make({{0, "invoke", "write", 1}, {0, "info", "write", 1}, {1, "invoke", "read", nullptr}, {1, "ok", "read", 0}});
  EXPECT_EQ(check("register", never, {{"initial-value", 0}}).verdict, Verdict::kValid);
  // ...but once it took effect it cannot be undone.
  History undone = make({{0, "invoke", "write", 1},
                         {0, "info", "write", 1},
                         {1, "invoke", "read", nullptr},
                         {1, "ok", "read", 1},
                         {1, "invoke", "read", nullptr},
                         {1, "ok", "read", 0}});
  EXPECT_EQ(check("register", undone, {{"initial-value", 0}}).verdict, Verdict::kInvalid);
}

TEST(LinearInfo, AnInfoOpSeenOnlyThroughAnotherInfoOpStillCounts) {
  History h = make({{0, "invoke", "write", 1},
                    {0, "info", "write", 1},
                    {1, "invoke", "cas", {1, 2}},
                    {1, "info", "cas", {1, 2}},
                    {2, "invoke", "read", nullptr},
                    {2, "ok", "read", 2}});
  EXPECT_EQ(check("cas-register", h, {{"initial-value", 0}}).verdict, Verdict::kValid);
  History kv = make({{0, "invoke", "put", {"k", "a"}},
                     {0, "info", "put", {"k", "a"}},
                     {1, "invoke", "append", {"k", "b"}},
                     {1, "info", "append", {"k", "b"}},
                     {2, "invoke", "get", {"k", nullptr}},
                     {2, "ok", "get", {"k", "ab"}}});
  EXPECT_EQ(check("kv", kv).verdict, Verdict::kValid);
  kv[5].value = Json::array({"k", "ba"});
  EXPECT_EQ(check("kv", kv).verdict, Verdict::kInvalid);
}

TEST(LinearInfo, AnOpLeftOpenAtTheEndCountsAsInfo) {
  History h = make({{0, "invoke", "write", 1}, {1, "invoke", "read", nullptr}, {1, "ok", "read", 1}});
  EXPECT_EQ(check("register", h).verdict, Verdict::kValid);
}

TEST(LinearModels, MutexCannotBeAcquiredTwice) {
  History h = make({{0, "invoke", "acquire", nullptr},
                    {0, "ok", "acquire", nullptr},
                    {1, "invoke", "acquire", nullptr},
                    {1, "ok", "acquire", nullptr}});
  EXPECT_EQ(check("mutex", h).verdict, Verdict::kInvalid);
  History released = make({{0, "invoke", "acquire", nullptr},
                           {0, "ok", "acquire", nullptr},
                           {0, "invoke", "release", nullptr},
                           {0, "ok", "release", nullptr},
                           {1, "invoke", "acquire", nullptr},
                           {1, "ok", "acquire", nullptr}});
  EXPECT_EQ(check("mutex", released).verdict, Verdict::kValid);
}

TEST(LinearModels, SetReadsMustShowEveryCompletedAdd) {
  History h = make({{0, "invoke", "add", 1},
                    {0, "ok", "add", 1},
                    {0, "invoke", "add", 2},
                    {1, "invoke", "read", nullptr},
                    {1, "ok", "read", {1}},
                    {0, "ok", "add", 2},
                    {1, "invoke", "read", nullptr},
                    {1, "ok", "read", {2, 1}}});
  EXPECT_EQ(check("linear-set", h).verdict, Verdict::kValid);
  h[7].value = Json::array({2});
  EXPECT_EQ(check("linear-set", h).verdict, Verdict::kInvalid);
}

TEST(LinearModels, QueuesDifferInOrder) {
  History h = make({{0, "invoke", "enqueue", 1},
                    {0, "ok", "enqueue", 1},
                    {0, "invoke", "enqueue", 2},
                    {0, "ok", "enqueue", 2},
                    {1, "invoke", "dequeue", nullptr},
                    {1, "ok", "dequeue", 2}});
  EXPECT_EQ(check("unordered-queue", h).verdict, Verdict::kValid);
  EXPECT_EQ(check("fifo-queue", h).verdict, Verdict::kInvalid);
  h[5].value = 1;
  EXPECT_EQ(check("fifo-queue", h).verdict, Verdict::kValid);
  h[5].value = 3;
  EXPECT_EQ(check("unordered-queue", h).verdict, Verdict::kInvalid);
}

TEST(LinearModels, MultiRegisterTransactionsAreAtomic) {
  Json w = Json::array({Json::array({"write", "x", 1}), Json::array({"write", "y", 1})});
  Json torn = Json::array({Json::array({"read", "x", 1}), Json::array({"read", "y", nullptr})});
  History h = make({{0, "invoke", "txn", w}, {1, "invoke", "txn", torn}, {1, "ok", "txn", torn}, {0, "ok", "txn", w}});
  EXPECT_EQ(check("multi-register", h).verdict, Verdict::kValid);
  h[2].value[1][2] = 0;
  EXPECT_EQ(check("multi-register", h).verdict, Verdict::kInvalid);
}

TEST(LinearModels, KvAppendsConcatenatePerKey) {
  History h = make({{0, "invoke", "put", {"a", "x"}},
                    {0, "ok", "put", {"a", "x"}},
                    {0, "invoke", "append", {"a", "y"}},
                    {0, "ok", "append", {"a", "y"}},
                    {1, "invoke", "append", {"b", "z"}},
                    {1, "ok", "append", {"b", "z"}},
                    {1, "invoke", "get", {"a", nullptr}},
                    {1, "ok", "get", {"a", "xy"}}});
  CheckResult r = check("kv", h);
  EXPECT_EQ(r.verdict, Verdict::kValid) << r.explanation;
  EXPECT_EQ(r.details["parts"], 2);
  h[7].value = Json::array({"a", "x"});
  r = check("kv", h);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["key"], "a");
}

TEST(LinearInput, UnknownOpsAreNamedWithTheirIndex) {
  History h = make({{0, "invoke", "frobnicate", 1}, {0, "ok", "frobnicate", 1}});
  try {
    check("cas-register", h);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadInput);
    EXPECT_NE(std::string(e.what()).find("op 0"), std::string::npos) << e.what();
  }
}

TEST(LinearInput, MalformedOptionsAreNamed) {
  History h = make({{0, "invoke", "write", 1}, {0, "ok", "write", 1}});
  try {
    check("register", h, {{"budget-ms", "soon"}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadInput);
    EXPECT_NE(std::string(e.what()).find("budget-ms"), std::string::npos) << e.what();
  }
}

// A brute-force reference: every order of the ops consistent with real time, every subset of info
// ops, no cache and no symmetry pruning. Only for tiny histories.
bool brute_force(const Model& model, const std::vector<std::tuple<int64_t, int64_t, ModelOp>>& ops,
                 std::vector<bool>& placed, const Json& state) {
  int64_t horizon = kNever;
  bool done = true;
  for (size_t i = 0; i < ops.size(); ++i)
    if (!placed[i] && std::get<2>(ops[i]).known) {
      horizon = std::min(horizon, std::get<1>(ops[i]));
      done = false;
    }
  if (done) return true;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (placed[i] || std::get<0>(ops[i]) > horizon) continue;
    std::optional<Json> next = model.step(state, std::get<2>(ops[i]));
    if (!next) continue;
    placed[i] = true;
    bool ok = brute_force(model, ops, placed, *next);
    placed[i] = false;
    if (ok) return true;
  }
  return false;
}

bool brute_force_linearizable(const History& h, const Model& model, const Json& initial) {
  std::vector<int64_t> partner = pair_index(h);
  std::vector<std::tuple<int64_t, int64_t, ModelOp>> ops;
  for (size_t i = 0; i < h.size(); ++i) {
    if (!h[i].is_invoke() || partner[i] < 0 || h[partner[i]].is_fail()) continue;
    const Op& done = h[partner[i]];
    ops.emplace_back(i, done.is_ok() ? partner[i] : kNever,
                     ModelOp{h[i].f, done.is_ok() ? done.value : h[i].value, done.is_ok()});
  }
  std::vector<bool> placed(ops.size(), false);
  return brute_force(model, ops, placed, initial);
}

TEST(LinearProperty, AgreesWithBruteForceOnSmallHistories) {
  auto model = make_model("cas-register");
  int invalid = 0;
  for (uint64_t seed = 0; seed < 300; ++seed) {
    GenSpec spec{.seed = seed, .processes = 3, .ops = 9, .values = 3, .crash_rate = 0.3};
    History h = generate_history(spec);
    if (seed % 2) {  // a read of another plausible value: sometimes still linearizable, often not
      std::vector<size_t> reads;
      for (size_t i = 0; i < h.size(); ++i)
        if (h[i].is_ok() && h[i].f == "read") reads.push_back(i);
      if (!reads.empty()) h[reads[seed % reads.size()]].value = static_cast<int64_t>(seed / 2 % 3);
    }
    bool expected = brute_force_linearizable(h, *model, 0);
    CheckResult r = check("cas-register", h, {{"initial-value", 0}});
    EXPECT_EQ(r.verdict, expected ? Verdict::kValid : Verdict::kInvalid) << "seed " << seed;
    invalid += !expected;
  }
  EXPECT_GT(invalid, 30);  // the property covers both verdicts
}

// From nil (the Json model) and from "" (the compact string form): both prune configurations in
// which a pending get can no longer be reached without a put (Model::hopeless).
TEST(LinearProperty, KvAgreesWithBruteForceOnSmallHistories) {
  auto model = make_model("kv");
  for (const Json& initial : {Json(), Json("")}) {
    int invalid = 0;
    for (uint64_t seed = 0; seed < 300; ++seed) {
      GenSpec spec{
          .shape = GenSpec::Shape::kKv, .seed = seed, .processes = 3, .ops = 9, .values = 2, .crash_rate = 0.3};
      History h = generate_history(spec);
      if (seed % 2) {  // a get of another plausible string
        std::vector<size_t> gets;
        for (size_t i = 0; i < h.size(); ++i)
          if (h[i].is_ok() && h[i].f == "get") gets.push_back(i);
        const char* plausible[] = {"0", "1", "01", "10", "11"};
        if (!gets.empty()) h[gets[seed % gets.size()]].value = plausible[seed / 2 % 5];
      }
      bool expected = brute_force_linearizable(h, *model, initial);
      EXPECT_EQ(check("kv", h, {{"initial-value", initial}}).verdict, expected ? Verdict::kValid : Verdict::kInvalid)
          << "seed " << seed << " from " << initial.dump();
      invalid += !expected;
    }
    EXPECT_GT(invalid, 30);
  }
}

// Random small histories for every other model, each op drawn from the model's vocabulary over a
// tiny value domain, so that some are linearizable and many are not; the search must agree with
// the brute force on each.
struct RandomOp {
  std::string f;
  Json invoke, ok;  // the invocation's value and the ok completion's
};

History random_history(Rng& rng, const std::function<RandomOp(Rng&)>& draw) {
  History h;
  std::vector<std::optional<RandomOp>> running(3);
  int started = 0, done = 0;
  while (done < 7) {
    size_t p = rng.below(running.size());
    Op op;
    op.process = int64_t(p) + 10 * done;  // a crashed process continues under a new id
    if (!running[p]) {
      if (started == 7) continue;
      running[p] = draw(rng);
      op.f = running[p]->f;
      op.value = running[p]->invoke;
      ++started;
    } else {
      double outcome = rng.unit();
      op.type = outcome < 0.7 ? OpType::kOk : outcome < 0.9 ? OpType::kInfo : OpType::kFail;
      op.f = running[p]->f;
      op.value = op.is_ok() ? running[p]->ok : running[p]->invoke;
      running[p].reset();
      ++done;
    }
    h.push_back(op);
  }
  // Processes were numbered per op above; pair each completion with its invocation's number.
  std::map<int64_t, int64_t> open;  // slot -> process id of its open invocation
  for (Op& op : h) {
    int64_t slot = op.process % 10;
    if (op.is_invoke())
      open[slot] = op.process;
    else
      op.process = open[slot];
  }
  reindex(h);
  return h;
}

TEST(LinearProperty, EveryModelAgreesWithBruteForceOnSmallHistories) {
  auto value = [](Rng& rng) { return Json(int64_t(rng.below(3))); };
  std::map<std::string, std::function<RandomOp(Rng&)>> draws = {
      {"mutex",
       [](Rng& rng) {
         return RandomOp{rng.chance(0.5) ? "acquire" : "release", nullptr, nullptr};
       }},
      {"linear-set",
       [&](Rng& rng) {
         if (rng.chance(0.6)) return RandomOp{"add", value(rng), value(rng)};
         Json read = Json::array();
         for (int64_t v = 0; v < 3; ++v)
           if (rng.chance(0.5)) read.push_back(v);
         return RandomOp{"read", nullptr, read};
       }},
      {"unordered-queue",
       [&](Rng& rng) {
         Json v = value(rng);
         return rng.chance(0.5) ? RandomOp{"enqueue", v, v} : RandomOp{"dequeue", nullptr, v};
       }},
      {"multi-register",
       [&](Rng& rng) {
         Json invoke = Json::array(), ok = Json::array();
         for (size_t n = 1 + rng.below(2); n > 0; --n) {
           Json key = rng.chance(0.5) ? "x" : "y";
           Json v = int64_t(rng.below(2));
           bool read = rng.chance(0.5);
           invoke.push_back({read ? "read" : "write", key, read ? Json() : v});
           ok.push_back({read ? "read" : "write", key, v});
         }
         return RandomOp{"txn", invoke, ok};
       }},
  };
  draws["fifo-queue"] = draws["unordered-queue"];
  for (const auto& [name, draw] : draws) {
    SCOPED_TRACE(name);
    auto model = make_model(name);
    Rng rng(99);
    int invalid = 0, valid = 0;
    for (int i = 0; i < 300; ++i) {
      History h = random_history(rng, draw);
      bool expected = brute_force_linearizable(h, *model, model->initial(Json()));
      CheckResult r = check(name, h);
      std::string shown;
      for (const Op& op : h) shown += describe(op) + "\n";
      ASSERT_EQ(r.verdict, expected ? Verdict::kValid : Verdict::kInvalid) << shown;
      (expected ? valid : invalid)++;
    }
    EXPECT_GT(valid, 30);
    EXPECT_GT(invalid, 30);
  }
}

// A model given as an object, not by name: a counter that reads what the adds sum to.
TEST(LinearModels, AModelObjectNeedsNoName) {
  class Counter : public Model {
   public:
    std::string name() const override { return "counter"; }
    Json initial(const Json&) const override { return 0; }
    std::optional<Json> step(const Json& state, const ModelOp& op) const override {
      if (op.f == "add") return state.get<int64_t>() + op.value.get<int64_t>();
      if (op.value.is_null() || op.value == state) return state;
      return std::nullopt;
    }
    bool read_only(const ModelOp& op) const override { return op.f == "read"; }
    void check_op(const ModelOp&) const override {}
  };
  History h = make({{0, "invoke", "add", 2},
                    {1, "invoke", "read", nullptr},
                    {0, "ok", "add", 2},
                    {1, "ok", "read", 2},
                    {0, "invoke", "read", nullptr},
                    {0, "ok", "read", 2}});
  CheckOptions o;
  EXPECT_EQ(linear_checker(std::make_unique<Counter>())->check(h, o).verdict, Verdict::kValid);
  h[5].value = 3;
  EXPECT_EQ(linear_checker(std::make_unique<Counter>())->check(h, o).verdict, Verdict::kInvalid);
}

// A model object may also step over ids of its own (Model::compact_steps): the same counter, its
// state the sum itself, read straight from the compact history.
TEST(LinearModels, AModelObjectMayStepOverIds) {
  class CounterSteps : public Steps {
   public:
    explicit CounterSteps(const CompactHistory& h) : h_(h), add_(h.find("add")) { sums_.push_back(0); }
    int32_t intern_op(const CompactModelOp& op) override {
      bool add = op.f == add_ && add_ != kNoString;
      if (!add && !h_.is_null(op.value) && !h_.is_int(op.value)) fail(ErrorCode::kBadInput, "counter: read a number");
      kinds_.push_back({add, h_.is_null(op.value) ? std::optional<int64_t>() : h_.as_int(op.value)});
      return int32_t(kinds_.size() - 1);
    }
    int32_t step(int32_t state, int32_t kind) override {
      const auto& [add, n] = kinds_[kind];
      if (!add) return !n || *n == sums_[state] ? state : -1;
      int64_t sum = sums_[state] + *n;
      auto at = std::find(sums_.begin(), sums_.end(), sum);
      if (at != sums_.end()) return int32_t(at - sums_.begin());
      sums_.push_back(sum);
      return int32_t(sums_.size() - 1);
    }
    bool read_only(int32_t kind) const override { return !kinds_[kind].first; }
    std::string describe(int32_t state) const override { return std::to_string(sums_[state]); }

   private:
    const CompactHistory& h_;
    StringId add_;
    std::vector<std::pair<bool, std::optional<int64_t>>> kinds_;
    std::vector<int64_t> sums_;
  };
  class Counter : public Model {
   public:
    std::string name() const override { return "counter"; }
    Json initial(const Json&) const override { return 0; }
    std::optional<Json> step(const Json&, const ModelOp&) const override { return std::nullopt; }  // unused
    bool read_only(const ModelOp& op) const override { return op.f == "read"; }
    void check_op(const ModelOp&) const override {}
    std::unique_ptr<Steps> compact_steps(const CompactHistory& h, const Json&,
                                         std::span<const CompactModelOp>) const override {
      return std::make_unique<CounterSteps>(h);
    }
  };
  History h = make({{0, "invoke", "add", 2},
                    {1, "invoke", "read", nullptr},
                    {0, "ok", "add", 2},
                    {1, "ok", "read", 2},
                    {0, "invoke", "read", nullptr},
                    {0, "ok", "read", 2}});
  CheckOptions o;
  EXPECT_EQ(linear_checker(std::make_unique<Counter>())->check(h, o).verdict, Verdict::kValid);
  h[5].value = 3;
  CheckResult r = linear_checker(std::make_unique<Counter>())->check(h, o);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["last-linearized"].back()["model"], "2");
}

// The same model through its Json functions only: what the search did before compact forms.
class JsonOnly : public Model {
 public:
  explicit JsonOnly(std::unique_ptr<Model> inner) : inner_(std::move(inner)) {}
  std::string name() const override { return inner_->name(); }
  Json initial(const Json& initial) const override { return inner_->initial(initial); }
  std::optional<Json> step(const Json& state, const ModelOp& op) const override { return inner_->step(state, op); }
  bool read_only(const ModelOp& op) const override { return inner_->read_only(op); }
  bool unobservable(const ModelOp& op, const std::vector<const ModelOp*>& all) const override {
    return inner_->unobservable(op, all);
  }
  bool hopeless(const Json& state, const ModelOp& read) const override { return inner_->hopeless(state, read); }
  bool resets(const ModelOp& op) const override { return inner_->resets(op); }
  bool grows() const override { return inner_->grows(); }
  void check_op(const ModelOp& op) const override { inner_->check_op(op); }
  std::string describe(const Json& state) const override { return inner_->describe(state); }

 private:
  std::unique_ptr<Model> inner_;
};

// Valid histories made by running the model itself: each op takes effect at one instant between its
// invocation and its completion, and its completion reports what it saw then. `effect` applies a
// drawn op to the state and gives the ok value, or nullopt when the op cannot happen (it fails).
// Planting then changes one completion (an ok op's value, or a failed op made ok); the brute force
// says whether that made the history not linearizable.
using Effect = std::function<std::optional<Json>(Json& state, const RandomOp& op, Rng& rng)>;

History simulated_history(Rng& rng, const Model& model, const std::function<RandomOp(Rng&)>& draw, const Effect& effect,
                          int ops) {
  History h;
  struct Running {
    RandomOp op;
    bool applied = false;
    std::optional<Json> result;
  };
  std::vector<std::optional<Running>> running(3);
  Json state = model.initial(Json());
  int started = 0, done = 0;
  while (done < ops) {
    size_t p = rng.below(running.size());
    Op op;
    op.process = int64_t(p);
    if (!running[p]) {
      if (started == ops) continue;
      running[p] = Running{draw(rng), false, std::nullopt};
      op.f = running[p]->op.f;
      op.value = running[p]->op.invoke;
      ++started;
    } else if (!running[p]->applied) {  // the instant it takes effect: no event in the history
      running[p]->result = effect(state, running[p]->op, rng);
      running[p]->applied = true;
      continue;
    } else {
      op.f = running[p]->op.f;
      op.type = running[p]->result ? OpType::kOk : OpType::kFail;
      op.value = running[p]->result ? *running[p]->result : running[p]->op.invoke;
      running[p].reset();
      ++done;
    }
    h.push_back(op);
  }
  reindex(h);
  return h;
}

TEST(LinearProperty, EveryModelFindsPlantedViolationsAsTheBruteForceDoes) {
  auto value = [](Rng& rng) { return Json(int64_t(rng.below(3))); };
  struct Case {
    std::function<RandomOp(Rng&)> draw;
    Effect effect;
  };
  auto queue_effect = [](bool fifo) {
    return [fifo](Json& state, const RandomOp& op, Rng& rng) -> std::optional<Json> {
      if (op.f == "enqueue") {
        state.push_back(op.invoke);
        if (!fifo) std::sort(state.begin(), state.end());
        return op.invoke;
      }
      if (state.empty()) return std::nullopt;
      size_t at = fifo ? 0 : rng.below(state.size());
      Json got = state[at];
      state.erase(state.begin() + int64_t(at));
      return got;
    };
  };
  std::map<std::string, Case> cases = {
      {"mutex",
       {[](Rng& rng) {
          return RandomOp{rng.chance(0.5) ? "acquire" : "release", nullptr, nullptr};
        },
        [](Json& state, const RandomOp& op, Rng&) -> std::optional<Json> {
          bool acquire = op.f == "acquire";
          if (state.get<bool>() == acquire) return std::nullopt;
          state = acquire;
          return Json();
        }}},
      {"linear-set",
       {[&](Rng& rng) {
          return rng.chance(0.6) ? RandomOp{"add", value(rng), nullptr} : RandomOp{"read", nullptr, nullptr};
        },
        [](Json& state, const RandomOp& op, Rng&) -> std::optional<Json> {
          if (op.f == "read") return state;
          state.push_back(op.invoke);
          std::sort(state.begin(), state.end());
          state.erase(std::unique(state.begin(), state.end()), state.end());
          return op.invoke;
        }}},
      {"unordered-queue",
       {[&](Rng& rng) {
          Json v = value(rng);
          return rng.chance(0.55) ? RandomOp{"enqueue", v, v} : RandomOp{"dequeue", nullptr, nullptr};
        },
        queue_effect(false)}},
      {"fifo-queue",
       {[&](Rng& rng) {
          Json v = value(rng);
          return rng.chance(0.55) ? RandomOp{"enqueue", v, v} : RandomOp{"dequeue", nullptr, nullptr};
        },
        queue_effect(true)}},
      {"multi-register",
       {[&](Rng& rng) {
          Json invoke = Json::array();
          for (size_t n = 1 + rng.below(2); n > 0; --n) {
            bool read = rng.chance(0.5);
            invoke.push_back(
                {read ? "read" : "write", rng.chance(0.5) ? "x" : "y", read ? Json() : Json(rng.below(2))});
          }
          return RandomOp{"txn", invoke, nullptr};
        },
        [](Json& state, const RandomOp& op, Rng&) -> std::optional<Json> {
          Json seen = op.invoke;
          for (Json& micro : seen) {
            std::string key = micro[1].get<std::string>();
            if (micro[0] == "write")
              state[key] = micro[2];
            else
              micro[2] = state.contains(key) ? state[key] : Json();
          }
          return seen;
        }}},
  };
  for (const auto& [name, c] : cases) {
    SCOPED_TRACE(name);
    auto model = make_model(name);
    Rng rng(7);
    int planted_invalid = 0;
    for (int i = 0; i < 200; ++i) {
      History h = simulated_history(rng, *model, c.draw, c.effect, 8);
      ASSERT_TRUE(brute_force_linearizable(h, *model, model->initial(Json())));
      ASSERT_EQ(check(name, h).verdict, Verdict::kValid);
      // Plant: a failed op made ok, or an ok op's result replaced by another draw's.
      std::vector<size_t> completions;
      for (size_t k = 0; k < h.size(); ++k)
        if (!h[k].is_invoke()) completions.push_back(k);
      Op& victim = h[rng.pick(completions)];
      if (victim.is_fail()) {
        victim.type = OpType::kOk;
      } else if (name == "multi-register") {
        for (Json& micro : victim.value)
          if (micro[0] == "read") micro[2] = int64_t(rng.below(2));
      } else if (name == "linear-set") {
        if (victim.f == "read") victim.value.push_back(int64_t(rng.below(4)));
      } else {
        victim.value = value(rng);
      }
      bool expected = brute_force_linearizable(h, *model, model->initial(Json()));
      std::string shown;
      for (const Op& op : h) shown += describe(op) + "\n";
      ASSERT_EQ(check(name, h).verdict, expected ? Verdict::kValid : Verdict::kInvalid) << shown;
      planted_invalid += !expected;
    }
    EXPECT_GT(planted_invalid, 20);
  }
}

// Every model's compact form explores exactly what its Json functions do: same verdicts, same
// number of configurations, same explanations, on random histories (many of them invalid).
TEST(LinearProperty, CompactFormsOfEveryModelAgreeWithTheirJsonModel) {
  auto value = [](Rng& rng) { return Json(int64_t(rng.below(3))); };
  std::map<std::string, std::function<RandomOp(Rng&)>> draws = {
      {"mutex",
       [](Rng& rng) {
         return RandomOp{rng.chance(0.5) ? "acquire" : "release", nullptr, nullptr};
       }},
      {"linear-set",
       [&](Rng& rng) {
         if (rng.chance(0.6)) return RandomOp{"add", value(rng), value(rng)};
         Json read = Json::array();
         for (int64_t v = 0; v < 3; ++v)
           if (rng.chance(0.5)) read.push_back(v);
         return RandomOp{"read", nullptr, read};
       }},
      {"unordered-queue",
       [&](Rng& rng) {
         Json v = value(rng);
         return rng.chance(0.5) ? RandomOp{"enqueue", v, v}
                                : RandomOp{"dequeue", nullptr, rng.chance(0.2) ? Json() : v};
       }},
      {"multi-register",
       [&](Rng& rng) {
         Json invoke = Json::array(), ok = Json::array();
         for (size_t n = 1 + rng.below(3); n > 0; --n) {
           Json key = rng.chance(0.5) ? Json("x") : rng.chance(0.5) ? Json("y") : Json(1);
           Json v = rng.chance(0.1) ? Json() : Json(int64_t(rng.below(2)));
           bool read = rng.chance(0.5);
           invoke.push_back({read ? "read" : "write", key, read ? Json() : v});
           ok.push_back({read ? "read" : "write", key, v});
         }
         return RandomOp{"txn", invoke, ok};
       }},
  };
  draws["fifo-queue"] = draws["unordered-queue"];
  for (const auto& [name, draw] : draws) {
    SCOPED_TRACE(name);
    auto compact = linear_checker(name);
    auto json_only = linear_checker(std::make_unique<JsonOnly>(make_model(name)));
    Rng rng(5);
    int invalid = 0;
    for (int i = 0; i < 200; ++i) {
      History h = random_history(rng, draw);
      CheckOptions o;
      CheckResult a = compact->check(h, o), b = json_only->check(h, o);
      ASSERT_EQ(a.verdict, b.verdict) << i;
      EXPECT_EQ(a.details["configurations"], b.details["configurations"]) << i;
      EXPECT_EQ(a.explanation, b.explanation) << i;
      EXPECT_EQ(a.details.value("last-linearized", Json()), b.details.value("last-linearized", Json())) << i;
      invalid += a.verdict == Verdict::kInvalid;
    }
    EXPECT_GT(invalid, 20);
    EXPECT_LT(invalid, 200);
  }
}

// The compact kv form (string values) explores exactly what the Json model does: same verdicts,
// same number of configurations, same explanations, on valid and corrupted histories, with few
// distinct values (so different orders reach equal strings) and with unique ones.
TEST(LinearProperty, CompactKvAgreesWithTheJsonModel) {
  auto compact = linear_checker("kv");
  auto json_only = linear_checker(std::make_unique<JsonOnly>(make_model("kv")));
  CheckOptions o;
  o.options = {{"initial-value", ""}};
  int invalid = 0;
  for (uint64_t seed = 0; seed < 120; ++seed) {
    GenSpec spec{.shape = GenSpec::Shape::kKv,
                 .seed = seed,
                 .processes = 2 + int(seed % 5),
                 .ops = 20 + int(seed % 7) * 20,
                 .values = int(seed % 3),
                 .keys = 1 + int(seed % 3),
                 .crash_rate = 0.1 * double(seed % 4)};
    History h = generate_history(spec);
    if (seed % 2) h = corrupt_history(h, seed);
    CheckResult a = compact->check(h, o), b = json_only->check(h, o);
    ASSERT_EQ(a.verdict, b.verdict) << "seed " << seed;
    EXPECT_EQ(a.details["configurations"], b.details["configurations"]) << "seed " << seed;
    EXPECT_EQ(a.explanation, b.explanation) << "seed " << seed;
    invalid += a.verdict == Verdict::kInvalid;
  }
  EXPECT_GT(invalid, 20);  // the corrupted copies are found
  EXPECT_LT(invalid, 120);
}

// Likewise the compact register form, on cas-register histories with crashes, garbage reads and
// stale reads, from initial values 0 and nil.
TEST(LinearProperty, CompactRegisterAgreesWithTheJsonModel) {
  for (const char* name : {"cas-register", "register"}) {
    auto compact = linear_checker(name);
    auto json_only = linear_checker(std::make_unique<JsonOnly>(make_model(name)));
    int invalid = 0;
    for (uint64_t seed = 0; seed < 90; ++seed) {
      GenSpec spec{.seed = seed,
                   .processes = 2 + int(seed % 5),
                   .ops = 20 + int(seed % 5) * 30,
                   .values = 2 + int(seed % 4),
                   .keys = 1 + int(seed % 2),
                   .crash_rate = 0.05 * double(seed % 5)};
      History h = generate_history(spec);
      if (std::string(name) == "register")  // no cas: keep reads and writes only
        h.erase(std::remove_if(h.begin(), h.end(), [](const Op& op) { return op.f == "cas"; }), h.end());
      if (seed % 3 == 1) h = corrupt_history(h, seed);
      if (seed % 3 == 2 && spec.keys == 1) h = stale_read_history(h, seed);
      reindex(h);
      CheckOptions o;
      o.options = {{"initial-value", seed % 4 == 0 ? Json() : Json(0)}};
      CheckResult a = compact->check(h, o), b = json_only->check(h, o);
      ASSERT_EQ(a.verdict, b.verdict) << name << " seed " << seed;
      EXPECT_EQ(a.details["configurations"], b.details["configurations"]) << name << " seed " << seed;
      EXPECT_EQ(a.explanation, b.explanation) << name << " seed " << seed;
      invalid += a.verdict == Verdict::kInvalid;
    }
    EXPECT_GT(invalid, 15) << name;
    EXPECT_LT(invalid, 90) << name;
  }
}

TEST(LinearProperty, SimulatedHistoriesAreLinearizable) {
  for (uint64_t seed = 0; seed < 40; ++seed) {
    History h = generate_history({.seed = seed, .ops = 200, .crash_rate = 0.15});
    CheckResult r = check("cas-register", h, {{"initial-value", 0}});
    EXPECT_EQ(r.verdict, Verdict::kValid) << "seed " << seed << ": " << r.explanation;
    EXPECT_EQ(check("cas-register", corrupt_history(h, seed), {{"initial-value", 0}}).verdict, Verdict::kInvalid);
  }
}

TEST(LinearProperty, CheckingPerKeyAgreesWithCheckingTheWhole) {
  for (uint64_t seed = 0; seed < 10; ++seed) {
    GenSpec spec{.shape = GenSpec::Shape::kKv, .seed = seed, .ops = 300, .keys = 4, .crash_rate = 0.1};
    History h = generate_history(spec);
    if (seed % 2) h = corrupt_history(h, seed);
    std::map<Json, History> per_key;
    for (const Op& op : h) per_key[op.value[0]].push_back(op);
    bool all_valid = true;
    for (auto& [key, part] : per_key) all_valid &= check("kv", part).verdict == Verdict::kValid;
    CheckResult whole = check("kv", h);
    EXPECT_EQ(whole.verdict, all_valid ? Verdict::kValid : Verdict::kInvalid) << "seed " << seed;
    EXPECT_EQ(whole.details["parts"], per_key.size());
  }
}

TEST(LinearBudget, ASpentBudgetGivesUnknown) {
  History h = generate_history({.seed = 1, .ops = 200, .crash_rate = 0.2});
  CheckResult r = check("cas-register", h, {{"initial-value", 0}, {"budget-ms", 0}});
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_NE(r.explanation.find("budget-ms"), std::string::npos) << r.explanation;
  EXPECT_EQ(check("cas-register", h, {{"initial-value", 0}, {"memory-mb", 0}}).verdict, Verdict::kUnknown);
}

TEST(LinearFiles, InvalidWritesAnHtmlViewAndValidAWitness) {
  fs::path dir = fs::temp_directory_path() / ("linear_test_" + std::to_string(::getpid()));
  History h = generate_history({.seed = 7, .ops = 300, .crash_rate = 0.1});
  CheckOptions o;
  o.out_dir = dir;
  o.options = {{"initial-value", 0}, {"witness", true}};
  CheckResult valid = linear_checker("cas-register")->check(h, o);
  ASSERT_EQ(valid.verdict, Verdict::kValid);
  ASSERT_EQ(valid.files, std::vector<std::string>{"linear-witness.json"});
  std::ifstream witness(dir / "linear-witness.json");
  Json w = Json::parse(witness);
  std::set<int64_t> witnessed;  // every ok op appears in the witness, by its invocation's index
  for (const Json& step : w[0]["linearization"]) witnessed.insert(step["index"].get<int64_t>());
  std::vector<int64_t> partner = pair_index(h);
  for (size_t i = 0; i < h.size(); ++i)
    if (h[i].is_ok()) {
      EXPECT_TRUE(witnessed.count(h[partner[i]].index)) << "op " << h[partner[i]].index;
    }
  CheckResult invalid = linear_checker("cas-register")->check(corrupt_history(h, 7), o);
  ASSERT_EQ(invalid.files, std::vector<std::string>{"linear.html"});
  std::ifstream html(dir / "linear.html");
  std::string text((std::istreambuf_iterator<char>(html)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("<svg"), std::string::npos);
  EXPECT_NE(text.find("cannot be linearized"), std::string::npos);
  fs::remove_all(dir);
}

// Two keys each with a read that returns the value a completed write had already overwritten,
// served by n2 while a partition was active: both keys are reported, the first explained fully.
TEST(LinearExplanation, EveryFailingKeyIsCountedAndStaleReadsAreNamed) {
  History h = make({{-1, "invoke", "start-partition", "halves"},
                    {-1, "info", "start-partition", "halves"},
                    {0, "invoke", "write", {1, 1}},
                    {0, "ok", "write", {1, 1}},
                    {0, "invoke", "write", {1, 2}},
                    {0, "ok", "write", {1, 2}},
                    {1, "invoke", "read", {1, nullptr}},
                    {1, "ok", "read", {1, 1}},
                    {0, "invoke", "write", {2, 5}},
                    {0, "ok", "write", {2, 5}},
                    {0, "invoke", "write", {2, 6}},
                    {0, "ok", "write", {2, 6}},
                    {1, "invoke", "read", {2, nullptr}},
                    {1, "ok", "read", {2, 5}},
                    {0, "invoke", "write", {3, 7}},
                    {0, "ok", "write", {3, 7}},
                    {1, "invoke", "read", {3, nullptr}},
                    {1, "ok", "read", {3, 7}}});
  for (size_t i = 0; i < h.size(); ++i) {
    h[i].time = static_cast<int64_t>(i) * 1000000;
    if (h[i].process == 1) h[i].node = "n2";
  }
  CheckResult r = check("register", h);
  ASSERT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(r.details["failed-key-count"], 2);
  EXPECT_EQ(r.details["failed-keys"], Json::parse("[1, 2]"));
  ASSERT_EQ(r.details["failures"].size(), 2u);
  EXPECT_EQ(r.details["violation"]["kind"], "stale-read");
  EXPECT_EQ(r.details["violation"]["returned"], 1);
  EXPECT_EQ(r.details["violation"]["missed-value"], 2);
  EXPECT_EQ(r.details["node"], "n2");
  EXPECT_EQ(r.details["faults-active"][0]["fault"], "partition");
  EXPECT_NE(r.explanation.find("2 of 3 keys are not linearizable"), std::string::npos) << r.explanation;
  EXPECT_NE(r.explanation.find("stale read: it returned 1"), std::string::npos) << r.explanation;
  EXPECT_NE(r.explanation.find("served by n2"), std::string::npos) << r.explanation;
  EXPECT_NE(r.explanation.find("partition"), std::string::npos) << r.explanation;
  EXPECT_NE(r.details["failures"][1]["explanation"].get<std::string>().find("returned 5"), std::string::npos);
}

// Once one key is not linearizable the verdict is known: a key that would need a long search is
// then left undecided (listed), unless configurations-after-verdict allows the search.
TEST(LinearExplanation, KeysLeftOnceTheVerdictIsKnownAreListed) {
  GenSpec spec{.shape = GenSpec::Shape::kKv, .seed = 7, .processes = 10, .ops = 600, .keys = 2};
  History big = generate_history(spec);  // keys 0 and 1, each needing a search of many configurations
  History h = make({{100, "invoke", "put", {9, "a"}},
                    {100, "ok", "put", {9, "a"}},
                    {100, "invoke", "put", {9, "b"}},
                    {100, "ok", "put", {9, "b"}},
                    {101, "invoke", "get", {9, nullptr}},
                    {101, "ok", "get", {9, "a"}}});
  h.insert(h.end(), big.begin(), big.end());
  reindex(h);
  // Key 9 is checked first (smallest); at least one big key starts after it failed.
  CheckResult cut = check("kv", h, {{"initial-value", ""}, {"configurations-after-verdict", 0}});
  ASSERT_EQ(cut.verdict, Verdict::kInvalid);
  EXPECT_EQ(cut.details["failed-keys"], Json::parse("[9]"));
  ASSERT_TRUE(cut.details.contains("undecided-keys")) << cut.details.dump();
  EXPECT_GE(cut.details["undecided-keys"].size(), 1u);
  EXPECT_NE(cut.explanation.find("left undecided once the verdict was known"), std::string::npos) << cut.explanation;
  CheckResult all = check("kv", h, {{"initial-value", ""}, {"configurations-after-verdict", 1000000000}});
  ASSERT_EQ(all.verdict, Verdict::kInvalid);
  EXPECT_EQ(all.details["failed-keys"], Json::parse("[9]"));
  EXPECT_FALSE(all.details.contains("undecided-keys")) << all.details.dump();
  EXPECT_GT(all.details["configurations"].get<int64_t>(), 2000) << all.details["configurations"];
}

TEST(LinearExplanation, AHistoryWithoutClientOpsIsUnknown) {
  History h = make({{-1, "invoke", "start-partition", "halves"}, {-1, "info", "start-partition", "halves"}});
  EXPECT_EQ(check("register", h).verdict, Verdict::kUnknown);
}

}  // namespace
}  // namespace faultline::linear
