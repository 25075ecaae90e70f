#include "harness/run/slurm.h"

#include "harness/core/files.h"
#include "harness/core/log.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include "harness/control/local_session.h"
#include "harness/control/shell.h"
#include "harness/core/error.h"
#include "results/store.h"

namespace faultline {
namespace fs = std::filesystem;

namespace {

LocalSession& here() {
  static LocalSession session("slurm client");
  return session;
}

// The value of `key=` in one line of `scontrol -o` output.
std::string field(const std::string& line, const std::string& key) {
  std::string padded = " " + line;  // every field then starts after a space
  size_t at = padded.find(" " + key + "=");
  if (at == std::string::npos) return "";
  size_t start = at + key.size() + 2;
  return padded.substr(start, padded.find(' ', start) - start);
}

// "3", "3-5", "1,4-6" (with an optional "%M" throttle) as task ids.
std::vector<size_t> task_ids(std::string text) {
  std::vector<size_t> ids;
  text = text.substr(0, text.find('%'));
  std::istringstream parts(text);
  for (std::string part; std::getline(parts, part, ',');) {
    if (part.empty() || part.find_first_not_of("0123456789-") != std::string::npos) continue;
    size_t dash = part.find('-');
    size_t first = std::stoul(part.substr(0, dash));
    size_t last = dash == std::string::npos ? first : std::stoul(part.substr(dash + 1));
    for (size_t id = first; id <= last && id < first + 100000; ++id) ids.push_back(id);
  }
  return ids;
}

void write_script(const fs::path& path, const std::string& body) {
  std::ofstream out(path, std::ios::trunc);
  out << "#!/bin/sh\n" << body << "\n";
  out.close();
  if (!out) fail(ErrorCode::kIo, "cannot write " + path.string());
  fs::permissions(path, fs::perms(0755));
}

std::string slurm(const std::vector<std::string>& argv) {
  ExecResult r = here().exec(argv);
  if (r.exit_code != 0)
    fail(ErrorCode::kUnavailable,
         argv[0] + " failed (exit " + std::to_string(r.exit_code) + "): " + r.err.substr(0, r.err.find('\n')));
  return r.out;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::map<size_t, SlurmTask> parse_scontrol_tasks(const std::string& text, const std::string& job) {
  std::map<size_t, SlurmTask> tasks;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (field(line, "ArrayJobId") != job) continue;
    SlurmTask t{field(line, "JobState"), field(line, "Reason")};
    if (t.reason == "None") t.reason = "";
    std::string code = field(line, "ExitCode");
    if (!code.empty() && code != "0:0") t.reason += (t.reason.empty() ? "" : ", ") + std::string("exit code ") + code;
    for (size_t id : task_ids(field(line, "ArrayTaskId"))) tasks[id] = t;
  }
  return tasks;
}

std::map<size_t, SlurmTask> parse_sacct_tasks(const std::string& text, const std::string& job) {
  std::map<size_t, SlurmTask> tasks;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> cols;
    std::istringstream parts(line);
    for (std::string c; std::getline(parts, c, '|');) cols.push_back(c);
    if (cols.size() < 3 || cols[0].rfind(job + "_", 0) != 0) continue;
    std::string ids = cols[0].substr(job.size() + 1);
    if (!ids.empty() && ids.front() == '[') ids = ids.substr(1, ids.find(']') - 1);
    SlurmTask t{cols[1].substr(0, cols[1].find(' ')), cols[2] == "0:0" ? "" : "exit code " + cols[2]};
    if (cols[1].find(" by ") != std::string::npos) t.reason = cols[1].substr(cols[1].find(' ') + 1);
    for (size_t id : task_ids(ids)) tasks[id] = t;
  }
  return tasks;
}

std::map<size_t, SlurmTask> slurm_tasks(const std::string& job, std::string* source) {
  ExecResult acct = here().exec({"sacct", "-n", "-P", "-X", "-j", job, "-o", "JobID,State,ExitCode"});
  if (acct.exit_code == 0 && acct.err.find("disabled") == std::string::npos && !trim(acct.out).empty()) {
    if (source) *source = "Slurm accounting";
    return parse_sacct_tasks(acct.out, job);
  }
  if (source) *source = "scontrol (no accounting storage configured)";
  ExecResult ctl = here().exec({"scontrol", "show", "job", "-o", job});
  return ctl.exit_code == 0 ? parse_scontrol_tasks(ctl.out, job) : std::map<size_t, SlurmTask>{};
}

std::map<size_t, std::string> slurm_lost_reasons(const std::string& jobs) {
  std::map<size_t, std::string> lost;
  std::istringstream parts(jobs);
  for (std::string job; std::getline(parts, job, ',');) {
    std::string source;
    for (const auto& [id, t] : slurm_tasks(job, &source)) {
      // Ended on their own: the shard's index says how its tests went (FAILED = a non-zero verdict).
      if (t.state == "COMPLETED" || t.state == "FAILED") {
        lost.erase(id + 1);
        continue;
      }
      lost[id + 1] = "Slurm task " + job + "_" + std::to_string(id) + " ended " + t.state +
                     (t.reason.empty() ? "" : " (" + t.reason + ")") + ", says " + source;
    }
  }
  return lost;
}

CampaignOutcome run_campaign_on_slurm(const CampaignPlan& plan, const std::string& file, const SlurmOptions& options,
                                      const std::atomic<bool>& interrupted,
                                      const std::function<void(const std::string&)>& progress) {
  size_t n = plan.tests.size();
  if (n == 0) fail(ErrorCode::kBadInput, "campaign " + plan.name + " has no tests to submit");
  std::string self = fs::read_symlink("/proc/self/exe").string();
  fs::path store = fs::absolute(plan.store);
  std::string stamp = utc_now_iso();
  for (char& c : stamp)
    if (c == ':') c = '-';
  fs::path run = store / "slurm" / stamp;
  fs::create_directories(run);

  std::vector<std::string> task = {self, "campaign", fs::absolute(file).string(), "--shard"};
  std::string task_cmd = shell_join(task) + " \"$((SLURM_ARRAY_TASK_ID + 1))/" + std::to_string(n) + "\" --store " +
                         shell_quote(run.string()) + "/task-\"$SLURM_ARRAY_TASK_ID\"";
  if (!options.sandbox_pool.empty()) task_cmd += " --sandbox-pool " + shell_quote(options.sandbox_pool);
  write_script(run / "task.sh", "# One test of campaign " + plan.name + ": the array task's shard.\nexec " + task_cmd);

  std::vector<std::string> common = {"--parsable", "--chdir", run.string()};
  if (!options.partition.empty()) common.insert(common.end(), {"--partition", options.partition});
  auto sbatch = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {"sbatch"};
    argv.insert(argv.end(), common.begin(), common.end());
    argv.insert(argv.end(), args.begin(), args.end());
    std::string id = trim(slurm(argv));
    return id.substr(0, id.find(';'));  // "id;cluster" on federated clusters
  };
  auto submit = [&](const std::string& ids, const std::string& jobs_so_far) {
    std::string array =
        sbatch({"--job-name", "faultline-" + plan.name, "--output", (run / "task-%a.log").string(), "--array",
                ids + (options.max_parallel > 0 ? "%" + std::to_string(options.max_parallel) : ""),
                (run / "task.sh").string()});
    std::string jobs = jobs_so_far.empty() ? array : jobs_so_far + "," + array;
    // The merge takes whatever tasks left an index; the ones that did not get Slurm's reason.
    write_script(run / "merge.sh",
                 "# Merges the tasks of campaign " + plan.name + " into one index.\nexec " +
                     shell_join({self, "campaign", "merge", "--out", store.string(), "--slurm-jobs", jobs}) + " " +
                     shell_quote(run.string()) + "/task-*/");
    std::string merge =
        sbatch({"--job-name", "faultline-" + plan.name + "-merge", "--output", (run / "merge.log").string(),
                "--open-mode", "append", "--dependency", "afterany:" + array, (run / "merge.sh").string()});
    return std::make_pair(jobs, std::make_pair(array, merge));
  };

  auto [jobs, ids] = submit("0-" + std::to_string(n - 1), "");
  auto [array, merge] = ids;
  progress("submitted " + std::to_string(n) + " tests as Slurm job array " + array + ", merge job " + merge +
           "; task logs in " + run.string());

  auto in_queue = [](const std::string& job) {
    ExecResult r = here().exec({"squeue", "-h", "-r", "-j", job, "-o", "%T"});
    std::map<std::string, int> states;
    if (r.exit_code == 0) {
      std::istringstream lines(r.out);
      for (std::string line; std::getline(lines, line);)
        if (!line.empty()) ++states[line];
    }
    return states;
  };
  // Cells that failed so far, from the indexes the finished tasks wrote.
  auto failing = [&] {
    std::set<std::string> cells;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(run, ec)) {
      fs::path index = entry.path() / "campaigns" / "latest" / "index.json";
      if (!fs::exists(index)) continue;
      try {
        for (const Json& t : read_json_file(index)["tests"])
          if (t.value("status", "") == "invalid" || t.value("status", "") == "error") cells.insert(t.value("cell", ""));
      } catch (const std::exception&) {}
    }
    std::string list;
    for (const auto& c : cells) list += (list.empty() ? "" : ", ") + c;
    return list;
  };

  int retries_left = options.retry;
  bool cancelled = false;
  std::string last;
  for (;;) {
    if (interrupted && !cancelled) {
      progress("interrupted: cancelling job array " + array + " (scancel); the merge job still merges what finished");
      std::ignore = here().exec({"scancel", array});
      cancelled = true;
    }
    std::map<std::string, int> states = in_queue(array);
    int pending = states["PENDING"], running = states["RUNNING"] + states["COMPLETING"] + states["CONFIGURING"];
    int active = 0;
    for (const auto& [state, count] : states) active += count;
    if (active == 0) {
      // The array is over. Tasks that died and have retries left go round again.
      std::vector<size_t> dead;
      for (const auto& [id, t] : slurm_tasks(array))
        if (t.state != "COMPLETED" && t.state != "FAILED" && id < n) dead.push_back(id);
      if (!dead.empty() && retries_left > 0 && !interrupted) {
        --retries_left;
        std::ignore = here().exec({"scancel", merge});
        std::string list;
        for (size_t id : dead) list += (list.empty() ? "" : ",") + std::to_string(id);
        auto [more_jobs, more] = submit(list, jobs);
        jobs = more_jobs;
        array = more.first;
        merge = more.second;
        progress("resubmitted " + std::to_string(dead.size()) + " dead tasks (" + list + ") as job array " + array);
        continue;
      }
      if (in_queue(merge).empty()) break;
    } else {
      int done = static_cast<int>(n) - pending - running;
      std::string line = std::to_string(done) + " done, " + std::to_string(running) + " running, " +
                         std::to_string(pending) + " pending";
      std::string failed = failing();
      if (!failed.empty()) line += "; failing: " + failed;
      if (line != last) progress(line);
      last = line;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  }

  CampaignOutcome outcome;
  fs::path latest = store / "campaigns" / "latest";
  std::string log = file_text(run / "merge.log");
  if (!fs::exists(latest / "index.json") || log.find("campaign " + plan.name + ":") == std::string::npos)
    fail(ErrorCode::kInternal,
         "the merge job " + merge + " wrote no campaign index; see " + (run / "merge.log").string());
  outcome.dir = fs::canonical(latest);
  outcome.exit_code = read_json_file(latest / "index.json").value("exit_code", 255);
  outcome.summary = trim(log.substr(log.rfind("campaign " + plan.name + ":")));
  return outcome;
}

}  // namespace faultline
