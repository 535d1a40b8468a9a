// Unpacking a layer tar into a directory, safely: every parent is opened below the root with
// O_NOFOLLOW, so no entry (nor a symlink an earlier entry made) can lead a write outside it.
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <set>

#include <fmt/format.h>

#include "layer/fs_util.h"
#include "layerlab/layer_fs.h"
#include "layerlab/whiteout.h"

namespace layerlab {

using fsutil::Fd;

Result<std::string> CleanEntryPath(const std::string& raw) {
  if (!raw.empty() && raw[0] == '/') {
    return Status::InvalidArgument("absolute path; a layer entry must be relative to the root");
  }
  std::string out;
  size_t pos = 0;
  while (pos <= raw.size()) {
    size_t slash = raw.find('/', pos);
    std::string part = raw.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    pos = slash == std::string::npos ? raw.size() + 1 : slash + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") return Status::InvalidArgument("`..` would climb out of the root");
    if (!out.empty()) out.push_back('/');
    out += part;
  }
  return out;
}

namespace {

using ReadPtr = std::unique_ptr<struct archive, decltype(&archive_read_free)>;

struct DirTime {
  std::string path;
  struct timespec mtime;
};

class Unpacker {
 public:
  Unpacker(int root_fd, const UnpackOptions& opts) : root_(root_fd), opts_(opts) {}
  Status Entry(struct archive* a, struct archive_entry* e, const std::string& path);
  Status Finish();
  UnpackStats stats;

 private:
  Status Whiteout(int parent, const std::string& dir, const std::string& base);
  Status PurgeLower(int dir_fd, const std::string& dir);
  Status Metadata(int parent, const std::string& base, struct archive_entry* e, bool is_link);
  int root_;
  UnpackOptions opts_;
  std::set<std::string> written_;  // paths this layer wrote (opaque dirs keep these in kApply)
  std::vector<DirTime> dir_times_;
};

Status Unpacker::PurgeLower(int dir_fd, const std::string& dir) {
  DIR* d = fdopendir(dup(dir_fd));
  if (d == nullptr) return Status::FromErrno("read directory", errno);
  std::vector<std::string> names;
  while (struct dirent* de = readdir(d)) {
    std::string n = de->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  closedir(d);
  for (const auto& n : names) {
    std::string p = fsutil::JoinPath(dir, n);
    if (!written_.count(p)) {
      LL_RETURN_IF_ERROR(fsutil::RemoveAt(dir_fd, n));
      continue;
    }
    struct stat st;
    if (fstatat(dir_fd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
      Fd sub(openat(dir_fd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!sub.ok()) return Status::FromErrno(fmt::format("open `{}`", p), errno);
      LL_RETURN_IF_ERROR(PurgeLower(sub.get(), p));
    }
  }
  return Status::Ok();
}

Status Unpacker::Whiteout(int parent, const std::string& dir, const std::string& base) {
  if (base == kOpaqueMarker) {
    ++stats.opaque_dirs;
    if (opts_.mode == WhiteoutMode::kOverlay) {
      if (fsetxattr(parent, std::string(kUserOverlayOpaque).c_str(), "y", 1, 0) != 0) {
        return Status::FromErrno("mark the directory opaque", errno);
      }
      return Status::Ok();
    }
    // kApply: hide what lower layers put here (at any depth), keep what this layer wrote.
    return PurgeLower(parent, dir);
  }
  if (base.rfind(kWhiteoutMetaPrefix, 0) == 0) return Status::Ok();  // other .wh..wh. markers
  std::string name = base.substr(kWhiteoutPrefix.size());
  if (name.empty() || name == "." || name == "..") {
    return Status::InvalidArgument("a whiteout must name an entry");
  }
  // A whiteout applies only to lower layers: an entry of this same layer stays (OCI spec).
  if (written_.count(fsutil::JoinPath(dir, name))) return Status::Ok();
  ++stats.whiteouts;
  LL_RETURN_IF_ERROR(fsutil::RemoveAt(parent, name));
  if (opts_.mode == WhiteoutMode::kApply) return Status::Ok();
  // Since Linux 5.8 anyone may create the 0/0 whiteout device; fall back to the xattr form.
  if (mknodat(parent, name.c_str(), S_IFCHR | 0, makedev(0, 0)) == 0) return Status::Ok();
  int fd = openat(parent, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0);
  if (fd < 0) return Status::FromErrno("create whiteout", errno);
  int rc = fsetxattr(fd, std::string(kUserOverlayWhiteout).c_str(), "y", 1, 0);
  int err = errno;
  close(fd);
  if (rc != 0) return Status::FromErrno("mark whiteout", err);
  return Status::Ok();
}

Status Unpacker::Metadata(int parent, const std::string& base, struct archive_entry* e,
                          bool is_link) {
  if (opts_.set_owners) {
    if (fchownat(parent, base.c_str(), static_cast<uid_t>(archive_entry_uid(e)),
                 static_cast<gid_t>(archive_entry_gid(e)), AT_SYMLINK_NOFOLLOW) != 0 &&
        errno != EPERM && errno != EINVAL) {
      return Status::FromErrno("chown", errno);
    }
  }
  if (is_link) return Status::Ok();
  if (fchmodat(parent, base.c_str(), archive_entry_perm(e), 0) != 0) {
    return Status::FromErrno("chmod", errno);
  }
  archive_entry_xattr_reset(e);
  const char* name;
  const void* value;
  size_t size;
  while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
    // A layer never brings overlay's own markers: they would change what the union shows.
    if (fsutil::IsOverlayXattr(name)) continue;
    int fd = openat(parent, base.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) continue;
    if (fsetxattr(fd, name, value, size, 0) != 0 && errno != ENOTSUP && errno != EPERM) {
      int err = errno;
      close(fd);
      return Status::FromErrno(fmt::format("set xattr {}", name), err);
    }
    close(fd);
  }
  return Status::Ok();
}

Status Unpacker::Entry(struct archive* a, struct archive_entry* e, const std::string& path) {
  std::string dir, base;
  fsutil::SplitPath(path, &dir, &base);
  LL_ASSIGN_OR_RETURN(Fd parent, fsutil::OpenDirBeneath(root_, dir, /*create=*/true));
  ++stats.entries;
  if (base.rfind(kWhiteoutPrefix, 0) == 0) return Whiteout(parent.get(), dir, base);
  // The entry and every directory made for it belong to this layer.
  for (size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
    written_.insert(path.substr(0, slash));
  }
  written_.insert(path);
  mode_t type = archive_entry_filetype(e);
  const char* hardlink = archive_entry_hardlink(e);
  struct stat existing;
  bool exists = fstatat(parent.get(), base.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0;
  if (exists && !(type == AE_IFDIR && S_ISDIR(existing.st_mode) && !hardlink)) {
    LL_RETURN_IF_ERROR(fsutil::RemoveAt(parent.get(), base));
  }
  struct timespec times[2] = {{0, UTIME_OMIT}, {archive_entry_mtime(e), 0}};
  if (hardlink) {
    auto clean_target = CleanEntryPath(hardlink);
    if (!clean_target) {
      return Status::InvalidArgument(
          fmt::format("hard link to `{}` points outside the layer", hardlink));
    }
    std::string target = *clean_target;
    std::string tdir, tbase;
    fsutil::SplitPath(target, &tdir, &tbase);
    LL_ASSIGN_OR_RETURN(Fd tparent, fsutil::OpenDirBeneath(root_, tdir, /*create=*/false));
    if (linkat(tparent.get(), tbase.c_str(), parent.get(), base.c_str(), 0) != 0) {
      return Status::FromErrno(fmt::format("hard link to `{}`", target), errno);
    }
    return Status::Ok();
  }
  switch (type) {
    case AE_IFDIR:
      if (!exists || !S_ISDIR(existing.st_mode)) {
        if (mkdirat(parent.get(), base.c_str(), 0755) != 0) {
          return Status::FromErrno("mkdir", errno);
        }
      } else {
        // The entry replaces the lower directory's metadata, xattrs included.
        Fd d(openat(parent.get(), base.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        char names[4096];
        ssize_t n = d.ok() ? flistxattr(d.get(), names, sizeof names) : -1;
        for (ssize_t p = 0; p < n;) {
          std::string name(names + p);
          p += static_cast<ssize_t>(name.size()) + 1;
          // Keep overlay's markers and the host's security label (SELinux).
          if (!fsutil::IsOverlayXattr(name) && name != "security.selinux") {
            fremovexattr(d.get(), name.c_str());
          }
        }
      }
      LL_RETURN_IF_ERROR(Metadata(parent.get(), base, e, false));
      dir_times_.push_back({path, times[1]});  // set last: children change it
      return Status::Ok();
    case AE_IFREG: {
      int fd = openat(parent.get(), base.c_str(),
                      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0) return Status::FromErrno("create", errno);
      const void* buf;
      size_t len;
      la_int64_t off;
      for (;;) {
        int r = archive_read_data_block(a, &buf, &len, &off);
        if (r == ARCHIVE_EOF) break;
        if (r != ARCHIVE_OK) {
          close(fd);
          return Status::InvalidArgument(archive_error_string(a));
        }
        if (pwrite(fd, buf, len, off) != static_cast<ssize_t>(len)) {
          int err = errno;
          close(fd);
          return Status::FromErrno("write", err);
        }
      }
      if (ftruncate(fd, archive_entry_size(e)) != 0) {
        int err = errno;
        close(fd);
        return Status::FromErrno("truncate", err);
      }
      close(fd);
      break;
    }
    case AE_IFLNK: {
      const char* target = archive_entry_symlink(e);
      if (symlinkat(target ? target : "", parent.get(), base.c_str()) != 0) {
        return Status::FromErrno("symlink", errno);
      }
      LL_RETURN_IF_ERROR(Metadata(parent.get(), base, e, true));
      utimensat(parent.get(), base.c_str(), times, AT_SYMLINK_NOFOLLOW);
      return Status::Ok();
    }
    case AE_IFIFO:
      if (mkfifoat(parent.get(), base.c_str(), 0600) != 0) return Status::FromErrno("mkfifo", errno);
      break;
    case AE_IFCHR:
    case AE_IFBLK:
      if (!opts_.allow_devices) {
        return Status::InvalidArgument("device nodes are not allowed in this layer");
      }
      if (mknodat(parent.get(), base.c_str(), type | 0600,
                  makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e))) != 0) {
        return Status::FromErrno("mknod", errno);
      }
      break;
    default:
      return Status::InvalidArgument("unsupported entry type");
  }
  LL_RETURN_IF_ERROR(Metadata(parent.get(), base, e, false));
  utimensat(parent.get(), base.c_str(), times, AT_SYMLINK_NOFOLLOW);
  return Status::Ok();
}

Status Unpacker::Finish() {
  for (auto it = dir_times_.rbegin(); it != dir_times_.rend(); ++it) {
    std::string dir, base;
    fsutil::SplitPath(it->path, &dir, &base);
    auto parent = fsutil::OpenDirBeneath(root_, dir, false);
    if (!parent) continue;  // removed by a later whiteout
    struct timespec times[2] = {{0, UTIME_OMIT}, it->mtime};
    utimensat(parent->get(), base.c_str(), times, AT_SYMLINK_NOFOLLOW);
  }
  return Status::Ok();
}

}  // namespace

Result<UnpackStats> UnpackLayer(const std::string& tar_path, const std::string& dest,
                                const UnpackOptions& options) {
  auto ctx = [&](const std::string& msg) { return fmt::format("unpack `{}`: {}", tar_path, msg); };
  Fd root(open(dest.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root.ok()) return Status::FromErrno(fmt::format("open `{}`", dest), errno);
  ReadPtr in(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(in.get());
  archive_read_support_format_tar(in.get());
  archive_read_support_format_gnutar(in.get());
  if (archive_read_open_filename(in.get(), tar_path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return Status::InvalidArgument(ctx(archive_error_string(in.get())));
  }
  Unpacker u(root.get(), options);
  for (;;) {
    struct archive_entry* e = nullptr;
    int rc = archive_read_next_header(in.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      return Status::InvalidArgument(ctx(archive_error_string(in.get())));
    }
    std::string name = archive_entry_pathname(e) ? archive_entry_pathname(e) : "";
    auto clean = CleanEntryPath(name);
    if (!clean) {
      return Status::InvalidArgument(ctx(fmt::format("entry `{}`: {}", name, clean.error().message())));
    }
    if (clean->empty()) continue;
    Status st = u.Entry(in.get(), e, *clean);
    if (!st.ok()) {
      return Status(st).WithContext(ctx(fmt::format("entry `{}`", name)));
    }
  }
  LL_RETURN_IF_ERROR(u.Finish());
  return u.stats;
}

}  // namespace layerlab
