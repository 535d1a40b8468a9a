// Go's path.Match (shell-style patterns over "/"-separated names), private to core/reference/.
// Used by FamiliarMatch; ported from the Go standard library so results agree byte for byte.
#pragma once

#include <string_view>

namespace layerlab::reference_internal {

enum class PathMatchResult { kNoMatch, kMatch, kBadPattern };

// path.Match(pattern, name): '*' matches any run of non-'/' bytes, '?' one non-'/' character,
// '[...]' a class ('^' negates, 'a-z' ranges), '\\' escapes. kBadPattern = path.ErrBadPattern;
// like Go (since 1.16) the whole pattern is checked for syntax even when the match fails early.
PathMatchResult PathMatch(std::string_view pattern, std::string_view name);

}  // namespace layerlab::reference_internal
