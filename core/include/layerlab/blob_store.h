// The content-addressed blob store: ROOT/blobs/sha256/<hex>. Blobs are written to ROOT/tmp,
// fsynced and renamed into place, so a blob under its final name is always whole; reads verify
// the digest. Thread-compatible; several processes may share one store.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "layerlab/digest.h"
#include "layerlab/status.h"
#include "layerlab/trace.h"

namespace layerlab {

// Streams bytes into a staging file in ROOT/tmp while hashing them. Commit() fsyncs and renames
// it to blobs/sha256/<digest>; destroying an uncommitted writer removes the staging file.
class BlobWriter {
 public:
  ~BlobWriter();
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;
  Status Write(const void* data, size_t n);
  Status Write(std::string_view s) { return Write(s.data(), s.size()); }
  int64_t size() const { return size_; }
  // The digest of what was written so far; ends writing.
  std::string Finish();
  // Fsyncs, renames into place (or drops the copy if the blob already exists) and returns the
  // digest. When `expected` is given and differs, nothing is stored and Corrupt is returned.
  Result<std::string> Commit(std::string_view expected = {});

 private:
  friend class BlobStore;
  BlobWriter(class BlobStore* store, int fd, std::string tmp_path);
  class BlobStore* store_;
  int fd_;
  std::string tmp_path_;
  Sha256 hash_;
  std::string digest_;
  int64_t size_ = 0;
  bool done_ = false;
};

class BlobStore {
 public:
  // root: the store root; blobs live in root/blobs/sha256, staging in root/tmp.
  BlobStore(std::string root, Tracer tracer);

  Status Init();  // creates the folders
  Result<std::unique_ptr<BlobWriter>> NewWriter();
  // Stores a whole buffer; returns its digest.
  Result<std::string> Put(std::string_view data);
  // Reads a blob and verifies its digest: NotFound, or Corrupt when the content does not match.
  Result<std::string> Get(const std::string& digest) const;
  // Hashes the stored file and compares (for blobs too big to read whole).
  Status Verify(const std::string& digest) const;
  bool Exists(const std::string& digest) const;
  Result<int64_t> Size(const std::string& digest) const;
  Status Remove(const std::string& digest);
  // Every digest present on disk, sorted.
  Result<std::vector<std::string>> List() const;
  std::string PathOf(const std::string& digest) const;
  const std::string& tmp_dir() const { return tmp_dir_; }
  // A fresh staging path in tmp/ whose name carries this process's pid, so `system check` can
  // tell a live writer's file from a dead one's.
  std::string NewTmpPath(std::string_view suffix) const;

 private:
  friend class BlobWriter;
  std::string root_;
  std::string blob_dir_;
  std::string tmp_dir_;
  Tracer tracer_;
};

// Writes a file durably: tmp file in `tmp_dir`, fsync, rename over `path`, fsync the directory.
Status WriteFileAtomic(const std::string& tmp_dir, const std::string& path, std::string_view data);
// A whole file's bytes. Io (with errno) when it cannot be opened or read.
Result<std::string> ReadFileToString(const std::string& path);

// fsync a directory so a rename in it is durable.
Status SyncDir(const std::string& dir);
// mkdir -p.
Status MakeDirs(const std::string& path);

}  // namespace layerlab
