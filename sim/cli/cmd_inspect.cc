// `layerlab image inspect IMAGE...` (and `inspect`): Docker's JSON array.
#include <fmt/format.h>

#include "cli/args.h"
#include "cli/verbs.h"

namespace layerlab::cli {

int CmdImageInspect(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  VerbArgs va = ParseVerbArgs("image inspect", "image inspect IMAGE [IMAGE...]",
                              "Display detailed information on one or more images", opts, args, 1,
                              -1);
  if (va.exit_code >= 0) return va.exit_code;
  auto images = ctx.images();
  if (!images) return Fail(images.error());
  auto json = (*images)->InspectJson(va.positional);
  if (!json) {
    fmt::print("[]\n");
    return Fail(json.error());
  }
  fmt::print("{}\n", *json);
  return 0;
}

}  // namespace layerlab::cli
