// `layerlab ps [-a] [-q] [-s] [--no-trunc] [--filter K=V] [--format T]`: Docker's container list.
#include <ctime>
#include <set>

#include <fmt/format.h>

#include "cli/args.h"
#include "cli/container_format.h"
#include "cli/format.h"
#include "cli/verbs.h"
#include "layerlab/usage.h"

namespace layerlab::cli {

int CmdPs(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("all,a", po::bool_switch(), "Show all containers (default shows just running)")(
      "filter,f", po::value<std::vector<std::string>>(), "Filter output based on conditions provided")(
      "format", po::value<std::string>(), "Format output using a custom template")(
      "no-trunc", po::bool_switch(), "Don't truncate output")(
      "quiet,q", po::bool_switch(), "Only display container IDs")(
      "size,s", po::bool_switch(), "Display total file sizes");
  VerbArgs va = ParseVerbArgs("ps", "ps [OPTIONS]", "List containers", opts, args, 0, 0);
  if (va.exit_code >= 0) return va.exit_code;
  bool all = va.vm["all"].as<bool>(), no_trunc = va.vm["no-trunc"].as<bool>();
  bool size = va.vm["size"].as<bool>(), quiet = va.vm["quiet"].as<bool>();
  std::vector<std::pair<std::string, std::string>> filters;
  if (va.vm.count("filter")) {
    for (const auto& f : va.vm["filter"].as<std::vector<std::string>>()) {
      size_t eq = f.find('=');
      if (eq == std::string::npos) return Fail("bad format of filter (expected name=value)");
      std::string key = f.substr(0, eq), value = f.substr(eq + 1);
      if (key != "status" && key != "name" && key != "id" && key != "ancestor") {
        return Fail(fmt::format("invalid filter '{}'", key));
      }
      if (key == "status" && value != "created" && value != "running" && value != "exited" &&
          value != "paused" && value != "restarting" && value != "removing" && value != "dead") {
        return Fail(fmt::format("invalid filter 'status={}'", value));
      }
      if (key == "status") all = true;  // Docker: a status filter looks at every container
      filters.push_back({key, value});
    }
  }
  auto containers = ctx.containers();
  if (!containers) return Fail(containers.error());
  Images* images = *ctx.images();
  auto list = (*containers)->List();
  if (!list) return Fail(list.error());
  std::string default_cols =
      "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
  if (size) default_cols += "\t{{.Size}}";
  Template tmpl(quiet ? "{{.ID}}"
                      : va.vm.count("format") ? va.vm["format"].as<std::string>()
                                              : "table " + default_cols);
  if (!quiet && va.vm.count("format") && va.vm["format"].as<std::string>() == "table") {
    tmpl = Template("table " + default_cols);
  }
  const std::map<std::string, std::string> headers = {
      {"ID", "CONTAINER ID"}, {"Image", "IMAGE"},   {"Command", "COMMAND"},
      {"RunningFor", "CREATED"}, {"CreatedAt", "CREATED AT"}, {"Status", "STATUS"},
      {"Ports", "PORTS"},     {"Names", "NAMES"},   {"Size", "SIZE"},
      {"State", "STATE"},     {"Mounts", "MOUNTS"}, {"Networks", "NETWORKS"},
      {"Labels", "LABELS"}};
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  Table table;
  std::string lines;
  auto cells = [](const std::string& line) {
    std::vector<std::string> out;
    size_t p = 0;
    for (size_t t; (t = line.find('\t', p)) != std::string::npos; p = t + 1) {
      out.push_back(line.substr(p, t - p));
    }
    out.push_back(line.substr(p));
    return out;
  };
  if (tmpl.is_table()) table.AddRow(cells(tmpl.Header(headers)));
  std::set<std::string> shown;  // for --explain
  for (const auto& c : *list) {
    if (!all && c.state != "running") continue;
    bool keep = true;
    for (const auto& [k, v] : filters) {
      if (k == "status") keep = keep && c.state == v;
      if (k == "name") keep = keep && c.name.find(v) != std::string::npos;
      if (k == "id") keep = keep && c.id.rfind(v, 0) == 0;
      if (k == "ancestor") {
        // The image or any image it was built on (Docker: "created from an image or a
        // descendant").
        auto id = images->Resolve(v);
        bool found = false;
        std::string cur = c.image_id;
        for (int guard = 0; id && !cur.empty() && guard < 1000 && !found; ++guard) {
          found = cur == *id;
          auto img = images->Get(cur);
          cur = img ? img->parent : "";
        }
        keep = keep && found;
      }
    }
    if (!keep) continue;
    shown.insert(c.id);
    std::string size_text;
    bool wants_size = size || tmpl.is_json() ||
                      (va.vm.count("format") &&
                       va.vm["format"].as<std::string>().find(".Size") != std::string::npos);
    if (wants_size) {
      auto rw = (*containers)->WritableSize(c);
      if (!rw) return Fail(rw.error());
      auto img = images->Get(c.image_id);
      int64_t virt = *rw + (img ? img->size : 0);
      size_text = fmt::format("{} (virtual {})", HumanSize(*rw), HumanSize(virt));
    }
    std::map<std::string, std::string> f = {
        {"ID", no_trunc ? c.id : c.id.substr(0, 12)},
        {"Image", ImageColumn(c, images, no_trunc)},
        {"Command", CommandColumn(c, no_trunc)},
        {"CreatedAt", GoTime(c.created)},
        {"RunningFor", Ago(c.created, now)},
        {"Status", StatusText(c, now)},
        {"State", c.state},
        {"Ports", ""},
        {"Names", c.name},
        {"Size", size_text},
        {"Mounts", ""},
        {"Networks", ""},
        {"Labels", ""}};
    std::string error;
    std::string line = tmpl.Render(f, &error);
    if (!error.empty()) return Fail(error);
    if (tmpl.is_table()) {
      table.AddRow(cells(line));
    } else {
      lines += line + "\n";
    }
  }
  fmt::print("{}", tmpl.is_table() ? table.Render() : lines);
  std::fflush(stdout);
  Store* store = *ctx.store();
  if (store->tracer().enabled()) {  // SIZE is the writable layer; virtual adds the image's
    auto usage = ComputeUsage(store, *containers);
    if (!usage) return Fail(usage.error());
    std::erase_if(usage->containers,
                  [&](const ContainerUsage& cu) { return !shown.count(cu.container.id); });
    ExplainUsage(store->tracer(), *usage, "containers");
  }
  return 0;
}

}  // namespace layerlab::cli
