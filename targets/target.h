// The system under test, seen from the harness: a Target sets the system up on the nodes and makes
// Clients; a Client speaks to one node for one worker.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "harness/control/daemon.h"
#include "harness/core/json.h"
#include "harness/core/op.h"
#include "harness/core/random.h"

namespace faultline {

// What a target and its clients know about the run.
struct TestEnv {
  std::string name;
  std::vector<std::string> nodes;
  std::filesystem::path run_dir;  // the run directory (logs go to run_dir/nodes/<node>/)
  std::string vocabulary;         // the workload's op vocabulary, one of the target's speaks()
  double op_timeout_s = 10;       // how long a client may take for one op
  uint64_t seed = 0;
  std::vector<Session*> sessions;  // one per node, in node order; empty for in-process targets
  bool sandbox = false;   // the nodes are the local sandbox (clock faults per process, never the machine clock)
  bool faketime = false;  // clock faults through the opt-in faketime backend: start daemons under libfaketime
};

class Client {
 public:
  virtual ~Client() = default;
  // Connects to `node`; must not change the system's state. May throw.
  virtual void open(const std::string& node) {}
  // One-time preparation of the data the workload expects (`prepare`: e.g. {"accounts": 5,
  // "balance": 10} for bank; empty for most); the runner calls it once, on a client opened on the
  // first node, after Target::setup and before the first op.
  virtual void setup(const Json& prepare) {}
  // Performs `op` (an invocation) and returns its completion: type ok (took effect), fail (did not)
  // or info (unknown), with the value read or written. Throwing counts as info with the error.
  virtual Op invoke(const Op& op) = 0;
  virtual void teardown() {}
  virtual void close() {}
};

class Target {
 public:
  virtual ~Target() = default;
  virtual std::string name() const = 0;
  // The workload vocabularies its clients speak (see workload_vocabulary); the runner refuses any
  // other workload before a node is touched.
  virtual std::vector<std::string> speaks() const = 0;
  // Installs and starts the system on every node; returns when it is ready.
  virtual void setup(const TestEnv& env) {}
  // Stops the system and collects its logs into env.run_dir/nodes/<node>/.
  virtual void teardown(const TestEnv& env) {}
  virtual std::unique_ptr<Client> make_client() = 0;
  // False for in-process targets, which need no SSH sessions.
  virtual bool needs_nodes() const { return true; }
  // Kill/start/pause/resume of the target's processes; null when the target has none.
  virtual Daemon* daemon() { return nullptr; }
};

}  // namespace faultline
