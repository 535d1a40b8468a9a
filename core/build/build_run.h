// One build in progress: the stages, their states, the step counter. Private to core/build.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "build/build_state.h"

namespace layerlab::build {

class BuildRun {
 public:
  BuildRun(Store* store, Images* images, Containers* containers, const BuildOptions& options,
           BuildProgress* progress, const Dockerfile* df, const PatternMatcher* ignore)
      : store_(store), images_(images), containers_(containers), options_(options),
        progress_(progress), df_(df), ignore_(ignore) {}

  Result<BuildResult> Run();

 private:
  // What a step does when the cache misses: returns the new layer, if it made one.
  using Work = std::function<Result<std::optional<WrittenLayer>>(StageState&)>;

  Status BuildStage(const Stage& stage);
  Status From(const Stage& stage, StageState* s);
  Status Dispatch(const Stage& stage, const DockerfileNode& n, StageState* s);
  Status Metadata(const DockerfileNode& n, StageState* s, const ShellEnv& env);
  Status Arg(const DockerfileNode& n, StageState* s, const ShellEnv& env);
  Status Run(const DockerfileNode& n, StageState* s);
  Status Copy(const DockerfileNode& n, StageState* s, const ShellEnv& env);
  Status Workdir(const DockerfileNode& n, StageState* s, const ShellEnv& env);

  // Looks the step up in the cache; on a miss runs `work`, applies `config` and commits.
  // `history`: false for ONBUILD, which BuildKit records in the config only.
  Status Step(const DockerfileNode& n, StageState* s, const CacheKey& key, bool shown,
              const std::function<void(ImageConfig*)>& config, const Work& work,
              bool history = true);
  // The image the stage is at, committing an empty one for FROM scratch when a step needs it.
  Result<std::string> EnsureImage(StageState* s);
  Status LoadImage(const std::string& id, StageState* s);
  std::string MissReason(const StageState& s, const CacheKey& key);
  // A host directory holding another stage's or image's files (COPY --from).
  // The files `sources` name in another stage or image, copied to a host directory at the
  // same relative paths (COPY --from).
  Result<std::string> ExportFrom(const std::string& from, const std::vector<std::string>& sources);
  Result<std::optional<WrittenLayer>> RunInContainer(StageState& s,
                                                     const std::vector<std::string>& argv,
                                                     const std::vector<std::string>& env,
                                                     const std::string& shown);
  Result<std::optional<WrittenLayer>> CopyInto(StageState& s, const CopySource& src,
                                               const CopyRequest& req);
  // The container's changes as a layer (none when it changed nothing); removes the container.
  Result<std::optional<WrittenLayer>> LayerOf(const ContainerInfo& c);
  // Wraps a step's error with its place in the Dockerfile.
  Status Located(const DockerfileNode& n, const Status& st) const;
  std::string StepName(const Stage& stage, const std::string& text) const;
  // Names of the build's own containers: "build-<pid>-<n>", so that a later build can remove
  // those a killed build left behind (RemoveLeftovers).
  std::string TempName();
  void RemoveLeftovers();
  std::string StageLabel(const Stage& stage) const;

  Store* store_;
  Images* images_;
  Containers* containers_;
  const BuildOptions& options_;
  BuildProgress* progress_;
  const Dockerfile* df_;
  const PatternMatcher* ignore_;

  Plan plan_;
  std::map<int, StageState> done_;           // finished stages by index
  std::map<std::string, std::string> meta_;  // ARGs before FROM, with values
  std::set<std::string> meta_declared_;
  std::set<std::string> used_args_;          // --build-arg names something consumed
  std::vector<std::string> temp_dirs_;
  std::map<std::string, std::string> exported_;  // image id + sources -> their files (COPY --from)
  int vertex_ = 3;
  int step_no_ = 0, step_total_ = 0;
  const Stage* stage_ = nullptr;
  int steps_ = 0, cached_ = 0;
  int temp_count_ = 0;
  std::string hidden_miss_;
  std::string display_prefix_;  // "ONBUILD " while a base image's triggers run  // why a metadata step missed, told at the next displayed step
};

}  // namespace layerlab::build
