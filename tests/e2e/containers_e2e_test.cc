// End-to-end tests of `create`, `ps [-a -q -s --no-trunc --filter --format]`, `cp` both ways and
// `diff`, for both storage drivers (see containers_fixture.h).
#include "e2e/containers_fixture.h"

namespace layerlab::testing::containers {

// No prefix, so the tests are "E2EContainersTest.Name/overlay" and ctest's E2E* filter finds them.
INSTANTIATE_TEST_SUITE_P(, E2EContainersTest, ::testing::Values("overlay", "copy"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

// ---------------------------------------------------------------------------------------------
// create and ps

TEST_P(E2EContainersTest, CreatePrintsAFullIdAndTheContainerIsNotRunning) {
  std::string id = CreateWeb();
  EXPECT_TRUE(Matches(id, kContainerId)) << id;
  EXPECT_TRUE(fs::is_directory(ContainerDir(id)));
  // `ps` without -a lists running containers only: just the header.
  EXPECT_EQ(Ok({"ps"}), kPsHeader + "\n");
  EXPECT_EQ(Ok({"container", "ls"}), kPsHeader + "\n");
}

TEST_P(E2EContainersTest, PsAllShowsTheCreatedContainer) {
  std::string id = CreateWeb();
  std::string out = Ok({"ps", "-a"});
  std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 2u) << out;
  std::string created = CellUnder(lines[0], lines[1], "CREATED");
  EXPECT_TRUE(Matches(created, kJustNow)) << created;
  // With a row the columns widen (tabwriter: widest cell + 3, at least 10).
  EXPECT_EQ(out, Tabulate({{"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS",
                            "NAMES"},
                           {id.substr(0, 12), "busybox", "\"sh\"", created, "Created", "", "web"}}));

  EXPECT_EQ(Ok({"ps", "-a", "-q"}), id.substr(0, 12) + "\n");
  EXPECT_EQ(Ok({"ps", "-a", "-q", "--no-trunc"}), id + "\n");
  out = Ok({"ps", "-a", "--no-trunc"});
  lines = Lines(out);
  ASSERT_EQ(lines.size(), 2u) << out;
  created = CellUnder(lines[0], lines[1], "CREATED");
  EXPECT_TRUE(Matches(created, kJustNow)) << created;
  EXPECT_EQ(out, Tabulate({{"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS",
                            "NAMES"},
                           {id, "busybox", "\"sh\"", created, "Created", "", "web"}}));
}

TEST_P(E2EContainersTest, PsListsTheNewestContainerFirst) {
  std::string one = Create({"--name", "one", "busybox"});
  std::string two = Create({"--name", "two", "busybox"});
  EXPECT_EQ(Ok({"ps", "-a", "-q"}), two.substr(0, 12) + "\n" + one.substr(0, 12) + "\n");
  EXPECT_EQ(PsField("Names"), (std::vector<std::string>{"two", "one"}));
}

TEST_P(E2EContainersTest, PsFiltersByStatusNameAndId) {
  std::string web = CreateWeb();
  std::string db = Create({"--name", "db", "busybox"});
  // A status filter looks at every container, even without -a.
  EXPECT_EQ(Lines(Ok({"ps", "--filter", "status=created", "--format", "{{.Names}}"})),
            (std::vector<std::string>{"db", "web"}));
  EXPECT_EQ(Ok({"ps", "--filter", "status=exited", "-q"}), "");
  EXPECT_EQ(Ok({"ps", "-a", "--filter", "name=we", "-q", "--no-trunc"}), web + "\n");
  EXPECT_EQ(Ok({"ps", "-a", "--filter", "id=" + db.substr(0, 8), "-q", "--no-trunc"}), db + "\n");
  CliResult r = Run({"ps", "--filter", "status=sleeping"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: invalid filter 'status=sleeping'\n");
}

TEST_P(E2EContainersTest, PsAncestorFilterIncludesDescendantImages) {
  CreateWeb();
  Ok({"commit", "web", "app:v1"});
  Create({"--name", "child", "app:v1"});
  EXPECT_EQ(Lines(Ok({"ps", "-a", "--filter", "ancestor=app:v1", "--format", "{{.Names}}"})),
            (std::vector<std::string>{"child"}));
  EXPECT_EQ(Lines(Ok({"ps", "-a", "--filter", "ancestor=busybox", "--format", "{{.Names}}"})),
            (std::vector<std::string>{"child", "web"}));
}

TEST_P(E2EContainersTest, PsImageColumnShowsTheIdOnceTheNameMovesOn) {
  CreateWeb();
  Create({"--name", "tagged", "busybox:latest"});
  // The name as given at create, while it still names the container's image.
  EXPECT_EQ(PsField("Image"), (std::vector<std::string>{"busybox:latest", "busybox"}));
  std::string old_id = IdOf("busybox");
  Ok({"commit", "web", "app:v1"});
  Ok({"tag", "app:v1", "busybox"});
  EXPECT_EQ(PsField("Image"), (std::vector<std::string>{old_id.substr(7, 12),
                                                        old_id.substr(7, 12)}));
}

TEST_P(E2EContainersTest, PsNoTruncShowsTheFullImageIdOnceTheNameMovesOn) {
  CreateWeb();
  std::string old_id = IdOf("busybox");
  Ok({"commit", "web", "app:v1"});
  Ok({"tag", "app:v1", "busybox"});
  EXPECT_EQ(PsField("Image", true), (std::vector<std::string>{old_id}));
}

TEST_P(E2EContainersTest, CreateWithoutANameGivesAnAdjectiveSurnameName) {
  std::string id = Create({"busybox"});
  std::vector<std::string> names = PsField("Names");
  ASSERT_EQ(names.size(), 1u);
  EXPECT_TRUE(Matches(names[0], kGeneratedName)) << names[0];
  // The generated name works wherever a name does.
  EXPECT_EQ(Ok({"rm", names[0]}), names[0] + "\n");
  EXPECT_FALSE(fs::exists(ContainerDir(id)));
}

TEST_P(E2EContainersTest, CreateWithATakenNameFails) {
  std::string id = CreateWeb();
  CliResult r = Run({"--storage-driver", driver_, "create", "--name", "web", "busybox"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "Error: Conflict. The container name \"/web\" is already in use. You have to "
                   "remove (or rename) that container to be able to reuse that name.\n");
  EXPECT_EQ(Ok({"ps", "-a", "-q", "--no-trunc"}), id + "\n");
  // Nothing of the failed container is left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(root_ + "/containers"), fs::directory_iterator()),
            1);
  ExpectSystemCheckClean();
}

TEST_P(E2EContainersTest, CreateWithAnInvalidNameFails) {
  CliResult r = Run({"--storage-driver", driver_, "create", "--name", "bad/name", "busybox"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "Error: Invalid container name (bad/name" + kInvalidNameTail);
  EXPECT_EQ(Ok({"ps", "-a", "-q"}), "");
  ExpectSystemCheckClean();
}

TEST_P(E2EContainersTest, CreateRejectsAOneCharacterNameAsDockerDoes) {
  CliResult r = Run({"--storage-driver", driver_, "create", "--name", "x", "busybox"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "Error: Invalid container name (x" + kInvalidNameTail);
  // Two characters are fine.
  Create({"--name", "xy", "busybox"});
  EXPECT_EQ(PsField("Names"), (std::vector<std::string>{"xy"}));
}

TEST_P(E2EContainersTest, CreateAcceptsANameWithALeadingSlash) {
  CliResult r = Run({"--storage-driver", driver_, "create", "--name", "/web", "busybox"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(PsField("Names"), (std::vector<std::string>{"web"}));
}

TEST_P(E2EContainersTest, CreateOfAnUnknownImageFails) {
  CliResult r = Run({"--storage-driver", driver_, "create", "nosuch"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "Error: No such image: nosuch:latest\n");
  EXPECT_EQ(Ok({"ps", "-a", "-q"}), "");
}

TEST_P(E2EContainersTest, CreateKeepsTheCommandAfterTheImage) {
  Create({"--name", "hi", "busybox", "sh", "-c", "echo hi"});
  EXPECT_EQ(PsField("Command"), (std::vector<std::string>{"\"sh -c echo hi\""}));
  // Longer than 20 characters: cut to 19 and "…" (quoted after cutting), unless --no-trunc.
  Create({"--name", "long", "busybox", "sh", "-c", "echo hello world and more"});
  EXPECT_EQ(PsField("Command"),
            (std::vector<std::string>{"\"sh -c echo hello wo…\"", "\"sh -c echo hi\""}));
  EXPECT_EQ(PsField("Command", true),
            (std::vector<std::string>{"\"sh -c echo hello world and more\"", "\"sh -c echo hi\""}));
  // The table counts "…" as one character when it aligns the columns.
  std::string out = Ok({"ps", "-a"});
  std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 3u) << out;
  EXPECT_EQ(lines[0], "CONTAINER ID   IMAGE     COMMAND                  CREATED" +
                          lines[0].substr(lines[0].find("CREATED") + 7));
}

TEST_P(E2EContainersTest, CreateTraceSaysWhatTheWritableLayerCost) {
  std::string trace = scratch_ + "/create.jsonl";
  std::string id = Trim(Ok({"--explain=json:" + trace, "--storage-driver", driver_, "create",
                            "--name", "web", "busybox"}));
  std::vector<json> created, writable;
  for (const json& e : ReadTrace(trace)) {
    if (e.value("kind", "") == "container_created") created.push_back(e);
    if (e.value("kind", "") == "writable_layer_created") writable.push_back(e);
  }
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0]["subject"], id);
  EXPECT_EQ(created[0]["layer"], IdOf("busybox"));
  EXPECT_EQ(created[0]["detail"], "web");
  ASSERT_EQ(writable.size(), 1u);
  // overlay starts from an empty upper dir; copy copies every file of the image.
  EXPECT_EQ(writable[0]["subject"], ContainerDir(id) + (overlay() ? "/upper" : "/rootfs"));
  EXPECT_EQ(writable[0]["bytes"], overlay() ? int64_t{0} : SizeOf("busybox"));
}

// ---------------------------------------------------------------------------------------------
// ps -s

TEST_P(E2EContainersTest, PsSizeOfANewContainerIsZeroPlusTheImage) {
  std::string id = CreateWeb();
  std::string out = Ok({"ps", "-a", "-s"});
  std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 2u) << out;
  std::string created = CellUnder(lines[0], lines[1], "CREATED");
  std::string size = "0B (virtual " + GoHumanSize(SizeOf("busybox"), 3) + ")";
  EXPECT_EQ(size, "0B (virtual 1.98MB)");
  EXPECT_EQ(out, Tabulate({{"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS",
                            "NAMES", "SIZE"},
                           {id.substr(0, 12), "busybox", "\"sh\"", created, "Created", "", "web",
                            size}}));
}

TEST_P(E2EContainersTest, PsSizeCountsTheBytesCopiedIn) {
  CreateWeb();
  Ok({"cp", WriteFile("million", std::string(1000000, 'm')), "web:/tmp/"});
  int64_t image = SizeOf("busybox");
  EXPECT_EQ(PsSizes(),
            (std::vector<std::string>{"1MB (virtual " + GoHumanSize(image + 1000000, 3) + ")"}));
  // Overwriting a lower file counts the new file's bytes, not the old ones.
  Ok({"cp", WriteFile("pw", std::string(1234, 'p')), "web:/etc/passwd"});
  EXPECT_EQ(PsSizes(),
            (std::vector<std::string>{GoHumanSize(1001234, 3) + " (virtual " +
                                      GoHumanSize(image + 1001234, 3) + ")"}));
}

TEST_P(E2EContainersTest, PsFormatUsingSizeComputesItWithoutDashS) {
  CreateWeb();
  std::string want = "0B (virtual " + GoHumanSize(SizeOf("busybox"), 3) + ")";
  EXPECT_EQ(PsSizes(), (std::vector<std::string>{want}));
  EXPECT_EQ(PsField("Size"), (std::vector<std::string>{want}));
  EXPECT_EQ(Ok({"ps", "-a", "--format", "table {{.Names}}\t{{.Size}}"}),
            Tabulate({{"NAMES", "SIZE"}, {"web", want}}));
}

// ---------------------------------------------------------------------------------------------
// cp

TEST_P(E2EContainersTest, CpOfAFileIntoADirectoryKeepsItsName) {
  CreateWeb();
  std::string f = WriteFile("hello.txt", "hello\n");
  EXPECT_EQ(Ok({"cp", f, "web:/tmp/"}), "");
  EXPECT_EQ(CopyOut("web", "/tmp/hello.txt"), "hello\n");
  // A directory named without the trailing slash is a directory all the same.
  Ok({"cp", f, "web:/etc"});
  EXPECT_EQ(CopyOut("web", "/etc/hello.txt"), "hello\n");
}

TEST_P(E2EContainersTest, CpOfAFileToANewPathNamesItSo) {
  CreateWeb();
  Ok({"cp", WriteFile("hello.txt", "hello\n"), "web:/tmp/newname"});
  EXPECT_EQ(CopyOut("web", "/tmp/newname"), "hello\n");
  EXPECT_EQ(Diff("web"), (std::vector<std::string>{"C /tmp", "A /tmp/newname"}));
}

TEST_P(E2EContainersTest, CpOfADirectoryIntoAnExistingDirectoryNestsIt) {
  CreateWeb();
  WriteFile("d/a", "a\n");
  WriteFile("d/sub/b", "b\n");
  Ok({"cp", scratch_ + "/d", "web:/tmp/"});
  EXPECT_EQ(CopyOut("web", "/tmp/d/a"), "a\n");
  EXPECT_EQ(CopyOut("web", "/tmp/d/sub/b"), "b\n");
  EXPECT_EQ(Diff("web"), (std::vector<std::string>{"C /tmp", "A /tmp/d", "A /tmp/d/a",
                                                   "A /tmp/d/sub", "A /tmp/d/sub/b"}));
}

TEST_P(E2EContainersTest, CpOfADirectoryWithDotCopiesItsContents) {
  CreateWeb();
  WriteFile("d/a", "a\n");
  WriteFile("d/sub/b", "b\n");
  Ok({"cp", scratch_ + "/d/.", "web:/tmp/"});
  EXPECT_EQ(CopyOut("web", "/tmp/a"), "a\n");
  EXPECT_EQ(CopyOut("web", "/tmp/sub/b"), "b\n");
  EXPECT_EQ(Diff("web"),
            (std::vector<std::string>{"C /tmp", "A /tmp/a", "A /tmp/sub", "A /tmp/sub/b"}));
}

TEST_P(E2EContainersTest, CpOfADirectoryToAMissingPathCreatesIt) {
  CreateWeb();
  WriteFile("d/a", "a\n");
  WriteFile("d/sub/b", "b\n");
  Ok({"cp", scratch_ + "/d", "web:/opt"});
  EXPECT_EQ(CopyOut("web", "/opt/a"), "a\n");
  EXPECT_EQ(CopyOut("web", "/opt/sub/b"), "b\n");
  EXPECT_EQ(Diff("web"), (std::vector<std::string>{"A /opt", "A /opt/a", "A /opt/sub",
                                                   "A /opt/sub/b"}));
}

TEST_P(E2EContainersTest, CpOfADirectoryToAMissingPathWithATrailingSlashCreatesIt) {
  CreateWeb();
  WriteFile("d/a", "a\n");
  WriteFile("d/sub/b", "b\n");
  CliResult r = Run({"cp", scratch_ + "/d", "web:/opt/"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = Run({"cp", scratch_ + "/d/.", "web:/opt/x/"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Diff("web"),
            (std::vector<std::string>{"A /opt", "A /opt/a", "A /opt/sub", "A /opt/sub/b",
                                      "A /opt/x", "A /opt/x/a", "A /opt/x/sub", "A /opt/x/sub/b"}));
}

TEST_P(E2EContainersTest, CpOfAFileToAMissingDirectoryFails) {
  CreateWeb();
  std::string f = WriteFile("hello.txt", "hello\n");
  CliResult r = Run({"cp", f, "web:/nodir/x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("Could not find the file /nodir in container web"), std::string::npos)
      << r.err;
  // A trailing slash says "a directory": it must exist for a file.
  r = Run({"cp", f, "web:/nodir/"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("Could not find the file"), std::string::npos) << r.err;
  EXPECT_EQ(Diff("web"), std::vector<std::string>{});
}

TEST_P(E2EContainersTest, CpOutOfTheContainerCopiesTheImagesFile) {
  CreateWeb();
  std::string passwd = FromBusyboxLayer("etc/passwd");
  ASSERT_NE(passwd, "");
  EXPECT_EQ(CopyOut("web", "/etc/passwd"), passwd);
  // Into an existing host directory: the file keeps its name.
  fs::create_directories(scratch_ + "/outdir");
  Ok({"cp", "web:/etc/passwd", scratch_ + "/outdir"});
  EXPECT_EQ(ReadFile(scratch_ + "/outdir/passwd"), passwd);
  // Reading changes nothing.
  EXPECT_EQ(Diff("web"), std::vector<std::string>{});
}

TEST_P(E2EContainersTest, CpToDashWritesATarOnStdout) {
  CreateWeb();
  std::string passwd = FromBusyboxLayer("etc/passwd");
  CliResult r = Run({"cp", "web:/etc/passwd", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string tar = WriteFile("out.tar", r.out);
  // The system's tar reads it: one entry named by the base name, with the file's bytes.
  EXPECT_EQ(Trim(Shell("tar -tf " + tar)), "passwd");
  EXPECT_EQ(Shell("tar -xOf " + tar + " passwd"), passwd);
  EXPECT_FALSE(fs::exists("-"));
  // A tar on stdin is not taken yet: said, not guessed.
  CliResult in = Run({"cp", "-", "web:/tmp"});
  EXPECT_EQ(in.exit_code, 1);
  EXPECT_EQ(in.err, "Error: cp - CONTAINER:PATH (a tar on stdin) is not supported yet: give a "
                    "host path\n");
}

TEST_P(E2EContainersTest, CpOutOfAMissingFileFails) {
  CreateWeb();
  CliResult r = Run({"cp", "web:/etc/nosuch", scratch_ + "/out"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: Could not find the file /etc/nosuch in container web\n");
  EXPECT_FALSE(fs::exists(scratch_ + "/out"));
}

TEST_P(E2EContainersTest, CpNeedsAContainerOnExactlyOneSide) {
  CreateWeb();
  std::string f = WriteFile("hello.txt", "hello\n");
  CliResult r = Run({"cp", f, scratch_ + "/copy"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: must specify at least one container source\n");
  EXPECT_FALSE(fs::exists(scratch_ + "/copy"));
  r = Run({"cp", "web:/etc/passwd", "web:/tmp/passwd"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: copying between containers is not supported\n");
  r = Run({"cp", f, "nosuch:/tmp/"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: No such container: nosuch\n");
}

TEST_P(E2EContainersTest, VerbsUseTheContainersOwnDriver) {
  std::string id = CreateWeb();
  EXPECT_TRUE(fs::is_directory(ContainerDir(id) + (overlay() ? "/upper" : "/rootfs")));
  // Another --storage-driver on later verbs changes nothing about an existing container.
  Ok({"--storage-driver", other_driver(), "cp", WriteFile("f", "f\n"), "web:/etc/new"});
  EXPECT_EQ(Lines(Ok({"--storage-driver", other_driver(), "diff", "web"})),
            (std::vector<std::string>{"C /etc", "A /etc/new"}));
  EXPECT_EQ(CopyOut("web", "/etc/new"), "f\n");
  EXPECT_EQ(ReadFile(ContainerDir(id) + (overlay() ? "/upper" : "/rootfs") + "/etc/new"), "f\n");
}

// Container paths resolve inside the container's root: a symlink in the image (absolute or with
// many "..") or a path with ".." never reaches the host's files, either way.
TEST_P(E2EContainersTest, CpNeverLeavesTheContainersRoot) {
  std::string host = scratch_ + "/host-target";
  WriteFile("host-target/secret", "secret\n");
  std::string tree = scratch_ + "/esc-tree";
  fs::create_directories(tree + "/etc");
  fs::create_symlink(host, tree + "/link");
  fs::create_symlink("../../../../../../../../../../.." + host, tree + "/etc/rel");
  std::string tar = scratch_ + "/esc.tar";
  ASSERT_EQ(std::system(("tar -C '" + tree + "' -cf '" + tar + "' .").c_str()), 0);
  Ok({"import", tar, "esc:1"});
  Create({"--name", "cc", "esc:1", "sh"});
  std::string f = WriteFile("pwn", "pwned\n");
  for (const std::string& dst :
       std::vector<std::string>{"cc:/link/pwned", "cc:/etc/rel/pwned", "cc:/link/",
                                "cc:/../../../../../../../../../.." + host + "/pwned"}) {
    CliResult r = Run({"cp", f, dst});
    EXPECT_EQ(r.exit_code, 1) << dst;
    EXPECT_NE(r.err.find("Could not find the file"), std::string::npos) << dst << ": " << r.err;
  }
  for (const char* src : {"cc:/link/secret", "cc:/etc/rel/secret"}) {
    CliResult r = Run({"cp", src, scratch_ + "/stolen"});
    EXPECT_EQ(r.exit_code, 1) << src;
    EXPECT_NE(r.err.find("Could not find the file"), std::string::npos) << src << ": " << r.err;
  }
  // The symlink itself copies out as it is, pointing where it points.
  Ok({"cp", "cc:/link", scratch_ + "/link-copy"});
  EXPECT_TRUE(fs::is_symlink(scratch_ + "/link-copy"));
  EXPECT_EQ(fs::read_symlink(scratch_ + "/link-copy"), host);
  std::set<std::string> host_files;
  for (const auto& e : fs::directory_iterator(host)) host_files.insert(e.path().filename());
  EXPECT_EQ(host_files, std::set<std::string>{"secret"});
  EXPECT_FALSE(fs::exists(scratch_ + "/stolen"));
  EXPECT_EQ(Diff("cc"), std::vector<std::string>{});
}

// ---------------------------------------------------------------------------------------------
// diff

TEST_P(E2EContainersTest, DiffOfANewContainerIsEmpty) {
  CreateWeb();
  EXPECT_EQ(Ok({"diff", "web"}), "");
  EXPECT_EQ(Ok({"container", "diff", "web"}), "");
}

TEST_P(E2EContainersTest, DiffShowsAnAddedFileAndItsParentAsChanged) {
  CreateWeb();
  Ok({"cp", WriteFile("f", "new\n"), "web:/etc/new"});
  EXPECT_EQ(Ok({"diff", "web"}), "C /etc\nA /etc/new\n");
}

TEST_P(E2EContainersTest, DiffShowsAnOverwrittenLowerFileAsChanged) {
  CreateWeb();
  Ok({"cp", WriteFile("f", "new\n"), "web:/etc/passwd"});
  EXPECT_EQ(Diff("web"), (std::vector<std::string>{"C /etc", "C /etc/passwd"}));
  EXPECT_EQ(CopyOut("web", "/etc/passwd"), "new\n");
  // All changes, sorted by path.
  Ok({"cp", WriteFile("f", "new\n"), "web:/etc/new"});
  Ok({"cp", WriteFile("f", "new\n"), "web:/tmp/"});
  EXPECT_EQ(Diff("web"), (std::vector<std::string>{"C /etc", "A /etc/new", "C /etc/passwd",
                                                   "C /tmp", "A /tmp/f"}));
}

TEST_P(E2EContainersTest, OverwritingAHardLinkedFileLeavesItsOtherLinksAlone) {
  CreateWeb();
  std::string ls_before = CopyOut("web", "/bin/ls");
  ASSERT_GT(ls_before.size(), 1000000u);
  Ok({"cp", WriteFile("hb", "hello\n"), "web:/bin/busybox"});
  EXPECT_EQ(CopyOut("web", "/bin/busybox"), "hello\n");
  EXPECT_EQ(CopyOut("web", "/bin/ls"), ls_before);
  std::vector<std::string> diff = Diff("web");
  EXPECT_EQ(diff.size(), 2u);
  EXPECT_EQ(std::vector<std::string>(diff.begin(), diff.begin() + std::min<size_t>(2, diff.size())),
            (std::vector<std::string>{"C /bin", "C /bin/busybox"}));
}

}  // namespace layerlab::testing::containers
