// `pull`: the manifest (content-negotiated; an index or manifest list resolves to linux/amd64),
// the config, then each layer: fetched, checked against its digest, decompressed, checked
// against the config's diff id, stored. Nothing is committed until all of it checked out.
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "layerlab/layer_fs.h"
#include "layerlab/registry.h"
#include "transfer/ingest.h"
#include "transfer/registry_client.h"

namespace layerlab {

using json = nlohmann::json;
using transfer::HttpRequest;
using transfer::HttpResponse;
using transfer::RegistryClient;

namespace {

constexpr const char* kAccept =
    "Accept: application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.oci.image.index.v1+json, "
    "application/vnd.docker.distribution.manifest.v2+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json";

Result<std::pair<std::string, json>> GetManifest(RegistryClient& client, const std::string& ref,
                                                 const std::string& expected) {
  HttpRequest req;
  req.url = client.Url("manifests/" + ref);
  req.headers = {kAccept};
  LL_ASSIGN_OR_RETURN(HttpResponse r, client.Do(req));
  if (r.status == 404) {
    return Status::NotFound(fmt::format("manifest for {}/{}:{} not found: manifest unknown",
                                        client.host(), client.repository(), ref));
  }
  if (r.status != 200) {
    return Status::Internal(fmt::format("GET manifest {}: HTTP {}", ref, r.status));
  }
  std::string digest = Sha256Digest(r.body);
  if (!expected.empty() && digest != expected) {
    return Status::Corrupt(fmt::format("manifest {}: content is {}, not {}", ref, digest, expected));
  }
  std::string header = r.Header("docker-content-digest");
  if (!header.empty() && header != digest) {
    return Status::Corrupt(fmt::format("manifest {}: content is {}, the registry says {}", ref,
                                       digest, header));
  }
  json j = json::parse(r.body, nullptr, false);
  if (!j.is_object()) return Status::Corrupt(fmt::format("manifest {}: not JSON", ref));
  return std::make_pair(digest, j);
}

std::string Host(const Reference& ref) {
  return ref.domain == "docker.io" ? "registry-1.docker.io" : ref.domain;
}

}  // namespace

Result<std::string> Pull(Store* store, Images* images, const std::string& name,
                         const RegistryOptions& options) {
  (void)images;
  auto say = [&](const std::string& s) {
    if (options.progress) options.progress(s);
  };
  auto parsed = ParseNormalizedNamed(name);
  if (!parsed.ref) return Status::InvalidArgument(parsed.message);
  Reference ref = *parsed.ref;
  if (!ref.tagged() && !ref.digested()) {
    ref.tag = "latest";
    say("Using default tag: latest");
  }
  RegistryClient client(Host(ref), ref.path, options);
  const std::string what = ref.digested() ? ref.digest : ref.tag;
  LL_ASSIGN_OR_RETURN(auto top, GetManifest(client, what, ref.digested() ? ref.digest : ""));
  auto [manifest_digest, manifest] = top;
  if (manifest.contains("manifests")) {
    std::string pick;
    for (const auto& d : manifest["manifests"]) {
      auto p = d.value("platform", json::object());
      if (p.value("os", "") == "linux" && p.value("architecture", "") == "amd64") {
        pick = d.value("digest", "");
        break;
      }
    }
    if (pick.empty()) {
      return Status::NotFound(fmt::format(
          "no matching manifest for linux/amd64 in the manifest list entries of {}", name));
    }
    LL_ASSIGN_OR_RETURN(auto inner, GetManifest(client, pick, pick));
    manifest = inner.second;
  }
  if (!manifest.contains("config") || !manifest.contains("layers")) {
    return Status::Corrupt("the manifest has no config or layers (schema 1 is not supported)");
  }
  std::string config_digest = manifest["config"].value("digest", "");
  if (!IsValidDigest(config_digest)) return Status::Corrupt("manifest: bad config digest");
  say(fmt::format("{}: Pulling from {}", what, ref.path));
  // The image is already here (its config digest is its id): only the names change.
  LL_ASSIGN_OR_RETURN(auto have, store->GetImage(config_digest));
  if (have) {
    bool up_to_date = true;
    if (ref.tagged()) {
      LL_ASSIGN_OR_RETURN(auto at, store->LookupTag(ref.String()));
      up_to_date = at && *at == config_digest;
      if (!up_to_date) LL_RETURN_IF_ERROR(store->AddTag(config_digest, ref));
    }
    LL_RETURN_IF_ERROR(store->AddRepoDigest(ref.Name(), manifest_digest, config_digest));
    say("Digest: " + manifest_digest);
    say(fmt::format("Status: {} for {}",
                    up_to_date ? "Image is up to date" : "Downloaded newer image",
                    ref.FamiliarString()));
    say(ref.String());
    return config_digest;
  }
  std::set<std::string> added;
  std::vector<std::string> temps;
  auto result = [&]() -> Result<std::string> {
    std::string cfg_path = store->blobs().NewTmpPath("pull.cfg");
    temps.push_back(cfg_path);
    LL_RETURN_IF_ERROR(client.FetchBlob(config_digest, cfg_path));
    std::ifstream in(cfg_path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string config = ss.str();
    LL_ASSIGN_OR_RETURN(ImageConfig cfg, ParseConfig(config, "config " + ShortId(config_digest)));
    const auto& mlayers = manifest["layers"];
    if (!mlayers.is_array() || mlayers.size() != cfg.diff_ids.size()) {
      return Status::Corrupt(fmt::format("the manifest names {} layer(s), the config {}",
                                         mlayers.is_array() ? mlayers.size() : 0,
                                         cfg.diff_ids.size()));
    }
    std::vector<NewLayer> layers;
    for (size_t i = 0; i < mlayers.size(); ++i) {
      std::string d = mlayers[i].value("digest", "");
      if (!IsValidDigest(d)) return Status::Corrupt("manifest: bad layer digest");
      std::string short_id = DigestHex(d).substr(0, 12);
      if (store->blobs().Exists(cfg.diff_ids[i])) {
        LL_ASSIGN_OR_RETURN(NewLayer l,
                            IngestLayer(store, store->blobs().PathOf(cfg.diff_ids[i]), short_id,
                                        "", cfg.diff_ids[i], &added));
        layers.push_back(l);
        say(short_id + ": Already exists");
        continue;
      }
      std::string tmp = store->blobs().NewTmpPath("pull.layer");
      temps.push_back(tmp);
      RegistryClient::Progress bar;
      if (options.bytes) {
        bar = [&](int64_t done, int64_t total) {
          options.bytes(short_id, "Downloading", done, total);
        };
      }
      LL_RETURN_IF_ERROR(client.FetchBlob(d, tmp, bar));
      LL_ASSIGN_OR_RETURN(NewLayer l, IngestLayer(store, tmp, short_id, d, cfg.diff_ids[i], &added));
      layers.push_back(l);
      say(short_id + ": Pull complete");
    }
    bool had = store->blobs().Exists(config_digest);
    LL_ASSIGN_OR_RETURN(std::string stored_cfg, store->blobs().Put(config));
    if (!had) added.insert(stored_cfg);
    std::vector<ManifestLayer> mls;
    for (const auto& l : layers) mls.push_back({l.diff_id, l.tar_size});
    std::string own = ManifestToJson(stored_cfg, static_cast<int64_t>(config.size()), mls);
    LL_ASSIGN_OR_RETURN(std::string own_digest, store->blobs().Put(own));
    auto existing = store->GetImage(stored_cfg);
    bool up_to_date = existing && *existing && ref.tagged();
    if (up_to_date) {
      auto at = store->LookupTag(ref.String());
      up_to_date = at && *at && **at == stored_cfg;
    }
    NewImage ni;
    ni.config_digest = stored_cfg;
    ni.manifest_digest = own_digest;
    auto created = ParseRfc3339(cfg.created);
    ni.created = created ? *created : 0;
    ni.layers = layers;
    if (ref.tagged()) ni.tags.push_back(ref);
    LL_ASSIGN_OR_RETURN(ImageRecord img, store->CommitImage(ni));
    added.clear();
    LL_RETURN_IF_ERROR(store->AddRepoDigest(ref.Name(), manifest_digest, img.id));
    say("Digest: " + manifest_digest);
    say(fmt::format("Status: {} for {}", up_to_date ? "Image is up to date" : "Downloaded newer image",
                    ref.FamiliarString()));
    say(ref.String());
    return img.id;
  }();
  for (const auto& t : temps) unlink(t.c_str());
  if (!result) {
    for (const auto& d : added) (void)store->blobs().Remove(d);
  }
  return result;
}

}  // namespace layerlab
