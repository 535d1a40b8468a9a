// `layerlab tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]`: a new name for an image (no copy).
#include "cli/args.h"
#include "cli/verbs.h"

namespace layerlab::cli {

int CmdTag(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  VerbArgs va = ParseVerbArgs("tag", "tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
                              "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", opts, args,
                              2, 2);
  if (va.exit_code >= 0) return va.exit_code;
  auto images = ctx.images();
  if (!images) return Fail(images.error());
  Status st = (*images)->Tag(va.positional[0], va.positional[1]);
  if (!st.ok()) return Fail(st);
  return 0;
}

}  // namespace layerlab::cli
