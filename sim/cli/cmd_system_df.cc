// `layerlab system df [-v]`: disk usage of images (layers counted once), containers' writable
// layers, with SHARED and UNIQUE sizes per image computed as Docker does.
#include <ctime>
#include <map>
#include <set>

#include <fmt/format.h>

#include "cli/args.h"
#include "cli/container_format.h"
#include "cli/format.h"
#include "cli/verbs.h"

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
  auto imgs = store->ListImages();
  if (!imgs) return Fail(imgs.error());
  auto ctrs = (*containers)->List();
  if (!ctrs) return Fail(ctrs.error());

  // A layer (chain) is shared when more than one image uses it.
  std::map<std::string, int> users;
  std::map<std::string, int64_t> layer_size;
  for (const auto& img : *imgs) {
    for (const auto& l : img.layers) {
      ++users[l.chain_id];
      layer_size[l.chain_id] = l.size;
    }
  }
  int64_t total_images = 0;
  for (const auto& [chain, size] : layer_size) total_images += size;
  std::map<std::string, int> ctr_count;
  for (const auto& c : *ctrs) ++ctr_count[c.image_id];
  struct ImageUse {
    int64_t shared = 0, unique = 0;
  };
  std::map<std::string, ImageUse> use;
  int64_t used = 0;
  int active = 0;
  for (const auto& img : *imgs) {
    ImageUse u;
    for (const auto& l : img.layers) (users[l.chain_id] > 1 ? u.shared : u.unique) += l.size;
    use[img.id] = u;
    if (ctr_count[img.id] > 0) {
      ++active;
      used += u.unique;  // what Docker counts as in use: the image's unique size
    }
  }
  std::map<std::string, int64_t> rw;
  int64_t ctr_total = 0, ctr_reclaimable = 0;
  int running = 0;
  for (const auto& c : *ctrs) {
    auto s = (*containers)->WritableSize(c);
    rw[c.id] = s ? *s : 0;
    ctr_total += rw[c.id];
    if (c.state == "running") {
      ++running;
    } else {
      ctr_reclaimable += rw[c.id];
    }
  }
  if (!va.vm["verbose"].as<bool>()) {
    Table t;
    t.AddRow({"TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"});
    t.AddRow({"Images", std::to_string(imgs->size()), std::to_string(active),
              HumanSize(total_images, 4), WithPercent(total_images - used, total_images)});
    t.AddRow({"Containers", std::to_string(ctrs->size()), std::to_string(running),
              HumanSize(ctr_total, 4), WithPercent(ctr_reclaimable, ctr_total)});
    t.AddRow({"Local Volumes", "0", "0", "0B", "0B"});
    t.AddRow({"Build Cache", "0", "0", "0B", "0B"});
    fmt::print("{}", t.Render());
    return 0;
  }
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  Table it;
  it.AddRow({"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE", "UNIQUE SIZE",
             "CONTAINERS"});
  for (const auto& img : *imgs) {
    std::vector<std::pair<std::string, std::string>> names;
    for (const auto& t : img.tags) names.push_back({t.repository, t.tag});
    if (names.empty()) names.push_back({"<none>", "<none>"});
    for (const auto& [repo, tag] : names) {
      it.AddRow({repo, tag, ShortId(img.id), Ago(img.created, now), HumanSize(img.size),
                 HumanSize(use[img.id].shared), HumanSize(use[img.id].unique),
                 std::to_string(ctr_count[img.id])});
    }
  }
  Table ct;
  ct.AddRow({"CONTAINER ID", "IMAGE", "COMMAND", "LOCAL VOLUMES", "SIZE", "CREATED", "STATUS",
             "NAMES"});
  for (const auto& c : *ctrs) {
    ct.AddRow({c.id.substr(0, 12), ImageColumn(c, images), CommandColumn(c, false), "0",
               HumanSize(rw[c.id]), Ago(c.created, now), StatusText(c, now), c.name});
  }
  fmt::print("Images space usage:\n\n{}\nContainers space usage:\n\n{}\n"
             "Local Volumes space usage:\n\nVOLUME NAME   LINKS     SIZE\n\n"
             "Build cache usage: 0B\n\n"
             "CACHE ID   CACHE TYPE   SIZE      CREATED   LAST USED   USAGE     SHARED\n",
             it.Render(), ct.Render());
  return 0;
}

}  // namespace layerlab::cli
