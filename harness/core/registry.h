// Entries by name (checkers, models, workloads, targets, fault kinds), with one message for a name
// that is not there: `unknown <what> "<name>"; known: a, b, c` (kNotFound, exit 254).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "harness/core/error.h"
#include "harness/core/text.h"

namespace faultline {

template <typename Entry>
class Registry {
 public:
  using Entries = std::vector<std::pair<std::string, Entry>>;
  // `what` names an entry in messages ("workload"). Entries keep the order given (a map's: sorted).
  Registry(std::string what, Entries entries) : what_(std::move(what)), entries_(std::move(entries)) {}
  Registry(std::string what, std::map<std::string, Entry> entries)
      : Registry(std::move(what),
                 Entries(std::make_move_iterator(entries.begin()), std::make_move_iterator(entries.end()))) {}

  const Entry* find(const std::string& name) const {
    for (const auto& [n, entry] : entries_)
      if (n == name) return &entry;
    return nullptr;
  }
  const Entry& at(const std::string& name) const {
    if (const Entry* entry = find(name)) return *entry;
    fail(ErrorCode::kNotFound, "unknown " + what_ + " \"" + name + "\"; known: " + join(names()));
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [n, entry] : entries_) out.push_back(n);
    return out;
  }
  const Entries& entries() const { return entries_; }

 private:
  std::string what_;
  Entries entries_;
};

}  // namespace faultline
