// The save/load/push/pull e2e fixture: a small demo image built from a Dockerfile (files, a
// deleted file so a layer holds a whiteout, a chmod'ed file, a symlink), more stores than one,
// what a store holds on disk, shell tools (tar, gzip, zstd, skopeo, umoci), and JSON files.
#pragma once

#include <sys/stat.h>
#include <sys/wait.h>

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
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e/cli_harness.h"
#include "layerlab/digest.h"

namespace layerlab::testing::transfer {

using nlohmann::json;
namespace fs = std::filesystem;

inline constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";

struct ShellResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

// Single-quotes a word for /bin/sh.
inline std::string Q(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs `cmd` with /bin/sh, stdout and stderr captured together.
inline ShellResult Shell(const std::string& cmd) {
  ShellResult r;
  FILE* p = popen(("exec 2>&1; " + cmd).c_str(), "r");
  if (p == nullptr) return r;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  return r;
}

// Runs `cmd`, expecting exit 0; returns its output.
#define SHELL_OK(cmd)                                                                          \
  ([&]() {                                                                                     \
    ::layerlab::testing::transfer::ShellResult r_ = ::layerlab::testing::transfer::Shell(cmd); \
    EXPECT_EQ(r_.exit_code, 0) << (cmd) << "\n" << r_.out;                                     \
    return r_.out;                                                                             \
  }())

inline bool HaveTool(const std::string& name) {
  return Shell("command -v " + Q(name) + " >/dev/null").exit_code == 0;
}

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteAll(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

inline json ReadJson(const std::string& path) {
  json j = json::parse(ReadAll(path), nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << path << " is not JSON";
  return j;
}

// Compact JSON, as the tools write it (a blob's digest is of these exact bytes).
inline std::string WriteJson(const std::string& path, const json& j) {
  std::string text = j.dump();
  WriteAll(path, text);
  return text;
}

// The sha256 of a file, "sha256:<hex>", computed by `sha256sum`.
inline std::string DigestOf(const std::string& path) { return "sha256:" + Sha256Hex(path); }
inline std::string Hex(const std::string& digest) {
  return digest.rfind("sha256:", 0) == 0 ? digest.substr(7) : digest;
}

// The entry names `tar -tf` lists, without a leading "./" or trailing "/" (and without ".").
inline std::vector<std::string> TarNames(const std::string& tar) {
  std::vector<std::string> out;
  ShellResult r = Shell("tar -tf " + Q(tar));
  EXPECT_EQ(r.exit_code, 0) << "tar -tf " << tar << "\n" << r.out;
  for (std::string line : Lines(r.out)) {
    if (line.rfind("./", 0) == 0) line = line.substr(2);
    while (!line.empty() && line.back() == '/') line.pop_back();
    if (!line.empty() && line != ".") out.push_back(line);
  }
  return out;
}

inline bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// What the demo image's files are, as `run` prints them (see DemoReport()).
inline const char* const kDemoReport =
    "hello from layerlab\n"
    "gone\n"
    "700\n"
    "hello.txt\n"
    "nested\n"
    "built\n";

class TransferFixture : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    // Registry credentials never go to the user's real file.
    const char* auth = std::getenv("LAYERLAB_AUTH_FILE");
    saved_auth_ = auth ? auth : "";
    had_auth_ = auth != nullptr;
    auth_file_ = scratch_ + "/auth/auth.json";
    setenv("LAYERLAB_AUTH_FILE", auth_file_.c_str(), 1);
  }
  void TearDown() override {
    if (had_auth_) {
      setenv("LAYERLAB_AUTH_FILE", saved_auth_.c_str(), 1);
    } else {
      unsetenv("LAYERLAB_AUTH_FILE");
    }
    unsetenv("LAYERLAB_CHUNK_SIZE");
    CliTest::TearDown();
  }

  // Another store (a separate LAYERLAB_ROOT), seeded with busybox like every fresh store.
  std::string FreshStore(const std::string& name) {
    std::string root = scratch_ + "/" + name;
    OkIn(root, {"images", "-q"});
    return root;
  }
  CliResult RunIn(const std::string& root, const std::vector<std::string>& args,
                  const std::string& stdin_text = "") {
    return RunCli(root, args, stdin_text);
  }
  std::string OkIn(const std::string& root, const std::vector<std::string>& args,
                   const std::string& stdin_text = "") {
    CliResult r = RunCli(root, args, stdin_text);
    std::string cmd;
    for (const auto& a : args) cmd += a + " ";
    EXPECT_EQ(r.exit_code, 0) << "layerlab " << cmd << "(root " << root << ")\nstdout: " << r.out
                              << "\nstderr: " << r.err;
    return r.out;
  }

  json InspectIn(const std::string& root, const std::string& name) {
    CliResult r = RunIn(root, {"image", "inspect", name});
    json j = json::parse(r.out, nullptr, false);
    if (r.exit_code != 0 || !j.is_array() || j.size() != 1) {
      ADD_FAILURE() << "image inspect " << name << ": " << r.out << r.err;
      return json::object();
    }
    return j[0];
  }
  std::string IdIn(const std::string& root, const std::string& name) {
    return InspectIn(root, name).value("Id", "");
  }
  std::vector<std::string> DiffIds(const std::string& root, const std::string& name) {
    json j = InspectIn(root, name);
    if (!j.contains("RootFS")) return {};
    return j["RootFS"]["Layers"].get<std::vector<std::string>>();
  }
  bool ImageExistsIn(const std::string& root, const std::string& name) {
    return RunIn(root, {"image", "inspect", name}).exit_code == 0;
  }

  // Builds the demo image in the test's store; returns its ID. Three layers: busybox's; a COPY
  // of hello.txt, gone.txt, secret.sh and sub/nested.txt into /data; a RUN that deletes
  // gone.txt (a whiteout), chmods secret.sh to 0700 (a copy-up), adds a symlink and a file.
  std::string BuildDemo(const std::string& tag = "demo:v1") {
    return BuildDemoIn(root_, scratch_ + "/demo-ctx", tag);
  }
  static std::string BuildDemoIn(const std::string& root, const std::string& ctx,
                                 const std::string& tag) {
    WriteAll(ctx + "/files/hello.txt", "hello from layerlab\n");
    WriteAll(ctx + "/files/gone.txt", "this file is deleted by the next layer\n");
    WriteAll(ctx + "/files/secret.sh", "#!/bin/sh\necho secret\n");
    WriteAll(ctx + "/files/sub/nested.txt", "nested\n");
    WriteAll(ctx + "/Dockerfile",
             "FROM busybox\n"
             "COPY files/ /data/\n"
             "RUN rm /data/gone.txt && chmod 0700 /data/secret.sh && "
             "ln -s hello.txt /data/link && echo built > /data/built.txt\n"
             "CMD [\"cat\", \"/data/hello.txt\"]\n");
    CliResult r = RunCli(root, {"build", "-q", "-t", tag, ctx});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    std::string id = Trim(r.out);
    EXPECT_EQ(id.size(), 71u) << r.out;
    return id;
  }

  // The demo image (demo:v1) built once per test binary in a private store and saved there:
  // for tests that only need an archive to take apart (copy it before changing anything).
  struct SharedDemo {
    std::string dir;
    std::string id;
    std::string archive;
    ~SharedDemo() {
      if (!dir.empty()) fs::remove_all(dir);
    }
  };
  static const SharedDemo& Shared() {
    static SharedDemo demo = [] {
      SharedDemo d;
      char tmpl[] = "/tmp/layerlab-e2e-demo-XXXXXX";
      d.dir = mkdtemp(tmpl);
      d.id = BuildDemoIn(d.dir + "/store", d.dir + "/ctx", "demo:v1");
      d.archive = d.dir + "/demo.tar";
      CliResult r = RunCli(d.dir + "/store", {"save", "-o", d.archive, "demo:v1"});
      EXPECT_EQ(r.exit_code, 0) << r.err;
      return d;
    }();
    return demo;
  }

  // Runs the image's CMD (it prints hello.txt) and a report of the demo's files.
  void ExpectDemoRuns(const std::string& root, const std::string& image) {
    CliResult r = RunIn(root, {"run", "--rm", image});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "hello from layerlab\n") << r.err;
    EXPECT_EQ(DemoReport(root, image), kDemoReport);
  }
  std::string DemoReport(const std::string& root, const std::string& image) {
    CliResult r = RunIn(root, {"run", "--rm", image, "sh", "-c",
                               "cat /data/hello.txt; test -e /data/gone.txt || echo gone; "
                               "stat -c %a /data/secret.sh; readlink /data/link; "
                               "cat /data/sub/nested.txt /data/built.txt"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  // The files of a store that a failed load or pull must not add to: blobs, staging, layers.
  std::set<std::string> StoreFiles(const std::string& root) {
    std::set<std::string> out;
    for (const char* sub : {"blobs", "tmp", "layers"}) {
      std::string dir = root + "/" + sub;
      if (!fs::exists(dir)) continue;
      for (const auto& e : fs::recursive_directory_iterator(dir)) {
        out.insert(e.path().string().substr(root.size() + 1));
      }
    }
    return out;
  }
  // Every image ID and tag, as `images` lists them.
  std::string ImageList(const std::string& root) {
    return OkIn(root,
                {"images", "-a", "--no-trunc", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}"});
  }
  void ExpectSystemCheckClean(const std::string& root) {
    CliResult r = RunIn(root, {"system", "check"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(Matches(Trim(r.out), std::regex("^[0-9]+ blobs verified, 0 corrupt, 0 missing, "
                                                "0 orphans$")))
        << r.out;
  }

  // Saves `images` to a docker-archive under the scratch folder; returns its path.
  std::string SaveArchive(const std::string& name, const std::vector<std::string>& images) {
    std::string path = scratch_ + "/" + name;
    std::vector<std::string> args = {"save", "-o", path};
    args.insert(args.end(), images.begin(), images.end());
    Ok(args);
    return path;
  }
  // Unpacks a tar into a new folder under the scratch folder; returns the folder.
  std::string Untar(const std::string& tar, const std::string& name) {
    std::string dir = scratch_ + "/" + name;
    fs::create_directories(dir);
    SHELL_OK("tar -C " + Q(dir) + " -xf " + Q(tar));
    return dir;
  }
  // Packs a folder's contents (names without "./") into a tar; returns its path.
  std::string Tar(const std::string& dir, const std::string& name) {
    std::string tar = scratch_ + "/" + name;
    SHELL_OK("cd " + Q(dir) + " && tar -cf " + Q(tar) + " $(ls -A)");
    return tar;
  }

  // The shared demo archive unpacked into a new folder, ready to be taken apart.
  std::string Unpacked(const std::string& name) { return Untar(Shared().archive, name); }

  // The layer paths manifest.json names (Docker's reader), bottom first.
  static std::vector<std::string> LayerPaths(const std::string& dir) {
    return ReadJson(dir + "/manifest.json")[0]["Layers"].get<std::vector<std::string>>();
  }

  // Compresses every layer of the OCI layout in `dir` with `tool` ("gzip" or "zstd"), as
  // skopeo or podman would write it: new blobs named by the compressed digest (the old ones
  // removed), a new manifest, index.json pointing at it, and manifest.json (if any) naming the
  // compressed blobs.
  void RecompressLayers(const std::string& dir, const std::string& tool) {
    json index = ReadJson(dir + "/index.json");
    std::string mdigest = index["manifests"][0]["digest"];
    std::string mpath = dir + "/blobs/sha256/" + Hex(mdigest);
    json manifest = ReadJson(mpath);
    std::map<std::string, std::string> renamed;  // old blob path -> new
    for (auto& layer : manifest["layers"]) {
      std::string old_path = dir + "/blobs/sha256/" + Hex(layer["digest"]);
      std::string tmp = dir + "/compressed.tmp";
      std::string cmd = tool == "gzip" ? "gzip -n -c " : "zstd -q -c ";
      SHELL_OK(cmd + Q(old_path) + " > " + Q(tmp));
      std::string digest = DigestOf(tmp);
      fs::rename(tmp, dir + "/blobs/sha256/" + Hex(digest));
      fs::remove(old_path);
      renamed["blobs/sha256/" + Hex(layer["digest"])] = "blobs/sha256/" + Hex(digest);
      layer["mediaType"] = std::string("application/vnd.oci.image.layer.v1.tar+") +
                           (tool == "gzip" ? "gzip" : "zstd");
      layer["digest"] = digest;
      layer["size"] = fs::file_size(dir + "/blobs/sha256/" + Hex(digest));
    }
    std::string text = manifest.dump();
    std::string new_digest = Sha256Digest(text);
    fs::remove(mpath);
    WriteAll(dir + "/blobs/sha256/" + Hex(new_digest), text);
    index["manifests"][0]["digest"] = new_digest;
    index["manifests"][0]["size"] = text.size();
    WriteJson(dir + "/index.json", index);
    if (fs::exists(dir + "/manifest.json")) {
      json m = ReadJson(dir + "/manifest.json");
      for (auto& l : m[0]["Layers"]) l = renamed[l.get<std::string>()];
      WriteJson(dir + "/manifest.json", m);
    }
  }

  // The demo image laid out as Docker <= 24 saved images: `<v1 id>/layer.tar`, `json` and
  // `VERSION` per layer, the config as `<hex>.json`, manifest.json and repositories (no OCI
  // layout). Returns the folder.
  std::string DockerV24Layout(const std::string& name, const std::string& repo_tag) {
    std::string src = Unpacked(name + "-src");
    std::string dir = scratch_ + "/" + name;
    json m = ReadJson(src + "/manifest.json")[0];
    std::string config_hex = Hex(m["Config"].get<std::string>().substr(13));
    fs::create_directories(dir);
    fs::copy_file(src + "/" + m["Config"].get<std::string>(), dir + "/" + config_hex + ".json");
    json layers = json::array();
    std::string parent;
    for (const auto& l : m["Layers"]) {
      // A v1 id is a hash of the layer's chain, not the diff id: any 64-hex name will do.
      std::string v1 = Hex(Sha256Digest(parent + l.get<std::string>()));
      fs::create_directories(dir + "/" + v1);
      fs::copy_file(src + "/" + l.get<std::string>(), dir + "/" + v1 + "/layer.tar");
      WriteAll(dir + "/" + v1 + "/VERSION", "1.0");
      json v1json = {{"id", v1},
                     {"created", "1970-01-01T00:00:00Z"},
                     {"container_config", {{"Cmd", nullptr}}}};
      if (!parent.empty()) v1json["parent"] = parent;
      WriteJson(dir + "/" + v1 + "/json", v1json);
      layers.push_back(v1 + "/layer.tar");
      parent = v1;
    }
    size_t colon = repo_tag.rfind(':');
    WriteJson(
        dir + "/manifest.json",
        json::array(
            {{{"Config", config_hex + ".json"}, {"RepoTags", {repo_tag}}, {"Layers", layers}}}));
    WriteJson(dir + "/repositories",
              {{repo_tag.substr(0, colon), {{repo_tag.substr(colon + 1), parent}}}});
    return dir;
  }

  // A tar of one entry named exactly `entry` (GNU tar would strip a leading "../"), plus the
  // files of `dir` when given, written by python3's tarfile.
  std::string RawTar(const std::string& name, const std::string& entry, const std::string& content,
                     const std::string& dir = "") {
    std::string tar = scratch_ + "/" + name;
    std::string script =
        "import io, os, sys, tarfile\n"
        "t = tarfile.open(sys.argv[1], 'w', format=tarfile.PAX_FORMAT)\n"
        "if sys.argv[4]:\n"
        "    for n in sorted(os.listdir(sys.argv[4])):\n"
        "        t.add(os.path.join(sys.argv[4], n), arcname=n)\n"
        "data = sys.argv[3].encode()\n"
        "i = tarfile.TarInfo(sys.argv[2]); i.size = len(data); i.mode = 0o644\n"
        "t.addfile(i, io.BytesIO(data)); t.close()\n";
    SHELL_OK("python3 -c " + Q(script) + " " + Q(tar) + " " + Q(entry) + " " + Q(content) + " " +
             Q(dir));
    return tar;
  }

  // Any file or folder named `name` under `dir`.
  static std::vector<std::string> FindNamed(const std::string& dir, const std::string& name) {
    std::vector<std::string> out;
    for (const auto& e :
         fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied)) {
      if (e.path().filename() == name) out.push_back(e.path());
    }
    return out;
  }

  // Writes a blob into an OCI layout; returns its digest.
  static std::string PutBlob(const std::string& dir, const std::string& text) {
    std::string digest = Sha256Digest(text);
    WriteAll(dir + "/blobs/sha256/" + Hex(digest), text);
    return digest;
  }

  // An OCI layout (a folder) whose index.json names, as `ref`, an image index of two images:
  // an arm64 variant first (the demo's config with "architecture": "arm64"), then the demo as
  // linux/amd64. A reader that takes the first entry gets the wrong image.
  std::string MultiPlatformLayout(const std::string& name, const std::string& ref) {
    std::string dir = Unpacked(name);
    fs::remove(dir + "/manifest.json");
    fs::remove(dir + "/repositories");
    json amd64 = ReadJson(dir + "/index.json")["manifests"][0];
    amd64.erase("annotations");
    amd64["platform"] = {{"architecture", "amd64"}, {"os", "linux"}};
    json manifest = ReadJson(dir + "/blobs/sha256/" + Hex(amd64["digest"]));
    json config = ReadJson(dir + "/blobs/sha256/" + Hex(manifest["config"]["digest"]));
    config["architecture"] = "arm64";
    std::string ctext = config.dump();
    manifest["config"]["digest"] = PutBlob(dir, ctext);
    manifest["config"]["size"] = ctext.size();
    std::string mtext = manifest.dump();
    json arm64 = {{"mediaType", kOciManifest},
                  {"digest", PutBlob(dir, mtext)},
                  {"size", mtext.size()},
                  {"platform", {{"architecture", "arm64"}, {"os", "linux"}}}};
    json inner = {
        {"schemaVersion", 2}, {"mediaType", kOciIndex}, {"manifests", json::array({arm64, amd64})}};
    std::string itext = inner.dump();
    json entry = {{"mediaType", kOciIndex},
                  {"digest", PutBlob(dir, itext)},
                  {"size", itext.size()},
                  {"annotations", {{"org.opencontainers.image.ref.name", ref}}}};
    WriteJson(dir + "/index.json", {{"schemaVersion", 2}, {"manifests", json::array({entry})}});
    return dir;
  }

  std::string auth_file_;

 private:
  std::string saved_auth_;
  bool had_auth_ = false;
};

}  // namespace layerlab::testing::transfer
