// `layerlab commit [-m MSG] [-a AUTHOR] [-c INSTRUCTION] CONTAINER [REPOSITORY[:TAG]]`.
#include <fmt/format.h>

#include "cli/args.h"
#include "cli/verbs.h"

namespace layerlab::cli {

int CmdCommit(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("author,a", po::value<std::string>()->default_value(""),
                     "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")")(
      "change,c", po::value<std::vector<std::string>>(),
      "Apply Dockerfile instruction to the created image")(
      "message,m", po::value<std::string>()->default_value(""), "Commit message")(
      "pause,p", po::value<bool>()->default_value(true)->implicit_value(true),
      "Pause container during commit");
  VerbArgs va = ParseVerbArgs("commit", "commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
                              "Create a new image from a container's changes", opts, args, 1, 2);
  if (va.exit_code >= 0) return va.exit_code;
  auto containers = ctx.containers();
  if (!containers) return Fail(containers.error());
  auto c = (*containers)->Get(va.positional[0]);
  if (!c) return Fail(c.error());
  CommitOptions o;
  o.message = va.vm["message"].as<std::string>();
  o.author = va.vm["author"].as<std::string>();
  if (va.vm.count("change")) o.changes = va.vm["change"].as<std::vector<std::string>>();
  if (va.positional.size() > 1) o.reference = va.positional[1];
  auto id = (*containers)->Commit(*c, o);
  if (!id) return Fail(id.error());
  fmt::print("{}\n", *id);
  return 0;
}

}  // namespace layerlab::cli
