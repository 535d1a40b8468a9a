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
int CmdSystemDf(Context& ctx, const std::vector<std::string>& args);
int CmdCreate(Context& ctx, const std::vector<std::string>& args);
int CmdPs(Context& ctx, const std::vector<std::string>& args);
int CmdDiff(Context& ctx, const std::vector<std::string>& args);
int CmdCp(Context& ctx, const std::vector<std::string>& args);
int CmdCommit(Context& ctx, const std::vector<std::string>& args);
int CmdRm(Context& ctx, const std::vector<std::string>& args);
int CmdContainerPrune(Context& ctx, const std::vector<std::string>& args);
int CmdExport(Context& ctx, const std::vector<std::string>& args);
int CmdRun(Context& ctx, const std::vector<std::string>& args);
int CmdStart(Context& ctx, const std::vector<std::string>& args);
int CmdStop(Context& ctx, const std::vector<std::string>& args);
int CmdKill(Context& ctx, const std::vector<std::string>& args);
int CmdWait(Context& ctx, const std::vector<std::string>& args);
int CmdLogs(Context& ctx, const std::vector<std::string>& args);
int CmdRestart(Context& ctx, const std::vector<std::string>& args);
int CmdInspect(Context& ctx, const std::vector<std::string>& args);
int CmdContainerInspect(Context& ctx, const std::vector<std::string>& args);
// Prints an inspect JSON array, or with `format` (inspect -f) one rendered line per object.
int PrintInspected(const std::string& json_array, const std::string& format);
int CmdExec(Context& ctx, const std::vector<std::string>& args);
int CmdTop(Context& ctx, const std::vector<std::string>& args);
int CmdBuild(Context& ctx, const std::vector<std::string>& args);
int CmdDockerfile(Context& ctx, const std::vector<std::string>& args);
int CmdSave(Context& ctx, const std::vector<std::string>& args);
int CmdLoad(Context& ctx, const std::vector<std::string>& args);
int CmdPush(Context& ctx, const std::vector<std::string>& args);
int CmdPull(Context& ctx, const std::vector<std::string>& args);
int CmdLogin(Context& ctx, const std::vector<std::string>& args);
int CmdLogout(Context& ctx, const std::vector<std::string>& args);
int CmdLayers(Context& ctx, const std::vector<std::string>& args);
int CmdLesson(Context& ctx, const std::vector<std::string>& args);

}  // namespace layerlab::cli
