// See ingest.h.
#include "transfer/ingest.h"

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "layerlab/layer_fs.h"

namespace layerlab {

// Reads a (possibly compressed) layer, stores it uncompressed and returns it with Docker's size.
Result<NewLayer> IngestLayer(Store* store, const std::string& path, const std::string& shown,
                             const std::string& blob_digest, const std::string& diff_id,
                             std::set<std::string>* added) {
  if (access(path.c_str(), R_OK) != 0) {
    return Status::NotFound(fmt::format("layer {}: not in the archive", shown));
  }
  if (!blob_digest.empty()) {
    LL_ASSIGN_OR_RETURN(std::string got, Sha256File(path));
    if (got != blob_digest) {
      return Status::Corrupt(fmt::format("layer {}: content is {}, not {} as named", shown, got,
                                         blob_digest));
    }
  }
  bool existed = store->blobs().Exists(diff_id);
  std::unique_ptr<struct archive, int (*)(struct archive*)> a(archive_read_new(),
                                                             archive_read_free);
  archive_read_support_filter_all(a.get());
  archive_read_support_format_raw(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return Status::Corrupt(fmt::format("layer {}: {}", shown, archive_error_string(a.get())));
  }
  struct archive_entry* entry;
  if (archive_read_next_header(a.get(), &entry) != ARCHIVE_OK) {
    return Status::Corrupt(fmt::format("layer {}: {}", shown, archive_error_string(a.get())));
  }
  LL_ASSIGN_OR_RETURN(auto writer, store->blobs().NewWriter());
  char buf[1 << 16];
  for (;;) {
    la_ssize_t n = archive_read_data(a.get(), buf, sizeof buf);
    if (n < 0) {
      return Status::Corrupt(fmt::format("layer {}: {}", shown, archive_error_string(a.get())));
    }
    if (n == 0) break;
    LL_RETURN_IF_ERROR(writer->Write(buf, static_cast<size_t>(n)));
  }
  int64_t tar_size = writer->size();
  auto committed = writer->Commit(diff_id);
  if (!committed) {
    return Status::Corrupt(fmt::format(
        "layer {}: its uncompressed content does not match the config's diff_id {}", shown,
        diff_id));
  }
  if (!existed) added->insert(diff_id);
  // Docker's size: regular file bytes and symlink targets, read back from the stored tar.
  std::unique_ptr<struct archive, int (*)(struct archive*)> t(archive_read_new(),
                                                             archive_read_free);
  archive_read_support_format_tar(t.get());
  archive_read_support_format_gnutar(t.get());
  std::string stored = store->blobs().PathOf(diff_id);
  if (archive_read_open_filename(t.get(), stored.c_str(), 1 << 16) != ARCHIVE_OK) {
    return Status::Corrupt(fmt::format("layer {}: {}", shown, archive_error_string(t.get())));
  }
  int64_t size = 0;
  int r;
  while ((r = archive_read_next_header(t.get(), &entry)) == ARCHIVE_OK) {
    // Refused now rather than at every `run`: an entry (or hard link) leading out of the root.
    for (const char* name : {archive_entry_pathname(entry), archive_entry_hardlink(entry)}) {
      if (name == nullptr) continue;
      auto clean = CleanEntryPath(name);
      if (!clean) {
        if (added->erase(diff_id) > 0) (void)store->blobs().Remove(diff_id);
        return Status::InvalidArgument(
            fmt::format("layer {}: entry `{}`: {}", shown, name, clean.error().message()));
      }
    }
    if (archive_entry_hardlink(entry) != nullptr) continue;
    if (archive_entry_filetype(entry) == AE_IFREG) size += archive_entry_size(entry);
    if (archive_entry_filetype(entry) == AE_IFLNK) {
      const char* l = archive_entry_symlink(entry);
      if (l) size += static_cast<int64_t>(strlen(l));
    }
  }
  if (r != ARCHIVE_EOF) {
    return Status::Corrupt(fmt::format("layer {}: not a tar: {}", shown,
                                       archive_error_string(t.get())));
  }
  return NewLayer{diff_id, size, tar_size};
}

}  // namespace layerlab
