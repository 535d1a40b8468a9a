// End-to-end tests of `save` and `load`: round trips (file, stdout/stdin, OCI layout folders),
// what a saved archive holds as `tar` shows it, the layouts other tools write (Docker <= 24,
// OCI archives, gzip and zstd layers), and every malformed archive refused with an error that
// names what is wrong and nothing left behind in the store.
#include <sys/stat.h>

#include "e2e/transfer_fixture.h"
#include "layerlab/digest.h"

namespace layerlab::testing::transfer {

class E2ETransferTest : public TransferFixture {
 protected:
  // Loads `archive` into a fresh store, expecting it refused: a non-zero exit, no "Loaded
  // image" line, every `needle` in the error, and the store exactly as it was (same images, no
  // new file under blobs/, tmp/ or layers/, `system check` clean).
  CliResult ExpectRefused(const std::string& archive, const std::vector<std::string>& needles) {
    std::string root = FreshStore("target");  // busybox only
    std::string images_before = ImageList(root);
    std::set<std::string> files_before = StoreFiles(root);
    CliResult r = RunIn(root, {"load", "-i", archive});
    EXPECT_NE(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(r.out.find("Loaded image"), std::string::npos) << r.out;
    EXPECT_TRUE(r.err.rfind("Error", 0) == 0) << r.err;
    for (const auto& n : needles) {
      EXPECT_NE(r.err.find(n), std::string::npos) << "the error should name `" << n << "`:\n"
                                                  << r.err;
    }
    EXPECT_EQ(ImageList(root), images_before);
    std::set<std::string> files_after = StoreFiles(root);
    for (const auto& f : files_after) {
      EXPECT_TRUE(files_before.count(f)) << "left behind: " << f;
    }
    ExpectSystemCheckClean(root);
    return r;
  }
};

// ---------------------------------------------------------------------------------------------
// Round trips

TEST_F(E2ETransferTest, SaveThenLoadIntoAFreshStoreKeepsTheIdAndRuns) {
  std::string id = BuildDemo();
  std::string archive = SaveArchive("demo.tar", {"demo:v1"});
  std::string other = FreshStore("other");
  ASSERT_FALSE(ImageExistsIn(other, "demo:v1"));
  EXPECT_EQ(OkIn(other, {"load", "-i", archive}), "Loaded image: demo:v1\n");
  EXPECT_EQ(IdIn(other, "demo:v1"), id);
  EXPECT_EQ(DiffIds(other, "demo:v1"), DiffIds(root_, "demo:v1"));
  ExpectDemoRuns(other, "demo:v1");
  ExpectSystemCheckClean(other);
  // Loading it again changes nothing and says the same.
  EXPECT_EQ(OkIn(other, {"load", "-i", archive}), "Loaded image: demo:v1\n");
  ExpectSystemCheckClean(other);
}

TEST_F(E2ETransferTest, ArchiveHoldsDockerAndOciLayoutsAsTarShowsThem) {
  std::string id = BuildDemo();
  std::string archive = SaveArchive("demo.tar", {"demo:v1"});
  std::vector<std::string> diff_ids = DiffIds(root_, "demo:v1");
  ASSERT_EQ(diff_ids.size(), 3u);
  std::vector<std::string> names = TarNames(archive);
  for (const char* top :
       {"manifest.json", "repositories", "oci-layout", "index.json", "blobs", "blobs/sha256"}) {
    EXPECT_TRUE(Has(names, top)) << top;
  }
  EXPECT_TRUE(Has(names, "blobs/sha256/" + Hex(id))) << "the config";
  for (const auto& d : diff_ids) EXPECT_TRUE(Has(names, "blobs/sha256/" + Hex(d))) << d;

  std::string dir = Untar(archive, "x");
  // manifest.json, as `docker load` of every version reads it.
  json manifest = ReadJson(dir + "/manifest.json");
  ASSERT_TRUE(manifest.is_array() && manifest.size() == 1) << manifest;
  EXPECT_EQ(manifest[0]["Config"], "blobs/sha256/" + Hex(id));
  EXPECT_EQ(manifest[0]["RepoTags"], json::array({"demo:v1"}));
  json layers = json::array();
  for (const auto& d : diff_ids) layers.push_back("blobs/sha256/" + Hex(d));
  EXPECT_EQ(manifest[0]["Layers"], layers);
  EXPECT_EQ(ReadJson(dir + "/repositories"), json({{"demo", {{"v1", Hex(diff_ids.back())}}}}));
  // The OCI layout in the same tar.
  EXPECT_EQ(ReadJson(dir + "/oci-layout"), json({{"imageLayoutVersion", "1.0.0"}}));
  json index = ReadJson(dir + "/index.json");
  EXPECT_EQ(index["schemaVersion"], 2);
  EXPECT_EQ(index.value("mediaType", ""), kOciIndex);
  ASSERT_EQ(index["manifests"].size(), 1u) << index;
  json entry = index["manifests"][0];
  EXPECT_EQ(entry["annotations"]["org.opencontainers.image.ref.name"], "v1");
  EXPECT_EQ(entry["annotations"]["io.containerd.image.name"], "docker.io/library/demo:v1");
  EXPECT_EQ(entry["mediaType"], kOciManifest);
  std::string mpath = dir + "/blobs/sha256/" + Hex(entry["digest"]);
  ASSERT_TRUE(fs::exists(mpath));
  EXPECT_EQ(entry["size"], fs::file_size(mpath));
  json m = ReadJson(mpath);
  EXPECT_EQ(m["schemaVersion"], 2);
  EXPECT_EQ(m["config"]["digest"], id);
  EXPECT_EQ(m["config"]["mediaType"], "application/vnd.oci.image.config.v1+json");
  ASSERT_EQ(m["layers"].size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    // Uncompressed: the blob digest is the diff id.
    EXPECT_EQ(m["layers"][i]["digest"], diff_ids[i]);
    EXPECT_EQ(m["layers"][i]["mediaType"], "application/vnd.oci.image.layer.v1.tar");
  }
  // Every blob is named by its content's sha256.
  for (const auto& e : fs::directory_iterator(dir + "/blobs/sha256")) {
    EXPECT_EQ(Sha256Hex(e.path()), e.path().filename().string());
  }
}

TEST_F(E2ETransferTest, EachLayerIsAPlainTarWithItsFilesAndWhiteouts) {
  BuildDemo();
  std::string dir = Untar(SaveArchive("demo.tar", {"demo:v1"}), "x");
  std::vector<std::string> paths = LayerPaths(dir);
  ASSERT_EQ(paths.size(), 3u);
  std::vector<std::string> base = TarNames(dir + "/" + paths[0]);
  EXPECT_TRUE(Has(base, "bin/busybox"));
  std::vector<std::string> copy = TarNames(dir + "/" + paths[1]);
  for (const char* f :
       {"data/hello.txt", "data/gone.txt", "data/secret.sh", "data/sub/nested.txt"}) {
    EXPECT_TRUE(Has(copy, f)) << f;
  }
  std::vector<std::string> run = TarNames(dir + "/" + paths[2]);
  for (const char* f : {"data/.wh.gone.txt", "data/secret.sh", "data/link", "data/built.txt"}) {
    EXPECT_TRUE(Has(run, f)) << f;
  }
  EXPECT_FALSE(Has(run, "data/hello.txt")) << "unchanged files stay in the lower layer";
  EXPECT_FALSE(Has(run, "data/gone.txt"));
  // `tar -tvf` shows the chmod and the symlink; `tar -xf` gives the files back.
  std::string listing = SHELL_OK("tar -tvf " + Q(dir + "/" + paths[2]));
  EXPECT_TRUE(Matches(listing, std::regex("[\\s\\S]*-rwx------ [^\n]*data/secret.sh\n[\\s\\S]*")))
      << listing;
  EXPECT_TRUE(Matches(listing, std::regex("[\\s\\S]*l[rwx-]{9} [^\n]*data/link -> hello.txt\n"
                                          "[\\s\\S]*")))
      << listing;
  std::string files = scratch_ + "/files";
  fs::create_directories(files);
  SHELL_OK("tar -C " + Q(files) + " -xf " + Q(dir + "/" + paths[1]));
  EXPECT_EQ(ReadAll(files + "/data/hello.txt"), "hello from layerlab\n");
  EXPECT_EQ(ReadAll(files + "/data/sub/nested.txt"), "nested\n");
}

TEST_F(E2ETransferTest, SaveToStdoutAndLoadFromStdin) {
  std::string id = BuildDemo();
  CliResult saved = Run({"save", "demo:v1"});
  ASSERT_EQ(saved.exit_code, 0) << saved.err;
  EXPECT_EQ(saved.err, "");
  ASSERT_GT(saved.out.size(), 1024u);
  EXPECT_EQ(saved.out.substr(257, 5), "ustar") << "stdout is a tar";
  // The same bytes as -o writes: an image saves the same way every time.
  EXPECT_EQ(saved.out, ReadAll(SaveArchive("demo.tar", {"demo:v1"})));

  std::string other = FreshStore("other");
  CliResult loaded = RunIn(other, {"load"}, saved.out);
  EXPECT_EQ(loaded.exit_code, 0) << loaded.err;
  EXPECT_EQ(loaded.out, "Loaded image: demo:v1\n");
  EXPECT_EQ(IdIn(other, "demo:v1"), id);
  ExpectDemoRuns(other, "demo:v1");
  // -q says nothing.
  CliResult quiet = RunIn(FreshStore("third"), {"load", "-q"}, saved.out);
  EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.out, "");
}

TEST_F(E2ETransferTest, GzippedArchiveLoads) {
  // `docker save IMAGE | gzip > x.tar.gz; docker load -i x.tar.gz` works.
  std::string gz = scratch_ + "/demo.tar.gz";
  SHELL_OK("gzip -c " + Q(Shared().archive) + " > " + Q(gz));
  std::string other = FreshStore("other");
  EXPECT_EQ(OkIn(other, {"load", "-i", gz}), "Loaded image: demo:v1\n");
  EXPECT_EQ(IdIn(other, "demo:v1"), Shared().id);
}

TEST_F(E2ETransferTest, SavedByIdLoadsWithoutAName) {
  std::string id = BuildDemo();
  std::string archive = SaveArchive("byid.tar", {id});
  json manifest = ReadJson(Untar(archive, "x") + "/manifest.json");
  EXPECT_EQ(manifest[0]["RepoTags"], json::array());
  std::string other = FreshStore("other");
  EXPECT_EQ(OkIn(other, {"load", "-i", archive}), "Loaded image ID: " + id + "\n");
  EXPECT_EQ(IdIn(other, id), id);
  EXPECT_FALSE(ImageExistsIn(other, "demo:v1"));
}

TEST_F(E2ETransferTest, TwoTagsOfOneImageSaveOnceAndLoadBoth) {
  std::string id = BuildDemo();
  Ok({"tag", "demo:v1", "demo:v2"});
  std::string archive = SaveArchive("two.tar", {"demo:v1", "demo:v2"});
  json manifest = ReadJson(Untar(archive, "x") + "/manifest.json");
  ASSERT_EQ(manifest.size(), 1u) << manifest;
  EXPECT_EQ(manifest[0]["RepoTags"], json::array({"demo:v1", "demo:v2"}));
  std::string other = FreshStore("other");
  EXPECT_EQ(OkIn(other, {"load", "-i", archive}), "Loaded image: demo:v1\nLoaded image: demo:v2\n");
  EXPECT_EQ(IdIn(other, "demo:v2"), id);
}

TEST_F(E2ETransferTest, OciDirRoundTrip) {
  std::string id = BuildDemo();
  std::string dir = scratch_ + "/oci";
  Ok({"save", "--format", "oci-dir", "-o", dir, "demo:v1"});
  EXPECT_EQ(ReadJson(dir + "/oci-layout"), json({{"imageLayoutVersion", "1.0.0"}}));
  EXPECT_FALSE(fs::exists(dir + "/manifest.json")) << "a plain OCI layout";
  json index = ReadJson(dir + "/index.json");
  ASSERT_EQ(index["manifests"].size(), 1u);
  EXPECT_EQ(index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"], "v1");
  EXPECT_TRUE(fs::exists(dir + "/blobs/sha256/" + Hex(id)));
  for (const auto& d : DiffIds(root_, "demo:v1")) {
    EXPECT_TRUE(fs::exists(dir + "/blobs/sha256/" + Hex(d))) << d;
  }

  std::string other = FreshStore("other");
  EXPECT_EQ(OkIn(other, {"load", "--format", "oci-dir", dir + ":v1"}), "Loaded image: demo:v1\n");
  EXPECT_EQ(IdIn(other, "demo:v1"), id);
  ExpectDemoRuns(other, "demo:v1");

  CliResult missing = RunIn(FreshStore("third"), {"load", "--format", "oci-dir", dir + ":nosuch"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("nosuch"), std::string::npos) << missing.err;
}

TEST_F(E2ETransferTest, OciDirWhoseRefNameIsOnlyATagDoesNotNameARepositoryAfterIt) {
  // skopeo and umoci name an image in a layout by a tag alone ("v1"), without
  // io.containerd.image.name: "v1" is not an image name, so no image "v1:latest" appears.
  std::string dir = Unpacked("layout");
  fs::remove(dir + "/manifest.json");
  fs::remove(dir + "/repositories");
  json index = ReadJson(dir + "/index.json");
  index["manifests"][0]["annotations"].erase("io.containerd.image.name");
  WriteJson(dir + "/index.json", index);
  std::string other = FreshStore("other");
  CliResult r = RunIn(other, {"load", "--format", "oci-dir", dir + ":v1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(IdIn(other, Shared().id), Shared().id);
  EXPECT_FALSE(ImageExistsIn(other, "v1:latest")) << r.out;
}

TEST_F(E2ETransferTest, DockerV24ArchiveLoads) {
  std::string dir = DockerV24Layout("v24", "old:v24");
  std::string tar = Tar(dir, "v24.tar");
  std::vector<std::string> names = TarNames(tar);
  EXPECT_FALSE(Has(names, "index.json"));
  EXPECT_FALSE(Has(names, "blobs"));
  std::string other = FreshStore("other");
  EXPECT_EQ(OkIn(other, {"load", "-i", tar}), "Loaded image: old:v24\n");
  EXPECT_EQ(IdIn(other, "old:v24"), Shared().id);
  ExpectDemoRuns(other, "old:v24");
  ExpectSystemCheckClean(other);
}

TEST_F(E2ETransferTest, OciArchiveWithGzipLayersLoads) {
  std::string dir = Unpacked("gz");
  RecompressLayers(dir, "gzip");
  fs::remove(dir + "/manifest.json");
  fs::remove(dir + "/repositories");
  std::string other = FreshStore("other");
  EXPECT_EQ(OkIn(other, {"load", "-i", Tar(dir, "gz.tar")}), "Loaded image: demo:v1\n");
  EXPECT_EQ(IdIn(other, "demo:v1"), Shared().id);
  ExpectDemoRuns(other, "demo:v1");
  ExpectSystemCheckClean(other);
}

TEST_F(E2ETransferTest, OciArchiveWithZstdLayersLoads) {
  if (!HaveTool("zstd")) GTEST_SKIP() << "zstd is not installed (apt-get install zstd)";
  std::string dir = Unpacked("zst");
  RecompressLayers(dir, "zstd");
  fs::remove(dir + "/manifest.json");
  fs::remove(dir + "/repositories");
  std::string other = FreshStore("other");
  EXPECT_EQ(OkIn(other, {"load", "-i", Tar(dir, "zst.tar")}), "Loaded image: demo:v1\n");
  EXPECT_EQ(IdIn(other, "demo:v1"), Shared().id);
  ExpectDemoRuns(other, "demo:v1");
}

TEST_F(E2ETransferTest, DockerArchiveWithCompressedLayersLoads) {
  // manifest.json naming gzip blobs (as `podman save` with compression writes them).
  std::string dir = Unpacked("gz");
  RecompressLayers(dir, "gzip");
  fs::remove(dir + "/index.json");
  fs::remove(dir + "/oci-layout");
  std::string other = FreshStore("other");
  EXPECT_EQ(OkIn(other, {"load", "-i", Tar(dir, "gz.tar")}), "Loaded image: demo:v1\n");
  EXPECT_EQ(IdIn(other, "demo:v1"), Shared().id);
  ExpectSystemCheckClean(other);
}

TEST_F(E2ETransferTest, OciDirWithZstdLayersLoads) {
  if (!HaveTool("zstd")) GTEST_SKIP() << "zstd is not installed (apt-get install zstd)";
  std::string dir = Unpacked("zst");
  RecompressLayers(dir, "zstd");
  fs::remove(dir + "/manifest.json");
  fs::remove(dir + "/repositories");
  std::string other = FreshStore("other");
  EXPECT_EQ(OkIn(other, {"load", "--format", "oci-dir", dir + ":v1"}), "Loaded image: demo:v1\n");
  EXPECT_EQ(IdIn(other, "demo:v1"), Shared().id);
}

TEST_F(E2ETransferTest, OciIndexOfTwoPlatformsLoadsTheLinuxAmd64Image) {
  std::string dir = MultiPlatformLayout("multi", "v1");
  std::string other = FreshStore("other");
  OkIn(other, {"load", "--format", "oci-dir", dir + ":v1"});
  EXPECT_EQ(InspectIn(other, Shared().id).value("Architecture", ""), "amd64");
  EXPECT_EQ(Lines(ImageList(other)).size(), 2u) << "busybox and the amd64 image only";
  // The same as an OCI archive.
  std::string third = FreshStore("third");
  OkIn(third, {"load", "-i", Tar(dir, "multi.tar")});
  EXPECT_EQ(IdIn(third, Shared().id), Shared().id);
}

TEST_F(E2ETransferTest, SaveOfAMissingImageFailsAndWritesNothing) {
  std::string out = scratch_ + "/nothing.tar";
  CliResult r = Run({"save", "-o", out, "nosuch:v1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: No such image: nosuch:v1\n");
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(fs::exists(out + ".tmp"));
}

// ---------------------------------------------------------------------------------------------
// Malformed archives: refused, named, nothing left behind

TEST_F(E2ETransferTest, MissingLayerBlobIsRefused) {
  std::string dir = Unpacked("x");
  std::string top = LayerPaths(dir)[2];
  fs::remove(dir + "/" + top);
  // The middle layer is new to the target store: it must be removed again.
  ExpectRefused(Tar(dir, "bad.tar"), {top});
}

TEST_F(E2ETransferTest, MissingConfigBlobIsRefused) {
  std::string dir = Unpacked("x");
  fs::remove(dir + "/blobs/sha256/" + Hex(Shared().id));
  ExpectRefused(Tar(dir, "bad.tar"), {Hex(Shared().id).substr(0, 12)});
}

TEST_F(E2ETransferTest, OciArchiveMissingLayerBlobIsRefused) {
  std::string dir = Unpacked("x");
  std::string top = LayerPaths(dir)[2];
  fs::remove(dir + "/manifest.json");
  fs::remove(dir + "/repositories");
  fs::remove(dir + "/" + top);
  ExpectRefused(Tar(dir, "bad.tar"), {Hex(top.substr(13)).substr(0, 12)});
}

TEST_F(E2ETransferTest, OciArchiveMissingManifestBlobIsRefused) {
  std::string dir = Unpacked("x");
  fs::remove(dir + "/manifest.json");
  fs::remove(dir + "/repositories");
  std::string mdigest = ReadJson(dir + "/index.json")["manifests"][0]["digest"];
  fs::remove(dir + "/blobs/sha256/" + Hex(mdigest));
  ExpectRefused(Tar(dir, "bad.tar"), {Hex(mdigest).substr(0, 12)});
}

TEST_F(E2ETransferTest, LayerWithWrongDigestIsRefused) {
  std::string dir = Unpacked("x");
  std::vector<std::string> paths = LayerPaths(dir);
  // A valid tar, but not the one its name promises.
  fs::remove(dir + "/" + paths[2]);
  fs::copy_file(dir + "/" + paths[1], dir + "/" + paths[2]);
  ExpectRefused(Tar(dir, "bad.tar"), {Hex(paths[2].substr(13)).substr(0, 12)});
}

TEST_F(E2ETransferTest, ConfigWithWrongDigestIsRefused) {
  std::string dir = Unpacked("x");
  std::string config = dir + "/blobs/sha256/" + Hex(Shared().id);
  json c = ReadJson(config);
  c["config"]["Cmd"] = json::array({"cat", "/etc/passwd"});
  WriteJson(config, c);
  ExpectRefused(Tar(dir, "bad.tar"), {Hex(Shared().id).substr(0, 12)});
}

TEST_F(E2ETransferTest, ManifestWithWrongDigestIsRefused) {
  std::string dir = Unpacked("x");
  fs::remove(dir + "/manifest.json");
  fs::remove(dir + "/repositories");
  std::string mdigest = ReadJson(dir + "/index.json")["manifests"][0]["digest"];
  std::string mpath = dir + "/blobs/sha256/" + Hex(mdigest);
  WriteAll(mpath, ReadAll(mpath) + " ");
  ExpectRefused(Tar(dir, "bad.tar"), {Hex(mdigest).substr(0, 12)});
}

TEST_F(E2ETransferTest, DockerV24LayerNotMatchingItsDiffIdIsRefused) {
  std::string dir = DockerV24Layout("v24", "old:v24");
  json m = ReadJson(dir + "/manifest.json");
  std::string top = m[0]["Layers"][2];
  fs::remove(dir + "/" + top);
  fs::copy_file(dir + "/" + m[0]["Layers"][1].get<std::string>(), dir + "/" + top);
  ExpectRefused(Tar(dir, "bad.tar"), {top, "diff_id"});
}

TEST_F(E2ETransferTest, LayerPathClimbingOutOfTheArchiveIsRefused) {
  std::string dir = Unpacked("x");
  json m = ReadJson(dir + "/manifest.json");
  m[0]["Layers"][2] = "../x";
  WriteJson(dir + "/manifest.json", m);
  fs::remove(dir + "/index.json");  // so no reader can fall back on the OCI layout
  ExpectRefused(Tar(dir, "bad.tar"), {"../x"});
}

TEST_F(E2ETransferTest, ConfigPathClimbingOutOfTheArchiveIsRefused) {
  std::string dir = Unpacked("x");
  json m = ReadJson(dir + "/manifest.json");
  m[0]["Config"] = "../../../../../../../../etc/passwd";
  WriteJson(dir + "/manifest.json", m);
  fs::remove(dir + "/index.json");
  ExpectRefused(Tar(dir, "bad.tar"), {"../../"});
}

TEST_F(E2ETransferTest, ArchiveEntryClimbingOutIsRefusedAndNotWritten) {
  std::string tar = RawTar("bad.tar", "../evil", "evil\n", Unpacked("x"));
  ASSERT_TRUE(Has(Lines(SHELL_OK("python3 -c 'import sys,tarfile; "
                                 "print(\"\\n\".join(tarfile.open(sys.argv[1]).getnames()))' " +
                                 Q(tar))),
                  "../evil"));
  ExpectRefused(tar, {"../evil"});
  EXPECT_EQ(FindNamed(scratch_, "evil"), std::vector<std::string>{});
}

TEST_F(E2ETransferTest, LayerWithEntryClimbingOutIsRefused) {
  // A layer whose tar holds "../evil", with a config whose diff id matches it: every digest
  // checks out, but the layer would write outside the root when unpacked. Docker refuses it
  // at load ("../evil" is outside of the destination).
  std::string dir = Unpacked("x");
  std::vector<std::string> paths = LayerPaths(dir);
  std::string layer = RawTar("evil-layer.tar", "../evil", "evil\n");
  std::string diff_id = DigestOf(layer);
  std::string blob = "blobs/sha256/" + Hex(diff_id);
  fs::copy_file(layer, dir + "/" + blob);
  fs::remove(dir + "/" + paths[2]);
  json config = ReadJson(dir + "/blobs/sha256/" + Hex(Shared().id));
  config["rootfs"]["diff_ids"][2] = diff_id;
  std::string text = WriteJson(scratch_ + "/config.json", config);
  std::string config_digest = Sha256Digest(text);
  fs::remove(dir + "/blobs/sha256/" + Hex(Shared().id));
  WriteAll(dir + "/blobs/sha256/" + Hex(config_digest), text);
  json m = ReadJson(dir + "/manifest.json");
  m[0]["Config"] = "blobs/sha256/" + Hex(config_digest);
  m[0]["Layers"][2] = blob;
  WriteJson(dir + "/manifest.json", m);
  fs::remove(dir + "/index.json");
  ExpectRefused(Tar(dir, "bad.tar"), {"../evil"});
  EXPECT_EQ(FindNamed(scratch_, "evil"), std::vector<std::string>{});
}

TEST_F(E2ETransferTest, LayerThatIsASymlinkOutOfTheArchiveIsRefused) {
  // blobs/sha256/<top layer> is a symlink to a file outside the archive that has exactly the
  // right content: following it would read the host's files. Docker resolves such links inside
  // the archive's folder (symlink.FollowSymlinkInScope), where the target does not exist.
  std::string dir = Unpacked("x");
  std::string top = LayerPaths(dir)[2];
  std::string outside = scratch_ + "/outside-layer.tar";
  fs::copy_file(dir + "/" + top, outside);
  fs::remove(dir + "/" + top);
  fs::create_symlink(outside, dir + "/" + top);
  ExpectRefused(Tar(dir, "bad.tar"), {Hex(top.substr(13)).substr(0, 12)});
}

TEST_F(E2ETransferTest, ManifestNamingLayersThatAreNotThereIsRefused) {
  std::string dir = Unpacked("x");
  json m = ReadJson(dir + "/manifest.json");
  m[0]["Layers"][1] = "nosuch/layer.tar";
  WriteJson(dir + "/manifest.json", m);
  fs::remove(dir + "/index.json");
  ExpectRefused(Tar(dir, "bad.tar"), {"nosuch/layer.tar"});
}

TEST_F(E2ETransferTest, LayerCountDifferentFromTheConfigsDiffIdsIsRefused) {
  std::string dir = Unpacked("x");
  json m = ReadJson(dir + "/manifest.json");
  m[0]["Layers"].erase(2);
  WriteJson(dir + "/manifest.json", m);
  fs::remove(dir + "/index.json");
  ExpectRefused(Tar(dir, "bad.tar"), {"diff_id"});
}

TEST_F(E2ETransferTest, OciManifestWithALayerCountDifferentFromTheConfigIsRefused) {
  std::string dir = Unpacked("x");
  fs::remove(dir + "/manifest.json");
  fs::remove(dir + "/repositories");
  json index = ReadJson(dir + "/index.json");
  std::string mpath = dir + "/blobs/sha256/" + Hex(index["manifests"][0]["digest"]);
  json manifest = ReadJson(mpath);
  manifest["layers"].erase(1);
  fs::remove(mpath);
  std::string text = manifest.dump();
  WriteAll(dir + "/blobs/sha256/" + Hex(Sha256Digest(text)), text);
  index["manifests"][0]["digest"] = Sha256Digest(text);
  index["manifests"][0]["size"] = text.size();
  WriteJson(dir + "/index.json", index);
  ExpectRefused(Tar(dir, "bad.tar"), {"diff_id"});
}

TEST_F(E2ETransferTest, TruncatedArchiveIsRefused) {
  std::string full = ReadAll(Shared().archive);
  std::string cut = WriteFile("cut.tar", full.substr(0, full.size() / 2));
  CliResult r = ExpectRefused(cut, {cut});
  EXPECT_TRUE(Matches(r.err, std::regex("[\\s\\S]*([Tt]runcated|unexpected (EOF|end))[\\s\\S]*")))
      << r.err;
}

TEST_F(E2ETransferTest, TruncatedLayerInsideTheArchiveIsRefused) {
  std::string dir = DockerV24Layout("v24", "old:v24");
  std::string top = ReadJson(dir + "/manifest.json")[0]["Layers"][2];
  std::string content = ReadAll(dir + "/" + top);
  WriteAll(dir + "/" + top, content.substr(0, content.size() - 1536));
  ExpectRefused(Tar(dir, "bad.tar"), {top});
}

TEST_F(E2ETransferTest, NotATarAtAllIsRefused) {
  std::string text = WriteFile("notes.txt", "these are my notes, not an image archive\n");
  ExpectRefused(text, {text});
  std::string empty = WriteFile("empty.tar", "");
  ExpectRefused(empty, {empty});
}

TEST_F(E2ETransferTest, TarWithoutAnImageIsRefused) {
  std::string tar = MakeTar("plain.tar", {{"etc/hostname", "box\n"}});
  ExpectRefused(tar, {"manifest.json", "index.json"});
}

TEST_F(E2ETransferTest, MissingInputFileIsRefused) {
  std::string missing = scratch_ + "/no-such-archive.tar";
  ExpectRefused(missing, {missing});
}

}  // namespace layerlab::testing::transfer
