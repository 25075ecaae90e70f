#include "checkers/txn/txn.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "checkers/txn/consistency.h"
#include "checkers/txn/graph.h"
#include "checkers/txn/inference.h"
#include "harness/core/error.h"

extern char** environ;

namespace faultline {
namespace txn {

Json op_json(const TxnHistory& history, const Txn& txn) { return to_json(history.history->op(txn.op)); }

std::string show(const Json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

namespace {

// Arc visits allowed per cycle search in one component, unless options say otherwise; beyond it
// the search is reported as bounded and cannot make the history valid.
constexpr uint64_t kDefaultSearchBudget = 20'000'000;

struct Search {
  std::string target;  // the anomaly this search looks for
  Shape shape;
  uint8_t extra;
};

// The searches needed to find every reportable cycle anomaly, weakest graph first.
std::vector<Search> searches_for(const std::set<std::string>& reportable) {
  const std::pair<const char*, Shape> shapes[] = {{"G0", Shape::kG0},
                                                  {"G1c", Shape::kG1c},
                                                  {"G-single-item", Shape::kGSingle},
                                                  {"G-nonadjacent-item", Shape::kGNonadjacent},
                                                  {"G2-item", Shape::kG2}};
  const std::pair<const char*, uint8_t> variants[] = {
      {"", 0}, {"-process", kProcess}, {"-realtime", kProcess | kRealtime}};
  std::vector<Search> out;
  for (const auto& [suffix, extra] : variants)
    for (const auto& [name, shape] : shapes)
      if (reportable.count(std::string(name) + suffix)) out.push_back({std::string(name) + suffix, shape, extra});
  return out;
}

std::vector<std::string> string_list(const Json& options, const char* field, std::vector<std::string> fallback) {
  if (!options.contains(field)) return fallback;
  const Json& v = options[field];
  std::vector<std::string> out;
  if (v.is_string()) return {v.get<std::string>()};
  if (v.is_array())
    for (const Json& x : v) {
      if (!x.is_string()) break;
      out.push_back(x.get<std::string>());
    }
  if (!v.is_array() || out.size() != v.size())
    fail(ErrorCode::kBadInput,
         std::string("option \"") + field + "\" must be a list of names, e.g. [\"serializable\"]; got " + v.dump());
  return out;
}

bool flag(const Json& options, const char* field) {
  if (!options.contains(field)) return false;
  if (!options[field].is_boolean())
    fail(ErrorCode::kBadInput,
         std::string("option \"") + field + "\" must be true or false; got " + options[field].dump());
  return options[field].get<bool>();
}

DataModel model_option(const Json& options, DataModel fallback) {
  if (!options.contains("model")) return fallback;
  const Json& m = options["model"];
  if (m == "list-append") return DataModel::kListAppend;
  if (m == "rw-register") return DataModel::kRwRegister;
  fail(ErrorCode::kBadInput,
       "option \"model\" must be \"list-append\" or \"rw-register\" for "
       "the transactional checker; got " +
           m.dump());
}

std::string describe_session(const TxnHistory& h, uint32_t a, uint32_t b, EdgeKind kind, const std::string& an,
                             const std::string& bn) {
  std::string when = an + " completed (op " + std::to_string(h.txns[a].complete_index) + ") before " + bn +
                     " began (op " + std::to_string(h.txns[b].invoke_index) + ")";
  if (kind == kProcess)
    return an + " and " + bn + " ran on the same process " + std::to_string(h.txns[a].process) + ", and " + when;
  return when;
}

// A cycle as Elle shows it: the ops, the steps, and a text a person can check by hand.
Json explain_cycle(const TxnHistory& h, const DataExplainer& data, const std::string& name, const Cycle& cycle) {
  std::vector<std::string> names;
  for (size_t i = 0; i < cycle.size(); ++i) names.push_back(txn_name(i + 1));
  Json ops = Json::array(), steps = Json::array();
  std::ostringstream text;
  text << name << ": a cycle of " << cycle.size() << " txns\nLet:\n";
  for (size_t i = 0; i < cycle.size(); ++i) {
    ops.push_back(op_json(h, h.txns[cycle[i].from]));
    text << "  " << names[i] << " = " << ops.back().dump() << "\n";
  }
  ops.push_back(ops.front());
  text << "Then:\n";
  for (size_t i = 0; i < cycle.size(); ++i) {
    const Step& s = cycle[i];
    const std::string& an = names[i];
    const std::string& bn = names[(i + 1) % cycle.size()];
    std::string why;
    if (s.kind & kDataKinds) {
      auto e = data.explain(s.from, s.to, s.kind, an, bn);
      steps.push_back(e ? e->step : Json{{"type", edge_kind_name(s.kind)}});
      why = e ? e->text : "of a " + edge_kind_name(s.kind) + " dependency";
    } else {
      steps.push_back({{"type", edge_kind_name(s.kind)}});
      why = describe_session(h, s.from, s.to, s.kind, an, bn);
    }
    bool last = i + 1 == cycle.size();
    text << "  - " << (last ? "However, " : "") << an << " < " << bn << ", because " << why
         << (last ? ": a contradiction!" : ".") << "\n";
  }
  return {{"type", name}, {"cycle", ops}, {"steps", steps}, {"explanation", text.str()}};
}

std::string to_dot(const TxnHistory& h, const Json& instance, const Cycle& cycle) {
  std::ostringstream dot;
  dot << "digraph cycle {\n  node [shape=box, fontname=\"monospace\"];\n";
  for (size_t i = 0; i < cycle.size(); ++i) {
    const Txn& t = h.txns[cycle[i].from];
    Json label = txn_name(i + 1) + "\\nop " + std::to_string(h.index(t)) + "\\n" +
                 h.history->json((*h.history)[t.op].value).dump();
    dot << "  t" << i << " [label=" << label.dump() << "];\n";
  }
  static const std::map<std::string, std::string> colors = {
      {"ww", "#C02700"}, {"wr", "#C000A5"}, {"rw", "#5B00C0"}, {"process", "#00854A"}, {"realtime", "#0050C0"}};
  for (size_t i = 0; i < cycle.size(); ++i) {
    const Json& step = instance["steps"][i];
    std::string kind = step["type"].get<std::string>();
    std::string label = kind;
    if (step.contains("key")) label += " " + show(step["key"]);
    dot << "  t" << i << " -> t" << (i + 1) % cycle.size() << " [label=" << Json(label).dump() << ", color=\""
        << colors.at(kind) << "\", fontcolor=\"" << colors.at(kind) << "\"];\n";
  }
  dot << "}\n";
  return dot.str();
}

bool dot_available() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && ::access((dir + "/dot").c_str(), X_OK) == 0) return true;
  return false;
}

bool render_svg(const std::filesystem::path& dot_file, const std::filesystem::path& svg_file) {
  std::string in = dot_file.string(), out = svg_file.string();
  const char* argv[] = {"dot", "-Tsvg", in.c_str(), "-o", out.c_str(), nullptr};
  pid_t pid;
  if (posix_spawnp(&pid, "dot", nullptr, nullptr, const_cast<char**>(argv), environ) != 0) return false;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path);
  out << text;
  if (!out) fail(ErrorCode::kIo, "cannot write " + path.string() + "; is the directory writable?");
}

struct Found {
  std::map<std::string, std::vector<Json>> instances;
  std::map<std::string, std::vector<Cycle>> cycles;  // parallel to instances, for cycle anomalies
  std::map<std::string, size_t> counts;
};

}  // namespace

CheckResult check(const HistoryView& history, const CheckOptions& options, DataModel default_model) {
  const Json& opts = options.options;
  DataModel model = model_option(opts, default_model);
  auto models = string_list(opts, "consistency-models", {"strict-serializable"});
  auto reportable = reportable_anomalies(models, string_list(opts, "anomalies", {}));

  RegisterOrder order{flag(opts, "sequential-keys"), flag(opts, "linearizable-keys")};
  TxnHistory h = parse_txns(history.compact(), model);
  auto searches = searches_for(reportable);
  uint8_t mask = 0;
  for (const Search& s : searches)
    mask |= s.extra | (s.shape == Shape::kG0 ? kWW : s.shape == Shape::kG1c ? kWW | kWR : kDataKinds);
  // Session order needs only the txns: on a second core while the data dependencies are inferred.
  std::vector<Edge> session;
  std::thread session_thread;
  if (mask & (kProcess | kRealtime)) session_thread = std::thread([&] { session = session_edges(h); });
  Inference inf;
  try {
    inf = model == DataModel::kListAppend ? infer_list_append(h) : infer_rw_register(h, order);
  } catch (...) {
    if (session_thread.joinable()) session_thread.join();
    throw;
  }
  if (session_thread.joinable()) session_thread.join();
  CheckResult result;
  if (!inf.unusable.empty()) {
    result.verdict = Verdict::kUnknown;
    result.explanation = "cannot check: " + inf.unusable;
    result.details = {{"valid", "unknown"}, {"error", inf.unusable}};
    return result;
  }

  uint64_t budget = kDefaultSearchBudget;
  if (opts.contains("cycle-search-budget")) {
    const Json& b = opts["cycle-search-budget"];
    if (!b.is_number_integer() || b.get<int64_t>() <= 0)
      fail(ErrorCode::kBadInput,
           "option \"cycle-search-budget\" must be a positive number of arc "
           "visits; got " +
               b.dump());
    budget = b.get<uint64_t>();
  }
  std::vector<Edge> edges = std::move(inf.edges);
  edges.reserve(edges.size() + session.size());
  for (Edge& e : session)
    if (e.kinds & mask) edges.push_back(e);
  session = {};
  TxnGraph graph(h.txns.size(), std::move(edges));

  Found found;
  for (const auto& [name, list] : inf.anomalies.instances())
    if (reportable.count(name)) {
      found.instances[name] = list;
      found.counts[name] = inf.anomalies.counts().at(name);
    }
  std::vector<std::string> bounded;
  auto components = cyclic_components(graph, mask);
  std::optional<CycleSearcher> searcher;  // its scratch space is only needed when cycles exist
  if (!components.empty()) searcher.emplace(graph);
  for (const auto& component : components) {
    // Report each component's strongest anomalies only: what they imply adds nothing.
    std::set<std::string> in_component;
    auto implied = [&](const std::string& name) {
      return std::any_of(in_component.begin(), in_component.end(),
                         [&](const std::string& f) { return implies(f, name); });
    };
    for (const Search& s : searches) {
      if (implied(s.target)) continue;
      SearchResult r = searcher->find(component, s.shape, s.extra, budget);
      if (r.exhausted) bounded.push_back("a component of " + std::to_string(component.size()) + " txns");
      if (!r.cycle) continue;
      std::string name = classify(*r.cycle);
      if (!reportable.count(name) || implied(name)) continue;
      in_component.insert(name);
      if (++found.counts[name] > AnomalyLog::kKept) continue;
      // Start at the earliest txn, so T1, T2 … read in history order.
      std::rotate(r.cycle->begin(),
                  std::min_element(r.cycle->begin(), r.cycle->end(),
                                   [&](const Step& x, const Step& y) { return x.from < y.from; }),
                  r.cycle->end());
      found.instances[name].push_back(explain_cycle(h, *inf.explainer, name, *r.cycle));
      found.cycles[name].push_back(*r.cycle);
    }
  }
  std::sort(bounded.begin(), bounded.end());
  bounded.erase(std::unique(bounded.begin(), bounded.end()), bounded.end());

  std::set<std::string> types;
  for (const auto& [name, list] : found.instances) types.insert(name);
  result.verdict = !types.empty() ? Verdict::kInvalid : bounded.empty() ? Verdict::kValid : Verdict::kUnknown;
  Json& d = result.details;
  d["valid"] = result.verdict == Verdict::kValid     ? Json(true)
               : result.verdict == Verdict::kInvalid ? Json(false)
                                                     : Json("unknown");
  result.anomalies.assign(types.begin(), types.end());
  d["anomaly-types"] = result.anomalies;
  d["anomalies"] = Json::object();
  for (const auto& [name, list] : found.instances) d["anomalies"][name] = list;
  d["anomaly-counts"] = found.counts;
  d["consistency-models"] = models;
  d["txn-count"] = h.txns.size();
  d["edge-count"] = graph.edge_count();
  if (!bounded.empty()) d["bounded-searches"] = bounded;

  std::ostringstream text;
  if (types.empty()) {
    text << (bounded.empty() ? "No anomalies found in " : "No anomalies found so far in ") << h.txns.size()
         << " txns; consistent with ";
    for (size_t i = 0; i < models.size(); ++i) text << (i ? ", " : "") << models[i];
    if (!bounded.empty())
      text << " as far as searched: the cycle search was cut short in " << bounded.size()
           << " component(s), so the verdict is unknown";
    text << ".";
  } else {
    Boundary b = boundary(types);
    d["not"] = b.not_models;
    d["also-not"] = b.also_not;
    text << "Found ";
    size_t i = 0;
    for (const auto& name : types) text << (i++ ? ", " : "") << name << " (" << found.counts[name] << ")";
    text << ". Not ";
    for (size_t j = 0; j < b.not_models.size(); ++j) text << (j ? ", " : "") << b.not_models[j];
    if (!b.also_not.empty()) text << " (and so not " << b.also_not.size() << " stronger models)";
    text << ".\n";
    // One worked example: the first cycle if any, else the first instance.
    auto with_cycle =
        std::find_if(types.begin(), types.end(), [&](const std::string& n) { return found.cycles.count(n); });
    const std::string& shown_type = with_cycle != types.end() ? *with_cycle : *types.begin();
    text << found.instances[shown_type].front()["explanation"].get<std::string>();
  }
  result.explanation = text.str();

  if (!options.out_dir.empty() && !types.empty()) {
    bool svg = dot_available();
    for (const auto& [name, list] : found.instances) {
      std::ostringstream txt;
      for (size_t i = 0; i < list.size(); ++i) {
        txt << name << " #" << i << "\n" << list[i]["explanation"].get<std::string>() << "\n\n";
        if (!found.cycles.count(name)) continue;
        std::string base = name + "/" + std::to_string(i);
        write_file(options.out_dir / (base + ".dot"), to_dot(h, list[i], found.cycles[name][i]));
        result.files.push_back(base + ".dot");
        if (svg && render_svg(options.out_dir / (base + ".dot"), options.out_dir / (base + ".svg")))
          result.files.push_back(base + ".svg");
      }
      if (found.cycles.count(name) && !svg)
        txt << "Graphviz (dot) is not installed: the cycle graphs are left as .dot files in " << name
            << "/; render them with `dot -Tsvg`.\n";
      write_file(options.out_dir / (name + ".txt"), txt.str());
      result.files.push_back(name + ".txt");
    }
  }
  return result;
}

}  // namespace txn

namespace {

class TxnChecker : public Checker {
 public:
  explicit TxnChecker(txn::DataModel model) : model_(model) {}
  std::string name() const override { return model_ == txn::DataModel::kListAppend ? "list-append" : "rw-register"; }
  CheckResult check(const HistoryView& input, const CheckOptions& options) const override {
    return txn::check(input, options, model_);
  }

 private:
  txn::DataModel model_;
};

}  // namespace

std::unique_ptr<Checker> list_append_checker() { return std::make_unique<TxnChecker>(txn::DataModel::kListAppend); }
std::unique_ptr<Checker> rw_register_checker() { return std::make_unique<TxnChecker>(txn::DataModel::kRwRegister); }

}  // namespace faultline
