// Helpers shared by the Dockerfile parser tests (dockerfile_*_test.cc).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "layerlab/dockerfile.h"

#ifndef LAYERLAB_TEST_DATA
#error "compile with -DLAYERLAB_TEST_DATA='\"/path/to/tests/data\"'"
#endif

namespace layerlab::dftest {

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

// Parses `text`, failing the test (and returning an empty tree) when it does not parse.
inline Dockerfile Parse(std::string_view text) {
  Result<Dockerfile> df = ParseDockerfile(text, "Dockerfile");
  EXPECT_TRUE(df.has_value()) << df.error().message();
  return df.has_value() ? std::move(*df) : Dockerfile{};
}

// The whole error message for `text`, or "(parsed)" when it parses.
inline std::string Error(std::string_view text) {
  Result<Dockerfile> df = ParseDockerfile(text, "Dockerfile");
  if (df.has_value()) return "(parsed)";
  EXPECT_EQ(df.error().code(), Code::kInvalidArgument);
  return df.error().message();
}

// The one instruction after `FROM a` in "FROM a\n" + line.
inline DockerfileNode Second(const std::string& line) {
  Dockerfile df = Parse("FROM a\n" + line);
  EXPECT_EQ(df.nodes.size(), 2u) << line;
  return df.nodes.size() == 2 ? df.nodes[1] : DockerfileNode{};
}

// The message DockerfileError gives for an error on line 2, the caret under the keyword (which
// starts the line): "Dockerfile:2: msg", the line, and carets.
inline std::string AtLine2(const std::string& line, const std::string& msg) {
  const size_t kw = line.find_first_of(" \t");
  const size_t len = kw == std::string::npos ? line.size() : kw;
  return "Dockerfile:2: " + msg + "\n 2 | " + line + "\n   | " + std::string(len, '^');
}

inline std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.is_open()) << "cannot open " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace layerlab::dftest
