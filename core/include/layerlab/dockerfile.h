// The Dockerfile parser: BuildKit's syntax (parser directives, comments, continuations with the
// escape character, exec and shell forms, --flags, heredocs, ONBUILD) turned into a tree of
// nodes, one per instruction, each knowing its first and last line. Pure; thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "layerlab/status.h"

namespace layerlab {

// A here-document (`RUN <<EOF` ... `EOF`). Content keeps its lines, each ending in "\n".
struct Heredoc {
  std::string name;     // the delimiter, quotes removed
  std::string content;  // as written (leading tabs are removed later when chomp)
  bool expand = true;   // false when the delimiter was quoted: no $VAR expansion inside
  bool chomp = false;   // `<<-EOF`: leading tabs stripped
  unsigned fd = 0;      // `3<<EOF`
};

struct KeyValue {
  std::string key;
  std::string value;
  bool has_equals = true;  // `ENV K=V` (true) vs the legacy `ENV K V` (false)
};

// One instruction as the parser split it, before any variable expansion.
struct DockerfileNode {
  std::string keyword;            // lowercase: "run", "copy", ...
  std::string original;           // the instruction's text, continuations joined
  std::vector<std::string> flags;  // "--from=build", as written
  bool json = false;              // exec form (a JSON array)
  // Exec form: the list. Shell form (RUN CMD ENTRYPOINT SHELL, HEALTHCHECK CMD): one string.
  // FROM EXPOSE VOLUME COPY ADD (shell form) ARG: words. Others: one string.
  std::vector<std::string> args;
  std::vector<KeyValue> key_values;  // ENV and LABEL
  std::vector<Heredoc> heredocs;
  std::shared_ptr<DockerfileNode> trigger;  // ONBUILD's instruction
  int start_line = 0;
  int end_line = 0;
};

struct Dockerfile {
  std::string filename = "Dockerfile";
  std::map<std::string, std::string> directives;  // syntax, escape, check
  char escape = '\\';
  std::vector<DockerfileNode> nodes;
  std::vector<std::string> lines;     // the source, to quote lines in errors
  std::vector<std::string> warnings;  // e.g. empty continuation lines
};

// Parses a Dockerfile. InvalidArgument errors read like a compiler's:
//   Dockerfile:7: unknown instruction: RUNN (did you mean RUN?)
//      7 | RUNN make
//        | ^^^^
// `filename` is what errors name.
Result<Dockerfile> ParseDockerfile(std::string_view content, const std::string& filename);

// Formats an error at a place in the file, with the line and a caret under [column, column+len).
// `line` is 1-based; column 0-based in that line.
std::string DockerfileError(const Dockerfile& df, int line, int column, int length,
                            const std::string& message);

// The parse tree as JSON (`layerlab dockerfile parse --json`) and as indented text.
std::string DockerfileToJson(const Dockerfile& df);
std::string DockerfileToText(const Dockerfile& df);

// Leading tabs removed from each line (`<<-EOF`).
std::string ChompHeredoc(std::string_view content);

// The instructions BuildKit knows, uppercase.
const std::vector<std::string>& DockerfileInstructions();

}  // namespace layerlab
