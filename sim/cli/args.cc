// Verb argument parsing: options anywhere, positionals collected, --help, arity checks.
#include "cli/args.h"

#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "cli/context.h"

namespace layerlab::cli {

VerbArgs ParseVerbArgs(const std::string& verb, const std::string& usage,
                       const std::string& summary, po::options_description options,
                       const std::vector<std::string>& args, int min_pos, int max_pos) {
  VerbArgs out;
  options.add_options()("help,h", "Print usage");
  po::options_description all;
  all.add(options);
  all.add_options()("__positional", po::value<std::vector<std::string>>(), "");
  po::positional_options_description pos;
  pos.add("__positional", -1);
  try {
    po::store(po::command_line_parser(args)
                  .options(all)
                  .positional(pos)
                  .style(po::command_line_style::unix_style ^
                         po::command_line_style::allow_guessing)
                  .run(),
              out.vm);
    po::notify(out.vm);
  } catch (const po::error& e) {
    out.exit_code = UsageError(verb, fmt::format("layerlab {}: {}", verb, e.what()));
    return out;
  }
  if (out.vm.count("help")) {
    std::ostringstream os;
    os << options;
    fmt::print("\nUsage:  layerlab {}\n\n{}\n\n{}", usage, summary, os.str());
    out.exit_code = 0;
    return out;
  }
  if (out.vm.count("__positional")) {
    out.positional = out.vm["__positional"].as<std::vector<std::string>>();
  }
  int n = static_cast<int>(out.positional.size());
  if (n < min_pos || (max_pos >= 0 && n > max_pos)) {
    std::string want = min_pos == max_pos ? fmt::format("exactly {}", min_pos)
                       : max_pos < 0      ? fmt::format("at least {}", min_pos)
                       : min_pos == 0     ? fmt::format("at most {}", max_pos)
                                          : fmt::format("{} to {}", min_pos, max_pos);
    out.exit_code = UsageError(
        verb, fmt::format("\"layerlab {}\" requires {} argument{}.\n\nUsage:  layerlab {}\n\n{}",
                          verb, want, (max_pos == 1 && min_pos == 1) ? "" : "s", usage, summary));
  }
  return out;
}

bool Confirm(const std::string& warning) {
  fmt::print("{}\nAre you sure you want to continue? [y/N] ", warning);
  std::fflush(stdout);
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

}  // namespace layerlab::cli
