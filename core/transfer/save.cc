// `save`: a Docker 25+ archive (manifest.json and repositories for old readers, oci-layout and
// index.json for OCI readers, one blobs/sha256 folder for both) or an OCI layout directory.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "layer/tree_copy.h"
#include "layerlab/layer_tar.h"
#include "layerlab/transfer.h"

namespace layerlab {

namespace {

using ojson = nlohmann::ordered_json;

constexpr const char* kIndexMediaType = "application/vnd.oci.image.index.v1+json";

struct SavedImage {
  ImageRecord record;
  std::string config;
  std::string manifest;
  std::vector<Reference> tags;  // the names the user gave (none for an id)
};

// What the user named: an image and, for a reference, that one tag (as `docker save` does).
Result<std::vector<SavedImage>> Collect(Store* store, Images* images,
                                        const std::vector<std::string>& names) {
  std::vector<SavedImage> out;
  std::map<std::string, size_t> by_id;
  for (const auto& name : names) {
    LL_ASSIGN_OR_RETURN(std::string id, images->Resolve(name));
    size_t idx;
    if (auto it = by_id.find(id); it != by_id.end()) {
      idx = it->second;
    } else {
      SavedImage s;
      LL_ASSIGN_OR_RETURN(s.record, images->Get(id));
      LL_ASSIGN_OR_RETURN(s.config, store->blobs().Get(id));
      LL_ASSIGN_OR_RETURN(s.manifest, store->blobs().Get(s.record.manifest_digest));
      idx = out.size();
      by_id[id] = idx;
      out.push_back(std::move(s));
    }
    std::string hex = name.rfind("sha256:", 0) == 0 ? name.substr(7) : name;
    bool is_id = id.find(hex) == 7 && hex.size() >= 1 &&
                 hex.find_first_not_of("0123456789abcdef") == std::string::npos;
    if (is_id) continue;
    auto parsed = ParseNormalizedTagged(name);
    if (parsed.ref) out[idx].tags.push_back(*parsed.ref);
  }
  return out;
}

std::string Hex(const std::string& digest) { return DigestHex(digest); }

ojson IndexJson(const std::vector<SavedImage>& imgs) {
  ojson index;
  index["schemaVersion"] = 2;
  index["mediaType"] = kIndexMediaType;
  ojson manifests = ojson::array();
  for (const auto& img : imgs) {
    auto entry = [&](const Reference* ref) {
      ojson m;
      m["mediaType"] = kMediaTypeManifest;
      m["digest"] = img.record.manifest_digest;
      m["size"] = img.manifest.size();
      if (ref) {
        m["annotations"] = {{"io.containerd.image.name", ref->String()},
                            {"org.opencontainers.image.ref.name", ref->tag}};
      }
      manifests.push_back(m);
    };
    if (img.tags.empty()) entry(nullptr);
    for (const auto& t : img.tags) entry(&t);
  }
  index["manifests"] = manifests;
  return index;
}

}  // namespace

Status SaveImages(Store* store, Images* images, const std::vector<std::string>& names,
                  const std::string& out, ArchiveFormat format) {
  LL_ASSIGN_OR_RETURN(std::vector<SavedImage> imgs, Collect(store, images, names));
  // Every blob once: configs, manifests, layers (uncompressed, stored under their diff id).
  std::set<std::string> blobs;
  for (const auto& img : imgs) {
    blobs.insert(img.record.id);
    blobs.insert(img.record.manifest_digest);
    for (const auto& l : img.record.layers) blobs.insert(l.diff_id);
  }
  const std::string layout = R"({"imageLayoutVersion":"1.0.0"})";
  const std::string index = IndexJson(imgs).dump();
  if (format == ArchiveFormat::kOciDir) {
    LL_RETURN_IF_ERROR(MakeDirs(out + "/blobs/sha256"));
    for (const auto& d : blobs) {
      std::string dst = out + "/blobs/sha256/" + Hex(d);
      if (access(dst.c_str(), F_OK) == 0) continue;
      std::string src = store->blobs().PathOf(d);
      int in = open(src.c_str(), O_RDONLY | O_CLOEXEC);
      if (in < 0) return Status::FromErrno(fmt::format("read blob {}", d), errno);
      fsutil::Fd in_fd(in);
      std::string tmp = dst + ".tmp";
      int o = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (o < 0) return Status::FromErrno(fmt::format("write `{}`", tmp), errno);
      fsutil::Fd out_fd(o);
      LL_RETURN_IF_ERROR(fsutil::CopyData(in, o, tmp));
      if (rename(tmp.c_str(), dst.c_str()) != 0) {
        return Status::FromErrno(fmt::format("rename `{}`", tmp), errno);
      }
    }
    LL_RETURN_IF_ERROR(WriteFileAtomic(out, out + "/oci-layout", layout));
    return WriteFileAtomic(out, out + "/index.json", index);
  }
  ojson manifest = ojson::array();
  ojson repositories = ojson::object();
  for (const auto& img : imgs) {
    ojson m;
    m["Config"] = "blobs/sha256/" + Hex(img.record.id);
    ojson tags = ojson::array();
    for (const auto& t : img.tags) tags.push_back(t.FamiliarString());
    m["RepoTags"] = tags;
    ojson layers = ojson::array();
    for (const auto& l : img.record.layers) layers.push_back("blobs/sha256/" + Hex(l.diff_id));
    m["Layers"] = layers;
    manifest.push_back(m);
    if (!img.record.layers.empty()) {
      for (const auto& t : img.tags) {
        repositories[t.FamiliarName()][t.tag] = Hex(img.record.layers.back().diff_id);
      }
    }
  }
  int64_t mtime = imgs.empty() ? 0 : imgs[0].record.created;
  std::vector<TarEntry> entries;
  auto dir = [&](const std::string& path) {
    TarEntry e;
    e.type = TarEntry::Type::kDir;
    e.path = path;
    e.mode = 0755;
    e.mtime = mtime;
    entries.push_back(e);
  };
  auto file = [&](const std::string& path, std::string content, std::string source = {}) {
    TarEntry e;
    e.type = TarEntry::Type::kFile;
    e.path = path;
    e.mode = 0644;
    e.mtime = mtime;
    e.content = std::move(content);
    e.source_path = std::move(source);
    entries.push_back(e);
  };
  dir("blobs");
  dir("blobs/sha256");
  for (const auto& d : blobs) file("blobs/sha256/" + Hex(d), "", store->blobs().PathOf(d));
  file("index.json", index);
  file("manifest.json", manifest.dump());
  file("oci-layout", layout);
  if (!repositories.empty()) file("repositories", repositories.dump());
  if (out == "-") {
    if (isatty(1)) {
      return Status::InvalidArgument(
          "cowardly refusing to save to a terminal. Use the -o flag or redirect");
    }
    return WriteTarFile("/dev/stdout", std::move(entries)).has_value()
               ? Status::Ok()
               : Status::Internal("write the archive to stdout");
  }
  // Written beside the target and renamed, so a failure never leaves half an archive.
  std::string tmp = out + ".tmp";
  auto written = WriteTarFile(tmp, std::move(entries));
  if (!written) {
    unlink(tmp.c_str());
    return written.error();
  }
  if (rename(tmp.c_str(), out.c_str()) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    return Status::FromErrno(fmt::format("rename `{}` to `{}`", tmp, out), err);
  }
  return Status::Ok();
}

}  // namespace layerlab
