// The stats checker: counts ok/fail/info per f. Invalid when some f never succeeded, as in Jepsen
// (a workload where nothing worked tells nothing).
#pragma once

#include <memory>

#include "checkers/checker.h"

namespace faultline {
std::unique_ptr<Checker> stats_checker();
}
