// Any system as a target, described by a JSON file (see targets/redis/redis.json for an example):
//
//   name            the target's name (default: the file's name without .json)
//   install         command run on each node before the first start (optional)
//   start           command that runs the system in the foreground on a node (required)
//   stop            command run on each node at teardown before its processes are stopped (optional)
//   port            the system's port, for {port} and the default readiness check (optional)
//   data-dir        wiped at setup (default <node storage>/<name>/data)
//   log             where start's stdout/stderr go (default <node storage>/<name>/<name>.log)
//   logs            more files to download into the run directory at teardown (optional)
//   pidfile         a file the system writes its own pid to; kill/pause signal that pid (optional)
//   process-pattern kill/pause signal the processes matching this pattern (pkill -f) (optional)
//                   without either, kill/pause signal the process group that start created
//   ready           {"tcp": port} or {"command": "..."} (default {"tcp": port} when port is set)
//   ready-timeout   seconds to wait for readiness on every node (default 30)
//   client          {"command": [argv...]}: the client program (docs/client-protocol.md) (required)
//   speaks          the workload vocabularies the client speaks, e.g. ["register", "cas-register"] (required)
//   files           [{"from": local path (relative to this file), "to": node path}] uploaded before install
//
// docs/spec-targets.md is the reference, with an example.
//
// Node commands may use the placeholders {node} {address} {index} (1-based) {nodes} {addresses}
// (space-separated) {peers} (the other nodes' addresses, comma-separated) {first_node}
// {first_address} {port} {data_dir} {log}; client arguments may use {spec_dir} {port}. Values are
// inserted as they are (no quoting); "${...}" is left to the shell and "{{" means "{".
#pragma once

#include <map>
#include <memory>
#include <string>

#include "harness/core/json.h"
#include "targets/target.h"

namespace faultline {

// `options`: {"file": path of the spec file}. Reads and checks the file at once: throws
// Error(kBadInput) naming a missing or unknown field or an unknown placeholder, Error(kNotFound)
// when the file cannot be read.
std::unique_ptr<Target> spec_target(const Json& options);

// Replaces the placeholders in `text` by `values`; throws Error(kBadInput) naming every unknown
// placeholder and the field (`where`) it appears in.
std::string expand_placeholders(const std::string& text, const std::map<std::string, std::string>& values,
                                const std::string& where);

}  // namespace faultline
