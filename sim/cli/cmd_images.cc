// `layerlab images`: Docker's listing — one row per tag, <none> rows, -a, -q, --digests,
// --no-trunc, --filter dangling=|reference=, --format.
#include <ctime>

#include <fmt/format.h>

#include "cli/args.h"
#include "cli/context.h"
#include "cli/format.h"
#include "cli/verbs.h"
#include "layerlab/usage.h"

namespace layerlab::cli {

namespace {

struct Filters {
  int dangling = -1;  // -1 any, 0 tagged only, 1 untagged only
  std::vector<std::string> references;
};

Result<Filters> ParseFilters(const std::vector<std::string>& specs) {
  Filters f;
  for (const auto& spec : specs) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos) {
      return Status::InvalidArgument(fmt::format("bad format of filter (expected name=value)"));
    }
    std::string key = spec.substr(0, eq), value = spec.substr(eq + 1);
    if (key == "dangling") {
      if (value == "true" || value == "1") {
        f.dangling = 1;
      } else if (value == "false" || value == "0") {
        f.dangling = 0;
      } else {
        return Status::InvalidArgument(
            fmt::format("invalid filter 'dangling={}': expected true or false", value));
      }
    } else if (key == "reference") {
      f.references.push_back(value);
    } else {
      return Status::InvalidArgument(fmt::format("invalid filter '{}'", key));
    }
  }
  return f;
}

}  // namespace

int CmdImages(Context& ctx, const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("all,a", po::bool_switch(), "Show all images (default hides intermediate images)")
      ("digests", po::bool_switch(), "Show digests")
      ("filter,f", po::value<std::vector<std::string>>(), "Filter output based on conditions provided")
      ("format", po::value<std::string>(), "Format output using a custom template: 'table', "
       "'table TEMPLATE', 'json', or a template with {{.Repository}} {{.Tag}} {{.ID}} ...")
      ("no-trunc", po::bool_switch(), "Don't truncate output")
      ("quiet,q", po::bool_switch(), "Only show image IDs");
  VerbArgs va = ParseVerbArgs("images", "images [OPTIONS] [REPOSITORY[:TAG]]", "List images",
                              opts, args, 0, 1);
  if (va.exit_code >= 0) return va.exit_code;
  bool all = va.vm["all"].as<bool>(), quiet = va.vm["quiet"].as<bool>();
  bool no_trunc = va.vm["no-trunc"].as<bool>(), digests = va.vm["digests"].as<bool>();
  auto filters = ParseFilters(va.vm.count("filter")
                                  ? va.vm["filter"].as<std::vector<std::string>>()
                                  : std::vector<std::string>{});
  if (!filters) return Fail(filters.error());
  std::string repo_arg = va.positional.empty() ? "" : va.positional[0];
  std::optional<Reference> repo_ref;
  if (!repo_arg.empty()) {
    auto p = ParseNormalizedNamed(repo_arg);
    if (!p.ref) return Fail(p.message);
    repo_ref = *p.ref;
  }

  auto images_or = ctx.images();
  if (!images_or) return Fail(images_or.error());
  Store* store = *ctx.store();
  auto list = store->ListImages();
  if (!list) return Fail(list.error());

  Template tmpl(va.vm.count("format") ? va.vm["format"].as<std::string>() : "table");
  if (quiet) tmpl = Template("{{.ID}}");
  const std::map<std::string, std::string> headers = {
      {"Repository", "REPOSITORY"}, {"Tag", "TAG"}, {"ID", "IMAGE ID"},
      {"CreatedSince", "CREATED"}, {"CreatedAt", "CREATED AT"}, {"Size", "SIZE"},
      {"Digest", "DIGEST"}, {"VirtualSize", "SIZE"}, {"Containers", "CONTAINERS"},
      {"SharedSize", "SHARED SIZE"}, {"UniqueSize", "UNIQUE SIZE"}};
  std::string default_cols = digests ? "{{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t"
                                       "{{.CreatedSince}}\t{{.Size}}"
                                     : "{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t"
                                       "{{.Size}}";
  if (tmpl.is_table() && va.vm.count("format") &&
      va.vm["format"].as<std::string>() == "table") {
    tmpl = Template("table " + default_cols);
  } else if (!va.vm.count("format") && !quiet) {
    tmpl = Template("table " + default_cols);
  }

  int64_t now = static_cast<int64_t>(std::time(nullptr));
  std::map<std::string, int> shown;  // image id -> rows printed (for --explain)
  Table table;
  std::string lines;
  if (tmpl.is_table()) {
    std::string header = tmpl.Header(headers);
    std::vector<std::string> cells;
    size_t p = 0;
    for (size_t t; (t = header.find('\t', p)) != std::string::npos; p = t + 1) {
      cells.push_back(header.substr(p, t - p));
    }
    cells.push_back(header.substr(p));
    table.AddRow(cells);
  }
  for (const auto& img : *list) {
    auto dangling = (*images_or)->IsDangling(img);
    if (!dangling) return Fail(dangling.error());
    if (img.tags.empty() && !*dangling && !all) continue;  // intermediate image
    if (img.tags.empty() && !all) {
      // A build step's image that no build finished with (say the build failed after it):
      // build cache, listed with -a like other intermediate images.
      auto intermediate = store->IsIntermediate(img.id);
      if (intermediate && *intermediate) continue;
    }
    std::vector<std::pair<std::string, std::string>> rows;  // repository, tag
    if (img.tags.empty()) {
      if (filters->dangling == 0 || !filters->references.empty() || repo_ref) continue;
      rows.push_back({"<none>", "<none>"});
    } else {
      if (filters->dangling == 1) continue;
      for (const auto& t : img.tags) {
        auto parsed = ParseNormalizedNamed(t.name);
        if (!parsed.ref) continue;
        if (repo_ref && (parsed.ref->Name() != repo_ref->Name() ||
                         (repo_ref->tagged() && parsed.ref->tag != repo_ref->tag))) {
          continue;
        }
        bool keep = filters->references.empty();
        for (const auto& pattern : filters->references) {
          auto m = FamiliarMatch(pattern, *parsed.ref);
          if (!m) return Fail(m.error());
          keep = keep || *m;
        }
        if (keep) rows.push_back({t.repository, t.tag});
      }
    }
    shown[img.id] += static_cast<int>(rows.size());
    for (const auto& [repo, tag] : rows) {
      std::string digest = "<none>";
      for (const auto& [name, d] : img.repo_digests) {
        auto p = ParseNormalizedNamed(name);
        if (p.ref && p.ref->FamiliarName() == repo) digest = d;
      }
      std::map<std::string, std::string> f = {
          {"Containers", "N/A"},
          {"CreatedAt", GoTime(img.created)},
          {"CreatedSince", Ago(img.created, now)},
          {"Digest", digest},
          {"ID", no_trunc ? img.id : ShortId(img.id)},
          {"Repository", repo},
          {"SharedSize", "N/A"},
          {"Size", HumanSize(img.size)},
          {"Tag", tag},
          {"UniqueSize", "N/A"},
          {"VirtualSize", HumanSize(img.size, 4)}};
      std::string error;
      std::string line = tmpl.Render(f, &error);
      if (!error.empty()) return Fail(error);
      if (tmpl.is_table()) {
        std::vector<std::string> cells;
        size_t p = 0;
        for (size_t t; (t = line.find('\t', p)) != std::string::npos; p = t + 1) {
          cells.push_back(line.substr(p, t - p));
        }
        cells.push_back(line.substr(p));
        table.AddRow(cells);
      } else {
        lines += line + "\n";
      }
    }
  }
  fmt::print("{}", tmpl.is_table() ? table.Render() : lines);
  std::fflush(stdout);
  if (store->tracer().enabled()) {  // what the SIZE column means, and why it doesn't add up
    auto containers = ctx.containers();
    if (!containers) return Fail(containers.error());
    auto usage = ComputeUsage(store, *containers);
    if (!usage) return Fail(usage.error());
    std::vector<ImageUsage> listed;
    for (auto& iu : usage->images) {
      if (shown[iu.image.id] == 0) continue;
      iu.rows = shown[iu.image.id];
      listed.push_back(iu);
    }
    usage->images = std::move(listed);
    ExplainUsage(store->tracer(), *usage, "images");
  }
  return 0;
}

}  // namespace layerlab::cli
