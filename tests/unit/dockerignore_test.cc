// Tests for build-context filtering and COPY-source globbing: every row of moby/patternmatcher's
// own test tables (tests/data/patternmatcher/*.tsv), ignorefile.ReadAll's case, and BuildKit's
// wildcard and symlink rules on a scratch build context.
#include "layerlab/dockerignore.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cerrno>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#ifndef LAYERLAB_TEST_DATA
#error "compile with -DLAYERLAB_TEST_DATA='\"/path/to/tests/data\"'"
#endif

namespace layerlab {
namespace {

namespace fs = std::filesystem;
using Row = std::vector<std::string>;
using Strings = std::vector<std::string>;

// Reads tests/data/patternmatcher/<name>: '#' lines are comments, other lines TAB-separated rows.
std::vector<Row> ReadTable(const std::string& name, size_t min_fields) {
  const std::string path = std::string(LAYERLAB_TEST_DATA) + "/patternmatcher/" + name;
  std::ifstream in(path);
  EXPECT_TRUE(in.is_open()) << "cannot open " << path;
  std::vector<Row> rows;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    Row row;
    for (size_t start = 0;;) {
      const size_t tab = line.find('\t', start);
      row.push_back(line.substr(start, tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    EXPECT_GE(row.size(), min_fields) << name << ": " << line;
    if (row.size() >= min_fields) rows.push_back(row);
  }
  EXPECT_FALSE(rows.empty()) << name;
  return rows;
}

// patternmatcher's package-level MatchesOrParentMatches(file, patterns).
Result<bool> Matches(const std::string& file, const Strings& patterns) {
  LL_ASSIGN_OR_RETURN(const PatternMatcher pm, PatternMatcher::Create(patterns));
  const std::string cleaned = CleanPath(file);
  if (cleaned == ".") return false;  // "Don't let them exclude everything, kind of silly."
  return pm.MatchesOrParentMatches(cleaned);
}

PatternMatcher MustCreate(const Strings& patterns) {
  Result<PatternMatcher> pm = PatternMatcher::Create(patterns);
  EXPECT_TRUE(pm.has_value()) << pm.error().message();
  return pm.has_value() ? *pm : PatternMatcher();
}

// ---- ignorefile.ReadAll ----

TEST(DockerignoreTest, ReadAllUpstreamCase) {
  const std::string content =
      "test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n!\n! ";
  Result<Strings> got = ParseDockerignore(content);
  ASSERT_TRUE(got.has_value()) << got.error().message();
  EXPECT_EQ(*got,
            (Strings{"test1", "test2", "a/file/here", "lastfile", "!inverted/abs/path", "!", "!"}));
}

TEST(DockerignoreTest, EmptyContentHasNoPatterns) {
  EXPECT_TRUE(ParseDockerignore("")->empty());
  EXPECT_TRUE(ParseDockerignore("\n\n  \t\n# only a comment\n")->empty());
}

TEST(DockerignoreTest, BomCrLfAndCommentsOnlyAtLineStart) {
  Result<Strings> got = ParseDockerignore(
      "\xEF\xBB\xBF# comment\r\nfoo\r\n  # not a comment\r\n\tbar/  \r\n\xEF\xBB\xBF"
      "baz");
  ASSERT_TRUE(got.has_value());
  // The BOM is dropped from the first line only; U+FEFF is not white space.
  EXPECT_EQ(*got, (Strings{"foo", "# not a comment", "bar",
                           "\xEF\xBB\xBF"
                           "baz"}));
}

TEST(DockerignoreTest, PatternsAreCleaned) {
  Result<Strings> got =
      ParseDockerignore("/\n.\n./\n/../x\na//b/./c/..\n!  /a/\n../x\n*/\n**/\nsrc/**/*.go\n");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, (Strings{"/", ".", ".", "x", "a/b", "!a", "../x", "*", "**", "src/**/*.go"}));
}

TEST(DockerignoreTest, UnicodeWhiteSpaceIsTrimmed) {
  // U+00A0 no-break space, U+3000 ideographic space, U+2003 em space.
  Result<Strings> got = ParseDockerignore("\u00a0foo\u3000\n\u2003!\u2003bar\n");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, (Strings{"foo", "!bar"}));
}

TEST(DockerignoreTest, LineOf64KiBIsRefusedLikeBufioScanner) {
  EXPECT_TRUE(ParseDockerignore("a\n" + std::string(65535, 'x') + "\n").has_value());
  Result<Strings> got = ParseDockerignore("a\n" + std::string(65536, 'x'));
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(got.error().message(),
            ".dockerignore line 2: line is 65536 bytes long; Docker reads at most 65535 "
            "(bufio.Scanner: token too long)");
}

TEST(DockerignoreTest, CleanPathMatchesGo) {
  // Go's path.Clean tests (src/path/path_test.go).
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "."},
      {"abc", "abc"},
      {"abc/def", "abc/def"},
      {"a/b/c", "a/b/c"},
      {".", "."},
      {"..", ".."},
      {"../..", "../.."},
      {"../../abc", "../../abc"},
      {"/abc", "/abc"},
      {"/", "/"},
      {"abc/", "abc"},
      {"abc/def/", "abc/def"},
      {"./", "."},
      {"../", ".."},
      {"/abc/", "/abc"},
      {"abc//def//ghi", "abc/def/ghi"},
      {"//abc", "/abc"},
      {"///abc", "/abc"},
      {"//abc//", "/abc"},
      {"abc//", "abc"},
      {"abc/./def", "abc/def"},
      {"/./abc/def", "/abc/def"},
      {"abc/.", "abc"},
      {"abc/def/ghi/../jkl", "abc/def/jkl"},
      {"abc/def/../ghi/../jkl", "abc/jkl"},
      {"abc/def/..", "abc"},
      {"abc/def/../..", "."},
      {"/abc/def/../..", "/"},
      {"abc/def/../../..", ".."},
      {"/abc/def/../../..", "/"},
      {"abc/def/../../../ghi/jkl/../../../mno", "../../mno"},
      {"abc/./../def", "def"},
      {"abc//./../def", "def"},
      {"abc/../../././../def", "../../def"},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(CleanPath(in), want) << in;
}

// ---- PatternMatcher: upstream tables ----

TEST(DockerignoreTest, UpstreamMatchesTable) {
  const std::vector<Row> rows = ReadTable("matches.tsv", 3);
  EXPECT_EQ(rows.size(), 68u);
  for (const Row& r : rows) {
    Result<PatternMatcher> pm = PatternMatcher::Create({r[0]});
    ASSERT_TRUE(pm.has_value()) << r[0] << ": " << pm.error().message();
    EXPECT_EQ(pm->MatchesOrParentMatches(r[1]), r[2] != "fail")
        << "pattern=" << r[0] << " text=" << r[1];
  }
}

TEST(DockerignoreTest, UpstreamMultiPatternTable) {
  const std::vector<Row> rows = ReadTable("multi_matches.tsv", 3);
  EXPECT_EQ(rows.size(), 4u);
  for (const Row& r : rows) {
    const Strings patterns(r.begin() + 2, r.end());
    EXPECT_EQ(MustCreate(patterns).MatchesOrParentMatches(r[0]), r[1] != "fail") << r[0];
  }
}

TEST(DockerignoreTest, UpstreamFilepathMatchTable) {
  const std::vector<Row> rows = ReadTable("filepath_match.tsv", 4);
  EXPECT_EQ(rows.size(), 54u);
  for (const Row& r : rows) {
    Result<bool> got = Matches(r[1], {r[0]});
    const bool bad = r.size() > 3 && r[3] == "bad";
    ASSERT_EQ(got.has_value(), !bad) << "pattern=" << r[0] << " text=" << r[1];
    if (bad) {
      EXPECT_EQ(got.error().message(), "invalid pattern `" + r[0] + "`: syntax error in pattern");
    } else {
      EXPECT_EQ(*got, r[2] == "yes") << "pattern=" << r[0] << " text=" << r[1];
    }
  }
}

TEST(DockerignoreTest, UpstreamSmallCases) {
  EXPECT_TRUE(*Matches("fileutils.go", {"*"}));
  EXPECT_TRUE(*Matches("fileutils.go", {"*.go"}));
  EXPECT_TRUE(*Matches("fileutils.go", {"!fileutils.go", "*.go"}));
  EXPECT_FALSE(*Matches("docs/README.md", {"docs", "!docs/README.md"}));
  EXPECT_FALSE(*Matches("docs/README.md", {"docs/", "!docs/README.md"}));
  EXPECT_FALSE(*Matches("docs/README.md", {"docs/*", "!docs/README.md"}));
  EXPECT_FALSE(*Matches("fileutils.go", {"*.go", "!fileutils.go"}));
  EXPECT_FALSE(*Matches(".", {"*.go"}));
  EXPECT_FALSE(*Matches("/any/path/there", {}));
  Result<bool> malformed = Matches("/any/path/there", {"["});
  ASSERT_FALSE(malformed.has_value());
  EXPECT_EQ(malformed.error().message(), "invalid pattern `[`: syntax error in pattern");
}

TEST(DockerignoreTest, LoneExclamationIsRefused) {
  for (const Strings& patterns : {Strings{"!"}, Strings{"docs", "  ! "}}) {
    Result<PatternMatcher> pm = PatternMatcher::Create(patterns);
    ASSERT_FALSE(pm.has_value());
    EXPECT_EQ(pm.error().code(), Code::kInvalidArgument);
    EXPECT_EQ(pm.error().message(), "illegal exclusion pattern: \"!\"");
  }
}

TEST(DockerignoreTest, ExclusionsAndEmpty) {
  EXPECT_TRUE(PatternMatcher().Empty());
  EXPECT_FALSE(PatternMatcher().MatchesOrParentMatches("anything"));
  EXPECT_TRUE(MustCreate({"", "   ", "\t"}).Empty());
  const PatternMatcher plain = MustCreate({"docs", "config", ""});
  EXPECT_FALSE(plain.Empty());
  EXPECT_FALSE(plain.Exclusions());
  EXPECT_TRUE(MustCreate({"docs", "!docs/README.md"}).Exclusions());
  EXPECT_TRUE(MustCreate({"docs", "  !docs/README.md"}).Exclusions());
  EXPECT_TRUE(MustCreate({"docs", "!docs/README.md  "}).Exclusions());
}

// ---- PatternMatcher: the fast paths and regexp details upstream has ----

TEST(DockerignoreTest, MatchKindQuirksAreKept) {
  // "**name" is a suffix test without a '/': it also matches "barfile" (compileTests: suffixMatch).
  EXPECT_TRUE(*Matches("barfile", {"**file"}));
  EXPECT_FALSE(*Matches("xdir", {"**/dir"}));
  // "dir/**" is a prefix test: "dir/" and below, not "dir" itself.
  EXPECT_FALSE(*Matches("dirx", {"dir/**"}));
  // Characters special to a regexp but not to a glob are literal.
  EXPECT_TRUE(*Matches("a+b(c)|{d}$", {"a+b(c)|{d}$"}));
  EXPECT_TRUE(*Matches("x/a+b.txt", {"*/a+b.*"}));
  EXPECT_FALSE(*Matches("x/aab.txt", {"*/a+b.*"}));
  // '^' is literal in an exact pattern but an anchor in upstream's regexp, so "*^b" matches
  // nothing.
  EXPECT_TRUE(*Matches("a^b", {"a^b"}));
  EXPECT_FALSE(*Matches("a^b", {"*^b"}));
  // '.' in "(.*/)?" does not cross a newline; '[^/]*' and classes do.
  EXPECT_FALSE(*Matches("a\nb/c.txt", {"**/*.txt"}));
  EXPECT_TRUE(*Matches("a\nb.txt", {"*.txt"}));
  // Escapes of punctuation and control characters.
  EXPECT_TRUE(*Matches("a[b]", {"a\\[b\\]"}));
  EXPECT_TRUE(*Matches("a\tb", {"a\\tb*"}));
  // A class can match '/', as in the regexp.
  EXPECT_TRUE(*Matches("a/b", {"a[/]b"}));
  // Runes, not bytes; an invalid byte is one U+FFFD.
  EXPECT_TRUE(*Matches("\xCE\xB1.txt", {"?.txt"}));
  EXPECT_TRUE(*Matches("\xFF.txt", {"?.txt"}));
}

TEST(DockerignoreTest, LastMatchingPatternWins) {
  const PatternMatcher pm = MustCreate({"*", "!src", "src/*.tmp", "!src/keep.tmp"});
  EXPECT_TRUE(pm.MatchesOrParentMatches("a.txt"));
  EXPECT_TRUE(pm.MatchesOrParentMatches("docs/readme"));
  EXPECT_FALSE(pm.MatchesOrParentMatches("src"));
  EXPECT_FALSE(pm.MatchesOrParentMatches("src/main.c"));
  EXPECT_TRUE(pm.MatchesOrParentMatches("src/y.tmp"));
  EXPECT_FALSE(pm.MatchesOrParentMatches("src/keep.tmp"));
  EXPECT_FALSE(pm.MatchesOrParentMatches("src/sub/deep.tmp"));  // '*' does not cross '/'
}

TEST(DockerignoreTest, ParentDirectoriesMatch) {
  const PatternMatcher pm = MustCreate({"build", "**/node_modules", "logs/*/old"});
  EXPECT_TRUE(pm.MatchesOrParentMatches("build/out/a.o"));
  EXPECT_TRUE(pm.MatchesOrParentMatches("web/app/node_modules/x/index.js"));
  EXPECT_TRUE(pm.MatchesOrParentMatches("logs/2024/old/a.log"));
  EXPECT_FALSE(pm.MatchesOrParentMatches("logs/2024/new/a.log"));
  EXPECT_FALSE(pm.MatchesOrParentMatches("src/build"));  // patterns are anchored at the root
}

TEST(DockerignoreTest, ReadAllThenMatch) {
  Result<Strings> patterns = ParseDockerignore("# comment\n/.git\n*.log\n!/important.log\n");
  ASSERT_TRUE(patterns.has_value());
  const PatternMatcher pm = MustCreate(*patterns);
  EXPECT_TRUE(pm.MatchesOrParentMatches(".git/HEAD"));
  EXPECT_TRUE(pm.MatchesOrParentMatches("debug.log"));
  EXPECT_FALSE(pm.MatchesOrParentMatches("important.log"));
  EXPECT_FALSE(pm.MatchesOrParentMatches("sub/debug.log"));
}

TEST(DockerignoreTest, PatternsDockerReadsAsRegexpAreRefused) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      // moby/moby#52203: Go's regexp refuses the range l-O; upstream fails at the first match.
      {"[Local-Only]/", "reversed range in [...] (syntax error in pattern)"},
      {"[z-a]", "reversed range in [...] (syntax error in pattern)"},
      {"[[:alpha:]]", "POSIX classes such as [:alpha:] are not supported"},
      {"file[*].txt",
       "'*' inside [...] is not supported (Docker rewrites it into a regexp that breaks the "
       "class); escape it as '\\*'"},
      {"\\d*",
       "'\\' may only escape punctuation here (Docker reads \\d, \\w, \\b ... as regexp "
       "escapes)"},
  };
  for (const auto& [pattern, why] : cases) {
    Result<PatternMatcher> pm = PatternMatcher::Create({"ok", pattern});
    ASSERT_FALSE(pm.has_value()) << pattern;
    EXPECT_EQ(pm.error().message(), "invalid pattern `" + pattern + "`: " + why);
  }
  EXPECT_TRUE(*Matches("file*.txt", {"file[\\*].txt"}));
}

TEST(DockerignoreTest, MustWalkExcludedDirFollowsBuildKit) {
  EXPECT_FALSE(MustCreate({"dir"}).MustWalkExcludedDir("dir"));
  const PatternMatcher prefix = MustCreate({"dir", "!dir/sub/keep.txt", "!other/**"});
  EXPECT_TRUE(prefix.MustWalkExcludedDir("dir"));
  EXPECT_TRUE(prefix.MustWalkExcludedDir("dir/sub"));
  EXPECT_FALSE(prefix.MustWalkExcludedDir("dir/other"));
  EXPECT_FALSE(prefix.MustWalkExcludedDir("di"));
  EXPECT_TRUE(prefix.MustWalkExcludedDir("other"));  // "/**" is dropped before the prefix test
  // A wildcard in an exception may match at any depth: every excluded directory is walked.
  EXPECT_TRUE(MustCreate({"dir", "!**/keep.txt"}).MustWalkExcludedDir("dir"));
  EXPECT_TRUE(MustCreate({"dir", "!a/[bc]"}).MustWalkExcludedDir("dir"));
}

// ---- GlobContext ----

class ContextGlobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/layerlab-glob-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    ctx_ = root_ + "/ctx";
    for (const char* f : {"a.py", "b.py", "c.txt", "file1.txt", "file2.txt", "file10.txt",
                          ".hidden", "star*.txt", "src/x/a.txt", "src/y/a.txt", "src/y/b.txt",
                          "dir/one", "dir/sub/two", "a/x", "a-b/x", "top/a.txt"}) {
      Write(f);
    }
    fs::create_directories(ctx_ + "/src/z");
    fs::create_directories(root_ + "/outside");
    std::ofstream(root_ + "/outside/passwd") << "host secret\n";
    fs::create_symlink("src/x", ctx_ + "/inlink");     // relative, inside
    fs::create_symlink("/dir", ctx_ + "/abs_inside");  // absolute: read from the context
    fs::create_symlink("../outside/passwd", ctx_ + "/out_file");
    fs::create_symlink(root_ + "/outside", ctx_ + "/out_dir");
    fs::create_symlink("loop2", ctx_ + "/loop1");
    fs::create_symlink("loop1", ctx_ + "/loop2");
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& rel) {
    fs::create_directories(fs::path(ctx_ + "/" + rel).parent_path());
    std::ofstream(ctx_ + "/" + rel) << rel;
  }
  Strings Glob(const std::string& source) {
    Result<Strings> got = GlobContext(ctx_, source);
    EXPECT_TRUE(got.has_value()) << source << ": " << got.error().message();
    return got.has_value() ? *got : Strings{};
  }
  Status GlobError(const std::string& source) {
    Result<Strings> got = GlobContext(ctx_, source);
    EXPECT_FALSE(got.has_value()) << source;
    return got.has_value() ? Status::Ok() : got.error();
  }
  std::string root_, ctx_;
};

TEST_F(ContextGlobTest, WildcardsMatchOneComponentEach) {
  EXPECT_EQ(Glob("*.py"), (Strings{"a.py", "b.py"}));
  EXPECT_EQ(Glob("src/*/a.txt"), (Strings{"src/x/a.txt", "src/y/a.txt"}));
  EXPECT_EQ(Glob("file?.txt"), (Strings{"file1.txt", "file2.txt"}));
  EXPECT_EQ(Glob("file[0-9]*.txt"), (Strings{"file1.txt", "file10.txt", "file2.txt"}));
  EXPECT_EQ(Glob("src/*"), (Strings{"src/x", "src/y", "src/z"}));  // directories, whole
  EXPECT_EQ(Glob("*/*/*.txt"), (Strings{"src/x/a.txt", "src/y/a.txt", "src/y/b.txt"}));
  EXPECT_EQ(Glob("[s]tar\\*.txt"), (Strings{"star*.txt"}));
  EXPECT_EQ(Glob(".h*"), (Strings{".hidden"}));  // '*' matches a leading dot
  EXPECT_EQ(Glob("dir/*"), (Strings{"dir/one", "dir/sub"}));
}

TEST_F(ContextGlobTest, ResultsComeInWalkOrder) {
  // Names are sorted per directory, so "a/x" comes before "a-b/x" (a plain sort says otherwise).
  EXPECT_EQ(Glob("*/x"), (Strings{"a/x", "a-b/x", "src/x"}));
  // Symlinked directories are not walked into.
  EXPECT_EQ(Glob("*/a.txt"), (Strings{"top/a.txt"}));
}

TEST_F(ContextGlobTest, LiteralSourcesAreCleanedAgainstTheRoot) {
  EXPECT_EQ(Glob("dir/"), (Strings{"dir"}));
  EXPECT_EQ(Glob("./c.txt"), (Strings{"c.txt"}));
  EXPECT_EQ(Glob("/c.txt"), (Strings{"c.txt"}));
  EXPECT_EQ(Glob("../../c.txt"), (Strings{"c.txt"}));
  EXPECT_EQ(Glob("../*.py"), (Strings{"a.py", "b.py"}));
  EXPECT_EQ(Glob("."), (Strings{"."}));
  EXPECT_EQ(Glob("./"), (Strings{"."}));
}

TEST_F(ContextGlobTest, NothingMatchingIsNotFound) {
  Status st = GlobError("*.nosuch");
  EXPECT_EQ(st.code(), Code::kNotFound);
  EXPECT_EQ(st.message(), "source `*.nosuch`: no file in the build context matches it");
  st = GlobError("nosuch");
  EXPECT_EQ(st.code(), Code::kNotFound);
  EXPECT_EQ(st.message(), "source `nosuch` not found in the build context");
  st = GlobError("../nosuch");
  EXPECT_EQ(st.message(),
            "source `../nosuch` (`nosuch` in the context) not found in the build "
            "context");
  st = GlobError("nodir/*.txt");
  EXPECT_EQ(st.code(), Code::kNotFound);
  EXPECT_EQ(st.message(), "source `nodir/*.txt`: `nodir` not found in the build context");
  st = GlobError("c.txt/*");  // a file has nothing below it
  EXPECT_EQ(st.code(), Code::kNotFound);
  st = GlobError("src/z/*");  // an empty directory
  EXPECT_EQ(st.code(), Code::kNotFound);
}

TEST_F(ContextGlobTest, MalformedPatternIsInvalidArgument) {
  Status st = GlobError("src/[");
  EXPECT_EQ(st.code(), Code::kInvalidArgument);
  EXPECT_EQ(st.message(), "source `src/[`: syntax error in pattern `[`");
}

TEST_F(ContextGlobTest, SymlinksInsideTheContextAreFollowed) {
  EXPECT_EQ(Glob("inlink/*.txt"), (Strings{"src/x/a.txt"}));  // the prefix is resolved
  EXPECT_EQ(Glob("inlink"), (Strings{"inlink"}));             // a literal stays as written
  EXPECT_EQ(Glob("abs_inside/one"), (Strings{"abs_inside/one"}));
  EXPECT_EQ(Glob("abs_inside/s*/two"), (Strings{"dir/sub/two"}));
  EXPECT_EQ(*ResolveInContext(ctx_, "abs_inside/one"), "dir/one");
  EXPECT_EQ(*ResolveInContext(ctx_, "inlink/a.txt"), "src/x/a.txt");
  EXPECT_EQ(*ResolveInContext(ctx_, "../../src/x/../y"), "src/y");
  EXPECT_EQ(*ResolveInContext(ctx_, "."), ".");
}

TEST_F(ContextGlobTest, SymlinksNeverLeadOutOfTheContext) {
  Status st = GlobError("out_file");
  EXPECT_EQ(st.code(), Code::kNotFound);
  EXPECT_EQ(st.message(),
            "source `out_file`: `outside` not found in the build context (reached through the "
            "symlink `out_file` -> `../outside/passwd`, which is followed inside the context, as "
            "if the context were `/`)");
  st = GlobError("out_dir/*");  // must not list the host directory
  EXPECT_EQ(st.code(), Code::kNotFound);
  EXPECT_NE(st.message().find("reached through the symlink `out_dir`"), std::string::npos);
  st = GlobError("out_*");  // a match whose target is outside
  EXPECT_EQ(st.code(), Code::kNotFound);
  EXPECT_EQ(st.message().rfind("source `out_*` matched `out_dir`, but ", 0), 0u) << st.message();
  EXPECT_EQ(ResolveInContext(ctx_, "out_file/../outside/passwd").error().code(), Code::kNotFound);

  // With the same names present in the context, the links resolve to the context's copies.
  Write("outside/passwd");
  EXPECT_EQ(*ResolveInContext(ctx_, "out_file"), "outside/passwd");
  Write(root_.substr(1) + "/outside/inner");
  EXPECT_EQ(Glob("out_dir/*"), (Strings{root_.substr(1) + "/outside/inner"}));
}

TEST_F(ContextGlobTest, SymlinkLoopsFail) {
  Result<std::string> r = ResolveInContext(ctx_, "loop1");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), Code::kIo);
  EXPECT_EQ(r.error().os_errno(), ELOOP);
  EXPECT_EQ(GlobError("loop1").code(), Code::kIo);
}

TEST_F(ContextGlobTest, MissingContextIsNotFound) {
  Result<Strings> got = GlobContext(root_ + "/nope", "*");
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().message(), "build context `" + root_ + "/nope` is not a directory");
}

}  // namespace
}  // namespace layerlab
