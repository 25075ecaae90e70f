// Renders report.html in headless Chromium (Debian's /usr/bin/chromium, from cmake/install-deps.sh):
// the script finishes without console messages, plots and timeline are drawn, history values show
// as text, and a screenshot is not blank.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "checkers/linear/linear_checker.h"
#include "harness/core/files.h"
#include "harness/core/history_io.h"
#include "results/report.h"
#include "results/report_fixture.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;

const char* kChromium = "/usr/bin/chromium";

struct Rendered {
  std::string dom;
  std::string log;
  fs::path screenshot;
};

// Runs chromium twice on the page: once dumping the DOM after the scripts ran, once taking a
// screenshot. Every run gets a fresh profile directory.
Rendered render(const fs::path& page, const fs::path& work) {
  auto run = [&](const std::string& name, const std::string& action) {
    fs::path profile = work / ("profile-" + name);
    fs::remove_all(profile);
    std::string command = std::string("timeout 120 ") + kChromium +
                          " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
                          " --disable-background-networking --disable-component-update --disable-sync"
                          " --user-data-dir='" +
                          profile.string() +
                          "' --enable-logging=stderr --v=0"
                          " --window-size=1280,2400 " +
                          action + " 'file://" + page.string() + "' >'" + (work / (name + ".out")).string() + "' 2>'" +
                          (work / (name + ".err")).string() + "'";
    int status = std::system(command.c_str());
    EXPECT_EQ(status, 0) << command << "\n" << file_text(work / (name + ".err"));
  };
  Rendered r;
  r.screenshot = work / "screenshot.png";
  run("dom", "--dump-dom");
  run("shot", "--screenshot='" + r.screenshot.string() + "'");
  r.dom = file_text(work / "dom.out");
  r.log = file_text(work / "dom.err") + file_text(work / "shot.err");
  return r;
}

// Lines Chromium logs for console messages and uncaught exceptions of the page.
std::vector<std::string> console_lines(const std::string& log) {
  std::vector<std::string> lines;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);)
    if (line.find(":CONSOLE") != std::string::npos) lines.push_back(line);
  return lines;
}

uint32_t big_endian(const unsigned char* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

// The number of distinct pixel colours (up to `enough`) of an 8-bit RGB or RGBA PNG.
size_t distinct_colours(const fs::path& png, size_t enough) {
  std::string file = file_text(png);
  auto bytes = reinterpret_cast<const unsigned char*>(file.data());
  if (file.size() < 8 || file.compare(1, 3, "PNG") != 0) ADD_FAILURE() << png << " is not a PNG";
  uint32_t width = 0, height = 0, channels = 0;
  std::string compressed;
  for (size_t at = 8; at + 12 <= file.size();) {
    uint32_t length = big_endian(bytes + at);
    std::string type = file.substr(at + 4, 4);
    const unsigned char* data = bytes + at + 8;
    if (type == "IHDR") {
      width = big_endian(data);
      height = big_endian(data + 4);
      EXPECT_EQ(data[8], 8) << "bit depth";
      channels = data[9] == 6 ? 4 : data[9] == 2 ? 3 : 0;
    } else if (type == "IDAT") {
      compressed.append(file, at + 8, length);
    }
    at += 12 + length;
  }
  if (!channels || !width || !height) {
    ADD_FAILURE() << png << ": unsupported PNG layout";
    return 0;
  }
  size_t stride = size_t(width) * channels;
  std::vector<unsigned char> raw(size_t(height) * (stride + 1));
  uLongf raw_size = raw.size();
  EXPECT_EQ(uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(compressed.data()), compressed.size()),
            Z_OK);
  std::vector<unsigned char> previous(stride, 0), row(stride);
  std::set<uint32_t> colours;
  for (uint32_t y = 0; y < height && colours.size() < enough; ++y) {
    const unsigned char* line = raw.data() + y * (stride + 1);
    unsigned char filter = line[0];
    for (size_t i = 0; i < stride; ++i) {
      int a = i >= channels ? row[i - channels] : 0, b = previous[i], c = i >= channels ? previous[i - channels] : 0;
      int predictor = 0;
      switch (filter) {
        case 1: predictor = a; break;
        case 2: predictor = b; break;
        case 3: predictor = (a + b) / 2; break;
        case 4: {
          int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
          predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
      }
      row[i] = static_cast<unsigned char>(line[1 + i] + predictor);
    }
    for (size_t x = 0; x < stride; x += channels)
      colours.insert(uint32_t(row[x]) << 16 | uint32_t(row[x + 1]) << 8 | row[x + 2]);
    previous = row;
  }
  return colours.size();
}

class ReportBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kChromium)) GTEST_SKIP() << kChromium << " is missing: run cmake/install-deps.sh as root";
    work_ = fs::temp_directory_path() / ("faultline-browser-" + std::to_string(getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(work_);
    fs::create_directories(work_);
  }
  void TearDown() override { fs::remove_all(work_); }

  // aggregated: the timeline is drawn as cells plus windows of exact ops, not one bar per op.
  void expect_rendered(size_t ops, bool aggregated) {
    fs::path run_dir = work_ / "run";
    SyntheticRun run{.ops = ops, .concurrency = 6, .seed = 42};
    write_synthetic_run(run_dir, run);
    write_report(run_dir);
    Rendered r = render(run_dir / "report.html", work_);

    EXPECT_NE(r.dom.find("data-rendered=\"ok\""), std::string::npos) << "the report's script did not finish";
    EXPECT_TRUE(console_lines(r.log).empty()) << console_lines(r.log).front();
    // One latency plot per f, throughput, clocks and the timeline are canvases.
    size_t canvases = 0;
    for (size_t at = r.dom.find("<canvas"); at != std::string::npos; at = r.dom.find("<canvas", at + 1)) ++canvases;
    EXPECT_EQ(canvases, 5u);
    size_t timeline = r.dom.find("id=\"timeline\"");
    ASSERT_NE(timeline, std::string::npos);
    EXPECT_NE(r.dom.find("<canvas", timeline), std::string::npos) << "no timeline drawn";
    EXPECT_NE(r.dom.find(":read —"), std::string::npos);
    EXPECT_NE(r.dom.find(":write —"), std::string::npos);
    // The hostile value is text in the page, and its script never ran.
    EXPECT_NE(r.dom.find("&lt;script&gt;document.title='owned'&lt;/script&gt;"), std::string::npos);
    EXPECT_EQ(r.dom.find("<title>owned"), std::string::npos);
    EXPECT_NE(r.dom.find("<title>synthetic-register — invalid"), std::string::npos);

    ASSERT_TRUE(fs::exists(r.screenshot));
    EXPECT_GE(distinct_colours(r.screenshot, 16), 16u) << "the screenshot is (nearly) blank";

    // Every view of the timeline draws: a copy of the page that picks each one in turn.
    std::string page = file_text(run_dir / "report.html");
    size_t end = page.rfind("</body>");
    ASSERT_NE(end, std::string::npos);
    page.insert(end,
                "<script>const views = document.querySelector('#timeline select');"
                "for (let i = 0; i < views.options.length; i++) {"
                "  views.value = String(i); views.dispatchEvent(new Event('change')); }"
                "document.body.setAttribute('data-views', String(views.options.length));</script>");
    std::ofstream(run_dir / "views.html") << page;
    Rendered views = render(run_dir / "views.html", work_);
    EXPECT_NE(views.dom.find("data-rendered=\"ok\""), std::string::npos);
    size_t count = views.dom.find("data-views=\"");
    ASSERT_NE(count, std::string::npos) << "switching timeline views did not finish";
    int drawn = std::stoi(views.dom.substr(count + 12));
    if (aggregated)
      EXPECT_GE(drawn, 3) << "the aggregate, the run's start and the op the checker named";
    else
      EXPECT_EQ(drawn, 1);
    EXPECT_TRUE(console_lines(views.log).empty()) << console_lines(views.log).front();
  }

  fs::path work_;
};

// A Jepsen history without times, judged by the real linearizability checker.
TEST_F(ReportBrowserTest, UntimedHistoryRendersByPosition) {
  fs::path run_dir = work_ / "run";
  History history = read_history_file(fs::path(FAULTLINE_DATA_DIR) / "knossos/cas-register/bad/cas-failure.edn");
  std::vector<std::unique_ptr<Checker>> checkers;
  checkers.push_back(linear::linear_checker("cas-register"));
  fs::create_directories(run_dir);
  CheckResult result = compose(std::move(checkers))->check(history, {run_dir, {{"initial-value", 0}}});
  std::ofstream out(run_dir / "history.jsonl");
  write_jsonl(out, history);
  out.close();
  std::ofstream(run_dir / "results.json") << Json{{"valid", "invalid"}, {"checkers", result.details}}.dump();
  write_report(run_dir);
  Rendered r = render(run_dir / "report.html", work_);
  EXPECT_NE(r.dom.find("data-rendered=\"ok\""), std::string::npos) << "the report's script did not finish";
  EXPECT_TRUE(console_lines(r.log).empty()) << console_lines(r.log).front();
  EXPECT_NE(r.dom.find("The history records no times"), std::string::npos);
  EXPECT_GE(distinct_colours(r.screenshot, 16), 16u) << "the screenshot is (nearly) blank";
}

TEST_F(ReportBrowserTest, SmallRunRendersEveryOperation) { expect_rendered(600, /*aggregated=*/false); }

TEST_F(ReportBrowserTest, LargeRunRendersAggregated) { expect_rendered(60000, /*aggregated=*/true); }

}  // namespace
}  // namespace faultline
