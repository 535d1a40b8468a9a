// Parsing one verb's arguments with Boost.Program_options, with Docker's usage errors.
#pragma once

#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace layerlab::cli {

namespace po = boost::program_options;

struct VerbArgs {
  po::variables_map vm;
  std::vector<std::string> positional;
  int exit_code = -1;  // >= 0: stop now with this code (help printed or usage error)
};

// `usage` is the synopsis after "layerlab ", e.g. "images [OPTIONS] [REPOSITORY[:TAG]]".
// Checks that the number of positionals is within [min_pos, max_pos] (max_pos < 0: no limit).
VerbArgs ParseVerbArgs(const std::string& verb, const std::string& usage,
                       const std::string& summary, po::options_description options,
                       const std::vector<std::string>& args, int min_pos, int max_pos);

// Docker's prune prompt: prints the warning and "Are you sure you want to continue? [y/N] ",
// returns whether the answer on stdin was yes.
bool Confirm(const std::string& warning);

}  // namespace layerlab::cli
