// The run report: one self-contained report.html per run directory (inline CSS and JS, no network),
// drawn from spec.json, history.jsonl, results.json, the checkers' files and nodes/<node>/ logs.
#pragma once

#include <filesystem>

namespace faultline {

// Writes run_dir/report.html. Needs run_dir/results.json and run_dir/history.jsonl; spec.json,
// checker files and node logs are optional. Throws Error(kNotFound) when the directory or a needed
// file is missing, Error(kBadInput) when one is corrupt, Error(kIo) when the report cannot be written.
void write_report(const std::filesystem::path& run_dir);

}  // namespace faultline
