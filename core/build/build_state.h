// The builder's private types: stages of a Dockerfile, the state of one stage while it builds,
// and the steps that change it. Private to core/build.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "layerlab/builder.h"
#include "layerlab/dockerignore.h"
#include "layerlab/shell_lex.h"

namespace layerlab::build {

struct Stage {
  std::string name;  // lowercase `AS` name, or ""
  int index = 0;
  const DockerfileNode* from = nullptr;
  std::vector<const DockerfileNode*> body;
};

struct Plan {
  std::vector<const DockerfileNode*> meta_args;  // ARGs before the first FROM
  std::vector<Stage> stages;
};

// Splits the instructions into stages. Error: an instruction other than ARG before FROM.
Result<Plan> SplitStages(const Dockerfile& df);

// What a stage is while it builds: the image so far (every step commits one).
struct StageState {
  std::string image_id;  // "" = nothing committed yet (FROM scratch)
  ImageConfig config;
  std::vector<NewLayer> layers;
  // ARGs declared in this stage, in order, with their values (nullopt: declared, no value).
  std::vector<std::pair<std::string, std::optional<std::string>>> args;
  bool rebuilt = false;  // an earlier step of this stage missed the cache
  bool cmd_set = false;  // CMD given in this stage (else ENTRYPOINT resets the base's CMD)
};

// Variables for word expansion: build args, then ENV (ENV wins over ARG).
ShellEnv ExpansionEnv(const StageState& s);

// A step's cache identity.
struct CacheKey {
  std::string instruction;  // as the history shows it
  std::string sources = "{}";  // JSON {path: digest}
  std::string args = "{}";     // JSON {name: value}
  std::string Hash() const;
};

std::string Join(const std::vector<std::string>& v, const std::string& sep = " ");
std::string Upper(std::string s);

// Go's %q of a string (strconv.Quote, for ASCII).
std::string GoQuote(const std::string& s);

// Go's %q of a list, as BuildKit writes CMD/ENTRYPOINT in history: ["a" "b"].
std::string GoQuoteList(const std::vector<std::string>& v);

// Go's `map[80/tcp:{} 443/tcp:{}]` of a set.
std::string GoMapSet(std::vector<std::string> keys);

// "Y changed", "Y added", "Y removed" between two sources manifests (JSON), "" when equal.
std::string DescribeSourceChange(const std::string& before, const std::string& after);

// Sources of a COPY/ADD: the context (or another stage's files) and what to leave out.
struct CopySource {
  std::string root;                      // a directory on the host
  const PatternMatcher* ignore = nullptr;  // .dockerignore, for the context only
};

struct CopyRequest {
  std::vector<std::string> sources;  // after expansion; may hold wildcards
  std::string dest;                  // after expansion, absolute
  bool dest_dir = false;             // dest ends with "/" (or several sources)
  std::string chown;                 // --chown USER[:GROUP] ("" = 0:0)
  int chmod = -1;                    // --chmod
  bool add = false;                  // ADD: local tar archives are extracted
  std::vector<Heredoc> heredocs;     // COPY <<EOF /path
  std::string instruction;           // for errors
};

// The files a request would copy, as a manifest JSON {path: digest} (for the cache key).
// Errors name the source that matched nothing.
Result<std::string> SourcesManifest(const CopySource& src, const CopyRequest& req,
                                    const ShellEnv& env);

// Parses a duration like Docker's HEALTHCHECK flags ("30s", "1m30s", "500ms") into ns.
Result<int64_t> ParseGoDuration(const std::string& s);

}  // namespace layerlab::build
