// One key of a key-value store (histories give [key value] tuples and are split per key):
// get / put / append, like Porcupine's kv model. Append concatenates strings and appends other values
// to a list. A get with nil value matches anything.
#include <algorithm>
#include <string_view>

#include "checkers/linear/model.h"
#include "checkers/linear/steps.h"
#include "harness/core/error.h"

namespace faultline::linear {
namespace {

// The kv model over interned ids when every value is a string (Porcupine's kv): a state is a node
// of a tree of appends (its parent state plus one appended piece, or a put's whole value at a root),
// carrying the polynomial hash and length of the string it stands for, so that an append costs a
// hash; strings are spelled out only to confirm a match of hashes. Equal strings are one state, as
// with Json states, so a get compares its own string's state with the current one. Steps are
// cheaper than a memo lookup, so none is kept.
class KvStringSteps : public Steps {
 public:
  // Null when some value is not a string (lists, numbers): the Json model handles those.
  static std::unique_ptr<Steps> make(const CompactHistory& h, const Json& initial,
                                     std::span<const CompactModelOp> ops) {
    if (!initial.is_string()) return nullptr;
    StringId get = h.find("get"), read = h.find("read");
    for (const CompactModelOp& op : ops)
      if (!h.is_string(op.value) && !((op.f == get || op.f == read) && h.is_null(op.value))) return nullptr;
    auto steps = std::make_unique<KvStringSteps>(h, ops.size(), initial.get<std::string>());
    steps->intern_node(-1, steps->add_piece(steps->initial_));
    return steps;
  }

  // Sized for `ops` ops: a kind and a piece each at most, and a few states each.
  KvStringSteps(const CompactHistory& h, size_t ops, std::string initial)
      : h_(h),
        initial_(std::move(initial)),
        get_(h.find("get")),
        read_(h.find("read")),
        put_(h.find("put")),
        write_(h.find("write")),
        append_(h.find("append")) {
    kinds_.reserve(ops);
    kind_ids_.reserve(ops);
    pieces_.reserve(ops + 1);
    nodes_.reserve(4 * ops);
    node_ids_.reserve(4 * ops);
  }

  int32_t intern_op(const CompactModelOp& op) override {
    auto is = [&](StringId f) { return f != kNoString && op.f == f; };
    Kind kind{Kind::kGet, -1};
    if (is(get_) || is(read_))
      kind.f = Kind::kGet;
    else if (is(put_) || is(write_))
      kind.f = Kind::kPut;
    else if (is(append_))
      kind.f = Kind::kAppend;
    else
      fail(ErrorCode::kBadInput, "kv: unknown op f \"" + std::string(h_.str(op.f)) +
                                     "\"; expected get, put or append (read/write also accepted)");
    // f, known, then the string's id (equal strings have equal ids), or none for a get of nil.
    bool null = h_.is_null(op.value);
    uint64_t text = null ? 0 : uint64_t(h_.as_string(op.value)) + 1;
    uint64_t key = (text << 3) | (uint64_t(kind.f) << 1) | op.known;
    if (int32_t id = kind_ids_.find(key); id != FlatIdMap::kMissing) return id;
    if (!null) kind.piece = add_piece(h_.str(h_.as_string(op.value)));
    if (!null && kind.f == Kind::kGet) {
      kind.state = intern_node(-1, kind.piece);
      kind.prefixes = add_prefix_hashes(pieces_[kind.piece].text);
    }
    kind_ids_.put(key, int32_t(kinds_.size()));
    kinds_.push_back(kind);
    return int32_t(kinds_.size() - 1);
  }

  int32_t step(int32_t state, int32_t kind_id) override {
    const Kind& kind = kinds_[kind_id];
    if (kind.f == Kind::kGet) return kind.piece < 0 || kind.state == state ? state : -1;
    return intern_node(kind.f == Kind::kPut ? -1 : state, kind.piece);
  }

  // Appends only lengthen the string: a get of a string that does not begin with the state's needs
  // a put first. A state whose hash differs from the hash of the get's first as many characters is
  // certainly no prefix of it (equal hashes say nothing, and nothing is pruned on them).
  bool hopeless(int32_t state, int32_t read) const override {
    const Kind& get = kinds_[read];
    if (get.f != Kind::kGet || get.piece < 0) return false;
    const Node& s = nodes_[state];
    return s.length > pieces_[get.piece].text.size() || s.hash != prefix_hashes_[get.prefixes + s.length];
  }
  bool resets(int32_t kind) const override { return kinds_[kind].f == Kind::kPut; }
  bool grows() const override { return true; }

  // As KvModel::unobservable: a put or append shows only in a get that contains what it wrote.
  bool unobservable(int32_t id, std::span<const int32_t> kinds) const override {
    std::string_view wrote = pieces_[kinds_[id].piece].text;
    for (int32_t other : kinds) {
      const Kind& k = kinds_[other];
      if (k.f == Kind::kGet && k.piece >= 0 && pieces_[k.piece].text.find(wrote) != std::string::npos) return false;
    }
    return true;
  }

  bool read_only(int32_t kind) const override { return kinds_[kind].f == Kind::kGet; }
  std::string describe(int32_t state) const override { return Json(spell(state)).dump(); }

 private:
  static constexpr uint64_t kBase = 0x100000001B3ull;

  struct Kind {
    enum F { kGet, kPut, kAppend } f;
    int32_t piece;        // -1: a get of nil, which matches any state
    int32_t state = -1;   // a get: the state of the string it read
    size_t prefixes = 0;  // a get: where the hashes of its string's prefixes start in prefix_hashes_
  };
  struct Piece {
    std::string_view text;  // in the history, or initial_
    uint64_t hash, power;   // power: kBase^length, to shift a hash past this piece
  };
  struct Node {
    int32_t parent;  // -1 at a root
    int32_t piece;
    uint64_t hash, length;
  };

  int32_t add_piece(std::string_view text) {
    uint64_t hash = 0, power = 1;
    for (unsigned char c : text) {
      hash = hash * kBase + c;
      power *= kBase;
    }
    pieces_.push_back({text, hash, power});
    return int32_t(pieces_.size() - 1);
  }

  // The hashes of text's prefixes of every length, 0 to all of it, as nodes hash them.
  size_t add_prefix_hashes(std::string_view text) {
    size_t at = prefix_hashes_.size();
    uint64_t hash = 0;
    prefix_hashes_.push_back(hash);
    for (unsigned char c : text) prefix_hashes_.push_back(hash = hash * kBase + c);
    return at;
  }

  // The state for `parent` (a root when -1) followed by the piece, one id per distinct string.
  int32_t intern_node(int32_t parent, int32_t piece) {
    const Piece& p = pieces_[piece];
    Node node{parent, piece, p.hash, p.text.size()};
    if (parent >= 0) {
      node.hash += nodes_[parent].hash * p.power;
      node.length += nodes_[parent].length;
    }
    uint64_t key = node.hash ^ (node.length * 0x9E3779B97F4A7C15ull);
    for (key = FlatIdMap::usable(key);; key = FlatIdMap::probe(key)) {  // on a hash collision, probe on
      int32_t id = node_ids_.find(key);
      if (id == FlatIdMap::kMissing) {
        id = int32_t(nodes_.size());
        node_ids_.put(key, id);
        nodes_.push_back(node);
        return id;
      }
      const Node& other = nodes_[id];
      if (other.parent == node.parent && other.piece == node.piece) return id;  // the same step again
      if (other.hash != node.hash || other.length != node.length) continue;
      // The same string by another way (a get's string, or appends grouped otherwise): spelled out
      // once, then remembered for this step.
      if (int32_t known = aliases_.find(parent, piece); known != StepMemo::kUnknown) return known;
      if (equal(id, node)) {
        aliases_.put(parent, piece, id);
        return id;
      }
    }
  }

  // Whether the existing state `id` spells what `node` (not yet interned, of the same length)
  // would: both compared from their ends, piece by piece, without spelling either out.
  bool equal(int32_t id, const Node& node) const {
    struct Cursor {  // the characters of a chain of nodes, from the last one back
      std::string_view rest;
      int32_t parent;
    };
    auto next = [&](Cursor& c) {
      while (c.rest.empty() && c.parent >= 0) {
        c.rest = pieces_[nodes_[c.parent].piece].text;
        c.parent = nodes_[c.parent].parent;
      }
    };
    Cursor a{pieces_[nodes_[id].piece].text, nodes_[id].parent}, b{pieces_[node.piece].text, node.parent};
    for (;;) {
      next(a);
      next(b);
      if (a.rest.empty() || b.rest.empty()) return a.rest.empty() && b.rest.empty();
      size_t n = std::min(a.rest.size(), b.rest.size());
      if (a.rest.substr(a.rest.size() - n) != b.rest.substr(b.rest.size() - n)) return false;
      a.rest.remove_suffix(n);
      b.rest.remove_suffix(n);
    }
  }

  std::string spell(int32_t state) const {
    std::vector<int32_t> chain;
    for (int32_t n = state; n >= 0; n = nodes_[n].parent) chain.push_back(nodes_[n].piece);
    std::string s;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) s += pieces_[*it].text;
    return s;
  }

  const CompactHistory& h_;
  std::string initial_;  // the initial value's text (every other piece is a view into the history)
  StringId get_, read_, put_, write_, append_;
  std::vector<Kind> kinds_;
  FlatIdMap kind_ids_;  // (string id, f, known) -> kind
  std::vector<Piece> pieces_;
  std::vector<uint64_t> prefix_hashes_;  // per get, see Kind::prefixes
  std::vector<Node> nodes_;
  FlatIdMap node_ids_;  // hash of (string hash, length) -> state
  StepMemo aliases_;    // (parent, piece) -> the state spelling the same as an older node
};

class KvModel : public Model {
 public:
  std::string name() const override { return "kv"; }
  Json initial(const Json& initial) const override { return initial; }

  std::optional<Json> step(const Json& state, const ModelOp& op) const override {
    if (op.f == "get" || op.f == "read") {
      if (op.value.is_null() || op.value == state) return state;
      return std::nullopt;
    }
    if (op.f == "put" || op.f == "write") return op.value;
    if (op.value.is_string() && (state.is_null() || state.is_string()))  // append
      return (state.is_null() ? std::string() : state.get<std::string>()) + op.value.get<std::string>();
    Json list = state.is_array() ? state : state.is_null() ? Json::array() : Json::array({state});
    list.push_back(op.value);
    return list;
  }

  bool read_only(const ModelOp& op) const override { return op.f == "get" || op.f == "read"; }

  // Appends keep what a string or list held at its front (a string that gets a non-string becomes a
  // list, and no list becomes a string): a get that does not begin with the state needs a put first.
  bool hopeless(const Json& state, const ModelOp& read) const override {
    if (!read_only(read) || read.value.is_null() || state.is_null()) return false;
    const Json& got = read.value;
    if (state.is_string() && got.is_string())
      return !got.get_ref<const std::string&>().starts_with(state.get_ref<const std::string&>());
    if (state.is_array() && got.is_array())
      return got.size() < state.size() || !std::equal(state.begin(), state.end(), got.begin());
    return state.is_array() && got.is_string();
  }
  bool resets(const ModelOp& op) const override { return op.f == "put" || op.f == "write"; }
  bool grows() const override { return true; }

  // A put or append shows in every get until the next put; if no get contains what it wrote, nothing
  // can tell that it happened.
  bool unobservable(const ModelOp& op, const std::vector<const ModelOp*>& all) const override {
    if (op.value.is_structured()) return false;  // parts of it could show inside later values
    for (const ModelOp* other : all) {
      if (!read_only(*other)) continue;
      const Json& got = other->value;
      if (got == op.value) return false;
      if (got.is_string() && op.value.is_string() &&
          got.get_ref<const std::string&>().find(op.value.get_ref<const std::string&>()) != std::string::npos)
        return false;
      if (got.is_array() && std::find(got.begin(), got.end(), op.value) != got.end()) return false;
    }
    return true;
  }

  std::unique_ptr<Steps> compact_steps(const CompactHistory& h, const Json& initial,
                                       std::span<const CompactModelOp> ops) const override {
    return KvStringSteps::make(h, initial, ops);
  }

  void check_op(const ModelOp& op) const override {
    static const char* known[] = {"get", "read", "put", "write", "append"};
    for (const char* f : known)
      if (op.f == f) return;
    fail(ErrorCode::kBadInput,
         "kv: unknown op f \"" + op.f + "\"; expected get, put or append (read/write also accepted)");
  }
};

}  // namespace

std::unique_ptr<Model> kv_model() { return std::make_unique<KvModel>(); }

}  // namespace faultline::linear
