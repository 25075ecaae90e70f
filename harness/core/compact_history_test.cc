#include "harness/core/compact_history.h"

#include <gtest/gtest.h>

#include "harness/core/history_view.h"

namespace faultline {
namespace {

History sample() {
  History h;
  auto add = [&](OpType type, int64_t process, std::string f, Json value, Json error = Json(), std::string node = "") {
    Op op;
    op.index = int64_t(h.size());
    op.time = 10 * op.index;
    op.type = type;
    op.process = process;
    op.f = std::move(f);
    op.value = std::move(value);
    op.error = std::move(error);
    op.node = std::move(node);
    h.push_back(std::move(op));
  };
  add(OpType::kInvoke, 0, "txn", Json::parse(R"([["append",1,2],["r",1,null]])"));
  add(OpType::kOk, 0, "txn", Json::parse(R"([["append",1,2],["r",1,[2]]])"), Json(), "n1");
  add(OpType::kInvoke, 1, "write", Json(18446744073709551615ULL));
  add(OpType::kInfo, 1, "write", Json(-3.25), Json::parse(R"({"code":"timeout","at":[1,{"x":null}]})"));
  add(OpType::kInfo, kNemesisProcess, "start-partition", Json("h\u00e9lf"));
  add(OpType::kInvoke, 2, "read", Json());
  add(OpType::kOk, 2, "read", Json::parse(R"({"a":true,"b":false,"c":[]})"));
  add(OpType::kOk, 3, "", Json(std::string(40000, 'x')));
  return h;
}

TEST(CompactHistory, GivesBackEveryOpAsItWas) {
  const History h = sample();
  const CompactHistory c = compact(h);
  ASSERT_EQ(c.size(), h.size());
  const History back = c.history();
  for (size_t i = 0; i < h.size(); ++i) EXPECT_EQ(to_json(back[i]), to_json(h[i])) << i;
}

TEST(CompactHistory, InternsStringsAndValues) {
  const CompactHistory c = compact(sample());
  EXPECT_EQ(c[0].f, c[1].f);
  EXPECT_EQ(c.str(c[0].f), "txn");
  EXPECT_EQ(c.find("txn"), c[0].f);
  EXPECT_EQ(c.find("no such string"), kNoString);
  EXPECT_EQ(c.str(c[1].node), "n1");
  EXPECT_EQ(c[0].node, kNoString);
  EXPECT_EQ(c[0].error, kNoValue);
  EXPECT_TRUE(c.is_null(c[5].value));
  // [["append",1,2],["r",1,null]]: the first micro-op is an array of a string and two ints.
  const ValueId mop = c.element(c[0].value, 0);
  ASSERT_EQ(c.count(c[0].value), 2u);
  ASSERT_EQ(c.count(mop), 3u);
  EXPECT_EQ(c.str(c.as_string(c.element(mop, 0))), "append");
  EXPECT_EQ(c.as_int(c.element(mop, 2)), 2);
  EXPECT_TRUE(c.equal(mop, c.element(c[1].value, 0)));
  EXPECT_EQ(c.hash(mop), c.hash(c.element(c[1].value, 0)));
  EXPECT_FALSE(c.equal(c[0].value, c[1].value));
}

// Arrays of ints only are packed (8 bytes an element, no node each), and read like any other:
// elements, equality and hash by value, JSON, and through append().
TEST(CompactHistory, PacksArraysOfInts) {
  History h = sample();
  h[0].value = Json::parse(R"([["r",1,[5,-6,7]],["r",2,[5,-6,7]],["r",3,[5,"6",7]],["r",4,[5,-6]]])");
  CompactHistoryBuilder b;
  CompactHistory first = compact(h);
  b.append(first);
  b.append(first);
  const CompactHistory both = b.finish();
  for (const CompactHistory* read : std::initializer_list<const CompactHistory*>{&first, &both}) {
    const CompactHistory& c = *read;
    const ValueId v = c[c.size() - 8].value;  // sample()'s first op, in the last copy
    auto list = [&](size_t mop) { return c.element(c.element(v, mop), 2); };
    EXPECT_TRUE(c.node(list(0)).packed);
    EXPECT_FALSE(c.node(list(2)).packed);
    ASSERT_EQ(c.count(list(0)), 3u);
    EXPECT_TRUE(c.is_int(c.element(list(0), 1)));
    EXPECT_EQ(c.as_int(c.element(list(0), 1)), -6);
    EXPECT_TRUE(c.equal(list(0), list(1)));
    EXPECT_EQ(c.hash(list(0)), c.hash(list(1)));
    EXPECT_FALSE(c.equal(list(0), list(2)));
    EXPECT_FALSE(c.equal(list(0), list(3)));
    EXPECT_EQ(c.json(v), h[0].value);
    EXPECT_TRUE(c.json(c[c.size() - 1].value) == h.back().value);
  }
  EXPECT_EQ(first.packed_int_count(), 2 * 3 + 2 + 1u);  // sample()'s [2] too
}

TEST(HistoryView, MakesTheOtherFormOnFirstUse) {
  const History h = sample();
  const HistoryView from_ops(h);
  EXPECT_EQ(&from_ops.ops(), &h);
  EXPECT_EQ(from_ops.compact().size(), h.size());
  const CompactHistory c = compact(h);
  const HistoryView from_compact(c);
  EXPECT_EQ(&from_compact.compact(), &c);
  EXPECT_EQ(to_json(from_compact.ops()[3]), to_json(h[3]));
}

}  // namespace
}  // namespace faultline
