// End-to-end tests of the image verbs as a user runs them: `images`, `tag`, `history`,
// `image inspect`, `import`, the global options and usage errors. Every test starts from a fresh
// store holding only busybox:latest. (`rmi`, `image prune` and `system check` are in
// rmi_prune_e2e_test.cc.)
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

namespace {

using layerlab::testing::CliResult;
using layerlab::testing::GoHumanSize;
using layerlab::testing::Lines;
using layerlab::testing::Matches;
using layerlab::testing::ReadTrace;
using layerlab::testing::Sha256Hex;
using layerlab::testing::Trim;
using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Helpers

const std::regex kShortHex("^[0-9a-f]{12}$");
const std::regex kFullId("^sha256:[0-9a-f]{64}$");
const std::regex kHumanSize("^[0-9.]+(B|kB|MB|GB)$");
const std::regex kCreatedAgo(
    "^(Less than a second|1 second|[0-9]+ seconds|About a minute|[0-9]+ minutes|About an hour|"
    "[0-9]+ hours|[0-9]+ days|[0-9]+ weeks|[0-9]+ months|[0-9]+ years) ago$");


// The code points of a UTF-8 string (tabwriter counts characters, and history cuts with "…").
std::vector<std::string> Chars(const std::string& s) {
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

std::string RTrim(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// Cuts a table printed by the CLI into cells, at the header's column starts. Header names hold
// single spaces only ("IMAGE ID", "CREATED BY"), so a column starts after a run of 2+ spaces.
// Empty cells stay empty (unlike Columns(), which merges them away).
std::vector<std::vector<std::string>> Cells(const std::string& out) {
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
std::string Tabwriter(const std::vector<std::vector<std::string>>& rows) {
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

class E2EImagesTest : public layerlab::testing::CliTest {
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

const std::vector<std::string> kImagesHeader = {"REPOSITORY", "TAG", "IMAGE ID", "CREATED",
                                                "SIZE"};

// ---------------------------------------------------------------------------------------------
// images

TEST_F(E2EImagesTest, FreshStoreListsOnlyBusyboxWithDockerHeader) {
  UseBusyboxAged(200);
  std::string out = Ok({"images"});
  std::string id = ShortIdOf("busybox");
  std::vector<std::vector<std::string>> rows = Cells(out);
  ASSERT_EQ(rows.size(), 2u) << out;
  std::string size = rows[1][4];
  EXPECT_TRUE(Matches(size, kHumanSize)) << size;
  EXPECT_EQ(out, "REPOSITORY   TAG       IMAGE ID       CREATED        SIZE\n"
                 "busybox      latest    " + id + "   6 months ago   " + size + "\n");
}

TEST_F(E2EImagesTest, ImagesTableIsAlignedLikeTabwriter) {
  Ok({"tag", "busybox", "a-rather-long-repository-name:some-long-tag"});
  Import({HelloTar(), "imported:v1"});
  std::string out = Ok({"images"});
  std::vector<std::vector<std::string>> rows = Cells(out);
  ASSERT_EQ(rows.size(), 4u) << out;
  EXPECT_EQ(rows[0], kImagesHeader);
  EXPECT_EQ(out, Tabwriter(rows));
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_TRUE(Matches(rows[i][2], kShortHex)) << rows[i][2];
    EXPECT_TRUE(Matches(rows[i][3], kCreatedAgo)) << rows[i][3];
    EXPECT_TRUE(Matches(rows[i][4], kHumanSize)) << rows[i][4];
  }
}

TEST_F(E2EImagesTest, TwoTagsShowTheSameIdTwice) {
  Ok({"tag", "busybox", "mybox:v1"});
  auto rows = ImagesTable();
  ASSERT_EQ(rows.size(), 3u);
  std::set<std::pair<std::string, std::string>> names = {{rows[1][0], rows[1][1]},
                                                         {rows[2][0], rows[2][1]}};
  std::set<std::pair<std::string, std::string>> want = {{"busybox", "latest"}, {"mybox", "v1"}};
  EXPECT_EQ(names, want);
  EXPECT_EQ(rows[1][2], rows[2][2]);
  EXPECT_EQ(rows[1][2], ShortIdOf("busybox"));
  EXPECT_EQ(rows[1][4], rows[2][4]);
}

TEST_F(E2EImagesTest, QuietPrintsOneShortIdPerRow) {
  Ok({"tag", "busybox", "mybox:v1"});
  std::string id = ShortIdOf("busybox");
  EXPECT_EQ(Ok({"images", "-q"}), id + "\n" + id + "\n");
}

TEST_F(E2EImagesTest, NoTruncPrintsFullIds) {
  auto rows = ImagesTable({"--no-trunc"});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], kImagesHeader);
  EXPECT_TRUE(Matches(rows[1][2], kFullId)) << rows[1][2];
  EXPECT_EQ(rows[1][2], IdOf("busybox"));
  EXPECT_EQ(Ok({"images", "-q", "--no-trunc"}), IdOf("busybox") + "\n");
}

TEST_F(E2EImagesTest, DigestsAddsDigestColumnWithNone) {
  std::string out = Ok({"images", "--digests"});
  auto rows = Cells(out);
  ASSERT_EQ(rows.size(), 2u) << out;
  EXPECT_EQ(rows[0], (std::vector<std::string>{"REPOSITORY", "TAG", "DIGEST", "IMAGE ID",
                                                "CREATED", "SIZE"}));
  EXPECT_EQ(rows[1][0], "busybox");
  EXPECT_EQ(rows[1][2], "<none>");
  EXPECT_EQ(rows[1][3], ShortIdOf("busybox"));
  EXPECT_EQ(out, Tabwriter(rows));
}

TEST_F(E2EImagesTest, DanglingFilterShowsOnlyNoneRows) {
  std::string id = Import({HelloTar()});
  Ok({"tag", "busybox", "mybox:v1"});
  auto rows = ImagesTable({"--filter", "dangling=true"});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][0], "<none>");
  EXPECT_EQ(rows[1][1], "<none>");
  EXPECT_EQ(rows[1][2], id.substr(7, 12));

  rows = ImagesTable({"--filter", "dangling=false"});
  ASSERT_EQ(rows.size(), 3u);
  for (size_t i = 1; i < rows.size(); ++i) EXPECT_NE(rows[i][0], "<none>");
}

TEST_F(E2EImagesTest, ReferenceFilterMatchesAGlob) {
  Ok({"tag", "busybox", "mybox:v1"});
  Ok({"tag", "busybox", "mybox:v2"});
  Ok({"tag", "busybox", "other:v1"});
  Import({HelloTar()});  // a <none> row, never matched by a reference filter
  auto rows = ImagesTable({"--filter", "reference=mybox*"});
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1][0] + ":" + rows[1][1], "mybox:v1");
  EXPECT_EQ(rows[2][0] + ":" + rows[2][1], "mybox:v2");
}

TEST_F(E2EImagesTest, FormatTemplatePrintsOneLinePerTag) {
  Ok({"tag", "busybox", "mybox:v1"});
  EXPECT_EQ(Ok({"images", "--format", "{{.Repository}}:{{.Tag}}"}), "busybox:latest\nmybox:v1\n");
  std::string id = ShortIdOf("busybox");
  EXPECT_EQ(Ok({"images", "--format", "{{.ID}} {{.Repository}}", "mybox"}), id + " mybox\n");
}

TEST_F(E2EImagesTest, FormatTableTemplateHasHeadersAndAlignment) {
  Ok({"tag", "busybox", "a-long-repository-name:v1"});
  std::string id = ShortIdOf("busybox");
  std::string out = Ok({"images", "--format", "table {{.Repository}}\\t{{.ID}}"});
  EXPECT_EQ(out, Tabwriter({{"REPOSITORY", "IMAGE ID"},
                            {"a-long-repository-name", id},
                            {"busybox", id}}));
  // "a-long-repository-name" is 22 characters: the column is 22 + 3 wide.
  EXPECT_EQ(Lines(out)[0], "REPOSITORY" + std::string(25 - 10, ' ') + "IMAGE ID");
}

TEST_F(E2EImagesTest, ImageLsIsImages) {
  Ok({"tag", "busybox", "mybox:v1"});
  EXPECT_EQ(Ok({"image", "ls"}), Ok({"images"}));
  EXPECT_EQ(Ok({"image", "list", "-q"}), Ok({"images", "-q"}));
}

TEST_F(E2EImagesTest, FormatJsonPrintsOneObjectPerLine) {
  Ok({"tag", "busybox", "mybox:v1"});
  std::string out = Ok({"images", "--format", "json"});
  std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 2u) << out;
  std::set<std::string> names;
  for (const auto& line : lines) {
    json j = json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << line;
    names.insert(j.value("Repository", "") + ":" + j.value("Tag", ""));
    EXPECT_EQ(j.value("ID", ""), ShortIdOf("busybox"));
    EXPECT_EQ(j.value("Digest", ""), "<none>");
    EXPECT_TRUE(Matches(j.value("Size", ""), kHumanSize)) << line;
    EXPECT_TRUE(Matches(j.value("CreatedSince", ""), kCreatedAgo)) << line;
    EXPECT_TRUE(Matches(j.value("CreatedAt", ""),
                        std::regex("^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} \\+0000 UTC$")))
        << line;
  }
  EXPECT_EQ(names, (std::set<std::string>{"busybox:latest", "mybox:v1"}));
}

TEST_F(E2EImagesTest, FormatJsonVirtualSizeHasFourSignificantDigits) {
  int64_t bytes = Inspect("busybox")["Size"].get<int64_t>();
  json j = json::parse(Ok({"images", "--format", "json"}));
  EXPECT_EQ(j.value("Size", ""), GoHumanSize(bytes, 3));
  EXPECT_EQ(j.value("VirtualSize", ""), GoHumanSize(bytes, 4));
}

TEST_F(E2EImagesTest, PositionalRepositorySelectsItsRows) {
  Ok({"tag", "busybox", "mybox:v1"});
  Ok({"tag", "busybox", "mybox:v2"});
  auto rows = ImagesTable({"busybox"});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][0] + ":" + rows[1][1], "busybox:latest");

  rows = ImagesTable({"mybox"});
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1][0] + ":" + rows[1][1], "mybox:v1");
  EXPECT_EQ(rows[2][0] + ":" + rows[2][1], "mybox:v2");

  rows = ImagesTable({"mybox:v2"});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][1], "v2");

  EXPECT_EQ(ImagesTable({"nosuch"}).size(), 1u);  // header only
}

TEST_F(E2EImagesTest, ImportWithoutNameShowsANoneRow) {
  std::string id = Import({HelloTar()});
  auto rows = ImagesTable();
  ASSERT_EQ(rows.size(), 3u);
  bool found = false;
  for (const auto& row : rows) {
    if (row[2] != id.substr(7, 12)) continue;
    found = true;
    EXPECT_EQ(row[0], "<none>");
    EXPECT_EQ(row[1], "<none>");
    EXPECT_EQ(row[4], "6B");
    EXPECT_TRUE(Matches(row[3], std::regex("^(Less than a second|1 second|[0-9]+ seconds) ago$")))
        << row[3];
  }
  EXPECT_TRUE(found);
}

TEST_F(E2EImagesTest, ReusingATagLeavesTheOlderImageAsNone) {
  std::string tar = HelloTar();
  std::string first = Import({"-m", "first", tar, "x:1"});
  std::string second = Import({"-m", "second", tar, "x:1"});
  ASSERT_NE(first, second);
  auto rows = ImagesTable();
  ASSERT_EQ(rows.size(), 4u);
  std::map<std::string, std::string> name_of;  // short id -> REPO:TAG
  for (size_t i = 1; i < rows.size(); ++i) name_of[rows[i][2]] = rows[i][0] + ":" + rows[i][1];
  EXPECT_EQ(name_of[second.substr(7, 12)], "x:1");
  EXPECT_EQ(name_of[first.substr(7, 12)], "<none>:<none>");
  EXPECT_EQ(Inspect(first)["RepoTags"], json::array());
}

TEST_F(E2EImagesTest, ImportingTheSameTarTwiceUnderOneTagLeavesTheOlderAsNone) {
  std::string tar = HelloTar();
  std::string first = Import({tar, "x:1"});
  std::string second = Import({tar, "x:1"});
  EXPECT_NE(first, second);
  EXPECT_EQ(Ok({"images", "--format", "{{.Repository}}:{{.Tag}}", "--filter", "dangling=true"}),
            "<none>:<none>\n");
  EXPECT_EQ(IdOf("x:1"), second);
}

TEST_F(E2EImagesTest, TagMovesANameAwayFromAnotherImage) {
  std::string imported = Import({HelloTar(), "x:1"});
  EXPECT_EQ(Ok({"tag", "busybox", "x:1"}), "");
  EXPECT_EQ(IdOf("x:1"), IdOf("busybox"));
  EXPECT_EQ(Inspect(imported)["RepoTags"], json::array());
  EXPECT_EQ(Ok({"images", "-q", "--no-trunc", "--filter", "dangling=true"}), imported + "\n");
}

TEST_F(E2EImagesTest, ImageIdIsTheConfigDigest) {
  std::string short_id = ImagesTable()[1][2];
  ASSERT_TRUE(Matches(short_id, kShortHex)) << short_id;
  std::string id = IdOf("busybox");
  ASSERT_TRUE(Matches(id, kFullId)) << id;
  EXPECT_EQ(id.substr(0, 19), "sha256:" + short_id);
  // The config blob is stored under its digest and hashes to it.
  EXPECT_EQ(Sha256Hex(BlobPath(id)), id.substr(7));
  // The id also names the image.
  EXPECT_EQ(IdOf(short_id), id);
  EXPECT_EQ(IdOf(id), id);
}

TEST_F(E2EImagesTest, BaseImageIsTheSameInEveryFreshStore) {
  std::string here = Trim(Ok({"images", "-q", "--no-trunc"}));
  CliResult other = layerlab::testing::RunCli(scratch_ + "/other-store",
                                              {"images", "-q", "--no-trunc"});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_TRUE(Matches(here, kFullId)) << here;
  EXPECT_EQ(Trim(other.out), here);
}

TEST_F(E2EImagesTest, BusyboxIsCreatedOnceAndNotAgainAfterRmi) {
  Ok({"rmi", "busybox"});
  EXPECT_EQ(ImagesTable().size(), 1u);  // header only: removing the base image is for good
  EXPECT_EQ(Ok({"images", "-q"}), "");
}

// ---------------------------------------------------------------------------------------------
// tag

TEST_F(E2EImagesTest, TagToAnUppercaseNameFails) {
  CliResult r = Run({"tag", "busybox", "Foo"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "Error: Error parsing reference: \"Foo\" is not a valid repository/tag: invalid "
            "reference format: repository name (library/Foo) must be lowercase\n");
  EXPECT_EQ(ImagesTable().size(), 2u);
}

TEST_F(E2EImagesTest, TagOfAnUnknownImageFails) {
  CliResult r = Run({"tag", "nosuch", "mybox:v1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: No such image: nosuch:latest\n");
  EXPECT_EQ(ImagesTable().size(), 2u);
}

TEST_F(E2EImagesTest, TagAcceptsAShortIdAndPrintsNothing) {
  std::string id = ShortIdOf("busybox");
  EXPECT_EQ(Ok({"tag", id, "byid"}), "");
  EXPECT_EQ(IdOf("byid:latest").substr(7, 12), id);
  EXPECT_EQ(Inspect("busybox")["RepoTags"], json({"busybox:latest", "byid:latest"}));
}

// ---------------------------------------------------------------------------------------------
// history

TEST_F(E2EImagesTest, HistoryOfBusyboxShowsCmdAndMissingRows) {
  UseBusyboxAged(200);
  std::string out = Ok({"history", "busybox"});
  std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 3u) << out;
  EXPECT_EQ(lines[0],
            "IMAGE          CREATED        CREATED BY                                      SIZE  "
            "    COMMENT");
  auto rows = Cells(out);
  std::string full_add = Cells(Ok({"history", "--no-trunc", "busybox"}))[2][2];
  ASSERT_GT(full_add.size(), 45u);
  std::string add45;  // Docker's Ellipsis(…, 45): 44 characters and "…"
  std::vector<std::string> chars = Chars(full_add);
  for (size_t i = 0; i < 44; ++i) add45 += chars[i];
  add45 += "…";
  std::string size = ImagesTable()[1][4];
  std::vector<std::vector<std::string>> want = {
      {"IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"},
      {ShortIdOf("busybox"), "6 months ago", "CMD [\"sh\"]", "0B", ""},
      {"<missing>", "6 months ago", add45, size, ""}};
  EXPECT_EQ(rows, want);
  EXPECT_EQ(out, Tabwriter(want));
}

TEST_F(E2EImagesTest, HistoryNoTruncShowsTheFullAddLine) {
  auto rows = Cells(Ok({"history", "--no-trunc", "busybox"}));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1][0], IdOf("busybox"));
  EXPECT_EQ(rows[1][2], "CMD [\"sh\"]");
  EXPECT_EQ(rows[2][0], "<missing>");
  EXPECT_TRUE(Matches(rows[2][2], std::regex("^ADD BusyBox v[0-9.]+ \\(the host's busybox-static, "
                                             "[0-9]+ applets\\) /bin/ # layerlab base image$")))
      << rows[2][2];
  EXPECT_TRUE(Matches(rows[1][1], kCreatedAgo)) << rows[1][1];
  EXPECT_TRUE(Matches(rows[2][3], kHumanSize)) << rows[2][3];
}

TEST_F(E2EImagesTest, HistoryQuietPrintsIdsAndMissing) {
  EXPECT_EQ(Ok({"history", "-q", "busybox"}), ShortIdOf("busybox") + "\n<missing>\n");
}

TEST_F(E2EImagesTest, HistoryOfAnImportShowsWhereItCameFrom) {
  std::string tar = HelloTar();
  std::string id = Import({tar, "imp:1"});
  auto rows = Cells(Ok({"history", "imp:1"}));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][0], id.substr(7, 12));
  EXPECT_EQ(rows[1][2], "");
  EXPECT_EQ(rows[1][3], "6B");
  EXPECT_EQ(rows[1][4], "Imported from " + tar);
}

TEST_F(E2EImagesTest, HistoryOfAnImportShowsTheMessage) {
  Import({"-m", "my first layer", HelloTar(), "imp:1"});
  auto rows = Cells(Ok({"history", "imp:1"}));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][4], "my first layer");
  EXPECT_EQ(Inspect("imp:1").value("Comment", ""), "my first layer");
}

TEST_F(E2EImagesTest, HistoryNotHumanShowsCreatedAtInRfc3339AndBytes) {
  json img = Inspect("busybox");
  std::string created = img.value("Created", "");
  ASSERT_TRUE(Matches(created, std::regex("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$"))) << created;
  std::string full_add = Cells(Ok({"history", "--no-trunc", "busybox"}))[2][2];
  std::vector<std::string> chars = Chars(full_add);
  ASSERT_GT(chars.size(), 45u);
  std::string add45;
  for (size_t i = 0; i < 44; ++i) add45 += chars[i];
  add45 += "…";
  std::vector<std::vector<std::string>> want = {
      {"IMAGE", "CREATED AT", "CREATED BY", "SIZE", "COMMENT"},
      {ShortIdOf("busybox"), created, "CMD [\"sh\"]", "0", ""},
      {"<missing>", created, add45, std::to_string(img["Size"].get<int64_t>()), ""}};
  EXPECT_EQ(Ok({"history", "--human=false", "busybox"}), Tabwriter(want));
}

TEST_F(E2EImagesTest, HistoryHumanFlagNeedsNoValue) {
  std::string plain = Ok({"history", "busybox"});
  CliResult r = Run({"history", "-H", "busybox"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, plain);
  r = Run({"history", "--human", "busybox"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, plain);
}

TEST_F(E2EImagesTest, HistoryOfAnUnknownImageFails) {
  CliResult r = Run({"history", "nosuch"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: No such image: nosuch:latest\n");
}

// ---------------------------------------------------------------------------------------------
// image inspect

TEST_F(E2EImagesTest, ImageInspectOfBusyboxIsDockerShaped) {
  std::string out = Ok({"image", "inspect", "busybox"});
  json j = json::parse(out, nullptr, false);
  ASSERT_TRUE(j.is_array()) << out;
  ASSERT_EQ(j.size(), 1u);
  const json& img = j[0];
  EXPECT_TRUE(Matches(img.value("Id", ""), kFullId));
  EXPECT_EQ(img["RepoTags"], json({"busybox:latest"}));
  EXPECT_EQ(img["RepoDigests"], json::array());
  EXPECT_EQ(img["Config"]["Cmd"], json({"sh"}));
  EXPECT_EQ(img["RootFS"]["Type"], "layers");
  ASSERT_EQ(img["RootFS"]["Layers"].size(), 1u);
  EXPECT_TRUE(Matches(img["RootFS"]["Layers"][0].get<std::string>(), kFullId));
  ASSERT_TRUE(img["Size"].is_number_integer());
  EXPECT_GT(img["Size"].get<int64_t>(), 1000000);
  // `inspect` is the same verb.
  EXPECT_EQ(json::parse(Ok({"inspect", "busybox"})), j);
}

TEST_F(E2EImagesTest, ImageInspectOfSeveralImagesPrintsOneArray) {
  Import({HelloTar(), "imp:1"});
  json j = json::parse(Ok({"image", "inspect", "busybox", "imp:1"}));
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["RepoTags"], json({"busybox:latest"}));
  EXPECT_EQ(j[1]["RepoTags"], json({"imp:1"}));
  EXPECT_EQ(j[1]["Size"], 6);
}

TEST_F(E2EImagesTest, ImageInspectOfAnUnknownImageFails) {
  CliResult r = Run({"image", "inspect", "nosuch"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "[]\n");
  EXPECT_EQ(r.err, "Error: No such image: nosuch:latest\n");
}

// ---------------------------------------------------------------------------------------------
// import

TEST_F(E2EImagesTest, ImportOfAGoodTarPrintsTheIdAndTagsIt) {
  CliResult r = Run({"import", HelloTar(), "imp:v1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string id = Trim(r.out);
  EXPECT_EQ(r.out, id + "\n");
  EXPECT_TRUE(Matches(id, kFullId)) << r.out;
  json img = Inspect("imp:v1");
  EXPECT_EQ(img.value("Id", ""), id);
  EXPECT_EQ(img["RepoTags"], json({"imp:v1"}));
  EXPECT_EQ(img["Size"], 6);
  auto rows = ImagesTable({"imp"});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][0], "imp");
  EXPECT_EQ(rows[1][1], "v1");
  EXPECT_EQ(rows[1][2], id.substr(7, 12));
  ExpectSystemCheckClean();
}

TEST_F(E2EImagesTest, ImportWithoutTagMeansLatest) {
  std::string id = Import({HelloTar(), "imp"});
  EXPECT_EQ(Inspect("imp:latest")["RepoTags"], json({"imp:latest"}));
  EXPECT_EQ(IdOf("imp"), id);
}

TEST_F(E2EImagesTest, ImportOfAGzipTarWorks) {
  std::string dir = scratch_ + "/gz-tree";
  WriteFile("gz-tree/etc/motd", "welcome\n");
  std::string tgz = scratch_ + "/rootfs.tar.gz";
  std::string cmd = "tar -C '" + dir + "' -czf '" + tgz + "' .";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::string id = Import({tgz, "gz:1"});
  EXPECT_TRUE(Matches(id, kFullId));
  json img = Inspect("gz:1");
  EXPECT_EQ(img["Size"], 8);
  // The layer is stored uncompressed: its blob hashes to its diff id, like Docker's.
  std::string layer = img["RootFS"]["Layers"][0];
  EXPECT_EQ(Sha256Hex(BlobPath(layer)), layer.substr(7));
  ExpectSystemCheckClean();
}

TEST_F(E2EImagesTest, ImportOfATextFileFails) {
  std::string before = Ok({"images"});
  CliResult r = Run({"import", WriteFile("notes.txt", "this is not a tar archive\n"), "t:1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("Error: import `", 0), 0u) << r.err;
  EXPECT_EQ(Ok({"images"}), before);
  ExpectSystemCheckClean();
}

TEST_F(E2EImagesTest, ImportRefusesAnEntryClimbingOutOfTheRoot) {
  std::string before = Ok({"images"});
  std::string tar = RawTar("evil.tar", "../evil");
  CliResult r = Run({"import", tar, "evil:1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("Error: import `" + tar + "`: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("`../evil`"), std::string::npos) << r.err;
  EXPECT_EQ(Ok({"images"}), before);
  ExpectSystemCheckClean();
}

TEST_F(E2EImagesTest, ImportRefusesAnAbsoluteEntry) {
  std::string before = Ok({"images"});
  std::string tar = RawTar("abs.tar", "/etc/x");
  CliResult r = Run({"import", tar, "abs:1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("Error: import `" + tar + "`: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("`/etc/x`"), std::string::npos) << r.err;
  EXPECT_EQ(Ok({"images"}), before);
  ExpectSystemCheckClean();
}

TEST_F(E2EImagesTest, ImportWithAnInvalidNameFailsAndLeavesNothing) {
  std::string before = Ok({"images"});
  CliResult r = Run({"import", HelloTar(), "Bad"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "Error: invalid reference format: repository name (library/Bad) must be lowercase\n");
  EXPECT_EQ(Ok({"images"}), before);
  ExpectSystemCheckClean();
}

// ---------------------------------------------------------------------------------------------
// Global options and usage errors

TEST_F(E2EImagesTest, ExplainJsonRecordsTagAdded) {
  std::string id = IdOf("busybox");
  std::string trace = scratch_ + "/trace.jsonl";
  EXPECT_EQ(Ok({"--explain=json:" + trace, "tag", "busybox", "a:b"}), "");
  std::ifstream in(trace);
  std::string line;
  int tag_added = 0, lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    json j = json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << line;
    EXPECT_EQ(j["v"], 1);
    if (j["kind"] == "tag_added") {
      ++tag_added;
      EXPECT_EQ(j["subject"], "a:b");
      EXPECT_EQ(j["detail"], id);
    }
  }
  EXPECT_EQ(tag_added, 1) << lines << " lines";
}

TEST_F(E2EImagesTest, RootOptionOverridesTheEnvironment) {
  std::string other = scratch_ + "/explicit-root";
  std::string out = Ok({"--root", other, "tag", "busybox", "elsewhere:1"});
  EXPECT_TRUE(std::filesystem::exists(other + "/layerlab.db"));
  EXPECT_TRUE(std::filesystem::is_directory(other + "/blobs/sha256"));
  EXPECT_FALSE(std::filesystem::exists(root_));  // LAYERLAB_ROOT was not touched
  std::string listed = Ok({"--root", other, "images", "--format", "{{.Repository}}:{{.Tag}}"});
  EXPECT_EQ(listed, "busybox:latest\nelsewhere:1\n");
  // The environment's store is a different, fresh one.
  EXPECT_EQ(Ok({"images", "--format", "{{.Repository}}:{{.Tag}}"}), "busybox:latest\n");
}

TEST_F(E2EImagesTest, TagWithOneArgumentIsAUsageError) {
  CliResult r = Run({"tag", "onlyone"});
  EXPECT_EQ(r.exit_code, 125);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("\"layerlab tag\" requires exactly 2 arguments."), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("See 'layerlab tag --help'."), std::string::npos) << r.err;
}

TEST_F(E2EImagesTest, UnknownVerbFails) {
  CliResult r = Run({"nosuch"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "layerlab: 'nosuch' is not a layerlab command.\nSee 'layerlab --help'\n");
}

TEST_F(E2EImagesTest, UnknownImagesFilterFails) {
  CliResult r = Run({"images", "--filter", "bogus=1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: invalid filter 'bogus'\n");
}

}  // namespace
