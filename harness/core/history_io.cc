#include "harness/core/history_io.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <exception>
#include <fstream>
#include <ostream>
#include <sstream>
#include <thread>
#include <vector>

#include <simdjson.h>

#include "harness/core/edn.h"
#include "harness/core/error.h"

namespace faultline {
namespace {

namespace sj = simdjson;

// A history file's text: mapped when it is a regular file (no copy, no zeroed pages to fill),
// else read. Mapped text has no room past its end, so simdjson's padding is made where needed.
class FileText {
 public:
  explicit FileText(const std::filesystem::path& path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) fail(ErrorCode::kIo, "cannot read history " + path.string() + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      void* map = ::mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd_, 0);
      if (map != MAP_FAILED) {
        map_ = map;
        size_ = size_t(st.st_size);
        ::madvise(map_, size_, MADV_SEQUENTIAL);
        return;
      }
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(ErrorCode::kIo, "cannot read history " + path.string() + ": " + std::strerror(errno));
    copy_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) fail(ErrorCode::kIo, "cannot read history " + path.string() + ": " + std::strerror(errno));
  }
  ~FileText() {
    if (map_) ::munmap(map_, size_);
    if (fd_ >= 0) ::close(fd_);
  }
  FileText(const FileText&) = delete;
  FileText& operator=(const FileText&) = delete;
  std::string_view text() const { return map_ ? std::string_view(static_cast<const char*>(map_), size_) : copy_; }

 private:
  int fd_ = -1;
  void* map_ = nullptr;
  size_t size_ = 0;
  std::string copy_;
};

bool looks_like_edn(std::string_view text) {
  size_t i = text.find_first_not_of(" \t\r\n");
  if (i == std::string_view::npos) return false;
  if (text[i] == ';' || text[i] == '[' || text[i] == '(') return true;
  if (text[i] != '{') return false;
  // '{' starts both; JSON object keys are quoted, EDN op keys are keywords.
  size_t j = text.find_first_not_of(" \t\r\n", i + 1);
  return j != std::string_view::npos && text[j] == ':';
}

[[noreturn]] void at_line(const std::string& source, int64_t line, const std::string& what) {
  fail(ErrorCode::kBadInput, source + ":" + std::to_string(line) + ": " + what);
}

[[noreturn]] void bad_field(const char* field, const std::string& why) {
  fail(ErrorCode::kBadInput, std::string("op field \"") + field + "\" " + why);
}

// The op fields OpBuilder knows (op.cc); every other key is read and ignored.
enum class Field : uint8_t { kOther, kType, kProcess, kF, kIndex, kTime, kValue, kError, kNode };

Field field_of(std::string_view key) {
  switch (key.size()) {
    case 1: return key[0] == 'f' ? Field::kF : Field::kOther;
    case 4:
      if (key == "type") return Field::kType;
      if (key == "time") return Field::kTime;
      if (key == "node") return Field::kNode;
      return Field::kOther;
    case 5:
      if (key == "index") return Field::kIndex;
      if (key == "value") return Field::kValue;
      if (key == "error") return Field::kError;
      return Field::kOther;
    case 7: return key == "process" ? Field::kProcess : Field::kOther;
    default: return Field::kOther;
  }
}

// A field's value as a reader found it: a scalar as it is (no node made for it), or a node of the
// builder (containers, and every "value" and "error").
struct FieldValue {
  ValueKind kind = ValueKind::kNull;
  int64_t i = 0;  // kBool, kInt, kUint (the bits)
  double d = 0;
  std::string_view s;     // kString; valid until the reader moves on
  ValueId id = kNoValue;  // when set, the value is this node and the fields above are unused
};

// OpBuilder's rules (op.cc) on the compact form, field by field; add() appends the op.
class OpFields {
 public:
  explicit OpFields(CompactHistoryBuilder& b) : b_(b) { reset(); }

  void type(std::string_view text) {
    auto parsed = parse_op_type(text);
    if (!parsed) bad_field("type", "must be invoke, ok, fail or info");
    op_.type = *parsed;
    has_type_ = true;
  }

  void set(Field field, const FieldValue& given) {
    const FieldValue v = resolve(given);
    switch (field) {
      case Field::kOther: return;
      case Field::kType:
        if (v.kind != ValueKind::kString) bad_field("type", "is missing or not a string");
        return type(v.s);
      case Field::kProcess:
        // Some published histories of a single sequential client omit :process; it reads as 0.
        if (v.kind == ValueKind::kNull)
          op_.process = 0;
        else if (v.kind == ValueKind::kInt || v.kind == ValueKind::kUint)
          op_.process = v.i;
        else if (v.kind == ValueKind::kString && (v.s == "nemesis" || v.s == ":nemesis"))
          op_.process = kNemesisProcess;
        else
          bad_field("process", "must be an integer or \"nemesis\"");
        return;
      case Field::kF:
        has_f_ = v.kind != ValueKind::kNull;
        if (v.kind == ValueKind::kString) {
          std::string_view f = v.s;
          if (!f.empty() && f.front() == ':') f.remove_prefix(1);
          op_.f = b_.intern(f);
        } else if (has_f_) {
          op_.f = b_.intern(json_text(json_of(v)));
        }
        return;
      case Field::kIndex:
        if (v.kind != ValueKind::kNull && v.kind != ValueKind::kInt && v.kind != ValueKind::kUint)
          bad_field("index", "must be an integer");
        return;  // readers number ops by position
      case Field::kTime:
        if (v.kind == ValueKind::kNull)
          op_.time = 0;
        else if (v.kind == ValueKind::kInt || v.kind == ValueKind::kUint)
          op_.time = v.i;
        else if (v.kind == ValueKind::kDouble)
          op_.time = std::abs(v.d) < 9.2e18 ? int64_t(v.d) : 0;  // beyond int64 the cast is undefined
        else
          bad_field("time", "must be a number");
        return;
      case Field::kValue: {
        op_.value = given.id;
        const ValueNode& n = b_.node(given.id);
        txn_ = n.kind == ValueKind::kArray && n.size > 0 && !n.packed &&
               b_.node(ValueId(n.payload)).kind == ValueKind::kArray;
        return;
      }
      case Field::kError: op_.error = v.kind == ValueKind::kNull ? kNoValue : given.id; return;
      case Field::kNode: op_.node = v.kind == ValueKind::kString && !v.s.empty() ? b_.intern(v.s) : kNoString; return;
    }
  }

  // Throws when the op has no type; otherwise appends it (index = position) and starts the next.
  void add() {
    if (!has_type_) bad_field("type", "is missing or not a string");
    // Jepsen's transactions may omit :f; a value that is a list of lists reads as f "txn".
    if (!has_f_) op_.f = b_.intern(txn_ ? "txn" : "");
    b_.add(op_);
    reset();
  }

  void reset() {
    op_ = CompactOp();
    op_.value = b_.null_value();
    has_type_ = has_f_ = txn_ = false;
  }

 private:
  FieldValue resolve(const FieldValue& v) const {
    if (v.id == kNoValue) return v;
    const ValueNode& n = b_.node(v.id);
    FieldValue r;
    r.kind = n.kind;
    r.id = v.id;
    if (n.kind == ValueKind::kBool || n.kind == ValueKind::kInt || n.kind == ValueKind::kUint) r.i = n.payload;
    if (n.kind == ValueKind::kDouble) r.d = std::bit_cast<double>(n.payload);
    if (n.kind == ValueKind::kString) r.s = b_.str(StringId(n.payload));
    return r;
  }

  Json json_of(const FieldValue& v) const {
    switch (v.kind) {
      case ValueKind::kBool: return Json(v.i != 0);
      case ValueKind::kInt: return Json(v.i);
      case ValueKind::kUint: return Json(uint64_t(v.i));
      case ValueKind::kDouble: return Json(v.d);
      case ValueKind::kString: return Json(std::string(v.s));
      case ValueKind::kNull: return Json();
      default: return b_.to_json(v.id);
    }
  }

  CompactHistoryBuilder& b_;
  CompactOp op_;
  bool has_type_ = false, has_f_ = false, txn_ = false;
};

// A JSON value (the rare edges: lines simdjson refuses) as a field value.
FieldValue field_from_json(const Json& j, Field field, CompactHistoryBuilder& b) {
  FieldValue v;
  if (field == Field::kValue || field == Field::kError || j.is_structured()) {
    v.id = b.json(j);
    return v;
  }
  switch (j.type()) {
    case Json::value_t::boolean: v.kind = ValueKind::kBool, v.i = j.get<bool>(); break;
    case Json::value_t::number_integer: v.kind = ValueKind::kInt, v.i = j.get<int64_t>(); break;
    case Json::value_t::number_unsigned: {
      const auto u = j.get<uint64_t>();
      v.kind = u <= uint64_t(INT64_MAX) ? ValueKind::kInt : ValueKind::kUint;
      v.i = int64_t(u);
      break;
    }
    case Json::value_t::number_float: v.kind = ValueKind::kDouble, v.d = j.get<double>(); break;
    case Json::value_t::string: v.kind = ValueKind::kString, v.s = j.get_ref<const std::string&>(); break;
    default: break;
  }
  return v;
}

void add_json_op(const Json& j, OpFields& fields, CompactHistoryBuilder& b) {
  if (!j.is_object()) fail(ErrorCode::kBadInput, "an op must be a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const Field field = field_of(it.key());
    if (field != Field::kOther) fields.set(field, field_from_json(it.value(), field, b));
  }
  fields.add();
}

// ---- JSON through simdjson's DOM parser (its runtime-chosen SIMD kernels), into the builder.

namespace dom = simdjson::dom;

void put(dom::element e, CompactHistoryBuilder& b) {
  switch (e.type()) {
    case dom::element_type::ARRAY:
      b.begin_array();
      for (dom::element x : dom::array(e)) put(x, b);
      return b.end();
    case dom::element_type::OBJECT:
      b.begin_object();
      for (auto [key, x] : dom::object(e)) {
        b.key(key);
        put(x, b);
      }
      return b.end();
    case dom::element_type::INT64: return b.integer(e.get_int64().value_unsafe());
    case dom::element_type::UINT64: return b.unsigned_integer(e.get_uint64().value_unsafe());
    case dom::element_type::DOUBLE: return b.real(e.get_double().value_unsafe());
    case dom::element_type::STRING: return b.string(e.get_string().value_unsafe());
    case dom::element_type::BOOL: return b.boolean(e.get_bool().value_unsafe());
    case dom::element_type::NULL_VALUE: return b.null();
  }
}

// A field's value: scalars as they are, containers (and all of "value" and "error") as nodes.
FieldValue capture(dom::element e, Field field, CompactHistoryBuilder& b) {
  FieldValue v;
  switch (field == Field::kValue || field == Field::kError ? dom::element_type::ARRAY : e.type()) {
    case dom::element_type::ARRAY:
    case dom::element_type::OBJECT:
      put(e, b);
      v.id = b.value();
      break;
    case dom::element_type::INT64: v.kind = ValueKind::kInt, v.i = e.get_int64().value_unsafe(); break;
    case dom::element_type::UINT64: v.kind = ValueKind::kUint, v.i = int64_t(e.get_uint64().value_unsafe()); break;
    case dom::element_type::DOUBLE: v.kind = ValueKind::kDouble, v.d = e.get_double().value_unsafe(); break;
    case dom::element_type::STRING: v.kind = ValueKind::kString, v.s = e.get_string().value_unsafe(); break;
    case dom::element_type::BOOL: v.kind = ValueKind::kBool, v.i = e.get_bool().value_unsafe(); break;
    case dom::element_type::NULL_VALUE: break;
  }
  return v;
}

// One op object, parsed whole (so a line that is not JSON is refused before its fields are judged).
void add_op(dom::object object, OpFields& op, CompactHistoryBuilder& b) {
  for (auto [key, value] : object) {
    const Field field = field_of(key);
    if (field != Field::kOther) op.set(field, capture(value, field, b));
  }
  op.add();
}

// ---- The common JSONL op by hand: one pass from the line to the builder, with no tape between.
// It reads a strict part of JSON (strings without escapes or non-ASCII bytes, integers of up to 18
// digits, shallow nesting) and gives up on anything else, which the general path then reads.

class PlainJsonOp {
 public:
  PlainJsonOp(CompactHistoryBuilder& b, OpFields& op) : b_(b), op_(op) {}

  // Adds the op of `row` when it is a plain JSON object the op accepts; otherwise false, with the
  // builder and the op as they were (errors are the general path's to report, after it has parsed
  // the whole line).
  bool read(std::string_view row) {
    const CompactHistoryBuilder::Mark mark = b_.mark();
    p_ = row.data();
    end_ = p_ + row.size();
    try {
      if (op_fields() && (skip_space(), p_ == end_)) {
        op_.add();
        return true;
      }
    } catch (const Error&) {}
    b_.rollback(mark);
    op_.reset();
    return false;
  }

 private:
  static constexpr int kMaxDepth = 32;

  bool op_fields() {
    if (!consume('{')) return false;
    if (consume('}')) return true;
    do {
      std::string_view key;
      if (!(skip_space(), string(key)) || !consume(':')) return false;
      const Field field = field_of(key);
      if (field == Field::kOther) {
        if (!value<false>(1)) return false;
      } else {
        FieldValue v;
        if (!field_value(field, v)) return false;
        op_.set(field, v);
      }
    } while (consume(','));
    return consume('}');
  }

  // As capture() takes it: scalars as they are, containers (and all of "value" and "error") as nodes.
  bool field_value(Field field, FieldValue& v) {
    skip_space();
    if (p_ == end_) return false;
    if (field == Field::kValue || field == Field::kError || *p_ == '[' || *p_ == '{') {
      if (!value<true>(1)) return false;
      v.id = b_.value();
      return true;
    }
    return scalar(v);
  }

  // A value, given to the builder when kBuild (else only checked).
  template <bool kBuild>
  bool value(int depth) {
    skip_space();
    if (p_ == end_) return false;
    const char open = *p_;
    if (open != '[' && open != '{') {
      FieldValue v;
      if (!scalar(v)) return false;
      if (kBuild) put(v);
      return true;
    }
    if (depth == kMaxDepth) return false;
    const char close = open == '[' ? ']' : '}';
    ++p_;
    if (kBuild) open == '[' ? b_.begin_array() : b_.begin_object();
    if (!consume(close)) {
      do {
        if (open == '{') {
          std::string_view key;
          if (!(skip_space(), string(key)) || !consume(':')) return false;
          if (kBuild) b_.key(key);
        }
        if (!value<kBuild>(depth + 1)) return false;
      } while (consume(','));
      if (!consume(close)) return false;
    }
    if (kBuild) b_.end();
    return true;
  }

  bool scalar(FieldValue& v) {
    switch (*p_) {
      case '"': v.kind = ValueKind::kString; return string(v.s);
      case 't': v.kind = ValueKind::kBool, v.i = 1; return word("true");
      case 'f': v.kind = ValueKind::kBool, v.i = 0; return word("false");
      case 'n': v.kind = ValueKind::kNull; return word("null");
      default: v.kind = ValueKind::kInt; return integer(v.i);
    }
  }

  void put(const FieldValue& v) {
    switch (v.kind) {
      case ValueKind::kString: return b_.string(v.s);
      case ValueKind::kBool: return b_.boolean(v.i != 0);
      case ValueKind::kInt: return b_.integer(v.i);
      default: return b_.null();
    }
  }

  bool string(std::string_view& s) {
    if (p_ == end_ || *p_ != '"') return false;
    const char* start = ++p_;
    for (; p_ < end_; ++p_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        s = std::string_view(start, size_t(p_++ - start));
        return true;
      }
      if (c < 0x20 || c >= 0x80 || c == '\\') return false;
    }
    return false;
  }

  bool integer(int64_t& out) {
    const bool negative = *p_ == '-';
    const char* const digits = p_ + negative;
    const char* q = digits;
    uint64_t n = 0;
    for (; q < end_ && *q >= '0' && *q <= '9'; ++q) n = n * 10 + uint64_t(*q - '0');
    const auto count = q - digits;
    // Leading zeros, -0 and long numbers are not plain; nor are fractions and exponents, as what
    // follows a value must be a comma, a bracket or a brace.
    if (count == 0 || count > 18 || (*digits == '0' && (count > 1 || negative))) return false;
    out = negative ? -int64_t(n) : int64_t(n);
    p_ = q;
    return true;
  }

  bool word(std::string_view w) {
    if (size_t(end_ - p_) < w.size() || std::memcmp(p_, w.data(), w.size()) != 0) return false;
    p_ += w.size();
    return true;
  }

  void skip_space() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\r' || *p_ == '\n')) ++p_;
  }

  bool consume(char c) {
    skip_space();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }

  CompactHistoryBuilder& b_;
  OpFields& op_;
  const char* p_ = nullptr;
  const char* end_ = nullptr;
};

// The parts of an input read before the builder reserves for the whole of it (then 4, 16, ... times
// as much, the estimate getting better as more is read).
constexpr size_t kSampleBytes = 1 << 20;

bool blank(std::string_view row) {
  for (char c : row)
    if (c != ' ' && c != '\t' && c != '\r') return false;
  return true;
}

// The ops of whole lines text[begin, end), the first of which is line number `first_line`.
// `padded` says that SIMDJSON_PADDING bytes past the end of `text` may be read.
struct JsonlPiece {
  CompactHistory ops;
  // The piece's last line had no newline and did not parse: a write cut off by a crash, unless
  // nothing before it parsed either.
  bool cut_off = false;
  int64_t cut_off_line = 0;
  std::exception_ptr error;
};

void read_jsonl_piece(std::string_view text, bool padded, size_t begin, size_t end, int64_t first_line,
                      const std::string& source, JsonlPiece& piece) try {
  CompactHistoryBuilder b;
  OpFields op(b);
  PlainJsonOp plain(b, op);
  dom::parser parser;
  size_t sample = kSampleBytes;
  std::string copy;
  size_t pos = begin;
  int64_t line = first_line - 1;
  while (pos < end) {
    const void* nl = std::memchr(text.data() + pos, '\n', end - pos);
    const bool terminated = nl != nullptr;
    const size_t eol = terminated ? size_t(static_cast<const char*>(nl) - text.data()) : end;
    std::string_view row = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line;
    if (pos - begin > sample) {
      // The first piece reserves for the whole text: the others are appended to it.
      b.reserve_for(pos - begin, (begin == 0 ? text.size() : end) - begin);
      sample *= 4;
    }
    if (blank(row) || plain.read(row)) continue;
    // simdjson reads up to SIMDJSON_PADDING bytes past the row; copy only where the text ends.
    const char* data = row.data();
    size_t room = text.size() - size_t(row.data() - text.data()) + (padded ? sj::SIMDJSON_PADDING : 0);
    if (room < row.size() + sj::SIMDJSON_PADDING) {
      copy.assign(row);
      copy.append(sj::SIMDJSON_PADDING, ' ');
      data = copy.data();
      room = copy.size();
    }
    dom::element doc;
    if (parser.parse(data, row.size(), false).get(doc) == sj::SUCCESS && doc.type() == dom::element_type::OBJECT) {
      try {
        add_op(dom::object(doc), op, b);
      } catch (const Error& e) {
        at_line(source, line, e.what());
      }
      continue;
    }
    // What simdjson refuses (numbers beyond 64 bits, not an object) gets the general parser's word.
    Json j = Json::parse(row.begin(), row.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      if (!terminated && pos >= text.size()) {
        piece.cut_off = true;
        piece.cut_off_line = line;
        break;
      }
      at_line(source, line, "not a JSON op; a history must be JSON Lines or Jepsen EDN");
    }
    try {
      add_json_op(j, op, b);
    } catch (const Error& e) {
      at_line(source, line, e.what());
    }
  }
  piece.ops = b.finish();
} catch (...) {
  piece.error = std::current_exception();
}

unsigned thread_count(size_t bytes, unsigned threads) {
  // Below a few MB a second thread costs more than it saves.
  constexpr size_t kChunkBytes = 8 << 20;
  if (threads == 0) threads = std::clamp<unsigned>(std::thread::hardware_concurrency(), 1, 2);
  return unsigned(std::clamp<size_t>(bytes / kChunkBytes, 1, threads));
}

CompactHistory read_jsonl_text(std::string_view text, bool padded, const std::string& source, unsigned threads) {
  threads = thread_count(text.size(), threads);
  std::vector<size_t> starts{0};
  for (size_t i = 1; i < threads; ++i) {
    size_t cut = text.find('\n', std::max(starts.back(), text.size() / threads * i));
    if (cut == std::string_view::npos) break;
    starts.push_back(cut + 1);
  }
  std::vector<JsonlPiece> pieces(starts.size());
  std::vector<std::thread> workers;
  for (size_t i = 0; i < starts.size(); ++i) {
    const size_t end = i + 1 < starts.size() ? starts[i + 1] : text.size();
    auto work = [&, i, end] {
      // Line numbers of a later piece count the newlines before it (while the first piece is read).
      int64_t first_line = 1;
      if (i > 0) first_line += std::count(text.begin(), text.begin() + long(starts[i]), '\n');
      read_jsonl_piece(text, padded, starts[i], end, first_line, source, pieces[i]);
    };
    if (i + 1 == starts.size())
      work();
    else
      workers.emplace_back(work);
  }
  for (auto& w : workers) w.join();
  size_t total = 0;
  for (auto& p : pieces) {
    if (p.error) std::rethrow_exception(p.error);
    if (p.cut_off && total == 0 && p.ops.size() == 0)
      at_line(source, p.cut_off_line, "not a JSON op; a history must be JSON Lines or Jepsen EDN");
    total += p.ops.size();
  }
  CompactHistoryBuilder all(std::move(pieces[0].ops));
  if (pieces.size() > 1) {
    size_t values = 0, ints = 0;
    for (auto& p : pieces) values += p.ops.value_count(), ints += p.ops.packed_int_count();
    all.reserve(total, values, ints);
  }
  for (size_t i = 1; i < pieces.size(); ++i) {
    all.append(pieces[i].ops);
    pieces[i].ops = CompactHistory();
  }
  return all.finish();
}

// One JSON array of op objects (elle-cli's JSON form); false when the text is not one, to be read
// as EDN. Op errors name the op's position in the array, from 1.
bool read_json_array(std::string_view text, const std::string& source, CompactHistoryBuilder& b) {
  OpFields op(b);
  dom::parser parser;
  dom::element doc;
  int64_t n = 0;
  if (parser.parse(text.data(), text.size()).get(doc) == sj::SUCCESS) {
    if (doc.type() != dom::element_type::ARRAY) return false;
    for (dom::element e : dom::array(doc)) {
      ++n;
      try {
        if (e.type() != dom::element_type::OBJECT) fail(ErrorCode::kBadInput, "an op must be a JSON object");
        add_op(dom::object(e), op, b);
      } catch (const Error& err) {
        at_line(source, n, err.what());
      }
    }
    return true;
  }
  // What simdjson refuses (numbers beyond 64 bits) gets the general parser's word; rare.
  Json all = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (all.is_discarded() || !all.is_array()) return false;
  for (const Json& j : all) {
    ++n;
    try {
      add_json_op(j, op, b);
    } catch (const Error& e) {
      at_line(source, n, e.what());
    }
  }
  return true;
}

// ---- Jepsen EDN straight into the builder: no JSON value and no allocation per op. The rules are
// EdnReader's (edn.cc), and so are the messages.

constexpr int kMaxDepth = 200;

struct CharClass {
  bool space[256] = {};  // whitespace and commas
  bool delimiter[256] = {};
  constexpr CharClass() {
    for (unsigned char c : std::string_view(" \t\n\v\f\r,")) space[c] = delimiter[c] = true;
    for (unsigned char c : std::string_view("()[]{}\";")) delimiter[c] = true;
  }
};
constexpr CharClass kChars;

bool is_delimiter(char c) { return kChars.delimiter[static_cast<unsigned char>(c)]; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

class EdnOps {
 public:
  EdnOps(std::string_view text, const std::string& source, CompactHistoryBuilder& b, size_t pos = 0, int64_t line = 1)
      : text_(text), source_(source), b_(b), op_(b), begin_(pos), pos_(pos), line_(line) {}

  // Reads the top-level forms that start before `stop` (the last may run past it); true when they
  // end exactly there.
  bool read_until(size_t stop) {
    stop_ = stop;
    while (next()) {}
    return pos_ == stop;
  }

 private:
  // The next top-level form as ops (EdnReader::next_ops); false at the stop.
  bool next() {
    skip_space();
    if (pos_ >= stop_) return false;
    const char open = text_[pos_];
    if (open != '[' && open != '(') {
      read_op(0);
      return true;
    }
    const char close = open == '[' ? ']' : ')';
    ++pos_;
    for (;;) {
      skip_space();
      if (pos_ >= text_.size()) error(std::string("missing '") + close + "'");
      if (text_[pos_] == close) {
        ++pos_;
        return true;
      }
      read_op(1);
    }
  }
  [[noreturn]] void error(const std::string& what) const { at_line(source_, line_, "malformed EDN: " + what); }

  void skip_space() {
    const size_t n = text_.size();
    while (pos_ < n) {
      const char c = text_[pos_];
      if (c == '\n') {
        ++line_;
        ++pos_;
      } else if (kChars.space[static_cast<unsigned char>(c)]) {
        ++pos_;
      } else if (c == ';') {
        const void* nl = std::memchr(text_.data() + pos_, '\n', n - pos_);
        pos_ = nl ? size_t(static_cast<const char*>(nl) - text_.data()) : n;
      } else {
        return;
      }
    }
  }

  std::string_view token() {
    const size_t start = pos_;
    while (pos_ < text_.size() && !is_delimiter(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  void read_op(int depth) {
    const int64_t line = line_;
    // A map is read field by field. Any other form is read whole (tags and discards in front of a
    // map are passed over as EdnReader does) and then refused.
    for (;;) {
      skip_space();
      if (pos_ >= text_.size()) error("unexpected end of input");
      const char c = text_[pos_];
      if (c == '{') break;
      if (c == '#' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '_') {
        pos_ += 2;
        form<false>(depth + 1);
        continue;
      }
      if (c == '#' && pos_ + 1 < text_.size() && text_[pos_ + 1] != '{') {
        ++pos_;
        token();
        if (++depth > kMaxDepth) error("nested deeper than " + std::to_string(kMaxDepth) + " levels");
        continue;
      }
      form<false>(depth);
      at_line(source_, line, "an op must be a JSON object");
    }
    ++pos_;
    for (;;) {
      skip_space();
      if (pos_ >= text_.size()) error("missing '}'");
      if (text_[pos_] == '}') {
        ++pos_;
        break;
      }
      // Op keys are keywords; anything else is read as a map key is.
      std::string_view key;
      if (text_[pos_] == ':') {
        ++pos_;
        key = token();
      } else {
        key = key_form(depth + 1);
      }
      const Field field = field_of(key);
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == '}') error("map with an odd number of forms");
      if (field == Field::kOther) {
        form<false>(depth + 1);
        continue;
      }
      const FieldValue v = field_value(field, depth + 1);
      try {
        op_.set(field, v);
      } catch (const Error& e) {
        at_line(source_, line, e.what());
      }
    }
    try {
      op_.add();
    } catch (const Error& e) {
      at_line(source_, line, e.what());
    }
    if (pos_ - begin_ > sample_) {
      // The first half reserves for the whole text: the second is appended to it.
      b_.reserve_for(pos_ - begin_, (begin_ == 0 ? text_.size() : stop_) - begin_);
      sample_ *= 4;
    }
  }

  // A field's value: a scalar straight from the text, anything else through the builder.
  FieldValue field_value(Field field, int depth) {
    FieldValue v;
    if (pos_ >= text_.size()) error("unexpected end of input");
    const char c = text_[pos_];
    const bool scalar = c != '[' && c != '(' && c != '{' && c != '#' && c != '\\' && c != ']' && c != ')' && c != '}';
    if (field == Field::kValue || field == Field::kError || !scalar) {
      form<true>(depth);
      v.id = b_.value();
      return v;
    }
    if (c == '"') {
      ++pos_;
      v.kind = ValueKind::kString;
      v.s = read_string();
      return v;
    }
    return atom();
  }

  // EdnReader::read_atom: nil, true, false, keywords (without ':'), numbers, else a symbol.
  FieldValue atom() {
    const std::string_view tok = token();
    if (tok.empty()) error("unexpected character");
    FieldValue v;
    v.kind = ValueKind::kString;
    const char c = tok.front();
    if (c == ':') {
      v.s = tok.substr(1);
      return v;
    }
    const bool numeric = is_digit(c) || ((c == '-' || c == '+') && tok.size() > 1 && is_digit(tok[1]));
    if (!numeric) {
      if (tok == "nil") {
        v.kind = ValueKind::kNull;
      } else if (tok == "true" || tok == "false") {
        v.kind = ValueKind::kBool;
        v.i = tok == "true";
      } else {
        v.s = tok;  // a symbol
      }
      return v;
    }
    std::string_view digits = tok;
    if (digits.front() == '+') digits.remove_prefix(1);
    if (digits.back() == 'N' || digits.back() == 'M') digits.remove_suffix(1);
    const char* end = digits.data() + digits.size();
    if (auto [p, ec] = std::from_chars(digits.data(), end, v.i); ec == std::errc() && p == end) {
      v.kind = ValueKind::kInt;
      return v;
    }
    if (auto [p, ec] = std::from_chars(digits.data(), end, v.d); ec == std::errc() && p == end) {
      v.kind = ValueKind::kDouble;
      return v;
    }
    // Ratios and other exotic numbers are kept as text rather than rejected.
    v.s = tok;
    return v;
  }

  void emit(const FieldValue& v) {
    switch (v.kind) {
      case ValueKind::kNull: return b_.null();
      case ValueKind::kBool: return b_.boolean(v.i != 0);
      case ValueKind::kInt: return b_.integer(v.i);
      case ValueKind::kDouble: return b_.real(v.d);
      default: return b_.string(v.s);
    }
  }

  // EdnReader::read_string; the text itself when it has no escapes, else a copy in scratch_.
  std::string_view read_string() {
    const size_t start = pos_;
    const size_t n = text_.size();
    size_t i = pos_;
    while (i < n && text_[i] != '"' && text_[i] != '\\') ++i;
    line_ += std::count(text_.begin() + long(start), text_.begin() + long(i), '\n');
    if (i < n && text_[i] == '"') {
      pos_ = i + 1;
      return text_.substr(start, i - start);
    }
    scratch_.assign(text_.substr(start, i - start));
    pos_ = i;
    while (pos_ < n) {
      const char c = text_[pos_++];
      if (c == '"') return scratch_;
      if (c == '\n') ++line_;
      if (c != '\\') {
        scratch_ += c;
        continue;
      }
      if (pos_ >= n) break;
      const char e = text_[pos_++];
      switch (e) {
        case 'n': scratch_ += '\n'; break;
        case 't': scratch_ += '\t'; break;
        case 'r': scratch_ += '\r'; break;
        case 'b': scratch_ += '\b'; break;
        case 'f': scratch_ += '\f'; break;
        case 'u': {
          if (pos_ + 4 > n) error("short \\u escape");
          unsigned code = 0;
          auto [p, ec] = std::from_chars(text_.data() + pos_, text_.data() + pos_ + 4, code, 16);
          if (ec != std::errc() || p != text_.data() + pos_ + 4) error("bad \\u escape");
          pos_ += 4;
          // UTF-8 of the BMP code point (surrogates are kept as they are).
          if (code < 0x80) {
            scratch_ += char(code);
          } else if (code < 0x800) {
            scratch_ += char(0xC0 | (code >> 6));
            scratch_ += char(0x80 | (code & 0x3F));
          } else {
            scratch_ += char(0xE0 | (code >> 12));
            scratch_ += char(0x80 | ((code >> 6) & 0x3F));
            scratch_ += char(0x80 | (code & 0x3F));
          }
          break;
        }
        default: scratch_ += e;
      }
    }
    error("unterminated string");
  }

  std::string_view char_literal() {
    ++pos_;
    const size_t start = pos_;
    if (pos_ < text_.size()) ++pos_;
    while (pos_ < text_.size() && !is_delimiter(text_[pos_])) ++pos_;
    const std::string_view name = text_.substr(start, pos_ - start);
    if (name == "newline") return "\n";
    if (name == "space") return " ";
    if (name == "tab") return "\t";
    return name;
  }

  // EdnReader::read_form into the builder (kEmit) or only read.
  template <bool kEmit>
  void form(int depth) {
    if (depth > kMaxDepth) error("nested deeper than " + std::to_string(kMaxDepth) + " levels");
    for (;;) {
      skip_space();
      if (pos_ >= text_.size()) error("unexpected end of input");
      const char c = text_[pos_];
      switch (c) {
        case '[': ++pos_; return collection<kEmit>(']', depth);
        case '(': ++pos_; return collection<kEmit>(')', depth);
        case '{': ++pos_; return map<kEmit>(depth);
        case '"': {
          ++pos_;
          const std::string_view s = read_string();
          if constexpr (kEmit) b_.string(s);
          return;
        }
        case ']':
        case ')':
        case '}': error(std::string("unexpected '") + c + "'");
        case '#': {
          if (pos_ + 1 >= text_.size()) error("dangling '#'");
          const char d = text_[pos_ + 1];
          if (d == '{') {
            pos_ += 2;
            return collection<kEmit>('}', depth);
          }
          if (d == '_') {  // discard the next form
            pos_ += 2;
            form<false>(depth + 1);
            continue;
          }
          // A tagged element (#inst "...", #jepsen.foo{...}): keep the value, drop the tag.
          ++pos_;
          token();
          return form<kEmit>(depth + 1);
        }
        case '\\': {
          const std::string_view s = char_literal();
          if constexpr (kEmit) b_.string(s);
          return;
        }
        default: {
          const FieldValue v = atom();
          if constexpr (kEmit) emit(v);
          return;
        }
      }
    }
  }

  template <bool kEmit>
  void collection(char close, int depth) {
    if constexpr (kEmit) b_.begin_array();
    for (;;) {
      skip_space();
      if (pos_ >= text_.size()) error(std::string("missing '") + close + "'");
      if (text_[pos_] == close) {
        ++pos_;
        if constexpr (kEmit) b_.end();
        return;
      }
      form<kEmit>(depth + 1);
    }
  }

  template <bool kEmit>
  void map(int depth) {
    if constexpr (kEmit) b_.begin_object();
    for (;;) {
      skip_space();
      if (pos_ >= text_.size()) error("missing '}'");
      if (text_[pos_] == '}') {
        ++pos_;
        if constexpr (kEmit) b_.end();
        return;
      }
      if constexpr (kEmit)
        b_.key(key_form(depth + 1));
      else
        form<false>(depth + 1);
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == '}') error("map with an odd number of forms");
      form<kEmit>(depth + 1);
    }
  }

  // A map key as JSON has it: strings (keywords without ':') as they are, other values printed.
  std::string_view key_form(int depth) {
    if (depth > kMaxDepth) error("nested deeper than " + std::to_string(kMaxDepth) + " levels");
    for (;;) {
      skip_space();
      if (pos_ >= text_.size()) error("unexpected end of input");
      const char c = text_[pos_];
      switch (c) {
        case '"': ++pos_; return read_string();
        case '\\': return char_literal();
        case ']':
        case ')':
        case '}': error(std::string("unexpected '") + c + "'");
        case '[':
        case '(':
        case '{': return printed_key(depth);
        case '#': {
          if (pos_ + 1 >= text_.size()) error("dangling '#'");
          const char d = text_[pos_ + 1];
          if (d == '{') return printed_key(depth);
          if (d == '_') {
            pos_ += 2;
            form<false>(depth + 1);
            continue;
          }
          ++pos_;
          token();
          return key_form(depth + 1);
        }
        default: {
          const FieldValue v = atom();
          switch (v.kind) {
            case ValueKind::kString: return v.s;
            case ValueKind::kNull: return "null";
            case ValueKind::kBool: return v.i ? "true" : "false";
            case ValueKind::kInt: key_scratch_ = std::to_string(v.i); return key_scratch_;
            default: key_scratch_ = json_text(Json(v.d)); return key_scratch_;
          }
        }
      }
    }
  }

  // A container as a map key (rare): read it, then print it as JSON through the general reader.
  std::string_view printed_key(int depth) {
    const size_t start = pos_;
    form<false>(depth);
    EdnReader reader(text_.substr(start, pos_ - start), source_);
    Json key;
    reader.next(key);
    key_scratch_ = json_text(key);
    return key_scratch_;
  }

  std::string_view text_;
  const std::string& source_;
  CompactHistoryBuilder& b_;
  OpFields op_;
  size_t begin_ = 0, pos_ = 0, stop_ = 0;
  int64_t line_ = 1;
  std::string scratch_, key_scratch_;
  size_t sample_ = kSampleBytes;
};

}  // namespace

CompactHistory read_jsonl_compact(std::string_view text, const std::string& source, unsigned threads) {
  return read_jsonl_text(text, /*padded=*/false, source, threads);
}

CompactHistory read_edn_compact(std::string_view text, const std::string& source, unsigned threads) {
  // One op map per line (Jepsen's history.edn) is read in two halves: the second from a line that
  // opens a map past the middle. A form may span lines (a string holding "\n{"), so the second
  // half counts only when the first one's forms end exactly where it starts.
  CompactHistoryBuilder b;
  EdnOps first(text, source, b);
  const size_t start = text.find_first_not_of(" \t\r\n");
  size_t cut = std::string_view::npos;
  if (thread_count(text.size(), threads) > 1 && start != std::string_view::npos && text[start] == '{')
    cut = text.find("\n{", text.size() / 2);
  if (cut == std::string_view::npos) {
    first.read_until(text.size());
    return b.finish();
  }
  ++cut;
  CompactHistory second;
  std::exception_ptr second_error;
  std::thread worker([&] {
    try {
      CompactHistoryBuilder piece;
      EdnOps reader(text, source, piece, cut, 1 + std::count(text.begin(), text.begin() + long(cut), '\n'));
      reader.read_until(text.size());
      second = piece.finish();
    } catch (...) {
      second_error = std::current_exception();
    }
  });
  bool met;
  try {
    met = first.read_until(cut);
  } catch (...) {
    worker.join();
    throw;
  }
  worker.join();
  if (!met) {
    first.read_until(text.size());
    return b.finish();
  }
  if (second_error) std::rethrow_exception(second_error);
  b.reserve(b.size() + second.size(), b.value_count() + second.value_count(),
            b.packed_int_count() + second.packed_int_count());
  b.append(second);
  return b.finish();
}

CompactHistory read_compact_history_file(const std::filesystem::path& path, unsigned threads) {
  const FileText file(path);
  const std::string_view text = file.text();
  const std::string source = path.string();
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '[') {
    // One JSON array of op objects (elle-cli's JSON form), else an EDN vector. "[{:" is EDN's.
    const size_t second = text.find_first_not_of(" \t\r\n", first + 1);
    const size_t third = second == std::string_view::npos ? second : text.find_first_not_of(" \t\r\n", second + 1);
    const bool edn = second != std::string_view::npos && text[second] == '{' && third != std::string_view::npos &&
                     text[third] != '"' && text[third] != '}';
    if (!edn) {
      CompactHistoryBuilder b;
      if (read_json_array(text, source, b)) return b.finish();
    }
  }
  if (looks_like_edn(text)) return read_edn_compact(text, source, threads);
  return read_jsonl_text(text, /*padded=*/false, source, threads);
}

History read_history_file(const std::filesystem::path& path) { return read_compact_history_file(path).history(); }

History read_jsonl(std::string_view text, const std::string& source) {
  return read_jsonl_compact(text, source).history();
}

History read_edn_history(std::string_view text, const std::string& source) {
  return read_edn_compact(text, source).history();
}

namespace {
// Micro-op names inside transactions are keywords in Jepsen's EDN: [[:append :x 1] [:r :x nil]].
bool is_txn_value(const Op& op) { return op.f == "txn" && op.value.is_array(); }

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
