// Small POSIX helpers for the layer code: safe walking below a root fd, xattrs, whiteout tests.
#pragma once

#include <sys/stat.h>

#include <map>
#include <string>

#include "layerlab/status.h"

namespace layerlab::fsutil {

// An fd closed on destruction.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept;
  Fd(const Fd&) = delete;
  ~Fd();
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// Opens directory `rel` (clean, relative) below `root_fd` one component at a time, never
// following a symlink; with `create`, missing components are made (0755). The error names the
// component that is a symlink or not a directory.
Result<Fd> OpenDirBeneath(int root_fd, const std::string& rel, bool create);

// Splits "a/b/c" into "a/b" and "c" ("" and "c" for "c").
void SplitPath(const std::string& path, std::string* dir, std::string* base);
std::string JoinPath(const std::string& a, const std::string& b);

// Removes `name` in `dir_fd` whatever it is (recursively for directories).
Status RemoveAt(int dir_fd, const std::string& name);

// All xattrs of a path (not following symlinks); missing support gives an empty map.
std::map<std::string, std::string> ListXattrs(const std::string& path);
bool HasXattr(const std::string& path, const std::string& name);

// An overlay whiteout: a char device 0/0, or an empty file marked with overlay.whiteout.
bool IsWhiteout(const std::string& path, const struct stat& st);
// A directory marked opaque (user.overlay.opaque or trusted.overlay.opaque = "y").
bool IsOpaqueDir(const std::string& path);
// overlay's own xattrs, which never belong in a layer tar.
bool IsOverlayXattr(const std::string& name);

}  // namespace layerlab::fsutil
