// fan_out: run one function on every node at once and collect each node's result or error.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <variant>
#include <vector>

#include "harness/control/nodes.h"
#include "harness/control/session.h"
#include "harness/core/error.h"

namespace faultline {

// What fn did on one node: exactly one of value and error is set.
template <class R>
struct NodeOutcome {
  std::string node;
  std::optional<R> value;
  std::optional<Error> error;
};

inline const std::string& node_name(const NodeSpec& node) { return node.name; }
inline const std::string& node_name(const Session& session) { return session.node(); }
inline const std::string& node_name(const std::unique_ptr<Session>& session) { return session->node(); }

// Runs fn(item) for every item of `items` (NodeSpecs or Sessions), each on its own thread, and
// returns the outcomes in the order of `items` once all are done. Each thread writes only its own
// outcome, so no locks are needed. A void fn yields std::monostate values. Exceptions other than
// Error become Error(kInternal).
template <class Items, class Fn>
auto fan_out(Items& items, Fn fn) {
  using Item = decltype(*std::begin(items));
  using Returned = std::invoke_result_t<Fn&, Item>;
  using R = std::conditional_t<std::is_void_v<Returned>, std::monostate, Returned>;
  std::vector<NodeOutcome<R>> outcomes(std::size(items));
  std::vector<std::jthread> threads;
  size_t i = 0;
  for (auto& item : items) {
    NodeOutcome<R>& outcome = outcomes[i++];
    outcome.node = node_name(item);
    threads.emplace_back([&outcome, &item, &fn] {
      try {
        if constexpr (std::is_void_v<Returned>) {
          fn(item);
          outcome.value.emplace();
        } else {
          outcome.value.emplace(fn(item));
        }
      } catch (const Error& e) {
        outcome.error.emplace(e);
      } catch (const std::exception& e) {
        outcome.error.emplace(ErrorCode::kInternal, outcome.node + ": " + e.what());
      }
    });
  }
  threads.clear();  // joins
  return outcomes;
}

// The values of all outcomes, or one Error listing every failed node's message (separated by
// "; ") with the code of the first failure.
template <class R>
std::vector<R> values_or_throw(std::vector<NodeOutcome<R>> outcomes) {
  std::optional<Error> first;
  std::string message;
  std::vector<R> values;
  for (auto& outcome : outcomes) {
    if (outcome.error) {
      if (!first) first = outcome.error;
      message += (message.empty() ? "" : "; ") + std::string(outcome.error->what());
    } else {
      values.push_back(std::move(*outcome.value));
    }
  }
  if (first) throw Error(first->code(), message);
  return values;
}

}  // namespace faultline
