// End-to-end tests with real peers: skopeo and umoci read what `save` writes (docker-archive and
// OCI layout) and unpack the same tree that `export` gives; what skopeo writes (docker-archive,
// OCI layouts and archives, gzip and zstd layers) loads here and runs; skopeo pulls what we push
// to a real registry, and we pull what skopeo pushes; podman too when it is installed. Each test
// skips, naming the package, when its tool is missing.
#include <sys/stat.h>

#include "e2e/registry_fixture.h"
#include "e2e/transfer_fixture.h"

namespace layerlab::testing::transfer {

namespace {

// One file in a tree, as both sides must agree on it (times are not compared).
struct Node {
  char type = '?';  // f d l c b p s
  unsigned mode = 0;
  uintmax_t size = 0;
  std::string content;  // a regular file's sha256, a symlink's target
  bool operator==(const Node& o) const {
    return type == o.type && mode == o.mode && size == o.size && content == o.content;
  }
};

std::string Describe(const Node& n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%c %04o %ju ", n.type, n.mode, n.size);
  return buf + n.content;
}

std::map<std::string, Node> Tree(const std::string& dir) {
  std::map<std::string, Node> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    struct stat st;
    std::string path = e.path().string();
    if (lstat(path.c_str(), &st) != 0) continue;
    Node n;
    n.mode = st.st_mode & 07777;
    if (S_ISREG(st.st_mode)) {
      n.type = 'f';
      n.size = static_cast<uintmax_t>(st.st_size);
      n.content = Sha256Digest(ReadAll(path));
    } else if (S_ISDIR(st.st_mode)) {
      n.type = 'd';
    } else if (S_ISLNK(st.st_mode)) {
      n.type = 'l';
      n.mode = 0;  // a symlink's own mode means nothing on Linux
      n.content = fs::read_symlink(e.path()).string();
    } else if (S_ISCHR(st.st_mode)) {
      n.type = 'c';
    } else if (S_ISBLK(st.st_mode)) {
      n.type = 'b';
    } else if (S_ISFIFO(st.st_mode)) {
      n.type = 'p';
    } else if (S_ISSOCK(st.st_mode)) {
      n.type = 's';
    }
    out[path.substr(dir.size() + 1)] = n;
  }
  return out;
}

// What `docker export` adds to every container's tree (the init layer and mount points).
bool IsInitLayerPath(const std::string& p) {
  static const std::set<std::string> kInit = {
      ".dockerenv", "etc/hostname", "etc/hosts", "etc/resolv.conf",
      "etc/mtab",   "dev",          "proc",      "sys"};
  return kInit.count(p) > 0 || p.rfind("dev/", 0) == 0 || p.rfind("proc/", 0) == 0 ||
         p.rfind("sys/", 0) == 0;
}

constexpr const char* kSkopeo = "skopeo --insecure-policy";

}  // namespace

class E2EInteropTest : public TransferFixture {
 protected:
  // The demo image in the test's store (loaded from the shared archive: faster than a build).
  void LoadDemo() { EXPECT_EQ(Ok({"load", "-i", Shared().archive}), "Loaded image: demo:v1\n"); }

  // Loads `args` into a fresh store, expecting success; checks the image has the demo's
  // layers, is the image `config_digest` names, and runs. Returns the store.
  std::string ExpectLoadsAndRuns(const std::vector<std::string>& load_args,
                                 const std::string& config_digest, const std::string& name) {
    std::string other = FreshStore("other-" + std::to_string(++stores_));
    std::vector<std::string> args = {"load"};
    args.insert(args.end(), load_args.begin(), load_args.end());
    CliResult r = RunIn(other, args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(r.out.rfind("Loaded image", 0) == 0) << r.out;
    EXPECT_EQ(IdIn(other, config_digest), config_digest);
    EXPECT_EQ(DiffIds(other, config_digest), SharedDiffIds());
    if (!name.empty()) {
      EXPECT_EQ(IdIn(other, name), config_digest);
    }
    ExpectDemoRuns(other, config_digest);
    ExpectSystemCheckClean(other);
    return other;
  }

  // The demo's diff ids, from its config in the shared archive.
  std::vector<std::string> SharedDiffIds() {
    std::string dir = scratch_ + "/shared-config";
    if (!fs::exists(dir)) Untar(Shared().archive, "shared-config");
    json config = ReadJson(dir + "/blobs/sha256/" + Hex(Shared().id));
    return config["rootfs"]["diff_ids"].get<std::vector<std::string>>();
  }

  // The config digest and layer media types of the image at REF in an OCI layout folder.
  std::pair<std::string, std::vector<std::string>> OciImage(const std::string& dir,
                                                            const std::string& ref) {
    json index = ReadJson(dir + "/index.json");
    for (const auto& m : index["manifests"]) {
      if (m.value("annotations", json::object()).value("org.opencontainers.image.ref.name", "") !=
          ref) {
        continue;
      }
      json manifest = ReadJson(dir + "/blobs/sha256/" + Hex(m["digest"]));
      std::vector<std::string> types;
      for (const auto& l : manifest["layers"]) types.push_back(l.value("mediaType", ""));
      return {manifest["config"]["digest"], types};
    }
    ADD_FAILURE() << "no image " << ref << " in " << index;
    return {};
  }

  int stores_ = 0;
};

#define REQUIRE_TOOL(tool, package)                                                    \
  do {                                                                                 \
    if (!HaveTool(tool)) {                                                             \
      GTEST_SKIP() << tool << " is not installed (apt-get install " << package << ")"; \
    }                                                                                  \
  } while (0)

// ---------------------------------------------------------------------------------------------
// skopeo and umoci read what we write

TEST_F(E2EInteropTest, SkopeoInspectsOurDockerArchive) {
  REQUIRE_TOOL("skopeo", "skopeo");
  std::string a = Shared().archive;
  json j = json::parse(SHELL_OK(std::string(kSkopeo) + " inspect docker-archive:" + Q(a)), nullptr,
                       false);
  ASSERT_TRUE(j.is_object()) << j;
  EXPECT_EQ(j["Architecture"], "amd64");
  EXPECT_EQ(j["Os"], "linux");
  EXPECT_EQ(j["Layers"].get<std::vector<std::string>>(), SharedDiffIds());
  // skopeo sees the config byte for byte: its digest is the image ID.
  std::string config = scratch_ + "/config.json";
  SHELL_OK(std::string(kSkopeo) + " inspect --raw --config docker-archive:" + Q(a) + " > " +
           Q(config));
  EXPECT_EQ(DigestOf(config), Shared().id);
}

TEST_F(E2EInteropTest, SkopeoInspectsOurOciLayout) {
  REQUIRE_TOOL("skopeo", "skopeo");
  LoadDemo();
  std::string dir = scratch_ + "/oci";
  Ok({"save", "--format", "oci-dir", "-o", dir, "demo:v1"});
  json j = json::parse(SHELL_OK(std::string(kSkopeo) + " inspect oci:" + Q(dir + ":v1")), nullptr,
                       false);
  ASSERT_TRUE(j.is_object()) << j;
  EXPECT_EQ(j["Layers"].get<std::vector<std::string>>(), SharedDiffIds());
  EXPECT_EQ(j["Digest"], ReadJson(dir + "/index.json")["manifests"][0]["digest"]);
  std::string config = scratch_ + "/config.json";
  SHELL_OK(std::string(kSkopeo) + " inspect --raw --config oci:" + Q(dir + ":v1") + " > " +
           Q(config));
  EXPECT_EQ(DigestOf(config), Shared().id);
}

TEST_F(E2EInteropTest, SkopeoCopiesOurArchiveToAnOciLayout) {
  REQUIRE_TOOL("skopeo", "skopeo");
  std::string dir = scratch_ + "/copied";
  SHELL_OK(std::string(kSkopeo) + " copy docker-archive:" + Q(Shared().archive) +
           " oci:" + Q(dir + ":v1"));
  auto [config, types] = OciImage(dir, "v1");
  EXPECT_EQ(types.size(), 3u);
  // skopeo rewrites a Docker config as an OCI one (a new digest); the layers stay.
  ExpectLoadsAndRuns({"--format", "oci-dir", dir + ":v1"}, config, "");
}

TEST_F(E2EInteropTest, UmociUnpacksTheTreeWeExport) {
  REQUIRE_TOOL("umoci", "umoci");
  LoadDemo();
  std::string dir = scratch_ + "/oci";
  Ok({"save", "--format", "oci-dir", "-o", dir, "demo:v1"});
  std::string bundle = scratch_ + "/bundle";
  SHELL_OK("umoci unpack --rootless --image " + Q(dir + ":v1") + " " + Q(bundle));

  Ok({"create", "--name", "box", "demo:v1"});
  std::string exported = scratch_ + "/export.tar";
  Ok({"export", "-o", exported, "box"});
  std::string tree = scratch_ + "/exported";
  fs::create_directories(tree);
  SHELL_OK("tar -C " + Q(tree) + " --numeric-owner -xpf " + Q(exported));

  std::map<std::string, Node> theirs = Tree(bundle + "/rootfs");
  std::map<std::string, Node> ours = Tree(tree);
  ASSERT_TRUE(theirs.count("data/hello.txt")) << "umoci unpacked nothing?";
  EXPECT_FALSE(theirs.count("data/gone.txt")) << "umoci applied the whiteout";
  std::vector<std::string> diffs;
  for (const auto& [path, node] : theirs) {
    if (IsInitLayerPath(path)) continue;
    auto it = ours.find(path);
    if (it == ours.end()) {
      diffs.push_back("only in umoci's tree: " + path);
    } else if (!(it->second == node)) {
      diffs.push_back(path + ": umoci " + Describe(node) + ", export " + Describe(it->second));
    }
  }
  for (const auto& [path, node] : ours) {
    if (!IsInitLayerPath(path) && !theirs.count(path)) diffs.push_back("only in export: " + path);
  }
  EXPECT_EQ(diffs, std::vector<std::string>{});
  EXPECT_EQ(theirs.at("data/secret.sh").mode, 0700u);
  EXPECT_EQ(theirs.at("data/link").content, "hello.txt");
}

// ---------------------------------------------------------------------------------------------
// What skopeo writes loads here and runs

TEST_F(E2EInteropTest, SkopeoDockerArchiveLoadsAndRuns) {
  REQUIRE_TOOL("skopeo", "skopeo");
  std::string out = scratch_ + "/skopeo.tar";
  SHELL_OK(std::string(kSkopeo) + " copy docker-archive:" + Q(Shared().archive) +
           " docker-archive:" + Q(out + ":demo:v1"));
  // Docker's format end to end: the config is untouched, so the image ID is the same.
  ExpectLoadsAndRuns({"-i", out}, Shared().id, "demo:v1");
}

TEST_F(E2EInteropTest, SkopeoOciLayoutLoadsAndRuns) {
  REQUIRE_TOOL("skopeo", "skopeo");
  std::string dir = scratch_ + "/layout";
  SHELL_OK(std::string(kSkopeo) + " copy --dest-oci-accept-uncompressed-layers docker-archive:" +
           Q(Shared().archive) + " oci:" + Q(dir + ":v1"));
  // Uncompressed layers: their digests are the diff ids. (skopeo 1.9 still labels them
  // "tar+gzip": a reader must look at the bytes, as Docker does, not trust the label.)
  json index = ReadJson(dir + "/index.json");
  json manifest = ReadJson(dir + "/blobs/sha256/" + Hex(index["manifests"][0]["digest"]));
  std::vector<std::string> digests;
  for (const auto& l : manifest["layers"]) digests.push_back(l["digest"]);
  EXPECT_EQ(digests, SharedDiffIds());
  auto [config, types] = OciImage(dir, "v1");
  std::string other = ExpectLoadsAndRuns({"--format", "oci-dir", dir + ":v1"}, config, "");
  // The layout names the image only by the tag "v1": that is no repository name.
  EXPECT_FALSE(ImageExistsIn(other, "v1:latest")) << ImageList(other);
}

TEST_F(E2EInteropTest, SkopeoGzipOciLayoutLoadsAndRuns) {
  REQUIRE_TOOL("skopeo", "skopeo");
  std::string dir = scratch_ + "/layout";
  SHELL_OK(std::string(kSkopeo) + " copy --dest-compress --dest-compress-format gzip " +
           "docker-archive:" + Q(Shared().archive) + " oci:" + Q(dir + ":v1"));
  auto [config, types] = OciImage(dir, "v1");
  for (const auto& t : types) EXPECT_EQ(t, "application/vnd.oci.image.layer.v1.tar+gzip");
  ExpectLoadsAndRuns({"--format", "oci-dir", dir + ":v1"}, config, "");
}

TEST_F(E2EInteropTest, SkopeoZstdOciLayoutLoadsAndRuns) {
  REQUIRE_TOOL("skopeo", "skopeo");
  std::string dir = scratch_ + "/layout";
  SHELL_OK(std::string(kSkopeo) + " copy --dest-compress --dest-compress-format zstd " +
           "docker-archive:" + Q(Shared().archive) + " oci:" + Q(dir + ":v1"));
  auto [config, types] = OciImage(dir, "v1");
  for (const auto& t : types) EXPECT_EQ(t, "application/vnd.oci.image.layer.v1.tar+zstd");
  ExpectLoadsAndRuns({"--format", "oci-dir", dir + ":v1"}, config, "");
}

TEST_F(E2EInteropTest, SkopeoZstdOciArchiveLoadsAndRuns) {
  REQUIRE_TOOL("skopeo", "skopeo");
  std::string out = scratch_ + "/oci-archive.tar";
  SHELL_OK(std::string(kSkopeo) + " copy --dest-compress --dest-compress-format zstd " +
           "docker-archive:" + Q(Shared().archive) + " oci-archive:" + Q(out + ":v1"));
  std::string dir = Untar(out, "peek");
  auto [config, types] = OciImage(dir, "v1");
  ExpectLoadsAndRuns({"-i", out}, config, "");
}

// ---------------------------------------------------------------------------------------------
// skopeo and our push/pull through a real registry

class E2EInteropRegistryTest : public E2EInteropTest {
 protected:
  void SetUp() override {
    E2EInteropTest::SetUp();
    REQUIRE_TOOL("skopeo", "skopeo");
    if (!RegistryServer::Installed()) {
      GTEST_SKIP() << kRegistryBinary << " is not installed (apt-get install docker-registry)";
    }
    ASSERT_EQ(registry_.Start(scratch_ + "/registry"), "");
    host_ = registry_.host();
  }
  void TearDown() override {
    registry_.Stop();
    E2EInteropTest::TearDown();
  }
  std::string Docker(const std::string& name) { return Q("docker://" + host_ + "/" + name); }

  RegistryServer registry_;
  std::string host_;
};

TEST_F(E2EInteropRegistryTest, SkopeoPullsWhatWePushed) {
  LoadDemo();
  Ok({"tag", "demo:v1", host_ + "/demo:v1"});
  std::string out = Ok({"push", host_ + "/demo:v1"});
  std::string digest = Lines(out).back();
  digest = digest.substr(digest.find("sha256:"), 71);
  json j = json::parse(SHELL_OK(std::string(kSkopeo) + " inspect --tls-verify=false --no-creds " +
                                Docker("demo:v1")),
                       nullptr, false);
  ASSERT_TRUE(j.is_object()) << j;
  EXPECT_EQ(j["Digest"], digest);
  EXPECT_EQ(j["Layers"].size(), 3u);
  std::string dir = scratch_ + "/pulled";
  SHELL_OK(std::string(kSkopeo) + " copy --src-tls-verify=false --src-no-creds " +
           Docker("demo:v1") + " oci:" + Q(dir + ":v1"));
  auto [config, types] = OciImage(dir, "v1");
  EXPECT_EQ(config, Shared().id);
  ExpectLoadsAndRuns({"--format", "oci-dir", dir + ":v1"}, Shared().id, "");
}

TEST_F(E2EInteropRegistryTest, WePullWhatSkopeoPushed) {
  // A Docker schema 2 manifest with gzip layers: the config is untouched.
  SHELL_OK(std::string(kSkopeo) + " copy --dest-tls-verify=false --dest-no-creds " +
           "docker-archive:" + Q(Shared().archive) + " " + Docker("fromskopeo:v1"));
  std::string other = FreshStore("other");
  std::string out = OkIn(other, {"pull", host_ + "/fromskopeo:v1"});
  EXPECT_NE(out.find("Status: Downloaded newer image for " + host_ + "/fromskopeo:v1"),
            std::string::npos)
      << out;
  EXPECT_EQ(IdIn(other, host_ + "/fromskopeo:v1"), Shared().id);
  ExpectDemoRuns(other, host_ + "/fromskopeo:v1");
  ExpectSystemCheckClean(other);
}

TEST_F(E2EInteropRegistryTest, WePullAnOciManifestWithZstdLayersSkopeoPushed) {
  SHELL_OK(std::string(kSkopeo) + " copy --dest-tls-verify=false --dest-no-creds --format oci " +
           "--dest-compress-format zstd docker-archive:" + Q(Shared().archive) + " " +
           Docker("zstd:v1"));
  HttpReply m = HttpGet(registry_.port(), "/v2/zstd/manifests/v1",
                        "Accept: application/vnd.oci.image.manifest.v1+json\r\n");
  ASSERT_EQ(m.status, 200);
  json manifest = json::parse(m.body);
  for (const auto& l : manifest["layers"]) {
    EXPECT_EQ(l["mediaType"], "application/vnd.oci.image.layer.v1.tar+zstd");
  }
  std::string config = manifest["config"]["digest"];
  std::string other = FreshStore("other");
  OkIn(other, {"pull", host_ + "/zstd:v1"});
  EXPECT_EQ(IdIn(other, host_ + "/zstd:v1"), config);
  EXPECT_EQ(DiffIds(other, config), SharedDiffIds());
  ExpectDemoRuns(other, host_ + "/zstd:v1");
}

TEST_F(E2EInteropRegistryTest, WePullTheLinuxAmd64ImageOfAnIndexSkopeoPushed) {
  std::string dir = MultiPlatformLayout("multi", "v1");
  SHELL_OK(std::string(kSkopeo) + " copy --all --dest-tls-verify=false --dest-no-creds oci:" +
           Q(dir + ":v1") + " " + Docker("multi:v1"));
  std::string other = FreshStore("other");
  OkIn(other, {"pull", host_ + "/multi:v1"});
  EXPECT_EQ(IdIn(other, host_ + "/multi:v1"), Shared().id) << "linux/amd64, not the first entry";
  ExpectDemoRuns(other, host_ + "/multi:v1");
}

// ---------------------------------------------------------------------------------------------
// podman (scripts/setup.sh test installs it; skipped where it is missing)

TEST_F(E2EInteropTest, PodmanLoadsOurArchiveAndWeLoadWhatPodmanSaves) {
  REQUIRE_TOOL("podman", "podman");
  // A private storage root; vfs needs no kernel support; no network, no pulls.
  std::string podman = "podman --root " + Q(scratch_ + "/podman/root") + " --runroot " +
                       Q(scratch_ + "/podman/run") +
                       " --storage-driver vfs --events-backend none --cgroup-manager cgroupfs";
  SHELL_OK(podman + " load -i " + Q(Shared().archive));
  std::string id = Trim(SHELL_OK(podman + " image inspect --format '{{.Id}}' demo:v1"));
  EXPECT_EQ("sha256:" + id, Shared().id);
  std::string saved = scratch_ + "/podman.tar";
  SHELL_OK(podman + " save --format docker-archive -o " + Q(saved) + " demo:v1");
  ExpectLoadsAndRuns({"-i", saved}, Shared().id, "");
  std::string oci = scratch_ + "/podman-oci.tar";
  SHELL_OK(podman + " save --format oci-archive -o " + Q(oci) + " demo:v1");
  CliResult r = RunIn(FreshStore("oci"), {"load", "-i", oci});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace layerlab::testing::transfer
