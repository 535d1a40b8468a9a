// `import`: a rootfs tarball (any compression libarchive reads) becomes a one-layer image. Each
// entry is checked (no absolute or escaping paths) and re-written into an uncompressed layer tar.
#include <archive.h>
#include <archive_entry.h>

#include <ctime>
#include <memory>

#include <fmt/format.h>

#include "image/archive_sink.h"

#include "layerlab/images.h"
#include "layerlab/layer_fs.h"

namespace layerlab {

namespace {

using ReadPtr = std::unique_ptr<struct archive, decltype(&archive_read_free)>;
using WritePtr = std::unique_ptr<struct archive, decltype(&archive_write_free)>;

}  // namespace

Result<std::string> Images::Import(const std::string& path, const std::string& ref_text,
                                   const std::string& message) {
  std::vector<Reference> tags;
  if (!ref_text.empty()) {
    auto parsed = ParseNormalizedTagged(ref_text);
    if (!parsed.ref) return Status::InvalidArgument(parsed.message);
    if (parsed.ref->digested()) {
      return Status::InvalidArgument("refusing to create a tag with a digest reference");
    }
    tags.push_back(*parsed.ref);
  }
  auto ctx = [&](const std::string& what) { return fmt::format("import `{}`: {}", path, what); };
  ReadPtr in(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(in.get());
  archive_read_support_format_tar(in.get());
  archive_read_support_format_gnutar(in.get());
  // "-" reads the tarball from stdin, as `docker import -` does.
  int rc = path == "-" ? archive_read_open_fd(in.get(), 0, 1 << 16)
                       : archive_read_open_filename(in.get(), path.c_str(), 1 << 16);
  if (rc != ARCHIVE_OK) {
    return Status::InvalidArgument(ctx(archive_error_string(in.get())));
  }
  LL_ASSIGN_OR_RETURN(auto writer, store_->blobs().NewWriter());
  ArchiveSink sink{[&](const void* b, size_t n) { return writer->Write(b, n); }, Status::Ok()};
  WritePtr out(archive_write_new(), archive_write_free);
  archive_write_set_format_pax_restricted(out.get());
  archive_write_set_bytes_per_block(out.get(), 10240);
  if (archive_write_open2(out.get(), &sink, nullptr, ArchiveSinkWrite, nullptr, nullptr) !=
      ARCHIVE_OK) {
    return Status::Internal(ctx(archive_error_string(out.get())));
  }
  int64_t size = 0;
  int entries = 0;
  for (;;) {
    struct archive_entry* e = nullptr;
    int rc = archive_read_next_header(in.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      std::string err = archive_error_string(in.get()) ? archive_error_string(in.get()) : "";
      if (entries == 0) {
        return Status::InvalidArgument(ctx(fmt::format("not a tar archive ({})", err)));
      }
      return Status::InvalidArgument(ctx(fmt::format("after entry {}: {}", entries, err)));
    }
    ++entries;
    std::string name = archive_entry_pathname(e) ? archive_entry_pathname(e) : "";
    auto clean = CleanEntryPath(name);
    if (!clean) return Status::InvalidArgument(ctx(fmt::format("entry `{}`: {}", name, clean.error().message())));
    if (clean->empty()) continue;  // the root itself ("./")
    archive_entry_set_pathname(e, clean->c_str());
    if (const char* hl = archive_entry_hardlink(e)) {
      auto target = CleanEntryPath(hl);
      if (!target) {
        return Status::InvalidArgument(
            ctx(fmt::format("entry `{}`: hard link to `{}`: {}", name, hl,
                            target.error().message())));
      }
      archive_entry_set_hardlink(e, target->c_str());
    } else if (archive_entry_filetype(e) == AE_IFREG) {
      size += archive_entry_size(e);
    } else if (archive_entry_filetype(e) == AE_IFLNK && archive_entry_symlink(e)) {
      size += static_cast<int64_t>(std::string(archive_entry_symlink(e)).size());
    }
    if (archive_write_header(out.get(), e) != ARCHIVE_OK) {
      if (!sink.status.ok()) return sink.status.WithContext(ctx("write layer"));
      return Status::Internal(ctx(archive_error_string(out.get())));
    }
    const void* buf;
    size_t len;
    la_int64_t off;
    for (;;) {
      int r = archive_read_data_block(in.get(), &buf, &len, &off);
      if (r == ARCHIVE_EOF) break;
      if (r != ARCHIVE_OK) {
        return Status::InvalidArgument(
            ctx(fmt::format("entry `{}`: {}", name, archive_error_string(in.get()))));
      }
      if (archive_write_data(out.get(), buf, len) < 0) {
        if (!sink.status.ok()) return sink.status.WithContext(ctx("write layer"));
        return Status::Internal(ctx(archive_error_string(out.get())));
      }
    }
  }
  if (entries == 0) {
    return Status::InvalidArgument(ctx("not a tar archive (it holds no entries)"));
  }
  if (archive_write_close(out.get()) != ARCHIVE_OK) {
    if (!sink.status.ok()) return sink.status.WithContext(ctx("write layer"));
    return Status::Internal(ctx(archive_error_string(out.get())));
  }
  int64_t tar_size = writer->size();
  LL_ASSIGN_OR_RETURN(std::string diff_id, writer->Commit());

  ImageConfig cfg;
  cfg.created = NowRfc3339Nano();
  cfg.diff_ids = {diff_id};
  cfg.history.push_back(
      {cfg.created, {}, {}, message.empty() ? "Imported from " + path : message, false});
  LL_ASSIGN_OR_RETURN(ImageRecord img,
                      CommitConfig(cfg, {{diff_id, size, tar_size}}, tags, ""));
  return img.id;
}

}  // namespace layerlab
