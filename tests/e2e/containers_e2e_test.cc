// End-to-end tests of the container verbs as a user runs them: `create`, `ps [-a -q -s
// --no-trunc]`, `cp` both ways (copy-up through the union), `diff`, `commit`, `rm`,
// `container prune`, `export`, `system df [-v]`, and how containers hold on to their image
// (`rmi`) and keep `system check` clean. Most tests run for both storage drivers (overlay and
// copy); the driver is chosen with the global `--storage-driver D` on `create`, and every other
// verb uses the container's own driver. Every test starts from a fresh store holding only
// busybox:latest. Expected tables and sizes are computed here, independently of sim/cli.
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

namespace {

using layerlab::testing::CliResult;
using layerlab::testing::Columns;
using layerlab::testing::GoHumanSize;
using layerlab::testing::Lines;
using layerlab::testing::Matches;
using layerlab::testing::ReadTrace;
using layerlab::testing::Sha256Hex;
using layerlab::testing::Trim;
using nlohmann::json;
namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Helpers

const std::regex kContainerId("^[0-9a-f]{64}$");
const std::regex kShortHex("^[0-9a-f]{12}$");
const std::regex kImageId("^sha256:[0-9a-f]{64}$");
const std::regex kGeneratedName("^[a-z]+_[a-z]+[0-9]*$");
// A container made a moment ago (a slow machine may take a few seconds).
const std::regex kJustNow("^(Less than a second|1 second|[0-9]+ seconds) ago$");
const std::regex kCleanSummary("^[0-9]+ blobs verified, 0 corrupt, 0 missing, 0 orphans$");

const std::string kPsHeader =
    "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES";
const std::string kInvalidNameTail = "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed\n";

// Characters (not bytes) of a UTF-8 string: tabwriter counts characters, and "…" is 3 bytes.
size_t CharCount(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Go's text/tabwriter as Docker sets it up (minwidth 10, tabwidth 1, padding 3): each column but
// the last is as wide as its widest cell plus 3, at least 10; the last cell is not padded.
std::string Tabulate(const std::vector<std::vector<std::string>>& rows) {
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
std::string CellUnder(const std::string& header, const std::string& row,
                      const std::string& column) {
  size_t start = header.find(column);
  if (start == std::string::npos || start >= row.size()) return "";
  size_t end = header.find_first_not_of(' ', header.find("  ", start));
  std::string cell = row.substr(start, end == std::string::npos ? std::string::npos : end - start);
  while (!cell.empty() && cell.back() == ' ') cell.pop_back();
  return cell;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// What a shell command prints (stdout), e.g. `tar -tf`.
std::string Shell(const std::string& cmd) {
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return "";
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  EXPECT_EQ(pclose(p), 0) << cmd;
  return out;
}

std::set<std::string> AsSet(const std::vector<std::string>& v) {
  return std::set<std::string>(v.begin(), v.end());
}

// ---------------------------------------------------------------------------------------------
// Fixture

class ContainersE2E : public layerlab::testing::CliTest {
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

}  // namespace
