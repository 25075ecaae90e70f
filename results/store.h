// The run store: one directory per run, store/<test-name>/<UTC timestamp>/, and store/latest
// pointing at the newest run.
#pragma once

#include <filesystem>
#include <string>

#include "harness/core/json.h"

namespace faultline {

// Creates a fresh run directory and points store/latest at it. Throws Error(kIo) with the path
// and what to do when the store is not writable.
std::filesystem::path create_run_dir(const std::filesystem::path& store, const std::string& test_name);

// Writes JSON to a file atomically (temporary file, then rename), pretty-printed.
void write_json_file(const std::filesystem::path& path, const Json& value);
// Reads a JSON file; Error(kIo) when missing, Error(kBadInput) when malformed.
Json read_json_file(const std::filesystem::path& path);

// "2026-11-25T19:04:05.123Z" for now.

}  // namespace faultline
