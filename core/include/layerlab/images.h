// Image operations with Docker's semantics on top of the Store: name resolution, tag, rmi,
// prune, import, history, inspect, and the busybox base image every fresh store holds.
// Not thread-safe (one Images per Store per thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "layerlab/image_config.h"
#include "layerlab/store.h"

namespace layerlab {

// One line of rmi/prune output: "Untagged: busybox:latest" or "Deleted: sha256:...".
struct RemoveRecord {
  enum class Kind { kUntagged, kDeleted };
  Kind kind;
  std::string what;
};

struct PruneReport {
  std::vector<RemoveRecord> records;
  int64_t reclaimed = 0;  // bytes of layers actually freed
};

struct HistoryRow {
  std::string image_id;  // "" = <missing>
  int64_t created = 0;
  std::string created_by;
  int64_t size = 0;
  std::string comment;
  bool empty_layer = false;
};

struct BaseImageOptions {
  std::string busybox_path = "/bin/busybox";  // a static busybox on the host
};

class Images {
 public:
  explicit Images(Store* store) : store_(store) {}

  // Creates busybox:latest the first time a store is opened (never again, even after rmi).
  Status EnsureBaseImage(const BaseImageOptions& options = {});
  // Builds the base image and commits it with the given tags (used by EnsureBaseImage).
  Result<ImageRecord> CreateBaseImage(const BaseImageOptions& options,
                                      const std::vector<Reference>& tags,
                                      const std::string& meta_key = {});

  // Resolves a user's name for an image: a reference ("busybox", "x/y:tag"), a full id
  // ("sha256:<hex>" or 64 hex), or a unique prefix of an id. NotFound: "No such image: NAME".
  Result<std::string> Resolve(const std::string& name);
  Result<ImageRecord> Get(const std::string& name);
  Result<ImageConfig> ConfigOf(const std::string& image_id);
  Result<std::string> RawConfigOf(const std::string& image_id);

  // `tag SRC DST`.
  Status Tag(const std::string& source, const std::string& target);
  // `rmi [-f] NAME` with Docker's rules (see images.cc).
  Result<std::vector<RemoveRecord>> Remove(const std::string& name, bool force);
  // `image prune [-a]`: dangling images, or with all every image no container uses.
  Result<PruneReport> Prune(bool all);
  // `import FILE [REF]`: a rootfs tarball (plain, gzip, xz, bzip2, zstd) becomes a one-layer
  // image. The tar is re-written entry by entry, refusing unsafe paths. Returns the image id.
  Result<std::string> Import(const std::string& path, const std::string& ref,
                             const std::string& message);
  Result<std::vector<HistoryRow>> History(const std::string& name);
  // `image inspect`: a JSON array like Docker's.
  Result<std::string> InspectJson(const std::vector<std::string>& names);

  // Whether an image is dangling: no tag and no child image.
  Result<bool> IsDangling(const ImageRecord& image);

  // Writes config + manifest blobs for `config` and the given layers, then commits the image.
  Result<ImageRecord> CommitConfig(const ImageConfig& config, const std::vector<NewLayer>& layers,
                                   const std::vector<Reference>& tags, const std::string& parent,
                                   const std::string& meta_key = {});

 private:
  Status DeleteTree(const std::string& id, bool force, bool quiet,
                    std::vector<RemoveRecord>* records, bool allow_tagged = false);
  Store* store_;
};

// Normalises a user-given name to a tagged reference (":latest" added), with Docker's messages.
Result<Reference> ParseTaggedName(const std::string& name);

}  // namespace layerlab
