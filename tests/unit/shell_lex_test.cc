// Conformance tests for the Dockerfile word lexer: every Linux row of BuildKit's own tables
// (tests/data/dockerfile-shell/, from frontend/dockerfile/shell) plus its hand-written tests,
// the error texts users see, the Lex flags and the glob matcher's corners.
#include "layerlab/shell_lex.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#ifndef LAYERLAB_TEST_DATA
#error "compile with -DLAYERLAB_TEST_DATA='\"/path/to/tests/data\"'"
#endif

namespace layerlab {
namespace {

using Row = std::vector<std::string>;
using Words = std::vector<std::string>;
using nlohmann::json;

std::string DataPath(const std::string& name) {
  return std::string(LAYERLAB_TEST_DATA) + "/dockerfile-shell/" + name;
}

// '#' lines are comments; every other line is TAB-separated fields (empty field = "").
std::vector<Row> ReadTable(const std::string& name, size_t fields) {
  std::ifstream in(DataPath(name));
  EXPECT_TRUE(in.is_open()) << "cannot open " << DataPath(name);
  std::vector<Row> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    Row row;
    for (size_t start = 0;;) {
      const size_t tab = line.find('\t', start);
      row.push_back(line.substr(start, tab == std::string::npos ? tab : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    EXPECT_EQ(row.size(), fields) << name << ": " << line;
    row.resize(fields);
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string ErrorOf(const Result<std::string>& r) { return r ? "(no error)" : r.error().message(); }

std::string Expand(const std::string& word, const ShellEnv& env, ShellLexOptions opts = {}) {
  auto r = ShellLex('\\', opts).ProcessWord(word, env);
  return r ? *r : "ERROR: " + r.error().message();
}

// envVarTest: ProcessWord with BuildKit's fixed env; "error" rows must fail.
TEST(ShellLexTest, EnvVarTable) {
  const ShellEnv env = {{"PWD", "/home"}, {"SHELL", "bash"}, {"KOREAN", "한국어"}, {"NULL", ""}};
  const ShellLex lex;
  size_t applied = 0, errors = 0, windows_only = 0;
  for (const Row& row : ReadTable("envVarTest.tsv", 5)) {
    const std::string &line = row[0], &platform = row[1], &input = row[2];
    SCOPED_TRACE("envVarTest line " + line + ": " + input);
    ASSERT_TRUE(platform == "A" || platform == "U" || platform == "W");
    if (platform == "W") {  // Windows looks names up case-insensitively
      ++windows_only;
      continue;
    }
    ++applied;
    const Result<std::string> got = lex.ProcessWord(input, env);
    if (row[3] == "error") {
      ++errors;
      ASSERT_FALSE(got.has_value()) << "got '" << *got << "'";
      EXPECT_EQ(got.error().code(), Code::kInvalidArgument);
      EXPECT_EQ(got.error().message().rfind("failed to process \"", 0), 0u) << ErrorOf(got);
    } else {
      ASSERT_EQ(row[3], "ok");
      ASSERT_TRUE(got.has_value()) << got.error().message();
      EXPECT_EQ(*got, row[4]);
    }
  }
  EXPECT_EQ(applied, 228u);
  EXPECT_EQ(errors, 36u);
  EXPECT_EQ(windows_only, 2u);
}

// wordsTest: ProcessWords with the cumulative env of the ENV lines above each row.
TEST(ShellLexTest, WordsTable) {
  const ShellLex lex;
  size_t rows = 0;
  for (const Row& row : ReadTable("wordsTest.tsv", 5)) {
    SCOPED_TRACE("wordsTest line " + row[0] + ": " + row[1]);
    ++rows;
    const ShellEnv env = ShellEnv::FromAssignments(json::parse(row[4]).get<Words>());
    const Result<Words> got = lex.ProcessWords(row[1], env);
    if (row[2] == "error") {
      EXPECT_FALSE(got.has_value());
    } else {
      ASSERT_TRUE(got.has_value()) << got.error().message();
      EXPECT_EQ(*got, json::parse(row[3]).get<Words>());
    }
  }
  EXPECT_EQ(rows, 24u);
}

// TestProcessWithMatches: result plus the names found set and unset.
TEST(ShellLexTest, ProcessWithMatchesTable) {
  std::ifstream in(DataPath("process_with_matches.json"));
  ASSERT_TRUE(in.is_open());
  const json cases = json::parse(in);
  const ShellLex lex;
  for (const json& c : cases) {
    const std::string input = c["input"];
    SCOPED_TRACE(input + " with env " + c["env"].dump());
    ShellEnv env;
    for (const auto& [name, value] : c["env"].items()) env.Set(name, value.get<std::string>());
    const Result<ShellLex::Expansion> got = lex.ProcessWordWithMatches(input, env);
    if (c["expected_error"].get<bool>()) {
      EXPECT_FALSE(got.has_value()) << "got '" << got->result << "'";
      continue;
    }
    ASSERT_TRUE(got.has_value()) << got.error().message();
    EXPECT_EQ(got->result, c["expected"].get<std::string>());
    EXPECT_EQ(got->matched, c["matched"].get<std::set<std::string>>());
    EXPECT_EQ(got->unmatched, c["unmatched"].get<std::set<std::string>>());
  }
  EXPECT_EQ(cases.size(), 47u);
}

// TestShellParserMandatoryEnvVars: the ${VAR?msg} message is expanded and shown.
TEST(ShellLexTest, MandatoryEnvVars) {
  const ShellEnv set = {{"VAR", "plain"}, {"ARG", "x"}};
  const ShellEnv empty = {{"VAR", ""}, {"ARG", "x"}};
  const ShellEnv unset = {{"ARG", "x"}};
  const std::string no_empty = "${VAR:?message here$ARG}";
  const std::string no_unset = "${VAR?message here$ARG}";
  const ShellLex lex;

  EXPECT_EQ(Expand(no_empty, set), "plain");
  EXPECT_EQ(ErrorOf(lex.ProcessWord(no_empty, empty)),
            "failed to process \"${VAR:?message here$ARG}\": VAR: message herex");
  EXPECT_EQ(ErrorOf(lex.ProcessWord(no_empty, unset)),
            "failed to process \"${VAR:?message here$ARG}\": VAR: message herex");

  EXPECT_EQ(Expand(no_unset, set), "plain");
  EXPECT_EQ(Expand(no_unset, empty), "");
  EXPECT_EQ(ErrorOf(lex.ProcessWord(no_unset, unset)),
            "failed to process \"${VAR?message here$ARG}\": VAR: message herex");

  EXPECT_EQ(Expand("${VAR:?}", empty),
            "ERROR: failed to process \"${VAR:?}\": VAR: is not allowed to be empty");
  EXPECT_EQ(Expand("${VAR?}", unset),
            "ERROR: failed to process \"${VAR?}\": VAR: is not allowed to be unset");
}

// TestProcessWithMatchesPlatform: the release-file name pattern BuildKit itself uses.
TEST(ShellLexTest, ProcessWithMatchesPlatform) {
  const std::string release =
      "something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz";
  EXPECT_EQ(Expand(release, {{"VERSION", "v1.2.3"},
                             {"TARGETOS", "linux"},
                             {"TARGETARCH", "arm"},
                             {"TARGETVARIANT", "v7"}}),
            "something-v1.2.3.linux-arm-v7.tar.gz");
  EXPECT_EQ(Expand(release, {{"VERSION", "v1.2.3"},
                             {"TARGETOS", "linux"},
                             {"TARGETARCH", "arm64"},
                             {"TARGETVARIANT", ""}}),
            "something-v1.2.3.linux-arm64.tar.gz");
  EXPECT_EQ(
      Expand(release, {{"VERSION", "v1.2.3"}, {"TARGETOS", "linux"}, {"TARGETARCH", "arm64"}}),
      "something-v1.2.3.linux-arm64.tar.gz");
}

// `# escape=`` (Windows Dockerfiles): the backtick escapes, a backslash is an ordinary character.
TEST(ShellLexTest, BacktickEscape) {
  const ShellLex lex('`');
  const ShellEnv env = {{"PWD", "/home"}};
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"he`$PWD", "he$PWD"},
      {"he\\$PWD", "he\\/home"},
      {"c:\\windows\\system32", "c:\\windows\\system32"},
      {"he`'llo", "he'llo"},
      {"\"a`\"b\"", "a\"b"},
      {"\"a``b\"", "a`b"},
      {"\"a`xb\"", "a`xb"},
      {"\"a\\\"", "a\\"},
      {"hello`", "hello"},
      {"a` b", "a b"},
  };
  for (const auto& [input, want] : cases) {
    auto got = lex.ProcessWord(input, env);
    ASSERT_TRUE(got.has_value()) << input << ": " << got.error().message();
    EXPECT_EQ(*got, want) << input;
  }
  EXPECT_EQ(*lex.ProcessWords("a` b c\\ d", env), (Words{"a b", "c\\", "d"}));
}

// The whole message for each kind of error, as BuildKit words it.
TEST(ShellLexTest, ErrorMessages) {
  const ShellEnv env = {{"FOO", "xxyy"}};
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"he'llo", "unexpected end of statement while looking for matching single-quote"},
      {"\"hello\\\"", "unexpected end of statement while looking for matching double-quote"},
      {"${}", "syntax error: bad substitution"},
      {"${:-x}", "syntax error: bad substitution"},
      {"${", "syntax error: missing '}'"},
      {"${aaa:-bbb", "syntax error: missing '}'"},
      {"${aaa:-'bbb}", "syntax error: missing '}'"},
      {"${aaa:-bbb ${foo}", "syntax error: missing '}'"},
      {"${FOO", "unsupported modifier (\xEF\xBF\xBD) in substitution"},  // EOF prints as U+FFFD
      {"${.}", "unsupported modifier (.) in substitution"},
      {"${FOO=aaa}", "unsupported modifier (=) in substitution"},
      {"${FOO:=aaa}", "unsupported modifier (:=) in substitution"},
      {"${FOO:YYY}", "unsupported modifier (:Y) in substitution"},
      {"${FOO:#x}", "unsupported modifier (:#) in substitution"},
      {"${FOO:%%x}", "unsupported modifier (:%) in substitution"},
      {"${FOO//ww}", "syntax error: missing '/' in ${}"},
      {"${FOO/a/b", "syntax error: missing '}'"},
      {"${FOO#\\x}", "invalid pattern (\\x) in substitution: invalid escape '\\x'"},
      {"${FOO/a\\b/c}", "invalid pattern (a\\b) in substitution: invalid escape '\\b'"},
      {"${FOO%a\\x}", "invalid pattern (\\xa) in substitution: invalid escape '\\x'"},
      {"${A:-${B:?no}x}", "B: no"},
  };
  const ShellLex lex;
  for (const auto& [input, want] : cases) {
    std::string quoted = "\"";
    for (char c : input) quoted += (c == '"' || c == '\\') ? std::string{'\\', c} : std::string{c};
    EXPECT_EQ(ErrorOf(lex.ProcessWord(input, env)), "failed to process " + quoted + "\": " + want);
  }
  // The input is quoted like Go's %q.
  EXPECT_EQ(ErrorOf(lex.ProcessWord("a\tb\n\x01\xff\u00a0한${", env)),
            "failed to process \"a\\tb\\n\\x01\\xff\\u00a0한${\": syntax error: missing '}'");
}

TEST(ShellLexTest, Options) {
  const ShellEnv env = {{"PWD", "/home"}, {"EMPTY", ""}};
  ShellLexOptions raw_quotes;
  raw_quotes.raw_quotes = true;
  EXPECT_EQ(Expand("\"he'$PWD'\" 'a b'", env, raw_quotes), "\"he'/home'\" 'a b'");

  ShellLexOptions raw_escapes;
  raw_escapes.raw_escapes = true;
  EXPECT_EQ(Expand("a\\$PWD \\\\", env, raw_escapes), "a\\$PWD \\\\");
  // Inside double quotes an escape before an ordinary character is then doubled, as upstream.
  EXPECT_EQ(Expand("\"\\$PWD \\x\"", env, raw_escapes), "\\$PWD \\\\x");

  ShellLexOptions skip_unset;
  skip_unset.skip_unset_env = true;
  EXPECT_EQ(Expand("$FOO ${FOO} ${FOO:-x} ${FOO%%y} ${FOO//a/b} $PWD ${EMPTY:-e}", env, skip_unset),
            "$FOO ${FOO} ${FOO:-x} ${FOO%%y} ${FOO/a/b} /home e");

  ShellLexOptions skip_quotes;
  skip_quotes.skip_process_quotes = true;
  EXPECT_EQ(Expand("\"$PWD\" 'x' \\'", env, skip_quotes), "\"/home\" 'x' '");
}

// Glob corners, all as BuildKit's regexp translation behaves: ${V/#p/r} has no anchor (the '#'
// is literal); '[' is literal (no bracket expressions); '*' and '?' stop at a newline (Go's
// '.'); with '//' a $0 in the replacement is the match (Go's ReplaceAllString), with '/' it is
// inserted verbatim; '%' reverses through runes, so invalid UTF-8 comes back as U+FFFD.
TEST(ShellLexTest, Patterns) {
  const ShellEnv env = {{"F", "a.b.c"},
                        {"NL", "ab\ncd"},
                        {"BR", "[ab]c[ab]"},
                        {"K", "한국어"},
                        {"BAD",
                         "\xff"
                         "ab"},
                        {"R", "<$0|$1|$$|${0}|$x>"},
                        {"E", ""},
                        {"S", "xx*"}};
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"${F%.*}", "a.b"},
      {"${F%%.*}", "a"},
      {"${F#*.}", "b.c"},
      {"${F##*.}", "c"},
      {"${F%x}", "a.b.c"},
      {"${F/./-}", "a-b.c"},
      {"${F//./-}", "a-b-c"},
      {"${F/#a/-}", "a.b.c"},
      {"${NL##*}", "\ncd"},
      {"${NL//?/x}", "xx\nxx"},
      {"${NL%%*}", "ab\n"},
      {"${BR//[ab]/x}", "xcx"},
      {"${BR//a/-}", "[-b]c[-b]"},
      {"${K%어}", "한국"},
      {"${K#?}", "국어"},
      {"${K/국/-}", "한-어"},
      {"${K//?/.}", "..."},
      {"${BAD#?}", "ab"},
      {"${BAD%b}",
       "\xEF\xBF\xBD"
       "a"},
      {"${F/b/$R}", "a.<$0|$1|$$|${0}|$x>.c"},
      {"${F//b/$R}", "a.<b||$|b|>.c"},
      {"${F//$E/-}", "-a-.-b-.-c-"},
      {"${F/$E/-}", "-a.b.c"},
      {"${E//$E/-}", "-"},
      {"${S%\\*}", "xx"},
      {"${S#x\\}}", "xx*"},
      {"${F/\\./-}", "ERROR"},
  };
  const ShellLex lex;
  for (const auto& [input, want] : cases) {
    auto got = lex.ProcessWord(input, env);
    if (want == "ERROR") {
      EXPECT_FALSE(got.has_value()) << input;
    } else {
      ASSERT_TRUE(got.has_value()) << input << ": " << got.error().message();
      EXPECT_EQ(*got, want) << input;
    }
  }
}

TEST(ShellLexTest, UnicodeAndBytes) {
  const ShellEnv env = {{"KOREAN", "한국어"}, {"KOREAN안녕", "x"}, {"V", "a\u00a0b\u3000c"}};
  EXPECT_EQ(Expand("$KOREAN안녕", env), "x");  // Go's unicode.IsLetter: Hangul is a name char
  EXPECT_EQ(Expand("$KOREAN.", env), "한국어.");
  EXPECT_EQ(Expand("$\u0663\u0664x", env), "x");  // Arabic-Indic digits: a positional name
  EXPECT_EQ(Expand("\xEF\xBB\xBF"
                   "abc",
                   env),
            "abc");  // text/scanner drops a leading BOM
  EXPECT_EQ(Expand("a\xEF\xBB\xBF", env), "a\xEF\xBB\xBF");
  EXPECT_EQ(Expand("a\xff"
                   "b",
                   env),
            "a\xEF\xBF\xBD"
            "b");  // invalid UTF-8 becomes U+FFFD
  EXPECT_EQ(Expand(std::string("a\0b", 3), env), std::string("a\0b", 3));  // NUL is kept
}

TEST(ShellLexTest, FieldSplitting) {
  const ShellLex lex;
  const ShellEnv env = {{"V", "a\u00a0b\u3000c"}, {"S", " x  y "}};
  EXPECT_EQ(*lex.ProcessWords("$V", env), (Words{"a", "b", "c"}));  // Unicode white space
  EXPECT_EQ(*lex.ProcessWords("\"\" '' x", env), (Words{"x"}));
  EXPECT_EQ(*lex.ProcessWords("p$S\"q\"", env), (Words{"p", "x", "y", "q"}));
  EXPECT_EQ(*lex.ProcessWords("a${X:-b c}d e", env), (Words{"ab", "cd", "e"}));
  EXPECT_EQ(*lex.ProcessWords("", env), Words{});
}

TEST(ShellLexTest, Matches) {
  const ShellLex lex;
  auto got = lex.ProcessWordWithMatches("$A ${B:-$C} $1 ${D#$E} $A", {{"A", "a"}, {"D", ""}});
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->result, "a    a");
  EXPECT_EQ(got->matched, (std::set<std::string>{"A", "D"}));
  EXPECT_EQ(got->unmatched, (std::set<std::string>{"B", "C", "1", "E"}));
}

TEST(ShellEnvTest, SetGetKeys) {
  ShellEnv env = {{"b", "1"}, {"a", "2"}, {"b", "3"}};
  EXPECT_EQ(env.Get("b"), "3");
  env.Set("a", "");
  EXPECT_EQ(env.Get("a"), "");
  EXPECT_EQ(env.Get("c"), std::nullopt);
  EXPECT_EQ(env.Get("A"), std::nullopt);  // case-sensitive, as on Linux
  EXPECT_EQ(env.Keys(), (Words{"a", "b"}));
  const ShellEnv list = ShellEnv::FromAssignments({"x=1", "y", "x=2=3", "z="});
  EXPECT_EQ(list.Get("x"), "2=3");
  EXPECT_EQ(list.Get("y"), "");
  EXPECT_EQ(list.Keys(), (Words{"x", "y", "z"}));
}

}  // namespace
}  // namespace layerlab
