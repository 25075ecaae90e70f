#include "harness/run/runner.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "checkers/registry.h"
#include "harness/core/error.h"
#include "harness/core/history_io.h"
#include "harness/core/log.h"
#include "harness/core/text.h"
#include "harness/run/cluster.h"
#include "harness/run/interpreter.h"
#include "harness/run/status.h"
#include "harness/sandbox/sandbox.h"
#include "nemesis/package.h"
#include "results/report.h"
#include "results/store.h"
#include "targets/registry.h"
#include "workloads/workload.h"

namespace faultline {
namespace fs = std::filesystem;

int exit_code_for(Verdict verdict) {
  switch (verdict) {
    case Verdict::kValid: return 0;
    case Verdict::kInvalid: return 1;
    case Verdict::kUnknown: return 2;
  }
  return 2;
}

namespace {

Workload workload_for(const Spec& spec) {
  return make_workload(spec.workload, {spec.nodes, spec.workers(), spec.workload_options});
}

std::unique_ptr<Checker> checker_for(const Workload& workload) {
  std::vector<CheckerWithOptions> parts;
  for (const auto& [name, options] : workload.checkers) parts.push_back({make_checker(name), options});
  return compose(std::move(parts));
}

// The workload's data, prepared once through a client on the first node (Client::setup).
void prepare_data(Target& target, const std::vector<std::string>& nodes, const Json& prepare) {
  std::unique_ptr<Client> client = target.make_client();
  client->open(nodes.empty() ? "" : nodes.front());
  client->setup(prepare);
  client->close();
}

// Checks the stored history and writes results.json; `error` is a harness failure, if any, and
// `error_exit` its exit code.
RunOutcome check_and_store(const fs::path& dir, const Spec& spec, const Workload& workload, Json test_info,
                           const std::string& error, int error_exit = 255) {
  RunOutcome out;
  out.run_dir = dir;
  Json results = {{"test", std::move(test_info)}, {"checkers", Json::object()}};
  CheckResult r;
  try {
    History history = read_history_file(dir / "history.jsonl");
    validate(history, (dir / "history.jsonl").string());
    r = checker_for(workload)->check(history, CheckOptions{dir, Json::object()});
    results["checkers"] = r.details;
    results["anomalies"] = r.anomalies;
  } catch (const std::exception& e) {
    r.verdict = Verdict::kUnknown;
    results["error"] = std::string("checking failed: ") + e.what();
  }
  // A harness failure says nothing about the system: the run is unknown whatever the checkers saw.
  out.verdict = error.empty() ? r.verdict : Verdict::kUnknown;
  out.exit_code = error.empty() ? exit_code_for(out.verdict) : error_exit;
  if (!error.empty()) results["error"] = error;
  results["valid"] = std::string(to_string(out.verdict));
  results["exit_code"] = out.exit_code;
  write_json_file(dir / "results.json", results);
  out.summary = std::string(to_string(out.verdict)) + "  " + spec.name + "  " + dir.string();
  if (!r.explanation.empty()) out.summary += "\n" + r.explanation;
  return out;
}

}  // namespace

RunOutcome run_test(const Spec& requested, const std::atomic<bool>& interrupted,
                    const std::function<void(const Spec&)>& announce) {
  // Everything that can be rejected is rejected before anything starts.
  Spec spec = requested;
  std::unique_ptr<Target> target = make_target(spec);
  std::string vocabulary = workload_vocabulary(spec.workload);
  std::vector<std::string> speaks = target->speaks();
  if (std::find(speaks.begin(), speaks.end(), vocabulary) == speaks.end()) {
    std::string would = join(workloads_speaking(speaks));
    fail(ErrorCode::kBadInput, target->name() + " does not speak " + vocabulary + "; it speaks: " + join(speaks) +
                                   (would.empty() ? "" : " (workloads: " + would + ")"));
  }
  if (!spec.nemesis.empty() && !target->needs_nodes())
    fail(ErrorCode::kBadInput, "the " + spec.target +
                                   " target runs in-process and has no nodes to "
                                   "inject faults into; drop --nemesis or use a target on the sandbox");
  Cluster cluster;
  if (target->needs_nodes()) {
    cluster = connect_cluster(spec);
    spec.nodes = cluster.names();
  }
  Workload workload = workload_for(spec);
  checker_for(workload);
  if (announce) announce(spec);
  // Namespace nodes share this machine's clock, so their clock faults never touch it; VM nodes
  // have kernels of their own and take the real-host backend.
  bool shared_clock = !spec.sandbox.empty() && sandbox_vm_accel(default_sandbox_dir(spec.sandbox)).empty();
  NemesisConfig nc{spec.nemesis,
                   spec.nemesis_interval,
                   spec.nemesis_schedule,
                   spec.nemesis_options,
                   cluster.session_ptrs(),
                   target->daemon(),
                   shared_clock,
                   spec.seed,
                   {}};
  std::unique_ptr<PowerSwitch> power =
      !spec.sandbox.empty() && !shared_clock ? vm_power_switch(default_sandbox_dir(spec.sandbox)) : nullptr;
  nc.power = power.get();
  NemesisPackage nemesis = make_nemesis_package(nc);
  nemesis.nemesis->preflight();

  fs::path dir = create_run_dir(spec.store, spec.name);
  write_json_file(dir / "spec.json", to_json(spec));
  log_to_file(dir / "faultline.log");
  log_info("run " + spec.name + " seed " + std::to_string(spec.seed) + " in " + dir.string());
  HistoryWriter history(dir / "history.jsonl");

  TestEnv env{spec.name,
              spec.nodes,
              dir,
              workload.vocabulary,
              spec.op_timeout,
              spec.seed,
              cluster.session_ptrs(),
              !spec.sandbox.empty(),
              nemesis.faketime_launch};
  std::string started = utc_now_iso();
  auto start = std::chrono::steady_clock::now();
  std::string error;
  int error_exit = 255;
  std::optional<StatusLine> status;  // from the start of the main phase, so its clock is the test's
  {
    InterpreterOptions io;
    io.concurrency = spec.workers();
    io.nodes = spec.nodes;
    io.make_client = [&target] { return target->make_client(); };
    io.nemesis = nemesis.nemesis.get();
    io.op_timeout = seconds(spec.op_timeout);
    io.seed = spec.seed;
    io.start = start;
    io.history = &history;
    io.observe = [&status](const Op& op) {
      if (status) status->observe(op);
    };
    io.log = [](const std::string& m) { log_info(m); };
    Interpreter interpreter(std::move(io));

    bool set_up = false;
    try {
      log_info("setting up " + spec.target + " on " + std::to_string(spec.nodes.size()) + " nodes");
      target->setup(env);
      prepare_data(*target, spec.nodes, workload.prepare);
      nemesis.nemesis->setup();
      set_up = true;
      Gen client_ops = workload.generator;
      if (spec.rate > 0) client_ops = stagger(seconds(1.0 / spec.rate), client_ops);
      Gen main = clients(client_ops);
      if (nemesis.generator) main = any({main, ::faultline::nemesis(nemesis.generator)});
      status.emplace(spec.time_limit);
      interpreter.run(time_limit(seconds(spec.time_limit), main), &interrupted);
      if (interrupted) log_warn("interrupted: healing, final reads and checking what was recorded");
    } catch (const std::exception& e) {
      error = e.what();
      // A system that did not start is unknown, like one that stopped answering; not a harness error.
      if (auto* fe = dynamic_cast<const Error*>(&e); fe && fe->code() == ErrorCode::kSystemStart) error_exit = 2;
      log_warn(std::string("test failed: ") + e.what());
    }
    // The final phase runs whatever happened above: heal, then final reads on a healed system.
    try {
      if (nemesis.final_generator) interpreter.run(::faultline::nemesis(nemesis.final_generator), nullptr);
      nemesis.nemesis->teardown();
      if (set_up && workload.final_generator) interpreter.run(clients(workload.final_generator), nullptr);
    } catch (const std::exception& e) {
      if (error.empty()) error = e.what();
      log_warn(std::string("final phase failed: ") + e.what());
    }
    try {
      target->teardown(env);
    } catch (const std::exception& e) {
      if (error.empty()) error = e.what();
      log_warn(std::string("teardown failed: ") + e.what());
    }
  }
  if (status) status->stop();
  double duration = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Json test_info = {{"name", spec.name},
                    {"target", spec.target},
                    {"workload", spec.workload},
                    {"nemesis", spec.nemesis},
                    {"seed", spec.seed},
                    {"nodes", spec.nodes},
                    {"concurrency", spec.workers()},
                    {"time_limit_s", spec.time_limit},
                    {"rate", spec.rate},
                    {"command", "faultline test --spec " + (dir / "spec.json").string()},
                    {"started", started},
                    {"duration_s", duration},
                    {"interrupted", interrupted.load()}};
  RunOutcome out = check_and_store(dir, spec, workload, std::move(test_info), error, error_exit);
  log_info("verdict " + std::string(to_string(out.verdict)));
  try {
    write_report(dir);
    out.summary += "\nreport: " + (dir / "report.html").string();
  } catch (const std::exception& e) {
    log_warn(std::string("report failed: ") + e.what());
  }
  log_to_file({});
  return out;
}

RunOutcome analyze_run(const fs::path& run_dir) {
  if (!fs::is_regular_file(run_dir / "history.jsonl"))
    fail(ErrorCode::kNotFound, run_dir.string() + " is not a run directory (no history.jsonl)");
  Spec spec = parse_spec(read_json_file(run_dir / "spec.json"), (run_dir / "spec.json").string());
  Json test_info = Json::object();
  if (fs::exists(run_dir / "results.json")) {
    Json old = read_json_file(run_dir / "results.json");
    if (old.contains("test")) test_info = old["test"];
  }
  RunOutcome out = check_and_store(run_dir, spec, workload_for(spec), std::move(test_info), "");
  write_report(run_dir);
  return out;
}

}  // namespace faultline
