#include <iostream>
#include <sstream>

#include "harness/cli/commands.h"
#include "harness/cli/interrupt.h"
#include "harness/core/error.h"
#include "harness/run/runner.h"
#include "results/store.h"
#include "targets/registry.h"
#include "workloads/workload.h"

namespace faultline {
namespace {

struct TestFlags {
  std::string spec_file, name, nodes, nodes_file, sandbox, concurrency, target, workload, nemesis, nemesis_schedule,
      store, ssh_user, ssh_key, ssh_password_env, host_key_policy, known_hosts;
  int ssh_port = 0;
  bool use_sandbox = false;
  double time_limit = -1, rate = -1, nemesis_interval = -1, op_timeout = -1;
  int64_t seed = -1;
  std::vector<std::string> workload_opts, target_opts;
};

// "key=value": value parsed as JSON when it is JSON, else kept as a string.
void set_option(Json& into, const std::string& kv, const char* flag) {
  auto eq = kv.find('=');
  if (eq == std::string::npos || eq == 0)
    fail(ErrorCode::kBadInput, std::string(flag) + " wants key=value, got \"" + kv + "\"");
  std::string value = kv.substr(eq + 1);
  Json parsed = Json::parse(value, nullptr, false);
  into[kv.substr(0, eq)] = parsed.is_discarded() ? Json(value) : parsed;
}

Json spec_json(const TestFlags& f) {
  Json j = Json::object();
  if (!f.spec_file.empty()) j = read_json_file(f.spec_file);
  if (!j.is_object()) fail(ErrorCode::kBadInput, f.spec_file + ": a spec must be a JSON object");
  if (!f.name.empty()) j["name"] = f.name;
  if (!f.nodes.empty()) j["nodes"] = f.nodes;
  if (!f.nodes_file.empty()) j["nodes-file"] = f.nodes_file;
  if (f.use_sandbox || !f.sandbox.empty()) j["sandbox"] = f.sandbox.empty() ? "fl" : f.sandbox;
  if (!j.contains("ssh")) j["ssh"] = Json::object();
  if (!f.ssh_user.empty()) j["ssh"]["user"] = f.ssh_user;
  if (!f.ssh_key.empty()) j["ssh"]["key"] = f.ssh_key;
  if (f.ssh_port > 0) j["ssh"]["port"] = f.ssh_port;
  if (!f.ssh_password_env.empty()) j["ssh"]["password-env"] = f.ssh_password_env;
  if (!f.host_key_policy.empty()) j["ssh"]["host-key-policy"] = f.host_key_policy;
  if (!f.known_hosts.empty()) j["ssh"]["known-hosts"] = f.known_hosts;
  if (!f.concurrency.empty()) j["concurrency"] = f.concurrency;
  if (f.time_limit >= 0) j["time-limit"] = f.time_limit;
  if (f.rate >= 0) j["rate"] = f.rate;
  if (f.seed >= 0) j["seed"] = f.seed;
  if (!f.target.empty()) j["target"] = f.target;
  if (!f.workload.empty()) j["workload"] = f.workload;
  if (!f.nemesis.empty()) j["nemesis"] = f.nemesis == "none" ? "" : f.nemesis;
  if (f.nemesis_interval >= 0) j["nemesis-interval"] = f.nemesis_interval;
  if (!f.nemesis_schedule.empty()) j["nemesis-schedule"] = f.nemesis_schedule;
  if (f.op_timeout >= 0) j["op-timeout"] = f.op_timeout;
  if (!f.store.empty()) j["store"] = f.store;
  if (!j.contains("workload-options")) j["workload-options"] = Json::object();
  if (!j.contains("target-options")) j["target-options"] = Json::object();
  for (const auto& kv : f.workload_opts) set_option(j["workload-options"], kv, "--workload-opt");
  for (const auto& kv : f.target_opts) set_option(j["target-options"], kv, "--target-opt");
  return j;
}

}  // namespace

void add_test_command(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<TestFlags>();
  CLI::App* cmd = app.add_subcommand("test", "Run one test: generator -> clients and nemesis -> history -> checkers");
  cmd->footer("\nWorkloads:\n" + workload_help());
  cmd->add_option("--spec", flags->spec_file, "JSON spec file; flags override its fields");
  cmd->add_option("--name", flags->name, "Test name (default <workload>-<target>)");
  cmd->add_option("--nodes", flags->nodes, "Comma-separated nodes (default n1..n5)");
  cmd->add_option("--nodes-file", flags->nodes_file, "File with one host[:port] [key=value ...] per line");
  cmd->add_flag("--sandbox", flags->use_sandbox, "Run on the local sandbox (see faultline sandbox up)");
  cmd->add_option("--sandbox-name", flags->sandbox, "Which sandbox, with --sandbox (default fl)");
  cmd->add_option("--ssh-user", flags->ssh_user, "SSH user on the nodes (default root)");
  cmd->add_option("--ssh-key", flags->ssh_key, "SSH private key file (default: ssh-agent, then password)");
  cmd->add_option("--ssh-port", flags->ssh_port, "SSH port (default 22)");
  cmd->add_option("--ssh-password-env", flags->ssh_password_env,
                  "Environment variable holding the SSH (and sudo) password; never stored");
  cmd->add_option("--host-key-policy", flags->host_key_policy, "strict (default), accept-new or insecure");
  cmd->add_option("--known-hosts", flags->known_hosts, "known_hosts file (default ~/.ssh/known_hosts)");
  cmd->add_option("--concurrency", flags->concurrency, "Client workers: N, or Kn for K per node (default 1n)");
  cmd->add_option("--time-limit", flags->time_limit, "Seconds of main phase (default 10)");
  cmd->add_option("--rate", flags->rate, "Client ops per second in total (default unlimited)");
  cmd->add_option("--seed", flags->seed, "Seed for every random choice (default random; printed)");
  cmd->add_option("--target", flags->target, "System under test (default memory)");
  cmd->add_option("--target-opt", flags->target_opts,
                  "Target option key=value (repeatable), e.g. bugs='[\"stale-read\"]'");
  cmd->add_option("--workload", flags->workload, "Workload (default register)");
  cmd->add_option("--workload-opt", flags->workload_opts, "Workload option key=value (repeatable)");
  cmd->add_option("--nemesis", flags->nemesis, "Comma-separated faults, 'all' or 'none'");
  cmd->add_option("--nemesis-interval", flags->nemesis_interval, "Seconds between faults (default 10)");
  cmd->add_option("--nemesis-schedule", flags->nemesis_schedule, "JSON file of timed fault steps");
  cmd->add_option("--op-timeout", flags->op_timeout, "Seconds before a client op counts as info (default 10)");
  cmd->add_option("--store", flags->store, "Directory of run results (default ./store)");
  cmd->callback([flags, &exit_code] {
    Json j = spec_json(*flags);
    Spec spec = parse_spec(j, flags->spec_file.empty() ? "flags" : flags->spec_file);
    RunOutcome out = run_test(spec, stop_on_interrupt(), [](const Spec& s) {
      std::cerr << "faultline: running " << s.name << " (seed " << s.seed << ", " << s.nodes.size() << " nodes, "
                << s.workers() << " clients, " << s.time_limit << " s)\n";
    });
    std::cout << out.summary << "\n";
    exit_code = out.exit_code;
  });
}

}  // namespace faultline
