// The glob patterns of ${VAR#p} ${VAR%p} ${VAR/p/r}: `*` any run of characters, `?` one
// character, `\*` `\?` `\\` literals, everything else (including `[`) literal. Matching follows
// BuildKit, which turns the glob into a Go regexp, so `*` and `?` never match a newline.
#pragma once

#include <string>
#include <string_view>

#include "layerlab/status.h"

namespace layerlab::shell {

// ${VAR#p} (greedy=false) and ${VAR##p} (greedy=true): `value` without the prefix matched by
// `pattern`, or `value` unchanged when nothing matches. Errors: a bad escape in `pattern`.
Result<std::string> TrimPrefix(std::string_view pattern, std::string_view value, bool greedy);

// ${VAR%p} and ${VAR%%p}: the same from the end of `value`.
Result<std::string> TrimSuffix(std::string_view pattern, std::string_view value, bool greedy);

// ${VAR/p/r} (all=false) and ${VAR//p/r} (all=true): replaces the leftmost (or every
// non-overlapping) longest match of `pattern` with `replacement`. With all=true, `$0` / `${0}` in
// `replacement` stand for the matched text and other `$name`s for nothing, as in Go's
// Regexp.ReplaceAllString; `$$` is a literal `$`.
Result<std::string> ReplacePattern(std::string_view pattern, std::string_view value,
                                   std::string_view replacement, bool all);

}  // namespace layerlab::shell
