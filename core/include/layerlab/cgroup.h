// Resource limits for a container through cgroups (v2, else v1). Needs a writable hierarchy:
// root, or a delegated v2 subtree. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "layerlab/status.h"

namespace layerlab {

struct ResourceLimits {
  int64_t memory = 0;  // bytes, 0 = no limit
  int64_t pids = 0;    // 0 = no limit
};

struct CgroupSet {
  int version = 0;                // 0 none, 1 or 2
  std::vector<std::string> dirs;  // one per v1 controller, or the v2 directory
};

// "64m", "1g", "512k", "1048576" -> bytes (Docker's RAMInBytes, binary units).
Result<int64_t> ParseMemory(const std::string& text);
// Makes the container's cgroups and writes the limits; nothing when there are no limits.
// Unsupported, with the reason, where the host gives us no writable hierarchy.
Result<CgroupSet> CreateCgroups(const std::string& name, const ResourceLimits& limits);
Status AddToCgroups(const CgroupSet& set, pid_t pid);
// Removes the container's (empty) cgroups; ignores what is not there.
void RemoveCgroups(const std::string& name);

}  // namespace layerlab
