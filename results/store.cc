#include "results/store.h"

#include <unistd.h>

#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "harness/core/error.h"
#include "harness/core/log.h"

namespace faultline {
namespace fs = std::filesystem;

fs::path create_run_dir(const fs::path& store, const std::string& test_name) {
  std::error_code ec;
  fs::path parent = store / test_name;
  fs::create_directories(parent, ec);
  fs::path dir;
  if (!ec) {
    // Two runs in the same millisecond get distinct directories.
    for (int i = 0; i < 100; ++i) {
      dir = parent / (utc_now_basic() + (i ? "-" + std::to_string(i) : ""));
      if (fs::create_directory(dir, ec) || ec) break;
    }
  }
  if (ec)
    fail(ErrorCode::kIo, "cannot create a run directory under " + store.string() + ": " + ec.message() +
                             "; choose a writable store with --store DIR");
  fs::path latest = store / "latest";
  fs::remove(latest, ec);
  fs::create_directory_symlink(fs::relative(dir, store), latest, ec);  // best effort
  return dir;
}

void write_json_file(const fs::path& path, const Json& value) {
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp);
    out << value.dump(2, ' ', false, Json::error_handler_t::replace) << '\n';
    if (!out) fail(ErrorCode::kIo, "cannot write " + tmp.string() + ": " + std::strerror(errno));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) fail(ErrorCode::kIo, "cannot write " + path.string() + ": " + ec.message());
}

Json read_json_file(const fs::path& path) {
  std::ifstream in(path);
  if (!in) fail(ErrorCode::kIo, "cannot read " + path.string() + ": " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  Json j = Json::parse(ss.str(), nullptr, false);
  if (j.is_discarded()) fail(ErrorCode::kBadInput, path.string() + " is not valid JSON");
  return j;
}

}  // namespace faultline
