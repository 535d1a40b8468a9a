// `layerlab system check [--repair]`: verify every blob's digest, find rows without files and
// files without rows (left by an interrupted write), and remove the latter with --repair.
#include <fmt/format.h>

#include "cli/args.h"
#include "cli/verbs.h"

namespace layerlab::cli {

static int CmdSystemCheck(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("repair", po::bool_switch(), "Remove orphan files");
  VerbArgs va = ParseVerbArgs("system check", "system check [OPTIONS]",
                              "Verify the store: digests, missing files, orphans", opts, args, 0,
                              0);
  if (va.exit_code >= 0) return va.exit_code;
  auto store = ctx.store();
  if (!store) return Fail(store.error());
  bool repair = va.vm["repair"].as<bool>();
  auto report = (*store)->Check(repair);
  if (!report) return Fail(report.error());
  for (const auto& m : report->corrupt) fmt::print("corrupt: {}\n", m);
  for (const auto& m : report->missing) fmt::print("missing: {}\n", m);
  for (const auto& o : report->orphans) {
    bool removed = std::find(report->removed.begin(), report->removed.end(), o) !=
                   report->removed.end();
    fmt::print("orphan: {}{}\n", o, removed ? " (removed)" : "");
  }
  fmt::print("{} blobs verified, {} corrupt, {} missing, {} orphans{}\n", report->blobs_checked,
             report->corrupt.size(), report->missing.size(), report->orphans.size(),
             repair ? fmt::format(" ({} removed)", report->removed.size()) : "");
  if (!report->corrupt.empty() || !report->missing.empty()) return 1;
  if (!repair && !report->orphans.empty()) return 1;
  return 0;
}

int CmdSystem(Context& ctx, const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    fmt::print("\nUsage:  layerlab system COMMAND\n\nManage layerlab\n\nCommands:\n"
               "  check       Verify the store (digests, missing files, orphans)\n"
               "  df          Show disk usage\n");
    return args.empty() ? 1 : 0;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "check") return CmdSystemCheck(ctx, rest);
  if (args[0] == "df") return CmdSystemDf(ctx, rest);
  return UsageError("system", fmt::format("layerlab system: '{}' is not a layerlab command.",
                                          args[0]));
}

}  // namespace layerlab::cli
