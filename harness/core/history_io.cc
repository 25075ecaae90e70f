#include "harness/core/history_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <fstream>
#include <iterator>
#include <ostream>
#include <sstream>
#include <thread>
#include <vector>

#include <simdjson.h>

#include "harness/core/edn.h"
#include "harness/core/error.h"

namespace faultline {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) fail(ErrorCode::kIo, "cannot read history " + path.string() + ": " + std::strerror(errno));
  std::string text(size_t(in.tellg()), '\0');
  in.seekg(0);
  if (!in.read(text.data(), std::streamsize(text.size())))
    fail(ErrorCode::kIo, "cannot read history " + path.string() + ": " + std::strerror(errno));
  return text;
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

Op op_at(Json&& j, const std::string& source, int line) {
  try {
    return op_from_json(std::move(j));
  } catch (const Error& e) {
    fail(ErrorCode::kBadInput, source + ":" + std::to_string(line) + ": " + e.what());
  }
}

// Micro-op names inside transactions are keywords in Jepsen's EDN: [[:append :x 1] [:r :x nil]].
bool is_txn_value(const Op& op) { return op.f == "txn" && op.value.is_array(); }

}  // namespace

namespace {

// simdjson's value as a JSON value, with nlohmann's number types (non-negative integers unsigned),
// so a history reads the same whichever parser read it.
Json to_json(simdjson::dom::element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::ARRAY: {
      Json a = Json::array();
      auto& v = a.get_ref<Json::array_t&>();
      simdjson::dom::array array = e.get_array().value_unsafe();
      v.reserve(array.size());
      for (simdjson::dom::element x : array) v.push_back(to_json(x));
      return a;
    }
    case simdjson::dom::element_type::OBJECT: {
      Json o = Json::object();
      simdjson::dom::object object = e.get_object().value_unsafe();
      for (auto [key, x] : object) o[std::string(key)] = to_json(x);
      return o;
    }
    case simdjson::dom::element_type::INT64: {
      int64_t i = e.get_int64().value_unsafe();
      return i >= 0 ? Json(uint64_t(i)) : Json(i);
    }
    case simdjson::dom::element_type::UINT64: return e.get_uint64().value_unsafe();
    case simdjson::dom::element_type::DOUBLE: return e.get_double().value_unsafe();
    case simdjson::dom::element_type::STRING: return std::string(e.get_string().value_unsafe());
    case simdjson::dom::element_type::BOOL: return e.get_bool().value_unsafe();
    case simdjson::dom::element_type::NULL_VALUE: return nullptr;
  }
  return nullptr;
}

// The ops of whole lines text[begin, end), the first of which is line number `first_line`.
struct JsonlChunk {
  History ops;
  // The chunk's last line had no newline and did not parse: a write cut off by a crash, unless
  // nothing before it parsed either.
  bool cut_off = false;
  int cut_off_line = 0;
  std::exception_ptr error;
};

void read_jsonl_chunk(std::string_view text, size_t begin, size_t end, int first_line, const std::string& source,
                      JsonlChunk& chunk) try {
  simdjson::dom::parser parser;
  OpBuilder builder;
  size_t pos = begin;
  int line = first_line - 1;
  while (pos < end) {
    size_t eol = text.find('\n', pos);
    bool terminated = eol != std::string_view::npos && eol < end;
    if (!terminated) eol = end;
    std::string_view row = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line;
    if (row.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    // simdjson reads up to SIMDJSON_PADDING bytes past the row; copy only where the text ends.
    bool near_end = text.size() - (row.data() - text.data()) - row.size() < simdjson::SIMDJSON_PADDING;
    simdjson::dom::element doc;
    if (parser.parse(row.data(), row.size(), near_end).get(doc) == simdjson::SUCCESS &&
        doc.type() == simdjson::dom::element_type::OBJECT) {
      try {
        simdjson::dom::object object = doc.get_object().value_unsafe();
        for (auto [key, value] : object) builder.field(key, to_json(value));
        chunk.ops.push_back(builder.finish());
      } catch (const Error& e) {
        fail(ErrorCode::kBadInput, source + ":" + std::to_string(line) + ": " + e.what());
      }
      continue;
    }
    // What simdjson refuses (numbers beyond 64 bits, not an object) gets the general parser's word.
    Json j = Json::parse(row.begin(), row.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      if (!terminated && pos >= text.size()) {
        chunk.cut_off = true;
        chunk.cut_off_line = line;
        break;
      }
      fail(ErrorCode::kBadInput,
           source + ":" + std::to_string(line) + ": not a JSON op; a history must be JSON Lines or Jepsen EDN");
    }
    chunk.ops.push_back(op_at(std::move(j), source, line));
  }
} catch (...) {
  chunk.error = std::current_exception();
}

}  // namespace

History read_jsonl(std::string_view text, const std::string& source) {
  // Big files are read in one chunk per core, split at line ends.
  constexpr size_t kChunkBytes = 8 << 20;
  size_t threads = std::clamp<size_t>(text.size() / kChunkBytes, 1, std::max(1u, std::thread::hardware_concurrency()));
  std::vector<size_t> starts{0};
  std::vector<int> first_lines{1};
  for (size_t i = 1; i < threads; ++i) {
    size_t cut = text.find('\n', std::max(starts.back(), text.size() / threads * i));
    if (cut == std::string_view::npos) break;
    first_lines.push_back(first_lines.back() +
                          int(std::count(text.begin() + long(starts.back()), text.begin() + long(cut + 1), '\n')));
    starts.push_back(cut + 1);
  }
  std::vector<JsonlChunk> chunks(starts.size());
  std::vector<std::thread> workers;
  for (size_t i = 0; i < starts.size(); ++i) {
    size_t end = i + 1 < starts.size() ? starts[i + 1] : text.size();
    if (i + 1 == starts.size())
      read_jsonl_chunk(text, starts[i], end, first_lines[i], source, chunks[i]);
    else
      workers.emplace_back(read_jsonl_chunk, text, starts[i], end, first_lines[i], std::cref(source),
                           std::ref(chunks[i]));
  }
  for (auto& w : workers) w.join();
  History history;
  size_t total = 0;
  for (const auto& c : chunks) total += c.ops.size();
  history.reserve(total);
  for (auto& c : chunks) {
    if (c.error) std::rethrow_exception(c.error);
    if (c.cut_off && history.empty() && c.ops.empty())
      fail(ErrorCode::kBadInput, source + ":" + std::to_string(c.cut_off_line) +
                                     ": not a JSON op; a history must be JSON Lines or Jepsen EDN");
    std::move(c.ops.begin(), c.ops.end(), std::back_inserter(history));
  }
  reindex(history);
  return history;
}

History read_edn_history(std::string_view text, const std::string& source) {
  History history;
  EdnReader reader(text, source);
  while (reader.next_ops(history)) {}
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
      for (Json& j : all) history.push_back(op_at(std::move(j), path.string(), ++n));
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
  std::string s = "{:index " + std::to_string(op.index) + ", :time " + std::to_string(op.time) + ", :type " +
                  edn_keyword(to_string(op.type)) + ", :process " +
                  (op.is_nemesis() ? std::string(":nemesis") : std::to_string(op.process)) + ", :f " +
                  edn_keyword(op.f) + ", :value ";
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
