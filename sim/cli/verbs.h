// Every verb of the CLI, one file each (cmd_*.cc).
#pragma once

#include <string>
#include <vector>

#include "cli/context.h"

namespace layerlab::cli {

int CmdImages(Context& ctx, const std::vector<std::string>& args);
int CmdTag(Context& ctx, const std::vector<std::string>& args);
int CmdRmi(Context& ctx, const std::vector<std::string>& args);
int CmdHistory(Context& ctx, const std::vector<std::string>& args);
int CmdImport(Context& ctx, const std::vector<std::string>& args);
int CmdImageInspect(Context& ctx, const std::vector<std::string>& args);
int CmdImagePrune(Context& ctx, const std::vector<std::string>& args);
int CmdSystem(Context& ctx, const std::vector<std::string>& args);

}  // namespace layerlab::cli
