#include "harness/core/spec.h"

#include <charconv>
#include <set>

#include "harness/core/error.h"
#include "harness/core/options.h"
#include "harness/core/random.h"

namespace faultline {
namespace {

[[noreturn]] void bad(const std::string& source, const std::string& field, const std::string& why) {
  fail(ErrorCode::kBadInput, source + ": field \"" + field + "\" " + why);
}

// "a,b,c" is accepted as well as ["a","b","c"].
std::vector<std::string> get_strings(const OptionReader& r, const Json& j, const std::string& key) {
  if (!j.is_string()) return r.get<std::vector<std::string>>(key, {});
  std::vector<std::string> out;
  std::string s = j.get<std::string>();
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t comma = s.find(',', pos);
    if (comma == std::string::npos) comma = s.size();
    if (comma > pos) out.push_back(s.substr(pos, comma - pos));
    pos = comma + 1;
  }
  return out;
}

Json get_object(const OptionReader& r, const Json& j, const std::string& key) {
  if (!j.is_object() && !j.is_null()) r.bad(key, "must be an object, got " + j.dump());
  return j.is_object() ? j : Json::object();
}

// "5", "2n", 5.
std::string get_concurrency(const Json& j, const std::string& source) {
  if (!j.is_number_integer() && !j.is_string())
    bad(source, "concurrency", "must be a positive integer or Kn (K times the number of nodes), got " + j.dump());
  std::string text = j.is_number_integer() ? std::to_string(j.get<int64_t>()) : j.get<std::string>();
  std::string digits = !text.empty() && text.back() == 'n' ? text.substr(0, text.size() - 1) : text;
  int n = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || p != digits.data() + digits.size() || n < 1)
    bad(source, "concurrency", "must be a positive integer or Kn (K times the number of nodes), got \"" + text + "\"");
  return text;
}

}  // namespace

int Spec::workers() const {
  bool per_node = !concurrency.empty() && concurrency.back() == 'n';
  int k = std::stoi(per_node ? concurrency.substr(0, concurrency.size() - 1) : concurrency);
  return per_node ? k * std::max<int>(1, static_cast<int>(nodes.size())) : k;
}

Spec parse_spec(const Json& j, const std::string& source) {
  if (!j.is_object()) fail(ErrorCode::kBadInput, source + ": a spec must be a JSON object");
  static const std::set<std::string> known = {"name",
                                              "nodes",
                                              "nodes-file",
                                              "sandbox",
                                              "ssh",
                                              "concurrency",
                                              "time-limit",
                                              "rate",
                                              "seed",
                                              "target",
                                              "target-options",
                                              "workload",
                                              "workload-options",
                                              "nemesis",
                                              "nemesis-interval",
                                              "nemesis-schedule",
                                              "nemesis-options",
                                              "op-timeout",
                                              "store"};
  for (const auto& [key, value] : j.items()) {
    if (!known.count(key)) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      fail(ErrorCode::kBadInput, source + ": unknown field \"" + key + "\"; known fields: " + list);
    }
  }
  Spec s;
  s.seed = random_seed();
  OptionReader r(j, source + ": field");
  for (const auto& [key, v] : j.items()) {
    if (key == "name")
      s.name = r.get<std::string>(key, s.name);
    else if (key == "nodes")
      s.nodes = get_strings(r, v, key), s.nodes_given = true;
    else if (key == "nodes-file")
      s.nodes_file = r.get<std::string>(key, s.nodes_file);
    else if (key == "sandbox")
      s.sandbox = r.get<std::string>(key, s.sandbox);
    else if (key == "ssh")
      s.ssh = get_object(r, v, key);
    else if (key == "concurrency")
      s.concurrency = v.is_null() ? s.concurrency : get_concurrency(v, source);
    else if (key == "time-limit")
      s.time_limit = r.at_least(key, s.time_limit, 0.0);
    else if (key == "rate")
      s.rate = r.at_least(key, s.rate, 0.0);
    else if (key == "seed")
      s.seed = r.get<uint64_t>(key, s.seed);
    else if (key == "target")
      s.target = r.get<std::string>(key, s.target);
    else if (key == "target-options")
      s.target_options = get_object(r, v, key);
    else if (key == "workload")
      s.workload = r.get<std::string>(key, s.workload);
    else if (key == "workload-options")
      s.workload_options = get_object(r, v, key);
    else if (key == "nemesis")
      s.nemesis = get_strings(r, v, key);
    else if (key == "nemesis-interval")
      s.nemesis_interval = r.at_least(key, s.nemesis_interval, 0.01);
    else if (key == "nemesis-schedule")
      s.nemesis_schedule = r.get<std::string>(key, s.nemesis_schedule);
    else if (key == "nemesis-options")
      s.nemesis_options = get_object(r, v, key);
    else if (key == "op-timeout")
      s.op_timeout = r.at_least(key, s.op_timeout, 0.001);
    else if (key == "store")
      s.store = r.get<std::string>(key, s.store);
  }
  if (s.nodes.empty()) s.nodes = {"n1", "n2", "n3", "n4", "n5"};
  if (s.name.empty()) s.name = s.workload + "-" + s.target;
  for (char c : s.name)
    if (c == '/' || c == '\0') bad(source, "name", "must not contain '/'");
  return s;
}

Json to_json(const Spec& s) {
  // A password is never written down: specs end up in run directories. Use ssh.password-env.
  Json ssh = s.ssh;
  if (ssh.contains("password")) ssh["password"] = "<redacted>";
  return {{"name", s.name},
          {"nodes", s.nodes},
          {"nodes-file", s.nodes_file},
          {"sandbox", s.sandbox},
          {"ssh", ssh},
          {"concurrency", s.concurrency},
          {"time-limit", s.time_limit},
          {"rate", s.rate},
          {"seed", s.seed},
          {"target", s.target},
          {"target-options", s.target_options},
          {"workload", s.workload},
          {"workload-options", s.workload_options},
          {"nemesis", s.nemesis},
          {"nemesis-interval", s.nemesis_interval},
          {"nemesis-schedule", s.nemesis_schedule},
          {"nemesis-options", s.nemesis_options},
          {"op-timeout", s.op_timeout},
          {"store", s.store}};
}

}  // namespace faultline
