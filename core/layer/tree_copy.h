// Copying trees without following symlinks, and opening paths inside a root so that no symlink
// or ".." leads outside it: shared by `cp` and the builder's COPY/ADD.
#pragma once

#include <functional>
#include <string>

#include "layer/fs_util.h"

namespace layerlab::fsutil {

// Opens `path` inside the tree at root_fd: "..", absolute paths and symlinks all resolve as if
// root_fd were "/" (openat2 RESOLVE_IN_ROOT).
Result<Fd> OpenInRoot(int root_fd, const std::string& path, uint64_t flags);

std::string BaseName(std::string p);
std::string ParentOf(std::string p);

struct CopyOptions {
  bool break_links = false;  // replace a hard-linked destination instead of writing through it
  long uid = -1, gid = -1;   // chown every copied entry (COPY --chown, and 0:0 by default)
  int mode = -1;             // chmod every copied entry (COPY --chmod)
  // Entries to leave out, by their `shown` path and whether they are directories (.dockerignore).
  std::function<bool(const std::string&, bool)> skip;

  static CopyOptions Links(bool break_links) {
    CopyOptions o;
    o.break_links = break_links;
    return o;
  }
};

// Copies the entry `name` in src_dir to `name2` in dst_dir, recursively, never following
// symlinks on either side. An existing regular file is overwritten in place (in a union that is
// where copy-up happens); an existing directory is merged into. `shown` names it in errors and
// is what `skip` sees (children are `shown/child`).
Status CopyEntry(int src_dir, const std::string& name, int dst_dir, const std::string& name2,
                 const std::string& shown, const CopyOptions& opts);

Status CopyData(int in, int out, const std::string& what);

}  // namespace layerlab::fsutil
