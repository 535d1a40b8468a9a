// Layers as directories: unpacking a layer tar safely, finding paths through a stack of unpacked
// layers, detecting what a writable layer changed (`docker diff`), and turning those changes back
// into a layer tar. All paths given here are host paths of directories we own; entry paths are
// relative to a layer's root. Thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "layerlab/blob_store.h"
#include "layerlab/layer_tar.h"
#include "layerlab/status.h"
#include "layerlab/trace.h"

namespace layerlab {

enum class WhiteoutMode {
  kOverlay,  // whiteouts become char 0/0 devices, opaque dirs get user.overlay.opaque
  kApply,    // whiteouts delete what they name in the destination (flattening, `copy` driver)
};

struct UnpackOptions {
  WhiteoutMode mode = WhiteoutMode::kOverlay;
  bool allow_devices = false;  // char/block device entries (other than whiteouts)
  bool set_owners = true;      // chown entries (EPERM is ignored when not root)
};

struct UnpackStats {
  int entries = 0;
  int whiteouts = 0;
  int opaque_dirs = 0;
};

// Unpacks the tar at `tar_path` into the existing directory `dest`. Refuses, naming the entry,
// anything that would write outside `dest`: absolute paths, `..`, writing through a symlink,
// hard links to outside; and device nodes unless allowed. On failure `dest` may hold part of the
// layer: callers unpack into a staging directory and rename it into place only on success.
Result<UnpackStats> UnpackLayer(const std::string& tar_path, const std::string& dest,
                                const UnpackOptions& options);

// Where a path is visible in a stack of unpacked layers (overlay form), honouring whiteouts,
// opaque dirs and files that replace directories. `lowers` are top first.
struct LowerHit {
  size_t layer = 0;  // index into lowers (0 = top)
  uint32_t mode = 0;  // st_mode
  int64_t size = 0;
};
std::optional<LowerHit> FindInLowers(const std::vector<std::string>& lowers,
                                     const std::string& path);
// The visible names in directory `path` of the stack (sorted).
std::vector<std::string> ListMerged(const std::vector<std::string>& lowers,
                                    const std::string& path);

enum class ChangeKind { kAdded, kChanged, kDeleted };
struct Change {
  std::string path;  // relative, no leading "/"
  ChangeKind kind;
  bool opaque = false;        // a directory whose lower contents are hidden
  bool under_opaque = false;  // a deletion implied by an opaque parent (no whiteout of its own)
};
// docker diff's letter: A, C or D.
char ChangeLetter(ChangeKind kind);

// What an overlay upper dir changed relative to its lowers (top first), sorted by path. Parent
// directories that exist below show as changed, as in `docker diff`.
Result<std::vector<Change>> DetectOverlayChanges(const std::string& upper,
                                                 const std::vector<std::string>& lowers);
// What a full copy (`copy` driver) changed relative to the stack it was copied from.
Result<std::vector<Change>> DetectCopyChanges(const std::string& rootfs,
                                              const std::vector<std::string>& lowers);

// A copy-up seen after the fact: a file in the upper dir that also exists below.
struct CopyUp {
  std::string path;
  int64_t bytes = 0;   // the size of the lower file that was copied
  size_t layer = 0;    // index into lowers (0 = top)
};
// Copy-ups among the given changes (files that changed and exist in a lower layer).
std::vector<CopyUp> FindCopyUps(const std::vector<Change>& changes,
                                const std::vector<std::string>& lowers);

// Writes the changes (content read from `dir`, the upper or the full copy) as a layer tar in the
// OCI whiteout format: `.wh.NAME` for deletions, `.wh..wh..opq` in opaque dirs. Deterministic.
Result<WrittenLayer> WriteChangesLayer(BlobStore& blobs, const std::string& dir,
                                       const std::vector<Change>& changes);

// The whole tree below `dir` as a tar file (`export`).
Result<WrittenLayer> WriteTreeTar(const std::string& dir, const std::string& out_path);

// Docker's size of a directory tree: regular file bytes (hard links once) + symlink targets;
// whiteouts and directories count 0.
Result<int64_t> TreeSize(const std::string& dir);

// Removes a directory tree (no error if missing).
Status RemoveTree(const std::string& path);

// Cleans a tar entry path: drops "./" and empty components; refuses absolute paths and "..".
Result<std::string> CleanEntryPath(const std::string& raw);

}  // namespace layerlab
