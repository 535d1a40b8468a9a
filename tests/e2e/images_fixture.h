// The image e2e fixture: a fresh store per test, and helpers that compute expected tables,
// sizes and times independently of sim/cli.
#pragma once

#include <utime.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e/cli_harness.h"

namespace layerlab::testing::images {


using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Helpers

inline const std::regex kShortHex("^[0-9a-f]{12}$");
inline const std::regex kFullId("^sha256:[0-9a-f]{64}$");
inline const std::regex kHumanSize("^[0-9.]+(B|kB|MB|GB)$");
inline const std::regex kCreatedAgo(
    "^(Less than a second|1 second|[0-9]+ seconds|About a minute|[0-9]+ minutes|About an hour|"
    "[0-9]+ hours|[0-9]+ days|[0-9]+ weeks|[0-9]+ months|[0-9]+ years) ago$");


// The code points of a UTF-8 string (tabwriter counts characters, and history cuts with "…").
inline std::vector<std::string> Chars(const std::string& s) {
  std::vector<std::string> out;
  for (unsigned char c : s) {
    if ((c & 0xC0) == 0x80 && !out.empty()) {
      out.back().push_back(static_cast<char>(c));
    } else {
      out.emplace_back(1, static_cast<char>(c));
    }
  }
  return out;
}

inline std::string RTrim(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// Cuts a table printed by the CLI into cells, at the header's column starts. Header names hold
// single spaces only ("IMAGE ID", "CREATED BY"), so a column starts after a run of 2+ spaces.
// Empty cells stay empty (unlike Columns(), which merges them away).
inline std::vector<std::vector<std::string>> Cells(const std::string& out) {
  std::vector<std::string> lines = Lines(out);
  if (lines.empty()) return {};
  std::vector<std::string> header = Chars(lines[0]);
  std::vector<size_t> starts = {0};
  for (size_t i = 2; i < header.size(); ++i) {
    if (header[i] != " " && header[i - 1] == " " && header[i - 2] == " ") starts.push_back(i);
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& line : lines) {
    std::vector<std::string> chars = Chars(line);
    std::vector<std::string> row;
    for (size_t c = 0; c < starts.size(); ++c) {
      size_t end = c + 1 < starts.size() ? starts[c + 1] : chars.size();
      std::string cell;
      for (size_t i = starts[c]; i < end && i < chars.size(); ++i) cell += chars[i];
      row.push_back(RTrim(cell));
    }
    rows.push_back(row);
  }
  return rows;
}

// What Go's text/tabwriter.NewWriter(out, 10, 1, 3, ' ', 0) prints for these rows (Docker's
// tables): a column is max(widest cell + 3, 10) wide; a row's last cell is not padded.
inline std::string Tabwriter(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    for (size_t i = 0; i + 1 < row.size(); ++i) {
      if (widths.size() <= i) widths.resize(i + 1, 10);
      widths[i] = std::max(widths[i], Chars(row[i]).size() + 3);
    }
  }
  std::string out;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) out.append(widths[i] - Chars(row[i]).size(), ' ');
    }
    out += "\n";
  }
  return out;
}




// ---------------------------------------------------------------------------------------------
// Fixture

class E2EImagesTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    const char* bb = std::getenv("LAYERLAB_BUSYBOX");
    saved_busybox_ = bb ? std::optional<std::string>(bb) : std::nullopt;
  }
  void TearDown() override {
    if (saved_busybox_) {
      setenv("LAYERLAB_BUSYBOX", saved_busybox_->c_str(), 1);
    } else {
      unsetenv("LAYERLAB_BUSYBOX");
    }
    CliTest::TearDown();
  }

  // Seeds the (not yet created) store from a copy of /bin/busybox dated `days` ago, so the
  // CREATED column is known ("6 months ago" for 200 days) whatever the host binary's date.
  void UseBusyboxAged(int days) {
    std::string copy = scratch_ + "/busybox-aged";
    std::filesystem::copy_file("/bin/busybox", copy);
    std::filesystem::permissions(copy, std::filesystem::perms::owner_all);
    struct utimbuf t;
    t.actime = t.modtime = std::time(nullptr) - static_cast<time_t>(days) * 86400;
    ASSERT_EQ(utime(copy.c_str(), &t), 0);
    setenv("LAYERLAB_BUSYBOX", copy.c_str(), 1);  // the child inherits it
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
  std::string ShortIdOf(const std::string& name) { return IdOf(name).substr(7, 12); }
  std::string BlobPath(const std::string& digest) {
    return root_ + "/blobs/sha256/" + digest.substr(7);
  }

  // A one-file rootfs tar: a.txt = "hello\n" (6 bytes).
  std::string HelloTar() { return MakeTar("hello.tar", {{"a.txt", "hello\n"}}); }

  // A tar with one entry whose name is exactly `entry` (GNU tar would strip "..").
  std::string RawTar(const std::string& file, const std::string& entry) {
    std::string path = scratch_ + "/" + file;
    std::string cmd = "python3 -c 'import io,sys,tarfile\n"
                      "t = tarfile.open(sys.argv[1], \"w\")\n"
                      "i = tarfile.TarInfo(sys.argv[2]); i.size = 4\n"
                      "t.addfile(i, io.BytesIO(b\"bad\\n\")); t.close()' '" +
                      path + "' '" + entry + "'";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    return path;
  }

  // Runs `import ARGS...`, expects success; returns the printed image id.
  std::string Import(const std::vector<std::string>& args) {
    std::vector<std::string> full = {"import"};
    full.insert(full.end(), args.begin(), args.end());
    return Trim(Ok(full));
  }

  // The rows of `images` (header first), cut into cells.
  std::vector<std::vector<std::string>> ImagesTable(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"images"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Cells(Ok(args));
  }

  void ExpectSystemCheckClean() {
    CliResult r = Run({"system", "check"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    std::vector<std::string> lines = Lines(r.out);
    ASSERT_EQ(lines.size(), 1u) << r.out;
    EXPECT_TRUE(Matches(lines[0], std::regex("^[0-9]+ blobs verified, 0 corrupt, 0 missing, "
                                             "0 orphans$")))
        << lines[0];
  }

  std::optional<std::string> saved_busybox_;
};

inline const std::vector<std::string> kImagesHeader = {"REPOSITORY", "TAG", "IMAGE ID", "CREATED",
                                                "SIZE"};


}  // namespace layerlab::testing::images
