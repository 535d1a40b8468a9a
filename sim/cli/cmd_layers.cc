// `layerlab layers IMAGE [--path P] [--json]`: each layer's files with the instruction that made
// them, wasted bytes and dive's efficiency score; --path: which instruction added, changed or
// deleted a file.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/format.h"
#include "cli/verbs.h"
#include "layerlab/digest.h"
#include "layerlab/layer_report.h"

namespace layerlab::cli {

namespace {

const char* ChangeWord(char c) {
  return c == 'A' ? "added" : c == 'C' ? "changed" : "deleted";
}

std::string Shown(const std::string& created_by) {
  return created_by.empty() ? "<missing history>" : created_by;
}

nlohmann::ordered_json ReportJson(const LayerReport& r) {
  nlohmann::ordered_json j;
  j["image"] = r.image_id;
  j["virtual_size"] = r.total_size;
  j["wasted_bytes"] = r.wasted_bytes;
  j["efficiency"] = r.efficiency;
  auto layers = nlohmann::ordered_json::array();
  for (const auto& l : r.layers) {
    auto files = nlohmann::ordered_json::array();
    for (const auto& f : l.files) {
      nlohmann::ordered_json fj = {{"path", f.path},
                                   {"change", std::string(1, f.change)},
                                   {"type", std::string(1, f.type)},
                                   {"size", f.size}};
      if (f.opaque) fj["opaque"] = true;
      files.push_back(fj);
    }
    layers.push_back({{"index", l.index},
                      {"diff_id", l.diff_id},
                      {"created_by", l.created_by},
                      {"size", l.size},
                      {"files", files}});
  }
  j["layers"] = layers;
  auto wasted = nlohmann::ordered_json::array();
  for (const auto& w : r.wasted) {
    wasted.push_back({{"path", w.path}, {"count", w.count}, {"total_size", w.total_size}});
  }
  j["inefficient"] = wasted;
  return j;
}

}  // namespace

int CmdLayers(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("path", po::value<std::string>(),
                     "Which instruction added, changed or deleted this path")(
      "json", po::bool_switch(), "Print JSON");
  VerbArgs va = ParseVerbArgs("layers", "layers [OPTIONS] IMAGE",
                              "Show each layer's files, what later layers waste, and where a "
                              "file came from",
                              opts, args, 1, 1);
  if (va.exit_code >= 0) return va.exit_code;
  auto store = ctx.store();
  auto images = ctx.images();
  if (!store || !images) return Fail(!store ? store.error() : images.error());
  auto report = ReportLayers(*store, *images, va.positional[0]);
  if (!report) return Fail(report.error());
  bool json = va.vm["json"].as<bool>();
  if (va.vm.count("path")) {
    std::string path = va.vm["path"].as<std::string>();
    auto events = PathHistory(*report, path);
    if (json) {
      auto arr = nlohmann::ordered_json::array();
      for (const auto& e : events) {
        arr.push_back({{"layer", e.layer},
                       {"diff_id", e.diff_id},
                       {"created_by", e.created_by},
                       {"change", std::string(1, e.change)},
                       {"size", e.size}});
      }
      fmt::print("{}\n", nlohmann::ordered_json{{"path", path}, {"events", arr}}.dump(2));
      return 0;
    }
    if (events.empty()) {
      fmt::print("{}: in no layer of {}\n", path, va.positional[0]);
      return 1;
    }
    fmt::print("{}:\n", path);
    for (const auto& e : events) {
      fmt::print("  layer {:<3} {}  {:<8} {:>8}  {}\n", e.layer, ShortId(e.diff_id),
                 ChangeWord(e.change), HumanSize(e.size), Shown(e.created_by));
    }
    return 0;
  }
  if (json) {
    fmt::print("{}\n", ReportJson(*report).dump(2));
    return 0;
  }
  fmt::print("Image {}: {} layer(s), virtual size {}\n", ShortId(report->image_id),
             report->layers.size(), HumanSize(report->total_size));
  for (const auto& l : report->layers) {
    fmt::print("\nLayer {}  {}  {}  {}\n", l.index, ShortId(l.diff_id), HumanSize(l.size),
               Shown(l.created_by));
    for (const auto& f : l.files) {
      std::string shown = f.path + (f.type == 'd' ? "/" : "");
      fmt::print("  {}  {:<60} {:>8}{}\n", f.change, shown,
                 f.type == 'd' && f.change != 'D' ? "" : HumanSize(f.size),
                 f.opaque ? "  (opaque: hides lower layers)" : "");
    }
  }
  fmt::print("\nImage efficiency score: {:.0f} %\n", report->efficiency * 100);
  fmt::print("Potential wasted space: {}\n", HumanSize(report->wasted_bytes));
  if (!report->wasted.empty()) {
    fmt::print("Inefficient files:\n{:<7}{:<15}{}\n", "Count", "Wasted Space", "File Path");
    for (const auto& w : report->wasted) {
      fmt::print("{:<7}{:<15}{}\n", w.count, HumanSize(w.total_size), w.path);
    }
  }
  return 0;
}

}  // namespace layerlab::cli
