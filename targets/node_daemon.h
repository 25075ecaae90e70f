// A target's daemon on one node: started detached from the SSH channel (setsid, stdin from
// /dev/null, output to a log file) with its process group recorded in a pidfile, so it outlives the
// shell that started it and can be crashed, paused and stopped later. Shared by the built-in etcd
// target and the spec-file target.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "harness/control/session.h"
#include "targets/target.h"

namespace faultline {

// Lets fan_out (harness/control/fan_out.h) run over TestEnv::sessions.
inline const std::string& node_name(Session* session) { return session->node(); }

struct NodeDaemon {
  std::string command;   // a shell command line, run by sh as the leader of a new process group
  std::string log_file;  // stdout and stderr are appended here
  std::string pid_file;  // faultline writes that group's id here
  std::string env;       // shell words put before the command (e.g. libfaketime's env), may be empty
};

// Starts the daemon in the background and returns at once; creates the log's directory.
void start_node_daemon(Session& node, const NodeDaemon& daemon);

// Whether any process of the daemon's group is alive.
bool node_daemon_running(Session& node, const NodeDaemon& daemon);

// The last `lines` lines of the daemon's log ("" when it cannot be read).
std::string node_daemon_log_tail(Session& node, const NodeDaemon& daemon, int lines = 5);

// Throws Error(kRemote) naming the node, `what` and the log's last lines if the daemon has exited
// (so a failed start is reported at once, not after a readiness timeout).
void expect_node_daemon_running(Session& node, const NodeDaemon& daemon, const std::string& what);

// Sends `signal` (e.g. "KILL", "STOP") to the daemon's whole process group; a daemon that is not
// running is not an error. Returns whether a process was signalled.
bool signal_node_daemon(Session& node, const NodeDaemon& daemon, const std::string& signal);

// SIGTERMs the daemon's group, then SIGKILLs it if it still runs after `grace`; waits until gone.
void stop_node_daemon(Session& node, const NodeDaemon& daemon,
                      std::chrono::milliseconds grace = std::chrono::seconds(5));

// The address the controller reaches the node at (the server side of the SSH connection), so
// clients on the controller and peers on other nodes can use it; "127.0.0.1" for a local session.
std::string node_address(Session& node);

// What a daemon's start command must be prefixed with so clock faults reach it: libfaketime's
// environment on sandbox nodes when env.faketime (the opt-in faketime backend, nemesis/clock.h),
// else nothing (the default ptrace backend reaches processes after they start).
std::string daemon_clock_env(const TestEnv& env, Session& node);

// Copies each of `files` that exists on the node into env.run_dir/nodes/<node>/; never throws
// (teardown must go on), missing files are skipped.
void download_node_logs(Session& node, const TestEnv& env, const std::vector<std::string>& files);

// Calls `check` every 200 ms until it returns true or `timeout` passes; false on timeout.
bool wait_until(std::chrono::milliseconds timeout, const std::function<bool()>& check);

}  // namespace faultline
