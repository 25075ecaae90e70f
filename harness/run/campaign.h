// Campaigns: a matrix of tests (targets x workloads x fault sets x seeds or repeats) run one after
// another within a time budget, summarised by the campaign index (results/campaign_index.h).
// The file format is in docs/campaigns.md.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
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
  size_t position = 0;  // index in the whole matrix, before any sharding
};

// Sandboxes of a campaign's own: every test that asks for a sandbox gets a fresh one from this pool
// (harness/sandbox/sandbox.h, allocate_sandbox), brought up before it and torn down after, so
// several campaigns (or Slurm tasks) share a machine without sharing nodes or firewall rules.
struct SandboxPool {
  std::string prefix;  // empty: tests use the sandbox their spec names, as it is
  std::string subnet = "10.78.0.0/24";
  int slots = 8;
  int nodes = 5;
};

// "PREFIX[:SUBNET[:SLOTS[:NODES]]]", e.g. "cp:10.82.0.0/24:4:3". Throws Error(kBadInput).
SandboxPool parse_sandbox_pool(const std::string& text);

struct CampaignPlan {
  std::string name;
  std::string file;
  double budget_s = 0;      // 0 = no budget
  size_t trend_depth = 10;  // campaigns shown in the trend, this one included
  std::filesystem::path store;
  std::vector<PlannedTest> tests;
  SandboxPool pool;
  size_t shard_k = 0, shard_n = 0;  // shard k of n (1-based); 0: the whole campaign
  Json matrix = Json::array();      // every test of the whole matrix: {"cell", "run", "seed"}
};

// Expands a campaign file into its tests and checks every spec, target and workload before
// anything runs. Throws Error(kBadInput / kNotFound) naming the field or cell and what to fix.
// `store`, when not empty, replaces the store of every test.
CampaignPlan plan_campaign(const Json& file, const std::string& source, const std::string& store);

// Keeps only shard k of n ("K/N"): the tests whose matrix position p has p % n == k - 1. The slices
// depend on nothing but the file, so every machine computes the same ones, and round robin spreads
// each cell's seeds over the shards. Throws Error(kBadInput) for a malformed or out-of-range K/N.
void take_shard(CampaignPlan& plan, const std::string& k_of_n);

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

// Merges shards into the campaign one machine would have run: reads the shard index in each of
// `dirs` (a campaign directory, or a store whose campaigns/latest is one), copies every test's run
// directory into `out` (a store) and writes out/campaigns/<timestamp>/ with index, JUnit XML and
// the trend over earlier campaigns in `out`. A shard that wrote nothing, or stopped part way, gives
// harness-error rows for its missing tests, explained by `lost[k]` when given; `lost[k]` also says
// shard k was killed by its scheduler, so what it recorded after a stop request is a harness error. Throws
// Error(kBadInput) when the directories are not shards of one campaign.
CampaignOutcome merge_campaign(const std::vector<std::filesystem::path>& dirs, const std::filesystem::path& out,
                               const std::map<size_t, std::string>& lost = {});

}  // namespace faultline
