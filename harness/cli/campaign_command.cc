#include <iostream>

#include "harness/cli/commands.h"
#include "harness/cli/interrupt.h"
#include "harness/core/error.h"
#include "harness/run/campaign.h"
#include "harness/run/slurm.h"
#include "results/store.h"

namespace faultline {

void add_campaign_command(CLI::App& app, int& exit_code) {
  auto file = std::make_shared<std::string>();
  auto store = std::make_shared<std::string>();
  auto shard = std::make_shared<std::string>();
  auto pool = std::make_shared<std::string>();
  auto on_slurm = std::make_shared<bool>(false);
  auto slurm = std::make_shared<SlurmOptions>();
  CLI::App* cmd = app.add_subcommand(
      "campaign", "Run a matrix of tests from a campaign file; write an index, a trend and JUnit XML");
  cmd->footer(
      "\nExit code: 0 all valid, 1 any invalid, 2 any unknown (none invalid), 255 harness errors "
      "only. File format: docs/campaigns.md");
  cmd->add_option("FILE", *file, "Campaign file (JSON)");
  cmd->add_option("--store", *store, "Directory of results, for every test (default: the base spec's store)");
  cmd->add_option("--shard", *shard,
                  "Run only slice K of N of the matrix (K/N, 1-based); merge the slices with "
                  "`faultline campaign merge`");

  cmd->add_option("--sandbox-pool", *pool,
                  "Give every sandbox test a fresh sandbox of its own from this pool: "
                  "PREFIX[:SUBNET[:SLOTS[:NODES]]] (default 10.78.0.0/24, 8 slots, 5 nodes; root)");

  cmd->add_flag("--slurm", *on_slurm,
                "Submit the matrix to Slurm as one job array (one test per task) and a "
                "merge job; the store must be shared by every worker (docs/campaigns.md)");
  cmd->add_option("--partition", slurm->partition, "Slurm partition (with --slurm)");
  cmd->add_option("--max-parallel", slurm->max_parallel, "At most this many tasks at once (with --slurm)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--retry", slurm->retry,
                  "Resubmit tasks that died (node failure, time limit) up to N times "
                  "(with --slurm)")
      ->check(CLI::NonNegativeNumber);

  auto dirs = std::make_shared<std::vector<std::string>>();
  auto out = std::make_shared<std::string>();
  CLI::App* merge = cmd->add_subcommand(
      "merge", "Merge the results of shards (--shard K/N) into one campaign index, as if one machine ran it all");
  merge->add_option("DIR", *dirs, "A shard's store (or its campaign directory)")->required();
  merge->add_option("--out", *out, "Store to write the merged campaign into (run directories are copied)")->required();
  auto jobs = std::make_shared<std::string>();
  merge->add_option("--slurm-jobs", *jobs,
                    "Slurm job arrays (comma separated) whose dead tasks' reasons explain "
                    "the missing tests");
  merge->callback([dirs, out, jobs, &exit_code] {
    std::vector<std::filesystem::path> paths(dirs->begin(), dirs->end());
    CampaignOutcome merged =
        merge_campaign(paths, *out, jobs->empty() ? std::map<size_t, std::string>{} : slurm_lost_reasons(*jobs));
    std::cout << merged.summary << "\n";
    exit_code = merged.exit_code;
  });

  cmd->callback([merge, file, store, shard, pool, on_slurm, slurm, &exit_code] {
    if (merge->parsed()) return;
    if (file->empty()) fail(ErrorCode::kBadInput, "campaign: give a campaign FILE (see --help)");
    CampaignPlan plan = plan_campaign(read_json_file(*file), *file, *store);
    if (!shard->empty()) take_shard(plan, *shard);
    if (!pool->empty()) plan.pool = parse_sandbox_pool(*pool);
    std::cerr << "faultline: campaign " << plan.name << ": " << plan.tests.size() << " tests"
              << (plan.shard_n ? " (shard " + *shard + " of " + std::to_string(plan.matrix.size()) + ")" : "")
              << (plan.budget_s > 0 ? ", time budget " + std::to_string(static_cast<long>(plan.budget_s)) + " s" : "")
              << "\n";
    const std::atomic<bool>& interrupted = stop_on_interrupt();
    auto progress = [](const std::string& line) { std::cerr << "faultline: " << line << "\n"; };
    if (*on_slurm && !shard->empty())
      fail(ErrorCode::kBadInput, "campaign: --slurm makes its own shards; drop --shard");
    slurm->sandbox_pool = *pool;
    CampaignOutcome out = *on_slurm ? run_campaign_on_slurm(plan, *file, *slurm, interrupted, progress)
                                    : run_campaign(plan, interrupted, progress);
    std::cout << out.summary << "\n";
    exit_code = out.exit_code;
  });
}

}  // namespace faultline
