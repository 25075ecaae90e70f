// Campaigns: a matrix of tests (targets x workloads x fault sets x seeds or repeats) run one after
// another within a time budget, summarised by the campaign index (results/campaign_index.h).
// The file format is in docs/campaigns.md.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "harness/core/json.h"
#include "harness/core/spec.h"

namespace faultline {

// One test of the plan: its matrix cell, which run of the cell it is, and its full spec.
struct PlannedTest {
  std::string cell;  // "target/workload/faults", by the labels of the matrix entries
  std::string run;   // "seed 7" or "repeat 2"
  Spec spec;
};

struct CampaignPlan {
  std::string name;
  std::string file;
  double budget_s = 0;      // 0 = no budget
  size_t trend_depth = 10;  // campaigns shown in the trend, this one included
  std::filesystem::path store;
  std::vector<PlannedTest> tests;
};

// Expands a campaign file into its tests and checks every spec, target and workload before
// anything runs. Throws Error(kBadInput / kNotFound) naming the field or cell and what to fix.
// `store`, when not empty, replaces the store of every test.
CampaignPlan plan_campaign(const Json& file, const std::string& source, const std::string& store);

struct CampaignOutcome {
  std::filesystem::path dir;  // store/campaigns/<timestamp>
  int exit_code = 0;          // see campaign_exit_code
  std::string summary;        // a few lines: counts, newly failing cells, where the index is
};

// Runs the planned tests in order, continuing after failures; a test that would not finish within
// the budget, or any test after an interrupt, is recorded as skipped. Writes the campaign index
// after every test, so an index exists even if the controller dies. `progress` gets one line
// before and after each test.
CampaignOutcome run_campaign(const CampaignPlan& plan, const std::atomic<bool>& interrupted,
                             const std::function<void(const std::string&)>& progress);

}  // namespace faultline
