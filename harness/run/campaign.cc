#include "harness/run/campaign.h"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <set>

#include "harness/core/error.h"
#include "harness/core/log.h"
#include "harness/run/runner.h"
#include "harness/sandbox/sandbox.h"
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
  if (!v.is_object() || (!v.contains("name") && !v.contains(key)) || (v.contains("name") && !v["name"].is_string()) ||
      (v.contains(key) && !v[key].is_string()))
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
std::string seconds_text(double s) { return s < 10 ? fmt::format("{:.1f} s", s) : fmt::format("{:.0f} s", s); }

// Runs one test; when the campaign has a sandbox pool and the test wants a sandbox, on a fresh
// sandbox of its own that is torn down afterwards, whatever happens.
RunOutcome run_in_own_sandbox(const SandboxPool& pool, const Spec& spec, const std::atomic<bool>& interrupted,
                              const std::function<void(const std::string&)>& progress) {
  if (pool.prefix.empty() || spec.sandbox.empty() || !make_target(spec)->needs_nodes())
    return run_test(spec, interrupted);
  std::unique_ptr<SandboxSlot> slot = allocate_sandbox(pool.prefix, pool.subnet, pool.slots, 3600);
  SandboxOptions options;
  options.name = slot->name();
  options.subnet = slot->subnet();
  options.nodes = pool.nodes;
  progress("  sandbox " + options.name + " on " + options.subnet);
  struct Down {
    SandboxOptions options;
    ~Down() {
      try {
        sandbox_down(options);
      } catch (const std::exception&) {
        // Nothing better to do: the next `up` of this slot tears leftovers down first.
      }
    }
  } down{options};
  sandbox_up(options);
  Spec own = spec;
  own.sandbox = options.name;
  return run_test(own, interrupted);
}

// The outcome of a campaign whose index is written: exit code and the summary lines.
CampaignOutcome finish(const fs::path& dir, const Campaign& campaign, size_t trend_depth) {
  CampaignOutcome outcome;
  outcome.dir = dir;
  outcome.exit_code = campaign_exit_code(campaign);
  std::map<std::string, int> counts;
  for (const auto& t : campaign.tests) ++counts[t.status];
  outcome.summary = "campaign " + campaign.name + ":";
  for (const char* s : {"valid", "invalid", "unknown", "error", "skipped"})
    if (counts[s]) outcome.summary += " " + std::to_string(counts[s]) + " " + s;
  outcome.summary += " in " + seconds_text(campaign.duration_s);
  Json trend = campaign_trend(outcome.dir, campaign, trend_depth);
  std::string newly_failing, flaky;
  for (const Json& cell : trend["cells"]) {
    if (cell["newly_failing"].get<bool>())
      newly_failing += (newly_failing.empty() ? "" : ", ") + cell["cell"].get<std::string>();
    if (cell["flaky"].get<bool>()) flaky += (flaky.empty() ? "" : ", ") + cell["cell"].get<std::string>();
  }
  if (!newly_failing.empty()) outcome.summary += "\nnewly failing: " + newly_failing;
  if (!flaky.empty()) outcome.summary += "\nflaky: " + flaky;
  outcome.summary += "\nindex: " + (outcome.dir / "index.html").string();
  return outcome;
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
  std::vector<AxisEntry> targets =
      axis(matrix, "targets", source, [](const Json& v, const std::string& w) { return named_entry(v, "target", w); },
           {base_spec.target, Json::object()});
  std::vector<AxisEntry> workloads = axis(
      matrix, "workloads", source, [](const Json& v, const std::string& w) { return named_entry(v, "workload", w); },
      {base_spec.workload, Json::object()});
  std::vector<AxisEntry> faults = axis(matrix, "faults", source, faults_entry,
                                       faults_entry(base.value("nemesis", Json::array()), source + ": base.nemesis"));

  // Runs of a cell: fixed seeds, or repeats with the spec's seed (random unless the base sets one).
  std::vector<std::pair<std::string, Json>> runs;
  if (matrix.contains("seeds") && matrix.contains("repeats"))
    bad(source + ": matrix", "give \"seeds\" or \"repeats\", not both");
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
          PlannedTest test{cell, run, parse_spec(j, where), plan.tests.size()};
          test.spec.store = plan.store.string();
          check_names(test.spec, where);
          plan.matrix.push_back({{"cell", cell}, {"run", run}, {"seed", test.spec.seed}});
          plan.tests.push_back(std::move(test));
        }
      }
  for (size_t i = 0; i < overrides.size(); ++i)
    if (!override_used[i])
      bad(source + ": overrides[" + std::to_string(i) + "]",
          "matches no cell; match uses the labels of the matrix entries");
  return plan;
}

CampaignOutcome run_campaign(const CampaignPlan& plan, const std::atomic<bool>& interrupted,
                             const std::function<void(const std::string&)>& progress) {
  CampaignOutcome outcome;
  outcome.dir = create_campaign_dir(plan.store);
  Campaign campaign{plan.name, plan.file, utc_now_iso(), 0, plan.budget_s, false, {}, {}};
  if (plan.shard_n > 0) campaign.shard = {plan.shard_k, plan.shard_n, plan.trend_depth, false, plan.matrix};
  for (const auto& p : plan.tests) {
    CampaignTest t;
    t.cell = p.cell;
    t.run = p.run;
    t.seed = p.spec.seed;
    t.position = p.position;
    t.explanation = "not reached: the campaign stopped before this test";
    campaign.tests.push_back(std::move(t));
  }
  write_campaign_index(outcome.dir, campaign, plan.trend_depth);  // a shard that dies at once still has its plan
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
      RunOutcome run = run_in_own_sandbox(plan.pool, planned.spec, interrupted, progress);
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
  campaign.shard.finished = true;
  write_campaign_index(outcome.dir, campaign, plan.trend_depth);
  return finish(outcome.dir, campaign, plan.trend_depth);
}

}  // namespace faultline

namespace faultline {

SandboxPool parse_sandbox_pool(const std::string& text) {
  SandboxPool pool;
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    size_t colon = text.find(':', start);
    parts.push_back(text.substr(start, colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  auto positive = [&](const std::string& part) {
    if (part.empty() || part.size() > 3 || part.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(part) < 1)
      fail(ErrorCode::kBadInput, "--sandbox-pool " + text + ": slots and nodes are positive numbers");
    return std::stoi(part);
  };
  if (parts.size() > 4 || parts[0].empty())
    fail(ErrorCode::kBadInput,
         "--sandbox-pool " + text + ": give PREFIX[:SUBNET[:SLOTS[:NODES]]], e.g. cp:10.82.0.0/24:4:3");
  pool.prefix = parts[0];
  if (parts.size() > 1) pool.subnet = parts[1];
  if (parts.size() > 2) pool.slots = positive(parts[2]);
  if (parts.size() > 3) pool.nodes = positive(parts[3]);
  // Only the slot names' shape is checked here; the subnet when a slot is taken.
  if (pool.prefix.size() + std::to_string(pool.slots).size() > 6 ||
      !std::islower(static_cast<unsigned char>(pool.prefix[0])))
    fail(ErrorCode::kBadInput, "--sandbox-pool " + text +
                                   ": the prefix is lowercase letters and digits, starting "
                                   "with a letter, at most " +
                                   std::to_string(6 - std::to_string(pool.slots).size()) + " long with " +
                                   std::to_string(pool.slots) + " slots");
  return pool;
}

void take_shard(CampaignPlan& plan, const std::string& k_of_n) {
  size_t slash = k_of_n.find('/');
  auto number = [&](const std::string& text) -> size_t {
    if (text.empty() || text.size() > 6 || text.find_first_not_of("0123456789") != std::string::npos) return 0;
    return std::stoul(text);
  };
  size_t k = slash == std::string::npos ? 0 : number(k_of_n.substr(0, slash));
  size_t n = slash == std::string::npos ? 0 : number(k_of_n.substr(slash + 1));
  if (k < 1 || n < 1 || k > n)
    fail(ErrorCode::kBadInput, "--shard " + k_of_n + ": give K/N with 1 <= K <= N, e.g. --shard 2/4");
  std::vector<PlannedTest> mine;
  for (auto& t : plan.tests)
    if (t.position % n == k - 1) mine.push_back(std::move(t));
  plan.tests = std::move(mine);
  plan.shard_k = k;
  plan.shard_n = n;
}

namespace {

// A shard's index, found in a campaign directory or in a store's campaigns/latest.
struct ShardIndex {
  fs::path dir;  // the campaign directory, resolved
  Json index;
};

ShardIndex read_shard(const fs::path& given) {
  fs::path dir = fs::exists(given / "index.json") ? given : given / "campaigns" / "latest";
  if (!fs::exists(dir / "index.json"))
    fail(ErrorCode::kNotFound, given.string() + ": no index.json in it nor in its campaigns/latest/");
  std::error_code ec;
  fs::path resolved = fs::canonical(dir, ec);
  ShardIndex s{ec ? dir : resolved, read_json_file(dir / "index.json")};
  if (!s.index.is_object() || !s.index.contains("shard") || !s.index["shard"].is_object())
    fail(ErrorCode::kBadInput, (dir / "index.json").string() + " is not a shard: run the campaign with --shard K/N");
  return s;
}

// Copies a test's run directory next to the merged index: out/<test name>/<timestamp>/.
fs::path adopt_run_dir(const ShardIndex& shard, const Json& test, const fs::path& out) {
  fs::path src = test.contains("report") ? shard.dir / fs::path(test["report"].get<std::string>()).parent_path()
                                         : fs::path(test.value("run_dir", ""));
  std::error_code ec;
  if (src.empty() || !fs::is_directory(src, ec)) return test.value("run_dir", "");
  src = fs::canonical(src);
  fs::path dest = out / src.parent_path().filename() / src.filename();
  if (fs::exists(dest) && fs::equivalent(src, dest)) return dest;
  fs::create_directories(dest.parent_path());
  fs::copy(src, dest, fs::copy_options::recursive | fs::copy_options::skip_existing, ec);
  if (ec) fail(ErrorCode::kIo, "cannot copy " + src.string() + " to " + dest.string() + ": " + ec.message());
  return dest;
}

}  // namespace

namespace {
CampaignOutcome merge_shards(const std::vector<fs::path>& dirs, const fs::path& out,
                             const std::map<size_t, std::string>& lost) {
  if (dirs.empty()) fail(ErrorCode::kBadInput, "campaign merge: give the shards' directories");
  std::map<size_t, ShardIndex> shards;  // by k; of two runs of one shard (a retry) the later wins
  Json first;
  std::string unreadable;
  for (const auto& given : dirs) {
    ShardIndex s;
    try {
      s = read_shard(given);
    } catch (const Error& e) {
      // A shard that died before writing its index is one of the missing shards, not an error.
      if (e.code() != ErrorCode::kNotFound) throw;
      unreadable = e.what();
      continue;
    }
    const Json& info = s.index["shard"];
    if (first.is_null()) first = s.index;
    const Json& want = first["shard"];
    if (s.index.value("name", "") != first.value("name", "") || info.value("n", 0) != want.value("n", 0) ||
        info.value("plan", Json()) != want.value("plan", Json()))
      fail(ErrorCode::kBadInput, given.string() + " is a shard of another campaign (or matrix) than " +
                                     dirs.front().string() + ": merge shards of one campaign file");
    size_t k = info.value("k", size_t{0});
    auto it = shards.find(k);
    if (it == shards.end() || it->second.index.value("started", "") < s.index.value("started", ""))
      shards[k] = std::move(s);
  }
  if (first.is_null()) fail(ErrorCode::kNotFound, "campaign merge: no shard index to merge: " + unreadable);
  const Json& plan = first["shard"]["plan"];
  size_t n = first["shard"]["n"];
  Campaign merged{first.value("name", ""), first.value("file", ""), "", 0, first.value("budget_s", 0.0), false, {}, {}};
  for (size_t p = 0; p < plan.size(); ++p) {
    CampaignTest t;
    t.cell = plan[p].value("cell", "");
    t.run = plan[p].value("run", "");
    t.seed = plan[p].value("seed", uint64_t{0});
    t.position = p;
    size_t k = p % n + 1;
    std::string why = lost.count(k) ? lost.at(k) : "it wrote no results";
    t.status = "error";
    t.exit_code = 255;
    t.explanation =
        "harness error: shard " + std::to_string(k) + "/" + std::to_string(n) + " never ran this test: " + why;
    merged.tests.push_back(std::move(t));
  }
  fs::create_directories(out);
  for (const auto& [k, s] : shards) {
    const Json& index = s.index;
    if (merged.started.empty() || index.value("started", "") < merged.started)
      merged.started = index.value("started", "");
    merged.duration_s = std::max(merged.duration_s, index.value("duration_s", 0.0));  // shards run side by side
    merged.interrupted |= index.value("interrupted", false);
    bool finished = index["shard"].value("finished", false);
    // Killed by its scheduler (time limit, node failure, scancel): a shard stops cleanly on
    // SIGTERM, but what it recorded is cut short, so its tests are harness errors unless they
    // already found an anomaly.
    bool killed = lost.count(k) && (!finished || index.value("interrupted", false));
    for (const Json& test : index.value("tests", Json::array())) {
      size_t p = test.value("position", plan.size());
      if (p >= plan.size()) continue;
      CampaignTest t = campaign_test_from_json(test);
      // A shard that died part way left its unreached tests "skipped"; they are harness errors.
      bool died = !finished && t.status == "skipped" && !index.value("interrupted", false);
      if (died || (killed && t.status != "invalid")) {
        std::string why = lost.count(k) ? lost.at(k) : "it stopped before this test";
        t.status = "error";
        t.exit_code = 255;
        t.explanation = "harness error: shard " + std::to_string(k) + "/" + std::to_string(n) +
                        " did not finish: " + why + (t.explanation.empty() ? "" : "\n" + t.explanation);
      }
      if (!t.run_dir.empty() || test.contains("report")) t.run_dir = adopt_run_dir(s, test, out);
      merged.tests[p] = std::move(t);
    }
  }
  if (merged.started.empty()) merged.started = utc_now_iso();
  size_t trend = first["shard"].value("trend", size_t{10});
  fs::path dir = create_campaign_dir(out);
  write_campaign_index(dir, merged, trend);
  return finish(dir, merged, trend);
}
}  // namespace

CampaignOutcome merge_campaign(const std::vector<fs::path>& dirs, const fs::path& out,
                               const std::map<size_t, std::string>& lost) {
  // Shard indexes are files on disk: one edited or cut short is bad input, not a harness error.
  try {
    return merge_shards(dirs, out, lost);
  } catch (const Json::exception& e) {
    fail(ErrorCode::kBadInput, std::string("campaign merge: a shard's index.json has a field of the wrong type (") +
                                   e.what() + "): run that shard again");
  }
}

}  // namespace faultline
