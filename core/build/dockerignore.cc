// .dockerignore parsing (ignorefile.ReadAll) and moby/patternmatcher's PatternMatcher. Upstream
// turns each pattern into a Go regular expression; here the same translation yields a short token
// list run by a small NFA, with the same four match kinds (exact, prefix, suffix, regexp) so the
// quirks of the fast paths ("**file" also matches "barfile") are kept.
#include "layerlab/dockerignore.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reference/path_match.h"

namespace layerlab {
namespace {

using reference_internal::PathMatch;
using reference_internal::PathMatchResult;

constexpr char32_t kRuneError = 0xFFFD;
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
// bufio.Scanner's MaxScanTokenSize: a longer line (with its '\r') makes ReadAll fail.
constexpr size_t kMaxLine = 64 * 1024;

struct Rune {
  char32_t value;
  size_t size;
};

// utf8.DecodeRuneInString: an invalid or truncated encoding is (RuneError, 1), as Go's regexp
// and text/scanner read it.
Rune DecodeRune(std::string_view s) {
  const auto c0 = static_cast<unsigned char>(s[0]);
  if (c0 < 0x80) return {c0, 1};
  size_t n = (c0 & 0xE0) == 0xC0 ? 2 : (c0 & 0xF0) == 0xE0 ? 3 : (c0 & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 0 || s.size() < n) return {kRuneError, 1};
  constexpr char32_t kLeadMask[] = {0, 0, 0x1F, 0x0F, 0x07};
  constexpr char32_t kMinRune[] = {0, 0, 0x80, 0x800, 0x10000};  // shorter forms are overlong
  char32_t r = c0 & kLeadMask[n];
  for (size_t i = 1; i < n; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) != 0x80) return {kRuneError, 1};
    r = (r << 6) | (c & 0x3F);
  }
  if (r < kMinRune[n] || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) return {kRuneError, 1};
  return {r, n};
}

// unicode.IsSpace.
bool IsSpace(char32_t r) {
  constexpr char32_t kSpaces[] = {'\t', '\n',   '\v',   '\f',   '\r',   ' ',    0x85,
                                  0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000};
  return std::find(std::begin(kSpaces), std::end(kSpaces), r) != std::end(kSpaces) ||
         (r >= 0x2000 && r <= 0x200A);
}

// strings.TrimSpace.
std::string_view TrimSpace(std::string_view s) {
  size_t begin = s.size(), end = 0;
  for (size_t i = 0; i < s.size();) {
    const Rune r = DecodeRune(s.substr(i));
    if (!IsSpace(r.value)) {
      begin = std::min(begin, i);
      end = i + r.size;
    }
    i += r.size;
  }
  return begin < end ? s.substr(begin, end - begin) : std::string_view();
}

// What a pattern compiles to; the comment shows the Go regexp upstream writes for each.
enum class Tok {
  kRune,          // a literal character
  kClass,         // [...] or [^...]
  kNotSlash,      // ?   -> [^/]
  kNotSlashStar,  // *   -> [^/]*
  kAnyDirs,       // **/ -> (.*/)?   ('.' does not match '\n' in Go's regexp)
  kAnyTail,       // trailing ** after a wildcard -> .*
  kBegin,         // ^ outside a class stays a regexp anchor upstream: matches only at the start
};

struct Token {
  explicit Token(Tok k, char32_t r = 0) : kind(k), rune(r) {}
  Tok kind;
  char32_t rune;
  bool negated = false;
  std::vector<std::pair<char32_t, char32_t>> ranges;
};

enum class Kind { kExact, kPrefix, kSuffix, kRegexp };

constexpr const char* kEscapeHelp =
    "'\\' may only escape punctuation here (Docker reads \\d, \\w, \\b ... as regexp escapes)";

// A '\'-escaped character as Go's regexp reads it: ASCII punctuation (and space, controls) is
// itself, \a \f \n \r \t \v are controls. Other escapes mean something else there (\d, \b, \x41)
// or are refused, so they are refused here.
bool Unescape(char32_t c, char32_t* out) {
  const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (c < 0x80 && !alnum) {
    *out = c;
    return true;
  }
  constexpr std::string_view kFrom = "afnrtv";
  constexpr char kTo[] = {'\a', '\f', '\n', '\r', '\t', '\v'};
  const size_t i = c < 0x80 ? kFrom.find(static_cast<char>(c)) : std::string_view::npos;
  if (i == std::string_view::npos) return false;
  *out = static_cast<char32_t>(kTo[i]);
  return true;
}

// The character after a '\'; pos is just past the '\'.
Status ReadEscape(std::string_view p, size_t& pos, char32_t& r) {
  if (pos >= p.size()) return Status::InvalidArgument("syntax error in pattern");
  const Rune e = DecodeRune(p.substr(pos));
  pos += e.size;
  return Unescape(e.value, &r) ? Status::Ok() : Status::InvalidArgument(kEscapeHelp);
}

// One item of a class, at p[pos]. The glob syntax is already checked by PathMatch; this refuses
// what Go's regexp would read differently from the glob.
Status ClassChar(std::string_view p, size_t& pos, char32_t& r) {
  if (pos >= p.size() || p[pos] == '-' || p[pos] == ']') {
    return Status::InvalidArgument("syntax error in pattern");
  }
  if (p[pos] == '*' || p[pos] == '?') {
    return Status::InvalidArgument(fmt::format(
        "'{}' inside [...] is not supported (Docker rewrites it into a regexp that breaks the "
        "class); escape it as '\\{}'",
        p[pos], p[pos]));
  }
  if (p[pos] == '[' && pos + 1 < p.size() && p[pos + 1] == ':' &&
      p.find(":]", pos + 2) != std::string_view::npos) {
    return Status::InvalidArgument("POSIX classes such as [:alpha:] are not supported");
  }
  if (p[pos] == '\\') return ReadEscape(p, ++pos, r);
  const Rune d = DecodeRune(p.substr(pos));
  pos += d.size;
  r = d.value;
  return Status::Ok();
}

// A [...] class; pos is just past the '['.
Status ParseClass(std::string_view p, size_t& pos, Token& tok) {
  tok.kind = Tok::kClass;
  if (pos < p.size() && p[pos] == '^') {
    tok.negated = true;
    ++pos;
  }
  for (;;) {
    if (pos < p.size() && p[pos] == ']' && !tok.ranges.empty()) {
      ++pos;
      return Status::Ok();
    }
    char32_t lo = 0;
    LL_RETURN_IF_ERROR(ClassChar(p, pos, lo));
    char32_t hi = lo;
    if (pos < p.size() && p[pos] == '-') {
      ++pos;
      LL_RETURN_IF_ERROR(ClassChar(p, pos, hi));
    }
    if (lo > hi) {
      // Go's regexp refuses it; upstream reports ErrBadPattern at the first match instead.
      return Status::InvalidArgument("reversed range in [...] (syntax error in pattern)");
    }
    tok.ranges.emplace_back(lo, hi);
  }
}

bool ClassHas(const Token& t, char32_t r) {
  bool in = false;
  for (const auto& [lo, hi] : t.ranges) in = in || (lo <= r && r <= hi);
  return in != t.negated;  // a negated class matches '\n' too (Go's ClassNL)
}

// Whether token t takes rune r (kAnyDirs and kBegin take none themselves).
bool Takes(const Token& t, char32_t r) {
  if (t.kind == Tok::kRune) return r == t.rune;
  if (t.kind == Tok::kClass) return ClassHas(t, r);
  if (t.kind == Tok::kAnyTail) return r != '\n';
  return (t.kind == Tok::kNotSlash || t.kind == Tok::kNotSlashStar) && r != '/';
}

// Pattern.match on the token list: a Thompson NFA over runes, so no input takes exponential
// time. at[i]: before token i; inside[i]: within the ".*" of the kAnyDirs group i.
bool RunTokens(const std::vector<Token>& toks, std::string_view s) {
  const size_t n = toks.size();
  std::vector<char> at(n + 1), inside(n), next_at(n + 1), next_inside(n);
  auto close = [&](std::vector<char>& a, std::vector<char>& in, size_t pos) {
    for (size_t i = 0; i < n; ++i) {  // epsilon moves only go forward
      if (!a[i]) continue;
      const Tok k = toks[i].kind;
      if (k == Tok::kNotSlashStar || k == Tok::kAnyTail || k == Tok::kAnyDirs ||
          (k == Tok::kBegin && pos == 0)) {
        a[i + 1] = 1;
      }
      if (k == Tok::kAnyDirs) in[i] = 1;
    }
  };
  at[0] = 1;
  close(at, inside, 0);
  for (size_t pos = 0; pos < s.size();) {
    const Rune r = DecodeRune(s.substr(pos));
    pos += r.size;
    next_at.assign(n + 1, 0);
    next_inside.assign(n, 0);
    for (size_t i = 0; i < n; ++i) {
      if (at[i] && Takes(toks[i], r.value)) {
        const bool star = toks[i].kind == Tok::kNotSlashStar || toks[i].kind == Tok::kAnyTail;
        next_at[star ? i : i + 1] = 1;
      }
      if (inside[i]) {
        next_inside[i] |= r.value != '\n';
        next_at[i + 1] |= r.value == '/';
      }
    }
    close(next_at, next_inside, pos);
    std::swap(at, next_at);
    std::swap(inside, next_inside);
  }
  return at[n];
}

// fsutil's patternWithoutTrailingGlob.
std::string_view WithoutTrailingGlob(std::string_view p) {
  if (p.ends_with("/**")) p.remove_suffix(3);
  if (p.ends_with("/*")) p.remove_suffix(2);
  return p;
}

}  // namespace

struct PatternMatcher::Pattern {
  std::string text;  // cleaned, without the '!'
  bool exclusion = false;
  Kind kind = Kind::kExact;
  std::vector<Token> tokens;

  // Pattern.compile: the same walk over the pattern, the same decisions on the match kind.
  Status Compile() {
    std::string_view p = text;
    size_t pos = p.starts_with(kUtf8Bom) ? kUtf8Bom.size() : 0;  // text/scanner skips a BOM
    for (bool first = true; pos < p.size(); first = false) {
      const Rune r = DecodeRune(p.substr(pos));
      pos += r.size;
      Token tok(Tok::kRune, r.value);
      if (r.value == '*' && pos < p.size() && p[pos] == '*') {
        ++pos;
        if (pos < p.size() && p[pos] == '/') ++pos;  // "**/" is "**"
        if (pos < p.size()) {
          tokens.emplace_back(Tok::kAnyDirs);
          kind = Kind::kRegexp;
        } else if (kind == Kind::kExact) {
          kind = Kind::kPrefix;  // "dir/**": any path starting with "dir/"
        } else {
          tokens.emplace_back(Tok::kAnyTail);
          kind = Kind::kRegexp;
        }
        if (first) kind = Kind::kSuffix;  // "**/name": any path ending with "/name"
        continue;
      }
      if (r.value == '*' || r.value == '?' || r.value == ']') {
        tok.kind = r.value == '*' ? Tok::kNotSlashStar : r.value == '?' ? Tok::kNotSlash : tok.kind;
        kind = Kind::kRegexp;
      } else if (r.value == '^') {
        tok.kind = Tok::kBegin;  // an anchor in upstream's regexp; the match kind stays
      } else if (r.value == '[') {
        LL_RETURN_IF_ERROR(ParseClass(p, pos, tok));
        kind = Kind::kRegexp;
      } else if (r.value == '\\') {
        LL_RETURN_IF_ERROR(ReadEscape(p, pos, tok.rune));
        kind = Kind::kRegexp;
      }
      tokens.push_back(std::move(tok));
    }
    return Status::Ok();
  }

  bool Match(std::string_view path) const {
    const std::string_view t = text;
    if (kind == Kind::kExact) return path == t;
    if (kind == Kind::kPrefix) return path.starts_with(t.substr(0, t.size() - 2));  // "dir/**"
    if (kind == Kind::kRegexp) return RunTokens(tokens, path);
    const std::string_view suffix = t.substr(2);  // "**/name" or "**name"
    return path.ends_with(suffix) ||
           (!suffix.empty() && suffix[0] == '/' && path == suffix.substr(1));
  }
};

Result<std::vector<std::string>> ParseDockerignore(std::string_view content) {
  std::vector<std::string> out;
  size_t start = 0;
  for (int line_no = 1; start < content.size(); ++line_no) {
    const size_t nl = content.find('\n', start);
    const size_t end = nl == std::string_view::npos ? content.size() : nl;
    std::string_view line = content.substr(start, end - start);
    start = end + 1;
    if (line.size() >= kMaxLine) {
      return Status::InvalidArgument(
          fmt::format(".dockerignore line {}: line is {} bytes long; Docker reads at most {} "
                      "(bufio.Scanner: token too long)",
                      line_no, line.size(), kMaxLine - 1));
    }
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line_no == 1 && line.starts_with(kUtf8Bom)) line.remove_prefix(kUtf8Bom.size());
    if (line.starts_with('#')) continue;  // only at the very start of the line
    line = TrimSpace(line);
    if (line.empty()) continue;
    const bool invert = line[0] == '!';
    if (invert) line = TrimSpace(line.substr(1));
    std::string pattern(line);
    if (!pattern.empty()) {
      pattern = CleanPath(pattern);
      if (pattern.size() > 1 && pattern[0] == '/') pattern.erase(0, 1);
    }
    out.push_back(invert ? "!" + pattern : pattern);
  }
  return out;
}

PatternMatcher::PatternMatcher() = default;
PatternMatcher::PatternMatcher(const PatternMatcher&) = default;
PatternMatcher::PatternMatcher(PatternMatcher&&) noexcept = default;
PatternMatcher& PatternMatcher::operator=(const PatternMatcher&) = default;
PatternMatcher& PatternMatcher::operator=(PatternMatcher&&) noexcept = default;
PatternMatcher::~PatternMatcher() = default;

Result<PatternMatcher> PatternMatcher::Create(const std::vector<std::string>& patterns) {
  PatternMatcher pm;
  for (const std::string& raw : patterns) {
    const std::string_view trimmed = TrimSpace(raw);
    if (trimmed.empty()) continue;
    Pattern pat;
    pat.text = CleanPath(trimmed);
    if (pat.text[0] == '!') {
      if (pat.text.size() == 1) return Status::InvalidArgument("illegal exclusion pattern: \"!\"");
      pat.exclusion = true;
      pat.text.erase(0, 1);
      pm.exclusions_ = true;
    }
    const auto invalid = [&](const std::string& why) {
      return Status::InvalidArgument(fmt::format("invalid pattern `{}`: {}", trimmed, why));
    };
    // Upstream checks the syntax with filepath.Match(pattern, ".").
    if (PathMatch(pat.text, ".") == PathMatchResult::kBadPattern) {
      return invalid("syntax error in pattern");
    }
    if (Status st = pat.Compile(); !st.ok()) return invalid(st.message());
    if (pat.exclusion &&
        WithoutTrailingGlob(pat.text).find_first_of("*[]?^\\") != std::string_view::npos) {
      pm.wildcard_exceptions_ = true;
    }
    pm.patterns_.push_back(std::move(pat));
  }
  return pm;
}

bool PatternMatcher::MatchesOrParentMatches(std::string_view rel_path) const {
  // filepath.Dir: everything up to the last '/', cleaned. Its prefixes at each '/' are the
  // parent directories, outermost first (what upstream gets by splitting and re-joining).
  const size_t slash = rel_path.rfind('/');
  const std::string parent =
      CleanPath(slash == std::string_view::npos ? "" : rel_path.substr(0, slash + 1));
  bool matched = false;
  for (const Pattern& pattern : patterns_) {
    // An inclusion cannot change a match, an exception cannot change a non-match.
    if (pattern.exclusion != matched) continue;
    bool match = pattern.Match(rel_path);
    for (size_t from = 0; !match && parent != ".";) {
      const size_t end = parent.find('/', from);
      match = pattern.Match(std::string_view(parent).substr(0, end));
      if (end == std::string::npos) break;
      from = end + 1;
    }
    if (match) matched = !pattern.exclusion;
  }
  return matched;
}

bool PatternMatcher::MustWalkExcludedDir(std::string_view rel_dir) const {
  if (wildcard_exceptions_) return true;
  if (!exclusions_) return false;
  const std::string dir_slash = std::string(rel_dir) + "/";
  for (const Pattern& pattern : patterns_) {
    if (!pattern.exclusion) continue;
    const std::string pat_slash = std::string(WithoutTrailingGlob(pattern.text)) + "/";
    if (pat_slash.starts_with(dir_slash)) return true;
  }
  return false;
}

}  // namespace layerlab
