// `faultline export`: a history in the other format, so Jepsen's tools can read faultline's
// histories (EDN) and faultline's tools can read Jepsen's (JSONL).
#include <iostream>

#include "harness/cli/commands.h"
#include "harness/core/error.h"
#include "harness/core/history_io.h"

namespace faultline {

void add_export_command(CLI::App& app, int& exit_code) {
  auto file = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("edn");
  CLI::App* cmd = app.add_subcommand("export", "Print a history (JSONL or EDN) as Jepsen EDN or JSON Lines");
  cmd->add_option("HISTORY", *file, "History file, e.g. store/latest/history.jsonl")->required();
  cmd->add_option("--format", *format, "edn (default) or jsonl")->check(CLI::IsMember({"edn", "jsonl"}));
  cmd->callback([file, format, &exit_code] {
    History history = read_history_file(*file);
    if (*format == "edn")
      write_edn(std::cout, history);
    else
      write_jsonl(std::cout, history);
    exit_code = 0;
  });
}

}  // namespace faultline
