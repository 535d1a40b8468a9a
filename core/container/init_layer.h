// A container's init layer (Docker's "-init" layer): empty mount points and /etc files that the
// launcher binds over, kept below the writable layer so they never show up in `diff`.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "layerlab/containers.h"

namespace layerlab {

// Makes the init layer's entries in the directory INIT: dev, proc, sys, etc and the empty
// etc/hostname, etc/hosts, etc/resolv.conf.
Status MakeInitDir(const std::string& init);
// The container's own /etc/hostname, /etc/hosts and /etc/resolv.conf: {path, content}.
std::vector<std::pair<std::string, std::string>> EtcFiles(const ContainerInfo& c);
// The copy driver has no union: put the init layer's entries into its full copy (same times, so
// the copy shows no change for them).
Status CopyInitFiles(const std::string& init, const std::string& rootfs);
// Gives the init layer's directories the modes the image has for them (`mode_of` returns
// nothing when the image lacks one).
void MatchInitModes(const std::string& init,
                    const std::function<std::optional<mode_t>(const std::string&)>& mode_of);

}  // namespace layerlab
