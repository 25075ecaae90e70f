#include "harness/run/campaign.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <set>

#include "harness/core/error.h"
#include "harness/run/runner.h"
#include "results/campaign_index.h"
#include "results/store.h"
#include "targets/registry.h"
#include "workloads/workload.h"

namespace faultline {
namespace fs = std::filesystem;

namespace {

const std::set<std::string> kFileFields = {"name", "base", "matrix", "overrides", "time-budget", "trend"};
const std::set<std::string> kMatrixFields = {"targets", "workloads", "faults", "seeds", "repeats"};
const std::set<std::string> kMatchFields = {"target", "workload", "faults"};

[[noreturn]] void bad(const std::string& where, const std::string& what) {
  fail(ErrorCode::kBadInput, where + ": " + what + " (see docs/campaigns.md)");
}

void only_known(const Json& j, const std::set<std::string>& known, const std::string& where) {
  for (const auto& [key, value] : j.items())
    if (!known.count(key)) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      bad(where, "unknown field \"" + key + "\"; known fields: " + list);
    }
}

// One value of a matrix axis: its label and the spec fields it sets.
struct AxisEntry {
  std::string label;
  Json fields;
};

// JSON integers written by hand are unsigned when parsed but signed when built in code.
bool non_negative_integer(const Json& v) {
  return v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0);
}

std::string checked_label(const std::string& label, const std::string& where) {
  if (label.empty() || label.find('/') != std::string::npos)
    bad(where, "a label must be non-empty and contain no '/', got \"" + label + "\"");
  return label;
}

// A target or workload entry: "NAME", or {"name": LABEL, "<key>": NAME, other spec fields}.
AxisEntry named_entry(const Json& v, const std::string& key, const std::string& where) {
  if (v.is_string()) return {checked_label(v.get<std::string>(), where), {{key, v}}};
  if (!v.is_object() || (!v.contains("name") && !v.contains(key)) ||
      (v.contains("name") && !v["name"].is_string()) || (v.contains(key) && !v[key].is_string()))
    bad(where, "an entry is a " + key + " name or an object with \"" + key + "\" and an optional \"name\" label");
  Json fields = v;
  std::string label = fields.value("name", fields.value(key, ""));
  fields.erase("name");
  if (!fields.contains(key)) fields[key] = label;
  return {checked_label(label, where), fields};
}

// A fault set: ["partition", "kill"] ([] = none), "partition,kill", or {"name", "nemesis", ...}.
AxisEntry faults_entry(const Json& v, const std::string& where) {
  auto label_of = [](const Json& faults) {
    std::string label;
    if (faults.is_string()) label = faults.get<std::string>();
    for (const Json& f : faults.is_array() ? faults : Json::array())
      label += (label.empty() ? "" : "+") + (f.is_string() ? f.get<std::string>() : f.dump());
    std::replace(label.begin(), label.end(), ',', '+');
    return label.empty() ? std::string("none") : label;
  };
  if (v.is_array() || v.is_string()) {
    Json nemesis = v.is_string() && v == "none" ? Json::array() : v;
    return {checked_label(label_of(v), where), {{"nemesis", nemesis}}};
  }
  if (!v.is_object() || !v.contains("nemesis") || (v.contains("name") && !v["name"].is_string()))
    bad(where, "a fault set is a list of fault kinds or an object with \"nemesis\" and an optional \"name\" label");
  Json fields = v;
  std::string label = fields.contains("name") ? fields["name"].get<std::string>() : label_of(fields["nemesis"]);
  fields.erase("name");
  return {checked_label(label, where), fields};
}

std::vector<AxisEntry> axis(const Json& matrix, const std::string& key, const std::string& source,
                            const std::function<AxisEntry(const Json&, const std::string&)>& entry,
                            AxisEntry fallback) {
  if (!matrix.contains(key)) return {fallback};
  const Json& values = matrix[key];
  std::string where = source + ": matrix." + key;
  if (!values.is_array() || values.empty()) bad(where, "must be a non-empty list");
  std::vector<AxisEntry> out;
  std::set<std::string> labels;
  for (size_t i = 0; i < values.size(); ++i) {
    out.push_back(entry(values[i], where + "[" + std::to_string(i) + "]"));
    if (!labels.insert(out.back().label).second)
      bad(where, "two entries share the label \"" + out.back().label + "\"; give one a \"name\"");
  }
  return out;
}

// A test name that is a safe directory name: the labels joined with '-'.
std::string test_name(const std::vector<std::string>& labels) {
  std::string name;
  for (const auto& l : labels) name += (name.empty() ? "" : "-") + l;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '+' && c != '-') c = '_';
  return name;
}

// Rejects unknown targets, workloads and their options now rather than hours into the campaign.
void check_names(const Spec& spec, const std::string& where) {
  try {
    make_target(spec);
    make_workload(spec.workload, {spec.nodes, spec.workers(), spec.workload_options});
  } catch (const Error& e) {
    throw Error(e.code(), where + ": " + e.what());
  }
}

// Whole seconds, with a tenth below ten seconds where it matters.
std::string seconds_text(double s) {
  char text[32];
  std::snprintf(text, sizeof text, s < 10 ? "%.1f s" : "%.0f s", s);
  return text;
}

}  // namespace

CampaignPlan plan_campaign(const Json& file, const std::string& source, const std::string& store) {
  if (!file.is_object()) bad(source, "a campaign must be a JSON object");
  only_known(file, kFileFields, source);
  CampaignPlan plan;
  plan.file = source;
  plan.name = fs::path(source).stem().string();
  if (file.contains("name")) {
    if (!file["name"].is_string() || file["name"] == "") bad(source, "\"name\" must be a non-empty string");
    plan.name = file["name"];
  }
  if (file.contains("time-budget")) {
    if (!file["time-budget"].is_number() || file["time-budget"].get<double>() <= 0)
      bad(source, "\"time-budget\" must be a positive number of seconds");
    plan.budget_s = file["time-budget"];
  }
  if (file.contains("trend")) {
    if (!non_negative_integer(file["trend"]) || file["trend"].get<size_t>() < 1)
      bad(source, "\"trend\" must be a positive number of campaigns");
    plan.trend_depth = file["trend"];
  }
  Json base = file.value("base", Json::object());
  if (!base.is_object()) bad(source, "\"base\" must be an object of spec fields");
  if (base.contains("name")) bad(source + ": base", "tests are named after their cell; remove \"name\"");
  Spec base_spec = parse_spec(base, source + ": base");
  plan.store = store.empty() ? base_spec.store : store;

  Json matrix = file.value("matrix", Json::object());
  if (!matrix.is_object()) bad(source, "\"matrix\" must be an object");
  only_known(matrix, kMatrixFields, source + ": matrix");
  std::vector<AxisEntry> targets = axis(matrix, "targets", source,
      [](const Json& v, const std::string& w) { return named_entry(v, "target", w); },
      {base_spec.target, Json::object()});
  std::vector<AxisEntry> workloads = axis(matrix, "workloads", source,
      [](const Json& v, const std::string& w) { return named_entry(v, "workload", w); },
      {base_spec.workload, Json::object()});
  std::vector<AxisEntry> faults = axis(matrix, "faults", source, faults_entry,
      faults_entry(base.value("nemesis", Json::array()), source + ": base.nemesis"));

  // Runs of a cell: fixed seeds, or repeats with the spec's seed (random unless the base sets one).
  std::vector<std::pair<std::string, Json>> runs;
  if (matrix.contains("seeds") && matrix.contains("repeats")) bad(source + ": matrix", "give \"seeds\" or \"repeats\", not both");
  if (matrix.contains("seeds")) {
    const Json& seeds = matrix["seeds"];
    if (!seeds.is_array() || seeds.empty()) bad(source + ": matrix.seeds", "must be a non-empty list of seeds");
    for (const Json& s : seeds) {
      if (!non_negative_integer(s)) bad(source + ": matrix.seeds", "seeds are non-negative integers, got " + s.dump());
      runs.push_back({"seed " + std::to_string(s.get<uint64_t>()), {{"seed", s}}});
    }
  } else {
    const Json& repeats = matrix.value("repeats", Json(1));
    if (!non_negative_integer(repeats) || repeats.get<int>() < 1)
      bad(source + ": matrix.repeats", "must be a positive integer");
    for (int i = 1; i <= repeats.get<int>(); ++i) runs.push_back({"repeat " + std::to_string(i), Json::object()});
  }

  const Json& overrides = file.value("overrides", Json::array());
  if (!overrides.is_array()) bad(source, "\"overrides\" must be a list of {\"match\": {...}, \"spec\": {...}}");
  std::vector<bool> override_used(overrides.size(), false);
  for (size_t i = 0; i < overrides.size(); ++i) {
    std::string where = source + ": overrides[" + std::to_string(i) + "]";
    const Json& o = overrides[i];
    if (!o.is_object() || !o.value("match", Json()).is_object() || !o.value("spec", Json()).is_object())
      bad(where, "an override is {\"match\": {\"target\"|\"workload\"|\"faults\": LABEL}, \"spec\": {spec fields}}");
    only_known(o, {"match", "spec"}, where);
    only_known(o["match"], kMatchFields, where + ".match");
  }

  for (const auto& t : targets)
    for (const auto& w : workloads)
      for (const auto& f : faults) {
        std::string cell = t.label + "/" + w.label + "/" + f.label;
        Json cell_spec = base;
        cell_spec["name"] = test_name({t.label, w.label, f.label});
        for (const Json* part : {&t.fields, &w.fields, &f.fields}) cell_spec.merge_patch(*part);
        for (size_t i = 0; i < overrides.size(); ++i) {
          const Json& match = overrides[i]["match"];
          std::map<std::string, std::string> labels = {{"target", t.label}, {"workload", w.label}, {"faults", f.label}};
          bool matches = true;
          for (const auto& [key, want] : match.items()) matches &= want.is_string() && want == labels[key];
          if (!matches) continue;
          cell_spec.merge_patch(overrides[i]["spec"]);
          override_used[i] = true;
        }
        for (const auto& [run, fields] : runs) {
          Json j = cell_spec;
          j.merge_patch(fields);
          std::string where = source + ": cell " + cell + " " + run;
          PlannedTest test{cell, run, parse_spec(j, where)};
          test.spec.store = plan.store.string();
          check_names(test.spec, where);
          plan.tests.push_back(std::move(test));
        }
      }
  for (size_t i = 0; i < overrides.size(); ++i)
    if (!override_used[i])
      bad(source + ": overrides[" + std::to_string(i) + "]", "matches no cell; match uses the labels of the matrix entries");
  return plan;
}

CampaignOutcome run_campaign(const CampaignPlan& plan, const std::atomic<bool>& interrupted,
                             const std::function<void(const std::string&)>& progress) {
  CampaignOutcome outcome;
  outcome.dir = create_campaign_dir(plan.store);
  Campaign campaign{plan.name, plan.file, utc_now_iso(), 0, plan.budget_s, false, {}};
  for (const auto& p : plan.tests) {
    CampaignTest t;
    t.cell = p.cell;
    t.run = p.run;
    t.seed = p.spec.seed;
    t.explanation = "not reached: the campaign stopped before this test";
    campaign.tests.push_back(std::move(t));
  }
  auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  // Tests take longer than their time limit (setup, final phase, checking); the mean of that
  // extra time so far makes the budget check and the time-left estimate honest.
  double overhead_sum = 0;
  int finished = 0;
  auto estimate = [&](const Spec& s) { return s.time_limit + (finished ? overhead_sum / finished : 0); };
  size_t n = plan.tests.size();
  for (size_t i = 0; i < n; ++i) {
    const PlannedTest& planned = plan.tests[i];
    CampaignTest& t = campaign.tests[i];
    std::string tag = "[" + std::to_string(i + 1) + "/" + std::to_string(n) + "] " + t.cell + " " + t.run;
    if (interrupted) {
      t.explanation = "skipped: the campaign was interrupted";
      continue;
    }
    double left_of_budget = plan.budget_s - elapsed();
    if (plan.budget_s > 0 && estimate(planned.spec) > left_of_budget) {
      t.explanation = "skipped: needs about " + seconds_text(estimate(planned.spec)) + ", only " +
                      seconds_text(std::max(0.0, left_of_budget)) + " of the time budget were left";
      progress(tag + ": skipped (over the time budget)");
      continue;
    }
    double work_left = 0;
    for (size_t k = i; k < n; ++k) work_left += estimate(plan.tests[k].spec);
    progress(tag + ": running (seed " + std::to_string(planned.spec.seed) + "); " + seconds_text(elapsed()) +
             " elapsed, about " + seconds_text(work_left) + " of tests left" +
             (plan.budget_s > 0 ? ", " + seconds_text(left_of_budget) + " of budget left" : ""));
    double test_start = elapsed();
    try {
      RunOutcome run = run_test(planned.spec, interrupted);
      read_run_summary(run.run_dir, t);
    } catch (const Error& e) {
      t.status = "error";
      t.exit_code = e.exit_code();
      t.explanation = e.what();
    } catch (const std::exception& e) {
      t.status = "error";
      t.exit_code = 255;
      t.explanation = std::string("internal error: ") + e.what();
    }
    double took = elapsed() - test_start;
    if (t.duration_s == 0) t.duration_s = took;
    overhead_sum += std::max(0.0, took - planned.spec.time_limit);
    ++finished;
    std::string anomalies;
    for (const auto& a : t.anomalies) anomalies += (anomalies.empty() ? " (" : ", ") + a;
    progress(tag + ": " + t.status + (anomalies.empty() ? "" : anomalies + ")") + " in " + seconds_text(took) +
             (t.run_dir.empty() ? ": " + t.explanation : "; report " + (t.run_dir / "report.html").string()));
    campaign.duration_s = elapsed();
    campaign.interrupted = interrupted;
    write_campaign_index(outcome.dir, campaign, plan.trend_depth);
  }
  campaign.duration_s = elapsed();
  campaign.interrupted = interrupted;
  write_campaign_index(outcome.dir, campaign, plan.trend_depth);

  outcome.exit_code = campaign_exit_code(campaign);
  std::map<std::string, int> counts;
  for (const auto& t : campaign.tests) ++counts[t.status];
  outcome.summary = "campaign " + plan.name + ":";
  for (const char* s : {"valid", "invalid", "unknown", "error", "skipped"})
    if (counts[s]) outcome.summary += " " + std::to_string(counts[s]) + " " + s;
  outcome.summary += " in " + seconds_text(campaign.duration_s);
  Json trend = campaign_trend(outcome.dir, campaign, plan.trend_depth);
  std::string newly_failing, flaky;
  for (const Json& cell : trend["cells"]) {
    if (cell["newly_failing"].get<bool>()) newly_failing += (newly_failing.empty() ? "" : ", ") + cell["cell"].get<std::string>();
    if (cell["flaky"].get<bool>()) flaky += (flaky.empty() ? "" : ", ") + cell["cell"].get<std::string>();
  }
  if (!newly_failing.empty()) outcome.summary += "\nnewly failing: " + newly_failing;
  if (!flaky.empty()) outcome.summary += "\nflaky: " + flaky;
  outcome.summary += "\nindex: " + (outcome.dir / "index.html").string();
  return outcome;
}

}  // namespace faultline
