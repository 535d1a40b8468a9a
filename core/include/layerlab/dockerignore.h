// Build-context filtering and COPY/ADD source globbing, as Docker/BuildKit do them: .dockerignore
// parsing (moby/patternmatcher ignorefile.ReadAll), the PatternMatcher that decides which context
// paths are excluded, and the wildcard expansion of a COPY source (tonistiigi/fsutil copy).
// All paths here are relative to the build context and '/'-separated.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "layerlab/status.h"

namespace layerlab {

// Reads the content of a .dockerignore into patterns, exactly like ignorefile.ReadAll: a UTF-8
// BOM is dropped; lines are split on '\n' (a trailing '\r' is dropped); a line *starting* with '#'
// is a comment; the rest is trimmed of Unicode white space, blank lines are skipped; a leading
// '!' (an exception) is kept, the text after it trimmed again; the pattern is cleaned like Go's
// filepath.Clean and one leading '/' removed ("/a/../b/" -> "b", "/" stays "/", "." stays ".").
// A lone "!" is returned as "!" (PatternMatcher::Create rejects it).
// Fails (InvalidArgument, naming the line) only for a line of 64 KiB or more, which Go's
// bufio.Scanner refuses with "token too long".
Result<std::vector<std::string>> ParseDockerignore(std::string_view content);

// moby/patternmatcher's PatternMatcher: decides whether a context path is excluded.
// Patterns use '*' (any run without '/'), '?' (one character but '/'), '[...]' classes ('^'
// negates, 'a-z' ranges), '\' escapes, and '**' (any number of directories, even none); a
// pattern starting with '!' is an exception that re-includes what earlier patterns excluded. The
// last pattern that matches decides. Immutable after Create: safe to share between threads.
class PatternMatcher {
 public:
  // Compiles patterns (usually ParseDockerignore's output). Each is trimmed and cleaned; blank
  // ones are skipped. Fails with InvalidArgument naming the pattern for a lone "!", for a syntax
  // error ("[", "a[", "[]a]", a trailing '\') and for what Docker's regular-expression engine
  // would refuse or read differently from the glob (a reversed range "[z-a]", a POSIX class
  // "[[:alpha:]]", '*' or '?' inside "[...]", an escaped letter or digit such as "\d").
  static Result<PatternMatcher> Create(const std::vector<std::string>& patterns);

  PatternMatcher();  // no patterns: excludes nothing
  PatternMatcher(const PatternMatcher&);
  PatternMatcher(PatternMatcher&&) noexcept;
  PatternMatcher& operator=(const PatternMatcher&);
  PatternMatcher& operator=(PatternMatcher&&) noexcept;
  ~PatternMatcher();

  // True when rel_path ("dir/file.txt"), or one of its parent directories, is matched by the
  // patterns after the exceptions are applied (patternmatcher's MatchesOrParentMatches).
  bool MatchesOrParentMatches(std::string_view rel_path) const;

  // True when some pattern is an exception ("!keep.txt"): an excluded directory may then still
  // hold included files.
  bool Exclusions() const { return exclusions_; }
  bool Empty() const { return patterns_.empty(); }

  // For a directory that MatchesOrParentMatches excluded: must the walker still descend into it
  // to find re-included files? BuildKit's rule (fsutil filter.go): no when there are no
  // exceptions; yes when an exception holds a wildcard (after dropping a trailing "/**" or "/*");
  // otherwise yes only if an exception lies under rel_dir ("!dir/keep" for "dir").
  bool MustWalkExcludedDir(std::string_view rel_dir) const;

 private:
  struct Pattern;
  std::vector<Pattern> patterns_;
  bool exclusions_ = false;
  bool wildcard_exceptions_ = false;
};

// Go's path.Clean: the shortest equivalent path ("a//b/../c/" -> "a/c", "" -> ".", "/.." -> "/").
std::string CleanPath(std::string_view path);

// Resolves rel_path inside the context directory the way BuildKit resolves a COPY source: every
// symlink is followed, but as if the context were the root of the file system (an absolute target
// starts again at the context, ".." stops at it), so no path leads out of the context. Returns the
// resolved path relative to the context, free of symlinks ("." for the context itself).
// Fails with NotFound when a component does not exist (or is not a directory), with an Io status
// (ELOOP) after 255 symlinks, with Io for other OS errors.
Result<std::string> ResolveInContext(const std::string& context_dir, std::string_view rel_path);

// Expands one COPY/ADD source against the context directory, as BuildKit does: the source is
// cleaned against the context root ("../x" is "x", "dir/" is "dir", "." is the context); the
// components before the first one holding a wildcard ('*', '?', '[') are resolved with
// ResolveInContext; below that, the context is walked without following symlinks and each path is
// matched with Go's filepath.Match against the rest of the source (so '*' never crosses a '/');
// a matched directory is not searched further.
// Returns the matches relative to the context, in walk order (names sorted bytewise per
// directory, so "a/x" precedes "a-b/x"); a source without wildcards is returned cleaned, as
// written. Returned paths may go through symlinks that stay inside the context: open them only
// after ResolveInContext, never by joining them to context_dir.
// Fails with NotFound naming the source when nothing matches or the source does not exist, or
// when a match is a symlink whose target is not in the context; InvalidArgument for a malformed
// pattern ("syntax error in pattern"); Io when a directory cannot be read.
Result<std::vector<std::string>> GlobContext(const std::string& context_dir,
                                             std::string_view source);

}  // namespace layerlab
