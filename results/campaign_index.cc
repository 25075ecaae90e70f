#include "results/campaign_index.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "harness/core/error.h"
#include "harness/core/log.h"
#include "harness/core/text.h"
#include "results/report_assets.h"
#include "results/report_data.h"
#include "results/store.h"

namespace faultline {
namespace fs = std::filesystem;

namespace {

const size_t kExplanationChars = 2000;

bool counts(const std::string& status) { return status != "skipped"; }

// The outcome of one cell from its runs' statuses: invalid > unknown (or harness error) > valid;
// null when none of them ran.
Json cell_outcome(const std::vector<std::string>& statuses) {
  bool any_valid = false, any_unknown = false;
  for (const auto& s : statuses) {
    if (s == "invalid") return "invalid";
    if (s == "unknown" || s == "error") any_unknown = true;
    if (s == "valid") any_valid = true;
  }
  if (any_unknown) return "unknown";
  return any_valid ? Json("valid") : Json();
}

// Runs stored before results.json had "anomalies": each checker's "anomaly-types" where it names
// them, else the checker's name.
std::vector<std::string> stored_anomalies_of(const Json& checkers) {
  std::vector<std::string> out;
  if (!checkers.is_object()) return out;
  for (const auto& [name, entry] : checkers.items()) {
    if (!entry.is_object()) continue;
    Json valid = entry.value("valid", Json());
    if (valid == true || valid == "valid") continue;
    const Json& types = entry.value("anomaly-types", Json::array());
    bool named = false;
    if (types.is_array())
      for (const Json& t : types)
        if (t.is_string()) {
          out.push_back(t.get<std::string>());
          named = true;
        }
    if (!named) out.push_back(name);
  }
  return out;
}

std::string explanation_of(const Json& results) {
  std::string text;
  if (results.contains("error") && results["error"].is_string()) text = results["error"].get<std::string>();
  const Json& checkers = results.value("checkers", Json::object());
  if (checkers.is_object())
    for (const auto& [name, entry] : checkers.items()) {
      if (!entry.is_object() || !entry.contains("explanation") || !entry["explanation"].is_string()) continue;
      Json valid = entry.value("valid", Json());
      if (valid == true || valid == "valid") continue;
      text += (text.empty() ? "" : "\n") + name + ": " + entry["explanation"].get<std::string>();
    }
  if (text.size() > kExplanationChars) text = text.substr(0, kExplanationChars) + " …";
  return text;
}

// A path to `target` relative to the campaign directory, for links that survive moving the store.
std::string relative_link(const fs::path& target, const fs::path& dir) {
  std::error_code ec;
  fs::path rel = fs::relative(target, dir, ec);
  return (ec || rel.empty() ? target : rel).generic_string();
}

// Valid UTF-8 (bad bytes become U+FFFD) without the control characters XML 1.0 forbids, escaped.
std::string xml_text(const std::string& text) {
  std::string utf8 = Json::parse(Json(text).dump(-1, ' ', false, Json::error_handler_t::replace)).get<std::string>();
  utf8.erase(std::remove_if(
                 utf8.begin(), utf8.end(),
                 [](char c) { return static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r'; }),
             utf8.end());
  return html_escape(utf8);
}

// Seconds with `decimals` places: 3 for JUnit, 1 for people.
std::string seconds_text(double s, int decimals = 3) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(decimals);
  out << s;
  return out.str();
}

Json test_json(const CampaignTest& t, const fs::path& dir, bool sharded) {
  Json j = {{"cell", t.cell},           {"run", t.run},
            {"status", t.status},       {"exit_code", t.exit_code},
            {"seed", t.seed},           {"duration_s", t.duration_s},
            {"anomalies", t.anomalies}, {"explanation", t.explanation}};
  if (!t.run_dir.empty()) {
    j["run_dir"] = t.run_dir.generic_string();
    j["report"] = relative_link(t.run_dir / "report.html", dir);
  }
  if (sharded) j["position"] = t.position;
  return j;
}

Json status_counts(const Campaign& c) {
  Json counts = {{"valid", 0}, {"invalid", 0}, {"unknown", 0}, {"error", 0}, {"skipped", 0}};
  for (const auto& t : c.tests) counts[t.status] = counts.value(t.status, 0) + 1;
  return counts;
}

// An earlier campaign as the trend needs it: when, where, and its cells' run statuses.
struct PastCampaign {
  std::string started, link;
  int exit_code = 0;
  std::map<std::string, std::vector<std::string>> statuses;  // cell -> statuses of its runs
};

std::vector<PastCampaign> earlier_campaigns(const fs::path& dir, const Campaign& campaign, size_t limit) {
  std::vector<PastCampaign> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir.parent_path(), ec)) {
    if (entry.is_symlink() || !entry.is_directory() || entry.path().filename() == dir.filename()) continue;
    PastCampaign past;
    try {
      Json index = read_json_file(entry.path() / "index.json");
      if (index.value("name", "") != campaign.name) continue;
      past.started = index.value("started", "");
      if (past.started.empty() || past.started >= campaign.started) continue;
      past.link = "../" + entry.path().filename().string() + "/index.html";
      past.exit_code = index.value("exit_code", 0);
      for (const Json& t : index.at("tests"))
        if (t.value("cell", "") != "") past.statuses[t.value("cell", "")].push_back(t.value("status", "unknown"));
    } catch (const std::exception&) {
      continue;  // an unfinished or foreign directory is not part of the trend
    }
    found.push_back(std::move(past));
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.started < b.started; });
  if (found.size() > limit) found.erase(found.begin(), found.end() - static_cast<long>(limit));
  return found;
}

}  // namespace

CampaignTest campaign_test_from_json(const Json& j) {
  CampaignTest t;
  t.cell = j.at("cell");
  t.run = j.at("run");
  t.status = j.at("status");
  t.exit_code = j.value("exit_code", 0);
  t.seed = j.value("seed", uint64_t{0});
  t.duration_s = j.value("duration_s", 0.0);
  t.anomalies = j.value("anomalies", std::vector<std::string>{});
  t.explanation = j.value("explanation", "");
  if (j.contains("run_dir")) t.run_dir = j["run_dir"].get<std::string>();
  t.position = j.value("position", size_t{0});
  return t;
}

void read_run_summary(const fs::path& run_dir, CampaignTest& test) {
  Json results = read_json_file(run_dir / "results.json");
  if (!results.is_object()) fail(ErrorCode::kBadInput, (run_dir / "results.json").string() + " is not a JSON object");
  test.run_dir = run_dir;
  test.exit_code = results.value("exit_code", 2);
  std::string verdict = results.value("valid", "unknown");
  test.status = test.exit_code == 255 ? "error" : verdict;
  const Json& info = results.value("test", Json::object());
  if (info.is_object()) {
    if (info.contains("seed") && info["seed"].is_number_unsigned()) test.seed = info["seed"].get<uint64_t>();
    if (info.contains("duration_s") && info["duration_s"].is_number())
      test.duration_s = info["duration_s"].get<double>();
  }
  const Json& anomalies = results.value("anomalies", Json());
  if (anomalies.is_array() &&
      std::all_of(anomalies.begin(), anomalies.end(), [](const Json& a) { return a.is_string(); }))
    test.anomalies = anomalies.get<std::vector<std::string>>();
  else
    test.anomalies = stored_anomalies_of(results.value("checkers", Json::object()));
  test.explanation = explanation_of(results);
}

int campaign_exit_code(const Campaign& campaign) {
  bool ran = false, unknown = false, error = false;
  for (const auto& t : campaign.tests) {
    if (t.status == "invalid") return 1;
    ran |= counts(t.status);
    unknown |= t.status == "unknown";
    error |= t.status == "error";
  }
  if (unknown || !ran) return 2;
  return error ? 255 : 0;
}

fs::path create_campaign_dir(const fs::path& store) {
  fs::path parent = store / "campaigns";
  std::error_code ec;
  fs::create_directories(parent, ec);
  // The same timestamp form as run directories: 20261125T190405.123Z.
  std::string stamp = utc_now_iso();
  stamp.erase(std::remove_if(stamp.begin(), stamp.end(), [](char c) { return c == '-' || c == ':'; }), stamp.end());
  fs::path dir;
  if (!ec)
    for (int i = 0; i < 100; ++i) {
      dir = parent / (stamp + (i ? "-" + std::to_string(i) : ""));
      if (fs::create_directory(dir, ec) || ec) break;
    }
  if (ec)
    fail(ErrorCode::kIo, "cannot create a campaign directory under " + parent.string() + ": " + ec.message() +
                             "; choose a writable store with --store DIR");
  fs::path latest = parent / "latest";
  fs::remove(latest, ec);
  fs::create_directory_symlink(dir.filename(), latest, ec);  // best effort, like store/latest
  return dir;
}

Json campaign_trend(const fs::path& dir, const Campaign& campaign, size_t depth) {
  std::vector<PastCampaign> window = earlier_campaigns(dir, campaign, depth > 0 ? depth - 1 : 0);
  PastCampaign now{campaign.started, "index.html", campaign_exit_code(campaign), {}};
  std::vector<std::string> cells;  // this campaign's cells in matrix order, then older ones
  for (const auto& t : campaign.tests) {
    if (!now.statuses.count(t.cell)) cells.push_back(t.cell);
    now.statuses[t.cell].push_back(t.status);
  }
  for (const auto& past : window)
    for (const auto& [cell, statuses] : past.statuses)
      if (!now.statuses.count(cell) && std::find(cells.begin(), cells.end(), cell) == cells.end())
        cells.push_back(cell);
  window.push_back(std::move(now));

  Json trend = {{"campaigns", Json::array()}, {"cells", Json::array()}};
  for (const auto& c : window)
    trend["campaigns"].push_back({{"started", c.started}, {"index", c.link}, {"exit_code", c.exit_code}});
  for (const auto& cell : cells) {
    Json outcomes = Json::array(), runs = Json::array();
    int valid_runs = 0, invalid_runs = 0;
    for (const auto& c : window) {
      auto it = c.statuses.find(cell);
      std::vector<std::string> statuses = it == c.statuses.end() ? std::vector<std::string>{} : it->second;
      int valid = static_cast<int>(std::count(statuses.begin(), statuses.end(), "valid"));
      int invalid = static_cast<int>(std::count(statuses.begin(), statuses.end(), "invalid"));
      int ran = static_cast<int>(std::count_if(statuses.begin(), statuses.end(), counts));
      valid_runs += valid;
      invalid_runs += invalid;
      outcomes.push_back(cell_outcome(statuses));
      runs.push_back({{"valid", valid}, {"ran", ran}});
    }
    // The newest earlier outcome, to tell what changed since then.
    Json previous;
    for (size_t i = outcomes.size() - 1; i-- > 0;)
      if (!outcomes[i].is_null()) {
        previous = outcomes[i];
        break;
      }
    const Json& current = outcomes.back();
    trend["cells"].push_back({{"cell", cell},
                              {"outcomes", outcomes},
                              {"runs", runs},
                              {"newly_failing", current == "invalid" && !previous.is_null() && previous != "invalid"},
                              {"newly_passing", current == "valid" && previous == "invalid"},
                              {"flaky", valid_runs > 0 && invalid_runs > 0}});
  }
  return trend;
}

std::string junit_xml(const Campaign& campaign) {
  Json counts = status_counts(campaign);
  int failures = counts["invalid"], errors = counts["unknown"].get<int>() + counts["error"].get<int>(),
      skipped = counts["skipped"];
  std::string totals = " tests=\"" + std::to_string(campaign.tests.size()) + "\" failures=\"" +
                       std::to_string(failures) + "\" errors=\"" + std::to_string(errors) + "\" skipped=\"" +
                       std::to_string(skipped) + "\" time=\"" + seconds_text(campaign.duration_s) + "\"";
  // JUnit timestamps carry no zone or fraction: 2026-11-25T19:04:05.
  std::string timestamp = campaign.started.substr(0, std::min<size_t>(19, campaign.started.size()));
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites name=\"" << xml_text(campaign.name) << "\"" << totals << ">\n"
      << "  <testsuite name=\"" << xml_text(campaign.name) << "\"" << totals << " timestamp=\"" << xml_text(timestamp)
      << "\">\n";
  for (const auto& t : campaign.tests) {
    std::string classname = campaign.name + "." + t.cell;
    std::replace(classname.begin(), classname.end(), '/', '.');
    out << "    <testcase classname=\"" << xml_text(classname) << "\" name=\"" << xml_text(t.run) << "\" time=\""
        << seconds_text(t.duration_s) << "\">\n";
    std::string message = t.anomalies.empty() ? t.status : t.status + ": " + join(t.anomalies, ", ");
    if (t.status == "invalid" || t.status == "unknown" || t.status == "error")
      out << "      <" << (t.status == "invalid" ? "failure" : "error") << " type=\"" << t.status << "\" message=\""
          << xml_text(message) << "\">" << xml_text(t.explanation) << "</"
          << (t.status == "invalid" ? "failure" : "error") << ">\n";
    else if (t.status == "skipped")
      out << "      <skipped message=\"" << xml_text(t.explanation) << "\"/>\n";
    if (!t.run_dir.empty())
      out << "      <system-out>"
          << xml_text("run directory: " + t.run_dir.string() + "\nreport: " + (t.run_dir / "report.html").string() +
                      "\nreproduce: faultline test --spec " + (t.run_dir / "spec.json").string() +
                      "\nseed: " + std::to_string(t.seed))
          << "</system-out>\n";
    out << "    </testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
  return out.str();
}

// results/campaign.css, embedded at build time (cmake/embed.cmake).
std::string_view campaign_css();

namespace {

std::string badge(const std::string& status) {
  std::string cls = status == "error" ? "unknown" : status == "skipped" ? "skipped" : status;
  return "<span class=\"verdict " + cls + "\">" + html_escape(status) + "</span>";
}

// "01-02 03:04" of an ISO-8601 time, short enough for a column heading.
std::string month_day_time(const std::string& iso) {
  return iso.size() >= 16 ? iso.substr(5, 5) + " " + iso.substr(11, 5) : iso;
}

std::string index_html(const Json& index) {
  const Json& counts = index["counts"];
  int code = index["exit_code"];
  std::string verdict = code == 0 ? "valid" : code == 1 ? "invalid" : code == 2 ? "unknown" : "error";
  std::string name = index["name"];
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      << "<title>" << html_escape(name + " — " + verdict) << " · faultline campaign</title><style>" << report_css()
      << campaign_css() << "</style></head>\n<body>\n"
      << "<header><h1>Campaign " << html_escape(name) << "</h1>" << badge(verdict) << "</header>\n"
      << "<nav><a href=\"#summary\">Summary</a><a href=\"#tests\">Tests</a><a href=\"#trend\">Trend</a>"
      << "<a href=\"index.json\">index.json</a><a href=\"junit.xml\">junit.xml</a></nav>\n<main>\n";

  out << "<section id=\"summary\"><h2>Summary</h2><table>"
      << "<tr><th>Campaign file</th><td class=\"mono\">" << html_escape(index["file"].get<std::string>())
      << "</td></tr>"
      << "<tr><th>Started</th><td>" << html_escape(index["started"].get<std::string>()) << "</td></tr>"
      << "<tr><th>Duration</th><td>" << seconds_text(index["duration_s"], 1) << " s";
  if (index["budget_s"].get<double>() > 0) out << " of a " << seconds_text(index["budget_s"], 1) << " s budget";
  out << (index["interrupted"].get<bool>() ? " (interrupted)" : "") << "</td></tr><tr><th>Tests</th><td>";
  for (const char* s : {"valid", "invalid", "unknown", "error", "skipped"})
    if (counts[s].get<int>() > 0) out << counts[s].get<int>() << " " << badge(s) << " ";
  out << "</td></tr><tr><th>Exit code</th><td>" << code << "</td></tr></table></section>\n";

  out << "<section id=\"tests\"><h2>Tests</h2><table class=\"grid\"><tr><th>Cell</th><th>Run</th>"
      << "<th>Verdict</th><th>Anomalies</th><th>Duration</th><th>Report</th></tr>\n";
  for (const Json& t : index["tests"]) {
    std::vector<std::string> anomalies = t["anomalies"];
    out << "<tr><td class=\"mono\">" << html_escape(t["cell"].get<std::string>()) << "</td><td>"
        << html_escape(t["run"].get<std::string>()) << "</td><td>" << badge(t["status"]) << "</td><td>"
        << html_escape(join(anomalies, ", "));
    std::string explanation = t["explanation"];
    if (!explanation.empty())
      out << "<details><summary>why</summary><pre>" << html_escape(explanation) << "</pre></details>";
    out << "</td><td>" << seconds_text(t["duration_s"], 1) << " s</td><td>";
    if (t.contains("report"))
      out << "<a href=\"" << html_escape(url_path(t["report"].get<std::string>())) << "\">report</a>";
    out << "</td></tr>\n";
  }
  out << "</table></section>\n";

  const Json& trend = index["trend"];
  out << "<section id=\"trend\"><h2>Trend over the last " << trend["campaigns"].size()
      << " campaigns</h2><p class=\"note\">Oldest on the left, this campaign on the right; a square per "
         "cell and campaign: green all runs valid, red some run invalid, orange unknown or harness error, "
         "grey not run.</p><table><tr><th>Cell</th>";
  for (const Json& c : trend["campaigns"])
    out << "<th class=\"campaign\"><a href=\"" << html_escape(url_path(c["index"].get<std::string>())) << "\" title=\""
        << html_escape(c["started"].get<std::string>()) << "\">" << html_escape(month_day_time(c["started"]))
        << "</a></th>";
  out << "</tr>\n";
  for (const Json& cell : trend["cells"]) {
    std::string cls = cell["newly_failing"].get<bool>() ? "newly-failing" : cell["flaky"].get<bool>() ? "flaky" : "";
    out << "<tr class=\"" << cls << "\"><td class=\"label mono\">" << html_escape(cell["cell"].get<std::string>());
    if (cell["newly_failing"].get<bool>()) out << "<span class=\"tag newly-failing\">newly failing</span>";
    if (cell["newly_passing"].get<bool>()) out << "<span class=\"tag newly-passing\">newly passing</span>";
    if (cell["flaky"].get<bool>()) out << "<span class=\"tag flaky\">flaky</span>";
    out << "</td>";
    for (size_t i = 0; i < cell["outcomes"].size(); ++i) {
      const Json& o = cell["outcomes"][i];
      const Json& runs = cell["runs"][i];
      std::string outcome = o.is_null() ? "none" : o.get<std::string>();
      out << "<td class=\"square " << outcome << "\" title=\"" << outcome << ": " << runs["valid"].get<int>() << " of "
          << runs["ran"].get<int>() << " runs valid\"><a href=\""
          << html_escape(url_path(trend["campaigns"][i]["index"].get<std::string>())) << "\"></a></td>";
    }
    out << "</tr>\n";
  }
  out << "</table></section>\n</main>\n</body></html>\n";
  return out.str();
}

void write_text_file(const fs::path& path, const std::string& text) {
  fs::path partial = path;
  partial += ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) fail(ErrorCode::kIo, "cannot write " + partial.string() + ": " + std::strerror(errno));
  }
  std::error_code ec;
  fs::rename(partial, path, ec);
  if (ec) fail(ErrorCode::kIo, "cannot move " + path.string() + " into place: " + ec.message());
}

}  // namespace

void write_campaign_index(const fs::path& dir, const Campaign& campaign, size_t trend_depth) {
  Json index = {{"name", campaign.name},
                {"file", campaign.file},
                {"started", campaign.started},
                {"duration_s", campaign.duration_s},
                {"budget_s", campaign.budget_s},
                {"interrupted", campaign.interrupted},
                {"exit_code", campaign_exit_code(campaign)},
                {"counts", status_counts(campaign)},
                {"tests", Json::array()}};
  bool sharded = campaign.shard.n > 0;
  for (const auto& t : campaign.tests) index["tests"].push_back(test_json(t, dir, sharded));
  if (sharded)
    index["shard"] = {{"k", campaign.shard.k},
                      {"n", campaign.shard.n},
                      {"trend", campaign.shard.trend},
                      {"finished", campaign.shard.finished},
                      {"plan", campaign.shard.plan}};
  index["trend"] = campaign_trend(dir, campaign, trend_depth);
  write_json_file(dir / "index.json", index);
  write_text_file(dir / "junit.xml", junit_xml(campaign));
  write_text_file(dir / "index.html", index_html(index));
}

}  // namespace faultline
