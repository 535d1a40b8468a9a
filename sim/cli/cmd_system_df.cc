// `layerlab system df [-v]`: disk usage of images (layers counted once), containers' writable
// layers, with SHARED and UNIQUE sizes per image computed as Docker does.
#include <ctime>

#include <fmt/format.h>

#include "cli/args.h"
#include "cli/container_format.h"
#include "cli/format.h"
#include "cli/verbs.h"
#include "layerlab/usage.h"

namespace layerlab::cli {

namespace {

std::string WithPercent(int64_t part, int64_t total) {
  if (total <= 0) return HumanSize(part, 4);
  return fmt::format("{} ({}%)", HumanSize(part, 4), part * 100 / total);
}

}  // namespace

int CmdSystemDf(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("verbose,v", po::bool_switch(), "Show detailed information on space usage");
  VerbArgs va = ParseVerbArgs("system df", "system df [OPTIONS]", "Show layerlab disk usage",
                              opts, args, 0, 0);
  if (va.exit_code >= 0) return va.exit_code;
  auto containers = ctx.containers();
  if (!containers) return Fail(containers.error());
  Images* images = *ctx.images();
  Store* store = *ctx.store();
  auto usage = ComputeUsage(store, *containers);
  if (!usage) return Fail(usage.error());
  ExplainUsage(store->tracer(), *usage, "all");
  if (!va.vm["verbose"].as<bool>()) {
    Table t;
    t.AddRow({"TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"});
    t.AddRow({"Images", std::to_string(usage->images.size()),
              std::to_string(usage->active_images), HumanSize(usage->layers_on_disk, 4),
              WithPercent(usage->layers_on_disk - usage->in_use, usage->layers_on_disk)});
    t.AddRow({"Containers", std::to_string(usage->containers.size()),
              std::to_string(usage->running), HumanSize(usage->writable_total, 4),
              WithPercent(usage->writable_reclaimable, usage->writable_total)});
    t.AddRow({"Local Volumes", "0", "0", "0B", "0B"});
    t.AddRow({"Build Cache", "0", "0", "0B", "0B"});
    fmt::print("{}", t.Render());
    return 0;
  }
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  Table it;
  it.AddRow({"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE", "UNIQUE SIZE",
             "CONTAINERS"});
  for (const auto& iu : usage->images) {
    const ImageRecord& img = iu.image;
    std::vector<std::pair<std::string, std::string>> names;
    for (const auto& t : img.tags) names.push_back({t.repository, t.tag});
    if (names.empty()) names.push_back({"<none>", "<none>"});
    for (const auto& [repo, tag] : names) {
      it.AddRow({repo, tag, ShortId(img.id), Ago(img.created, now), HumanSize(img.size),
                 HumanSize(iu.shared), HumanSize(iu.unique), std::to_string(iu.containers)});
    }
  }
  Table ct;
  ct.AddRow({"CONTAINER ID", "IMAGE", "COMMAND", "LOCAL VOLUMES", "SIZE", "CREATED", "STATUS",
             "NAMES"});
  for (const auto& cu : usage->containers) {
    const ContainerInfo& c = cu.container;
    ct.AddRow({c.id.substr(0, 12), ImageColumn(c, images), CommandColumn(c, false), "0",
               HumanSize(cu.writable), Ago(c.created, now), StatusText(c, now), c.name});
  }
  fmt::print("Images space usage:\n\n{}\nContainers space usage:\n\n{}\n"
             "Local Volumes space usage:\n\nVOLUME NAME   LINKS     SIZE\n\n"
             "Build cache usage: 0B\n\n"
             "CACHE ID   CACHE TYPE   SIZE      CREATED   LAST USED   USAGE     SHARED\n",
             it.Render(), ct.Render());
  return 0;
}

}  // namespace layerlab::cli
