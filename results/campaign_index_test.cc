// The campaign index from campaigns built by hand: exit codes, the trend over earlier campaigns
// in the same store, JUnit XML that a strict XML parser accepts, and escaping in index.html.
#include "results/campaign_index.h"
#include "harness/core/files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "harness/core/error.h"
#include "results/store.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;

CampaignTest test(const std::string& cell, const std::string& status) {
  CampaignTest t;
  t.cell = cell;
  t.run = "seed 1";
  t.status = status;
  t.exit_code = status == "valid" ? 0 : status == "invalid" ? 1 : status == "error" ? 255 : 2;
  return t;
}

Campaign campaign(const std::string& started, std::vector<CampaignTest> tests) {
  return Campaign{"nightly", "nightly.json", started, 1.5, 0, false, std::move(tests), {}};
}

int exit_code_of(std::vector<std::string> statuses) {
  std::vector<CampaignTest> tests;
  for (const auto& s : statuses) tests.push_back(test("c" + std::to_string(tests.size()), s));
  return campaign_exit_code(campaign("t", tests));
}

TEST(CampaignExitCode, SummarisesTheWorstOutcome) {
  EXPECT_EQ(exit_code_of({"valid", "valid"}), 0);
  EXPECT_EQ(exit_code_of({"valid", "invalid", "unknown", "error"}), 1);
  EXPECT_EQ(exit_code_of({"valid", "unknown", "error"}), 2);
  EXPECT_EQ(exit_code_of({"valid", "error"}), 255);
  EXPECT_EQ(exit_code_of({"valid", "skipped"}), 0);
  EXPECT_EQ(exit_code_of({"skipped"}), 2);  // nothing was verified
}

class CampaignIndex : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = fs::temp_directory_path() / ("faultline-campaign-index-" + std::to_string(getpid()) + "-" +
                                          ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(store_);
  }
  void TearDown() override { fs::remove_all(store_); }

  // Writes a campaign as it would be after running, in its own directory.
  fs::path write(const Campaign& c, size_t depth = 10) {
    fs::path dir = create_campaign_dir(store_);
    write_campaign_index(dir, c, depth);
    return dir;
  }

  fs::path store_;
};

TEST_F(CampaignIndex, DirectoryAndLatestLink) {
  fs::path a = create_campaign_dir(store_), b = create_campaign_dir(store_);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.parent_path(), store_ / "campaigns");
  EXPECT_EQ(fs::canonical(store_ / "campaigns" / "latest"), fs::canonical(b));
  EXPECT_FALSE(fs::exists(store_ / "latest"));  // the runs' own latest link is left alone
}

TEST_F(CampaignIndex, TrendMarksNewlyFailingNewlyPassingAndFlakyCells) {
  write(campaign("2026-01-01T00:00:00.000Z",
                 {test("a", "valid"), test("b", "valid"), test("c", "invalid"), test("gone", "valid")}));
  write(campaign("2026-01-02T00:00:00.000Z", {test("a", "valid"), test("b", "valid"), test("c", "invalid")}));
  Campaign other = campaign("2026-01-02T12:00:00.000Z", {test("a", "invalid")});
  other.name = "another";  // campaigns of another name are not part of this trend
  write(other);
  fs::path dir =
      write(campaign("2026-01-03T00:00:00.000Z", {test("a", "valid"), test("b", "invalid"), test("c", "valid")}));
  Json index = read_json_file(dir / "index.json");
  const Json& trend = index["trend"];
  ASSERT_EQ(trend["campaigns"].size(), 3u);
  EXPECT_EQ(trend["campaigns"][2]["index"], "index.html");
  EXPECT_TRUE(fs::exists(dir / trend["campaigns"][0]["index"].get<std::string>()));
  std::map<std::string, Json> cells;
  for (const Json& c : trend["cells"]) cells[c["cell"]] = c;
  ASSERT_EQ(cells.size(), 4u);
  EXPECT_EQ(trend["cells"][0]["cell"], "a");  // this campaign's cells first, in its order
  EXPECT_EQ(cells["a"]["outcomes"], Json({"valid", "valid", "valid"}));
  EXPECT_FALSE(cells["a"]["newly_failing"]);
  EXPECT_FALSE(cells["a"]["flaky"]);
  EXPECT_EQ(cells["b"]["outcomes"], Json({"valid", "valid", "invalid"}));
  EXPECT_TRUE(cells["b"]["newly_failing"]);
  EXPECT_TRUE(cells["b"]["flaky"]);
  EXPECT_TRUE(cells["c"]["newly_passing"]);
  EXPECT_FALSE(cells["c"]["newly_failing"]);
  EXPECT_EQ(cells["gone"]["outcomes"], Json({"valid", nullptr, nullptr}));
  std::string html = file_text(dir / "index.html");
  EXPECT_NE(html.find("newly failing"), std::string::npos);
  EXPECT_NE(html.find("flaky"), std::string::npos);
}

TEST_F(CampaignIndex, TrendDepthLimitsTheCampaignsShown) {
  write(campaign("2026-01-01T00:00:00.000Z", {test("a", "invalid")}));
  write(campaign("2026-01-02T00:00:00.000Z", {test("a", "valid")}));
  fs::path dir = write(campaign("2026-01-03T00:00:00.000Z", {test("a", "valid")}), 2);
  Json trend = read_json_file(dir / "index.json")["trend"];
  ASSERT_EQ(trend["campaigns"].size(), 2u);
  EXPECT_EQ(trend["campaigns"][0]["started"], "2026-01-02T00:00:00.000Z");
  EXPECT_FALSE(trend["cells"][0]["flaky"]);  // the invalid run is outside the window
}

TEST_F(CampaignIndex, JunitXmlIsWellFormedWithHostileText) {
  CampaignTest bad = test("memory/register/none", "invalid");
  bad.anomalies = {"linearizable"};
  bad.explanation = std::string("read <script>alert(1)</script> & \"x\" \x01\x1b bad utf8 \xff\xfe ]]> done");
  bad.run_dir = store_ / "memory-register-none" / "20260101T000000.000Z";
  CampaignTest skipped = test("memory/register/kill", "skipped");
  skipped.explanation = "skipped: over the time budget";
  fs::path dir = write(
      campaign("2026-01-01T00:00:00.000Z", {test("ok/w/none", "valid"), bad, test("u/w/none", "unknown"), skipped}));
  fs::path xml = dir / "junit.xml";
  // Python's expat parser is strict: bad characters or unbalanced tags fail the parse.
  std::string check =
      "/usr/bin/python3 -c \"import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); "
      "s = r.find('testsuite'); "
      "print(r.tag, s.get('tests'), s.get('failures'), s.get('errors'), s.get('skipped'), "
      "len(s.findall('testcase/failure')), len(s.findall('testcase/error')), len(s.findall('testcase/skipped')), "
      "'script' in s.find('testcase/failure').text)\" '" +
      xml.string() + "' > '" + (dir / "parsed.txt").string() + "' 2>&1";
  ASSERT_EQ(std::system(check.c_str()), 0) << file_text(dir / "parsed.txt") << file_text(xml);
  EXPECT_EQ(file_text(dir / "parsed.txt"), "testsuites 4 1 1 1 1 1 1 True\n");
  std::string text = file_text(xml);
  EXPECT_NE(text.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(text.find("classname=\"nightly.memory.register.none\""), std::string::npos);
  EXPECT_NE(text.find("reproduce: faultline test --spec"), std::string::npos);

  std::string html = file_text(dir / "index.html");
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert"), std::string::npos);
  EXPECT_NE(html.find("href=\"../../memory-register-none/20260101T000000.000Z/report.html\""), std::string::npos)
      << html;
}

TEST_F(CampaignIndex, ReadRunSummaryTakesVerdictAnomaliesAndExplanation) {
  fs::path run = store_ / "run";
  fs::create_directories(run);
  write_json_file(run / "results.json", {{"valid", "invalid"},
                                         {"exit_code", 1},
                                         {"test", {{"seed", 42}, {"duration_s", 1.25}}},
                                         {"checkers",
                                          {{"stats", {{"valid", true}}},
                                           {"linear", {{"valid", false}, {"explanation", "read 3 after write 4"}}},
                                           {"elle", {{"valid", false}, {"anomaly-types", {"G1c", "G-single"}}}}}}});
  CampaignTest t;
  read_run_summary(run, t);
  EXPECT_EQ(t.status, "invalid");
  EXPECT_EQ(t.exit_code, 1);
  EXPECT_EQ(t.seed, 42u);
  EXPECT_DOUBLE_EQ(t.duration_s, 1.25);
  EXPECT_EQ(t.anomalies, (std::vector<std::string>{"G1c", "G-single", "linear"}));
  EXPECT_EQ(t.explanation, "linear: read 3 after write 4");

  // The typed field the runner writes (CheckResult::anomalies) is taken as it is.
  write_json_file(run / "results.json", {{"valid", "invalid"},
                                         {"exit_code", 1},
                                         {"anomalies", {"lost", "G0"}},
                                         {"checkers", {{"elle", {{"valid", false}, {"anomaly-types", {"G1c"}}}}}}});
  read_run_summary(run, t);
  EXPECT_EQ(t.anomalies, (std::vector<std::string>{"lost", "G0"}));

  write_json_file(run / "results.json", {{"valid", "unknown"}, {"exit_code", 255}, {"error", "ssh to n1 failed"}});
  read_run_summary(run, t);
  EXPECT_EQ(t.status, "error");
  EXPECT_EQ(t.explanation, "ssh to n1 failed");
  EXPECT_THROW(read_run_summary(store_ / "missing", t), Error);
}

}  // namespace
}  // namespace faultline
