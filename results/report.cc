#include "results/report.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include "harness/core/error.h"
#include "harness/core/history_io.h"
#include "results/message_flow.h"
#include "results/report_assets.h"
#include "results/report_data.h"
#include "results/store.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;

const size_t kMaxLoggedFiles = 500;
const size_t kMaxEvidenceChars = 20000;

// A JSON object file of the run directory; an empty object when an optional one is absent.
Json read_run_file(const fs::path& path, bool required) {
  if (!fs::exists(path)) {
    if (!required) return Json::object();
    fail(ErrorCode::kNotFound, path.string() + " is missing: a run directory needs it (run `faultline analyze " +
                                   path.parent_path().string() + "` to check the history again)");
  }
  Json j = read_json_file(path);
  if (!j.is_object()) fail(ErrorCode::kBadInput, path.string() + " is not a JSON object; the run directory is corrupt");
  return j;
}

// A value for a summary cell: strings as they are, lists joined with commas, others as JSON.
std::string shown(const Json& v) {
  if (v.is_null()) return "—";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string out;
    for (const Json& x : v) out += (out.empty() ? "" : ", ") + shown(x);
    return out.empty() ? "none" : out;
  }
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string verdict_of(const Json& v) {
  if (v.is_boolean()) return v.get<bool>() ? "valid" : "invalid";
  if (v.is_string() && (v == "valid" || v == "invalid")) return v.get<std::string>();
  return "unknown";
}

std::string verdict_badge(const std::string& verdict) {
  return "<span class=\"verdict " + verdict + "\">" + verdict + "</span>";
}

std::string human_size(uintmax_t bytes) {
  const char* units[] = {"B", "KB", "MB", "GB"};
  double size = static_cast<double>(bytes);
  int u = 0;
  while (size >= 1024 && u < 3) {
    size /= 1024;
    ++u;
  }
  std::ostringstream out;
  out << std::fixed;
  out.precision(u ? 1 : 0);
  out << size << ' ' << units[u];
  return out.str();
}

class Page {
 public:
  Page(const fs::path& run_dir, Json spec, Json results, const Json& data)
      : run_dir_(run_dir), spec_(std::move(spec)), results_(std::move(results)), data_(data) {
    const Json& test = results_.value("test", Json::object());
    test_ = test.is_object() ? test : Json::object();
  }

  std::string render() {
    std::string verdict = verdict_of(results_.value("valid", Json()));
    std::string name = shown(field("name"));
    out_ << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         << "<title>" << html_escape(name + " — " + verdict) << " · faultline</title><style>" << report_css()
         << "</style></head>\n<body data-rendered=\"pending\">\n"
         << "<header><h1>" << html_escape(name) << "</h1>" << verdict_badge(verdict) << "</header>\n"
         << "<nav><a href=\"#summary\">Summary</a><a href=\"#checkers\">Checkers</a>"
         << "<a href=\"#named-ops\">Operations named</a><a href=\"#plots\">Latency &amp; throughput</a>"
         << "<a href=\"#clock-section\">Clocks</a><a href=\"#timeline-section\">Timeline</a>"
         << "<a href=\"#faults\">Faults</a><a href=\"#logs\">Node logs</a></nav>\n<main>\n"
         << "<p id=\"render-error\" class=\"error\" hidden></p>\n";
    summary();
    checkers();
    named_ops();
    out_ << "<section id=\"plots\"><h2>Latency of every operation</h2><div id=\"latency\"></div>"
         << "<h2>Throughput</h2><div id=\"throughput\"></div></section>\n"
         << "<section id=\"clock-section\"><h2>Clock offsets per node</h2><div id=\"clocks\"></div></section>\n"
         << "<section id=\"timeline-section\"><h2>Timeline of operations</h2><div id=\"timeline\"></div>"
         << "</section>\n"
         << message_flow_section(run_dir_);
    faults();
    logs();
    raw_files();
    out_ << "</main>\n<div id=\"tooltip\" hidden></div>\n"
         << "<script type=\"application/json\" id=\"report-data\">" << json_for_script(data_) << "</script>\n<script>"
         << report_script() << "</script>\n</body></html>\n";
    return out_.str();
  }

 private:
  // A field of the test description: results.json "test" first, spec.json as a fallback.
  Json field(const std::string& key) const {
    if (test_.contains(key)) return test_[key];
    if (spec_.contains(key)) return spec_[key];
    return Json();
  }

  void row(const std::string& label, const std::string& html) {
    out_ << "<tr><th>" << label << "</th><td>" << html << "</td></tr>";
  }

  void summary() {
    out_ << "<section id=\"summary\"><h2>Summary</h2><table>";
    row("verdict", verdict_badge(verdict_of(results_.value("valid", Json()))));
    if (field("interrupted") == true) row("interrupted", "yes: the run was stopped early (Ctrl-C)");
    if (results_.contains("error"))
      row("harness error", "<span class=\"error\">" + html_escape(shown(results_["error"])) + "</span>");
    for (const char* key :
         {"name", "target", "workload", "nemesis", "seed", "nodes", "concurrency", "rate", "time_limit_s", "started"})
      row(key == std::string("nemesis") ? "faults" : key, html_escape(shown(field(key))));
    Json duration = field("duration_s");
    if (duration.is_number())
      row("duration", html_escape(shown(duration)) + " s");
    else if (data_["untimed"].get<bool>())
      row("duration", "unknown: the history records no times");
    else
      row("duration", std::to_string(data_["duration_us"].get<int64_t>() / 1e6) + " s (from the history)");
    const Json& counts = data_["counts"];
    row("operations", html_escape(std::to_string(counts["ok"].get<int64_t>()) + " ok, " +
                                  std::to_string(counts["fail"].get<int64_t>()) + " fail, " +
                                  std::to_string(counts["info"].get<int64_t>()) + " info, " +
                                  std::to_string(counts["open"].get<int64_t>()) + " never completed; " +
                                  std::to_string(counts["nemesis"].get<int64_t>()) + " nemesis ops"));
    Json command = field("command");
    row("reproduce", command.is_null() ? "<span class=\"note\">the run recorded no command line</span>"
                                       : "<pre>" + html_escape(shown(command)) + "</pre>");
    out_ << "</table></section>\n";
  }

  void checkers() {
    out_ << "<section id=\"checkers\"><h2>Checker results</h2>";
    const Json& all = results_.value("checkers", Json::object());
    if (!all.is_object() || all.empty()) out_ << "<p class=\"note\">No checker results were recorded.</p>";
    for (auto it = all.begin(); all.is_object() && it != all.end(); ++it) checker(it.key(), *it);
    out_ << "</section>\n";
  }

  void checker(const std::string& name, const Json& c) {
    out_ << "<div class=\"checker\"><h3>" << html_escape(name) << " "
         << verdict_badge(verdict_of(c.is_object() ? c.value("valid", Json()) : Json())) << "</h3>";
    if (!c.is_object()) {
      out_ << "<pre>" << html_escape(shown(c)) << "</pre></div>";
      return;
    }
    if (c.contains("explanation")) out_ << "<pre>" << html_escape(shown(c["explanation"])) << "</pre>";
    anomalies(c);
    if (c.contains("files") && c["files"].is_array() && !c["files"].empty()) {
      out_ << "<p>Files: ";
      for (const Json& f : c["files"]) {
        if (!f.is_string()) continue;
        std::string path = f.get<std::string>();
        out_ << "<a href=\"" << html_escape(url_path(path)) << "\">" << html_escape(path) << "</a>";
        if (!fs::exists(run_dir_ / path)) out_ << " <span class=\"note\">(missing)</span>";
        out_ << " ";
      }
      out_ << "</p>";
      for (const Json& f : c["files"]) {
        if (!f.is_string()) continue;
        std::string ext = fs::path(f.get<std::string>()).extension().string();
        if ((ext == ".svg" || ext == ".png") && fs::exists(run_dir_ / f.get<std::string>()))
          out_ << "<img class=\"checker-file\" alt=\"" << html_escape(f.get<std::string>()) << "\" src=\""
               << html_escape(url_path(f.get<std::string>())) << "\">";
      }
    }
    Json evidence = c;
    for (const char* key : {"valid", "explanation", "files"}) evidence.erase(key);
    if (!evidence.empty()) {
      std::string text = evidence.dump(2, ' ', false, Json::error_handler_t::replace);
      bool cut = text.size() > kMaxEvidenceChars;
      if (cut) text = text.substr(0, kMaxEvidenceChars);
      out_ << "<details><summary>evidence</summary><pre>" << html_escape(text)
           << (cut ? "\n… (cut here; see results.json)" : "") << "</pre></details>";
    }
    out_ << "</div>";
  }

  // Anomaly kinds with their counts, from "anomalies" ({kind: [cases]} or [cases]) or
  // "anomaly-types" ([kind]).
  void anomalies(const Json& c) {
    std::vector<std::string> items;
    if (auto it = c.find("anomalies"); it != c.end() && it->is_object()) {
      for (auto a = it->begin(); a != it->end(); ++a)
        items.push_back(a.key() + (a->is_array() ? " ×" + std::to_string(a->size()) : ""));
    } else if (it != c.end() && it->is_array()) {
      items.push_back(std::to_string(it->size()) + " anomalies");
    }
    if (auto it = c.find("anomaly-types"); it != c.end() && it->is_array() && items.empty())
      for (const Json& t : *it) items.push_back(shown(t));
    if (items.empty()) return;
    out_ << "<p>Anomalies: ";
    for (size_t i = 0; i < items.size(); ++i)
      out_ << (i ? ", " : "") << "<strong>" << html_escape(items[i]) << "</strong>";
    out_ << "</p>";
  }

  void named_ops() {
    const Json& named = data_["named_ops"];
    out_ << "<section id=\"named-ops\"><h2>Operations the checkers named</h2>";
    if (named["rows"].empty()) {
      out_ << "<p class=\"note\">No checker pointed at particular operations.</p></section>\n";
      return;
    }
    if (named["total"].get<size_t>() > named["rows"].size())
      out_ << "<p class=\"note\">The first " << named["rows"].size() << " of " << named["total"].get<size_t>()
           << " are listed.</p>";
    // The shallowest references in the evidence are the culprits; deeper ones are their context.
    const Json& rows = named["rows"];
    int culprit_depth = rows[0]["depth"].get<int>();
    auto culprits =
        std::find_if(rows.begin(), rows.end(), [&](const Json& r) { return r["depth"].get<int>() != culprit_depth; });
    named_table(rows.begin(), culprits);
    if (culprits != rows.end()) {
      out_ << "<details><summary>" << (rows.end() - culprits)
           << " more operations the evidence mentions as context</summary>";
      named_table(culprits, rows.end());
      out_ << "</details>";
    }
    out_ << "</section>\n";
  }

  void named_table(Json::const_iterator from, Json::const_iterator to) {
    out_ << "<table class=\"grid\"><tr><th>op</th><th>time (s)</th><th>invocation</th><th>completion</th>"
         << "<th>named by</th></tr>";
    for (auto r = from; r != to; ++r) {
      out_ << "<tr><td>" << (*r)["index"].get<int64_t>() << "</td><td>"
           << ((*r)["t_us"].is_null() ? "—" : std::to_string((*r)["t_us"].get<int64_t>() / 1e6))
           << "</td><td class=\"mono\">" << html_escape((*r)["op"].get<std::string>()) << "</td><td class=\"mono\">"
           << html_escape(r->value("completion", std::string("never completed"))) << "</td><td>"
           << html_escape(shown((*r)["checkers"])) << "</td></tr>";
    }
    out_ << "</table>";
  }

  void faults() {
    const Json& nemesis = data_["nemesis_ops"];
    out_ << "<section id=\"faults\"><h2>Faults injected</h2>";
    if (nemesis["rows"].empty()) {
      out_ << "<p class=\"note\">The nemesis did nothing in this run.</p></section>\n";
      return;
    }
    if (nemesis["total"].get<size_t>() > nemesis["rows"].size())
      out_ << "<p class=\"note\">The first " << nemesis["rows"].size() << " of " << nemesis["total"].get<size_t>()
           << " nemesis ops are listed.</p>";
    bool untimed = data_["untimed"].get<bool>();
    auto when = [&](const Json& us) {
      return untimed ? std::to_string(us.get<int64_t>()) : std::to_string(us.get<int64_t>() / 1e6);
    };
    out_ << "<table class=\"grid\"><tr><th>op</th><th>" << (untimed ? "from (position)" : "from (s)") << "</th><th>"
         << (untimed ? "to (position)" : "to (s)") << "</th><th>f</th><th>what was done</th></tr>";
    for (const Json& r : nemesis["rows"])
      out_ << "<tr><td>" << r["index"].get<int64_t>() << "</td><td>" << when(r["start_us"]) << "</td><td>"
           << when(r["end_us"]) << "</td><td>" << html_escape(r["f"].get<std::string>()) << "</td><td class=\"mono\">"
           << html_escape(r["value"].get<std::string>()) << "</td></tr>";
    out_ << "</table></section>\n";
  }

  void logs() {
    out_ << "<section id=\"logs\"><h2>Node logs</h2>";
    fs::path nodes = run_dir_ / "nodes";
    std::error_code ec;
    if (!fs::is_directory(nodes, ec)) {
      out_ << "<p class=\"note\">No node logs were downloaded for this run.</p></section>\n";
      return;
    }
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(nodes, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
      if (it->is_regular_file(ec)) files.push_back(fs::relative(it->path(), run_dir_));
    std::sort(files.begin(), files.end());
    if (files.size() > kMaxLoggedFiles)
      out_ << "<p class=\"note\">The first " << kMaxLoggedFiles << " of " << files.size() << " files are listed.</p>";
    out_ << "<table class=\"grid\"><tr><th>node</th><th>file</th><th>size</th></tr>";
    for (size_t i = 0; i < files.size() && i < kMaxLoggedFiles; ++i) {
      const fs::path& f = files[i];
      auto part = std::next(f.begin());  // nodes/<node>/<file...>
      std::string node = part->string();
      std::string href = f.generic_string();
      out_ << "<tr><td>" << html_escape(node) << "</td><td><a href=\"" << html_escape(url_path(href)) << "\">"
           << html_escape(fs::relative(f, fs::path("nodes") / node).generic_string()) << "</a></td><td>"
           << human_size(fs::file_size(run_dir_ / f, ec)) << "</td></tr>";
    }
    out_ << "</table></section>\n";
  }

  void raw_files() {
    out_ << "<section id=\"files\"><h2>Run files</h2><p>"
         << "<a href=\"history.jsonl\">history.jsonl</a> · <a href=\"results.json\">results.json</a>";
    if (fs::exists(run_dir_ / "spec.json")) out_ << " · <a href=\"spec.json\">spec.json</a>";
    if (fs::exists(run_dir_ / "faultline.log")) out_ << " · <a href=\"faultline.log\">faultline.log</a>";
    out_ << "</p>";
    if (!spec_.empty())
      out_ << "<details><summary>spec.json</summary><pre>"
           << html_escape(spec_.dump(2, ' ', false, Json::error_handler_t::replace)) << "</pre></details>";
    out_ << "</section>\n";
  }

  fs::path run_dir_;
  Json spec_, results_, test_;
  const Json& data_;
  std::ostringstream out_;
};

}  // namespace

void write_report(const fs::path& run_dir) {
  std::error_code ec;
  if (!fs::is_directory(run_dir, ec))
    fail(ErrorCode::kNotFound,
         "run directory " + run_dir.string() + " does not exist; pass a run's directory, e.g. store/<test>/latest");
  Json results = read_run_file(run_dir / "results.json", /*required=*/true);
  Json spec = read_run_file(run_dir / "spec.json", /*required=*/false);
  fs::path history_path = run_dir / "history.jsonl";
  if (!fs::exists(history_path))
    fail(ErrorCode::kNotFound, history_path.string() + " is missing: the run directory is incomplete");
  History history = read_history_file(history_path);
  validate(history, history_path.string());
  Json data = summarize_history(history, results, ReportLimits{});
  history.clear();
  history.shrink_to_fit();

  std::string html = Page(run_dir, std::move(spec), std::move(results), data).render();
  fs::path target = run_dir / "report.html", partial = run_dir / "report.html.partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out << html;
    out.close();
    if (!out) fail(ErrorCode::kIo, "cannot write " + partial.string() + ": " + std::strerror(errno));
  }
  fs::rename(partial, target, ec);
  if (ec) fail(ErrorCode::kIo, "cannot move the report into place at " + target.string() + ": " + ec.message());
}

}  // namespace faultline
