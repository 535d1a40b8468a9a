// End-to-end tests of removing things as a user does it: `rmi` (Docker's untag-then-delete rules,
// shared layers, images in use by a container), `image prune` and `system check [--repair]`.
// Every test starts from a fresh store holding only busybox:latest. (The listing verbs are in
// images_e2e_test.cc.)
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
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

// ---------------------------------------------------------------------------------------------
// Helpers

const std::regex kFullId("^sha256:[0-9a-f]{64}$");
const std::regex kCleanSummary("^[0-9]+ blobs verified, 0 corrupt, 0 missing, 0 orphans$");






// ---------------------------------------------------------------------------------------------
// Fixture

class E2ERmiPruneTest : public layerlab::testing::CliTest {
 protected:
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
  // The one layer of a one-layer image (its diff id, which is also its chain id).
  std::string LayerOf(const std::string& name) {
    json layers = Inspect(name)["RootFS"]["Layers"];
    if (layers.size() != 1) {
      ADD_FAILURE() << name << " has " << layers.size() << " layers";
      return "";
    }
    return layers[0];
  }
  std::string BlobPath(const std::string& digest) {
    return root_ + "/blobs/sha256/" + digest.substr(7);
  }
  std::string HelloTar() { return MakeTar("hello.tar", {{"a.txt", "hello\n"}}); }
  std::string Import(const std::vector<std::string>& args) {
    std::vector<std::string> full = {"import"};
    full.insert(full.end(), args.begin(), args.end());
    return Trim(Ok(full));
  }
  // "REPO:TAG" of every row of `images`, in order.
  std::vector<std::string> Names() {
    return Lines(Ok({"images", "--format", "{{.Repository}}:{{.Tag}}"}));
  }
  // Records a container using `image_id` straight in the database (there is no `run` verb yet).
  void AddContainer(const std::string& image_id, const std::string& state) {
    std::string sql = "INSERT INTO containers(id,name,image_id,created,state) VALUES("
                      "'abcdef0123456789','c1','" + image_id + "',0,'" + state + "')";
    std::string cmd = "sqlite3 '" + root_ + "/layerlab.db' \"" + sql + "\"";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  void ExpectSystemCheckClean() {
    CliResult r = Run({"system", "check"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    std::vector<std::string> lines = Lines(r.out);
    ASSERT_EQ(lines.size(), 1u) << r.out;
    EXPECT_TRUE(Matches(lines[0], kCleanSummary)) << lines[0];
  }
  // Two images made by importing the same tar twice with different messages: different ids,
  // one shared layer. Returns their ids.
  std::pair<std::string, std::string> TwoImagesSharingALayer() {
    std::string tar = HelloTar();
    std::string one = Import({"-m", "one", tar, "x:1"});
    std::string two = Import({"-m", "two", tar, "x:2"});
    EXPECT_NE(one, two);
    EXPECT_EQ(Inspect("x:1")["RootFS"]["Layers"], Inspect("x:2")["RootFS"]["Layers"]);
    return {one, two};
  }
};

// ---------------------------------------------------------------------------------------------
// rmi

TEST_F(E2ERmiPruneTest, RmiOfOneOfTwoTagsOnlyUntags) {
  Ok({"tag", "busybox", "mybox:v1"});
  std::string id = IdOf("busybox");
  EXPECT_EQ(Ok({"rmi", "mybox:v1"}), "Untagged: mybox:v1\n");
  EXPECT_EQ(Names(), (std::vector<std::string>{"busybox:latest"}));
  EXPECT_EQ(IdOf("busybox"), id);
  ExpectSystemCheckClean();
}

TEST_F(E2ERmiPruneTest, RmiOfTheLastTagDeletesTheImageAndItsLayer) {
  std::string id = IdOf("busybox");
  std::string layer = LayerOf("busybox");
  EXPECT_EQ(Ok({"rmi", "busybox"}),
            "Untagged: busybox:latest\nDeleted: " + id + "\nDeleted: " + layer + "\n");
  EXPECT_TRUE(Names().empty());
  EXPECT_FALSE(std::filesystem::exists(BlobPath(id)));
  EXPECT_FALSE(std::filesystem::exists(BlobPath(layer)));
  ExpectSystemCheckClean();
}

TEST_F(E2ERmiPruneTest, RmiByFullIdOfASingleTagImageUntagsAndDeletes) {
  std::string id = IdOf("busybox");
  std::string layer = LayerOf("busybox");
  EXPECT_EQ(Ok({"rmi", id}),
            "Untagged: busybox:latest\nDeleted: " + id + "\nDeleted: " + layer + "\n");
  EXPECT_TRUE(Names().empty());
}

TEST_F(E2ERmiPruneTest, ImageRmIsRmi) {
  Ok({"tag", "busybox", "mybox:v1"});
  EXPECT_EQ(Ok({"image", "rm", "mybox:v1"}), "Untagged: mybox:v1\n");
  EXPECT_EQ(Names(), (std::vector<std::string>{"busybox:latest"}));
}

TEST_F(E2ERmiPruneTest, RmiOfAnUnknownImageFails) {
  CliResult r = Run({"rmi", "nosuch"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "Error: No such image: nosuch:latest\n");
}

TEST_F(E2ERmiPruneTest, RmiGoesOnAfterAFailedNameAndExitsOne) {
  Ok({"tag", "busybox", "mybox:v1"});
  CliResult r = Run({"rmi", "nosuch", "mybox:v1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "Untagged: mybox:v1\n");
  EXPECT_EQ(r.err, "Error: No such image: nosuch:latest\n");
}

TEST_F(E2ERmiPruneTest, RmiByShortIdOfAMultiplyTaggedImageNeedsForce) {
  Ok({"tag", "busybox", "mybox:v1"});
  std::string id = IdOf("busybox");
  std::string short_id = id.substr(7, 12);
  CliResult r = Run({"rmi", short_id});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "Error: conflict: unable to delete " + short_id +
                       " (must be forced) - image is referenced in multiple repositories\n");
  EXPECT_EQ(Names(), (std::vector<std::string>{"busybox:latest", "mybox:v1"}));

  std::string layer = LayerOf("busybox");
  std::vector<std::string> lines = Lines(Ok({"rmi", "-f", short_id}));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(std::set<std::string>(lines.begin(), lines.begin() + 2),
            (std::set<std::string>{"Untagged: busybox:latest", "Untagged: mybox:v1"}));
  EXPECT_EQ(lines[2], "Deleted: " + id);
  EXPECT_EQ(lines[3], "Deleted: " + layer);
  EXPECT_TRUE(Names().empty());
  ExpectSystemCheckClean();
}

TEST_F(E2ERmiPruneTest, RmiOfAnImageSharingALayerKeepsTheLayer) {
  auto [one, two] = TwoImagesSharingALayer();
  std::string layer = LayerOf("x:1");
  // No "Deleted:" line for the layer: x:1 still uses it.
  EXPECT_EQ(Ok({"rmi", "x:2"}), "Untagged: x:2\nDeleted: " + two + "\n");
  EXPECT_TRUE(std::filesystem::exists(BlobPath(layer)));
  EXPECT_FALSE(std::filesystem::exists(BlobPath(two)));
  // The other image is whole.
  EXPECT_EQ(IdOf("x:1"), one);
  EXPECT_EQ(LayerOf("x:1"), layer);
  std::vector<std::vector<std::string>> rows;
  for (const auto& l : Lines(Ok({"history", "x:1"}))) rows.push_back(Columns(l));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1][0], one.substr(7, 12));
  EXPECT_EQ(rows[1].back(), "one");
  ExpectSystemCheckClean();
  // Removing the last user frees the layer.
  EXPECT_EQ(Ok({"rmi", "x:1"}), "Untagged: x:1\nDeleted: " + one + "\nDeleted: " + layer + "\n");
  EXPECT_FALSE(std::filesystem::exists(BlobPath(layer)));
  ExpectSystemCheckClean();
}

TEST_F(E2ERmiPruneTest, ExplainOfRmiSaysWhichLayerIsKeptAndWhy) {
  auto [one, two] = TwoImagesSharingALayer();
  std::string layer = LayerOf("x:1");
  std::string trace = scratch_ + "/rmi.jsonl";
  Ok({"--explain=json:" + trace, "rmi", "x:2"});
  std::vector<std::string> kinds;
  bool kept = false;
  for (const json& e : ReadTrace(trace)) {
    kinds.push_back(e.value("kind", ""));
    if (e.value("kind", "") == "layer_kept") {
      kept = true;
      EXPECT_EQ(e["subject"], layer);
      EXPECT_EQ(e["why"], "image " + one.substr(7, 12) + " still uses it");
    }
    EXPECT_NE(e.value("kind", ""), "layer_freed") << e.dump();
  }
  EXPECT_TRUE(kept);
  EXPECT_EQ(kinds, (std::vector<std::string>{"tag_removed", "image_deleted", "layer_kept"}));
}

TEST_F(E2ERmiPruneTest, RmiOfAnImageUsedByAContainerNeedsForce) {
  std::string id = IdOf("busybox");
  std::string short_id = id.substr(7, 12);
  AddContainer(id, "exited");
  CliResult r = Run({"rmi", "busybox"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "Error: conflict: unable to remove repository reference \"busybox\" (must "
                   "force) - container abcdef012345 is using its referenced image " +
                       short_id + "\n");
  EXPECT_EQ(Names(), (std::vector<std::string>{"busybox:latest"}));

  r = Run({"rmi", short_id});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: conflict: unable to delete " + short_id +
                       " (must be forced) - image is being used by stopped container "
                       "abcdef012345\n");
  EXPECT_EQ(Names(), (std::vector<std::string>{"busybox:latest"}));
}

// Documented deviation from Docker: a forced rmi never deletes an image a container uses; it only
// untags it, and the image stays as <none> (Docker would delete it).
TEST_F(E2ERmiPruneTest, ForcedRmiOfAnImageUsedByAContainerOnlyUntags) {
  std::string id = IdOf("busybox");
  AddContainer(id, "exited");
  EXPECT_EQ(Ok({"rmi", "-f", "busybox"}), "Untagged: busybox:latest\n");
  EXPECT_EQ(Names(), (std::vector<std::string>{"<none>:<none>"}));
  EXPECT_EQ(Trim(Ok({"images", "-q", "--no-trunc"})), id);
  EXPECT_TRUE(std::filesystem::exists(BlobPath(id)));
  // A forced rmi by id keeps it too, and so does pruning every unused image.
  Ok({"rmi", "-f", id.substr(7, 12)});
  EXPECT_EQ(Ok({"image", "prune", "-a", "-f"}), "Total reclaimed space: 0B\n");
  EXPECT_EQ(Trim(Ok({"images", "-q", "--no-trunc"})), id);
  ExpectSystemCheckClean();
}

// Docker (daemon/images/image_delete.go): after removing the named reference, the delete of the
// image is "quiet" — a conflict such as a running container leaves the image as <none> and the
// command succeeds with just "Untagged:".
TEST_F(E2ERmiPruneTest, ForcedRmiOfAnImageUsedByARunningContainerOnlyUntags) {
  std::string id = IdOf("busybox");
  AddContainer(id, "running");
  CliResult r = Run({"rmi", "-f", "busybox"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Untagged: busybox:latest\n");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(Names(), (std::vector<std::string>{"<none>:<none>"}));
  EXPECT_EQ(Trim(Ok({"images", "-q", "--no-trunc"})), id);
  // By id, even forced, it cannot go while the container runs.
  r = Run({"rmi", "-f", id.substr(7, 12)});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: conflict: unable to delete " + id.substr(7, 12) +
                       " (cannot be forced) - image is being used by running container "
                       "abcdef012345\n");
}

// ---------------------------------------------------------------------------------------------
// image prune

TEST_F(E2ERmiPruneTest, PruneRemovesDanglingImages) {
  std::string id = Import({HelloTar()});
  std::string layer = LayerOf(id);
  EXPECT_EQ(Ok({"image", "prune", "-f"}), "Deleted Images:\ndeleted: " + id + "\ndeleted: " +
                                              layer + "\n\nTotal reclaimed space: 6B\n");
  EXPECT_EQ(Names(), (std::vector<std::string>{"busybox:latest"}));
  ExpectSystemCheckClean();
}

TEST_F(E2ERmiPruneTest, PruneOfImagesSharingALayerFreesItOnce) {
  std::string tar = HelloTar();
  std::string one = Import({"-m", "one", tar});
  std::string two = Import({"-m", "two", tar});
  std::string layer = LayerOf(one);
  std::vector<std::string> lines = Lines(Ok({"image", "prune", "-f"}));
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0], "Deleted Images:");
  std::multiset<std::string> deleted(lines.begin() + 1, lines.begin() + 4);
  EXPECT_EQ(deleted, (std::multiset<std::string>{"deleted: " + one, "deleted: " + two,
                                                 "deleted: " + layer}));
  EXPECT_EQ(lines[3], "deleted: " + layer);  // with the second image, not before
  EXPECT_EQ(lines[4], "");
  EXPECT_EQ(lines[5], "Total reclaimed space: 6B");
  ExpectSystemCheckClean();
}

TEST_F(E2ERmiPruneTest, PruneWithNothingToPrunePrintsOnlyTheTotal) {
  EXPECT_EQ(Ok({"image", "prune", "-f"}), "Total reclaimed space: 0B\n");
  EXPECT_EQ(Names(), (std::vector<std::string>{"busybox:latest"}));
}

TEST_F(E2ERmiPruneTest, PruneAllRemovesEveryImageNoContainerUses) {
  std::string id = IdOf("busybox");
  std::string layer = LayerOf("busybox");
  std::string out = Ok({"image", "prune", "-a", "-f"});
  std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 6u) << out;
  EXPECT_EQ(lines[0], "Deleted Images:");
  EXPECT_EQ(lines[1], "untagged: busybox:latest");
  EXPECT_EQ(lines[2], "deleted: " + id);
  EXPECT_EQ(lines[3], "deleted: " + layer);
  EXPECT_EQ(lines[4], "");
  EXPECT_TRUE(Matches(lines[5], std::regex("^Total reclaimed space: [0-9.]+MB$"))) << lines[5];
  EXPECT_TRUE(Names().empty());
  ExpectSystemCheckClean();
}

TEST_F(E2ERmiPruneTest, PruneReportsReclaimedSpaceWithFourSignificantDigits) {
  int64_t bytes = Inspect("busybox")["Size"].get<int64_t>();
  ASSERT_GT(bytes, 1000000);
  std::vector<std::string> lines = Lines(Ok({"image", "prune", "-a", "-f"}));
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back(), "Total reclaimed space: " + GoHumanSize(bytes, 4));
}

TEST_F(E2ERmiPruneTest, PruneAnsweredNoDeletesNothing) {
  std::string id = Import({HelloTar()});
  CliResult r = Run({"image", "prune"}, "n\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "WARNING! This will remove all dangling images.\n"
                   "Are you sure you want to continue? [y/N] ");
  EXPECT_EQ(IdOf(id), id);
  r = Run({"image", "prune", "-a"}, "");  // no answer at all is a no
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "WARNING! This will remove all images without at least one container "
                   "associated to them.\nAre you sure you want to continue? [y/N] ");
  EXPECT_EQ(Names(), (std::vector<std::string>{"<none>:<none>", "busybox:latest"}));
}

TEST_F(E2ERmiPruneTest, PruneAnsweredYesDeletes) {
  std::string id = Import({HelloTar()});
  CliResult r = Run({"image", "prune"}, "y\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("WARNING! This will remove all dangling images.\n"
                        "Are you sure you want to continue? [y/N] Deleted Images:\ndeleted: " +
                            id + "\n",
                        0),
            0u)
      << r.out;
  EXPECT_EQ(Names(), (std::vector<std::string>{"busybox:latest"}));
}

// ---------------------------------------------------------------------------------------------
// system check

TEST_F(E2ERmiPruneTest, SystemCheckOfAFreshStoreIsClean) {
  CliResult r = Run({"system", "check"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err, "");
  // config, manifest and layer of busybox
  EXPECT_EQ(r.out, "3 blobs verified, 0 corrupt, 0 missing, 0 orphans\n");
}

TEST_F(E2ERmiPruneTest, SystemCheckFindsACorruptLayerBlob) {
  std::string layer = LayerOf("busybox");
  std::string garbage = WriteFile("garbage", "not the layer you stored\n");
  std::string garbage_hex = Sha256Hex(garbage);
  std::filesystem::copy_file(garbage, BlobPath(layer),
                             std::filesystem::copy_options::overwrite_existing);
  CliResult r = Run({"system", "check"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "corrupt: blob " + layer + " is corrupt: its content hashes to sha256:" +
                       garbage_hex + "\n3 blobs verified, 1 corrupt, 0 missing, 0 orphans\n");
  // Repair removes orphans only; corruption stays an error.
  r = Run({"system", "check", "--repair"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("corrupt: blob " + layer), std::string::npos) << r.out;
}

TEST_F(E2ERmiPruneTest, SystemCheckFindsAMissingBlob) {
  std::string layer = LayerOf("busybox");
  std::filesystem::remove(BlobPath(layer));
  CliResult r = Run({"system", "check"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "missing: layer blob " + layer +
                       " is missing\n2 blobs verified, 0 corrupt, 1 missing, 0 orphans\n");
}

TEST_F(E2ERmiPruneTest, SystemCheckRepairRemovesOrphans) {
  Ok({"images"});  // create the store
  std::string junk = WriteFile("junk", "junk\n");
  std::string blob_orphan = root_ + "/blobs/sha256/" + Sha256Hex(junk);
  std::string odd_orphan = root_ + "/blobs/sha256/not-a-digest";
  std::string tmp_orphan = root_ + "/tmp/99999999.abc.blob";  // pid 99999999 cannot exist
  std::filesystem::copy_file(junk, blob_orphan);
  std::filesystem::copy_file(junk, odd_orphan);
  std::filesystem::copy_file(junk, tmp_orphan);

  CliResult r = Run({"system", "check"});
  EXPECT_EQ(r.exit_code, 1);
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 4u) << r.out;
  EXPECT_EQ(std::set<std::string>(lines.begin(), lines.begin() + 3),
            (std::set<std::string>{"orphan: " + blob_orphan, "orphan: " + odd_orphan,
                                   "orphan: " + tmp_orphan}));
  EXPECT_EQ(lines[3], "3 blobs verified, 0 corrupt, 0 missing, 3 orphans");

  r = Run({"system", "check", "--repair"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 4u) << r.out;
  EXPECT_EQ(std::set<std::string>(lines.begin(), lines.begin() + 3),
            (std::set<std::string>{"orphan: " + blob_orphan + " (removed)",
                                   "orphan: " + odd_orphan + " (removed)",
                                   "orphan: " + tmp_orphan + " (removed)"}));
  EXPECT_EQ(lines[3], "3 blobs verified, 0 corrupt, 0 missing, 3 orphans (3 removed)");
  EXPECT_FALSE(std::filesystem::exists(blob_orphan));
  EXPECT_FALSE(std::filesystem::exists(odd_orphan));
  EXPECT_FALSE(std::filesystem::exists(tmp_orphan));

  ExpectSystemCheckClean();
  EXPECT_EQ(Names(), (std::vector<std::string>{"busybox:latest"}));
}

TEST_F(E2ERmiPruneTest, SystemCheckRepairRemovesAStaleStagingDirectory) {
  Ok({"images"});
  std::string dir = root_ + "/tmp/99999999.abc.tree";
  std::filesystem::create_directories(dir + "/etc");
  std::ofstream(dir + "/etc/passwd") << "root:x:0:0::/root:/bin/sh\n";
  CliResult r = Run({"system", "check"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "orphan: " + dir + "\n3 blobs verified, 0 corrupt, 0 missing, 1 orphans\n");
  r = Run({"system", "check", "--repair"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir));
  ExpectSystemCheckClean();
}

TEST_F(E2ERmiPruneTest, SystemCheckRepairRemovesAJunkDirectoryAmongBlobs) {
  Ok({"images"});
  std::string junk_dir = root_ + "/blobs/sha256/junk-dir";
  std::filesystem::create_directories(junk_dir);
  std::string tmp_orphan = root_ + "/tmp/99999999.abc.blob";
  std::ofstream(tmp_orphan) << "x";
  CliResult r = Run({"system", "check"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("orphan: " + junk_dir + "\n"), std::string::npos) << r.out;
  r = Run({"system", "check", "--repair"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_FALSE(std::filesystem::exists(junk_dir));
  EXPECT_FALSE(std::filesystem::exists(tmp_orphan));
  ExpectSystemCheckClean();
}

TEST_F(E2ERmiPruneTest, SystemCheckLeavesALiveWritersStagingFileAlone) {
  Ok({"images"});
  // This test process is alive: its staging file is work in progress, not an orphan.
  std::string live = root_ + "/tmp/" + std::to_string(getpid()) + ".abc.blob";
  WriteFile("live", "partial");
  std::filesystem::copy_file(scratch_ + "/live", live);
  ExpectSystemCheckClean();
  EXPECT_TRUE(std::filesystem::exists(live));
}

}  // namespace
