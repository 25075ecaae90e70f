// Campaigns on a Slurm cluster: the matrix as one job array (one test per array task, each the
// shard k/N of the campaign with N = its number of tests), a dependent job that merges the shards'
// results into one index, progress from squeue, scancel on Ctrl-C, and harness-error rows that
// give Slurm's reason for tasks that died. Slurm's own tools do the work (sbatch, squeue, scancel,
// sacct or scontrol); nothing here schedules anything.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>

#include "harness/run/campaign.h"

namespace faultline {

struct SlurmOptions {
  std::string partition;     // empty: the cluster's default
  int max_parallel = 0;      // at most this many tasks at once (0: as many as Slurm runs)
  int retry = 0;             // resubmit tasks that died this many times
  std::string sandbox_pool;  // passed to every task (--sandbox-pool)
};

// How one array task ended, or where it is.
struct SlurmTask {
  std::string state;   // PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL, ...
  std::string reason;  // Slurm's reason, or its exit code, when it gave one
};

// Array tasks of job `job` from `scontrol show job -o` output: task id -> state. Ranges of
// pending tasks ("ArrayTaskId=3-5%2") count for each of their tasks.
std::map<size_t, SlurmTask> parse_scontrol_tasks(const std::string& text, const std::string& job);

// Array tasks of job `job` from `sacct -n -P -X -o JobID,State,ExitCode` output.
std::map<size_t, SlurmTask> parse_sacct_tasks(const std::string& text, const std::string& job);

// The tasks of an array job as Slurm reports them: from its accounting (sacct) when accounting
// storage is configured, else from the controller (scontrol), which forgets finished jobs after
// MinJobAge. `source` says which answered.
std::map<size_t, SlurmTask> slurm_tasks(const std::string& job, std::string* source = nullptr);

// Why each task of `jobs` (comma separated, later ones are retries and win) that did not complete
// ended, keyed by shard (task id + 1), for merge_campaign.
std::map<size_t, std::string> slurm_lost_reasons(const std::string& jobs);

// Submits the campaign (from `file`, planned as `plan`) and follows it to the end; see above.
// The store must be a directory every worker sees. Returns the merged campaign's outcome.
CampaignOutcome run_campaign_on_slurm(const CampaignPlan& plan, const std::string& file, const SlurmOptions& options,
                                      const std::atomic<bool>& interrupted,
                                      const std::function<void(const std::string&)>& progress);

}  // namespace faultline
