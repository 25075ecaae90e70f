// Maelstrom's services (lin-kv, seq-kv, lww-kv, lin-tso), which node programs call as if they were
// nodes. One relay hosts them (relay.cc); this is their logic, free of I/O so it is unit-tested.
//
// The key-value services keep one map each under one lock, so all three are linearizable, which
// is what lin-kv promises and stronger than seq-kv and lww-kv promise. lin-tso answers `ts` with
// strictly increasing integers.
//
// Each can be made to misbehave, for tests of checkers and of node programs (`fault`):
//   stale-reads  a key-value read returns the value before the last write, one read in three
//   lost-writes  a key-value write or cas is acknowledged but not applied, one in three
//   repeat-ts    lin-tso answers the previous timestamp again, one ts in three
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>

namespace faultline::maelstrom {

using Json = nlohmann::json;

// The service names, which are message destinations like node ids.
const std::set<std::string>& service_names();
// The faults above.
const std::set<std::string>& service_faults();

class Services {
 public:
  // `fault` is empty or one of service_faults(); `seed` drives which requests misbehave.
  explicit Services(std::string fault = "", uint64_t seed = 7) : fault_(std::move(fault)), rng_(seed) {}

  // The reply to `msg`, a request whose dest is a service: `read_ok`, `write_ok`, `cas_ok`,
  // `ts_ok`, or an error body with Maelstrom's code (20 key does not exist, 22 precondition
  // failed, 10 not supported).
  Json serve(const Json& msg);

 private:
  bool misbehave(const std::string& fault);

  std::string fault_;
  std::mutex mu_;
  std::mt19937_64 rng_;
  std::map<std::string, std::map<std::string, Json>> kv_;           // service -> key -> value
  std::map<std::string, std::map<std::string, Json>> kv_previous_;  // for stale-reads
  int64_t ts_ = 0;
};

}  // namespace faultline::maelstrom
