// The container e2e fixture: a fresh store per test, the storage driver as the parameter, and
// helpers that compute expected tables and sizes independently of sim/cli.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e/cli_harness.h"


namespace layerlab::testing::containers {


using nlohmann::json;
namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Helpers

inline const std::regex kContainerId("^[0-9a-f]{64}$");
inline const std::regex kShortHex("^[0-9a-f]{12}$");
inline const std::regex kImageId("^sha256:[0-9a-f]{64}$");
inline const std::regex kGeneratedName("^[a-z]+_[a-z]+[0-9]*$");
// A container made a moment ago (a slow machine may take a few seconds).
inline const std::regex kJustNow("^(Less than a second|1 second|[0-9]+ seconds) ago$");
inline const std::regex kCleanSummary("^[0-9]+ blobs verified, 0 corrupt, 0 missing, 0 orphans$");

inline const std::string kPsHeader =
    "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES";
inline const std::string kInvalidNameTail = "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed\n";

// Characters (not bytes) of a UTF-8 string: tabwriter counts characters, and "…" is 3 bytes.
inline size_t CharCount(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Go's text/tabwriter as Docker sets it up (minwidth 10, tabwidth 1, padding 3): each column but
// the last is as wide as its widest cell plus 3, at least 10; the last cell is not padded.
inline std::string Tabulate(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    for (size_t i = 0; i + 1 < row.size(); ++i) {
      if (width.size() <= i) width.resize(i + 1, 10);
      width[i] = std::max(width[i], CharCount(row[i]) + 3);
    }
  }
  std::string out;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) out.append(width[i] - CharCount(row[i]), ' ');
    }
    out += "\n";
  }
  return out;
}

// The cell under `column` in `row` of an ASCII table, found by the header's column offsets.
inline std::string CellUnder(const std::string& header, const std::string& row,
                      const std::string& column) {
  size_t start = header.find(column);
  if (start == std::string::npos || start >= row.size()) return "";
  size_t end = header.find_first_not_of(' ', header.find("  ", start));
  std::string cell = row.substr(start, end == std::string::npos ? std::string::npos : end - start);
  while (!cell.empty() && cell.back() == ' ') cell.pop_back();
  return cell;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// What a shell command prints (stdout), e.g. `tar -tf`.
inline std::string Shell(const std::string& cmd) {
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return "";
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  EXPECT_EQ(pclose(p), 0) << cmd;
  return out;
}

inline std::set<std::string> AsSet(const std::vector<std::string>& v) {
  return std::set<std::string>(v.begin(), v.end());
}

// ---------------------------------------------------------------------------------------------
// Fixture

class ContainersE2E : public CliTest {
 protected:
  std::string driver_ = "overlay";
  std::string other_driver() const { return driver_ == "overlay" ? "copy" : "overlay"; }

  // `--storage-driver D create ARGS...`; returns the id it prints.
  std::string Create(const std::vector<std::string>& args) {
    std::vector<std::string> full = {"--storage-driver", driver_, "create"};
    full.insert(full.end(), args.begin(), args.end());
    return Trim(Ok(full));
  }
  std::string CreateWeb() { return Create({"--name", "web", "busybox"}); }

  // The single object `image inspect NAME` prints.
  json Inspect(const std::string& name) {
    std::string out = Ok({"image", "inspect", name});
    json j = json::parse(out, nullptr, false);
    if (j.is_discarded() || !j.is_array() || j.size() != 1) {
      ADD_FAILURE() << "image inspect " << name << " printed: " << out;
      return json::object();
    }
    return j[0];
  }
  std::string IdOf(const std::string& image) { return Inspect(image).value("Id", ""); }
  int64_t SizeOf(const std::string& image) { return Inspect(image).value("Size", int64_t{-1}); }
  std::vector<std::string> LayersOf(const std::string& image) {
    return Inspect(image)["RootFS"]["Layers"].get<std::vector<std::string>>();
  }
  std::string BlobPath(const std::string& digest) {
    return root_ + "/blobs/sha256/" + digest.substr(7);
  }
  std::string BusyboxLayerBlob() { return BlobPath(LayersOf("busybox").at(0)); }
  // A file of the busybox layer, read from its blob with the system's tar.
  std::string FromBusyboxLayer(const std::string& member) {
    return Shell("tar -xOf '" + BusyboxLayerBlob() + "' '" + member + "'");
  }
  std::string ContainerDir(const std::string& id) { return root_ + "/containers/" + id; }

  // `cp CONTAINER:PATH OUT` into a fresh scratch file; returns its content.
  std::string CopyOut(const std::string& container, const std::string& path) {
    static int n = 0;
    std::string out = scratch_ + "/out-" + std::to_string(++n);
    Ok({"cp", container + ":" + path, out});
    return ReadFile(out);
  }
  std::vector<std::string> Diff(const std::string& container) {
    return Lines(Ok({"diff", container}));
  }
  // One field of every `ps -a` row, newest first.
  std::vector<std::string> PsField(const std::string& field, bool no_trunc = false) {
    std::vector<std::string> args = {"ps", "-a", "--format", "{{." + field + "}}"};
    if (no_trunc) args.push_back("--no-trunc");
    return Lines(Ok(args));
  }
  // The SIZE of every `ps -a -s` row, newest first: "1MB (virtual 2.98MB)".
  std::vector<std::string> PsSizes() {
    return Lines(Ok({"ps", "-a", "-s", "--format", "{{.Size}}"}));
  }
  std::vector<std::string> ImageNames() {
    return Lines(Ok({"images", "--format", "{{.Repository}}:{{.Tag}}"}));
  }
  void ExpectSystemCheckClean() {
    CliResult r = Run({"system", "check"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    std::vector<std::string> lines = Lines(r.out);
    ASSERT_EQ(lines.size(), 1u) << r.out;
    EXPECT_TRUE(Matches(lines[0], kCleanSummary)) << lines[0];
  }
  // A one-layer image `big:1` holding data/big of 1 MiB, made with `import`.
  void ImportBigImage() {
    std::string tar = MakeTar("big.tar", {{"data/big", std::string(1048576, 'a')}});
    EXPECT_TRUE(Matches(Trim(Ok({"import", tar, "big:1"})), kImageId));
  }
};

class E2EContainersTest : public ContainersE2E, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    ContainersE2E::SetUp();
    driver_ = GetParam();
  }
  bool overlay() const { return driver_ == "overlay"; }
};


}  // namespace layerlab::testing::containers
