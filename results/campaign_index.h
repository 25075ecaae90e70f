// The campaign index: what a campaign ran and how it went, written to store/campaigns/<timestamp>/
// as index.json, index.html and junit.xml, with the trend over earlier campaigns of the same name
// (docs/campaigns.md). Knows nothing of how tests are run; the campaign runner fills it in.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/core/json.h"

namespace faultline {

// One test of a campaign.
struct CampaignTest {
  std::string cell;                // "target/workload/faults": the matrix cell the trend follows
  std::string run;                 // which run of the cell: "seed 7" or "repeat 2"
  std::string status = "skipped";  // valid, invalid, unknown, error (harness) or skipped
  int exit_code = 0;               // the test's own exit code (0, 1, 2, 254, 255)
  uint64_t seed = 0;
  double duration_s = 0;
  std::vector<std::string> anomalies;  // what the failing checkers found
  std::string explanation;             // why it failed or why it did not run
  std::filesystem::path run_dir;       // empty when no run directory was made
  size_t position = 0;                 // where the test stands in the whole matrix (shards)
};

// A shard's place in the whole campaign, so shards can be merged into the campaign one machine
// would have run: which slice it is and every test of the matrix (cell, run, seed) in order.
struct ShardInfo {
  size_t k = 0, n = 0;        // shard k of n, 1-based; n == 0: not a shard
  size_t trend = 10;          // the campaign file's trend depth, for the merged index
  bool finished = false;      // the shard got to its end (false: it died part way, or still runs)
  Json plan = Json::array();  // [{"cell", "run", "seed"}] of every test of the matrix
};

struct Campaign {
  std::string name;
  std::string file;     // the campaign file it came from
  std::string started;  // UTC ISO-8601
  double duration_s = 0;
  double budget_s = 0;  // 0 = no budget
  bool interrupted = false;
  std::vector<CampaignTest> tests;
  ShardInfo shard;  // n == 0 unless this is one shard of a campaign
};

// A test as index.json stores it (the inverse of what write_campaign_index writes for it).
CampaignTest campaign_test_from_json(const Json& j);

// Fills status, exit_code, seed, duration, anomalies and explanation of `test` from
// run_dir/results.json. Throws Error(kIo/kBadInput) when it is missing or corrupt.
void read_run_summary(const std::filesystem::path& run_dir, CampaignTest& test);

// The campaign's exit code: 1 if any test is invalid, else 2 if any is unknown, else 255 if any
// had a harness error, else 0 (skipped tests do not count; 2 when no test ran at all).
int campaign_exit_code(const Campaign& campaign);

// Creates store/campaigns/<UTC timestamp>/ and points store/campaigns/latest at it. Throws
// Error(kIo) naming the directory when the store is not writable.
std::filesystem::path create_campaign_dir(const std::filesystem::path& store);

// The trend: this campaign and up to depth-1 earlier ones of the same name found beside `dir`
// in store/campaigns/, oldest first, with each cell's outcome per campaign and which cells are
// newly failing, newly passing or flaky. The JSON form is index.json's "trend" field.
Json campaign_trend(const std::filesystem::path& dir, const Campaign& campaign, size_t depth);

// The JUnit XML of a campaign: one testsuite, one testcase per test; invalid tests are failures,
// unknown and harness errors are errors, skipped tests are skipped.
std::string junit_xml(const Campaign& campaign);

// Writes dir/index.json, dir/index.html and dir/junit.xml, with the trend over `trend_depth`
// campaigns. Reports are linked by paths relative to `dir`. Throws Error(kIo) on write failure.
void write_campaign_index(const std::filesystem::path& dir, const Campaign& campaign, size_t trend_depth);

}  // namespace faultline
