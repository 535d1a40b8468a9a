// `layerlab dockerfile parse`: the parse tree as JSON (for tools and comparisons with BuildKit)
// and as aligned text (for a class).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "layerlab/dockerfile.h"

namespace layerlab {

namespace {

// What shape the arguments have, named for the JSON and the text.
std::string Form(const DockerfileNode& n) {
  if (n.json) return "exec";
  const std::string& k = n.keyword;
  if (k == "env" || k == "label") return "key_values";
  if (k == "run" || k == "cmd" || k == "entrypoint") return "shell";
  if (k == "healthcheck") return n.args.size() > 1 ? "shell" : "none";
  if (k == "from" || k == "expose" || k == "volume" || k == "copy" || k == "add" || k == "arg") {
    return "words";
  }
  if (k == "onbuild") return "instruction";
  return "string";
}

nlohmann::ordered_json NodeJson(const DockerfileNode& n) {
  nlohmann::ordered_json j;
  j["keyword"] = n.keyword;
  j["flags"] = n.flags;
  j["form"] = Form(n);
  if (n.keyword == "env" || n.keyword == "label") {
    auto kvs = nlohmann::ordered_json::array();
    for (const auto& kv : n.key_values) {
      kvs.push_back({{"key", kv.key}, {"value", kv.value}, {"equals", kv.has_equals}});
    }
    j["key_values"] = kvs;
  } else if (n.trigger) {
    j["trigger"] = NodeJson(*n.trigger);
  } else if (Form(n) == "shell" || Form(n) == "string") {
    if (n.keyword == "healthcheck") {
      j["type"] = n.args.at(0);
      j["args"] = n.args.size() > 1 ? n.args[1] : "";
    } else {
      j["args"] = n.args.empty() ? "" : n.args[0];
    }
  } else if (n.keyword == "healthcheck") {
    j["type"] = n.args.at(0);
    j["args"] = std::vector<std::string>(n.args.begin() + 1, n.args.end());
  } else {
    j["args"] = n.args;
  }
  if (!n.heredocs.empty()) {
    auto hs = nlohmann::ordered_json::array();
    for (const auto& h : n.heredocs) {
      hs.push_back({{"name", h.name},
                    {"content", h.content},
                    {"expand", h.expand},
                    {"chomp", h.chomp},
                    {"fd", h.fd}});
    }
    j["heredocs"] = hs;
  }
  j["start_line"] = n.start_line;
  j["end_line"] = n.end_line;
  j["original"] = n.original;
  return j;
}

std::string ArgsText(const DockerfileNode& n) {
  if (n.trigger) return fmt::format("-> {}", ArgsText(*n.trigger).insert(0, n.trigger->keyword + " "));
  std::string out;
  for (const auto& f : n.flags) out += f + " ";
  if (n.keyword == "env" || n.keyword == "label") {
    for (const auto& kv : n.key_values) {
      out += fmt::format("{}{}{} ", kv.key, kv.has_equals ? "=" : " (no =) ", kv.value);
    }
    if (!out.empty()) out.pop_back();
    return out;
  }
  if (n.json) {
    nlohmann::json a = n.args;
    return out + "exec " + a.dump();
  }
  std::string f = Form(n);
  if (f == "words") {
    nlohmann::json a = n.args;
    return out + "words " + a.dump();
  }
  for (size_t i = 0; i < n.args.size(); ++i) out += (i ? " " : "") + n.args[i];
  return f == "shell" ? "shell " + out : out;
}

}  // namespace

std::string DockerfileToJson(const Dockerfile& df) {
  nlohmann::ordered_json j;
  j["file"] = df.filename;
  j["directives"] = df.directives;
  j["escape"] = std::string(1, df.escape);
  auto nodes = nlohmann::ordered_json::array();
  for (const auto& n : df.nodes) nodes.push_back(NodeJson(n));
  j["instructions"] = nodes;
  j["warnings"] = df.warnings;
  return j.dump(2) + "\n";
}

std::string DockerfileToText(const Dockerfile& df) {
  std::string out;
  for (const auto& [k, v] : df.directives) out += fmt::format("# {}={}\n", k, v);
  for (const auto& n : df.nodes) {
    std::string lines = n.start_line == n.end_line
                            ? std::to_string(n.start_line)
                            : fmt::format("{}-{}", n.start_line, n.end_line);
    out += fmt::format("{:>7}  {:<11} {}\n", lines, n.keyword, ArgsText(n));
    for (const auto& h : n.heredocs) {
      out += fmt::format("{:>7}  {:<11} <<{}{} ({} lines{}{})\n", "", "heredoc", h.chomp ? "-" : "",
                         h.name, std::count(h.content.begin(), h.content.end(), '\n'),
                         h.expand ? "" : ", not expanded", h.fd ? fmt::format(", fd {}", h.fd) : "");
    }
  }
  return out;
}

}  // namespace layerlab
