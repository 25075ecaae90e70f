#include "harness/core/history_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <ostream>
#include <sstream>

#include "harness/core/edn.h"
#include "harness/core/error.h"

namespace faultline {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(ErrorCode::kIo, "cannot read history " + path.string() + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool looks_like_edn(std::string_view text) {
  size_t i = text.find_first_not_of(" \t\r\n");
  if (i == std::string_view::npos) return false;
  if (text[i] == ';' || text[i] == '[' || text[i] == '(') return true;
  if (text[i] != '{') return false;
  // '{' starts both; JSON object keys are quoted, EDN op keys are keywords.
  size_t j = text.find_first_not_of(" \t\r\n", i + 1);
  return j != std::string_view::npos && text[j] == ':';
}

Op op_at(const Json& j, const std::string& source, int line) {
  try {
    return op_from_json(j);
  } catch (const Error& e) {
    fail(ErrorCode::kBadInput, source + ":" + std::to_string(line) + ": " + e.what());
  }
}

// Micro-op names inside transactions are keywords in Jepsen's EDN: [[:append :x 1] [:r :x nil]].
bool is_txn_value(const Op& op) {
  return op.f == "txn" && op.value.is_array();
}

}  // namespace

History read_jsonl(std::string_view text, const std::string& source) {
  History history;
  size_t pos = 0;
  int line = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    bool terminated = end != std::string_view::npos;
    if (!terminated) end = text.size();
    std::string_view row = text.substr(pos, end - pos);
    pos = end + 1;
    ++line;
    if (row.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    Json j = Json::parse(row.begin(), row.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      if (!terminated && !history.empty()) break;  // cut off mid-write by a crash
      fail(ErrorCode::kBadInput, source + ":" + std::to_string(line) +
                                     ": not a JSON op; a history must be JSON Lines or Jepsen EDN");
    }
    history.push_back(op_at(j, source, line));
  }
  reindex(history);
  return history;
}

History read_edn_history(std::string_view text, const std::string& source) {
  History history;
  EdnReader reader(text, source);
  Json form;
  while (reader.next(form)) {
    if (form.is_array()) {
      for (const Json& op : form) history.push_back(op_at(op, source, reader.line()));
    } else {
      history.push_back(op_at(form, source, reader.line()));
    }
  }
  reindex(history);
  return history;
}

History read_history_file(const std::filesystem::path& path) {
  std::string text = read_file(path);
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '[') {
    // One JSON array of op objects (elle-cli's JSON form), else an EDN vector.
    Json all = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!all.is_discarded() && all.is_array()) {
      History history;
      int n = 0;
      for (const Json& j : all) history.push_back(op_at(j, path.string(), ++n));
      reindex(history);
      return history;
    }
  }
  if (looks_like_edn(text)) return read_edn_history(text, path.string());
  return read_jsonl(text, path.string());
}

namespace {
void append_json_string(std::string& out, std::string_view s) {
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x80 || c == '"' || c == '\\') {
      out += json_text(Json(std::string(s)));  // rare: the JSON library escapes (and repairs) it
      return;
    }
  }
  out += '"';
  out += s;
  out += '"';
}
}  // namespace

std::string jsonl_line(const Op& op) {
  // Written by hand rather than through a JSON object: this runs for every event of every run.
  std::string s;
  s.reserve(128);
  s += "{\"index\":";
  s += std::to_string(op.index);
  s += ",\"time\":";
  s += std::to_string(op.time);
  s += ",\"type\":\"";
  s += to_string(op.type);
  s += "\",\"process\":";
  s += op.is_nemesis() ? std::string("\"nemesis\"") : std::to_string(op.process);
  s += ",\"f\":";
  append_json_string(s, op.f);
  s += ",\"value\":";
  s += json_text(op.value);
  if (!op.error.is_null()) {
    s += ",\"error\":";
    s += json_text(op.error);
  }
  if (!op.node.empty()) {
    s += ",\"node\":";
    append_json_string(s, op.node);
  }
  s += "}\n";
  return s;
}

std::string edn_op(const Op& op) {
  std::string s = "{:index " + std::to_string(op.index) + ", :time " + std::to_string(op.time) +
                  ", :type " + edn_keyword(to_string(op.type)) + ", :process " +
                  (op.is_nemesis() ? std::string(":nemesis") : std::to_string(op.process)) +
                  ", :f " + edn_keyword(op.f) + ", :value ";
  if (is_txn_value(op)) {
    s += '[';
    bool first = true;
    for (const Json& mop : op.value) {
      if (!first) s += ' ';
      first = false;
      if (mop.is_array() && !mop.empty() && mop[0].is_string()) {
        s += '[' + edn_keyword(mop[0].get<std::string>());
        for (size_t i = 1; i < mop.size(); ++i) s += ' ' + to_edn(mop[i]);
        s += ']';
      } else {
        s += to_edn(mop);
      }
    }
    s += ']';
  } else {
    s += to_edn(op.value);
  }
  if (!op.error.is_null()) s += ", :error " + to_edn(op.error);
  if (!op.node.empty()) s += ", :node " + to_edn(op.node);
  s += '}';
  return s;
}

void write_jsonl(std::ostream& out, const History& history) {
  for (const Op& op : history) out << jsonl_line(op);
}

void write_edn(std::ostream& out, const History& history) {
  for (const Op& op : history) out << edn_op(op) << '\n';
}

HistoryWriter::HistoryWriter(const std::filesystem::path& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0)
    fail(ErrorCode::kIo, "cannot write history " + path.string() + ": " + std::strerror(errno) +
                             "; choose a writable --store directory");
}

HistoryWriter::~HistoryWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void HistoryWriter::append(const Op& op) {
  std::string line = jsonl_line(op);
  std::lock_guard lock(mu_);
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(ErrorCode::kIo, "cannot append to history " + path_.string() + ": " + std::strerror(errno));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  ++count_;
}

int64_t HistoryWriter::count() const {
  std::lock_guard lock(mu_);
  return count_;
}

}  // namespace faultline
