// End-to-end tests of what a container does to and with its image: copy-up reports, isolation,
// `commit`, `rmi` of a used image, `rm`, `container prune`, `export`, `system df [-v]` and
// `system check`, for both storage drivers (see containers_fixture.h).
#include "e2e/containers_fixture.h"

namespace layerlab::testing::containers {

// ---------------------------------------------------------------------------------------------
// Copy-up and isolation

TEST_P(E2EContainersTest, OverwritingALowerFileCopiesItUpOnce) {
  ImportBigImage();
  std::string layer = LayersOf("big:1").at(0);
  Create({"--name", "cc", "big:1", "sh"});
  std::string bigger(1048577, 'b');
  std::string f = WriteFile("bigger", bigger);
  std::string trace1 = scratch_ + "/cp1.jsonl", trace2 = scratch_ + "/cp2.jsonl";
  Ok({"--explain=json:" + trace1, "cp", f, "cc:/data/big"});
  std::vector<json> ups;
  for (const json& e : ReadTrace(trace1)) {
    if (e.value("kind", "") == "copy_up") ups.push_back(e);
  }
  if (overlay()) {
    // Overlay copies the whole lower file up on its first change, and says from which layer.
    ASSERT_EQ(ups.size(), 1u);
    EXPECT_EQ(ups[0]["subject"], "data/big");
    EXPECT_EQ(ups[0]["bytes"], 1048576);
    EXPECT_EQ(ups[0]["layer"], layer);
    EXPECT_EQ(ups[0]["detail"], "from layer 1 (" + layer.substr(7, 12) + ")");
  } else {
    EXPECT_TRUE(ups.empty()) << ups[0].dump();  // the copy driver already holds its own copy
  }
  EXPECT_EQ(Diff("cc"), (std::vector<std::string>{"C /data", "C /data/big"}));
  EXPECT_EQ(CopyOut("cc", "/data/big"), bigger);
  // The second write finds the file in the writable layer: no copy-up.
  Ok({"--explain=json:" + trace2, "cp", f, "cc:/data/big"});
  for (const json& e : ReadTrace(trace2)) EXPECT_NE(e.value("kind", ""), "copy_up") << e.dump();
  // Nor does a new file.
  Ok({"--explain=json:" + trace2, "cp", f, "cc:/data/new"});
  for (const json& e : ReadTrace(trace2)) EXPECT_NE(e.value("kind", ""), "copy_up") << e.dump();
  EXPECT_EQ(Diff("cc"), (std::vector<std::string>{"C /data", "C /data/big", "A /data/new"}));
  EXPECT_EQ(PsSizes(),
            (std::vector<std::string>{GoHumanSize(2 * 1048577, 3) + " (virtual " +
                                      GoHumanSize(1048576 + 2 * 1048577, 3) + ")"}));
}

TEST_P(E2EContainersTest, CopyUpNamesTheLayerTheFileCameFrom) {
  CreateWeb();
  Ok({"cp", WriteFile("c1", std::string(1234, 'c')), "web:/etc/c1"});
  Ok({"commit", "web", "app:v1"});
  std::vector<std::string> layers = LayersOf("app:v1");
  ASSERT_EQ(layers.size(), 2u);
  Create({"--name", "child", "app:v1"});
  std::string trace = scratch_ + "/cp.jsonl";
  Ok({"--explain=json:" + trace, "cp", WriteFile("f", "f\n"), "child:/etc/c1"});
  Ok({"--explain=json:" + trace + "2", "cp", WriteFile("f", "f\n"), "child:/etc/passwd"});
  std::vector<json> ups;
  for (const std::string& t : {trace, trace + "2"}) {
    for (const json& e : ReadTrace(t)) {
      if (e.value("kind", "") == "copy_up") ups.push_back(e);
    }
  }
  if (!overlay()) {
    EXPECT_TRUE(ups.empty());
  } else {
    ASSERT_EQ(ups.size(), 2u);
    // /etc/c1 came from the committed (top, second) layer; /etc/passwd from busybox's.
    EXPECT_EQ(ups[0]["subject"], "etc/c1");
    EXPECT_EQ(ups[0]["bytes"], 1234);
    EXPECT_EQ(ups[0]["layer"], layers[1]);
    EXPECT_EQ(ups[0].value("detail", "").rfind("from layer 2 (" + layers[1].substr(7, 12) + ")", 0),
              0u) << ups[0].dump();
    EXPECT_EQ(ups[1]["subject"], "etc/passwd");
    EXPECT_EQ(ups[1]["bytes"], static_cast<int64_t>(FromBusyboxLayer("etc/passwd").size()));
    EXPECT_EQ(ups[1]["layer"], layers[0]);
    EXPECT_EQ(ups[1].value("detail", "").rfind("from layer 1 (" + layers[0].substr(7, 12) + ")", 0),
              0u) << ups[1].dump();
  }
  EXPECT_EQ(Diff("child"), (std::vector<std::string>{"C /etc", "C /etc/c1", "C /etc/passwd"}));
}

TEST_P(E2EContainersTest, ContainersOfOneImageDoNotSeeEachOthersChanges) {
  std::string blob = BusyboxLayerBlob();
  std::string blob_sha = Sha256Hex(blob);
  ASSERT_EQ(blob_sha, blob.substr(blob.size() - 64));
  std::string passwd = FromBusyboxLayer("etc/passwd");
  Create({"--name", "one", "busybox"});
  Create({"--name", "two", "busybox"});
  Ok({"cp", WriteFile("pw", "changed\n"), "one:/etc/passwd"});
  Ok({"cp", WriteFile("pw", "changed\n"), "one:/tmp/only-in-one"});
  EXPECT_EQ(CopyOut("one", "/etc/passwd"), "changed\n");
  EXPECT_EQ(CopyOut("two", "/etc/passwd"), passwd);
  EXPECT_EQ(Run({"cp", "two:/tmp/only-in-one", scratch_ + "/x"}).exit_code, 1);
  EXPECT_EQ(Diff("two"), std::vector<std::string>{});
  EXPECT_EQ(PsSizes()[0], "0B (virtual " + GoHumanSize(SizeOf("busybox"), 3) + ")");
  // The image is untouched: its layer blob, and (overlay) the shared unpacked layer.
  EXPECT_EQ(Sha256Hex(blob), blob_sha);
  std::string chain = LayersOf("busybox").at(0);  // one layer: its chain id is its diff id
  std::string lower = root_ + "/layers/" + chain.substr(7) + "/diff/etc/passwd";
  if (overlay()) {
    EXPECT_EQ(ReadFile(lower), passwd);
  }
  // A container made now sees the image as it was.
  Create({"--name", "three", "busybox"});
  EXPECT_EQ(CopyOut("three", "/etc/passwd"), passwd);
}

// ---------------------------------------------------------------------------------------------
// commit

TEST_P(E2EContainersTest, CommitMakesAnImageOfTheChanges) {
  CreateWeb();
  std::string content(1234, 'c');
  Ok({"cp", WriteFile("c1", content), "web:/etc/c1"});
  std::string id = Trim(Ok({"commit", "-m", "msg", "-a", "me", "web", "app:v1"}));
  ASSERT_TRUE(Matches(id, kImageId)) << id;
  EXPECT_EQ(ImageNames(), (std::vector<std::string>{"app:v1", "busybox:latest"}));

  // history: one new row on top, its SIZE the committed file's bytes.
  std::vector<std::string> history = Lines(Ok({"history", "app:v1"}));
  ASSERT_EQ(history.size(), 4u);
  std::vector<std::string> top = Columns(history[1]);
  ASSERT_EQ(top.size(), 5u) << history[1];
  EXPECT_EQ(top[0], id.substr(7, 12));
  EXPECT_TRUE(Matches(top[1], kJustNow)) << top[1];
  EXPECT_EQ(top[2], "sh");
  EXPECT_EQ(top[3], GoHumanSize(1234, 3));
  EXPECT_EQ(top[4], "msg");
  EXPECT_EQ(Columns(history[2])[0], IdOf("busybox").substr(7, 12));

  json img = Inspect("app:v1");
  EXPECT_EQ(img["Id"], id);
  EXPECT_EQ(img["Comment"], "msg");
  EXPECT_EQ(img["Author"], "me");
  EXPECT_EQ(img["Parent"], IdOf("busybox"));
  EXPECT_EQ(img["Size"], SizeOf("busybox") + 1234);
  std::vector<std::string> layers = img["RootFS"]["Layers"];
  ASSERT_EQ(layers.size(), 2u);
  EXPECT_EQ(layers[0], LayersOf("busybox").at(0));
  // The new layer is a tar of the changes: /etc and /etc/c1, nothing else.
  EXPECT_EQ(Shell("tar -tf '" + BlobPath(layers[1]) + "'"), "etc/\netc/c1\n");
  EXPECT_EQ(Shell("tar -xOf '" + BlobPath(layers[1]) + "' etc/c1"), content);
  ExpectSystemCheckClean();
}

TEST_P(E2EContainersTest, CommitWithAChangeSetsTheConfig) {
  CreateWeb();
  std::string id = Trim(Ok({"commit", "-c", "CMD [\"echo\",\"x\"]", "web", "app:v2"}));
  EXPECT_TRUE(Matches(id, kImageId)) << id;
  EXPECT_EQ(Inspect("app:v2")["Config"]["Cmd"], json::array({"echo", "x"}));
  EXPECT_EQ(Inspect("busybox")["Config"]["Cmd"], json::array({"sh"}));
  // A container of the new image runs the new command by default.
  Create({"--name", "echoer", "app:v2"});
  EXPECT_EQ(PsField("Command")[0], "\"echo x\"");
  // An empty container commits an empty layer: same files as busybox.
  EXPECT_EQ(SizeOf("app:v2"), SizeOf("busybox"));
}

TEST_P(E2EContainersTest, AContainerOfACommittedImageSeesTheCommittedFiles) {
  CreateWeb();
  Ok({"cp", WriteFile("c1", "committed\n"), "web:/etc/c1"});
  Ok({"commit", "web", "app:v1"});
  Create({"--name", "child", "app:v1"});
  EXPECT_EQ(CopyOut("child", "/etc/c1"), "committed\n");
  EXPECT_EQ(CopyOut("child", "/etc/passwd"), FromBusyboxLayer("etc/passwd"));
  EXPECT_EQ(Diff("child"), std::vector<std::string>{});
  EXPECT_EQ(PsField("Image")[0], "app:v1");
}

TEST_P(E2EContainersTest, ACommittedOverwriteOfALowerFileIsWhatNewContainersRead) {
  CreateWeb();
  Ok({"cp", WriteFile("pw", "new passwd\n"), "web:/etc/passwd"});
  Ok({"commit", "web", "pw:1"});
  Create({"--name", "child", "pw:1"});
  EXPECT_EQ(CopyOut("child", "/etc/passwd"), "new passwd\n");
  EXPECT_EQ(Diff("child"), std::vector<std::string>{});
  // Changing it again in the child is one more change over the two-layer image.
  Ok({"cp", WriteFile("pw2", "newer\n"), "child:/etc/passwd"});
  EXPECT_EQ(Diff("child"), (std::vector<std::string>{"C /etc", "C /etc/passwd"}));
  EXPECT_EQ(CopyOut("child", "/etc/passwd"), "newer\n");
  // The parent container and the image are as they were.
  EXPECT_EQ(CopyOut("web", "/etc/passwd"), "new passwd\n");
  Create({"--name", "child2", "pw:1"});
  EXPECT_EQ(CopyOut("child2", "/etc/passwd"), "new passwd\n");
  ExpectSystemCheckClean();
}

// ---------------------------------------------------------------------------------------------
// Containers hold their image

TEST_P(E2EContainersTest, RmiOfAnImageAContainerUsesFailsUntilTheContainerIsRemoved) {
  std::string cid = CreateWeb();
  std::string image = IdOf("busybox");
  std::string layer = LayersOf("busybox").at(0);
  CliResult r = Run({"rmi", "busybox"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "Error: conflict: unable to remove repository reference \"busybox\" (must "
                   "force) - container " +
                       cid.substr(0, 12) + " is using its referenced image " +
                       image.substr(7, 12) + "\n");
  EXPECT_EQ(ImageNames(), (std::vector<std::string>{"busybox:latest"}));
  EXPECT_EQ(Ok({"rm", "web"}), "web\n");
  EXPECT_EQ(Ok({"rmi", "busybox"}),
            "Untagged: busybox:latest\nDeleted: " + image + "\nDeleted: " + layer + "\n");
  EXPECT_FALSE(fs::exists(BlobPath(layer)));
  EXPECT_FALSE(fs::exists(root_ + "/layers/" + layer.substr(7)));
  ExpectSystemCheckClean();
}

// ---------------------------------------------------------------------------------------------
// rm and container prune

TEST_P(E2EContainersTest, RmRemovesTheContainerAndItsFolder) {
  std::string id = CreateWeb();
  Ok({"cp", WriteFile("f", "f\n"), "web:/etc/passwd"});
  ASSERT_TRUE(fs::is_directory(ContainerDir(id)));
  EXPECT_EQ(Ok({"rm", "web"}), "web\n");
  EXPECT_FALSE(fs::exists(ContainerDir(id)));
  EXPECT_EQ(Ok({"ps", "-a", "-q"}), "");
  // The image is untouched and the name is free again.
  EXPECT_EQ(Sha256Hex(BusyboxLayerBlob()), LayersOf("busybox").at(0).substr(7));
  std::string again = CreateWeb();
  EXPECT_NE(again, id);
  EXPECT_EQ(CopyOut("web", "/etc/passwd"), FromBusyboxLayer("etc/passwd"));
  ExpectSystemCheckClean();
}

TEST_P(E2EContainersTest, RmOfAnUnknownContainerFails) {
  CreateWeb();
  CliResult r = Run({"rm", "nosuch"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "Error: No such container: nosuch\n");
  // Removing goes on past a bad name, and still exits 1.
  r = Run({"rm", "nosuch", "web"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "web\n");
  EXPECT_EQ(r.err, "Error: No such container: nosuch\n");
  EXPECT_EQ(Ok({"ps", "-a", "-q"}), "");
}

TEST_P(E2EContainersTest, RmByIdOrIdPrefix) {
  std::string one = Create({"--name", "one", "busybox"});
  std::string two = Create({"--name", "two", "busybox"});
  // A prefix both ids share would be ambiguous; take the shortest one that is not.
  size_t n = 1;
  while (one.substr(0, n) == two.substr(0, n)) ++n;
  EXPECT_EQ(Ok({"rm", one.substr(0, n)}), one.substr(0, n) + "\n");
  EXPECT_FALSE(fs::exists(ContainerDir(one)));
  EXPECT_EQ(Ok({"container", "rm", two}), two + "\n");
  EXPECT_FALSE(fs::exists(ContainerDir(two)));
  EXPECT_EQ(Ok({"ps", "-a", "-q"}), "");
  ExpectSystemCheckClean();
}

TEST_P(E2EContainersTest, ContainerPruneRemovesEveryStoppedContainer) {
  std::string one = Create({"--name", "one", "busybox"});
  std::string two = Create({"--name", "two", "busybox"});
  Ok({"cp", WriteFile("f", std::string(1234567, 'f')), "one:/tmp/"});
  Ok({"cp", WriteFile("g", std::string(1000, 'g')), "two:/etc/passwd"});
  std::vector<std::string> lines = Lines(Ok({"container", "prune", "-f"}));
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], "Deleted Containers:");
  EXPECT_EQ(AsSet({lines[1], lines[2]}), AsSet({one, two}));
  EXPECT_EQ(lines[3], "");
  EXPECT_EQ(lines[4], "Total reclaimed space: " + GoHumanSize(1234567 + 1000, 4));
  EXPECT_EQ(Ok({"ps", "-a", "-q"}), "");
  EXPECT_FALSE(fs::exists(ContainerDir(one)));
  EXPECT_FALSE(fs::exists(ContainerDir(two)));
  EXPECT_EQ(ImageNames(), (std::vector<std::string>{"busybox:latest"}));
  ExpectSystemCheckClean();
  // Nothing left to prune.
  EXPECT_EQ(Ok({"container", "prune", "-f"}), "Total reclaimed space: 0B\n");
}

TEST_P(E2EContainersTest, ContainerPruneAnsweredNoRemovesNothing) {
  std::string id = CreateWeb();
  CliResult r = Run({"container", "prune"}, "n\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "WARNING! This will remove all stopped containers.\n"
                   "Are you sure you want to continue? [y/N] ");
  EXPECT_EQ(Ok({"ps", "-a", "-q", "--no-trunc"}), id + "\n");
  EXPECT_TRUE(fs::is_directory(ContainerDir(id)));
  // No answer at all is "no" too; "y" prunes.
  EXPECT_EQ(Run({"container", "prune"}).exit_code, 0);
  EXPECT_EQ(Ok({"ps", "-a", "-q", "--no-trunc"}), id + "\n");
  r = Run({"container", "prune"}, "y\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "WARNING! This will remove all stopped containers.\n"
                   "Are you sure you want to continue? [y/N] Deleted Containers:\n" +
                       id + "\n\nTotal reclaimed space: 0B\n");
  EXPECT_EQ(Ok({"ps", "-a", "-q"}), "");
}

// ---------------------------------------------------------------------------------------------
// export

TEST_P(E2EContainersTest, ExportWritesTheMergedFilesystem) {
  CreateWeb();
  Ok({"cp", WriteFile("added", "added\n"), "web:/tmp/"});
  Ok({"cp", WriteFile("pw", "new passwd\n"), "web:/etc/passwd"});
  std::string out = scratch_ + "/out.tar";
  EXPECT_EQ(Ok({"export", "web", "-o", out}), "");
  std::set<std::string> names = AsSet(Lines(Shell("tar -tf '" + out + "'")));
  for (const char* want : {"bin/busybox", "bin/ls", "etc/passwd", "etc/group", "tmp/added"}) {
    EXPECT_TRUE(names.count(want)) << want;
  }
  EXPECT_EQ(Shell("tar -xOf '" + out + "' etc/passwd"), "new passwd\n");
  EXPECT_EQ(Shell("tar -xOf '" + out + "' tmp/added"), "added\n");
  EXPECT_EQ(Shell("tar -xOf '" + out + "' etc/group"), FromBusyboxLayer("etc/group"));
  // Exporting reads only: nothing changed in the container.
  EXPECT_EQ(Diff("web"), (std::vector<std::string>{"C /etc", "C /etc/passwd", "C /tmp",
                                                   "A /tmp/added"}));
}

TEST_P(E2EContainersTest, ExportNeedsAnOutputFile) {
  CreateWeb();
  CliResult r = Run({"export", "web"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "Error: cowardly refusing to save to a terminal. Use the -o flag or redirect\n");
}

// ---------------------------------------------------------------------------------------------
// system df

TEST_P(E2EContainersTest, SystemDfCountsTheImageAndTheContainer) {
  CreateWeb();
  Ok({"cp", WriteFile("million", std::string(1000000, 'm')), "web:/tmp/"});
  int64_t image = SizeOf("busybox");
  std::string out = Ok({"system", "df"});
  EXPECT_EQ(Lines(out).at(0), "TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE");
  // The image is in use (nothing reclaimable); the container is not running (all of it is).
  EXPECT_EQ(out, Tabulate({{"TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"},
                           {"Images", "1", "1", GoHumanSize(image, 4), "0B (0%)"},
                           {"Containers", "1", "0", GoHumanSize(1000000, 4),
                            GoHumanSize(1000000, 4) + " (100%)"},
                           {"Local Volumes", "0", "0", "0B", "0B"},
                           {"Build Cache", "0", "0", "0B", "0B"}}));
  // Once the container is gone the image is unused: all of it is reclaimable.
  Ok({"rm", "web"});
  EXPECT_EQ(Ok({"system", "df"}),
            Tabulate({{"TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"},
                      {"Images", "1", "0", GoHumanSize(image, 4),
                       GoHumanSize(image, 4) + " (100%)"},
                      {"Containers", "0", "0", "0B", "0B"},
                      {"Local Volumes", "0", "0", "0B", "0B"},
                      {"Build Cache", "0", "0", "0B", "0B"}}));
}

TEST_P(E2EContainersTest, SystemDfVerboseSplitsSharedAndUniqueSizes) {
  std::string cid = CreateWeb();
  Ok({"cp", WriteFile("c1", std::string(1234, 'c')), "web:/etc/c1"});
  Ok({"commit", "web", "app:v1"});
  int64_t busybox = SizeOf("busybox");
  EXPECT_EQ(SizeOf("app:v1"), busybox + 1234);

  std::vector<std::string> lines = Lines(Ok({"system", "df", "-v"}));
  auto header = std::find_if(lines.begin(), lines.end(),
                             [](const std::string& l) { return l.rfind("REPOSITORY", 0) == 0; });
  ASSERT_NE(header, lines.end());
  EXPECT_EQ(Columns(*header),
            (std::vector<std::string>{"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE",
                                      "SHARED SIZE", "UNIQUE SIZE", "CONTAINERS"}));
  std::map<std::string, std::vector<std::string>> rows;  // "repo:tag" -> cells
  for (auto it = header + 1; it != lines.end() && !it->empty(); ++it) {
    std::vector<std::string> cells = Columns(*it);
    ASSERT_EQ(cells.size(), 8u) << *it;
    rows[cells[0] + ":" + cells[1]] = cells;
  }
  ASSERT_EQ(rows.size(), 2u);
  // busybox's one layer is shared with app:v1; app:v1's own layer is the committed bytes.
  const auto& bb = rows["busybox:latest"];
  EXPECT_EQ(bb[2], IdOf("busybox").substr(7, 12));
  EXPECT_EQ(bb[4], GoHumanSize(busybox, 3));
  EXPECT_EQ(bb[5], GoHumanSize(busybox, 3));
  EXPECT_EQ(bb[6], "0B");
  EXPECT_EQ(bb[7], "1");
  const auto& app = rows["app:v1"];
  EXPECT_EQ(app[2], IdOf("app:v1").substr(7, 12));
  EXPECT_EQ(app[4], GoHumanSize(busybox + 1234, 3));
  EXPECT_EQ(app[5], GoHumanSize(busybox, 3));
  EXPECT_EQ(app[6], GoHumanSize(1234, 3));
  EXPECT_EQ(app[7], "0");
  // The containers table shows the writable layer's size.
  auto ctr = std::find_if(lines.begin(), lines.end(), [&](const std::string& l) {
    return l.rfind(cid.substr(0, 12), 0) == 0;
  });
  ASSERT_NE(ctr, lines.end());
  std::vector<std::string> cells = Columns(*ctr);
  ASSERT_GE(cells.size(), 5u) << *ctr;
  EXPECT_EQ(cells[1], "busybox");
  EXPECT_EQ(cells[2], "\"sh\"");
  EXPECT_EQ(cells[3], "0");
  EXPECT_EQ(cells[4], GoHumanSize(1234, 3));
  EXPECT_EQ(cells.back(), "web");

  // Totals: each layer counted once; only busybox is in use, and its unique size is 0, so
  // everything is reclaimable (Docker's rule: reclaimable = total - unique sizes in use).
  int64_t total = busybox + 1234;
  EXPECT_EQ(Ok({"system", "df"}),
            Tabulate({{"TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"},
                      {"Images", "2", "1", GoHumanSize(total, 4),
                       GoHumanSize(total, 4) + " (100%)"},
                      {"Containers", "1", "0", GoHumanSize(1234, 4),
                       GoHumanSize(1234, 4) + " (100%)"},
                      {"Local Volumes", "0", "0", "0B", "0B"},
                      {"Build Cache", "0", "0", "0B", "0B"}}));
}

// ---------------------------------------------------------------------------------------------
// system check through a container's whole life

TEST_P(E2EContainersTest, SystemCheckStaysCleanThroughAContainersLife) {
  ExpectSystemCheckClean();
  CreateWeb();
  ExpectSystemCheckClean();
  Ok({"cp", WriteFile("f", "f\n"), "web:/etc/passwd"});
  Ok({"cp", WriteFile("g", "g\n"), "web:/tmp/"});
  Ok({"export", "web", "-o", scratch_ + "/web.tar"});
  ExpectSystemCheckClean();
  Ok({"commit", "-m", "c", "web", "app:v1"});
  ExpectSystemCheckClean();
  Create({"--name", "child", "app:v1"});
  Create({"busybox"});
  ExpectSystemCheckClean();
  EXPECT_EQ(Ok({"rm", "web"}), "web\n");
  ExpectSystemCheckClean();
  std::vector<std::string> pruned = Lines(Ok({"container", "prune", "-f"}));
  EXPECT_EQ(pruned.size(), 5u);
  ExpectSystemCheckClean();
  EXPECT_EQ(Ok({"ps", "-a", "-q"}), "");
  EXPECT_TRUE(fs::is_empty(root_ + "/containers"));
  // With no container left, both images go.
  Ok({"rmi", "app:v1", "busybox"});
  EXPECT_EQ(ImageNames(), std::vector<std::string>{});
  ExpectSystemCheckClean();
}

}  // namespace layerlab::testing::containers
