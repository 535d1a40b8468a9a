// Docker image references: the distribution/reference grammar (regexp.go) as a hand-written
// scanner, reference.Parse (reference.go) and the docker.io normalisation (normalize.go).
#include "layerlab/reference.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "path_match.h"

namespace layerlab {
namespace {

constexpr size_t kNameTotalLengthMax = 255;  // applies to the path, not domain + path
constexpr std::string_view kDefaultDomain = "docker.io";
constexpr std::string_view kLegacyDefaultDomain = "index.docker.io";
constexpr std::string_view kOfficialRepoPrefix = "library/";
constexpr std::string_view kLocalhost = "localhost";
constexpr size_t npos = std::string_view::npos;

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsLowerHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f'); }
bool IsWord(char c) { return IsAlnum(c) || c == '_'; }  // regexp \w

// strings.ToLower as far as it can matter to an ASCII grammar: A-Z, plus the only two runes whose
// lowercase is ASCII (U+0130 -> 'i', U+212A KELVIN SIGN -> 'k'). Other bytes are kept; a
// non-ASCII rune cannot match the grammar whether or not Go would have lowercased it.
std::string GoToLower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.substr(i, 2) == "\xC4\xB0") {
      out += 'i';
      i += 1;
    } else if (s.substr(i, 3) == "\xE2\x84\xAA") {
      out += 'k';
      i += 2;
    } else {
      out += IsUpper(s[i]) ? static_cast<char>(s[i] - 'A' + 'a') : s[i];
    }
  }
  return out;
}

// pathComponent = [a-z0-9]+ (?:(?:[_.]|__|[-]+)[a-z0-9]+)*
bool IsPathComponent(std::string_view s) {
  size_t i = 0;
  for (;;) {
    const size_t start = i;
    while (i < s.size() && IsLowerAlnum(s[i])) ++i;
    if (i == start) return false;  // empty, or a separator not followed by [a-z0-9]
    if (i == s.size()) return true;
    if (s[i] == '.') {
      ++i;
    } else if (s[i] == '_') {
      ++i;
      if (i < s.size() && s[i] == '_') ++i;
    } else if (s[i] == '-') {
      while (i < s.size() && s[i] == '-') ++i;
    } else {
      return false;
    }
  }
}

// path = pathComponent (/ pathComponent)*
bool IsPath(std::string_view s) {
  for (;;) {
    const size_t slash = s.find('/');
    if (!IsPathComponent(s.substr(0, slash))) return false;
    if (slash == npos) return true;
    s.remove_prefix(slash + 1);
  }
}

// domainNameComponent = [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool IsDomainNameComponent(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsAlnum(c) && c != '-') return false;
  }
  return true;
}

// domainAndPort = host (:[0-9]+)?   host = domainName | \[[a-fA-F0-9:]+\]   (no IPv6 zone ids)
bool IsDomainAndPort(std::string_view s) {
  size_t host_end;
  if (!s.empty() && s[0] == '[') {
    const size_t close = s.find(']');
    if (close == npos || close == 1) return false;
    for (size_t i = 1; i < close; ++i) {
      if (!IsHex(s[i]) && s[i] != ':') return false;
    }
    host_end = close + 1;
  } else {
    host_end = s.find(':');
    if (host_end == npos) host_end = s.size();
    std::string_view host = s.substr(0, host_end);
    for (;;) {  // domainName = domainNameComponent (\. domainNameComponent)*
      const size_t dot = host.find('.');
      if (!IsDomainNameComponent(host.substr(0, dot))) return false;
      if (dot == npos) break;
      host.remove_prefix(dot + 1);
    }
  }
  if (host_end == s.size()) return true;
  if (s[host_end] != ':' || host_end + 1 == s.size()) return false;
  for (size_t i = host_end + 1; i < s.size(); ++i) {
    if (!IsDigit(s[i])) return false;
  }
  return true;
}

// tag = [\w][\w.-]{0,127}
bool IsTag(std::string_view s) {
  if (s.empty() || s.size() > 128 || !IsWord(s[0])) return false;
  for (char c : s) {
    if (!IsWord(c) && c != '.' && c != '-') return false;
  }
  return true;
}

// digest = [A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,}
bool IsDigestSyntax(std::string_view s) {
  const size_t colon = s.find(':');
  if (colon == npos) return false;
  const std::string_view algorithm = s.substr(0, colon);
  const std::string_view hex = s.substr(colon + 1);
  if (hex.size() < 32) return false;
  for (char c : hex) {
    if (!IsHex(c)) return false;
  }
  size_t i = 0;
  for (;;) {
    if (i >= algorithm.size() || !IsAlpha(algorithm[i])) return false;
    ++i;
    while (i < algorithm.size() && IsAlnum(algorithm[i])) ++i;
    if (i == algorithm.size()) return true;
    const char sep = algorithm[i];
    if (sep != '-' && sep != '_' && sep != '+' && sep != '.') return false;
    ++i;
  }
}

struct Parts {
  std::string_view domain, path, tag, digest;
};

// anchoredNameRegexp = ^(?:(domainAndPort)/)?(path)$. Go's leftmost-first matching prefers the
// domain group whenever the first component can be one.
bool MatchName(std::string_view name, Parts* parts) {
  const size_t slash = name.find('/');
  if (slash != npos && IsDomainAndPort(name.substr(0, slash)) && IsPath(name.substr(slash + 1))) {
    parts->domain = name.substr(0, slash);
    parts->path = name.substr(slash + 1);
    return true;
  }
  parts->domain = {};
  parts->path = name;
  return IsPath(name);
}

// ReferenceRegexp = ^(name)(?::(tag))?(?:@(digest))?$. Neither name nor tag can hold '@', and a
// tag can hold neither ':' nor '/', so the split points are unique: the first '@', then the first
// ':' after the last '/'.
bool MatchReference(std::string_view s, Parts* parts) {
  *parts = {};
  std::string_view rest = s;
  if (const size_t at = s.find('@'); at != npos) {
    parts->digest = s.substr(at + 1);
    if (!IsDigestSyntax(parts->digest)) return false;
    rest = s.substr(0, at);
  }
  const size_t last_slash = rest.rfind('/');
  const size_t colon = rest.find(':', last_slash == npos ? 0 : last_slash + 1);
  if (colon != npos) {
    parts->tag = rest.substr(colon + 1);
    if (!IsTag(parts->tag)) return false;
    rest = rest.substr(0, colon);
  }
  return MatchName(rest, parts);
}

// go-digest's Digest.Validate for a string that already matched the digest grammar, with only
// sha256 registered: algorithm availability first, then length, then the hex alphabet.
ReferenceError ValidateDigest(std::string_view d) {
  const size_t colon = d.find(':');
  const std::string_view algorithm = d.substr(0, colon);
  const std::string_view encoded = d.substr(colon + 1);
  if (algorithm != "sha256") {
    // Unavailable: "unsupported" if it still matches go-digest's DigestRegexp, whose algorithm
    // part is [a-z0-9]+(?:[.+_-][a-z0-9]+)* — after our grammar, that means "no uppercase".
    for (char c : algorithm) {
      if (IsUpper(c)) return ReferenceError::kDigestInvalidFormat;
    }
    return ReferenceError::kDigestUnsupported;
  }
  if (encoded.size() != 64) return ReferenceError::kDigestInvalidLength;
  for (char c : encoded) {
    if (!IsLowerHex(c)) return ReferenceError::kDigestInvalidFormat;
  }
  return ReferenceError::kNone;
}

ReferenceParse Fail(ReferenceError e, std::string message = {}) {
  ReferenceParse p;
  p.error = e;
  p.message = message.empty() ? ReferenceErrorText(e) : std::move(message);
  return p;
}

ReferenceParse Ok(Reference r) {
  ReferenceParse p;
  p.ref = std::move(r);
  return p;
}

// normalize.go splitDockerDomain: which part of a familiar name is the registry.
void SplitDockerDomain(std::string_view name, std::string* domain, std::string* remainder) {
  const size_t slash = name.find('/');
  const std::string_view first = name.substr(0, slash);
  if (slash == npos ||
      (first.find_first_of(".:") == npos && first != kLocalhost && GoToLower(first) == first)) {
    *domain = kDefaultDomain;
    *remainder = name;
  } else {
    *domain = first;
    *remainder = name.substr(slash + 1);
  }
  if (*domain == kLegacyDefaultDomain) *domain = kDefaultDomain;
  if (*domain == kDefaultDomain && remainder->find('/') == npos) {
    remainder->insert(0, kOfficialRepoPrefix);
  }
}

}  // namespace

std::string Reference::Name() const { return domain.empty() ? path : domain + "/" + path; }

std::string Reference::String() const {
  std::string s = Name();
  if (!tag.empty()) s += ":" + tag;
  if (!digest.empty()) s += s.empty() ? digest : "@" + digest;  // bare digest: Go's digestReference
  return s;
}

std::string Reference::FamiliarName() const {
  if (domain != kDefaultDomain) return Name();
  // Official images: "library/ubuntu" -> "ubuntu", but a nested "library/a/b" stays as it is.
  const std::string_view p = path;
  if (p.starts_with(kOfficialRepoPrefix)) {
    const std::string_view short_name = p.substr(kOfficialRepoPrefix.size());
    if (short_name.find('/') == npos) return std::string(short_name);
  }
  return path;
}

std::string Reference::FamiliarString() const {
  std::string s = FamiliarName();
  if (!tag.empty()) s += ":" + tag;
  if (!digest.empty()) s += s.empty() ? digest : "@" + digest;
  return s;
}

const char* ReferenceErrorText(ReferenceError e) {
  switch (e) {
    case ReferenceError::kNone:
      return "";
    case ReferenceError::kNameEmpty:
      return "repository name must have at least one component";
    case ReferenceError::kInvalidFormat:
      return "invalid reference format";
    case ReferenceError::kNameContainsUppercase:
      return "repository name must be lowercase";
    case ReferenceError::kNameTooLong:
      return "repository name must not be more than 255 characters";
    case ReferenceError::kNameNotCanonical:
      return "repository name must be canonical";
    case ReferenceError::kDigestInvalidLength:
      return "invalid checksum digest length";
    case ReferenceError::kDigestInvalidFormat:
      return "invalid checksum digest format";
    case ReferenceError::kDigestUnsupported:
      return "unsupported digest algorithm";
  }
  return "invalid reference format";
}

bool IsFullHexId(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!IsLowerHex(c)) return false;
  }
  return true;
}

ReferenceParse ParseReference(const std::string& s) {
  Parts parts;
  if (!MatchReference(s, &parts)) {
    if (s.empty()) return Fail(ReferenceError::kNameEmpty);
    Parts lowered;
    if (MatchReference(GoToLower(s), &lowered)) {
      // Docker's CLI shows the sentinel wrapped in "invalid reference format: ".
      return Fail(ReferenceError::kNameContainsUppercase,
                  "invalid reference format: repository name must be lowercase");
    }
    return Fail(ReferenceError::kInvalidFormat);
  }
  if (parts.path.size() > kNameTotalLengthMax) return Fail(ReferenceError::kNameTooLong);
  if (!parts.digest.empty()) {
    if (const ReferenceError e = ValidateDigest(parts.digest); e != ReferenceError::kNone) {
      return Fail(e);
    }
  }
  return Ok(Reference{std::string(parts.domain), std::string(parts.path), std::string(parts.tag),
                      std::string(parts.digest)});
}

ReferenceParse ParseNormalizedNamed(const std::string& s) {
  if (IsFullHexId(s)) {
    return Fail(ReferenceError::kInvalidFormat,
                "invalid repository name (" + s + "), cannot specify 64-byte hexadecimal strings");
  }
  std::string domain;
  std::string remainder;
  SplitDockerDomain(s, &domain, &remainder);
  // Like Go, the "remote" is everything before the first ':' (which may be a digest's ':').
  const std::string remote = remainder.substr(0, remainder.find(':'));
  if (GoToLower(remote) != remote) {
    return Fail(ReferenceError::kNameContainsUppercase,
                "invalid reference format: repository name (" + remote + ") must be lowercase");
  }
  return ParseReference(domain + "/" + remainder);
}

ReferenceParse ParseNormalizedTagged(const std::string& s) {
  ReferenceParse p = ParseNormalizedNamed(s);
  if (p.ref && !p.ref->tagged() && !p.ref->digested()) p.ref->tag = "latest";
  return p;
}

ReferenceParse ParseDockerRef(const std::string& s) {
  ReferenceParse p = ParseNormalizedNamed(s);
  if (!p.ref) return p;
  if (p.ref->digested()) {
    p.ref->tag.clear();  // name@digest wins over name:tag@digest
  } else if (!p.ref->tagged()) {
    p.ref->tag = "latest";
  }
  return p;
}

Result<bool> FamiliarMatch(const std::string& pattern, const Reference& ref) {
  using reference_internal::PathMatch;
  using reference_internal::PathMatchResult;
  const PathMatchResult full = PathMatch(pattern, ref.FamiliarString());
  if (full == PathMatchResult::kBadPattern) {
    return Status::InvalidArgument("syntax error in pattern");
  }
  if (full == PathMatchResult::kMatch) return true;
  return !ref.path.empty() && PathMatch(pattern, ref.FamiliarName()) == PathMatchResult::kMatch;
}

}  // namespace layerlab
