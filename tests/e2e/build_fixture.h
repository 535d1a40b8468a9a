// The `build` e2e fixture: a fresh store per test, build contexts in the scratch folder, and
// helpers that read what a build made the way a user can see it (progress on stderr, `image
// inspect`, the image's config blob, files through `run`).
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "e2e/cli_harness.h"

namespace layerlab::testing::build {

using nlohmann::json;

inline const std::regex kImageIdLine("^sha256:[0-9a-f]{64}\n$");

// One history entry of an image config: what the step was, and whether it made a layer.
struct HistoryEntry {
  std::string created_by;
  bool empty_layer = false;
  std::string comment;
  bool operator==(const HistoryEntry& o) const {
    return created_by == o.created_by && empty_layer == o.empty_layer && comment == o.comment;
  }
};

inline std::ostream& operator<<(std::ostream& os, const HistoryEntry& h) {
  return os << "{" << (h.empty_layer ? "empty " : "layer ") << "\"" << h.created_by << "\" \""
            << h.comment << "\"}";
}

// A step of this build as BuildKit's plain progress prints it.
inline HistoryEntry Layer(const std::string& created_by) {
  return {created_by, false, "buildkit.dockerfile.v0"};
}
inline HistoryEntry Empty(const std::string& created_by) {
  return {created_by, true, "buildkit.dockerfile.v0"};
}

// The "[...] TEXT" names of the steps, in the order printed ("#5 [2/4] COPY . /app" gives
// "[2/4] COPY . /app").
inline std::vector<std::string> StepNames(const std::string& err) {
  static const std::regex kStep("^#[0-9]+ (\\[[^\\]]*\\] .*)$");
  std::vector<std::string> out;
  std::smatch m;
  for (const auto& line : Lines(err)) {
    if (std::regex_match(line, m, kStep) && m[1].str().rfind("[internal]", 0) != 0) {
      out.push_back(m[1]);
    }
  }
  return out;
}

// How the step whose "[...] TEXT" name ends with `text` finished: "CACHED", "DONE", "ERROR",
// "STARTED" (no end line), or "ABSENT" (never printed).
inline std::string StepStatus(const std::string& err, const std::string& text) {
  static const std::regex kStep("^#([0-9]+) \\[[^\\]]*\\] (.*)$");
  std::vector<std::string> lines = Lines(err);
  std::string vertex;
  std::smatch m;
  for (const auto& line : lines) {
    if (std::regex_match(line, m, kStep) && m[2].str() == text) vertex = m[1];
  }
  if (vertex.empty()) return "ABSENT";
  for (const auto& line : lines) {
    if (line.rfind("#" + vertex + " CACHED", 0) == 0) return "CACHED";
    if (line.rfind("#" + vertex + " DONE ", 0) == 0) return "DONE";
    if (line.rfind("#" + vertex + " ERROR", 0) == 0) return "ERROR";
  }
  return "STARTED";
}

// Lines of `err` that contain `needle`.
inline std::vector<std::string> LinesWith(const std::string& err, const std::string& needle) {
  std::vector<std::string> out;
  for (const auto& line : Lines(err)) {
    if (line.find(needle) != std::string::npos) out.push_back(line);
  }
  return out;
}

class BuildFixture : public CliTest {
 protected:
  // A new, empty build context folder under the scratch folder; returns its absolute path.
  std::string Context(const std::string& name = "ctx") {
    std::string dir = scratch_ + "/" + name;
    std::filesystem::create_directories(dir);
    return dir;
  }
  // Writes `rel` (parents made) inside the folder `dir`.
  void Put(const std::string& dir, const std::string& rel, const std::string& content) {
    std::string path = dir + "/" + rel;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  }
  // A tar (gzip'd when the name ends in .gz) of the given files, made by the system's `tar`
  // at `dir/name`.
  void PutTar(const std::string& dir, const std::string& name,
              const std::vector<std::pair<std::string, std::string>>& files) {
    std::string tree = scratch_ + "/tartree-" + name;
    for (const auto& [p, c] : files) Put(tree, p, c);
    std::string z = name.ends_with(".gz") ? "z" : "";
    std::string cmd = "tar -C '" + tree + "' -c" + z + "f '" + dir + "/" + name + "' .";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }

  // `layerlab build FLAGS... DIR`.
  CliResult Build(const std::string& dir, std::vector<std::string> flags = {}) {
    std::vector<std::string> args = {"build"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.push_back(dir);
    return Run(args);
  }
  // Builds, expecting success.
  CliResult BuildOk(const std::string& dir, std::vector<std::string> flags = {}) {
    CliResult r = Build(dir, flags);
    EXPECT_EQ(r.exit_code, 0) << "stdout: " << r.out << "\nstderr: " << r.err;
    return r;
  }
  // Builds with -q, expecting success; returns the image ID it printed.
  std::string BuildId(const std::string& dir, std::vector<std::string> flags = {}) {
    flags.push_back("-q");
    CliResult r = BuildOk(dir, flags);
    EXPECT_TRUE(Matches(r.out, kImageIdLine)) << r.out;
    return Trim(r.out);
  }

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
  std::string IdOf(const std::string& name) { return Inspect(name).value("Id", ""); }
  bool ImageExists(const std::string& name) {
    return Run({"image", "inspect", name}).exit_code == 0;
  }
  size_t LayerCount(const std::string& name) {
    json j = Inspect(name);
    return j.contains("RootFS") ? j["RootFS"]["Layers"].size() : 0;
  }
  // The image's config blob (the image ID is its digest), as the OCI image spec defines it.
  json ConfigBlob(const std::string& name) {
    std::string id = IdOf(name);
    if (id.size() != 71) return json::object();
    std::ifstream in(root_ + "/blobs/sha256/" + id.substr(7));
    json j = json::parse(in, nullptr, false);
    EXPECT_TRUE(j.is_object()) << "config blob of " << name;
    return j.is_object() ? j : json::object();
  }
  // The history entries of an image's config, oldest first.
  std::vector<HistoryEntry> History(const std::string& name) {
    std::vector<HistoryEntry> out;
    json cfg = ConfigBlob(name);
    if (!cfg.contains("history")) return out;
    for (const auto& h : cfg["history"]) {
      out.push_back(
          {h.value("created_by", ""), h.value("empty_layer", false), h.value("comment", "")});
    }
    return out;
  }
  // The history entries this build added (the seeded busybox has two).
  std::vector<HistoryEntry> BuiltHistory(const std::string& name) {
    std::vector<HistoryEntry> h = History(name);
    size_t base = History("busybox").size();
    if (h.size() < base) return {};
    return std::vector<HistoryEntry>(h.begin() + static_cast<long>(base), h.end());
  }

  // Runs `/bin/sh -c SCRIPT` in a throwaway container of `image` (as the image's user, in its
  // working directory); expects exit 0 and returns stdout.
  std::string Sh(const std::string& image, const std::string& script) {
    return Ok({"run", "--rm", "--entrypoint", "/bin/sh", image, "-c", script});
  }
};

}  // namespace layerlab::testing::build
