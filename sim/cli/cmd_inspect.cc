// `layerlab image inspect IMAGE...` (and `inspect`): Docker's JSON array.
#include <fmt/format.h>

#include "cli/args.h"
#include "cli/format.h"
#include "cli/verbs.h"

namespace layerlab::cli {

int PrintInspected(const std::string& json_array, const std::string& format) {
  if (format.empty()) {
    fmt::print("{}\n", json_array);
    return 0;
  }
  auto all = nlohmann::json::parse(json_array, nullptr, false);
  if (!all.is_array()) return Fail("inspect: not a JSON array");
  for (const auto& object : all) {
    std::string error;
    std::string line = RenderInspectTemplate(format, object, &error);
    if (!error.empty()) return Fail(error);
    fmt::print("{}\n", line);
  }
  return 0;
}

int CmdImageInspect(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("format,f", po::value<std::string>()->default_value(""),
                     "Format output using a Go template: {{.Id}}, {{json .Config}}, "
                     "{{index .RootFS.Layers 0}}, {{len .RootFS.Layers}}");
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
  return PrintInspected(*json, va.vm["format"].as<std::string>());
}

}  // namespace layerlab::cli
