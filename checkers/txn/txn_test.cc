#include "checkers/txn/txn.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "checkers/txn/consistency.h"
#include "checkers/txn/generator.h"
#include "harness/core/error.h"
#include "harness/core/history_io.h"

namespace faultline::txn {
namespace {

const std::string kData = FAULTLINE_DATA_DIR;

CheckResult run(const History& h, DataModel model, Json options = Json::object(), std::filesystem::path out_dir = {}) {
  CheckOptions o;
  o.options = std::move(options);
  o.out_dir = std::move(out_dir);
  return check(h, o, model);
}

std::vector<std::string> types(const CheckResult& r) {
  return r.details["anomaly-types"].get<std::vector<std::string>>();
}

bool has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// A history of sequential txns, one per process, from completed values.
History sequential(std::vector<Json> txns) {
  History h;
  Rng rng(1);
  for (size_t i = 0; i < txns.size(); ++i) {
    Op invoke;
    invoke.process = int64_t(i);
    invoke.f = "txn";
    invoke.value = txns[i];
    Op ok = invoke;
    ok.type = OpType::kOk;
    h.push_back(invoke);
    h.push_back(ok);
  }
  reindex(h);
  return h;
}

TEST(TxnData, PaperExampleIsGSingleItem) {
  for (const char* file :
       {"/elle/paper-example.edn", "/elle-cli/elle/paper-example.edn", "/elle-cli/elle/paper-example.json"}) {
    SCOPED_TRACE(file);
    CheckResult r = run(read_history_file(kData + file), DataModel::kListAppend);
    EXPECT_EQ(r.verdict, Verdict::kInvalid);
    EXPECT_TRUE(has(types(r), "G-single-item")) << r.details["anomaly-types"];
    EXPECT_NE(r.explanation.find("did not observe"), std::string::npos) << r.explanation;
  }
}

TEST(TxnData, SiWithoutGSingleIsOnlyG2Item) {
  History h = read_history_file(kData + "/elle/si-without-g-single.edn");
  CheckResult r = run(h, DataModel::kListAppend, {{"consistency-models", {"snapshot-isolation", "repeatable-read"}}});
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_EQ(types(r), std::vector<std::string>{"G2-item"});
  EXPECT_EQ(r.details["not"], Json({"repeatable-read"}));
  EXPECT_FALSE(has(r.details["also-not"].get<std::vector<std::string>>(), "snapshot-isolation"));
  // Snapshot isolation alone holds.
  EXPECT_EQ(run(h, DataModel::kListAppend, {{"consistency-models", {"snapshot-isolation"}}}).verdict, Verdict::kValid);
}

TEST(TxnData, ListAppendGh30IsNotSerializable) {
  History h = read_history_file(kData + "/elle-cli/elle/list-append-gh-30.edn");
  CheckResult r = run(h, DataModel::kListAppend, {{"consistency-models", {"serializable"}}});
  EXPECT_EQ(r.verdict, Verdict::kInvalid) << r.explanation;
}

TEST(TxnData, RwRegisterGarbageReadIsReportedAndInvalid) {
  for (const char* file : {"/elle-cli/elle/rw-register.edn", "/elle-cli/elle/rw-register.json"}) {
    CheckResult r = run(read_history_file(kData + file), DataModel::kRwRegister);
    EXPECT_EQ(r.verdict, Verdict::kInvalid);
    EXPECT_EQ(types(r), std::vector<std::string>{"garbage-read"});
    EXPECT_EQ(r.details["not"], Json({"read-uncommitted"}));
  }
}

// Every anomaly the generator can plant, alone in a history: detected and explained.
TEST(TxnMinimal, EachAnomalyIsDetectedAndExplained) {
  for (DataModel model : {DataModel::kListAppend, DataModel::kRwRegister}) {
    for (const std::string& name : injectable(model)) {
      SCOPED_TRACE(name);
      History h;
      Rng rng(7);
      inject(h, model, name, rng);
      CheckResult r = run(h, model);
      EXPECT_EQ(r.verdict, Verdict::kInvalid);
      ASSERT_TRUE(has(types(r), name)) << r.details["anomaly-types"];
      const Json& first = r.details["anomalies"][name][0];
      EXPECT_FALSE(first["explanation"].get<std::string>().empty());
      EXPECT_FALSE(r.details["not"].empty());
    }
  }
}

TEST(TxnMinimal, GSingleExplainsEachEdge) {
  History h = sequential(
      {Json::parse(R"([["append","x",1],["append","y",1]])"), Json::parse(R"([["r","x",[1]],["r","y",[]]])")});
  CheckResult r = run(h, DataModel::kListAppend, {{"consistency-models", {"serializable"}}});
  ASSERT_EQ(types(r), std::vector<std::string>{"G-single-item"});
  std::string text = r.details["anomalies"]["G-single-item"][0]["explanation"];
  EXPECT_NE(text.find("T2 observed T1's append of 1 to key x"), std::string::npos) << text;
  EXPECT_NE(text.find("T2 observed the initial (empty) state of key y, which T1 created by "
                      "appending 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("a contradiction"), std::string::npos);
  EXPECT_EQ(r.details["anomalies"]["G-single-item"][0]["steps"].size(), 2u);
}

TEST(TxnMinimal, GNonadjacentItem) {
  History h = sequential(
      {Json::parse(R"([["r","x",[]],["r","w",[1]]])"), Json::parse(R"([["append","x",1],["append","y",1]])"),
       Json::parse(R"([["r","y",[1]],["r","z",[]]])"), Json::parse(R"([["append","z",1],["append","w",1]])")});
  CheckResult r = run(h, DataModel::kListAppend, {{"consistency-models", {"serializable"}}});
  EXPECT_EQ(types(r), std::vector<std::string>{"G-nonadjacent-item"});
  EXPECT_TRUE(has(r.details["not"].get<std::vector<std::string>>(), "snapshot-isolation"));
}

TEST(TxnMinimal, StaleReadIsRealtimeOnlyUnderStrictModels) {
  History h = sequential({Json::parse(R"([["append","x",1]])"), Json::parse(R"([["r","x",[]]])")});
  CheckResult strict = run(h, DataModel::kListAppend);
  EXPECT_EQ(types(strict), std::vector<std::string>{"G-single-item-realtime"});
  std::string text = strict.explanation;
  EXPECT_NE(text.find("T1 completed (op 1) before T2 began (op 2)"), std::string::npos) << text;
  EXPECT_EQ(run(h, DataModel::kListAppend, {{"consistency-models", {"serializable"}}}).verdict, Verdict::kValid);
}

TEST(TxnMinimal, SameProcessStaleReadIsProcessVariant) {
  History h = sequential({Json::parse(R"([["append","x",1]])"), Json::parse(R"([["r","x",[]]])")});
  for (Op& op : h) op.process = 0;
  CheckResult r = run(h, DataModel::kListAppend, {{"consistency-models", {"strong-session-serializable"}}});
  EXPECT_EQ(types(r), std::vector<std::string>{"G-single-item-process"});
}

TEST(TxnMinimal, AnomaliesOptionWidensTheSearch) {
  History h = read_history_file(kData + "/elle/si-without-g-single.edn");
  auto r = run(h, DataModel::kListAppend, {{"consistency-models", {"read-committed"}}, {"anomalies", {"G2-item"}}});
  EXPECT_EQ(types(r), std::vector<std::string>{"G2-item"});
  EXPECT_EQ(run(h, DataModel::kListAppend, {{"consistency-models", {"read-committed"}}}).verdict, Verdict::kValid);
}

TEST(TxnMinimal, ABoundedSearchIsUnknownNotValid) {
  History h = read_history_file(kData + "/elle/si-without-g-single.edn");
  CheckResult r =
      run(h, DataModel::kListAppend, {{"consistency-models", {"serializable"}}, {"cycle-search-budget", 1}});
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_FALSE(r.details["bounded-searches"].empty());
  EXPECT_NE(r.explanation.find("cut short"), std::string::npos) << r.explanation;
}

TEST(TxnMinimal, DuplicateAppendsMakeTheVerdictUnknown) {
  History h = sequential({Json::parse(R"([["append","x",1]])"), Json::parse(R"([["append","x",1]])")});
  CheckResult r = run(h, DataModel::kListAppend);
  EXPECT_EQ(r.verdict, Verdict::kUnknown);
  EXPECT_NE(r.explanation.find("more than once"), std::string::npos);
}

TEST(TxnMinimal, BadInputIsOneClearError) {
  History h = sequential({Json::parse(R"([["cas","x",1]])")});
  try {
    run(h, DataModel::kListAppend);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadInput);
    EXPECT_NE(std::string(e.what()).find("op 1"), std::string::npos) << e.what();
  }
  History ok = sequential({Json::parse(R"([["append","x",1]])")});
  EXPECT_THROW(run(ok, DataModel::kListAppend, {{"consistency-models", {"serialisable"}}}), Error);
  EXPECT_THROW(run(ok, DataModel::kListAppend, {{"consistency-models", 3}}), Error);
  EXPECT_THROW(run(ok, DataModel::kListAppend, {{"model", "cas-register"}}), Error);
}

TEST(TxnMinimal, RegisterKeyOrderOptions) {
  History h =
      sequential({Json::parse(R"([["w","x",1]])"), Json::parse(R"([["w","x",2]])"), Json::parse(R"([["r","x",1]])")});
  EXPECT_EQ(run(h, DataModel::kRwRegister).verdict, Verdict::kValid);
  CheckResult lin = run(h, DataModel::kRwRegister, {{"linearizable-keys", true}});
  EXPECT_EQ(lin.verdict, Verdict::kInvalid);
  EXPECT_TRUE(has(types(lin), "cyclic-versions")) << lin.details["anomaly-types"];
  // Sequential keys order only what one process did.
  EXPECT_EQ(run(h, DataModel::kRwRegister, {{"sequential-keys", true}}).verdict, Verdict::kValid);
  for (Op& op : h) op.process = 0;
  EXPECT_EQ(run(h, DataModel::kRwRegister, {{"sequential-keys", true}}).verdict, Verdict::kInvalid);
  EXPECT_THROW(run(h, DataModel::kRwRegister, {{"sequential-keys", "yes"}}), Error);
}

TEST(TxnFiles, WritesExplanationsAndGraphs) {
  auto dir = std::filesystem::temp_directory_path() / ("txn-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  CheckResult r =
      run(read_history_file(kData + "/elle/paper-example.edn"), DataModel::kListAppend, Json::object(), dir);
  EXPECT_TRUE(has(r.files, "G-single-item.txt"));
  EXPECT_TRUE(has(r.files, "G-single-item/0.dot"));
  // Graphviz is installed by the project's install step, so the drawing must be there too.
  ASSERT_EQ(std::system("command -v dot >/dev/null 2>&1"), 0)
      << "Graphviz (dot) is not installed; run cmake/install-deps.sh";
  EXPECT_TRUE(has(r.files, "G-single-item/0.svg"));
  for (const auto& f : r.files) EXPECT_TRUE(std::filesystem::exists(dir / f)) << f;
  std::filesystem::remove_all(dir);
}

TEST(TxnFiles, WithoutGraphvizLeavesDotFilesAndSaysSo) {
  auto dir = std::filesystem::temp_directory_path() / ("txn-nodot-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  ::setenv("PATH", "", 1);
  CheckResult r =
      run(read_history_file(kData + "/elle/paper-example.edn"), DataModel::kListAppend, Json::object(), dir);
  ::setenv("PATH", path.c_str(), 1);
  EXPECT_EQ(r.verdict, Verdict::kInvalid);
  EXPECT_TRUE(has(r.files, "G-single-item/0.dot"));
  EXPECT_FALSE(has(r.files, "G-single-item/0.svg"));
  std::ifstream txt(dir / "G-single-item.txt");
  std::string text((std::istreambuf_iterator<char>(txt)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("Graphviz (dot) is not installed"), std::string::npos) << text;
  std::filesystem::remove_all(dir);
}

TEST(TxnGenerated, ValidHistoriesHaveNoAnomalies) {
  for (DataModel model : {DataModel::kListAppend, DataModel::kRwRegister}) {
    for (uint64_t seed : {1, 2, 3}) {
      Rng rng(seed);
      HistoryShape shape{model, 6, 300, 5, 6, 8};
      History h = generate_valid(shape, rng);
      CheckResult r = run(h, model);
      EXPECT_EQ(r.verdict, Verdict::kValid) << seed << " " << r.explanation;
      EXPECT_GT(r.details["edge-count"].get<size_t>(), 300u);
    }
  }
}

TEST(TxnGenerated, InjectedAnomaliesAreFound) {
  for (DataModel model : {DataModel::kListAppend, DataModel::kRwRegister}) {
    for (const std::string& name : injectable(model)) {
      SCOPED_TRACE(name);
      Rng rng(11);
      History h = generate_valid({model, 5, 200, 4, 5, 8}, rng);
      inject(h, model, name, rng);
      CheckResult r = run(h, model);
      EXPECT_EQ(r.verdict, Verdict::kInvalid);
      EXPECT_TRUE(has(types(r), name)) << r.details["anomaly-types"];
    }
  }
}

TEST(TxnGenerated, StaleReadsBreakStrictSerializability) {
  for (DataModel model : {DataModel::kListAppend, DataModel::kRwRegister}) {
    Rng rng(5);
    HistoryShape shape{model, 5, 300, 4, 4, 8};
    shape.stale_read_rate = 0.2;
    CheckResult r = run(generate_valid(shape, rng), model, {{"linearizable-keys", true}});
    EXPECT_EQ(r.verdict, Verdict::kInvalid) << r.explanation;
  }
}

TEST(TxnConsistency, Boundaries) {
  Boundary b = boundary({"G-single-item"});
  EXPECT_EQ(b.not_models, (std::vector<std::string>{"consistent-view", "repeatable-read"}));
  EXPECT_TRUE(has(b.also_not, "snapshot-isolation"));
  EXPECT_TRUE(has(b.also_not, "strict-serializable"));
  auto rc = reportable_anomalies({"read-committed"}, {});
  EXPECT_TRUE(rc.count("G1c") && rc.count("G0") && rc.count("G1a"));
  EXPECT_FALSE(rc.count("G2-item") || rc.count("G-single-item"));
  EXPECT_TRUE(reportable_anomalies({"PL-SS"}, {}).count("G-single-item-realtime"));
}

}  // namespace
}  // namespace faultline::txn
