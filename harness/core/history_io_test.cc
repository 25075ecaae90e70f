#include "harness/core/history_io.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "harness/core/error.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;

TEST(HistoryIo, EveryPublicHistoryParsesAndValidates) {
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(FAULTLINE_DATA_DIR)) {
    auto ext = entry.path().extension();
    if (ext != ".edn" && ext != ".json") continue;
    SCOPED_TRACE(entry.path().string());
    History h = read_history_file(entry.path());
    EXPECT_FALSE(h.empty());
    // custom/comments.edn only exercises comment syntax; its ops are not a well-formed history.
    if (entry.path().parent_path().filename() != "custom") {
      EXPECT_NO_THROW(validate(h, entry.path().string()));
    }
    ++files;
  }
  EXPECT_GT(files, 30);
}

TEST(HistoryIo, JsonAndEdnFormsAgree) {
  std::string dir = std::string(FAULTLINE_DATA_DIR) + "/elle-cli/jepsen/";
  History edn = read_history_file(dir + "bank.edn");
  History json = read_history_file(dir + "bank.json");
  ASSERT_EQ(edn.size(), json.size());
  for (size_t i = 0; i < edn.size(); ++i) {
    EXPECT_EQ(edn[i].f, json[i].f);
    EXPECT_EQ(edn[i].type, json[i].type);
    EXPECT_EQ(edn[i].process, json[i].process) << i;
    EXPECT_EQ(edn[i].time, json[i].time) << i;
    EXPECT_EQ(edn[i].value, json[i].value) << i;
  }
}

TEST(HistoryIo, NemesisAndErrorsSurviveJsonlAndEdnRoundTrips) {
  History h = read_history_file(std::string(FAULTLINE_DATA_DIR) + "/knossos/mutex/bad/etcd.edn");
  std::stringstream jsonl, edn;
  write_jsonl(jsonl, h);
  write_edn(edn, h);
  History a = read_jsonl(jsonl.str(), "a");
  History b = read_edn_history(edn.str(), "b");
  ASSERT_EQ(a.size(), h.size());
  ASSERT_EQ(b.size(), h.size());
  for (size_t i = 0; i < h.size(); ++i) {
    EXPECT_EQ(a[i].process, h[i].process);
    EXPECT_EQ(b[i].process, h[i].process);
    EXPECT_EQ(a[i].value, h[i].value);
    EXPECT_EQ(b[i].error, h[i].error);
  }
}

TEST(HistoryIo, TxnMicroOpsAreKeywordsInEdn) {
  Op op;
  op.f = "txn";
  op.value = Json::parse(R"([["append","x",1],["r","x",null]])");
  EXPECT_EQ(edn_op(op).find(":value [[:append \"x\" 1] [:r \"x\" nil]]") != std::string::npos, true) << edn_op(op);
}

TEST(HistoryIo, WriterStreamsAndReaderToleratesCutOffLastLine) {
  fs::path path = fs::temp_directory_path() / "faultline-writer-test.jsonl";
  {
    HistoryWriter w(path);
    Op op;
    op.f = "write";
    op.value = 3;
    op.index = 0;
    w.append(op);
    op.type = OpType::kOk;
    op.index = 1;
    w.append(op);
    EXPECT_EQ(w.count(), 2);
  }
  std::ofstream(path, std::ios::app) << "{\"index\":2,\"ty";
  History h = read_history_file(path);
  EXPECT_EQ(h.size(), 2u);
  fs::remove(path);
}

TEST(HistoryIo, CorruptLineIsAnErrorWithFileAndLine) {
  try {
    read_jsonl("{\"type\":\"invoke\",\"process\":0,\"f\":\"r\"}\nnot json\n{}\n", "h.jsonl");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("h.jsonl:2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_jsonl("{\"type\":\"maybe\",\"process\":0,\"f\":\"r\"}\n", "h"), Error);
}

// A big file is read in parallel chunks; it must read exactly as each line does on its own, with
// line numbers counted across chunks and a cut-off last line dropped.
TEST(HistoryIo, ChunkedJsonlReadsLikeLineByLine) {
  std::string text;
  std::vector<std::string> lines;
  for (int i = 0; text.size() < (20 << 20); ++i) {
    std::string line = "{\"index\":" + std::to_string(i) + ",\"time\":" + std::to_string(i * 1000) + ",\"type\":\"" +
                       (i % 2 ? "ok" : "invoke") + "\",\"process\":" + std::to_string(i % 7) +
                       ",\"f\":\"txn\",\"value\":[[\"append\",\"k" + std::to_string(i % 13) + "\"," +
                       std::to_string(i) + "],[\"r\",3,[1,2,-3,1.5,18446744073709551615]]],\"node\":\"n1\"," +
                       "\"error\":{\"why\":\"\\u00e9\"}}";
    lines.push_back(line);
    text += line + "\n";
  }
  History h = read_jsonl(text + "{\"index\":", "big.jsonl");
  ASSERT_EQ(h.size(), lines.size());
  for (size_t i = 0; i < lines.size(); i += 997) {
    Op expected = op_from_json(Json::parse(lines[i]));
    EXPECT_EQ(h[i].time, expected.time);
    EXPECT_EQ(h[i].process, expected.process);
    EXPECT_EQ(h[i].type, expected.type);
    EXPECT_EQ(h[i].f, expected.f);
    EXPECT_EQ(h[i].node, expected.node);
    EXPECT_EQ(json_text(h[i].value), json_text(expected.value)) << i;
    EXPECT_EQ(json_text(h[i].error), json_text(expected.error)) << i;
  }
  // A bad line late in the file is named by its own line number.
  size_t bad = lines.size() - 5;
  std::string broken;
  for (size_t i = 0; i < lines.size(); ++i) broken += (i == bad ? std::string("{oops") : lines[i]) + "\n";
  try {
    read_jsonl(broken, "big.jsonl");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("big.jsonl:" + std::to_string(bad + 1) + ":"), std::string::npos) << e.what();
  }
}

TEST(HistoryIo, EdnOpErrorsNameTheOpsOwnLine) {
  try {
    read_edn_history("[{:type :invoke, :process 0, :f :read}\n {:type :maybe, :process 0}]\n", "v.edn");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("v.edn:2: op field \"type\""), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_edn_history("{:type :ok, :process 0, :f :read, :value 1}\n7\n", "n.edn"), Error);
  // Tagged ops, keys that are not keywords and unknown keys read as before.
  History h = read_edn_history("#jepsen.history.Op{:type :ok, \"process\" 3, :f :txn, :extra {:a [1]}}\n", "t");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].process, 3);
  EXPECT_EQ(h[0].f, "txn");
}

TEST(HistoryIo, UnwritableDirectoryIsAClearError) {
  EXPECT_THROW(HistoryWriter("/proc/definitely/not/here.jsonl"), Error);
}

// A text read in pieces gives what one read gives: the same ops (every `stride`-th compared whole,
// with its index as read) and the same strings.
void expect_same_reading(const CompactHistory& one, const CompactHistory& pieces, size_t stride) {
  ASSERT_EQ(one.size(), pieces.size());
  EXPECT_EQ(one.string_count(), pieces.string_count());
  for (size_t i = 0; i < one.size(); i += stride) {
    ASSERT_EQ(pieces[i].index, int64_t(i));
    ASSERT_EQ(to_json(one.op(i)), to_json(pieces.op(i))) << i;
  }
}

// The compact readers: objects ordered by key with the last of equal keys kept (as JSON has them),
// and a text read in two pieces (then appended) exactly as in one.
TEST(HistoryIo, CompactReadersOrderObjectsAndReadPiecesAsOne) {
  CompactHistory h = read_edn_compact("{:type :ok, :process 0, :f :read, :value {:b 1, :a 2, :b 3}}\n", "o");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h.json(h[0].value), Json::parse(R"({"a":2,"b":3})"));
  EXPECT_EQ(h.str(h.as_string(h.member_key(h[0].value, 0))), "a");
  std::string text;
  for (int i = 0; text.size() < (18 << 20); ++i)
    text += "{\"type\":\"" + std::string(i % 2 ? "ok" : "invoke") + "\",\"process\":" + std::to_string(i % 5) +
            ",\"f\":\"txn\",\"value\":[[\"append\",\"k" + std::to_string(i % 7) + "\"," + std::to_string(i) +
            "]],\"node\":\"n" + std::to_string(i % 3) + "\"}\n";
  expect_same_reading(read_jsonl_compact(text, "t", 1), read_jsonl_compact(text, "t", 2), 101);
}

// What a JSONL text reads as: its ops and string count, or the error.
std::string jsonl_reading(const std::string& text) {
  try {
    const CompactHistory h = read_jsonl_compact(text, "h.jsonl", 1);
    std::string reading = std::to_string(h.string_count()) + " strings";
    for (size_t i = 0; i < h.size(); ++i) reading += "\n" + json_text(to_json(h.op(i)));
    return reading;
  } catch (const Error& e) {
    return e.what();
  }
}

// Plain lines (read by hand) read as the general path reads them (an escape in a field the op
// ignores sends a line there), and so do the lines the hand reader gives up on, errors included:
// a field error only once the whole line is JSON, and the same line number.
TEST(HistoryIo, PlainJsonlLinesReadAsTheGeneralPathReadsThem) {
  const std::string first = R"({"type":"invoke","process":0,"f":"r"})"
                            "\n";
  const std::string lines[] = {
      R"({"type":"ok","process":3,"f":"txn","value":[["append",5,1],["r",5,[1,-2]]],"time":-7,"index":0})",
      " {\"type\" : \"info\" ,\t\"process\":\"nemesis\",\"f\":\":start\",\"value\":{\"b\":[true,false,null],"
      "\"a\":{},\"b\":1},\"node\":\"n1\"}  \r",
      R"({"type":"fail","process":1,"f":7,"value":0,"error":"timeout","type":"ok","x":[[],{"y":[1]}]})",
      R"({"type":"ok","process":1,"f":"r","value":[-0,1.5,-2e3,123456789012345678901,"\u00e9"]})",
      R"({"type":"ok","process":1,"f":"r","value":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]})",
      R"({"type":"maybe","process":0})",
      R"({"type":"maybe","process":0,oops})",
      R"({"type":"ok","process":0,"value":01})",
      R"({"type":"ok","process":0,"value":truex})",
      R"({"type":"ok","process":0} {"type":"ok","process":1})",
      R"([{"type":"ok","process":0}])",
      R"({"index":3})",
  };
  for (const std::string& line : lines) {
    std::string general = line;
    general.insert(general.find('{') + 1, R"("pad":"\u0041",)");
    const std::string plain_reading = jsonl_reading(first + line + "\n");
    EXPECT_EQ(plain_reading, jsonl_reading(first + general + "\n")) << line;
    if (plain_reading.find("strings") == std::string::npos) {
      EXPECT_NE(plain_reading.find("h.jsonl:2: "), std::string::npos) << plain_reading;
    }
  }
}

// EDN of one op map per line is read in two halves exactly as in one, also when the middle falls in
// a string holding "\n{" (the halves do not meet there, so the reader reads on), and an error in the
// second half names its own line.
TEST(HistoryIo, EdnReadsInHalvesAsInOne) {
  std::string half;
  int64_t lines = 0;
  for (int i = 0; half.size() < (9 << 20); ++i, ++lines)
    half += "{:type :" + std::string(i % 2 ? "ok" : "invoke") + ", :process " + std::to_string(i % 5) +
            ", :f :txn, :value [[:append " + std::to_string(i % 7) + " " + std::to_string(i) + "] [:r 3 [1 2 " +
            std::to_string(i) + "]]]}\n";
  const std::string trap = "{:type :ok, :process 9, :f :write, :value \"" + std::string(4000, 'x') + "\n{:oops 1}\"}\n";
  for (const std::string& text : {half + half, half + trap + half}) {
    expect_same_reading(read_edn_compact(text, "t", 1), read_edn_compact(text, "t", 2), 97);
  }
  try {
    read_edn_compact(half + half + "{:type :maybe, :process 0}\n", "h.edn", 2);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("h.edn:" + std::to_string(2 * lines + 1) + ":"), std::string::npos)
        << e.what();
  }
}

size_t occurrences(const std::string& text, std::string_view word) {
  size_t n = 0;
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) ++n;
  return n;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A sample of the shared public histories, read compact: one op per op map, numbered by position,
// the History form the same ops, and a few fields as the files spell them.
TEST(HistoryIo, PublicHistoriesReadCompactOpForOp) {
  const fs::path data = FAULTLINE_DATA_DIR;
  for (const char* name : {"knossos/mutex/bad/etcd.edn", "knossos/multi-register/good/multi-register.edn",
                           "porcupine/kv/c10-ok.edn", "elle-cli/jepsen/bank.edn", "elle-cli/jepsen/bank.json"}) {
    SCOPED_TRACE(name);
    const std::string text = slurp(data / name);
    const CompactHistory h = read_compact_history_file(data / name);
    // Each op map of these files starts a line ("{" or, for the first of a vector, "[{").
    EXPECT_EQ(h.size(), occurrences("\n" + text, "\n{") + occurrences("\n" + text, "\n[{"));
    const History ops = read_history_file(data / name);
    ASSERT_EQ(ops.size(), h.size());
    for (size_t i = 0; i < h.size(); ++i) {
      ASSERT_EQ(h[i].index, int64_t(i));
      ASSERT_EQ(to_json(ops[i]), to_json(h.op(i)));
    }
    EXPECT_NO_THROW(validate(h, name));
  }
  const CompactHistory etcd = read_compact_history_file(data / "knossos/mutex/bad/etcd.edn");
  // {:type :invoke, :f :release, :process 1, :time 341187643, :index 0}
  EXPECT_TRUE(etcd[0].is_invoke());
  EXPECT_EQ(etcd.str(etcd[0].f), "release");
  EXPECT_EQ(etcd[0].process, 1);
  EXPECT_EQ(etcd[0].time, 341187643);
  // {:type :fail, :f :release, :process 1, :time 342667129, :error :not-held, :index 1}
  EXPECT_TRUE(etcd[1].is_fail());
  ASSERT_TRUE(etcd.is_string(etcd[1].error));
  EXPECT_EQ(etcd.str(etcd.as_string(etcd[1].error)), "not-held");
  size_t nemesis = 0;
  for (const CompactOp& op : etcd.ops()) nemesis += op.is_nemesis();
  EXPECT_EQ(nemesis, occurrences(slurp(data / "knossos/mutex/bad/etcd.edn"), ":process :nemesis"));
  // Bank reads are maps of account to balance: {0 100, 1 0, ...} in EDN, {"0":100,...} in JSON.
  const CompactHistory edn = read_compact_history_file(data / "elle-cli/jepsen/bank.edn");
  const CompactHistory json = read_compact_history_file(data / "elle-cli/jepsen/bank.json");
  ASSERT_EQ(edn.kind(edn[1].value), ValueKind::kObject);
  EXPECT_EQ(edn.node(edn[1].value).size, 10u);
  EXPECT_EQ(edn.str(edn.as_string(edn.member_key(edn[1].value, 0))), "0");
  EXPECT_EQ(edn.as_int(edn.member_value(edn[1].value, 0)), 100);
  EXPECT_EQ(edn.json(edn[1].value), json.json(json[1].value));
}

}  // namespace
}  // namespace faultline
