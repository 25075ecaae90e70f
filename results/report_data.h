// The parts of the run report that are computed in C++: escaping, and the bounded summary of a
// history that the report's JavaScript draws. Everything here is exposed for tests.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "harness/core/history.h"
#include "harness/core/html.h"
#include "harness/core/json.h"

namespace faultline {

// Percent-encodes a relative path for an href, keeping '/' so links into subdirectories work.
std::string url_path(std::string_view path);

// JSON text that is safe inside <script type="application/json">: '<', '>' and '&' are written as
// \u escapes, invalid UTF-8 is replaced instead of throwing.
std::string json_for_script(const Json& value);

// Upper bounds on what the report embeds, so a million-op history still gives a small page.
struct ReportLimits {
  size_t latency_points = 20000;    // points in the latency plots (exact below this, gridded above)
  size_t throughput_buckets = 200;  // time buckets of the throughput plot
  size_t timeline_bars = 10000;     // exact bars in the timeline (aggregated above this)
  size_t timeline_cells = 30000;    // lane x column cells of the aggregated timeline
  size_t timeline_lanes = 100;      // more processes than this are folded into worker threads
  size_t window_ops = 1000;         // ops per exact detail window of an aggregated timeline
  size_t windows = 6;               // detail windows: the run's start and ops the checkers named
  size_t listed_ops = 200;          // rows of the tables of named ops and of nemesis ops
  size_t text_chars = 80;           // characters of an op's text in tooltips
};

// The data the report draws, computed from a validated history and results.json (for the
// concurrency and the op indices the checkers name). Times are integer microseconds since the
// run's start; a history without times (untimed: true) is laid out by op position instead, one
// per microsecond. Fields: duration_us, untimed, fs, counts, latency, throughput, faults, clocks,
// timeline, named_ops, nemesis_ops. Its size is bounded by `limits`, not by the history's length.
// The history must be as read by read_history_file (index == position) and pass validate().
Json summarize_history(const History& history, const Json& results, const ReportLimits& limits);

}  // namespace faultline
