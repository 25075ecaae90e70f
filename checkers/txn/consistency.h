// Consistency models and the anomalies they rule out, after Elle's tables (Adya; Bailis et al.;
// Cerone et al.; Daudjee & Salem). Names are Elle's friendly names: "serializable",
// "snapshot-isolation", "G-single-item", "G2-item-realtime" …
#pragma once

#include <set>
#include <string>
#include <vector>

namespace faultline::txn {

// Every model name known here (friendly names plus Adya aliases such as "PL-2").
std::vector<std::string> known_models();
// Every anomaly name known here.
std::vector<std::string> known_anomalies();

// The anomalies that must be absent for all of `models` to hold, plus the `extra` anomalies asked
// for, each closed over the anomalies that imply it. Throws Error(kBadInput) naming an unknown
// model or anomaly and listing the known ones.
std::set<std::string> reportable_anomalies(const std::vector<std::string>& models,
                                           const std::vector<std::string>& extra);

// True when every history with anomaly `a` also has `b` (a implies itself).
bool implies(const std::string& a, const std::string& b);

// What a set of found anomalies rules out: `not_models` are the weakest models ruled out,
// `also_not` every stronger model that falls with them. Both sorted.
struct Boundary {
  std::vector<std::string> not_models;
  std::vector<std::string> also_not;
};
Boundary boundary(const std::set<std::string>& found);

}  // namespace faultline::txn
