// End-to-end tests of `push`, `pull`, `login` and `logout` against a real registry (Debian's
// docker-registry, started per test by registry_fixture.h): round trips into a fresh store,
// Docker's progress lines, HEAD checks, cross-repository mounts, chunked uploads, pulls by
// digest, digest verification, errors, and basic auth with the 0600 credentials file.
#include <sys/stat.h>

#include "e2e/registry_fixture.h"
#include "e2e/transfer_fixture.h"
#include "layerlab/digest.h"

namespace layerlab::testing::transfer {

namespace {

constexpr const char* kAcceptManifests =
    "Accept: application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.v2+json\r\n";

const std::regex kDigestLine("^([^ ]+): digest: (sha256:[0-9a-f]{64}) size: ([0-9]+)$");

}  // namespace

class RegistryFixture : public TransferFixture {
 protected:
  void StartRegistry(const std::string& htpasswd = "") {
    if (!RegistryServer::Installed()) {
      GTEST_SKIP() << kRegistryBinary << " is not installed (apt-get install docker-registry)";
    }
    std::string why = registry_.Start(scratch_ + "/registry", htpasswd);
    ASSERT_EQ(why, "");
    host_ = registry_.host();
  }
  void TearDown() override {
    registry_.Stop();
    TransferFixture::TearDown();
  }

  // "127.0.0.1:PORT/NAME".
  std::string Ref(const std::string& name) { return host_ + "/" + name; }

  // Builds the demo image and tags it `HOST/REPO:TAG`; returns its ID.
  std::string BuildAndTag(const std::string& repo_tag) {
    std::string id = BuildDemo();
    Ok({"tag", "demo:v1", Ref(repo_tag)});
    return id;
  }

  struct Pushed {
    std::vector<std::string> layer_lines;  // "<12 hex>: <what happened>", in printed order
    std::string tag;
    std::string digest;
    size_t size = 0;
  };
  // Pushes, expecting success and Docker's lines; returns what they said.
  Pushed Push(const std::string& repo_tag, const std::string& root = "") {
    std::string out = OkIn(root.empty() ? root_ : root, {"push", Ref(repo_tag)});
    std::vector<std::string> lines = Lines(out);
    Pushed p;
    std::string repo = repo_tag.substr(0, repo_tag.rfind(':'));
    EXPECT_GE(lines.size(), 2u) << out;
    if (lines.size() < 2) return p;
    EXPECT_EQ(lines[0], "The push refers to repository [" + Ref(repo) + "]");
    p.layer_lines.assign(lines.begin() + 1, lines.end() - 1);
    std::smatch m;
    EXPECT_TRUE(std::regex_match(lines.back(), m, kDigestLine)) << lines.back();
    if (m.size() == 4) {
      p.tag = m[1];
      p.digest = m[2];
      p.size = std::stoul(m[3]);
    }
    return p;
  }

  // The layer lines a push of the demo image must print, all saying `what` (Docker names a
  // layer by its diff id on push), in any order.
  std::multiset<std::string> LayerLines(const std::string& what) {
    std::multiset<std::string> out;
    for (const auto& d : DiffIds(root_, "demo:v1")) out.insert(Hex(d).substr(0, 12) + ": " + what);
    return out;
  }
  static std::multiset<std::string> Set(const std::vector<std::string>& v) {
    return {v.begin(), v.end()};
  }

  // The manifest the registry holds for REPO at REF (a tag or digest), read with plain HTTP.
  HttpReply RegistryManifest(const std::string& repo, const std::string& ref) {
    return HttpGet(registry_.port(), "/v2/" + repo + "/manifests/" + ref, kAcceptManifests);
  }

  // What `pull` prints for the demo image when it downloads it into a store that has only
  // busybox: Docker names layers by their compressed digest.
  std::string ExpectedPullOutput(const std::string& repo, const std::string& ref,
                                 const json& manifest, const std::string& digest) {
    std::string out = ref + ": Pulling from " + repo + "\n";
    for (size_t i = 0; i < manifest["layers"].size(); ++i) {
      out += Hex(manifest["layers"][i]["digest"]).substr(0, 12) +
             (i == 0 ? ": Already exists\n" : ": Pull complete\n");
    }
    std::string full = Ref(repo) + (ref.rfind("sha256:", 0) == 0 ? "@" : ":") + ref;
    out += "Digest: " + digest + "\n";
    out += "Status: Downloaded newer image for " + full + "\n";
    out += full + "\n";
    return out;
  }

  RegistryServer registry_;
  std::string host_;
};

class E2ERegistryTest : public RegistryFixture {
 protected:
  void SetUp() override {
    RegistryFixture::SetUp();
    StartRegistry();
  }
};

// ---------------------------------------------------------------------------------------------
// push and pull

TEST_F(E2ERegistryTest, PushThenPullIntoAFreshStoreKeepsTheIdAndRuns) {
  std::string id = BuildAndTag("demo:v1");
  Pushed p = Push("demo:v1");
  EXPECT_EQ(Set(p.layer_lines), LayerLines("Pushed"));
  EXPECT_EQ(p.tag, "v1");
  // The digest and size printed are those of the manifest the registry now serves.
  HttpReply m = RegistryManifest("demo", "v1");
  ASSERT_EQ(m.status, 200) << m.body;
  EXPECT_EQ(Sha256Digest(m.body), p.digest);
  EXPECT_EQ(m.body.size(), p.size);
  EXPECT_EQ(m.headers["docker-content-digest"], p.digest);
  json manifest = json::parse(m.body);
  EXPECT_EQ(manifest["config"]["digest"], id);
  ASSERT_EQ(manifest["layers"].size(), 3u);
  for (const auto& l : manifest["layers"]) {
    EXPECT_TRUE(l.value("mediaType", "").ends_with("gzip")) << l;  // compressed on the wire
  }

  std::string other = FreshStore("other");
  std::string out = OkIn(other, {"pull", Ref("demo:v1")});
  EXPECT_EQ(out, ExpectedPullOutput("demo", "v1", manifest, p.digest));
  EXPECT_EQ(IdIn(other, Ref("demo:v1")), id);
  EXPECT_EQ(DiffIds(other, Ref("demo:v1")), DiffIds(root_, "demo:v1"));
  ExpectDemoRuns(other, Ref("demo:v1"));
  ExpectSystemCheckClean(other);
}

TEST_F(E2ERegistryTest, PullWithoutATagUsesLatest) {
  BuildAndTag("demo:latest");
  Pushed p = Push("demo:latest");
  std::string other = FreshStore("other");
  std::string out = OkIn(other, {"pull", Ref("demo")});
  json manifest = json::parse(RegistryManifest("demo", "latest").body);
  EXPECT_EQ(out, "Using default tag: latest\n" +
                     ExpectedPullOutput("demo", "latest", manifest, p.digest));
}

TEST_F(E2ERegistryTest, SecondPushSaysLayerAlreadyExists) {
  BuildAndTag("demo:v1");
  Pushed first = Push("demo:v1");
  Pushed second = Push("demo:v1");
  EXPECT_EQ(Set(second.layer_lines), LayerLines("Layer already exists"));
  EXPECT_EQ(second.digest, first.digest);
  EXPECT_EQ(second.size, first.size);
}

TEST_F(E2ERegistryTest, PushUnderAnotherRepositoryMountsTheLayers) {
  std::string id = BuildAndTag("one:v1");
  Pushed first = Push("one:v1");
  Ok({"tag", "demo:v1", Ref("two:v1")});
  Pushed second = Push("two:v1");
  EXPECT_EQ(Set(second.layer_lines), LayerLines("Mounted from one"));
  EXPECT_EQ(second.digest, first.digest) << "the same manifest";
  std::string other = FreshStore("other");
  OkIn(other, {"pull", Ref("two:v1")});
  EXPECT_EQ(IdIn(other, Ref("two:v1")), id);
}

TEST_F(E2ERegistryTest, ChunkedUploadRoundTrip) {
  std::string id = BuildAndTag("demo:v1");
  setenv("LAYERLAB_CHUNK_SIZE", "65536", 1);  // busybox's layer is ~1 MB gzipped
  Pushed p = Push("demo:v1");
  unsetenv("LAYERLAB_CHUNK_SIZE");
  EXPECT_EQ(Set(p.layer_lines), LayerLines("Pushed"));
  // The registry saw the chunks: its access log has a PATCH per 64 KiB of every layer bigger
  // than that (the small ones go in one PUT).
  json manifest = json::parse(RegistryManifest("demo", "v1").body);
  size_t expected = 0;
  for (const auto& l : manifest["layers"]) {
    size_t size = l["size"];
    if (size > 65536) expected += (size + 65535) / 65536;
  }
  EXPECT_GE(expected, 2u);
  size_t patches = 0;
  for (const auto& line : Lines(registry_.Log())) {
    if (line.find("\"PATCH /v2/demo/blobs/uploads/") != std::string::npos) ++patches;
  }
  EXPECT_EQ(patches, expected) << registry_.Log();
  // The big layer arrived whole: its bytes hash to the manifest's digest, and unzip to busybox's
  // diff id.
  std::string base_digest = manifest["layers"][0]["digest"];
  HttpReply blob = HttpGet(registry_.port(), "/v2/demo/blobs/" + base_digest);
  ASSERT_EQ(blob.status, 200);
  EXPECT_GT(blob.body.size(), 65536u * 2);
  EXPECT_EQ(Sha256Digest(blob.body), base_digest);
  std::string gz = WriteFile("base.gz", blob.body);
  EXPECT_EQ("sha256:" + Trim(SHELL_OK("gzip -dc " + Q(gz) + " | sha256sum | cut -c1-64")),
            DiffIds(root_, "demo:v1")[0]);
  std::string other = FreshStore("other");
  OkIn(other, {"pull", Ref("demo:v1")});
  EXPECT_EQ(IdIn(other, Ref("demo:v1")), id);
  ExpectDemoRuns(other, Ref("demo:v1"));
}

TEST_F(E2ERegistryTest, PullByDigest) {
  std::string id = BuildAndTag("demo:v1");
  Pushed p = Push("demo:v1");
  std::string other = FreshStore("other");
  std::string out = OkIn(other, {"pull", Ref("demo@" + p.digest)});
  json manifest = json::parse(RegistryManifest("demo", "v1").body);
  EXPECT_EQ(out, ExpectedPullOutput("demo", p.digest, manifest, p.digest));
  EXPECT_EQ(IdIn(other, id), id);
  EXPECT_FALSE(ImageExistsIn(other, Ref("demo:v1"))) << "a pull by digest makes no tag";
  ExpectDemoRuns(other, id);
  // As in Docker, NAME@DIGEST names the image afterwards.
  CliResult by_digest = RunIn(other, {"image", "inspect", Ref("demo@" + p.digest)});
  EXPECT_EQ(by_digest.exit_code, 0) << by_digest.err;
}

TEST_F(E2ERegistryTest, PushAndPullRecordRepoDigests) {
  std::string id = BuildAndTag("demo:v1");
  Pushed p = Push("demo:v1");
  std::string expected = Ref("demo") + "@" + p.digest;
  EXPECT_EQ(InspectIn(root_, id)["RepoDigests"], json::array({expected}));
  std::string other = FreshStore("other");
  OkIn(other, {"pull", Ref("demo:v1")});
  EXPECT_EQ(InspectIn(other, id)["RepoDigests"], json::array({expected}));
  // Removing the image says its digest goes too, as Docker does.
  std::string rmi = OkIn(other, {"rmi", Ref("demo:v1")});
  EXPECT_EQ(rmi.substr(0, rmi.find("Deleted:")),
            "Untagged: " + Ref("demo:v1") + "\nUntagged: " + expected + "\n");
}

TEST_F(E2ERegistryTest, PullingAgainSaysImageIsUpToDate) {
  BuildAndTag("demo:v1");
  Pushed p = Push("demo:v1");
  std::string other = FreshStore("other");
  OkIn(other, {"pull", Ref("demo:v1")});
  std::set<std::string> files = StoreFiles(other);
  // Docker finds the config already here and fetches no layer.
  EXPECT_EQ(OkIn(other, {"pull", Ref("demo:v1")}),
            "v1: Pulling from demo\n"
            "Digest: " +
                p.digest +
                "\n"
                "Status: Image is up to date for " +
                Ref("demo:v1") + "\n" + Ref("demo:v1") + "\n");
  EXPECT_EQ(StoreFiles(other), files);
}

TEST_F(E2ERegistryTest, PullQuietPrintsOnlyTheReference) {
  BuildAndTag("demo:v1");
  Push("demo:v1");
  // `docker pull -q` prints the full reference only.
  EXPECT_EQ(OkIn(FreshStore("other"), {"pull", "-q", Ref("demo:v1")}), Ref("demo:v1") + "\n");
}

TEST_F(E2ERegistryTest, PullOfAMissingTagFailsWithManifestUnknown) {
  BuildAndTag("demo:v1");
  Push("demo:v1");
  std::string other = FreshStore("other");
  std::string images = ImageList(other);
  std::set<std::string> files = StoreFiles(other);
  CliResult r = RunIn(other, {"pull", Ref("demo:nosuch")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "") << "Docker says \"Pulling from\" only once it has the manifest";
  EXPECT_NE(r.err.find("manifest for " + Ref("demo:nosuch") + " not found: manifest unknown"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(ImageList(other), images);
  EXPECT_EQ(StoreFiles(other), files);
}

TEST_F(E2ERegistryTest, PushOfAnImageThatIsNotHereFails) {
  CliResult r = Run({"push", Ref("nosuch:v1")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("An image does not exist locally with the tag: " + Ref("nosuch")),
            std::string::npos)
      << r.err;
}

TEST_F(E2ERegistryTest, PullRefusesALayerWhoseBytesDoNotMatchItsDigest) {
  BuildAndTag("demo:v1");
  Push("demo:v1");
  json manifest = json::parse(RegistryManifest("demo", "v1").body);
  // Corrupt the top layer where the registry keeps it (same size, other bytes).
  std::string digest = manifest["layers"][2]["digest"];
  std::string data = scratch_ + "/registry/data/docker/registry/v2/blobs/sha256/" +
                     Hex(digest).substr(0, 2) + "/" + Hex(digest) + "/data";
  ASSERT_TRUE(fs::exists(data));
  std::string bytes = ReadAll(data);
  for (size_t i = bytes.size() / 2; i < bytes.size() / 2 + 16 && i < bytes.size(); ++i) {
    bytes[i] = static_cast<char>(bytes[i] ^ 0x5a);
  }
  WriteAll(data, bytes);
  std::string other = FreshStore("other");
  std::string images = ImageList(other);
  std::set<std::string> files = StoreFiles(other);
  CliResult r = RunIn(other, {"pull", Ref("demo:v1")});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.err.find(Hex(digest).substr(0, 12)), std::string::npos) << r.err;
  EXPECT_EQ(ImageList(other), images);
  EXPECT_EQ(StoreFiles(other), files);
  ExpectSystemCheckClean(other);
}

// ---------------------------------------------------------------------------------------------
// login, logout, and a registry behind basic auth

class E2ERegistryAuthTest : public RegistryFixture {
 protected:
  static constexpr const char* kUser = "student";
  static constexpr const char* kPassword = "s3cret pass!";

  void SetUp() override {
    RegistryFixture::SetUp();
    if (!RegistryServer::Installed()) {
      GTEST_SKIP() << kRegistryBinary << " is not installed (apt-get install docker-registry)";
    }
    auto line = BcryptHtpasswdLine(kUser, kPassword);
    if (!line) {
      GTEST_SKIP() << "no tool here makes bcrypt htpasswd entries "
                      "(apt-get install apache2-utils, for htpasswd -B)";
    }
    StartRegistry(*line + "\n");
  }

  json AuthFile() { return ReadJson(auth_file_); }
  unsigned Mode(const std::string& path) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return 0;
    return st.st_mode & 07777;
  }
  CliResult Login(const std::string& password) {
    return Run({"login", "-u", kUser, "--password-stdin", host_}, password + "\n");
  }
  static bool SaysUnauthorized(const std::string& err) {
    std::string lower = err;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower.find("unauthorized") != std::string::npos ||
           lower.find("no basic auth credentials") != std::string::npos ||
           lower.find("authentication required") != std::string::npos;
  }
};

TEST_F(E2ERegistryAuthTest, LoginChecksThePasswordAndKeepsCredentialsIn0600File) {
  CliResult wrong = Login("wrong password");
  EXPECT_EQ(wrong.exit_code, 1) << wrong.out;
  EXPECT_TRUE(SaysUnauthorized(wrong.err)) << wrong.err;
  EXPECT_EQ(wrong.out.find("Login Succeeded"), std::string::npos) << wrong.out;
  if (fs::exists(auth_file_)) {
    EXPECT_FALSE(AuthFile()["auths"].contains(host_)) << "a refused login is not kept";
  }

  CliResult right = Login(kPassword);
  EXPECT_EQ(right.exit_code, 0) << right.err;
  EXPECT_NE(right.out.find("Login Succeeded\n"), std::string::npos) << right.out;
  ASSERT_TRUE(fs::exists(auth_file_));
  EXPECT_EQ(Mode(auth_file_), 0600u);
  std::string b64 =
      Trim(SHELL_OK("printf %s " + Q(std::string(kUser) + ":" + kPassword) + " | base64 -w0"));
  EXPECT_EQ(AuthFile()["auths"][host_]["auth"], b64);

  // -p works too; a later failed login leaves the good one in place.
  EXPECT_EQ(Run({"login", "-u", kUser, "-p", kPassword, host_}).exit_code, 0);
  EXPECT_EQ(Login("wrong again").exit_code, 1);
  EXPECT_EQ(AuthFile()["auths"][host_]["auth"], b64);
  EXPECT_EQ(Mode(auth_file_), 0600u);
}

TEST_F(E2ERegistryAuthTest, PushAndPullNeedALoginAndWorkWithIt) {
  std::string id = BuildAndTag("demo:v1");
  CliResult anonymous = Run({"push", Ref("demo:v1")});
  EXPECT_EQ(anonymous.exit_code, 1);
  EXPECT_TRUE(SaysUnauthorized(anonymous.err)) << anonymous.err;

  ASSERT_EQ(Login(kPassword).exit_code, 0);
  Pushed p = Push("demo:v1");
  EXPECT_EQ(Set(p.layer_lines), LayerLines("Pushed"));
  std::string other = FreshStore("other");
  OkIn(other, {"pull", Ref("demo:v1")});
  EXPECT_EQ(IdIn(other, Ref("demo:v1")), id);
  ExpectDemoRuns(other, Ref("demo:v1"));

  EXPECT_EQ(Ok({"logout", host_}), "Removing login credentials for " + host_ + "\n");
  EXPECT_FALSE(AuthFile()["auths"].contains(host_));
  EXPECT_EQ(Mode(auth_file_), 0600u);
  CliResult after = RunIn(FreshStore("third"), {"pull", Ref("demo:v1")});
  EXPECT_EQ(after.exit_code, 1);
  EXPECT_TRUE(SaysUnauthorized(after.err)) << after.err;
}

TEST_F(E2ERegistryAuthTest, LogoutWhenNotLoggedInSaysSoAndSucceeds) {
  // docker logout: "Not logged in to SERVER" on stdout, exit 0.
  CliResult r = Run({"logout", host_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Not logged in to " + host_ + "\n");
}

}  // namespace layerlab::testing::transfer
