// Writes a layer tar (uncompressed, PAX) into the blob store, deterministically: entries are
// sorted by path before writing, and owners, modes and mtimes are taken only from the entries.
// Computes the diff id (sha256 of the tar) and Docker's layer size as it goes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "layerlab/blob_store.h"
#include "layerlab/status.h"

namespace layerlab {

struct TarEntry {
  enum class Type { kDir, kFile, kSymlink, kHardlink, kFifo, kCharDevice, kBlockDevice };
  Type type = Type::kFile;
  std::string path;     // relative, no leading "/", e.g. "bin/busybox"
  uint32_t mode = 0644; // permission bits
  uint32_t uid = 0, gid = 0;
  int64_t mtime = 0;
  std::string content;      // kFile: the bytes, unless source_path is set
  std::string source_path;  // kFile: a host file to stream instead of `content`
  std::string link;         // kSymlink: target; kHardlink: the path of the linked entry
  uint32_t dev_major = 0, dev_minor = 0;      // devices
  std::map<std::string, std::string> xattrs;  // e.g. security.capability
};

struct WrittenLayer {
  std::string diff_id;
  int64_t size = 0;      // regular file bytes (hard links once) + symlink target lengths
  int64_t tar_size = 0;
};

// Writes `entries` (sorted by path here) as a tar blob and commits it to `blobs`.
Result<WrittenLayer> WriteLayerTar(BlobStore& blobs, std::vector<TarEntry> entries);
// The same tar, written to a file (created or truncated) instead; diff_id is its sha256.
Result<WrittenLayer> WriteTarFile(const std::string& path, std::vector<TarEntry> entries);

}  // namespace layerlab
