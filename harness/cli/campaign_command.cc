#include <iostream>

#include "harness/cli/commands.h"
#include "harness/cli/interrupt.h"
#include "harness/run/campaign.h"
#include "results/store.h"

namespace faultline {

void add_campaign_command(CLI::App& app, int& exit_code) {
  auto file = std::make_shared<std::string>();
  auto store = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "campaign", "Run a matrix of tests from a campaign file; write an index, a trend and JUnit XML");
  cmd->footer("\nExit code: 0 all valid, 1 any invalid, 2 any unknown (none invalid), 255 harness errors "
              "only. File format: docs/campaigns.md");
  cmd->add_option("FILE", *file, "Campaign file (JSON)")->required();
  cmd->add_option("--store", *store, "Directory of results, for every test (default: the base spec's store)");
  cmd->callback([file, store, &exit_code] {
    CampaignPlan plan = plan_campaign(read_json_file(*file), *file, *store);
    std::cerr << "faultline: campaign " << plan.name << ": " << plan.tests.size() << " tests"
              << (plan.budget_s > 0 ? ", time budget " + std::to_string(static_cast<long>(plan.budget_s)) + " s" : "")
              << "\n";
    const std::atomic<bool>& interrupted = stop_on_interrupt();
    CampaignOutcome out = run_campaign(plan, interrupted, [](const std::string& line) {
      std::cerr << "faultline: " << line << "\n";
    });
    std::cout << out.summary << "\n";
    exit_code = out.exit_code;
  });
}

}  // namespace faultline
