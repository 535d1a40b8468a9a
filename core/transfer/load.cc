// `load`: an archive is unpacked into a staging folder (the unpacker refuses entries that would
// land outside it), its layout found (manifest.json, else index.json), then every blob is
// verified and the layers stored uncompressed under their diff ids. Nothing is committed until
// everything checked out; on failure the blobs this load added are removed again.
#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "layerlab/dockerignore.h"
#include "layerlab/layer_fs.h"
#include "transfer/ingest.h"
#include "layerlab/transfer.h"

namespace layerlab {

namespace {

using json = nlohmann::json;

// One image found in the layout, before verification.
struct Found {
  std::string config_path;              // inside the layout
  std::string config_digest;            // expected ("" = whatever it hashes to)
  std::vector<std::string> layer_paths;
  std::vector<std::string> layer_digests;  // expected blob digests ("" = unknown, docker <= 24)
  std::vector<std::string> tags;
};

Result<std::string> ReadFile(const std::string& path, const std::string& shown) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(fmt::format("{}: not in the archive", shown));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A path the archive names, checked to stay inside it; symlinks in the archive are followed as
// if the archive were the root, so none leads to a host file.
Result<std::string> Inside(const std::string& root, const std::string& rel, const char* what) {
  auto clean = CleanEntryPath(rel);
  if (!clean) {
    return Status::InvalidArgument(
        fmt::format("{} path \"{}\" leaves the archive: {}", what, rel, clean.error().message()));
  }
  auto resolved = ResolveInContext(root, *clean);
  if (!resolved) return Status::NotFound(fmt::format("{} {}: not in the archive", what, *clean));
  return *resolved == "." ? root : root + "/" + *resolved;
}

std::string BlobPath(const std::string& digest) {
  return "blobs/sha256/" + DigestHex(digest);
}

Result<std::vector<Found>> FromDockerManifest(const std::string& root, const std::string& text) {
  json m = json::parse(text, nullptr, false);
  if (!m.is_array()) return Status::Corrupt("manifest.json: not a JSON array");
  std::vector<Found> out;
  for (const auto& e : m) {
    if (!e.is_object() || !e.contains("Config") || !e["Config"].is_string() ||
        !e.contains("Layers") || !e["Layers"].is_array()) {
      return Status::Corrupt("manifest.json: an entry without Config or Layers");
    }
    Found f;
    std::string config = e["Config"];
    LL_ASSIGN_OR_RETURN(f.config_path, Inside(root, config, "Config"));
    // Docker <= 24 names the config "<hex>.json", Docker 25+ "blobs/sha256/<hex>": either way
    // the name is its digest.
    std::string base = config.substr(config.rfind('/') == std::string::npos ? 0 : config.rfind('/') + 1);
    if (base.size() >= 64) f.config_digest = "sha256:" + base.substr(0, 64);
    for (const auto& l : e["Layers"]) {
      if (!l.is_string()) return Status::Corrupt("manifest.json: a layer that is not a path");
      std::string p = l;
      LL_ASSIGN_OR_RETURN(std::string full, Inside(root, p, "layer"));
      f.layer_paths.push_back(full);
      f.layer_digests.push_back(p.rfind("blobs/sha256/", 0) == 0 ? "sha256:" + p.substr(13) : "");
    }
    if (e.contains("RepoTags") && e["RepoTags"].is_array()) {
      for (const auto& t : e["RepoTags"]) {
        if (t.is_string()) f.tags.push_back(t);
      }
    }
    out.push_back(std::move(f));
  }
  return out;
}

Status FromOciManifest(const std::string& root, const std::string& digest,
                       const std::vector<std::string>& tags, std::vector<Found>* out, int depth) {
  if (depth > 4) return Status::Corrupt("index.json: indexes nested too deeply");
  if (!IsValidDigest(digest)) return Status::Corrupt(fmt::format("bad digest \"{}\"", digest));
  LL_ASSIGN_OR_RETURN(std::string path, Inside(root, BlobPath(digest), "blob"));
  LL_ASSIGN_OR_RETURN(std::string text, ReadFile(path, BlobPath(digest)));
  if (Sha256Digest(text) != digest) {
    return Status::Corrupt(fmt::format("{}: content does not match its digest", BlobPath(digest)));
  }
  json m = json::parse(text, nullptr, false);
  if (!m.is_object()) return Status::Corrupt(fmt::format("{}: not JSON", BlobPath(digest)));
  if (m.contains("manifests")) {  // an index (or Docker manifest list): take linux/amd64
    for (const auto& d : m["manifests"]) {
      auto plat = d.value("platform", json::object());
      if (plat.is_object() && !plat.empty() &&
          (plat.value("os", "") != "linux" || plat.value("architecture", "") != "amd64")) {
        continue;
      }
      return FromOciManifest(root, d.value("digest", ""), tags, out, depth + 1);
    }
    return Status::NotFound(fmt::format("{}: no linux/amd64 image in the index", BlobPath(digest)));
  }
  if (!m.contains("config") || !m.contains("layers") || !m["layers"].is_array()) {
    return Status::Corrupt(fmt::format("{}: a manifest without config or layers", BlobPath(digest)));
  }
  Found f;
  f.config_digest = m["config"].value("digest", "");
  if (!IsValidDigest(f.config_digest)) return Status::Corrupt("manifest: bad config digest");
  LL_ASSIGN_OR_RETURN(f.config_path, Inside(root, BlobPath(f.config_digest), "config"));
  for (const auto& l : m["layers"]) {
    std::string d = l.value("digest", "");
    if (!IsValidDigest(d)) return Status::Corrupt("manifest: bad layer digest");
    LL_ASSIGN_OR_RETURN(std::string p, Inside(root, BlobPath(d), "layer"));
    f.layer_paths.push_back(p);
    f.layer_digests.push_back(d);
  }
  f.tags = tags;
  out->push_back(std::move(f));
  return Status::Ok();
}

Result<std::vector<Found>> FromOciIndex(const std::string& root, const std::string& text,
                                        const std::string& tag) {
  json idx = json::parse(text, nullptr, false);
  if (!idx.is_object() || !idx.contains("manifests") || !idx["manifests"].is_array()) {
    return Status::Corrupt("index.json: not an OCI image index");
  }
  std::vector<Found> out;
  // DIR:TAG picks the manifests whose ref.name is TAG (as skopeo's oci:DIR:TAG does); a lone
  // manifest without any ref.name is taken too. An image is named only by a whole reference
  // (io.containerd.image.name, or a ref.name that is one): a bare tag names no repository.
  const auto& all = idx["manifests"];
  for (const auto& d : all) {
    auto ann = d.value("annotations", json::object());
    std::string name = ann.value("io.containerd.image.name", "");
    std::string ref = ann.value("org.opencontainers.image.ref.name", "");
    if (!tag.empty() && ref != tag && !(ref.empty() && all.size() == 1)) continue;
    std::vector<std::string> tags;
    if (!name.empty()) {
      tags.push_back(name);
    } else if (ref.find('/') != std::string::npos) {
      tags.push_back(ref);
    }
    LL_RETURN_IF_ERROR(FromOciManifest(root, d.value("digest", ""), tags, &out, 0));
  }
  if (!tag.empty() && out.empty()) {
    return Status::NotFound(fmt::format("index.json: no image named \"{}\"", tag));
  }
  return out;
}

std::string Shown(const std::string& root, const std::string& path) {
  return path.rfind(root + "/", 0) == 0 ? path.substr(root.size() + 1) : path;
}

}  // namespace

Result<std::vector<LoadedImage>> LoadImages(Store* store, Images* images, const std::string& in,
                                            ArchiveFormat format, const std::string& tag) {
  std::string root = in;
  std::string staging;
  auto cleanup = [&]() {
    if (!staging.empty()) (void)RemoveTree(staging);
  };
  if (format == ArchiveFormat::kDockerArchive) {
    staging = store->blobs().NewTmpPath("load");
    LL_RETURN_IF_ERROR(MakeDirs(staging));
    UnpackOptions uo;
    uo.mode = WhiteoutMode::kApply;
    uo.set_owners = false;
    auto unpacked = UnpackLayer(in == "-" ? "/dev/stdin" : in, staging, uo);
    if (!unpacked) {
      cleanup();
      return Status(unpacked.error()).WithContext(fmt::format("read archive `{}`", in));
    }
    root = staging;
  }
  std::set<std::string> added;  // blobs this load stored, removed again on failure
  auto result = [&]() -> Result<std::vector<LoadedImage>> {
    std::vector<Found> found;
    if (access((root + "/manifest.json").c_str(), F_OK) == 0) {
      LL_ASSIGN_OR_RETURN(std::string mpath, Inside(root, "manifest.json", "manifest"));
      LL_ASSIGN_OR_RETURN(std::string text, ReadFile(mpath, "manifest.json"));
      LL_ASSIGN_OR_RETURN(found, FromDockerManifest(root, text));
    } else if (access((root + "/index.json").c_str(), F_OK) == 0) {
      LL_ASSIGN_OR_RETURN(std::string ipath, Inside(root, "index.json", "index"));
      LL_ASSIGN_OR_RETURN(std::string text, ReadFile(ipath, "index.json"));
      LL_ASSIGN_OR_RETURN(found, FromOciIndex(root, text, tag));
    } else {
      return Status::InvalidArgument(fmt::format(
          "`{}` is not an image archive: it has neither manifest.json nor index.json", in));
    }
    if (found.empty()) return Status::InvalidArgument("the archive holds no image");
    struct Verified {
      std::string config;
      std::vector<NewLayer> layers;
      std::vector<Reference> tags;
      int64_t created = 0;
    };
    std::vector<Verified> ready;
    for (const auto& f : found) {
      Verified v;
      LL_ASSIGN_OR_RETURN(v.config, ReadFile(f.config_path, Shown(root, f.config_path)));
      std::string digest = Sha256Digest(v.config);
      if (!f.config_digest.empty() && digest != f.config_digest) {
        return Status::Corrupt(fmt::format("config {}: content is {}, not {} as named",
                                           Shown(root, f.config_path), digest, f.config_digest));
      }
      LL_ASSIGN_OR_RETURN(ImageConfig cfg, ParseConfig(v.config, Shown(root, f.config_path)));
      if (cfg.diff_ids.size() != f.layer_paths.size()) {
        return Status::Corrupt(fmt::format(
            "the manifest names {} layer(s) but the config {} lists {} diff_id(s)",
            f.layer_paths.size(), ShortId(digest), cfg.diff_ids.size()));
      }
      for (size_t i = 0; i < f.layer_paths.size(); ++i) {
        LL_ASSIGN_OR_RETURN(NewLayer l,
                            IngestLayer(store, f.layer_paths[i], Shown(root, f.layer_paths[i]),
                                        f.layer_digests[i], cfg.diff_ids[i], &added));
        v.layers.push_back(l);
      }
      for (const auto& t : f.tags) {
        auto parsed = ParseNormalizedTagged(t);
        if (!parsed.ref) {
          return Status::InvalidArgument(fmt::format("invalid tag \"{}\" in the archive: {}", t,
                                                     parsed.message));
        }
        v.tags.push_back(*parsed.ref);
      }
      auto created = ParseRfc3339(cfg.created);
      v.created = created ? *created : 0;
      ready.push_back(std::move(v));
    }
    // Everything checked out: store configs and manifests, then commit each image.
    std::vector<LoadedImage> out;
    for (auto& v : ready) {
      bool had = false;
      std::string cdigest = Sha256Digest(v.config);
      had = store->blobs().Exists(cdigest);
      LL_ASSIGN_OR_RETURN(std::string config_digest, store->blobs().Put(v.config));
      if (!had) added.insert(config_digest);
      std::vector<ManifestLayer> mls;
      for (const auto& l : v.layers) mls.push_back({l.diff_id, l.tar_size});
      std::string manifest =
          ManifestToJson(config_digest, static_cast<int64_t>(v.config.size()), mls);
      std::string mdigest = Sha256Digest(manifest);
      had = store->blobs().Exists(mdigest);
      LL_ASSIGN_OR_RETURN(std::string manifest_digest, store->blobs().Put(manifest));
      if (!had) added.insert(manifest_digest);
      NewImage ni;
      ni.config_digest = config_digest;
      ni.manifest_digest = manifest_digest;
      ni.created = v.created;
      ni.layers = v.layers;
      ni.tags = v.tags;
      LL_ASSIGN_OR_RETURN(ImageRecord img, store->CommitImage(ni));
      added.clear();  // committed: these blobs belong to an image now
      LoadedImage li{img.id, {}};
      for (const auto& t : v.tags) li.tags.push_back(t.FamiliarString());
      out.push_back(std::move(li));
    }
    return out;
  }();
  cleanup();
  if (!result) {
    for (const auto& d : added) (void)store->blobs().Remove(d);
  }
  (void)images;
  return result;
}

}  // namespace layerlab
