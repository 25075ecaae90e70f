// bank: transfers between accounts 0..accounts-1 and reads of every balance, half each. The total
// (accounts x balance) must hold in every read. The system must start with these accounts and
// balances (the memory target reads them from the spec's workload options).
//   accounts (5), balance (10), max-transfer (5): amounts uniform in [1, max-transfer],
//   negative-balances (false): whether a read may show a negative balance.
#pragma once

#include "workloads/workload.h"

namespace faultline {
Workload bank_workload(const WorkloadEnv& env);
}
