// Go's path.Match, ported line by line from the Go standard library (src/path/match.go) so that
// FamiliarMatch accepts and rejects exactly the patterns `docker images --filter reference=` does.
#include "path_match.h"

#include <cstddef>
#include <string_view>

namespace layerlab::reference_internal {
namespace {

constexpr char32_t kRuneError = 0xFFFD;

struct Rune {
  char32_t value;
  size_t size;
};

// utf8.DecodeRuneInString: (RuneError, 0) for "", (RuneError, 1) for an invalid encoding.
Rune DecodeRune(std::string_view s) {
  if (s.empty()) return {kRuneError, 0};
  const auto c0 = static_cast<unsigned char>(s[0]);
  if (c0 < 0x80) return {c0, 1};
  size_t n;  // encoded length, from the lead byte
  if ((c0 & 0xE0) == 0xC0) {
    n = 2;
  } else if ((c0 & 0xF0) == 0xE0) {
    n = 3;
  } else if ((c0 & 0xF8) == 0xF0) {
    n = 4;
  } else {
    return {kRuneError, 1};
  }
  constexpr char32_t kLeadMask[] = {0, 0, 0x1F, 0x0F, 0x07};
  constexpr char32_t kMinRune[] = {0, 0, 0x80, 0x800, 0x10000};  // shorter forms are overlong
  char32_t r = c0 & kLeadMask[n];
  if (s.size() < n) return {kRuneError, 1};
  for (size_t i = 1; i < n; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) != 0x80) return {kRuneError, 1};
    r = (r << 6) | (c & 0x3F);
  }
  if (r < kMinRune[n] || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) return {kRuneError, 1};
  return {r, n};
}

struct Chunk {
  bool star;
  std::string_view chunk;
  std::string_view rest;
};

// scanChunk: leading stars, then everything up to the next '*' outside a [...] class.
Chunk ScanChunk(std::string_view pattern) {
  bool star = false;
  while (!pattern.empty() && pattern[0] == '*') {
    pattern.remove_prefix(1);
    star = true;
  }
  bool in_range = false;
  size_t i = 0;
  for (; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      if (i + 1 < pattern.size()) ++i;  // A trailing '\\' is reported by MatchChunk.
    } else if (c == '[') {
      in_range = true;
    } else if (c == ']') {
      in_range = false;
    } else if (c == '*' && !in_range) {
      break;
    }
  }
  return {star, pattern.substr(0, i), pattern.substr(i)};
}

// getEsc: one (possibly escaped) character of a class; false = bad pattern.
bool GetEsc(std::string_view& chunk, char32_t& r) {
  if (chunk.empty() || chunk[0] == '-' || chunk[0] == ']') return false;
  if (chunk[0] == '\\') {
    chunk.remove_prefix(1);
    if (chunk.empty()) return false;
  }
  const Rune d = DecodeRune(chunk);
  r = d.value;
  chunk.remove_prefix(d.size);
  return !(d.value == kRuneError && d.size == 1) && !chunk.empty();
}

struct ChunkMatch {
  bool ok = false;
  bool bad = false;
  std::string_view rest;
};

// matchChunk: matches chunk (no '*') at the start of s. After a mismatch it keeps walking the
// chunk, only to report a malformed pattern.
ChunkMatch MatchChunk(std::string_view chunk, std::string_view s) {
  const ChunkMatch bad{false, true, {}};
  bool failed = false;
  while (!chunk.empty()) {
    if (!failed && s.empty()) failed = true;
    switch (chunk[0]) {
      case '[': {
        char32_t r = 0;
        if (!failed) {
          const Rune d = DecodeRune(s);
          r = d.value;
          s.remove_prefix(d.size);
        }
        chunk.remove_prefix(1);
        bool negated = false;
        if (!chunk.empty() && chunk[0] == '^') {
          negated = true;
          chunk.remove_prefix(1);
        }
        bool match = false;
        int nrange = 0;
        for (;;) {
          if (!chunk.empty() && chunk[0] == ']' && nrange > 0) {
            chunk.remove_prefix(1);
            break;
          }
          char32_t lo = 0;
          if (!GetEsc(chunk, lo)) return bad;
          char32_t hi = lo;
          if (chunk[0] == '-') {
            chunk.remove_prefix(1);
            if (!GetEsc(chunk, hi)) return bad;
          }
          if (lo <= r && r <= hi) match = true;
          ++nrange;
        }
        if (match == negated) failed = true;
        break;
      }
      case '?':
        if (!failed) {
          if (s[0] == '/') failed = true;
          s.remove_prefix(DecodeRune(s).size);
        }
        chunk.remove_prefix(1);
        break;
      case '\\':
        chunk.remove_prefix(1);
        if (chunk.empty()) return bad;
        [[fallthrough]];
      default:
        if (!failed) {
          if (chunk[0] != s[0]) failed = true;
          s.remove_prefix(1);
        }
        chunk.remove_prefix(1);
        break;
    }
  }
  if (failed) return {};
  return {true, false, s};
}

}  // namespace

PathMatchResult PathMatch(std::string_view pattern, std::string_view name) {
  while (!pattern.empty()) {
    const Chunk c = ScanChunk(pattern);
    pattern = c.rest;
    if (c.star && c.chunk.empty()) {
      // A trailing '*' matches the rest of the name unless it holds a '/'.
      return name.find('/') == std::string_view::npos ? PathMatchResult::kMatch
                                                      : PathMatchResult::kNoMatch;
    }
    // Match at the current position; the last chunk must also exhaust the name.
    const ChunkMatch here = MatchChunk(c.chunk, name);
    if (here.ok && (here.rest.empty() || !pattern.empty())) {
      name = here.rest;
      continue;
    }
    if (here.bad) return PathMatchResult::kBadPattern;
    bool advanced = false;
    if (c.star) {
      // Let the star swallow i+1 bytes; it cannot swallow a '/'.
      for (size_t i = 0; i < name.size() && name[i] != '/'; ++i) {
        const ChunkMatch later = MatchChunk(c.chunk, name.substr(i + 1));
        if (later.ok) {
          if (pattern.empty() && !later.rest.empty()) continue;
          name = later.rest;
          advanced = true;
          break;
        }
        if (later.bad) return PathMatchResult::kBadPattern;
      }
    }
    if (advanced) continue;
    // No match: still report a syntax error anywhere in the rest of the pattern.
    while (!pattern.empty()) {
      const Chunk next = ScanChunk(pattern);
      pattern = next.rest;
      if (MatchChunk(next.chunk, "").bad) return PathMatchResult::kBadPattern;
    }
    return PathMatchResult::kNoMatch;
  }
  return name.empty() ? PathMatchResult::kMatch : PathMatchResult::kNoMatch;
}

}  // namespace layerlab::reference_internal
