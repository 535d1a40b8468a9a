// `layerlab image prune [-a] [-f]`: remove dangling images (or, with -a, every unused image).
#include <unistd.h>


#include <fmt/format.h>

#include "cli/args.h"
#include "cli/format.h"
#include "cli/verbs.h"

namespace layerlab::cli {

int CmdImagePrune(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("all,a", po::bool_switch(), "Remove all unused images, not just dangling ones")(
      "force,f", po::bool_switch(), "Do not prompt for confirmation");
  VerbArgs va = ParseVerbArgs("image prune", "image prune [OPTIONS]", "Remove unused images", opts,
                              args, 0, 0);
  if (va.exit_code >= 0) return va.exit_code;
  bool all = va.vm["all"].as<bool>();
  if (!va.vm["force"].as<bool>() &&
      !Confirm(all ? "WARNING! This will remove all images without at least one container "
                     "associated to them."
                   : "WARNING! This will remove all dangling images.")) {
    return 0;
  }
  auto images = ctx.images();
  if (!images) return Fail(images.error());
  auto report = (*images)->Prune(all);
  if (!report) return Fail(report.error());
  if (!report->records.empty()) {
    fmt::print("Deleted Images:\n");
    for (const auto& r : report->records) {
      fmt::print("{}: {}\n", r.kind == RemoveRecord::Kind::kUntagged ? "untagged" : "deleted",
                 r.what);
    }
    fmt::print("\n");
  }
  fmt::print("Total reclaimed space: {}\n", HumanSize(report->reclaimed, 4));
  return 0;
}

}  // namespace layerlab::cli
