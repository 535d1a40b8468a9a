// `layerlab dockerfile parse FILE [--json]`: the parse tree, per instruction its keyword, flags,
// arguments as split, heredocs and lines. For teaching, and to compare with BuildKit's parser.
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "cli/args.h"
#include "cli/verbs.h"
#include "layerlab/dockerfile.h"

namespace layerlab::cli {

int CmdDockerfile(Context& ctx, const std::vector<std::string>& args) {
  (void)ctx;
  if (args.empty() || args[0] != "parse") {
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
      fmt::print("\nUsage:  layerlab dockerfile parse FILE [--json]\n\n"
                 "Print how a Dockerfile parses: one line per instruction\n");
      return 0;
    }
    return UsageError("dockerfile", "\"layerlab dockerfile\" requires a subcommand: parse");
  }
  po::options_description opts("Options");
  opts.add_options()("json", po::bool_switch(), "Print the parse tree as JSON");
  std::vector<std::string> rest(args.begin() + 1, args.end());
  VerbArgs va = ParseVerbArgs("dockerfile parse", "dockerfile parse FILE [--json]",
                              "Print how a Dockerfile parses", opts, rest, 1, 1);
  if (va.exit_code >= 0) return va.exit_code;
  const std::string& path = va.positional[0];
  std::string text;
  if (path == "-") {
    std::stringstream ss;
    ss << std::cin.rdbuf();
    text = ss.str();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Fail(fmt::format("open `{}`: {}", path, std::strerror(errno)));
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  auto df = ParseDockerfile(text, path == "-" ? "Dockerfile" : path);
  if (!df) return Fail(df.error());
  for (const auto& w : df->warnings) fmt::print(stderr, "WARNING: {}\n", w);
  fmt::print("{}", va.vm["json"].as<bool>() ? DockerfileToJson(*df) : DockerfileToText(*df));
  return 0;
}

}  // namespace layerlab::cli
