// End-to-end tests of `history`, `image inspect`, `import`, the global options (--explain,
// --root) and usage errors.
#include "e2e/images_fixture.h"

namespace layerlab::testing::images {

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

}  // namespace layerlab::testing::images
