// How BuildKit splits an instruction's text: builder flags, whitespace words that keep their
// quotes, JSON arrays. Private to core/build.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "layerlab/status.h"

namespace layerlab::build {

// `--from=x --chown=a b c` -> flags {"--from=x", "--chown=a"}, rest "b c" (extractBuilderFlags).
struct SplitFlags {
  std::vector<std::string> flags;
  std::string rest;
};
SplitFlags ExtractBuilderFlags(std::string_view line);

// Words split on whitespace; quotes and escapes are kept for the word expander (parseWords).
std::vector<std::string> ParseWords(std::string_view rest, char escape);

// A JSON array of strings. nullopt when `rest` is not JSON (the caller falls back to the shell
// form); an error when it is JSON but not an array of strings.
Result<std::optional<std::vector<std::string>>> ParseJsonArray(std::string_view rest);

// Splits on runs of whitespace (Go's regexp \s+ Split), after trimming.
std::vector<std::string> SplitWhitespace(std::string_view s, int max_parts = -1);

std::string_view TrimSpace(std::string_view s);
std::string_view TrimLeft(std::string_view s);
bool IsSpace(char c);

// The closest of `options` to `word` (case-insensitive), or "" when none is close.
std::string Suggest(std::string_view word, const std::vector<std::string>& options);

}  // namespace layerlab::build
