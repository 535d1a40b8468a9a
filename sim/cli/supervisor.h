// Detached containers (`run -d`, `start`): a supervisor process, started as
// `layerlab --root R __supervise ID FD`, launches the container, keeps its log, waits for it and
// records how it ended. The CLI learns through FD whether the start worked.
#pragma once

#include <string>
#include <vector>

#include "cli/context.h"

namespace layerlab::cli {

// Starts the supervisor for `c` and waits until the container runs (returns 0 and prints
// nothing) or failed to start (prints the error, returns 125/126/127).
int StartDetached(Context& ctx, const ContainerInfo& c, bool auto_remove = false);
// The hidden verb the supervisor runs.
int CmdSupervise(Context& ctx, const std::vector<std::string>& args);
// "SIGTERM", "TERM" or "15" -> 15; -1 if unknown.
int ParseSignal(const std::string& name);

}  // namespace layerlab::cli
