// Conformance tests for core/reference: every row of distribution/reference's own test tables
// (tests/data/reference/*.tsv, extracted from its Go tests) plus the messages users see.
#include "layerlab/reference.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#ifndef LAYERLAB_TEST_DATA
#error "compile with -DLAYERLAB_TEST_DATA='\"/path/to/tests/data\"'"
#endif

namespace layerlab {
namespace {

using Row = std::vector<std::string>;

constexpr size_t npos = std::string::npos;
const std::string kSha256Ffff = "sha256:" + std::string(64, 'f');

// Reads tests/data/reference/<name>: '#' lines are comments, every other line is one row of
// TAB-separated fields (an empty field is an empty string).
std::vector<Row> ReadTable(const std::string& name, size_t fields) {
  const std::string path = std::string(LAYERLAB_TEST_DATA) + "/reference/" + name;
  std::ifstream in(path);
  EXPECT_TRUE(in.is_open()) << "cannot open " << path;
  std::vector<Row> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    Row row;
    for (size_t start = 0;;) {
      const size_t tab = line.find('\t', start);
      row.push_back(line.substr(start, tab == npos ? npos : tab - start));
      if (tab == npos) break;
      start = tab + 1;
    }
    EXPECT_EQ(row.size(), fields) << name << ": " << line;
    row.resize(fields);
    rows.push_back(std::move(row));
  }
  return rows;
}

// "parse.tsv row 3: test.com:5000" — names the failing row in every assertion below.
std::string Label(const std::string& table, size_t index, const std::string& input) {
  return table + " row " + std::to_string(index + 1) + ": '" + input + "'";
}

// The tables' error_kind spelling of an error.
std::string KindName(ReferenceError e) {
  switch (e) {
    case ReferenceError::kNone:
      return "";
    case ReferenceError::kNameEmpty:
      return "name-empty";
    case ReferenceError::kInvalidFormat:
      return "invalid-format";
    case ReferenceError::kNameContainsUppercase:
      return "name-contains-uppercase";
    case ReferenceError::kNameTooLong:
      return "name-too-long";
    case ReferenceError::kNameNotCanonical:
      return "name-not-canonical";
    case ReferenceError::kDigestInvalidLength:
      return "digest-invalid-length";
    case ReferenceError::kDigestInvalidFormat:
      return "digest-invalid-format";
    case ReferenceError::kDigestUnsupported:
      return "digest-unsupported";
  }
  return "?";
}

// The parsed reference's String(), or the error message (so a failed parse shows why).
std::string StringOf(const ReferenceParse& p) {
  return p.ref ? p.ref->String() : "<error: " + p.message + ">";
}

ReferenceParse Failure(ReferenceError e) {
  ReferenceParse p;
  p.error = e;
  p.message = ReferenceErrorText(e);
  return p;
}

// reference.WithName in terms of this API: a bare name (no tag, no digest) that the grammar
// accepts; every failure but the length limit is "invalid reference format".
ReferenceParse WithName(const std::string& s) {
  ReferenceParse p = ParseReference(s);
  const size_t last_slash = s.rfind('/');
  const bool bare = s.find('@') == npos && s.find(':', last_slash == npos ? 0 : last_slash) == npos;
  if (p.error == ReferenceError::kNameTooLong && bare) return p;
  if (!p.ref || p.ref->tagged() || p.ref->digested()) {
    return Failure(ReferenceError::kInvalidFormat);
  }
  return p;
}

// reference.ParseNamed: ParseNormalizedNamed, and the input must already be the canonical form.
ReferenceParse ParseNamed(const std::string& s) {
  ReferenceParse p = ParseNormalizedNamed(s);
  if (p.ref && p.ref->String() != s) return Failure(ReferenceError::kNameNotCanonical);
  return p;
}

// reference.ParseAnyReference: a bare image ID or a sha256 digest is a digest-only reference
// (empty name); anything else is a normalised name.
ReferenceParse ParseAny(const std::string& s) {
  std::string digest;
  if (IsFullHexId(s)) digest = "sha256:" + s;
  if (s.starts_with("sha256:") && IsFullHexId(s.substr(7))) digest = s;
  if (digest.empty()) return ParseNormalizedNamed(s);
  ReferenceParse p;
  p.ref = Reference{"", "", "", digest};
  return p;
}

TEST(ReferenceTest, ParseMatchesDistributionTable) {
  const auto rows = ReadTable("parse.tsv", 8);
  ASSERT_EQ(rows.size(), 48u);
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];  // input valid domain path tag digest error_kind name
    SCOPED_TRACE(Label("parse.tsv", i, r[0]));
    const ReferenceParse p = ParseReference(r[0]);
    if (r[1] == "yes") {
      ASSERT_TRUE(p.ref.has_value()) << p.message;
      EXPECT_EQ(p.error, ReferenceError::kNone);
      EXPECT_EQ(p.ref->String(), r[0]);
      EXPECT_EQ(p.ref->Name(), r[7]);
      EXPECT_EQ(p.ref->domain, r[2]);
      EXPECT_EQ(p.ref->path, r[3]);
      EXPECT_EQ(p.ref->tag, r[4]);
      EXPECT_EQ(p.ref->digest, r[5]);
      EXPECT_EQ(p.ref->tagged(), !r[4].empty());
      EXPECT_EQ(p.ref->digested(), !r[5].empty());
    } else {
      EXPECT_FALSE(p.ref.has_value());
      EXPECT_EQ(KindName(p.error), r[6]);
      EXPECT_FALSE(p.message.empty());
    }
  }
}

TEST(ReferenceTest, NormalizeMatchesDistributionTable) {
  const auto rows = ReadTable("normalize.tsv", 7);
  ASSERT_EQ(rows.size(), 107u);
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];  // test input valid domain path full_string familiar_string
    SCOPED_TRACE(Label("normalize.tsv", i, r[1]) + " (" + r[0] + ")");
    const ReferenceParse p = ParseNormalizedNamed(r[1]);
    if (r[2] == "yes") {
      ASSERT_TRUE(p.ref.has_value()) << p.message;
      if (!r[3].empty()) {
        EXPECT_EQ(p.ref->domain, r[3]);
      }
      if (!r[4].empty()) {
        EXPECT_EQ(p.ref->path, r[4]);
      }
      if (!r[5].empty()) {
        EXPECT_EQ(p.ref->String(), r[5]);
      }
      if (!r[6].empty()) {
        EXPECT_EQ(p.ref->FamiliarString(), r[6]);
        if (!p.ref->tagged() && !p.ref->digested()) {
          EXPECT_EQ(p.ref->FamiliarName(), r[6]);
        }
      }
    } else {
      EXPECT_FALSE(p.ref.has_value());
      EXPECT_NE(p.error, ReferenceError::kNone);
      EXPECT_FALSE(p.message.empty());
    }
  }
}

TEST(ReferenceTest, ParseAnyTreatsBareHexAsDigest) {
  const auto rows = ReadTable("parse_any.tsv", 3);
  ASSERT_EQ(rows.size(), 14u);
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];  // input string kind
    SCOPED_TRACE(Label("parse_any.tsv", i, r[0]));
    const ReferenceParse p = ParseAny(r[0]);
    ASSERT_TRUE(p.ref.has_value()) << p.message;
    EXPECT_EQ(p.ref->String(), r[1]);
    if (r[2] == "digest-only") {
      EXPECT_TRUE(p.ref->Name().empty());
      EXPECT_EQ(p.ref->digest, r[1]);
    } else {
      EXPECT_EQ(r[2], "named");
      EXPECT_FALSE(p.ref->path.empty());
    }
  }
}

TEST(ReferenceTest, ParseDockerRefAddsLatestAndPrefersDigest) {
  const auto rows = ReadTable("parse_docker_ref.tsv", 3);
  ASSERT_EQ(rows.size(), 11u);
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];  // description input expected_string
    SCOPED_TRACE(Label("parse_docker_ref.tsv", i, r[1]) + " (" + r[0] + ")");
    const ReferenceParse p = ParseDockerRef(r[1]);
    ASSERT_TRUE(p.ref.has_value()) << p.message;
    EXPECT_EQ(p.ref->String(), r[2]);
  }
}

TEST(ReferenceTest, ParseNamedRequiresCanonicalInput) {
  const auto rows = ReadTable("parse_named_canonical.tsv", 5);
  ASSERT_EQ(rows.size(), 8u);
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];  // input valid domain path error_kind
    SCOPED_TRACE(Label("parse_named_canonical.tsv", i, r[0]));
    const ReferenceParse p = ParseNamed(r[0]);
    if (r[1] == "yes") {
      ASSERT_TRUE(p.ref.has_value()) << p.message;
      EXPECT_EQ(p.ref->domain, r[2]);
      EXPECT_EQ(p.ref->path, r[3]);
    } else {
      EXPECT_FALSE(p.ref.has_value());
      EXPECT_EQ(KindName(p.error), r[4]);
    }
  }
}

TEST(ReferenceTest, WithNameAcceptsOnlyBareNames) {
  const auto rows = ReadTable("with_name.tsv", 5);
  ASSERT_EQ(rows.size(), 13u);
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];  // input valid domain path error_kind
    SCOPED_TRACE(Label("with_name.tsv", i, r[0]));
    const ReferenceParse p = WithName(r[0]);
    if (r[1] == "yes") {
      ASSERT_TRUE(p.ref.has_value()) << p.message;
      EXPECT_EQ(p.ref->domain, r[2]);
      EXPECT_EQ(p.ref->path, r[3]);
      EXPECT_EQ(p.ref->String(), r[0]);
    } else {
      EXPECT_FALSE(p.ref.has_value());
      EXPECT_EQ(KindName(p.error), r[4]);
    }
  }
}

TEST(ReferenceTest, ComposedTagAndDigestSerialiseInOrder) {
  const auto rows = ReadTable("compose.tsv", 5);
  ASSERT_EQ(rows.size(), 9u);
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];  // test name tag digest combined_string
    SCOPED_TRACE(Label("compose.tsv", i, r[1]) + " (" + r[0] + ")");
    ReferenceParse p = WithName(r[1]);
    ASSERT_TRUE(p.ref.has_value()) << p.message;
    p.ref->tag = r[2];
    p.ref->digest = r[3];
    EXPECT_EQ(p.ref->String(), r[4]);
  }
}

TEST(ReferenceTest, SerializationRoundTripsThroughParse) {
  const auto rows = ReadTable("serialization.tsv", 7);
  ASSERT_EQ(rows.size(), 4u);
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];  // description input valid name tag digest error_kind
    SCOPED_TRACE(Label("serialization.tsv", i, r[1]) + " (" + r[0] + ")");
    const ReferenceParse p = ParseReference(r[1]);
    if (r[2] == "yes") {
      ASSERT_TRUE(p.ref.has_value()) << p.message;
      EXPECT_EQ(p.ref->Name(), r[3]);
      EXPECT_EQ(p.ref->tag, r[4]);
      EXPECT_EQ(p.ref->digest, r[5]);
      EXPECT_EQ(StringOf(ParseReference(p.ref->String())), r[1]);
    } else {
      EXPECT_FALSE(p.ref.has_value());
      EXPECT_EQ(KindName(p.error), r[6]);
    }
  }
}

TEST(ReferenceTest, FamiliarMatchFollowsGoPathMatch) {
  const auto rows = ReadTable("familiar_match.tsv", 3);
  ASSERT_EQ(rows.size(), 10u);
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];  // reference pattern matches
    SCOPED_TRACE(Label("familiar_match.tsv", i, r[0]) + " pattern '" + r[1] + "'");
    const ReferenceParse p = ParseNormalizedNamed(r[0]);
    ASSERT_TRUE(p.ref.has_value()) << p.message;
    const Result<bool> m = FamiliarMatch(r[1], *p.ref);
    if (r[2] == "error") {
      ASSERT_FALSE(m.has_value());
      EXPECT_EQ(m.error().code(), Code::kInvalidArgument);
      EXPECT_EQ(m.error().message(), "syntax error in pattern");
    } else {
      ASSERT_TRUE(m.has_value()) << m.error().message();
      EXPECT_EQ(*m, r[2] == "yes");
    }
  }
}

TEST(ReferenceTest, DomainGrammarMatchesDistributionTable) {
  const auto rows = ReadTable("regexp_domain.tsv", 2);
  ASSERT_EQ(rows.size(), 30u);
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];  // input matches
    SCOPED_TRACE(Label("regexp_domain.tsv", i, r[0]));
    // ^domainAndPort$ holds exactly when "<input>/x" parses with <input> as its domain.
    const ReferenceParse p = ParseReference(r[0] + "/x");
    EXPECT_EQ(p.ref.has_value() && p.ref->domain == r[0], r[1] == "yes");
  }
}

TEST(ReferenceTest, NameGrammarMatchesDistributionTable) {
  const auto rows = ReadTable("regexp_fullname.tsv", 5);
  ASSERT_EQ(rows.size(), 63u);
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];  // input matches subs_asserted domain path
    SCOPED_TRACE(Label("regexp_fullname.tsv", i, r[0]));
    const ReferenceParse p = WithName(r[0]);
    const bool matched = p.ref.has_value() || p.error == ReferenceError::kNameTooLong;
    EXPECT_EQ(matched, r[1] == "yes");
    if (r[2] == "yes") {
      ASSERT_TRUE(p.ref.has_value()) << p.message;
      EXPECT_EQ(p.ref->domain, r[3]);
      EXPECT_EQ(p.ref->path, r[4]);
    }
  }
}

TEST(ReferenceTest, ReferenceGrammarMatchesDistributionTable) {
  const auto rows = ReadTable("regexp_reference.tsv", 6);
  ASSERT_EQ(rows.size(), 12u);
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];  // input matches subs_asserted name tag digest
    SCOPED_TRACE(Label("regexp_reference.tsv", i, r[0]));
    const ReferenceParse p = ParseReference(r[0]);
    // Parse fails with these kinds only after the grammar has matched.
    const bool matched = p.ref.has_value() || p.error == ReferenceError::kNameTooLong ||
                         p.error == ReferenceError::kDigestInvalidLength ||
                         p.error == ReferenceError::kDigestInvalidFormat ||
                         p.error == ReferenceError::kDigestUnsupported;
    EXPECT_EQ(matched, r[1] == "yes");
    if (r[2] == "yes") {
      ASSERT_TRUE(p.ref.has_value()) << p.message;
      EXPECT_EQ(p.ref->Name(), r[3]);
      EXPECT_EQ(p.ref->tag, r[4]);
      EXPECT_EQ(p.ref->digest, r[5]);
    }
  }
}

TEST(ReferenceTest, FullHexIdMatchesDistributionTable) {
  const auto rows = ReadTable("regexp_identifier.tsv", 2);
  ASSERT_EQ(rows.size(), 5u);
  for (size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE(Label("regexp_identifier.tsv", i, rows[i][0]));
    EXPECT_EQ(IsFullHexId(rows[i][0]), rows[i][1] == "yes");
  }
}

TEST(ReferenceTest, UppercaseRepositoryMessageNamesTheRemote) {
  const ReferenceParse p = ParseNormalizedNamed("Foo");
  EXPECT_FALSE(p.ref.has_value());
  EXPECT_EQ(p.error, ReferenceError::kNameContainsUppercase);
  EXPECT_EQ(p.message, "invalid reference format: repository name (library/Foo) must be lowercase");

  const ReferenceParse raw = ParseReference("Foo");
  EXPECT_EQ(raw.error, ReferenceError::kNameContainsUppercase);
  EXPECT_EQ(raw.message, "invalid reference format: repository name must be lowercase");
  EXPECT_STREQ(ReferenceErrorText(raw.error), "repository name must be lowercase");
}

TEST(ReferenceTest, EmptyInputIsNameEmpty) {
  const ReferenceParse p = ParseReference("");
  EXPECT_FALSE(p.ref.has_value());
  EXPECT_EQ(p.error, ReferenceError::kNameEmpty);
  EXPECT_EQ(p.message, "repository name must have at least one component");
  // Normalised, "" becomes "docker.io/library/", which the grammar refuses.
  EXPECT_EQ(ParseNormalizedNamed("").error, ReferenceError::kInvalidFormat);
}

TEST(ReferenceTest, FamiliarStringDropsDockerHubAndLibrary) {
  const ReferenceParse p = ParseReference("docker.io/library/ubuntu:latest");
  ASSERT_TRUE(p.ref.has_value());
  EXPECT_EQ(p.ref->FamiliarString(), "ubuntu:latest");
  EXPECT_EQ(p.ref->FamiliarName(), "ubuntu");
  const ReferenceParse nested = ParseNormalizedNamed("library/foo/bar");
  ASSERT_TRUE(nested.ref.has_value());
  EXPECT_EQ(nested.ref->FamiliarName(), "library/foo/bar");  // only one-level library/ is cut
  const ReferenceParse local = ParseNormalizedNamed("localhost:5000/x:1");
  ASSERT_TRUE(local.ref.has_value());
  EXPECT_EQ(local.ref->FamiliarString(), "localhost:5000/x:1");
}

TEST(ReferenceTest, PathIsLimitedTo255Characters) {
  const std::string max_path = std::string(127, 'a') + "/" + std::string(127, 'b');
  ASSERT_EQ(max_path.size(), 255u);
  const ReferenceParse ok = ParseReference("registry.example.com/" + max_path + ":tag");
  ASSERT_TRUE(ok.ref.has_value()) << ok.message;  // the domain does not count
  EXPECT_EQ(ok.ref->path, max_path);

  const ReferenceParse too_long = ParseReference("registry.example.com/" + max_path + "c");
  EXPECT_EQ(too_long.error, ReferenceError::kNameTooLong);
  EXPECT_EQ(too_long.message, "repository name must not be more than 255 characters");
  EXPECT_EQ(ParseNormalizedNamed(std::string(256, 'a')).error, ReferenceError::kNameTooLong);

  // Long inputs are scanned, not backtracked: 100k characters return promptly.
  std::string huge;
  for (int i = 0; i < 50000; ++i) huge += "a/";
  EXPECT_EQ(ParseReference(huge + "a").error, ReferenceError::kNameTooLong);
  EXPECT_EQ(ParseReference(huge).error, ReferenceError::kInvalidFormat);
}

TEST(ReferenceTest, BareImageIdIsRefusedAsRepositoryName) {
  const std::string hex(64, 'e');
  const ReferenceParse p = ParseNormalizedNamed(hex);
  EXPECT_FALSE(p.ref.has_value());
  EXPECT_EQ(p.error, ReferenceError::kInvalidFormat);
  EXPECT_EQ(p.message,
            "invalid repository name (" + hex + "), cannot specify 64-byte hexadecimal strings");
  EXPECT_TRUE(ParseNormalizedNamed(hex.substr(1)).ref.has_value());
}

TEST(ReferenceTest, DigestErrorsFollowGoDigestOrder) {
  EXPECT_EQ(ParseReference("repo@sha256:" + std::string(32, 'f')).message,
            "invalid checksum digest length");
  EXPECT_EQ(ParseReference("repo@sha256:" + std::string(64, 'F')).message,
            "invalid checksum digest format");
  EXPECT_EQ(ParseReference("repo@sha512:" + std::string(64, 'f')).message,
            "unsupported digest algorithm");
  EXPECT_EQ(ParseReference("repo@SHA256:" + std::string(64, 'f')).error,
            ReferenceError::kDigestInvalidFormat);
  EXPECT_EQ(ParseReference("repo@sha256:" + std::string(31, 'f')).error,
            ReferenceError::kInvalidFormat);  // under 32 hex digits: not even the grammar
}

TEST(ReferenceTest, NormalizedTaggedAddsLatestOnlyWithoutTagOrDigest) {
  EXPECT_EQ(StringOf(ParseNormalizedTagged("busybox")), "docker.io/library/busybox:latest");
  EXPECT_EQ(StringOf(ParseNormalizedTagged("busybox:1")), "docker.io/library/busybox:1");
  EXPECT_EQ(StringOf(ParseNormalizedTagged("busybox@" + kSha256Ffff)),
            "docker.io/library/busybox@" + kSha256Ffff);
  EXPECT_EQ(StringOf(ParseNormalizedTagged("busybox:1@" + kSha256Ffff)),
            "docker.io/library/busybox:1@" + kSha256Ffff);
}

TEST(ReferenceTest, IndexDockerIoIsRewrittenToDockerIo) {
  const ReferenceParse p = ParseNormalizedNamed("index.docker.io/ubuntu");
  ASSERT_TRUE(p.ref.has_value());
  EXPECT_EQ(p.ref->String(), "docker.io/library/ubuntu");
}

// Cases from Go's src/path/match_test.go: FamiliarMatch must be path.Match, byte for byte.
TEST(ReferenceTest, FamiliarMatchAgreesWithGoPathMatchCases) {
  enum Want { kNo, kYes, kBad };
  struct Case {
    const char* pattern;
    const char* name;
    Want want;
  };
  const Case cases[] = {
      {"abc", "abc", kYes},
      {"*", "abc", kYes},
      {"*c", "abc", kYes},
      {"a*", "a", kYes},
      {"a*", "abc", kYes},
      {"a*", "ab/c", kNo},
      {"a*/b", "abc/b", kYes},
      {"a*/b", "a/c/b", kNo},
      {"a*b*c*d*e*/f", "axbxcxdxe/f", kYes},
      {"a*b*c*d*e*/f", "axbxcxdxexxx/f", kYes},
      {"a*b*c*d*e*/f", "axbxcxdxe/xxx/f", kNo},
      {"a*b*c*d*e*/f", "axbxcxdxexxx/fff", kNo},
      {"a*b?c*x", "abxbbxdbxebxczzx", kYes},
      {"a*b?c*x", "abxbbxdbxebxczzy", kNo},
      {"ab[c]", "abc", kYes},
      {"ab[b-d]", "abc", kYes},
      {"ab[e-g]", "abc", kNo},
      {"ab[^c]", "abc", kNo},
      {"ab[^b-d]", "abc", kNo},
      {"ab[^e-g]", "abc", kYes},
      {"a\\*b", "a*b", kYes},
      {"a\\*b", "ab", kNo},
      {"a?b", "a\u263Ab", kYes},
      {"a[^a]b", "a\u263Ab", kYes},
      {"a???b", "a\u263Ab", kNo},
      {"a[^a][^a][^a]b", "a\u263Ab", kNo},
      {"[a-\u03B6]*", "\u03B1", kYes},
      {"*[a-\u03B6]", "A", kNo},
      {"a?b", "a/b", kNo},
      {"a*b", "a/b", kNo},
      {"[\\]a]", "]", kYes},
      {"[\\-]", "-", kYes},
      {"[x\\-]", "x", kYes},
      {"[x\\-]", "-", kYes},
      {"[x\\-]", "z", kNo},
      {"[\\-x]", "x", kYes},
      {"[\\-x]", "-", kYes},
      {"[\\-x]", "a", kNo},
      {"[]a]", "]", kBad},
      {"[-]", "-", kBad},
      {"[x-]", "x", kBad},
      {"[x-]", "-", kBad},
      {"[x-]", "z", kBad},
      {"[-x]", "x", kBad},
      {"[-x]", "-", kBad},
      {"[-x]", "a", kBad},
      {"\\", "a", kBad},
      {"[a-b-c]", "a", kBad},
      {"[", "a", kBad},
      {"[^", "a", kBad},
      {"[^bc", "a", kBad},
      {"a[", "a", kBad},
      {"a[", "ab", kBad},
      {"a[", "x", kBad},
      {"a/b[", "x", kBad},
      {"a[\\", "x", kBad},
      {"*x", "xxx", kYes},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string("pattern '") + c.pattern + "' name '" + c.name + "'");
    const Result<bool> m = FamiliarMatch(c.pattern, Reference{"", c.name, "", ""});
    if (c.want == kBad) {
      ASSERT_FALSE(m.has_value());
      EXPECT_EQ(m.error().message(), "syntax error in pattern");
    } else {
      ASSERT_TRUE(m.has_value());
      EXPECT_EQ(*m, c.want == kYes);
    }
  }
}

}  // namespace
}  // namespace layerlab
