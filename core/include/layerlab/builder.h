// The Dockerfile builder: parses, plans the stages, then runs each instruction on the current
// image: RUN in a real container, COPY/ADD through the union, the rest as metadata. Each step's
// result is an image (intermediate, parent = the step before) and a build cache row, so a rebuild
// reuses it and a miss can say why. Not thread-safe; forks (RUN, COPY), so use it from a
// single-threaded process.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "layerlab/containers.h"
#include "layerlab/dockerfile.h"
#include "layerlab/images.h"
#include "layerlab/shell_lex.h"
#include "layerlab/store.h"

namespace layerlab {

struct BuildOptions {
  std::string context_dir;                        // the build context
  std::string dockerfile;                         // path; "" = CONTEXT/Dockerfile
  std::vector<std::string> tags;                  // -t (several allowed)
  std::map<std::string, std::string> build_args;  // --build-arg K=V
  std::string target;                             // --target STAGE
  bool no_cache = false;                          // --no-cache
  int output_fd = 1;  // where RUN output goes, each line prefixed "#N 0.123 "; -1 = discard
};

// One step as the progress display sees it.
struct BuildStep {
  int vertex = 0;           // BuildKit's "#N"
  std::string name;         // "[2/7] RUN make /app" or "[build 1/3] FROM busybox"
  std::string instruction;  // the instruction after expansion
  int line = 0;             // first line in the Dockerfile
  bool cached = false;
  std::string miss_reason;  // why the cache missed ("" when cached, or nothing to cache)
  double seconds = 0;
  std::string image_id;     // the image after this step
  std::string layer;        // the new layer's diff id ("" when none)
  int64_t layer_size = 0;
  int64_t virtual_size = 0;  // the image's layers so far
  bool metadata_only = false;
};

class BuildProgress {
 public:
  virtual ~BuildProgress() = default;
  virtual void Started(const BuildStep& step) = 0;
  // The cache missed and the step will run (step.miss_reason says why; "" when an earlier step
  // of the stage was rebuilt, which is reason enough).
  virtual void Missed(const BuildStep& step) { (void)step; }
  virtual void Finished(const BuildStep& step) = 0;
  // Lines the builder itself says (warnings, "naming to ...").
  virtual void Note(const std::string& line) = 0;
};

struct BuildResult {
  std::string image_id;
  std::vector<std::string> tags;  // normalised names it now has
  int steps = 0;
  int cached = 0;
};

// What a metadata-only instruction (ENV, LABEL, CMD, ENTRYPOINT, EXPOSE, VOLUME, USER,
// STOPSIGNAL, SHELL, HEALTHCHECK, ONBUILD, MAINTAINER) does: the history line BuildKit writes and
// the change to the config. `env` expands variables; `cmd_set`: a CMD was given in this stage
// (else ENTRYPOINT drops the base image's CMD, as Docker does).
struct ConfigChange {
  std::string created_by;
  std::function<void(ImageConfig*)> apply;
};
Result<ConfigChange> MetadataChange(const DockerfileNode& n, const ImageConfig& current,
                                    const ShellEnv& env, char escape, bool cmd_set);

// `commit --change 'CMD ["x"]'`: one Dockerfile line applied to a config (the instructions Docker
// allows there: CMD ENTRYPOINT ENV EXPOSE LABEL ONBUILD USER VOLUME WORKDIR STOPSIGNAL).
Status ApplyChangeLine(const std::string& line, ImageConfig* cfg);

class Builder {
 public:
  Builder(Store* store, Images* images, Containers* containers)
      : store_(store), images_(images), containers_(containers) {}
  // Builds and tags. Failure: InvalidArgument for Dockerfile errors (file:line: message and a
  // caret), or the failing step's error (`process "/bin/sh -c false" did not complete
  // successfully: exit code: 1`). Steps finished before a failure stay in the cache; no tag moves
  // and no final image is recorded.
  Result<BuildResult> Build(const BuildOptions& options, BuildProgress* progress);

 private:
  Store* store_;
  Images* images_;
  Containers* containers_;
};

}  // namespace layerlab
