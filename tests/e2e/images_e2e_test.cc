// End-to-end tests of `images` (every flag, filter and format, <none> rows, IDs) and `tag`.
// (`rmi`, `image prune` and `system check` are in rmi_prune_e2e_test.cc.)
#include "e2e/images_fixture.h"

namespace layerlab::testing::images {

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

}  // namespace layerlab::testing::images
