// Container verbs on the copy-on-write engine: create, diff, rm, container prune, export.

#include <fmt/format.h>

#include "cli/args.h"
#include "cli/format.h"
#include "cli/verbs.h"

namespace layerlab::cli {

int CmdCreate(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("name", po::value<std::string>()->default_value(""),
                     "Assign a name to the container");
  // Options stop at the image: what follows is the container's command.
  std::vector<std::string> own, cmd;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--name" && i + 1 < args.size()) {
      own.push_back(args[i]);
      own.push_back(args[++i]);
    } else if (!args[i].empty() && args[i][0] == '-') {
      own.push_back(args[i]);
    } else {
      cmd.assign(args.begin() + static_cast<long>(i), args.end());
      break;
    }
  }
  VerbArgs va = ParseVerbArgs("create", "create [OPTIONS] IMAGE [COMMAND] [ARG...]",
                              "Create a new container", opts, own, 0, 0);
  if (va.exit_code >= 0) return va.exit_code;
  if (cmd.empty()) {
    return UsageError("create", "\"layerlab create\" requires at least 1 argument.\n\nUsage:  "
                                "layerlab create [OPTIONS] IMAGE [COMMAND] [ARG...]");
  }
  auto containers = ctx.containers();
  if (!containers) return Fail(containers.error());
  auto c = (*containers)->Create(cmd[0], va.vm["name"].as<std::string>(),
                                 std::vector<std::string>(cmd.begin() + 1, cmd.end()));
  if (!c) return Fail(c.error());
  fmt::print("{}\n", c->id);
  return 0;
}

int CmdDiff(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  VerbArgs va = ParseVerbArgs("diff", "diff CONTAINER",
                              "Inspect changes to files or directories on a container's "
                              "filesystem",
                              opts, args, 1, 1);
  if (va.exit_code >= 0) return va.exit_code;
  auto containers = ctx.containers();
  if (!containers) return Fail(containers.error());
  auto c = (*containers)->Get(va.positional[0]);
  if (!c) return Fail(c.error());
  auto changes = (*containers)->Diff(*c);
  if (!changes) return Fail(changes.error());
  for (const auto& ch : *changes) fmt::print("{} /{}\n", ChangeLetter(ch.kind), ch.path);
  std::fflush(stdout);
  Status explained = (*containers)->ExplainDiff(*c, *changes);
  if (!explained.ok()) return Fail(explained);
  return 0;
}

int CmdRm(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("force,f", po::bool_switch(),
                     "Force the removal of a running container")(
      "volumes,v", po::bool_switch(), "Remove anonymous volumes associated with the container");
  VerbArgs va = ParseVerbArgs("rm", "rm [OPTIONS] CONTAINER [CONTAINER...]",
                              "Remove one or more containers", opts, args, 1, -1);
  if (va.exit_code >= 0) return va.exit_code;
  auto containers = ctx.containers();
  if (!containers) return Fail(containers.error());
  int rc = 0;
  for (const auto& name : va.positional) {
    auto c = (*containers)->Get(name);
    Status st = c ? (*containers)->Remove(*c, va.vm["force"].as<bool>()) : c.error();
    if (!st.ok()) {
      rc = Fail(st);
      continue;
    }
    fmt::print("{}\n", name);
  }
  return rc;
}

int CmdContainerPrune(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("force,f", po::bool_switch(), "Do not prompt for confirmation");
  VerbArgs va = ParseVerbArgs("container prune", "container prune [OPTIONS]",
                              "Remove all stopped containers", opts, args, 0, 0);
  if (va.exit_code >= 0) return va.exit_code;
  if (!va.vm["force"].as<bool>() &&
      !Confirm("WARNING! This will remove all stopped containers.")) {
    return 0;
  }
  auto containers = ctx.containers();
  if (!containers) return Fail(containers.error());
  auto report = (*containers)->Prune();
  if (!report) return Fail(report.error());
  if (!report->deleted.empty()) {
    fmt::print("Deleted Containers:\n");
    for (const auto& id : report->deleted) fmt::print("{}\n", id);
    fmt::print("\n");
  }
  fmt::print("Total reclaimed space: {}\n", HumanSize(report->reclaimed, 4));
  return 0;
}

int CmdExport(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("output,o", po::value<std::string>(), "Write to a file");
  VerbArgs va = ParseVerbArgs("export", "export [OPTIONS] CONTAINER",
                              "Export a container's filesystem as a tar archive", opts, args, 1, 1);
  if (va.exit_code >= 0) return va.exit_code;
  if (!va.vm.count("output")) {
    return Fail("cowardly refusing to save to a terminal. Use the -o flag or redirect");
  }
  auto containers = ctx.containers();
  if (!containers) return Fail(containers.error());
  auto c = (*containers)->Get(va.positional[0]);
  if (!c) return Fail(c.error());
  Status st = (*containers)->Export(*c, va.vm["output"].as<std::string>());
  if (!st.ok()) return Fail(st);
  return 0;
}

}  // namespace layerlab::cli
