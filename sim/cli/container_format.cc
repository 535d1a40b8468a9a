// Docker's container columns.
#include "cli/container_format.h"

#include <fmt/format.h>

#include "cli/format.h"

namespace layerlab::cli {

std::string GoQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string StatusText(const ContainerInfo& c, int64_t now) {
  if (c.state == "running") return "Up " + HumanDuration(now - c.started);
  if (c.state == "exited") {
    return fmt::format("Exited ({}) {}", c.exit_code, Ago(c.finished, now));
  }
  return "Created";
}

std::string CommandColumn(const ContainerInfo& c, bool no_trunc) {
  std::string cmd = c.Command();
  return GoQuote(no_trunc ? cmd : Ellipsis(cmd, 20));
}

std::string ImageColumn(const ContainerInfo& c, Images* images, bool no_trunc) {
  auto id = images->Resolve(c.image_name);
  if (id && *id == c.image_id) {
    auto parsed = ParseNormalizedNamed(c.image_name);
    return parsed.ref ? parsed.ref->FamiliarString() : c.image_name;
  }
  return no_trunc ? c.image_id : ShortId(c.image_id);
}

}  // namespace layerlab::cli
