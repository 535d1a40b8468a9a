// The build: read and parse the Dockerfile, split it into stages, build the stages the target
// needs in order, each instruction as a cached step, then tag the result.
#include "layerlab/builder.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "build/build_run.h"
#include "build/build_state.h"
#include "layerlab/digest.h"

namespace layerlab {

using build::BuildRun;

namespace {

Result<std::string> ReadText(const std::string& path, const std::string& what) {
  auto text = ReadFileToString(path);
  if (!text) return Status(text.error()).WithContext(fmt::format("read {}", what));
  return text;
}

}  // namespace

Result<BuildResult> Builder::Build(const BuildOptions& options, BuildProgress* progress) {
  struct stat st;
  if (stat(options.context_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument(fmt::format(
        "unable to prepare context: path \"{}\" not found or not a directory", options.context_dir));
  }
  std::string path = options.dockerfile.empty() ? options.context_dir + "/Dockerfile"
                                                : options.dockerfile;
  LL_ASSIGN_OR_RETURN(std::string text, ReadText(path, "Dockerfile"));
  std::string shown = options.dockerfile.empty() ? "Dockerfile" : options.dockerfile;
  LL_ASSIGN_OR_RETURN(Dockerfile df, ParseDockerfile(text, shown));
  std::vector<std::string> patterns;
  std::string ignore_path = options.context_dir + "/.dockerignore";
  if (access(ignore_path.c_str(), F_OK) == 0) {
    LL_ASSIGN_OR_RETURN(std::string ignore_text, ReadText(ignore_path, ".dockerignore"));
    LL_ASSIGN_OR_RETURN(patterns, ParseDockerignore(ignore_text));
  }
  LL_ASSIGN_OR_RETURN(PatternMatcher ignore, PatternMatcher::Create(patterns));
  BuildRun run(store_, images_, containers_, options, progress, &df, &ignore);
  progress->Note(fmt::format("#1 [internal] load build definition from {}", shown));
  progress->Note(fmt::format("#1 transferring dockerfile: {}B done", text.size()));
  progress->Note("#1 DONE 0.0s");
  progress->Note("");
  progress->Note("#2 [internal] load .dockerignore");
  progress->Note(fmt::format("#2 transferring context: {} pattern(s) done", patterns.size()));
  progress->Note("#2 DONE 0.0s");
  progress->Note("");
  progress->Note("#3 [internal] load build context");
  progress->Note(fmt::format("#3 transferring context: {} done", options.context_dir));
  progress->Note("#3 DONE 0.0s");
  progress->Note("");
  for (const auto& w : df.warnings) progress->Note("WARNING: " + w);
  return run.Run();
}

}  // namespace layerlab
