#include "checkers/linear/html_view.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "harness/core/error.h"
#include "harness/core/html.h"

namespace faultline::linear {
namespace {

// Cuts a bar's label to what fits in `width` pixels of 11px monospace; the tooltip has it whole.
std::string fit(const std::string& label, int width) {
  size_t chars = static_cast<size_t>(std::max(1, (width - 6) / 7));
  return label.size() <= chars ? label : label.substr(0, chars > 1 ? chars - 1 : 0) + "…";
}

const char* role_class(HtmlBar::Role role) {
  switch (role) {
    case HtmlBar::Role::kLinearized: return "lin";
    case HtmlBar::Role::kStuck: return "stuck";
    case HtmlBar::Role::kConcurrent: return "conc";
    case HtmlBar::Role::kOther: break;
  }
  return "other";
}

constexpr int kRecentLinearized = 40;  // how much of the prefix before the failure is drawn
constexpr int kStep = 36, kLane = 34, kLeft = 90, kTop = 24;

}  // namespace

void write_html_view(const std::filesystem::path& path, size_t history_size, const HtmlView& view) {
  // The window: the stuck op, its concurrent ops and the end of the linearized prefix.
  int32_t last_order = -1;
  for (const HtmlBar& b : view.bars) last_order = std::max(last_order, b.order);
  std::vector<const HtmlBar*> shown;
  for (const HtmlBar& b : view.bars)
    if (b.role == HtmlBar::Role::kStuck || b.role == HtmlBar::Role::kConcurrent ||
        (b.order >= 0 && b.order > last_order - kRecentLinearized))
      shown.push_back(&b);
  int64_t horizon = view.focus_end + 1;  // where never-completed ops are drawn to end
  std::vector<int64_t> ticks;
  for (const HtmlBar* b : shown) {
    ticks.push_back(b->start);
    ticks.push_back(b->end >= 0 ? b->end : horizon);
  }
  std::sort(ticks.begin(), ticks.end());
  ticks.erase(std::unique(ticks.begin(), ticks.end()), ticks.end());
  auto x = [&](int64_t pos) {  // positions are compressed to ranks so gaps do not waste space
    return kLeft + kStep * static_cast<int>(std::lower_bound(ticks.begin(), ticks.end(), pos) - ticks.begin());
  };
  std::map<int64_t, int> lanes;
  for (const HtmlBar* b : shown) lanes.emplace(b->process, 0);
  int lane = 0;
  for (auto& [process, y] : lanes) y = lane++;

  std::ostringstream svg;
  int width = kLeft + kStep * static_cast<int>(ticks.size()) + 40;
  int height = kTop + kLane * lane + 10;
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << width << "' height='" << height << "'>\n";
  for (auto& [process, y] : lanes)
    svg << "<text x='4' y='" << kTop + y * kLane + 18 << "' class='lane'>process " << process << "</text>\n";
  for (const HtmlBar* b : shown) {
    int y = kTop + lanes[b->process] * kLane;
    int x0 = x(b->start), x1 = std::max(x(b->end >= 0 ? b->end : horizon), x0 + 8);
    std::string tip = b->label + (b->end < 0 ? " (never completed)" : "");
    if (b->order >= 0) tip += "\nlinearized #" + std::to_string(b->order + 1) + ", model after: " + b->model_after;
    svg << "<g class='" << role_class(b->role) << (b->end < 0 ? " open" : "") << "'><title>" << html_escape(tip)
        << "</title><rect x='" << x0 << "' y='" << y + 4 << "' width='" << x1 - x0 << "' height='22' rx='4'/>"
        << "<text x='" << x0 + 4 << "' y='" << y + 19 << "'>"
        << html_escape(fit((b->order >= 0 ? "#" + std::to_string(b->order + 1) + " " : "") + b->label, x1 - x0))
        << "</text></g>\n";
  }
  svg << "</svg>";

  std::ostringstream table;
  table << "<table><tr><th>#</th><th>op</th><th>model after</th></tr>\n";
  std::vector<const HtmlBar*> prefix;
  for (const HtmlBar* b : shown)
    if (b->order >= 0) prefix.push_back(b);
  std::sort(prefix.begin(), prefix.end(), [](auto* a, auto* b) { return a->order < b->order; });
  for (const HtmlBar* b : prefix)
    table << "<tr><td>" << b->order + 1 << "</td><td>" << html_escape(b->label) << "</td><td>"
          << html_escape(b->model_after) << "</td></tr>\n";
  for (const HtmlBar* b : shown)
    if (b->role == HtmlBar::Role::kStuck)
      table << "<tr class='stuck'><td>✗</td><td>" << html_escape(b->label)
            << "</td><td>cannot be linearized</td></tr>\n";
  table << "</table>";

  std::ofstream out(path);
  out << "<!doctype html><html><head><meta charset='utf-8'><title>" << html_escape(view.title) << "</title><style>"
      << "body{font-family:sans-serif;margin:1em}svg{font:11px monospace;display:block;overflow:visible}"
      << ".lane{fill:#444}g rect{stroke:#333;stroke-width:.5}g text{fill:#111}.other rect{fill:#ddd}"
      << ".lin rect{fill:#9d9}.stuck rect{fill:#e66}.conc rect{fill:#fc6}.open rect{stroke-dasharray:4 2}"
      << "table{border-collapse:collapse;margin-top:1em}td,th{border:1px solid #ccc;padding:2px 6px;font:12px "
         "monospace}"
      << "tr.stuck td{background:#fcc}.scroll{overflow-x:auto;border:1px solid #eee}</style></head><body>\n"
      << "<h2>" << html_escape(view.title) << "</h2><p>" << html_escape(view.explanation) << "</p>"
      << "<p>Green: the last " << prefix.size() << " ops of the longest linearizable prefix, numbered in "
      << "linearization order. Red: the op that cannot be linearized. Orange: concurrent ops not placed. "
      << "Dashed: never completed. Hover a bar for details. " << history_size << " ops in the history.</p>"
      << "<div class='scroll'>" << svg.str() << "</div>" << table.str()
      << "<script>document.querySelector('.scroll').scrollLeft = 1e9;</script>"  // the failure is at the right
      << "</body></html>\n";
  if (!out) fail(ErrorCode::kIo, "cannot write " + path.string() + "; check that the directory is writable");
}

}  // namespace faultline::linear
