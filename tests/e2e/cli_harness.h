// Runs the real `layerlab` binary as a user would, in a fresh store, capturing its output.
#pragma once

#include <string>
#include <vector>

#include <regex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace layerlab::testing {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `layerlab ARGS...` with LAYERLAB_ROOT=root (and `stdin_text` on stdin), waits for it.
CliResult RunCli(const std::string& root, const std::vector<std::string>& args,
                 const std::string& stdin_text = "");

// Starts `layerlab ARGS...` in the background (output discarded); returns its pid.
int StartCli(const std::string& root, const std::vector<std::string>& args,
             const std::string& stderr_path = "/dev/null");

// A test fixture with a fresh store root and scratch folder, removed afterwards.
class CliTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  CliResult Run(const std::vector<std::string>& args, const std::string& stdin_text = "") {
    return RunCli(root_, args, stdin_text);
  }
  // Runs and expects exit 0; returns stdout.
  std::string Ok(const std::vector<std::string>& args);
  // Writes a file under the scratch folder and returns its path.
  std::string WriteFile(const std::string& name, const std::string& content);
  // Makes a tar of the given {path, content} files with the system's `tar`; returns its path.
  std::string MakeTar(const std::string& name,
                      const std::vector<std::pair<std::string, std::string>>& files);
  std::string root_;
  std::string scratch_;
};

// Splits output into lines (no trailing empty line).
std::vector<std::string> Lines(const std::string& s);
// Splits a table row on runs of 2+ spaces (Docker's column gaps are at least 3).
std::vector<std::string> Columns(const std::string& row);

bool Matches(const std::string& s, const std::regex& re);
// Strips trailing newlines and spaces.
std::string Trim(std::string s);
// The hex digest `sha256sum` prints for a file (an independent check of our digests).
std::string Sha256Hex(const std::string& path);
// go-units HumanSizeWithPrecision, written independently of sim/cli/format.cc.
std::string GoHumanSize(int64_t bytes, int precision);
// The JSON lines of an --explain=json:FILE trace.
std::vector<nlohmann::json> ReadTrace(const std::string& path);

}  // namespace layerlab::testing
