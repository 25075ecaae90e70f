#include "harness/core/edn.h"

#include <cctype>
#include <charconv>
#include <cstdio>

#include "harness/core/error.h"

namespace faultline {
namespace {
constexpr int kMaxDepth = 200;

bool is_delimiter(char c) {
  return std::isspace(static_cast<unsigned char>(c)) || c == ',' || c == '(' || c == ')' || c == '[' || c == ']' ||
         c == '{' || c == '}' || c == '"' || c == ';';
}

// Map keys must be strings in JSON: keywords lose their ':', other values are printed.
std::string key_text(const Json& key) {
  if (key.is_string()) return key.get<std::string>();
  return json_text(key);
}
}  // namespace

EdnReader::EdnReader(std::string_view text, std::string source) : text_(text), source_(std::move(source)) {}

void EdnReader::error(const std::string& what) const {
  fail(ErrorCode::kBadInput, source_ + ":" + std::to_string(line_) + ": malformed EDN: " + what);
}

void EdnReader::skip_space() {
  while (pos_ < text_.size()) {
    char c = text_[pos_];
    if (c == '\n') {
      ++line_;
      ++pos_;
    } else if (std::isspace(static_cast<unsigned char>(c)) || c == ',') {
      ++pos_;
    } else if (c == ';') {
      while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
    } else {
      return;
    }
  }
}

bool EdnReader::next(Json& out) {
  skip_space();
  if (pos_ >= text_.size()) return false;
  form_line_ = line_;
  out = read_form(0);
  return true;
}

Json EdnReader::read_form(int depth) {
  if (depth > kMaxDepth) error("nested deeper than " + std::to_string(kMaxDepth) + " levels");
  for (;;) {
    skip_space();
    if (pos_ >= text_.size()) error("unexpected end of input");
    char c = text_[pos_];
    switch (c) {
      case '[': ++pos_; return read_collection(']', depth);
      case '(': ++pos_; return read_collection(')', depth);
      case '{': ++pos_; return read_map(depth);
      case '"': ++pos_; return read_string();
      case ']':
      case ')':
      case '}': error(std::string("unexpected '") + c + "'");
      case '#': {
        if (pos_ + 1 >= text_.size()) error("dangling '#'");
        char d = text_[pos_ + 1];
        if (d == '{') {
          pos_ += 2;
          return read_collection('}', depth);
        }
        if (d == '_') {  // discard the next form
          pos_ += 2;
          read_form(depth + 1);
          continue;
        }
        // A tagged element (#inst "...", #uuid "...", #jepsen.foo{...}): keep the value, drop the tag.
        ++pos_;
        while (pos_ < text_.size() && !is_delimiter(text_[pos_])) ++pos_;
        return read_form(depth + 1);
      }
      case '\\': {  // a character literal
        ++pos_;
        size_t start = pos_;
        if (pos_ < text_.size()) ++pos_;
        while (pos_ < text_.size() && !is_delimiter(text_[pos_])) ++pos_;
        std::string_view name = text_.substr(start, pos_ - start);
        if (name == "newline") return "\n";
        if (name == "space") return " ";
        if (name == "tab") return "\t";
        return std::string(name);
      }
      default: return read_atom();
    }
  }
}

Json EdnReader::read_collection(char close, int depth) {
  Json array = Json::array();
  for (;;) {
    skip_space();
    if (pos_ >= text_.size()) error(std::string("missing '") + close + "'");
    if (text_[pos_] == close) {
      ++pos_;
      return array;
    }
    array.push_back(read_form(depth + 1));
  }
}

Json EdnReader::read_map(int depth) {
  Json object = Json::object();
  for (;;) {
    skip_space();
    if (pos_ >= text_.size()) error("missing '}'");
    if (text_[pos_] == '}') {
      ++pos_;
      return object;
    }
    Json key = read_form(depth + 1);
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == '}') error("map with an odd number of forms");
    object[key_text(key)] = read_form(depth + 1);
  }
}

Json EdnReader::read_string() {
  std::string s;
  while (pos_ < text_.size()) {
    char c = text_[pos_++];
    if (c == '"') return s;
    if (c == '\n') ++line_;
    if (c != '\\') {
      s += c;
      continue;
    }
    if (pos_ >= text_.size()) break;
    char e = text_[pos_++];
    switch (e) {
      case 'n': s += '\n'; break;
      case 't': s += '\t'; break;
      case 'r': s += '\r'; break;
      case 'b': s += '\b'; break;
      case 'f': s += '\f'; break;
      case 'u': {
        if (pos_ + 4 > text_.size()) error("short \\u escape");
        unsigned code = 0;
        auto [p, ec] = std::from_chars(text_.data() + pos_, text_.data() + pos_ + 4, code, 16);
        if (ec != std::errc() || p != text_.data() + pos_ + 4) error("bad \\u escape");
        pos_ += 4;
        // UTF-8 encode the BMP code point (surrogates are kept as-is; histories rarely carry them).
        if (code < 0x80) {
          s += static_cast<char>(code);
        } else if (code < 0x800) {
          s += static_cast<char>(0xC0 | (code >> 6));
          s += static_cast<char>(0x80 | (code & 0x3F));
        } else {
          s += static_cast<char>(0xE0 | (code >> 12));
          s += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
          s += static_cast<char>(0x80 | (code & 0x3F));
        }
        break;
      }
      default: s += e;
    }
  }
  error("unterminated string");
}

Json EdnReader::read_atom() {
  size_t start = pos_;
  while (pos_ < text_.size() && !is_delimiter(text_[pos_])) ++pos_;
  std::string_view tok = text_.substr(start, pos_ - start);
  if (tok.empty()) error("unexpected character");
  if (tok == "nil") return nullptr;
  if (tok == "true") return true;
  if (tok == "false") return false;
  if (tok.front() == ':') return std::string(tok.substr(1));
  char c = tok.front();
  bool numeric = std::isdigit(static_cast<unsigned char>(c)) ||
                 ((c == '-' || c == '+') && tok.size() > 1 && std::isdigit(static_cast<unsigned char>(tok[1])));
  if (!numeric) return std::string(tok);  // a symbol
  std::string_view digits = tok;
  if (digits.front() == '+') digits.remove_prefix(1);
  if (digits.back() == 'N' || digits.back() == 'M') digits.remove_suffix(1);
  int64_t i = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), i);
  if (ec == std::errc() && p == digits.data() + digits.size()) return i;
  double d = 0;
  auto [q, ec2] = std::from_chars(digits.data(), digits.data() + digits.size(), d);
  if (ec2 == std::errc() && q == digits.data() + digits.size()) return d;
  // Ratios and other exotic numbers are kept as text rather than rejected.
  return std::string(tok);
}

Json parse_edn(std::string_view text, const std::string& source) {
  EdnReader reader(text, source);
  Json value;
  if (!reader.next(value)) fail(ErrorCode::kBadInput, source + ": empty EDN value");
  Json extra;
  if (reader.next(extra)) fail(ErrorCode::kBadInput, source + ": more than one EDN value");
  return value;
}

std::string edn_keyword(std::string_view name) { return ":" + std::string(name); }

namespace {
void write_edn(const Json& v, std::string& out) {
  switch (v.type()) {
    case Json::value_t::null: out += "nil"; break;
    case Json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; break;
    case Json::value_t::string: out += json_text(v); break;  // JSON string escapes are valid EDN
    case Json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += ' ';
        first = false;
        write_edn(e, out);
      }
      out += ']';
      break;
    }
    case Json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, e] : v.items()) {
        if (!first) out += ", ";
        first = false;
        out += json_text(Json(k));
        out += ' ';
        write_edn(e, out);
      }
      out += '}';
      break;
    }
    default: out += json_text(v); break;  // numbers
  }
}
}  // namespace

std::string to_edn(const Json& value) {
  std::string out;
  write_edn(value, out);
  return out;
}

}  // namespace faultline
