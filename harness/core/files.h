// Whole small files as text, for the places that read a note, a pid file or a log.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace faultline {

// The file's bytes; empty when it does not exist or cannot be read (the callers treat both alike).
inline std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace faultline
