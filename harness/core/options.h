// Reading options a user wrote (workload, checker, nemesis and spec options: a JSON object) by key,
// typed. A missing (or null) key gives the default; a wrong type or value is Error(kBadInput) with
// one line naming the option, never an exception of the JSON library.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "harness/core/error.h"
#include "harness/core/json.h"
#include "harness/core/text.h"

namespace faultline {

class OptionReader {
 public:
  // `what` names the options in messages ("workload option"); `prefix` goes before each key
  // ("loss." names nemesis option "loss.probability"); `defaults` holds the keys `options` may
  // leave out. Options that are not an object are refused.
  OptionReader(const Json& options, std::string what, std::string prefix = "", Json defaults = Json::object())
      : what_(std::move(what)), prefix_(std::move(prefix)), defaults_(std::move(defaults)) {
    if (options.is_object())
      options_ = options;
    else if (!options.is_null())
      fail(ErrorCode::kBadInput, what_ + "s" + (prefix_.empty() ? "" : " of " + prefix_.substr(0, prefix_.size() - 1)) +
                                     " must be an object, got " + options.dump());
  }

  // Given by the user (not null), not only defaulted.
  bool has(const std::string& key) const { return options_.contains(key) && !options_[key].is_null(); }

  // The key as a T, from the options or else the defaults; Error(kInternal) when neither has it.
  template <typename T>
  T get(const std::string& key) const {
    if (has(key)) return as<T>(key, options_[key]);
    if (!defaults_.contains(key)) fail(ErrorCode::kInternal, what_ + " \"" + prefix_ + key + "\" has no default");
    return as<T>(key, defaults_[key]);
  }
  template <typename T>
  T get(const std::string& key, T fallback) const {
    return has(key) || defaults_.contains(key) ? get<T>(key) : fallback;
  }
  // A number of at least `min`.
  template <typename T>
  T at_least(const std::string& key, T fallback, T min) const {
    T v = get<T>(key, fallback);
    if (!(v >= min)) bad(key, "must be at least " + Json(min).dump() + ", got " + Json(v).dump());
    return v;
  }
  // One of `allowed`.
  std::string choice(const std::string& key, const std::string& fallback,
                     const std::vector<std::string>& allowed) const {
    std::string v = get<std::string>(key, fallback);
    for (const auto& a : allowed)
      if (a == v) return v;
    bad(key, "must be one of " + join(allowed) + ", got \"" + v + "\"");
  }

  [[noreturn]] void bad(const std::string& key, const std::string& why) const {
    fail(ErrorCode::kBadInput, what_ + " \"" + prefix_ + key + "\" " + why);
  }

 private:
  template <typename T>
  T as(const std::string& key, const Json& j) const {
    if constexpr (std::is_same_v<T, Json>) {
      return j;
    } else if constexpr (std::is_same_v<T, bool>) {
      if (!j.is_boolean()) bad(key, "must be true or false, got " + j.dump());
    } else if constexpr (std::is_integral_v<T>) {
      if (!j.is_number_integer() || (std::is_unsigned_v<T> && j.get<int64_t>() < 0 && !j.is_number_unsigned()))
        bad(key, std::string("must be ") + (std::is_unsigned_v<T> ? "a non-negative integer" : "an integer") +
                     ", got " + j.dump());
    } else if constexpr (std::is_floating_point_v<T>) {
      if (!j.is_number()) bad(key, "must be a number, got " + j.dump());
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!j.is_string()) bad(key, "must be a string, got " + j.dump());
    } else {
      static_assert(std::is_same_v<T, std::vector<std::string>>,
                    "options are read as Json, bool, numbers, strings or lists of strings");
      bool strings = j.is_array();
      for (const auto& e : j) strings = strings && e.is_string();
      if (!strings) bad(key, "must be a list of strings, got " + j.dump());
    }
    if constexpr (!std::is_same_v<T, Json>) return j.get<T>();
  }

  Json options_ = Json::object();
  std::string what_, prefix_;
  Json defaults_;
};

}  // namespace faultline
