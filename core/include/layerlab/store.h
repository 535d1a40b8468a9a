// The store: one folder holding a SQLite database (images, layers, tags, containers) and a
// content-addressed blob store. Every change is files first (staged, fsynced, renamed), then one
// SQLite transaction, so a crash or kill -9 leaves the old state or the new one; files left by an
// interrupted write are orphans that Check() finds and Check(repair) removes.
// A Store is used from one thread; several processes may open the same root at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "layerlab/blob_store.h"
#include "layerlab/reference.h"
#include "layerlab/status.h"
#include "layerlab/trace.h"

namespace layerlab {

namespace store {
class Database;
}

struct LayerRecord {
  std::string chain_id;
  std::string diff_id;  // sha256 of the uncompressed layer tar; also its blob's digest
  std::string parent;   // parent chain id, "" for a base layer
  int64_t size = 0;     // Docker's size: regular file bytes (hard links once) + symlink targets
  int64_t tar_size = 0;
};

struct TagRecord {
  std::string name;        // full normalised "docker.io/library/busybox:latest"
  std::string repository;  // familiar repository "busybox"
  std::string tag;         // "latest"
  std::string image_id;
  int64_t tagged = 0;      // unix seconds
};

struct ImageRecord {
  std::string id;  // "sha256:<hex>" of the config blob
  std::string manifest_digest;
  std::string parent;  // the image this one was built on, "" if none is recorded
  int64_t created = 0;  // unix seconds, from the config
  int64_t size = 0;     // sum of the layers' sizes
  int64_t added = 0;    // when it entered this store
  std::vector<LayerRecord> layers;  // bottom first
  std::vector<TagRecord> tags;
  // Registry manifest digests this image is known by: {repository name, "sha256:..."}.
  std::vector<std::pair<std::string, std::string>> repo_digests;
};

// A layer whose tar is already committed to the blob store under its diff id.
struct NewLayer {
  std::string diff_id;
  int64_t size = 0;
  int64_t tar_size = 0;
};

struct NewImage {
  std::string config_digest;    // committed blob
  std::string manifest_digest;  // committed blob
  std::string parent;
  int64_t created = 0;
  std::vector<NewLayer> layers;
  std::vector<Reference> tags;  // normalised, tagged references to point at the image
  std::string meta_key;         // when set, meta[meta_key] = "1" in the same transaction
};

struct ContainerRef {
  std::string id;
  std::string name;
  std::string state;  // created, running, exited
};

// A container row; `config` is JSON owned by the container code (command, driver, image name).
struct ContainerRow {
  std::string id;  // 64 hex
  std::string name;
  std::string image_id;
  int64_t created = 0;
  std::string state;  // created, running, exited
  std::string config;
};

struct DeleteReport {
  std::vector<std::string> deleted_layers;  // chain ids, top first
  std::vector<std::string> kept_layers;
};

struct CheckReport {
  int blobs_checked = 0;
  std::vector<std::string> corrupt;   // messages
  std::vector<std::string> missing;   // messages: a row whose file is gone
  std::vector<std::string> orphans;   // paths no row refers to
  std::vector<std::string> removed;   // paths removed by repair
  bool clean() const { return corrupt.empty() && missing.empty() && orphans.empty(); }
};

// One build cache entry: building `instruction` on `parent_id` gave `image_id`.
struct BuildCacheRow {
  std::string parent_id;    // "" for a first step on scratch
  std::string key;          // sha256 over instruction, sources and args
  std::string instruction;  // after expansion, as the history shows it
  std::string sources;      // JSON {path: digest} of the COPY/ADD sources ("{}" otherwise)
  std::string args;         // JSON {name: value} of the build args in scope
  std::string image_id;
  int64_t created = 0;
};

class Store {
 public:
  // Opens or creates the store at `root`, migrating its schema. Takes a shared lock on ROOT/lock
  // for the Store's lifetime (Check with repair takes it exclusively).
  static Result<std::unique_ptr<Store>> Open(const std::string& root, Tracer tracer);
  ~Store();

  const std::string& root() const { return root_; }
  BlobStore& blobs() { return blobs_; }
  const Tracer& tracer() const { return tracer_; }

  // Adds the image, its layers (shared with other images when the chain id is already stored)
  // and its tags, in one transaction. Tags already naming another image move to this one.
  Result<ImageRecord> CommitImage(const NewImage& image);

  Result<std::vector<ImageRecord>> ListImages();
  Result<std::optional<ImageRecord>> GetImage(const std::string& id);
  // Image ids starting with `hex_prefix` (no "sha256:").
  Result<std::vector<std::string>> FindImagesByPrefix(const std::string& hex_prefix);
  // The image a full tag name points to.
  Result<std::optional<std::string>> LookupTag(const std::string& full_name);
  // Points `ref` (normalised and tagged) at the image; emits tag_added or tag_moved.
  Status AddTag(const std::string& image_id, const Reference& ref);
  Status RemoveTag(const std::string& full_name);
  // Images whose recorded parent is `id`.
  Result<std::vector<std::string>> Children(const std::string& id);
  Result<std::vector<ContainerRef>> ContainersUsing(const std::string& image_id);
  // Removes an image that has no tags, no children and no containers; frees the layers that no
  // other image uses. Rows go first (one transaction), then files.
  Result<DeleteReport> DeleteImage(const std::string& id);

  Result<std::optional<std::string>> GetMeta(const std::string& key);

  // Unpacked layers: ROOT/layers/<hex of chain id>/diff, made on first use (staged in tmp/,
  // renamed into place). Returns the diff directory.
  std::string LayerDir(const std::string& chain_id) const;
  Result<std::string> EnsureUnpacked(const LayerRecord& layer);
  // ROOT/containers/<id>.
  std::string ContainerDir(const std::string& id) const;
  // Takes `dir` away at once (renamed to tmp/<pid>.<n>.trash) and deletes it in a detached
  // process, which holds an flock on it meanwhile (`system check` leaves it alone). Deleting
  // costs about 0.1 ms per file or folder on ext4, seconds for a copy driver's full copy, and
  // nothing needs to wait for it (containerd's snapshotters remove asynchronously too). Deletes
  // in place if the background process cannot be started.
  Status RemoveInBackground(const std::string& dir);

  // Containers. Insert after the container's files are in place; delete before removing them.
  Status InsertContainer(const ContainerRow& row);
  Result<std::vector<ContainerRow>> ListContainers();
  Result<bool> ContainerNameTaken(const std::string& name);
  // The container whose id or name is exactly `key`.
  Result<std::optional<ContainerRow>> FindContainer(const std::string& key);
  Status DeleteContainer(const std::string& id);
  Status UpdateContainer(const std::string& id, const std::string& state,
                         const std::string& config);

  // `repository@digest` names an image had in a registry (push, pull); kept until the image goes.
  Status AddRepoDigest(const std::string& repository, const std::string& digest,
                       const std::string& image_id);
  Result<std::optional<std::string>> LookupRepoDigest(const std::string& repository,
                                                      const std::string& digest);

  // The build cache. Rows go when their image goes.
  Result<std::optional<BuildCacheRow>> FindBuildCache(const std::string& parent_id,
                                                      const std::string& key);
  Result<std::vector<BuildCacheRow>> BuildCacheOf(const std::string& parent_id);
  Status PutBuildCache(const BuildCacheRow& row);
  // Images a build finished with, versus its intermediate steps.
  Status MarkBuilt(const std::string& image_id);
  Result<bool> IsIntermediate(const std::string& image_id);

  // Verifies every blob's digest and that every row has its files; lists orphan files (blobs no
  // row refers to, staging files of dead processes). With repair, removes the orphans.
  Result<CheckReport> Check(bool repair);

 private:
  Store(std::string root, Tracer tracer);
  Result<std::vector<LayerRecord>> LayersOf(const std::string& image_id);
  Result<std::vector<TagRecord>> TagsOf(const std::string& image_id);
  Result<ImageRecord> ReadImageRow(const std::string& id);

  std::string root_;
  Tracer tracer_;
  BlobStore blobs_;
  std::unique_ptr<store::Database> db_;
  int lock_fd_ = -1;
};

// Default store root: $LAYERLAB_ROOT, else $XDG_DATA_HOME/layerlab, else ~/.local/share/layerlab.
std::string DefaultStoreRoot();

}  // namespace layerlab
