// Reading and writing histories: JSON Lines (faultline's native format, one op per line, streamed as
// the run goes) and Jepsen EDN (one op map per line, or one vector of op maps).
#pragma once

#include <cstdio>
#include <filesystem>
#include <iosfwd>
#include <mutex>
#include <string>
#include <string_view>

#include "harness/core/compact_history.h"
#include "harness/core/history.h"

namespace faultline {

// Reads a history file; the format is chosen by content (EDN starts with '{', '[' or ';' after
// whitespace and is not valid JSON on its first line). Ops without an index are reindexed.
// Throws Error(kBadInput) with file and line on malformed content, Error(kIo) when unreadable.
History read_history_file(const std::filesystem::path& path);
// The same straight into the compact form checkers read: no JSON value per op. Ops are numbered by
// position. `threads` 0 reads a big file in two pieces on up to 2 cores, 1 on one (EDN only when
// it is one op map per line).
CompactHistory read_compact_history_file(const std::filesystem::path& path, unsigned threads = 0);

// JSON Lines: one op object per line; blank lines are skipped. A last line without a newline that
// does not parse is taken as a write cut off by a crash and dropped (the ops before it are kept).
History read_jsonl(std::string_view text, const std::string& source);
History read_edn_history(std::string_view text, const std::string& source);
// The compact forms of the two (the History readers are these followed by .history()).
CompactHistory read_jsonl_compact(std::string_view text, const std::string& source, unsigned threads = 0);
CompactHistory read_edn_compact(std::string_view text, const std::string& source, unsigned threads = 0);

// One op as a JSONL line (with the trailing newline) and as an EDN map (without).
std::string jsonl_line(const Op& op);
std::string edn_op(const Op& op);
void write_jsonl(std::ostream& out, const History& history);
void write_edn(std::ostream& out, const History& history);

// Appends ops to history.jsonl as they happen. Each append is one write(2) of a whole line, so a
// crash of the harness keeps every op appended before it. Thread-safe.
class HistoryWriter {
 public:
  // Creates (truncates) the file; throws Error(kIo) naming it when it cannot.
  explicit HistoryWriter(const std::filesystem::path& path);
  ~HistoryWriter();
  HistoryWriter(const HistoryWriter&) = delete;
  HistoryWriter& operator=(const HistoryWriter&) = delete;

  void append(const Op& op);
  int64_t count() const;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  mutable std::mutex mu_;
  int64_t count_ = 0;
};

}  // namespace faultline
