// Helpers shared by unit tests: a scratch folder removed at the end of each test.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace layerlab::testing {

class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/layerlab-unit-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override {
    // A removed container's folder may still be going away in the background
    // (Store::RemoveInBackground): whichever of us comes second finds entries gone; try again.
    for (int i = 0; i < 100; ++i) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
      if (!ec) return;
      usleep(20000);
    }
    std::filesystem::remove_all(dir_);
  }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  void Write(const std::string& path, const std::string& content) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << content;
  }
  static std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::string dir_;
};

#define ASSERT_OK(expr)                                \
  do {                                                 \
    auto&& _s = (expr);                                \
    ASSERT_TRUE(_s.ok()) << _s.message();              \
  } while (0)

}  // namespace layerlab::testing
