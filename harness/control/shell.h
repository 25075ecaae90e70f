// Building POSIX shell command lines from arguments, so user values never need hand-quoting.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace faultline {

// Quotes one argument for a POSIX shell: the result always reads back as exactly `arg`.
std::string shell_quote(std::string_view arg);

// Quotes every argument and joins them with spaces: a command line that runs argv unchanged.
std::string shell_join(const std::vector<std::string>& argv);

}  // namespace faultline
