// Escaping for the HTML pages faultline writes (reports, checker views): histories carry arbitrary
// strings from the system under test, so every value shown goes through this.
#pragma once

#include <string>
#include <string_view>

namespace faultline {

// Text safe inside HTML element content and quoted attribute values.
std::string html_escape(std::string_view text);

}  // namespace faultline
