// Docker's output conventions: sizes (go-units, 1 kB = 1000 B), durations ("2 minutes ago"),
// tab-aligned tables (tabwriter: min width 10, padding 3) and --format templates.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "layerlab/usage.h"

namespace layerlab::cli {

using layerlab::HumanSize;  // go-units sizes, shared with the engine's narration
// go-units HumanDuration: "Less than a second", "About a minute", "3 days".
std::string HumanDuration(int64_t seconds);
// "2 minutes ago"
std::string Ago(int64_t unix_time, int64_t now);
// Go's time.Time String() in UTC: "2026-11-28 01:13:09 +0000 UTC".
std::string GoTime(int64_t unix_time);
// stringutils.Ellipsis: at most `max` characters (UTF-8 aware), the last being "…".
std::string Ellipsis(const std::string& s, size_t max);

// Columns separated by tabs in, aligned out (Docker uses text/tabwriter(10, 1, 3, ' ')).
class Table {
 public:
  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  std::string Render() const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

// A --format value: "table ..." (with a header), "json", or a Go-template-like text with
// {{.Field}} placeholders and {{json .}}. Fields are looked up in a map.
class Template {
 public:
  explicit Template(std::string format);
  bool is_table() const { return table_; }
  bool is_json() const { return json_; }
  // Renders one row; unknown fields are an error message in `error`.
  std::string Render(const std::map<std::string, std::string>& fields, std::string* error) const;
  // The header row for a table template: each placeholder's header name.
  std::string Header(const std::map<std::string, std::string>& headers) const;

 private:
  std::string text_;
  bool table_ = false;
  bool json_ = false;
};

// One JSON object with string values, keys sorted (Docker's `--format json`).
std::string JsonObject(const std::map<std::string, std::string>& fields);

// `inspect --format`: the Go-template subset Docker's users type, over an inspect object:
// `{{.Id}}`, `{{.State.Status}}`, `{{json .Config}}`, `{{index .RootFS.Layers 0}}`,
// `{{index .Config.Labels "k"}}`, `{{len .RootFS.Layers}}`. Values print as Go prints them
// (`[a b]`, `map[k:v]`, `<no value>`); anything else is an error naming the action.
std::string RenderInspectTemplate(const std::string& tmpl, const nlohmann::json& object,
                                  std::string* error);

}  // namespace layerlab::cli
