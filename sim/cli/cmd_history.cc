// `layerlab history IMAGE`: one row per history entry, newest first, with each layer's size.
#include <ctime>

#include <fmt/format.h>

#include "cli/args.h"
#include "cli/format.h"
#include "cli/verbs.h"

namespace layerlab::cli {

int CmdHistory(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("human,H", po::value<bool>()->default_value(true)->implicit_value(true),
                     "Print sizes and dates in human readable format")(
      "no-trunc", po::bool_switch(), "Don't truncate output")("quiet,q", po::bool_switch(),
                                                              "Only show image IDs");
  // -H/--human is a bool flag that takes a value only as `-H=false`; Boost would eat the next
  // word as its value, so spell the bare flag out first.
  std::vector<std::string> fixed;
  for (const auto& a : args) {
    if (a == "-H" || a == "--human") {
      fixed.push_back("--human=true");
    } else if (a.rfind("-H=", 0) == 0) {
      fixed.push_back("--human=" + a.substr(3));
    } else {
      fixed.push_back(a);
    }
  }
  VerbArgs va = ParseVerbArgs("history", "history [OPTIONS] IMAGE", "Show the history of an image",
                              opts, fixed, 1, 1);
  if (va.exit_code >= 0) return va.exit_code;
  auto images = ctx.images();
  if (!images) return Fail(images.error());
  auto rows = (*images)->History(va.positional[0]);
  if (!rows) return Fail(rows.error());
  bool no_trunc = va.vm["no-trunc"].as<bool>(), human = va.vm["human"].as<bool>();
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  auto id_of = [&](const HistoryRow& r) {
    if (r.image_id.empty()) return std::string("<missing>");
    return no_trunc ? r.image_id : ShortId(r.image_id);
  };
  if (va.vm["quiet"].as<bool>()) {
    for (const auto& r : *rows) fmt::print("{}\n", id_of(r));
    return 0;
  }
  Table t;
  t.AddRow({"IMAGE", human ? "CREATED" : "CREATED AT", "CREATED BY", "SIZE", "COMMENT"});
  for (const auto& r : *rows) {
    std::string by = r.created_by;
    if (!no_trunc) by = Ellipsis(by, 45);
    t.AddRow({id_of(r), human ? Ago(r.created, now) : FormatRfc3339(r.created), by,
              human ? HumanSize(r.size) : std::to_string(r.size), r.comment});
  }
  fmt::print("{}", t.Render());
  return 0;
}

}  // namespace layerlab::cli
