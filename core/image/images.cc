// Image operations with Docker's semantics: resolve, tag, rmi (untag first, then delete with
// Docker's conflict rules), prune, history, inspect.
#include "layerlab/images.h"

#include <algorithm>
#include <ctime>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace layerlab {

namespace {

bool IsHex(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

// moby's isImageIDPrefix: the user named the image by (a prefix of) its id.
bool IsImageIdPrefix(const std::string& id, const std::string& name) {
  if (id.rfind(name, 0) == 0) return true;
  return DigestHex(id).rfind(name, 0) == 0;
}

std::string NoSuchImage(const std::string& name) {
  auto parsed = ParseNormalizedTagged(name);
  if (parsed.ref && !IsHex(name)) return "No such image: " + parsed.ref->FamiliarString();
  return "No such image: " + name;
}

}  // namespace

Result<Reference> ParseTaggedName(const std::string& name) {
  auto parsed = ParseNormalizedTagged(name);
  if (!parsed.ref) return Status::InvalidArgument(parsed.message);
  return *parsed.ref;
}

Result<std::string> Images::Resolve(const std::string& name) {
  if (name.rfind(kSha256Prefix, 0) == 0 && IsValidDigest(name)) {
    LL_ASSIGN_OR_RETURN(auto img, store_->GetImage(name));
    if (img) return img->id;
    return Status::NotFound("No such image: " + name);
  }
  auto parsed = ParseNormalizedTagged(name);
  if (parsed.ref && !parsed.ref->digested()) {
    LL_ASSIGN_OR_RETURN(auto id, store_->LookupTag(parsed.ref->String()));
    if (id) return *id;
  }
  if (parsed.ref && parsed.ref->digested()) {  // NAME@sha256:... known from a push or pull
    LL_ASSIGN_OR_RETURN(auto id, store_->LookupRepoDigest(parsed.ref->Name(), parsed.ref->digest));
    if (id) return *id;
  }
  std::string hex = name.rfind(kSha256Prefix, 0) == 0 ? name.substr(kSha256Prefix.size()) : name;
  if (IsHex(hex)) {
    LL_ASSIGN_OR_RETURN(auto ids, store_->FindImagesByPrefix(hex));
    if (ids.size() == 1) return ids[0];
    if (ids.size() > 1) {
      return Status::InvalidArgument(
          fmt::format("short ID `{}` is ambiguous: {} images match; give more digits", hex,
                      ids.size()));
    }
  }
  if (!parsed.ref && !(IsFullHexId(name) || IsHex(hex))) {
    return Status::InvalidArgument(parsed.message);
  }
  return Status::NotFound(NoSuchImage(name));
}

Result<ImageRecord> Images::Get(const std::string& name) {
  LL_ASSIGN_OR_RETURN(std::string id, Resolve(name));
  LL_ASSIGN_OR_RETURN(auto img, store_->GetImage(id));
  if (!img) return Status::NotFound(NoSuchImage(name));
  return *img;
}

Result<std::string> Images::RawConfigOf(const std::string& image_id) {
  return store_->blobs().Get(image_id);
}

Result<ImageConfig> Images::ConfigOf(const std::string& image_id) {
  LL_ASSIGN_OR_RETURN(std::string raw, RawConfigOf(image_id));
  return ParseConfig(raw, fmt::format("config of image {}", ShortId(image_id)));
}

Status Images::Tag(const std::string& source, const std::string& target) {
  LL_ASSIGN_OR_RETURN(std::string id, Resolve(source));
  auto parsed = ParseNormalizedTagged(target);
  if (!parsed.ref) {
    return Status::InvalidArgument(fmt::format(
        "Error parsing reference: \"{}\" is not a valid repository/tag: {}", target,
        parsed.message));
  }
  if (parsed.ref->digested()) {
    return Status::InvalidArgument("refusing to create a tag with a digest reference");
  }
  return store_->AddTag(id, *parsed.ref);
}

Result<bool> Images::IsDangling(const ImageRecord& image) {
  if (!image.tags.empty()) return false;
  LL_ASSIGN_OR_RETURN(auto children, store_->Children(image.id));
  return children.empty();
}

Status Images::DeleteTree(const std::string& id, bool force, bool quiet,
                          std::vector<RemoveRecord>* records, bool allow_tagged) {
  LL_ASSIGN_OR_RETURN(auto maybe, store_->GetImage(id));
  if (!maybe) return Status::NotFound("No such image: " + id);
  ImageRecord img = std::move(*maybe);
  std::string sid = ShortId(id);
  LL_ASSIGN_OR_RETURN(auto children, store_->Children(id));
  LL_ASSIGN_OR_RETURN(auto users, store_->ContainersUsing(id));
  auto conflict = [&](bool hard, const std::string& why) -> Status {
    if (quiet) return Status::Ok();
    return Status::Conflict(fmt::format("conflict: unable to delete {} ({}) - {}", sid,
                                        hard ? "cannot be forced" : "must be forced", why));
  };
  if (!children.empty()) return conflict(true, "image has dependent child images");
  for (const auto& c : users) {
    if (c.state == "running") {
      return conflict(true, fmt::format("image is being used by running container {}",
                                        c.id.substr(0, 12)));
    }
  }
  if (!force && !allow_tagged && !img.tags.empty()) {
    return conflict(false, "image is referenced in multiple repositories");
  }
  if (!force && !users.empty()) {
    return conflict(false, fmt::format("image is being used by stopped container {}",
                                       users[0].id.substr(0, 12)));
  }
  if (quiet && (!img.tags.empty() || !users.empty())) return Status::Ok();
  for (const auto& t : img.tags) {
    LL_RETURN_IF_ERROR(store_->RemoveTag(t.name));
    auto parsed = ParseNormalizedNamed(t.name);
    records->push_back({RemoveRecord::Kind::kUntagged,
                        parsed.ref ? parsed.ref->FamiliarString() : t.name});
  }
  // Unlike Docker, a forced rmi never deletes an image a container still runs on: the container's
  // layers would go with it. The image stays, untagged, until the container is removed.
  if (!users.empty()) return Status::Ok();
  // Its registry digests go with it; Docker says so: "Untagged: repo@sha256:...".
  for (const auto& [repo, digest] : img.repo_digests) {
    auto parsed = ParseNormalizedNamed(repo);
    records->push_back({RemoveRecord::Kind::kUntagged,
                        (parsed.ref ? parsed.ref->FamiliarName() : repo) + "@" + digest});
  }
  LL_ASSIGN_OR_RETURN(DeleteReport rep, store_->DeleteImage(id));
  records->push_back({RemoveRecord::Kind::kDeleted, id});
  for (const auto& chain : rep.deleted_layers) {
    records->push_back({RemoveRecord::Kind::kDeleted, chain});
  }
  // Like Docker, an untagged parent that nothing else needs goes too.
  if (!img.parent.empty()) {
    LL_ASSIGN_OR_RETURN(auto parent, store_->GetImage(img.parent));
    if (parent) {
      LL_ASSIGN_OR_RETURN(bool dangling, IsDangling(*parent));
      if (dangling) LL_RETURN_IF_ERROR(DeleteTree(parent->id, false, true, records));
    }
  }
  return Status::Ok();
}

Result<std::vector<RemoveRecord>> Images::Remove(const std::string& name, bool force) {
  LL_ASSIGN_OR_RETURN(std::string id, Resolve(name));
  LL_ASSIGN_OR_RETURN(ImageRecord img, Get(id));
  std::vector<RemoveRecord> records;
  if (!IsImageIdPrefix(id, name)) {
    // A reference was given: remove that name first. Refuse to leave a container's image
    // nameless unless forced.
    LL_ASSIGN_OR_RETURN(Reference ref, ParseTaggedName(name));
    LL_ASSIGN_OR_RETURN(auto users, store_->ContainersUsing(id));
    if (!force && img.tags.size() == 1 && !users.empty()) {
      return Status::Conflict(fmt::format(
          "conflict: unable to remove repository reference \"{}\" (must force) - container {} "
          "is using its referenced image {}",
          name, users[0].id.substr(0, 12), ShortId(id)));
    }
    LL_RETURN_IF_ERROR(store_->RemoveTag(ref.String()));
    records.push_back({RemoveRecord::Kind::kUntagged, ref.FamiliarString()});
    if (img.tags.size() > 1) return records;  // other names keep the image
    // Like Docker, quietly: an image that child images still build on stays, nameless.
    LL_RETURN_IF_ERROR(DeleteTree(id, force, /*quiet=*/true, &records));
    return records;
  }
  // An id was given: with a single tag, that tag goes with it.
  if (img.tags.size() == 1) {
    LL_RETURN_IF_ERROR(DeleteTree(id, force, false, &records, /*allow_tagged=*/true));
    return records;
  }
  LL_RETURN_IF_ERROR(DeleteTree(id, force, false, &records));
  return records;
}

Result<PruneReport> Images::Prune(bool all) {
  PruneReport report;
  for (bool changed = true; changed;) {
    changed = false;
    LL_ASSIGN_OR_RETURN(auto images, store_->ListImages());
    for (const auto& img : images) {
      LL_ASSIGN_OR_RETURN(auto users, store_->ContainersUsing(img.id));
      if (!users.empty()) continue;
      LL_ASSIGN_OR_RETURN(auto children, store_->Children(img.id));
      if (!children.empty()) continue;
      if (!all && !img.tags.empty()) continue;
      std::vector<RemoveRecord> recs;
      LL_RETURN_IF_ERROR(DeleteTree(img.id, true, false, &recs));
      for (const auto& r : recs) {
        if (r.kind == RemoveRecord::Kind::kDeleted) {
          for (const auto& l : img.layers) {
            if (l.chain_id == r.what) report.reclaimed += l.size;
          }
        }
      }
      report.records.insert(report.records.end(), recs.begin(), recs.end());
      changed = true;
      break;  // the list changed; read it again
    }
  }
  return report;
}

Result<std::vector<HistoryRow>> Images::History(const std::string& name) {
  LL_ASSIGN_OR_RETURN(ImageRecord img, Get(name));
  LL_ASSIGN_OR_RETURN(ImageConfig cfg, ConfigOf(img.id));
  // Which history row is the top of which locally known ancestor (Docker shows those ids).
  std::map<size_t, std::string> owners;
  std::string cur = img.id;
  for (int guard = 0; !cur.empty() && guard < 1000; ++guard) {
    LL_ASSIGN_OR_RETURN(auto rec, store_->GetImage(cur));
    if (!rec) break;
    auto c = ConfigOf(cur);
    if (c && !c->history.empty()) owners.emplace(c->history.size() - 1, cur);
    cur = rec->parent;
  }
  std::vector<HistoryRow> rows;
  size_t layer = 0;
  for (size_t i = 0; i < cfg.history.size(); ++i) {
    const HistoryEntry& h = cfg.history[i];
    HistoryRow row;
    auto created = ParseRfc3339(h.created);
    row.created = created ? *created : 0;
    row.created_by = h.created_by;
    row.comment = h.comment;
    row.empty_layer = h.empty_layer;
    if (!h.empty_layer && layer < img.layers.size()) row.size = img.layers[layer++].size;
    if (auto it = owners.find(i); it != owners.end()) row.image_id = it->second;
    rows.push_back(std::move(row));
  }
  std::reverse(rows.begin(), rows.end());
  return rows;
}

Result<std::string> Images::InspectJson(const std::vector<std::string>& names) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& name : names) {
    LL_ASSIGN_OR_RETURN(ImageRecord img, Get(name));
    LL_ASSIGN_OR_RETURN(std::string raw, RawConfigOf(img.id));
    auto cfg = nlohmann::ordered_json::parse(raw, nullptr, false);
    nlohmann::ordered_json j;
    j["Id"] = img.id;
    j["RepoTags"] = nlohmann::ordered_json::array();
    int64_t last_tag = 0;
    for (const auto& t : img.tags) {
      auto p = ParseNormalizedNamed(t.name);
      j["RepoTags"].push_back(p.ref ? p.ref->FamiliarString() : t.name);
      last_tag = std::max(last_tag, t.tagged);
    }
    j["RepoDigests"] = nlohmann::ordered_json::array();
    for (const auto& [repo, digest] : img.repo_digests) {
      auto p = ParseNormalizedNamed(repo);
      j["RepoDigests"].push_back((p.ref ? p.ref->FamiliarName() : repo) + "@" + digest);
    }
    j["Parent"] = img.parent;
    j["Comment"] = "";
    if (cfg.contains("history") && cfg["history"].is_array() && !cfg["history"].empty()) {
      const auto& top = cfg["history"].back();
      if (top.contains("comment")) j["Comment"] = top["comment"];
    }
    j["Created"] = cfg.value("created", "");
    j["DockerVersion"] = "";
    j["Author"] = cfg.value("author", "");
    j["Config"] = cfg.contains("config") ? cfg["config"] : nlohmann::ordered_json::object();
    j["Architecture"] = cfg.value("architecture", "");
    j["Os"] = cfg.value("os", "");
    j["Size"] = img.size;
    j["GraphDriver"] = {{"Data", {{"Root", store_->root()}}}, {"Name", "layerlab"}};
    nlohmann::ordered_json layers = nlohmann::ordered_json::array();
    for (const auto& l : img.layers) layers.push_back(l.diff_id);
    j["RootFS"] = {{"Type", "layers"}, {"Layers", layers}};
    j["Metadata"] = {{"LastTagTime", last_tag ? FormatRfc3339(last_tag) : "0001-01-01T00:00:00Z"}};
    out.push_back(j);
  }
  return out.dump(4);
}

Result<ImageRecord> Images::CommitConfig(const ImageConfig& config,
                                         const std::vector<NewLayer>& layers,
                                         const std::vector<Reference>& tags,
                                         const std::string& parent, const std::string& meta_key) {
  std::string config_json = ConfigToJson(config);
  LL_ASSIGN_OR_RETURN(std::string config_digest, store_->blobs().Put(config_json));
  std::vector<ManifestLayer> mls;
  for (const auto& l : layers) mls.push_back({l.diff_id, l.tar_size});
  std::string manifest =
      ManifestToJson(config_digest, static_cast<int64_t>(config_json.size()), mls);
  LL_ASSIGN_OR_RETURN(std::string manifest_digest, store_->blobs().Put(manifest));
  NewImage ni;
  ni.config_digest = config_digest;
  ni.manifest_digest = manifest_digest;
  ni.parent = parent;
  auto created = ParseRfc3339(config.created);
  ni.created = created ? *created : 0;
  ni.layers = layers;
  ni.tags = tags;
  ni.meta_key = meta_key;
  return store_->CommitImage(ni);
}

}  // namespace layerlab
