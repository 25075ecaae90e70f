// TickerDaemon: a tiny target daemon for nemesis tests. On each node it runs a shell loop (its own
// session and process group, pid in a pidfile) that writes the wall-clock time it sees to
// kTickerTimeFile every 100 ms, under libfaketime when asked, and keeps a data file for disk
// faults. It implements Daemon, so the nemesis can kill, start, pause, resume and corrupt it.
#pragma once

#include <string>

#include "harness/control/daemon.h"

namespace faultline {

extern const std::string kTickerTimeFile;
extern const std::string kTickerDataFile;

class TickerDaemon : public Daemon {
 public:
  explicit TickerDaemon(bool faketime) : faketime_(faketime) {}
  // Starts the loop unless it already runs; writes the data file if it is missing.
  void start(Session& node) override;
  void kill(Session& node) override;
  void pause(Session& node) override;
  void resume(Session& node) override;
  std::vector<std::string> data_files(Session& node) override { return {kTickerDataFile}; }

  // The loop's pid on the node, or 0 when it does not run.
  static long pid(Session& node);
  // The process state letter of the loop (ps stat: S, R, T, …), or "" when it does not run.
  static std::string state(Session& node);

 private:
  void signal(Session& node, const char* signal);
  bool faketime_;
};

}  // namespace faultline
