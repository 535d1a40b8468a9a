// Go-compatible rune handling for the shell lexer: UTF-8 decoding as Go's utf8 package does it,
// the unicode.IsLetter/IsDigit/IsSpace classes and strconv.Quote, so results match BuildKit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace layerlab::shell {

// A Unicode code point, or kEof; the same as Go's rune (text/scanner's EOF is -1).
using Rune = int32_t;
inline constexpr Rune kEof = -1;
inline constexpr Rune kRuneError = 0xFFFD;

struct DecodedRune {
  Rune rune;
  size_t width;  // bytes consumed; an invalid byte decodes as kRuneError of width 1
};
// utf8.DecodeRuneInString(s[pos:]); pos must be < s.size().
DecodedRune DecodeRune(std::string_view s, size_t pos);
// []rune(s): invalid bytes become kRuneError.
std::vector<Rune> DecodeRunes(std::string_view s);
// utf8.AppendRune: negative, surrogate and out-of-range runes append U+FFFD.
void AppendRune(std::string* out, Rune r);
std::string RuneString(Rune r);  // Go's string(r)
std::string EncodeRunes(const std::vector<Rune>& runes);

bool IsLetter(Rune r);  // unicode.IsLetter (category L)
bool IsDigit(Rune r);   // unicode.IsDigit (category Nd)
bool IsSpace(Rune r);   // unicode.IsSpace
bool IsPrint(Rune r);   // strconv.IsPrint (L, M, N, P, S and U+0020)

// strconv.Quote / fmt's %q: "..." with Go escapes, non-printables as \x, \u or \U.
std::string GoQuote(std::string_view s);

}  // namespace layerlab::shell
