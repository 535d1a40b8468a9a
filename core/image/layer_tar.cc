// Deterministic layer tars through libarchive, streamed into a blob (or a file, for export).
#include "layerlab/layer_tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "image/archive_sink.h"
#include "layerlab/digest.h"

namespace layerlab {

namespace {

using ArchivePtr = std::unique_ptr<struct archive, decltype(&archive_write_free)>;
using EntryPtr = std::unique_ptr<struct archive_entry, decltype(&archive_entry_free)>;

Status ArchiveError(struct archive* a, const ArchiveSink& sink, const std::string& what) {
  if (!sink.status.ok()) return sink.status.WithContext(what);
  return Status::Internal(fmt::format("{}: {}", what, archive_error_string(a)));
}

Status StreamFile(struct archive* a, const ArchiveSink& sink, const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(fmt::format("open `{}`", path), errno);
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      return Status::FromErrno(fmt::format("read `{}`", path), err);
    }
    if (n == 0) break;
    if (archive_write_data(a, buf, static_cast<size_t>(n)) < 0) {
      close(fd);
      return ArchiveError(a, sink, fmt::format("write `{}` into the layer", path));
    }
  }
  close(fd);
  return Status::Ok();
}

// Sorted by path, except that a hard link must follow the entry it links to (tar readers create
// the link from the earlier entry), so a link that sorts first waits for its target.
std::vector<TarEntry> SortForTar(std::vector<TarEntry> entries) {
  std::sort(entries.begin(), entries.end(),
            [](const TarEntry& a, const TarEntry& b) { return a.path < b.path; });
  std::vector<TarEntry> out;
  std::map<std::string, std::vector<TarEntry>> waiting;  // target -> links
  std::set<std::string> written;
  for (auto& e : entries) {
    if (e.type == TarEntry::Type::kHardlink && !written.count(e.link)) {
      waiting[e.link].push_back(std::move(e));
      continue;
    }
    written.insert(e.path);
    std::string path = e.path;
    out.push_back(std::move(e));
    if (auto it = waiting.find(path); it != waiting.end()) {
      for (auto& l : it->second) out.push_back(std::move(l));
      waiting.erase(it);
    }
  }
  for (auto& [target, links] : waiting) {
    for (auto& l : links) out.push_back(std::move(l));
  }
  return out;
}

// Writes the sorted entries through `writer` (which streams to a blob or a file).
Result<WrittenLayer> WriteEntries(std::vector<TarEntry> entries, ArchiveSink& sink) {
  entries = SortForTar(std::move(entries));
  ArchivePtr a(archive_write_new(), archive_write_free);
  archive_write_set_format_pax_restricted(a.get());
  archive_write_set_bytes_per_block(a.get(), 10240);
  if (archive_write_open2(a.get(), &sink, nullptr, ArchiveSinkWrite, nullptr, nullptr) != ARCHIVE_OK) {
    return ArchiveError(a.get(), sink, "start layer tar");
  }
  WrittenLayer out;
  for (const auto& e : entries) {
    EntryPtr ae(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(ae.get(), e.type == TarEntry::Type::kDir ? (e.path + "/").c_str()
                                                                        : e.path.c_str());
    archive_entry_set_uid(ae.get(), e.uid);
    archive_entry_set_gid(ae.get(), e.gid);
    archive_entry_set_mtime(ae.get(), e.mtime, 0);
    int64_t file_size = 0;
    switch (e.type) {
      case TarEntry::Type::kDir:
        archive_entry_set_filetype(ae.get(), AE_IFDIR);
        break;
      case TarEntry::Type::kFile:
        archive_entry_set_filetype(ae.get(), AE_IFREG);
        if (!e.source_path.empty()) {
          struct stat st;
          if (stat(e.source_path.c_str(), &st) != 0) {
            return Status::FromErrno(fmt::format("stat `{}`", e.source_path), errno);
          }
          file_size = st.st_size;
        } else {
          file_size = static_cast<int64_t>(e.content.size());
        }
        archive_entry_set_size(ae.get(), file_size);
        out.size += file_size;
        break;
      case TarEntry::Type::kSymlink:
        archive_entry_set_filetype(ae.get(), AE_IFLNK);
        archive_entry_set_symlink(ae.get(), e.link.c_str());
        out.size += static_cast<int64_t>(e.link.size());
        break;
      case TarEntry::Type::kHardlink:
        archive_entry_set_filetype(ae.get(), AE_IFREG);
        archive_entry_set_hardlink(ae.get(), e.link.c_str());
        archive_entry_set_size(ae.get(), 0);
        break;
      case TarEntry::Type::kFifo:
        archive_entry_set_filetype(ae.get(), AE_IFIFO);
        break;
      case TarEntry::Type::kCharDevice:
      case TarEntry::Type::kBlockDevice:
        archive_entry_set_filetype(
            ae.get(), e.type == TarEntry::Type::kCharDevice ? AE_IFCHR : AE_IFBLK);
        archive_entry_set_rdevmajor(ae.get(), e.dev_major);
        archive_entry_set_rdevminor(ae.get(), e.dev_minor);
        break;
    }
    for (const auto& [name, value] : e.xattrs) {
      archive_entry_xattr_add_entry(ae.get(), name.c_str(), value.data(), value.size());
    }
    archive_entry_set_perm(ae.get(), e.mode & 07777);
    if (archive_write_header(a.get(), ae.get()) != ARCHIVE_OK) {
      return ArchiveError(a.get(), sink, fmt::format("write tar header for `{}`", e.path));
    }
    if (e.type == TarEntry::Type::kFile) {
      if (!e.source_path.empty()) {
        LL_RETURN_IF_ERROR(StreamFile(a.get(), sink, e.source_path));
      } else if (!e.content.empty() &&
                 archive_write_data(a.get(), e.content.data(), e.content.size()) < 0) {
        return ArchiveError(a.get(), sink, fmt::format("write `{}` into the layer", e.path));
      }
    }
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    return ArchiveError(a.get(), sink, "finish layer tar");
  }
  out.tar_size = sink.size;
  return out;
}

}  // namespace

Result<WrittenLayer> WriteLayerTar(BlobStore& blobs, std::vector<TarEntry> entries) {
  LL_ASSIGN_OR_RETURN(auto writer, blobs.NewWriter());
  ArchiveSink sink{[&](const void* b, size_t n) { return writer->Write(b, n); }, Status::Ok()};
  LL_ASSIGN_OR_RETURN(WrittenLayer out, WriteEntries(std::move(entries), sink));
  LL_ASSIGN_OR_RETURN(out.diff_id, writer->Commit());
  return out;
}

Result<WrittenLayer> WriteTarFile(const std::string& path, std::vector<TarEntry> entries) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(fmt::format("create `{}`", path), errno);
  Sha256 hash;
  ArchiveSink sink{[&](const void* b, size_t n) -> Status {
                     hash.Update(b, n);
                     const char* p = static_cast<const char*>(b);
                     while (n > 0) {
                       ssize_t w = write(fd, p, n);
                       if (w < 0 && errno == EINTR) continue;
                       if (w < 0) return Status::FromErrno(fmt::format("write `{}`", path), errno);
                       p += w;
                       n -= static_cast<size_t>(w);
                     }
                     return Status::Ok();
                   },
                   Status::Ok()};
  auto out = WriteEntries(std::move(entries), sink);
  close(fd);
  if (!out) return out.error();
  out->diff_id = hash.Finish();
  return out;
}

}  // namespace layerlab
