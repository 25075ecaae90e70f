// Maelstrom's workloads (docs/maelstrom.md) in faultline's op vocabulary; the maelstrom target's
// client turns each op into Maelstrom's client message and back.
//   echo        {f echo, value "text"}; checker echo
//   broadcast   {f broadcast, value N} and {f read}; final reads on every node after settle-s;
//               checker broadcast. Options: read-every (3), settle-s (5)
//   g-set       {f add, value N} and {f read}; checker set. Option: read-every (3)
//   g-counter / pn-counter  {f add, value D} and {f read}; final reads after settle-s; checker
//               eventual-counter. Options: max-add (5), settle-s (3)
//   lin-kv      read/write/cas on keys; linearizability (cas-register model), via register_workload
//   kafka       send [key msg], poll {key: from}, commit_offsets {key: offset},
//               list_committed_offsets [keys]; final polls of every key from 0 on every node after
//               settle-s; checker kafka (checkers/kafka). Options: key-count (4), settle-s (3)
#pragma once

#include "workloads/workload.h"

namespace faultline {

Workload echo_workload(const WorkloadEnv& env);
Workload broadcast_workload(const WorkloadEnv& env);
Workload g_set_workload(const WorkloadEnv& env);
Workload counter_crdt_workload(const WorkloadEnv& env, bool negative);
Workload kafka_workload(const WorkloadEnv& env);

}  // namespace faultline
