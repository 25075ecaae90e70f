// The fixed parts of report.html, results/report.css and results/report.js (compiled in by
// cmake/embed.cmake): its style sheet and the script that draws the plots and the
// timeline from the JSON embedded in <script id="report-data"> (see summarize_history).
#pragma once

#include <string_view>

namespace faultline {

std::string_view report_css();
// Sets data-rendered="ok" on <body> once everything is drawn, or "error" with the message shown.
std::string_view report_script();

}  // namespace faultline
