#include "results/report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "checkers/linear/linear_checker.h"
#include "harness/core/error.h"
#include "harness/core/files.h"
#include "harness/core/history_io.h"
#include "results/report_data.h"
#include "results/report_fixture.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed afterwards.
class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("faultline-report-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static size_t occurrences(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }
  static ErrorCode error_of(const fs::path& dir) {
    try {
      write_report(dir);
    } catch (const Error& e) {
      return e.code();
    }
    ADD_FAILURE() << "write_report(" << dir << ") did not throw";
    return ErrorCode::kInternal;
  }

  fs::path dir_;
};

TEST(HtmlEscape, EscapesMarkupAndQuotes) {
  EXPECT_EQ(html_escape("<a href=\"x\" title='y'>&amp;</a>"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;");
  EXPECT_EQ(html_escape("plain text é"), "plain text é");
}

TEST(UrlPath, EncodesEverythingButSafeCharactersAndSlashes) {
  EXPECT_EQ(url_path("nodes/n 1/a#b?.log"), "nodes/n%201/a%23b%3F.log");
  EXPECT_EQ(url_path("x\"><script>"), "x%22%3E%3Cscript%3E");
}

TEST(JsonForScript, CannotCloseTheScriptElementAndRoundTrips) {
  Json value = {{"v", "</script><script>alert(1)</script><!-- & -->"}};
  std::string text = json_for_script(value);
  EXPECT_EQ(text.find('<'), std::string::npos);
  EXPECT_EQ(text.find('>'), std::string::npos);
  EXPECT_EQ(Json::parse(text), value);
}

TEST(JsonForScript, ReplacesInvalidUtf8InsteadOfThrowing) {
  Json value = std::string("bad \xff\xfe bytes");
  EXPECT_NO_THROW(json_for_script(value));
}

TEST_F(ReportTest, SmallHistoryIsEmbeddedExactly) {
  SyntheticFacts facts = write_synthetic_run(dir_, {.ops = 300, .concurrency = 3, .seed = 7});
  History history = read_history_file(dir_ / "history.jsonl");
  Json results = Json::parse(file_text(dir_ / "results.json"));
  Json data = summarize_history(history, results, ReportLimits{});

  const Json& latency = data["latency"];
  EXPECT_TRUE(latency["exact"].get<bool>());
  int64_t completed = data["counts"]["ok"].get<int64_t>() + data["counts"]["fail"].get<int64_t>() +
                      data["counts"]["info"].get<int64_t>();
  EXPECT_EQ(completed, 300);
  EXPECT_EQ(latency["points"].size(), 300u);
  EXPECT_EQ(data["timeline"]["mode"], "exact");
  EXPECT_EQ(data["timeline"]["bars"].size(), 300u + data["counts"]["nemesis"].get<size_t>());
  EXPECT_EQ(data["timeline"]["lanes"][0], "nemesis");

  // Five cycles of partition, kill and clock bump, each closed by its stop op.
  const Json& windows = data["faults"]["windows"];
  ASSERT_EQ(windows.size(), 15u);
  for (const Json& w : windows) {
    EXPECT_TRUE(w["closed"].get<bool>()) << w.dump();
    EXPECT_LT(w["start_us"].get<int64_t>(), w["end_us"].get<int64_t>());
  }
  EXPECT_EQ(windows[0]["f"], "start-partition");
  EXPECT_EQ(windows[1]["f"], "kill");
  EXPECT_EQ(data["clocks"]["n1"].size(), 10u);
  EXPECT_DOUBLE_EQ(data["clocks"]["n1"][0][1].get<double>(), 0.25);

  // The checker named the hostile write (and some failures); the table carries its value.
  const Json& named = data["named_ops"]["rows"];
  ASSERT_FALSE(named.empty());
  EXPECT_EQ(named[0]["index"], facts.hostile_op_index);
  EXPECT_NE(named[0]["op"].get<std::string>().find("<script>"), std::string::npos);
  EXPECT_EQ(named[0]["checkers"], Json({"linearizable"}));
}

TEST(Summarize, RestartWithoutKillIsAMarkerAndKillsCloseOnStart) {
  auto nemesis = [](int64_t t, OpType type, const std::string& f) {
    Op op;
    op.time = t;
    op.type = type;
    op.process = kNemesisProcess;
    op.f = f;
    return op;
  };
  History history = {nemesis(1000, OpType::kInvoke, "start"), nemesis(2000, OpType::kInfo, "start"),
                     nemesis(3000, OpType::kInvoke, "kill"),  nemesis(4000, OpType::kInfo, "kill"),
                     nemesis(5000, OpType::kInvoke, "start"), nemesis(6000, OpType::kInfo, "start")};
  reindex(history);
  Json faults = summarize_history(history, Json::object(), ReportLimits{})["faults"];
  ASSERT_EQ(faults["windows"].size(), 1u);
  EXPECT_EQ(faults["windows"][0]["f"], "kill");
  EXPECT_EQ(faults["windows"][0]["start_us"], 3);
  EXPECT_EQ(faults["windows"][0]["end_us"], 6);
  ASSERT_EQ(faults["markers"].size(), 1u);
  EXPECT_EQ(faults["markers"][0]["t_us"], 1);
}

TEST_F(ReportTest, LargeHistoryIsBoundedAndKeepsTheSlowestOp) {
  write_synthetic_run(dir_, {.ops = 30000, .concurrency = 10, .seed = 3});
  History history = read_history_file(dir_ / "history.jsonl");
  Json results = Json::parse(file_text(dir_ / "results.json"));
  ReportLimits limits;
  limits.latency_points = 2000;
  limits.timeline_bars = 1000;
  limits.timeline_cells = 4000;
  limits.timeline_lanes = 20;
  limits.window_ops = 200;
  limits.windows = 3;
  Json data = summarize_history(history, results, limits);

  const Json& points = data["latency"]["points"];
  EXPECT_FALSE(data["latency"]["exact"].get<bool>());
  EXPECT_LE(points.size(), limits.latency_points);
  int64_t represented = 0, slowest_kept = 0;
  for (const Json& p : points) {
    represented += p[4].get<int64_t>();
    slowest_kept = std::max(slowest_kept, p[1].get<int64_t>());
  }
  EXPECT_EQ(represented, data["latency"]["ops"].get<int64_t>());
  auto partner = pair_index(history);
  int64_t slowest = 0;
  for (size_t i = 0; i < history.size(); ++i)
    if (history[i].is_invoke() && history[i].is_client() && partner[i] >= 0)
      slowest = std::max(slowest, (history[partner[i]].time - history[i].time) / 1000);
  EXPECT_EQ(slowest_kept, std::max<int64_t>(1, slowest));

  const Json& timeline = data["timeline"];
  EXPECT_EQ(timeline["mode"], "aggregate");
  EXPECT_TRUE(timeline["folded"].get<bool>());    // info completions made more than 20 processes
  EXPECT_EQ(timeline["lanes"].size(), 1u + 10u);  // nemesis + one per worker thread
  EXPECT_LE(timeline["cells"].size(), timeline["lanes"].size() * timeline["columns"].get<size_t>());
  EXPECT_LE(timeline["lanes"].size() * timeline["columns"].get<size_t>(), limits.timeline_cells);
  ASSERT_EQ(timeline["windows"].size(), limits.windows);
  for (const Json& w : timeline["windows"]) EXPECT_LE(w["bars"].size(), limits.window_ops + 1);
  EXPECT_LE(data["throughput"]["ok"].size(), limits.throughput_buckets);
}

TEST_F(ReportTest, ReportHasEverySectionAndShowsHostileValuesAsText) {
  SyntheticFacts facts = write_synthetic_run(dir_, {.ops = 500, .concurrency = 4, .seed = 11});
  write_report(dir_);
  std::string html = file_text(dir_ / "report.html");
  for (const char* id : {"id=\"summary\"", "id=\"checkers\"", "id=\"named-ops\"", "id=\"latency\"", "id=\"throughput\"",
                         "id=\"clocks\"", "id=\"timeline\"", "id=\"faults\"", "id=\"logs\"", "id=\"report-data\""})
    EXPECT_NE(html.find(id), std::string::npos) << id;
  EXPECT_NE(html.find("faultline test --workload register --nemesis partition,kill,clock --seed 11"),
            std::string::npos);
  EXPECT_NE(html.find("href=\"checker/anomaly.svg\""), std::string::npos);
  EXPECT_NE(html.find("href=\"nodes/n2/server.log\""), std::string::npos);
  EXPECT_NE(html.find("lost-write"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;document.title=&#39;owned&#39;&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find(">" + std::to_string(facts.hostile_op_index) + "<"), std::string::npos);
  // Only the report's own two script elements; no history value opened one.
  EXPECT_EQ(occurrences(html, "<script"), 2u);
  EXPECT_FALSE(fs::exists(dir_ / "report.html.partial"));
}

TEST_F(ReportTest, ReportSizeDoesNotGrowWithTheHistory) {
  write_synthetic_run(dir_, {.ops = 40000, .concurrency = 8, .seed = 5});
  write_report(dir_);
  size_t big = fs::file_size(dir_ / "report.html");
  fs::path small_dir = dir_ / "small";
  write_synthetic_run(small_dir, {.ops = 12000, .concurrency = 8, .seed = 5});
  write_report(small_dir);
  size_t small = fs::file_size(small_dir / "report.html");
  EXPECT_LT(big, small * 2) << "a history 3x longer more than doubled the report";
  EXPECT_LT(big, 4u << 20);
}

// A run directory as the runner leaves it after a real checker judged a Knossos history that is
// not linearizable: the report names the checker's culprit op first and links its HTML view.
TEST_F(ReportTest, NamesTheOpARealCheckerBlamesAndLinksItsView) {
  History history = read_history_file(fs::path(FAULTLINE_DATA_DIR) / "knossos/cas-register/bad/cas-failure.edn");
  std::vector<std::unique_ptr<Checker>> checkers;
  checkers.push_back(linear::linear_checker("cas-register"));
  fs::create_directories(dir_);
  CheckOptions options{dir_, {{"initial-value", 0}}};
  CheckResult result = compose(std::move(checkers))->check(history, options);
  ASSERT_EQ(result.verdict, Verdict::kInvalid);
  std::ofstream(dir_ / "history.jsonl") << [&] {
    std::ostringstream s;
    write_jsonl(s, history);
    return s.str();
  }();
  std::ofstream(dir_ / "results.json") << Json{{"valid", "invalid"}, {"checkers", result.details}}.dump();
  write_report(dir_);

  Json data = summarize_history(history, Json{{"checkers", result.details}}, ReportLimits{});
  const Json& culprit = result.details.begin()->at("op");
  EXPECT_EQ(data["named_ops"]["rows"][0]["index"], culprit["index"]);
  EXPECT_TRUE(data["untimed"].get<bool>());  // Knossos files carry no times: laid out by position
  EXPECT_EQ(data["duration_us"], history.size() - 1);
  // Jepsen's partitioner: each start is healed by the next stop.
  const Json& windows = data["faults"]["windows"];
  ASSERT_EQ(windows.size(), 2u);
  for (const Json& w : windows) {
    EXPECT_EQ(w["f"], "start");
    EXPECT_TRUE(w["closed"].get<bool>());
  }
  std::string html = file_text(dir_ / "report.html");
  EXPECT_NE(html.find("more operations the evidence mentions as context"), std::string::npos);
  EXPECT_NE(html.find("href=\"linear.html\""), std::string::npos);
  EXPECT_EQ(html.find("linear.html</a> <span class=\"note\">(missing)"), std::string::npos);
}

TEST_F(ReportTest, MissingOrCorruptRunDirectoryIsAClearError) {
  EXPECT_EQ(error_of(dir_), ErrorCode::kNotFound);
  write_synthetic_run(dir_, {.ops = 20, .concurrency = 2, .seed = 1});

  std::string results = file_text(dir_ / "results.json");
  fs::remove(dir_ / "results.json");
  EXPECT_EQ(error_of(dir_), ErrorCode::kNotFound);
  std::ofstream(dir_ / "results.json") << "{\"valid\": ";
  EXPECT_EQ(error_of(dir_), ErrorCode::kBadInput);
  std::ofstream(dir_ / "results.json") << results;

  std::string history = file_text(dir_ / "history.jsonl");
  std::ofstream(dir_ / "history.jsonl") << "not json\n" << history;
  EXPECT_EQ(error_of(dir_), ErrorCode::kBadInput);
  fs::remove(dir_ / "history.jsonl");
  EXPECT_EQ(error_of(dir_), ErrorCode::kNotFound);
  try {
    write_report(dir_);
    FAIL() << "write_report without a history did not throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("history.jsonl"), std::string::npos) << e.what();
  }
  std::ofstream(dir_ / "history.jsonl") << history;
  EXPECT_NO_THROW(write_report(dir_));
}

}  // namespace
}  // namespace faultline
