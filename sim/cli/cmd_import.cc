// `layerlab import FILE [REPOSITORY[:TAG]]`: a rootfs tarball becomes a one-layer image.
#include <fmt/format.h>

#include "cli/args.h"
#include "cli/verbs.h"

namespace layerlab::cli {

int CmdImport(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("message,m", po::value<std::string>()->default_value(""),
                     "Set commit message for imported image");
  VerbArgs va = ParseVerbArgs("import", "import [OPTIONS] file [REPOSITORY[:TAG]]",
                              "Import the contents from a tarball to create a filesystem image",
                              opts, args, 1, 2);
  if (va.exit_code >= 0) return va.exit_code;
  auto images = ctx.images();
  if (!images) return Fail(images.error());
  auto id = (*images)->Import(va.positional[0], va.positional.size() > 1 ? va.positional[1] : "",
                              va.vm["message"].as<std::string>());
  if (!id) return Fail(id.error());
  fmt::print("{}\n", *id);
  return 0;
}

}  // namespace layerlab::cli
