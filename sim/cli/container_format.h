// How `ps` and `system df -v` show a container: Docker's STATUS, COMMAND and IMAGE columns.
#pragma once

#include <cstdint>
#include <string>

#include "layerlab/containers.h"

namespace layerlab::cli {

// Go's strconv.Quote for printable text: "\"sh -c \\\"x\\\"\"".
std::string GoQuote(const std::string& s);
// "Created", "Up 3 seconds", "Exited (0) 2 seconds ago".
std::string StatusText(const ContainerInfo& c, int64_t now);
// The COMMAND column: quoted, cut at 20 characters unless no_trunc.
std::string CommandColumn(const ContainerInfo& c, bool no_trunc);
// The IMAGE column: the name given at create while it still names that image, else the short id.
std::string ImageColumn(const ContainerInfo& c, Images* images, bool no_trunc = false);

}  // namespace layerlab::cli
