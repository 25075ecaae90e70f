// The transactional checker (Elle-class): infers ww/wr/rw dependencies between transactions from
// list-append or rw-register histories, adds process and real-time order, and reports cycles and
// other anomalies under Elle's names, with the consistency models they rule out.
//
// Options (CheckOptions.options):
//   "model"               "list-append" | "rw-register" (default: the checker's own)
//   "consistency-models"  models to check, default ["strict-serializable"]
//   "anomalies"           extra anomalies to look for, e.g. ["G1c"]
//   "sequential-keys"     rw-register: assume each key is sequentially consistent (process order
//                         orders its versions); default false
//   "linearizable-keys"   rw-register: assume each key is linearizable (real-time order orders
//                         its versions); default false
//   "cycle-search-budget" arc visits per cycle search in one strongly connected component
//                         (default 20M); a search cut short makes an otherwise valid verdict unknown
// Details: "valid" (true/false/"unknown"), "anomaly-types", "anomalies" {name: [instances]},
// "anomaly-counts", "not", "also-not", "bounded-searches". Files (with out_dir): <anomaly>.txt
// explanations and <anomaly>/<n>.dot cycle graphs, rendered to .svg when Graphviz's `dot` is on
// PATH (otherwise the .txt says so).
//
// Garbage reads (a read of a value no txn wrote) are reported, unlike Elle, and make the history
// invalid under every model: they rule out read-uncommitted. Elle would call such a history valid.
#pragma once

#include <memory>

#include "checkers/checker.h"
#include "checkers/txn/txns.h"

namespace faultline {

std::unique_ptr<Checker> list_append_checker();
std::unique_ptr<Checker> rw_register_checker();

namespace txn {
// The check itself, for `model` unless options name another.
CheckResult check(const HistoryView& history, const CheckOptions& options, DataModel model);
}  // namespace txn

}  // namespace faultline
