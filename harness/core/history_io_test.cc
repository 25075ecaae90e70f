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
    if (entry.path().parent_path().filename() != "custom")
      EXPECT_NO_THROW(validate(h, entry.path().string()));
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
  EXPECT_EQ(edn_op(op).find(":value [[:append \"x\" 1] [:r \"x\" nil]]") != std::string::npos, true)
      << edn_op(op);
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

TEST(HistoryIo, UnwritableDirectoryIsAClearError) {
  EXPECT_THROW(HistoryWriter("/proc/definitely/not/here.jsonl"), Error);
}

}  // namespace
}  // namespace faultline
