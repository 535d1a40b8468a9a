// Glob matching for ${VAR#p} ${VAR%p} ${VAR/p/r}. BuildKit compiles the glob to a Go regexp
// (`*` -> `.*` or `.*?`, `?` -> `.`) and uses leftmost-first matching; we match the same
// language with a small dynamic program that gives the same (backtracking-priority) answer.
#include "build/shell_pattern.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "build/shell_unicode.h"

namespace layerlab::shell {
namespace {

enum class Op : uint8_t { kLiteral, kAnyChar, kStar };
struct Elem {
  Op op;
  Rune rune = 0;  // for kLiteral
};

// BuildKit's convertShellPatternToRegex, producing elements instead of regexp text.
Result<std::vector<Elem>> Compile(std::string_view pattern) {
  const std::vector<Rune> runes = DecodeRunes(pattern);
  size_t i = 0;
  if (!runes.empty() && runes[0] == 0xFEFF) i = 1;  // Go's text/scanner skips a leading BOM
  const auto peek = [&] { return i < runes.size() ? runes[i] : kEof; };
  std::vector<Elem> out;
  while (i < runes.size()) {
    Rune tok = runes[i++];
    if (tok == '*') {
      out.push_back({Op::kStar});
      continue;
    }
    if (tok == '?') {
      out.push_back({Op::kAnyChar});
      continue;
    }
    if (tok == '\\') {
      // `\}` and `\/` were escapes for the ${} syntax only; the escape is not part of the glob.
      if (peek() == '}' || peek() == '/') continue;
      tok = peek();
      if (tok != kEof) ++i;
      if (tok != '*' && tok != '?' && tok != '\\') {
        return Status::InvalidArgument(fmt::format("invalid escape '\\{}'", RuneString(tok)));
      }
    }
    out.push_back({Op::kLiteral, tok});
  }
  return out;
}

Status InvalidPattern(std::string_view pattern, const Status& why) {
  return Status::InvalidArgument(
      fmt::format("invalid pattern ({}) in substitution: {}", pattern, why.message()));
}

// For each start j in [0, text.size()], the end of the regexp match that begins exactly at j,
// or -1. f(i, j) is "match elements i.. against text j.."; a greedy star prefers taking one more
// character, a lazy one prefers stopping, exactly the order a backtracking engine (and Go's
// leftmost-first RE2) would pick. `.` never matches '\n' (Go regexp without the s flag).
// Rows are computed from the last element backwards, so memory is O(text).
std::vector<int64_t> MatchEnds(const std::vector<Elem>& pat, const std::vector<Rune>& text,
                               bool greedy) {
  const size_t n = text.size();
  std::vector<int64_t> next(n + 1), cur(n + 1);
  for (size_t j = 0; j <= n; ++j) next[j] = static_cast<int64_t>(j);
  for (size_t i = pat.size(); i-- > 0;) {
    const Elem& e = pat[i];
    for (size_t j = n + 1; j-- > 0;) {
      const bool any = j < n && text[j] != '\n';
      switch (e.op) {
        case Op::kLiteral:
          cur[j] = j < n && text[j] == e.rune ? next[j + 1] : -1;
          break;
        case Op::kAnyChar:
          cur[j] = any ? next[j + 1] : -1;
          break;
        case Op::kStar: {
          const int64_t more = any ? cur[j + 1] : -1;
          const int64_t stop = next[j];
          if (greedy) {
            cur[j] = more >= 0 ? more : stop;
          } else {
            cur[j] = stop >= 0 ? stop : more;
          }
          break;
        }
      }
    }
    std::swap(next, cur);
  }
  return next;
}

// A value as runes plus the byte offset of each rune (offsets.back() == size).
struct Text {
  std::vector<Rune> runes;
  std::vector<size_t> offsets;
};
Text Decode(std::string_view s) {
  Text t;
  size_t pos = 0;
  while (pos < s.size()) {
    const DecodedRune d = DecodeRune(s, pos);
    t.runes.push_back(d.rune);
    t.offsets.push_back(pos);
    pos += d.width;
  }
  t.offsets.push_back(pos);
  return t;
}

// BuildKit's reversePattern: reverses runes but keeps each `\x` pair in order.
std::vector<Rune> ReversePattern(const std::vector<Rune>& p) {
  std::vector<Rune> out(p.size());
  const int64_t last = static_cast<int64_t>(p.size()) - 1;
  for (int64_t i = 0; i <= last;) {
    const int64_t out_idx = last - i;
    if (p[i] == '\\' && i != last) {
      out[out_idx - 1] = p[i];
      out[out_idx] = p[i + 1];
      i += 2;
    } else {
      out[out_idx] = p[i];
      ++i;
    }
  }
  return out;
}

// Go's Regexp.Expand for a regexp without capture groups: $0 / ${0} is the match, any other
// well-formed $name / ${name} is empty, $$ is '$', a malformed reference is a literal '$'.
std::string Expand(std::string_view tmpl, std::string_view match) {
  std::string out;
  while (!tmpl.empty()) {
    const size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) break;
    out += tmpl.substr(0, dollar);
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      out += '$';
      tmpl.remove_prefix(1);
      continue;
    }
    std::string_view str = tmpl;
    const bool brace = !str.empty() && str[0] == '{';
    if (brace) str.remove_prefix(1);
    size_t i = 0;
    while (i < str.size()) {
      const DecodedRune d = DecodeRune(str, i);
      if (!IsLetter(d.rune) && !IsDigit(d.rune) && d.rune != '_') break;
      i += d.width;
    }
    const std::string_view name = str.substr(0, i);
    if (i == 0 || (brace && (i >= str.size() || str[i] != '}'))) {
      out += '$';
      continue;
    }
    tmpl = str.substr(brace ? i + 1 : i);
    if (name == "0") out += match;
  }
  out += tmpl;
  return out;
}

}  // namespace

Result<std::string> TrimPrefix(std::string_view pattern, std::string_view value, bool greedy) {
  auto elems = Compile(pattern);
  if (!elems) return InvalidPattern(pattern, elems.error());
  const Text text = Decode(value);
  const int64_t end = MatchEnds(*elems, text.runes, greedy)[0];
  if (end < 0) return std::string(value);
  return std::string(value.substr(text.offsets[end]));
}

Result<std::string> TrimSuffix(std::string_view pattern, std::string_view value, bool greedy) {
  // As BuildKit does: reverse pattern and value, trim a prefix, reverse back. Reversing goes
  // through runes, so invalid UTF-8 in `value` comes back as U+FFFD, as in Go.
  const std::string reversed_pattern = EncodeRunes(ReversePattern(DecodeRunes(pattern)));
  auto elems = Compile(reversed_pattern);
  if (!elems) return InvalidPattern(reversed_pattern, elems.error());
  std::vector<Rune> runes = DecodeRunes(value);
  std::reverse(runes.begin(), runes.end());
  const int64_t end = MatchEnds(*elems, runes, greedy)[0];
  std::vector<Rune> rest(runes.begin() + (end < 0 ? 0 : end), runes.end());
  std::reverse(rest.begin(), rest.end());
  return EncodeRunes(rest);
}

Result<std::string> ReplacePattern(std::string_view pattern, std::string_view value,
                                   std::string_view replacement, bool all) {
  auto elems = Compile(pattern);
  if (!elems) return InvalidPattern(pattern, elems.error());
  const Text text = Decode(value);
  const size_t n = text.runes.size();
  const std::vector<int64_t> ends = MatchEnds(*elems, text.runes, /*greedy=*/true);
  const auto find = [&](size_t from) {
    while (from <= n && ends[from] < 0) ++from;
    return from;  // n + 1 when there is no match
  };
  const auto bytes = [&](size_t from, size_t to) {
    return value.substr(text.offsets[from], text.offsets[to] - text.offsets[from]);
  };
  if (!all) {
    const size_t start = find(0);
    if (start > n) return std::string(value);
    return fmt::format("{}{}{}", bytes(0, start), replacement, bytes(ends[start], n));
  }
  // Go's Regexp.replaceAll, in rune indices: an empty match right after the previous match is
  // not replaced, and the search always advances by at least one character.
  std::string out;
  size_t last_end = 0;
  for (size_t search = 0; search <= n;) {
    const size_t start = find(search);
    if (start > n) break;
    const auto end = static_cast<size_t>(ends[start]);
    out += bytes(last_end, start);
    if (end > last_end || start == 0) out += Expand(replacement, bytes(start, end));
    last_end = end;
    search = end == search ? search + 1 : end;
  }
  out += bytes(last_end, n);
  return out;
}

}  // namespace layerlab::shell
