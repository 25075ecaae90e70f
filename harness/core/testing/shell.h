// For tests that run the real binary or a script: what a shell command prints on stdout.
#pragma once

#include <cstdio>
#include <string>

namespace faultline {

inline std::string shell_output(const std::string& command) {
  std::string out;
  if (FILE* p = popen(command.c_str(), "r")) {
    char buf[4096];
    for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    pclose(p);
  }
  return out;
}

}  // namespace faultline
