// Campaigns over the in-memory target: how a campaign file expands into tests, what it rejects
// before running anything, and two real campaigns (one through the faultline binary) with a
// healthy and a buggy cell giving the index, the trend, JUnit XML and exit code 1.
#include "harness/run/campaign.h"
#include "harness/core/files.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "harness/core/error.h"
#include "results/store.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;

// A healthy and a buggy memory register, one second each.
Json two_cells() {
  return Json::parse(R"({
    "name": "nightly",
    "base": {"time-limit": 1, "concurrency": 3},
    "matrix": {
      "targets": ["memory", {"name": "memory-stale", "target": "memory", "target-options": {"bugs": ["stale-read"]}}],
      "workloads": ["register"],
      "seeds": [7]
    }
  })");
}

class Campaigns : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = fs::temp_directory_path() / ("faultline-campaign-" + std::to_string(getpid()) + "-" +
                                          ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(store_);
    fs::create_directories(store_);
  }
  void TearDown() override { fs::remove_all(store_); }

  // Expects plan_campaign to reject `file` with a message containing `words`.
  void rejects(const Json& file, const std::string& words) {
    try {
      plan_campaign(file, "c.json", store_.string());
      ADD_FAILURE() << "accepted: " << file.dump();
    } catch (const Error& e) {
      EXPECT_EQ(e.exit_code(), 254);
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  }

  fs::path store_;
};

TEST_F(Campaigns, PlanExpandsTheMatrixAndAppliesOverrides) {
  Json file = Json::parse(R"({
    "base": {"time-limit": 2, "target-options": {"accounts": 3}},
    "matrix": {
      "targets": ["memory", {"name": "stale", "target": "memory", "target-options": {"bugs": ["stale-read"]}}],
      "workloads": ["register", {"workload": "set", "workload-options": {}}],
      "repeats": 2
    },
    "overrides": [{"match": {"target": "stale", "workload": "set"}, "spec": {"time-limit": 5}}],
    "time-budget": 60
  })");
  CampaignPlan plan = plan_campaign(file, "dir/my-campaign.json", store_.string());
  EXPECT_EQ(plan.name, "my-campaign");
  EXPECT_EQ(plan.budget_s, 60);
  EXPECT_EQ(plan.store, store_);
  ASSERT_EQ(plan.tests.size(), 8u);
  EXPECT_EQ(plan.tests[0].cell, "memory/register/none");
  EXPECT_EQ(plan.tests[0].run, "repeat 1");
  EXPECT_EQ(plan.tests[1].run, "repeat 2");
  EXPECT_EQ(plan.tests[0].spec.name, "memory-register-none");
  EXPECT_EQ(plan.tests[0].spec.store, store_.string());
  const PlannedTest& last = plan.tests.back();
  EXPECT_EQ(last.cell, "stale/set/none");
  EXPECT_EQ(last.spec.time_limit, 5);
  EXPECT_EQ(plan.tests[4].spec.time_limit, 2);  // stale/register: the override does not match
  // Axis entries merge into the base: both target options are kept.
  EXPECT_EQ(last.spec.target_options, Json::parse(R"({"accounts": 3, "bugs": ["stale-read"]})"));
}

TEST_F(Campaigns, PlanRejectsMistakesBeforeAnythingRuns) {
  rejects({{"matrix", {{"targets", {"memory"}}}}, {"tme-budget", 5}}, "unknown field \"tme-budget\"");
  rejects({{"matrix", {{"targets", {"no-such-target"}}}}}, "cell no-such-target/register/none");
  rejects({{"matrix", {{"workloads", {"no-such-workload"}}}}}, "no-such-workload");
  rejects({{"matrix", {{"seeds", {1}}, {"repeats", 2}}}}, "not both");
  rejects({{"matrix", {{"seeds", {-1}}}}}, "non-negative");
  rejects({{"matrix", {{"targets", {"memory", "memory"}}}}}, "share the label");
  rejects({{"matrix", {{"targets", {{{"name", "a/b"}, {"target", "memory"}}}}}}}, "no '/'");
  rejects({{"overrides", {{{"match", {{"target", "memroy"}}}, {"spec", {{"rate", 5}}}}}}}, "matches no cell");
  rejects({{"base", {{"name", "x"}}}}, "named after their cell");
  rejects({{"base", {{"time-limit", "long"}}}}, "time-limit");
}

TEST_F(Campaigns, TwoCampaignsGiveIndexTrendJunitAndExitCode1) {
  std::atomic<bool> interrupted{false};
  std::vector<std::string> progress;
  CampaignPlan plan = plan_campaign(two_cells(), "nightly.json", store_.string());
  CampaignOutcome first = run_campaign(plan, interrupted, [&](const std::string& line) { progress.push_back(line); });
  EXPECT_EQ(first.exit_code, 1) << first.summary;
  ASSERT_EQ(progress.size(), 4u);
  EXPECT_EQ(progress[0].rfind("[1/2] memory/register/none seed 7: running", 0), 0u) << progress[0];
  EXPECT_EQ(progress[3].rfind("[2/2] memory-stale/register/none seed 7: invalid", 0), 0u) << progress[3];

  // The second night goes through the command line, as CI would run it.
  fs::path file = store_ / "nightly.json";
  std::ofstream(file) << two_cells().dump();
  std::string command = std::string(FAULTLINE_BINARY) + " campaign '" + file.string() + "' --store '" +
                        store_.string() + "' >'" + (store_ / "out.txt").string() + "' 2>&1";
  int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1) << file_text(store_ / "out.txt");
  EXPECT_NE(file_text(store_ / "out.txt").find("campaign nightly: 1 valid 1 invalid"), std::string::npos)
      << file_text(store_ / "out.txt");

  fs::path dir = fs::canonical(store_ / "campaigns" / "latest");
  EXPECT_NE(dir, fs::canonical(first.dir));
  Json index = read_json_file(dir / "index.json");
  EXPECT_EQ(index["exit_code"], 1);
  ASSERT_EQ(index["tests"].size(), 2u);
  EXPECT_EQ(index["tests"][0]["status"], "valid");
  EXPECT_EQ(index["tests"][1]["status"], "invalid");
  EXPECT_EQ(index["tests"][1]["seed"], 7);
  EXPECT_FALSE(index["tests"][1]["anomalies"].empty());
  for (const Json& t : index["tests"]) {
    std::string report = t["report"];
    EXPECT_EQ(report.rfind("../../", 0), 0u) << report;  // relative, so the store can move
    EXPECT_TRUE(fs::is_regular_file(dir / report)) << report;
  }

  const Json& trend = index["trend"];
  ASSERT_EQ(trend["campaigns"].size(), 2u);
  ASSERT_EQ(trend["cells"].size(), 2u);
  EXPECT_EQ(trend["cells"][0]["outcomes"], Json({"valid", "valid"}));
  EXPECT_EQ(trend["cells"][1]["outcomes"], Json({"invalid", "invalid"}));
  EXPECT_FALSE(trend["cells"][1]["newly_failing"]);  // it failed last night too

  std::string html = file_text(dir / "index.html");
  EXPECT_NE(html.find("memory-stale/register/none"), std::string::npos);
  EXPECT_NE(html.find("Trend over the last 2 campaigns"), std::string::npos);
  std::string check =
      "/usr/bin/python3 -c \"import sys, xml.etree.ElementTree as E; s = E.parse(sys.argv[1]).getroot()"
      ".find('testsuite'); print(s.get('tests'), s.get('failures'), len(s.findall('testcase')))\" '" +
      (dir / "junit.xml").string() + "' >'" + (store_ / "junit.txt").string() + "' 2>&1";
  ASSERT_EQ(std::system(check.c_str()), 0) << file_text(store_ / "junit.txt");
  EXPECT_EQ(file_text(store_ / "junit.txt"), "2 1 2\n");
}

TEST_F(Campaigns, TestsThatWouldOverrunTheBudgetAreSkipped) {
  Json file = two_cells();
  file["matrix"]["targets"] = {"memory"};
  file["matrix"]["seeds"] = {1, 2};
  file["time-budget"] = 1.5;  // room for one 1 s test plus its set-up, not for two
  std::atomic<bool> interrupted{false};
  CampaignOutcome out =
      run_campaign(plan_campaign(file, "budget.json", store_.string()), interrupted, [](const std::string&) {});
  EXPECT_EQ(out.exit_code, 0) << out.summary;
  Json index = read_json_file(out.dir / "index.json");
  EXPECT_EQ(index["tests"][0]["status"], "valid");
  EXPECT_EQ(index["tests"][1]["status"], "skipped");
  EXPECT_NE(index["tests"][1]["explanation"].get<std::string>().find("time budget"), std::string::npos);
}

TEST_F(Campaigns, AnInterruptEndsTheRunningTestCleanlyAndSkipsTheRest) {
  Json file = two_cells();
  file["base"]["time-limit"] = 30;
  std::atomic<bool> interrupted{false};
  auto start = std::chrono::steady_clock::now();
  // Ctrl-C as the first test starts: it stops early, is still checked, the second never runs.
  CampaignOutcome out =
      run_campaign(plan_campaign(file, "ctrl-c.json", store_.string()), interrupted, [&](const std::string& line) {
        if (line.find("running") != std::string::npos) interrupted = true;
      });
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  Json index = read_json_file(out.dir / "index.json");
  EXPECT_TRUE(index["interrupted"]);
  // Stopped at once it may have recorded no client op: then it has nothing to judge (unknown).
  std::string status = index["tests"][0]["status"];
  EXPECT_TRUE(status == "valid" || status == "unknown") << status;
  EXPECT_EQ(out.exit_code, status == "valid" ? 0 : 2) << out.summary;
  EXPECT_TRUE(fs::exists(out.dir / index["tests"][0]["report"].get<std::string>()));
  EXPECT_EQ(index["tests"][1]["status"], "skipped");
  EXPECT_NE(index["tests"][1]["explanation"].get<std::string>().find("interrupted"), std::string::npos);
}

TEST_F(Campaigns, AFailingCellIsRecordedAndTheCampaignGoesOn) {
  // Faults on the in-process target are refused when the test starts; the next cell still runs.
  Json file = Json::parse(R"({"base": {"time-limit": 0.2}, "matrix": {"faults": [["kill"], []], "seeds": [3]}})");
  std::atomic<bool> interrupted{false};
  CampaignOutcome out =
      run_campaign(plan_campaign(file, "errors.json", store_.string()), interrupted, [](const std::string&) {});
  EXPECT_EQ(out.exit_code, 255) << out.summary;
  Json index = read_json_file(out.dir / "index.json");
  EXPECT_EQ(index["tests"][0]["cell"], "memory/register/kill");
  EXPECT_EQ(index["tests"][0]["status"], "error");
  EXPECT_NE(index["tests"][0]["explanation"].get<std::string>().find("no nodes"), std::string::npos);
  EXPECT_EQ(index["tests"][1]["status"], "valid");
}

// Runs the faultline binary with `args`; returns its exit code, its output in `output`.
int faultline(const std::string& args, const fs::path& output) {
  int status = std::system((std::string(FAULTLINE_BINARY) + " " + args + " >'" + output.string() + "' 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(Campaigns, ShardsAreDisjointDeterministicSlicesCoveringTheMatrix) {
  Json file = two_cells();
  file["matrix"]["seeds"] = {1, 2, 3, 4, 5};  // 10 tests
  std::vector<int> seen(10, 0);
  for (size_t k = 1; k <= 3; ++k) {
    CampaignPlan plan = plan_campaign(file, "n.json", store_.string());
    take_shard(plan, std::to_string(k) + "/3");
    CampaignPlan again = plan_campaign(file, "n.json", store_.string());
    take_shard(again, std::to_string(k) + "/3");
    ASSERT_EQ(plan.tests.size(), k == 1 ? 4u : 3u);
    ASSERT_EQ(plan.matrix.size(), 10u);  // every shard knows the whole matrix
    for (size_t i = 0; i < plan.tests.size(); ++i) {
      EXPECT_EQ(plan.tests[i].position, again.tests[i].position);
      EXPECT_EQ(plan.tests[i].spec.seed, again.tests[i].spec.seed);
      ++seen[plan.tests[i].position];
    }
  }
  EXPECT_EQ(seen, std::vector<int>(10, 1));
  CampaignPlan plan = plan_campaign(file, "n.json", store_.string());
  for (const char* bad : {"0/3", "4/3", "3", "a/b", "1/0", "-1/2", ""})
    EXPECT_THROW(take_shard(plan, bad), Error) << bad;
}

// The same campaign run whole on one machine and as three shards in three stores, then merged:
// the merged index has the same tests in the same order with the same verdicts.
TEST_F(Campaigns, ShardsMergedEqualTheUnshardedCampaignCellForCell) {
  Json file = two_cells();
  file["matrix"]["seeds"] = {1, 2, 3};  // 6 tests of 1 s
  fs::path path = store_ / "nightly.json";
  std::ofstream(path) << file.dump();
  fs::path whole = store_ / "whole", merged = store_ / "merged";
  ASSERT_EQ(faultline("campaign '" + path.string() + "' --store '" + whole.string() + "'", store_ / "w.txt"), 1)
      << file_text(store_ / "w.txt");
  std::string shards;
  for (int k = 1; k <= 3; ++k) {
    fs::path shard = store_ / ("shard" + std::to_string(k));
    fs::path out = store_ / ("s" + std::to_string(k) + ".txt");
    int code = faultline(
        "campaign '" + path.string() + "' --shard " + std::to_string(k) + "/3 --store '" + shard.string() + "'", out);
    EXPECT_TRUE(code == 0 || code == 1) << file_text(out);
    shards += " '" + shard.string() + "'";
  }
  ASSERT_EQ(faultline("campaign merge" + shards + " --out '" + merged.string() + "'", store_ / "m.txt"), 1)
      << file_text(store_ / "m.txt");
  EXPECT_NE(file_text(store_ / "m.txt").find("campaign nightly: 3 valid 3 invalid"), std::string::npos)
      << file_text(store_ / "m.txt");

  fs::path merged_dir = fs::canonical(merged / "campaigns" / "latest");
  Json a = read_json_file(whole / "campaigns" / "latest" / "index.json");
  Json b = read_json_file(merged_dir / "index.json");
  for (const char* key : {"name", "file", "exit_code", "counts", "budget_s", "interrupted"})
    EXPECT_EQ(a[key], b[key]) << key;
  EXPECT_FALSE(b.contains("shard"));
  ASSERT_EQ(a["tests"].size(), 6u);
  ASSERT_EQ(b["tests"].size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    for (const char* key : {"cell", "run", "status", "exit_code", "seed", "anomalies"})
      EXPECT_EQ(a["tests"][i][key], b["tests"][i][key]) << i << " " << key;
    EXPECT_FALSE(b["tests"][i].contains("position"));
    // The run directories were copied beside the merged index, and its links reach them.
    std::string report = b["tests"][i]["report"];
    EXPECT_EQ(report.rfind("../../", 0), 0u) << report;
    EXPECT_TRUE(fs::is_regular_file(merged_dir / report)) << report;
  }
  EXPECT_EQ(a["trend"]["cells"].size(), b["trend"]["cells"].size());
  for (size_t i = 0; i < a["trend"]["cells"].size(); ++i) {
    EXPECT_EQ(a["trend"]["cells"][i]["cell"], b["trend"]["cells"][i]["cell"]);
    EXPECT_EQ(a["trend"]["cells"][i]["outcomes"], b["trend"]["cells"][i]["outcomes"]);
  }
  EXPECT_NE(file_text(merged_dir / "junit.xml").find("tests=\"6\" failures=\"3\""), std::string::npos);
  EXPECT_NE(file_text(merged_dir / "index.html").find("memory-stale/register/none"), std::string::npos);

  // Merging shards of different campaigns is refused.
  Json other = file;
  other["matrix"]["seeds"] = {9};
  std::ofstream(store_ / "other.json") << other.dump();
  ASSERT_EQ(faultline("campaign '" + (store_ / "other.json").string() + "' --shard 1/3 --store '" +
                          (store_ / "other").string() + "'",
                      store_ / "o.txt"),
            0)
      << file_text(store_ / "o.txt");  // memory/register, valid
  EXPECT_EQ(faultline("campaign merge '" + (store_ / "shard1").string() + "' '" + (store_ / "other").string() +
                          "' --out '" + (store_ / "bad").string() + "'",
                      store_ / "b.txt"),
            254)
      << file_text(store_ / "b.txt");
  EXPECT_NE(file_text(store_ / "b.txt").find("another campaign"), std::string::npos) << file_text(store_ / "b.txt");
}

TEST_F(Campaigns, AShardThatWroteNothingGivesHarnessErrorRowsNotMissingOnes) {
  Json file = two_cells();
  std::atomic<bool> interrupted{false};
  CampaignPlan plan = plan_campaign(file, "nightly.json", (store_ / "s1").string());
  take_shard(plan, "1/2");
  run_campaign(plan, interrupted, [](const std::string&) {});
  CampaignOutcome out = merge_campaign({store_ / "s1"}, store_ / "out", {{2, "task 2 was cancelled (TIMEOUT)"}});
  EXPECT_EQ(out.exit_code, 255) << out.summary;
  Json index = read_json_file(out.dir / "index.json");
  ASSERT_EQ(index["tests"].size(), 2u);
  EXPECT_EQ(index["tests"][0]["status"], "valid");
  EXPECT_EQ(index["tests"][1]["cell"], "memory-stale/register/none");
  EXPECT_EQ(index["tests"][1]["status"], "error");
  EXPECT_NE(index["tests"][1]["explanation"].get<std::string>().find("TIMEOUT"), std::string::npos);
}

}  // namespace
}  // namespace faultline
