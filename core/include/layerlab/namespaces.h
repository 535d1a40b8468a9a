// Running code in new Linux namespaces: a child process in its own user and mount namespaces
// (uid 0 inside; rootless: 0 inside = the caller outside), where it may mount overlayfs.
// Not thread-safe: forks; call from a single-threaded process.
#pragma once

#include <functional>
#include <string>

#include "layerlab/status.h"

namespace layerlab {

// Runs `fn` in a forked child inside new user + mount namespaces with all mounts private, and
// returns the Status `fn` returned there (carried back through a pipe). The child never touches
// the parent's SQLite handles: `fn` must only do filesystem work.
Status RunInUserMountNamespace(const std::function<Status()>& fn);

// Mounts overlayfs at `target`: lowers top first (read-only), upper+work for a writable union
// (both empty strings for a read-only one). Uses the new mount API (fsconfig "lowerdir+", no
// length limit) and falls back to mount(2) with paths relative to a common parent. Refuses more
// than 500 lower layers with a message saying what to do. Call inside a mount namespace.
// `volatile_upper`: overlay's "volatile" option, for a container removed when it exits (--rm, as
// Podman does): the upper layer is never synced to disk, which spares the sync of the whole
// upper filesystem that unmounting the union otherwise costs (about 3 ms of `run --rm`).
Status MountOverlay(const std::vector<std::string>& lowers, const std::string& upper,
                    const std::string& work, const std::string& target,
                    bool volatile_upper = false);

}  // namespace layerlab
