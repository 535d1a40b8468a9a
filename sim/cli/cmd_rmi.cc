// `layerlab rmi [-f] IMAGE...`: untag, then delete what no name, child or container needs.
#include <fmt/format.h>

#include "cli/args.h"
#include "cli/verbs.h"

namespace layerlab::cli {

int CmdRmi(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("force,f", po::bool_switch(), "Force removal of the image")(
      "no-prune", po::bool_switch(), "Do not delete untagged parents");
  VerbArgs va = ParseVerbArgs("rmi", "rmi [OPTIONS] IMAGE [IMAGE...]",
                              "Remove one or more images", opts, args, 1, -1);
  if (va.exit_code >= 0) return va.exit_code;
  auto images = ctx.images();
  if (!images) return Fail(images.error());
  int rc = 0;
  for (const auto& name : va.positional) {
    auto records = (*images)->Remove(name, va.vm["force"].as<bool>());
    if (!records) {
      rc = Fail(records.error());
      continue;
    }
    for (const auto& r : *records) {
      fmt::print("{}: {}\n", r.kind == RemoveRecord::Kind::kUntagged ? "Untagged" : "Deleted",
                 r.what);
    }
  }
  return rc;
}

}  // namespace layerlab::cli
