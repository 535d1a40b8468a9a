// Dockerfile shell-word lexer: quote removal, escapes, $VAR / ${VAR...} expansion and field
// splitting, matching BuildKit's frontend/dockerfile/shell (lex.go) rule for rule.
#pragma once

#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "layerlab/status.h"

namespace layerlab {

// Variables visible to expansion. Names compare case-sensitively (BuildKit on Linux).
// A value type; not thread-safe to mutate while another thread reads it.
class ShellEnv {
 public:
  ShellEnv() = default;
  // Later pairs with the same name win.
  ShellEnv(std::initializer_list<std::pair<std::string, std::string>> vars);
  // From "NAME=value" strings as in a Dockerfile env list; "NAME" alone sets NAME to "".
  // Later entries win (BuildKit's EnvsFromSlice).
  static ShellEnv FromAssignments(const std::vector<std::string>& assignments);

  // Sets `name`, replacing any earlier value.
  void Set(std::string name, std::string value);
  // The value of `name`, or nullopt when unset (a set-but-empty variable returns "").
  std::optional<std::string> Get(std::string_view name) const;
  // All names, sorted.
  std::vector<std::string> Keys() const;

 private:
  std::vector<std::pair<std::string, std::string>> vars_;  // insertion order, names unique
};

// BuildKit Lex flags.
struct ShellLexOptions {
  bool raw_quotes = false;           // keep quotes in the output (RawQuotes)
  bool raw_escapes = false;          // keep escape chars (RawEscapes)
  bool skip_unset_env = false;       // leave $UNSET / ${UNSET...} as written (SkipUnsetEnv)
  bool skip_process_quotes = false;  // quotes are ordinary characters (SkipProcessQuotes)
};

// Expands one Dockerfile word. Construct once and call from any number of threads: the
// methods are const and keep no state between calls (BuildKit's Lex is not reentrant).
//
// Supported: '...' and "..." quotes, the escape character (`\` or '`'), $NAME and ${NAME},
// ${NAME-w} ${NAME:-w} ${NAME+w} ${NAME:+w} ${NAME?msg} ${NAME:?msg}, ${NAME#p} ${NAME##p}
// ${NAME%p} ${NAME%%p} (p a glob with * ? and \-escapes), ${NAME/p/r} ${NAME//p/r}. Positional
// and special parameters ($1, $@, $#, ...) are looked up like names, so they are normally empty.
//
// Every failure is Status::InvalidArgument with BuildKit's text, e.g.
//   failed to process "${A:?is required}": A: is required
//   failed to process "${A:-x": syntax error: missing '}'
class ShellLex {
 public:
  explicit ShellLex(char escape = '\\', ShellLexOptions options = {});

  // The expanded word, quotes removed (ENV, LABEL, WORKDIR, ... arguments).
  Result<std::string> ProcessWord(std::string_view word, const ShellEnv& env) const;

  // The expanded word split into fields: unquoted whitespace and whitespace produced by
  // unquoted expansions separate fields; quoted text never splits; empty fields are dropped.
  Result<std::vector<std::string>> ProcessWords(std::string_view word, const ShellEnv& env) const;

  // ProcessWord plus the names it looked up: `matched` were set (possibly empty),
  // `unmatched` were unset. Used for "undefined variable" warnings.
  struct Expansion {
    std::string result;
    std::set<std::string> matched, unmatched;
  };
  Result<Expansion> ProcessWordWithMatches(std::string_view word, const ShellEnv& env) const;

 private:
  char escape_;
  ShellLexOptions options_;
};

}  // namespace layerlab
