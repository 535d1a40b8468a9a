// Image references, parsed and normalised exactly like distribution/reference (Docker's grammar):
// [HOST[:PORT]/][PATH/]NAME[:TAG][@sha256:HEX]. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "layerlab/status.h"

namespace layerlab {

// Why a reference was refused; maps one-to-one to distribution/reference's sentinel errors.
enum class ReferenceError {
  kNone,
  kNameEmpty,              // "repository name must have at least one component"
  kInvalidFormat,          // "invalid reference format"
  kNameContainsUppercase,  // "repository name must be lowercase"
  kNameTooLong,            // "repository name must not be more than 255 characters"
  kNameNotCanonical,       // "repository name must be canonical"
  kDigestInvalidLength,    // "invalid checksum digest length"
  kDigestInvalidFormat,    // "invalid checksum digest format"
  kDigestUnsupported,      // "unsupported digest algorithm"
};

struct Reference {
  std::string domain;  // "" when Parse found no domain; "docker.io" after normalisation
  std::string path;    // "library/ubuntu"
  std::string tag;     // "" = no tag
  std::string digest;  // "sha256:<64 hex>" or ""

  // domain + "/" + path, or path alone when there is no domain.
  std::string Name() const;
  // Name()[":" tag]["@" digest] — the exact round-trip form.
  std::string String() const;
  // Docker's short display: "ubuntu", "fooo/bar", "localhost:5000/x" (docker.io and library/ cut).
  std::string FamiliarName() const;
  std::string FamiliarString() const;
  bool tagged() const { return !tag.empty(); }
  bool digested() const { return !digest.empty(); }
};

struct ReferenceParse {
  std::optional<Reference> ref;
  ReferenceError error = ReferenceError::kNone;
  std::string message;  // full user-facing message, e.g. "invalid reference format: repository
                        // name (library/Foo) must be lowercase"
};

// reference.Parse: the grammar only, no normalisation (first path component counts as the
// domain whenever there is a "/").
ReferenceParse ParseReference(const std::string& s);

// reference.ParseNormalizedNamed: docker.io and library/ filled in, "index.docker.io" rewritten;
// a bare 64-hex string is refused (it would be ambiguous with an image ID). No default tag added.
ReferenceParse ParseNormalizedNamed(const std::string& s);

// ParseNormalizedNamed + ":latest" when neither tag nor digest is given (reference.TagNameOnly).
// With both tag and digest, both are kept (Docker keeps both in `pull`; ParseDockerRef drops the
// tag — see ParseDockerRef).
ReferenceParse ParseNormalizedTagged(const std::string& s);

// reference.ParseDockerRef: normalise, default ":latest"; with both tag and digest keep only the
// digest.
ReferenceParse ParseDockerRef(const std::string& s);

// reference.FamiliarMatch: path.Match(pattern, FamiliarString) || path.Match(pattern, FamiliarName).
// Returns an error Status for a malformed pattern ("syntax error in pattern").
Result<bool> FamiliarMatch(const std::string& pattern, const Reference& ref);

// The sentinel text for an error kind ("repository name must be lowercase").
const char* ReferenceErrorText(ReferenceError e);

// True when s is 64 lowercase hex digits (an image ID without its "sha256:" prefix).
bool IsFullHexId(const std::string& s);

}  // namespace layerlab
