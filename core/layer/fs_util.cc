// POSIX helpers for the layer code. Walking below a root never follows a symlink: each component
// is opened with O_NOFOLLOW, which is what keeps a hostile layer from writing outside its root.
#include "layer/fs_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include <fmt/format.h>

#include "layerlab/whiteout.h"

namespace layerlab::fsutil {

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) close(fd_);
}

Result<Fd> OpenDirBeneath(int root_fd, const std::string& rel, bool create) {
  Fd cur(dup(root_fd));
  if (!cur.ok()) return Status::FromErrno("dup", errno);
  std::string walked;
  size_t pos = 0;
  while (pos < rel.size()) {
    size_t slash = rel.find('/', pos);
    std::string comp = rel.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    pos = slash == std::string::npos ? rel.size() : slash + 1;
    if (comp.empty()) continue;
    walked = walked.empty() ? comp : walked + "/" + comp;
    int fd = openat(cur.get(), comp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
      if (mkdirat(cur.get(), comp.c_str(), 0755) != 0 && errno != EEXIST) {
        return Status::FromErrno(fmt::format("create directory `{}`", walked), errno);
      }
      fd = openat(cur.get(), comp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) {
      int err = errno;
      struct stat st;
      if ((err == ELOOP || err == ENOTDIR) &&
          fstatat(cur.get(), comp.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
        return Status::InvalidArgument(
            fmt::format("`{}` is a symlink; writing through it could leave the root", walked));
      }
      if (err == ENOTDIR || err == ELOOP) {
        return Status::InvalidArgument(fmt::format("`{}` is not a directory", walked));
      }
      return Status::FromErrno(fmt::format("open `{}`", walked), err);
    }
    cur = Fd(fd);
  }
  return cur;
}

void SplitPath(const std::string& path, std::string* dir, std::string* base) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) {
    dir->clear();
    *base = path;
  } else {
    *dir = path.substr(0, slash);
    *base = path.substr(slash + 1);
  }
}

std::string JoinPath(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + "/" + b;
}

Status RemoveAt(int dir_fd, const std::string& name) {
  if (unlinkat(dir_fd, name.c_str(), 0) == 0 || errno == ENOENT) return Status::Ok();
  if (errno != EISDIR && errno != EPERM) {
    return Status::FromErrno(fmt::format("remove `{}`", name), errno);
  }
  int fd = openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(fmt::format("open `{}`", name), errno);
  DIR* d = fdopendir(fd);
  if (d == nullptr) {
    close(fd);
    return Status::FromErrno(fmt::format("read `{}`", name), errno);
  }
  std::vector<std::string> children;
  while (struct dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") children.push_back(n);
  }
  Status st;
  for (const auto& c : children) {
    st = RemoveAt(dirfd(d), c);
    if (!st.ok()) break;
  }
  closedir(d);
  if (!st.ok()) return st.WithContext(name);
  if (unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
    return Status::FromErrno(fmt::format("remove directory `{}`", name), errno);
  }
  return Status::Ok();
}

std::map<std::string, std::string> ListXattrs(const std::string& path) {
  std::map<std::string, std::string> out;
  ssize_t n = llistxattr(path.c_str(), nullptr, 0);
  if (n <= 0) return out;
  std::string names(static_cast<size_t>(n), '\0');
  n = llistxattr(path.c_str(), names.data(), names.size());
  if (n <= 0) return out;
  for (size_t p = 0; p < static_cast<size_t>(n);) {
    std::string name(names.c_str() + p);
    p += name.size() + 1;
    ssize_t vn = lgetxattr(path.c_str(), name.c_str(), nullptr, 0);
    if (vn < 0) continue;
    std::string value(static_cast<size_t>(vn), '\0');
    vn = lgetxattr(path.c_str(), name.c_str(), value.data(), value.size());
    if (vn < 0) continue;
    value.resize(static_cast<size_t>(vn));
    out[name] = value;
  }
  return out;
}

bool HasXattr(const std::string& path, const std::string& name) {
  return lgetxattr(path.c_str(), name.c_str(), nullptr, 0) >= 0;
}

bool IsWhiteout(const std::string& path, const struct stat& st) {
  if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) return true;
  if (S_ISREG(st.st_mode) && st.st_size == 0) {
    return HasXattr(path, std::string(kUserOverlayWhiteout)) ||
           HasXattr(path, std::string(kTrustedOverlayWhiteout));
  }
  return false;
}

bool IsOpaqueDir(const std::string& path) {
  for (auto name : {kUserOverlayOpaque, kTrustedOverlayOpaque}) {
    char v[4] = {};
    ssize_t n = lgetxattr(path.c_str(), std::string(name).c_str(), v, sizeof v);
    if (n == 1 && v[0] == 'y') return true;
  }
  return false;
}

bool IsOverlayXattr(const std::string& name) {
  return name.rfind(kUserOverlayPrefix, 0) == 0 || name.rfind(kTrustedOverlayPrefix, 0) == 0;
}

}  // namespace layerlab::fsutil
