// Dockerfile parser tests, part 3: ports of BuildKit's own parser tests and testfiles
// (tests/data/dockerfile-parser-upstream/*, Apache-2.0).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "build/dockerfile_words.h"
#include "layerlab/dockerfile.h"
#include "unit/dockerfile_test_util.h"

namespace layerlab {
namespace {

using namespace dftest;  // NOLINT

// ---------------------------------------------------------------------------------------------
// Ports of BuildKit's own tests (frontend/dockerfile/parser/*_test.go,
// frontend/dockerfile/instructions/parse_test.go)

// parser_test.go TestParseWords.
TEST(DockerfileUpstreamTest, ParseWords) {
  const std::vector<std::pair<std::string, Strings>> cases = {
      {"foo", {"foo"}},
      {"foo bar", {"foo", "bar"}},
      {"foo\\ bar", {"foo\\ bar"}},
      {"foo=bar", {"foo=bar"}},
      {"foo bar 'abc xyz'", {"foo", "bar", "'abc xyz'"}},
      {"foo bar \"abc xyz\"", {"foo", "bar", "\"abc xyz\""}},
      {"\xC3\xA0\xC3\xB6\xC3\xBB", {"\xC3\xA0\xC3\xB6\xC3\xBB"}},
      {"f\xC3\xB6o b\xC3\xA0r \"\xC3\xA2"
       "bc x\xC3\xBFz\"",
       {"f\xC3\xB6o", "b\xC3\xA0r",
        "\"\xC3\xA2"
        "bc x\xC3\xBFz\""}},
  };
  for (const auto& [input, want] : cases) {
    EXPECT_EQ(build::ParseWords(input, '\\'), want) << input;
  }
}

// line_parsers_test.go: the old and new ENV/LABEL forms, and ENV without a value.
TEST(DockerfileUpstreamTest, ParseNameVal) {
  DockerfileNode n = Second("LABEL foo bar");
  ASSERT_EQ(n.key_values.size(), 1u);
  EXPECT_EQ(n.key_values[0].key, "foo");
  EXPECT_EQ(n.key_values[0].value, "bar");
  n = Second("LABEL foo=bar thing=star");
  ASSERT_EQ(n.key_values.size(), 2u);
  EXPECT_EQ(n.key_values[1].key, "thing");
  EXPECT_EQ(n.key_values[1].value, "star");
  EXPECT_EQ(Error("FROM a\nENV foo\n"), AtLine2("ENV foo", "ENV must have two arguments"));
}

// parser_test.go TestParseWarnsOnEmptyContinutationLine: two of the five instructions warn.
TEST(DockerfileUpstreamTest, WarnsOnEmptyContinuationLine) {
  Dockerfile df = Parse(R"(
FROM alpine:3.6

RUN valid \
    continuation

RUN something \

    following \

    more

RUN another \

    thing

RUN non-indented \
# this is a comment
   after-comment

RUN indented \
    # this is an indented comment
    comment
	)");
  ASSERT_EQ(df.nodes.size(), 6u);
  EXPECT_EQ(df.nodes[2].original, "RUN something     following     more");
  EXPECT_EQ(df.nodes[3].original, "RUN another     thing");
  EXPECT_EQ(df.nodes[4].original, "RUN non-indented    after-comment");
  EXPECT_EQ(df.nodes[5].original, "RUN indented     comment");
  ASSERT_EQ(df.warnings.size(), 2u);
  // BuildKit: "Empty continuation line found in: <the joined line>", at its last line.
  EXPECT_EQ(df.warnings[0],
            "Dockerfile:11: Empty continuation line found in: RUN something     following     more");
  EXPECT_EQ(df.warnings[1], "Dockerfile:15: Empty continuation line found in: RUN another     thing");
}

// parser_heredoc_test.go TestParseExtractsHeredoc, the cases that instructions.Parse also
// accepts (USER <<INVALID leaves an INVALID instruction, which it rejects). The cases
// `RUN <<$EOF` and `RUN <<  EOF` are in DockerfileBuildKitParityTest.
TEST(DockerfileUpstreamTest, ExtractsHeredoc) {
  Dockerfile df = Parse(R"(
FROM alpine:3.6

ENV NAME=me

RUN ls

RUN <<EMPTY
EMPTY

RUN 3<<EMPTY2
EMPTY2

RUN "<<NOHEREDOC"

RUN <<INDENT
	foo
	bar
INDENT

RUN <<-UNINDENT
	baz
	quux
UNINDENT

RUN <<-UNINDENT2
	baz
	quux
	UNINDENT2

RUN <<-EXPAND
	expand $NAME
EXPAND

RUN <<-'NOEXPAND'
	don't expand $NAME
NOEXPAND

RUN <<COPY
echo hello world
echo foo bar
COPY

RUN <<COMMENT
# internal comment
echo hello world
echo foo bar # trailing comment
COMMENT

RUN --mount=type=cache,target=/foo <<MOUNT
echo hello
MOUNT

COPY <<FILE1 <<FILE2 /dest
content 1
FILE1
content 2
FILE2

COPY <<EOF /quotes
"foo"
'bar'
EOF

COPY <<X <<Y /dest
Y
X
X
Y

RUN <<COMPLEX python3
print('hello world')
COMPLEX

COPY <<file.txt /dest
hello world
file.txt

RUN <<eo'f'
echo foo
eof

RUN <<eo\'f
echo foo
eo'f

RUN <<'e'o\'f
echo foo
eo'f

RUN <<'one two'
echo bar
one two
	)");
  struct Want {
    std::string name;
    std::string content;
    bool expand;
    bool chomp;
    unsigned fd;
  };
  const std::vector<std::vector<Want>> want = {
      {},                                                              // ENV NAME=me
      {},                                                              // RUN ls
      {{"EMPTY", "", true, false, 0}},                                 // RUN <<EMPTY
      {{"EMPTY2", "", true, false, 3}},                                // RUN 3<<EMPTY2
      {},                                                              // RUN "<<NOHEREDOC"
      {{"INDENT", "\tfoo\n\tbar\n", true, false, 0}},                  // RUN <<INDENT
      {{"UNINDENT", "\tbaz\n\tquux\n", true, true, 0}},                // RUN <<-UNINDENT
      {{"UNINDENT2", "\tbaz\n\tquux\n", true, true, 0}},               // RUN <<-UNINDENT2
      {{"EXPAND", "\texpand $NAME\n", true, true, 0}},                 // RUN <<-EXPAND
      {{"NOEXPAND", "\tdon't expand $NAME\n", false, true, 0}},        // RUN <<-'NOEXPAND'
      {{"COPY", "echo hello world\necho foo bar\n", true, false, 0}},  // RUN <<COPY
      {{"COMMENT", "# internal comment\necho hello world\necho foo bar # trailing comment\n", true,
        false, 0}},                                 // RUN <<COMMENT
      {{"MOUNT", "echo hello\n", true, false, 0}},  // RUN --mount <<MOUNT
      {{"FILE1", "content 1\n", true, false, 0},
       {"FILE2", "content 2\n", true, false, 0}},                    // COPY <<FILE1 <<FILE2
      {{"EOF", "\"foo\"\n'bar'\n", true, false, 0}},                 // COPY <<EOF /quotes
      {{"X", "Y\n", true, false, 0}, {"Y", "X\n", true, false, 0}},  // COPY <<X <<Y
      {{"COMPLEX", "print('hello world')\n", true, false, 0}},       // RUN <<COMPLEX python3
      {{"file.txt", "hello world\n", true, false, 0}},               // COPY <<file.txt
      {{"eof", "echo foo\n", false, false, 0}},                      // RUN <<eo'f'
      {{"eo'f", "echo foo\n", true, false, 0}},                      // RUN <<eo\'f
      {{"eo'f", "echo foo\n", false, false, 0}},                     // RUN <<'e'o\'f
      {{"one two", "echo bar\n", false, false, 0}},                  // RUN <<'one two'
  };
  ASSERT_EQ(df.nodes.size(), want.size() + 1);
  for (size_t i = 0; i < want.size(); ++i) {
    const DockerfileNode& n = df.nodes[i + 1];
    ASSERT_EQ(n.heredocs.size(), want[i].size()) << n.original;
    for (size_t j = 0; j < want[i].size(); ++j) {
      EXPECT_EQ(n.heredocs[j].name, want[i][j].name) << n.original;
      EXPECT_EQ(n.heredocs[j].content, want[i][j].content) << n.original;
      EXPECT_EQ(n.heredocs[j].expand, want[i][j].expand) << n.original;
      EXPECT_EQ(n.heredocs[j].chomp, want[i][j].chomp) << n.original;
      EXPECT_EQ(n.heredocs[j].fd, want[i][j].fd) << n.original;
    }
  }
}

// parser_heredoc_test.go TestParseJSONHeredoc.
TEST(DockerfileUpstreamTest, JsonHasNoHeredoc) {
  Dockerfile df =
      Parse("\nFROM alpine:3.6\n\nRUN [\"whoami\"]\nRUN [\"<<EOF\"]\nRUN [\"<<'EOF'\"]\n\t");
  ASSERT_EQ(df.nodes.size(), 4u);
  for (size_t i = 1; i <= 3; ++i) EXPECT_TRUE(df.nodes[i].heredocs.empty()) << i;
}

// parser_heredoc_test.go TestHeredocsFromLine (the cases whose names it checks).
TEST(DockerfileUpstreamTest, HeredocsFromLine) {
  const std::vector<std::pair<std::string, Strings>> cases = {
      {"RUN <<EOF", {"EOF"}},
      {"RUN <<-EOF", {"EOF"}},
      {"RUN <<'EOF'", {"EOF"}},
      {"RUN 4<<EOF", {"EOF"}},
      {"RUN <<EOF <<EOF2", {"EOF", "EOF2"}},
      {"RUN '<<EOF'", {}},
      {"RUN \"<<EOF\"", {}},
  };
  for (const auto& [line, names] : cases) {
    std::string text = "FROM a\n" + line + "\n";
    for (const auto& name : names) text += name + "\n";
    Dockerfile df = Parse(text);
    ASSERT_EQ(df.nodes.size(), 2u) << line;
    Strings got;
    for (const auto& h : df.nodes[1].heredocs) got.push_back(h.name);
    EXPECT_EQ(got, names) << line;
  }
}

// instructions/parse_test.go TestErrorCases, TestCommandsExactlyOneArgument,
// TestCommandsAtLeastOneArgument and TestCommandsNoDestinationArgument (BuildKit checks that
// the error contains these texts; the whole messages are checked elsewhere in this file).
TEST(DockerfileUpstreamTest, InstructionErrorCases) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"COPY\t\n\t\tquux \\\n      bar", "COPY requires at least two arguments"},
      {"ONBUILD FROM scratch", "FROM isn't allowed as an ONBUILD trigger"},
      {"ONBUILD ONBUILD RUN touch foobar", "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"},
      {"FOO bar", "unknown instruction: FOO"},
      {"foo bar", "unknown instruction: foo"},
      {"MAINTAINER", "MAINTAINER requires exactly one argument"},
      {"WORKDIR", "WORKDIR requires exactly one argument"},
      {"USER", "USER requires exactly one argument"},
      {"STOPSIGNAL", "STOPSIGNAL requires exactly one argument"},
      {"ENV", "ENV requires at least one argument"},
      {"LABEL", "LABEL requires at least one argument"},
      {"ONBUILD", "ONBUILD requires at least one argument"},
      {"HEALTHCHECK", "HEALTHCHECK requires at least one argument"},
      {"EXPOSE", "EXPOSE requires at least one argument"},
      {"VOLUME", "VOLUME requires at least one argument"},
      {"ADD arg1",
       "ADD requires at least two arguments, but only one was provided. Destination could not be "
       "determined"},
      {"COPY arg1",
       "COPY requires at least two arguments, but only one was provided. Destination could not be "
       "determined"},
  };
  for (const auto& [text, want] : cases) {
    const std::string got = Error(text);
    EXPECT_NE(got.find(want), std::string::npos) << text << "\n" << got;
  }
}

// BuildKit's Node.Dump(): (keyword ["--flag" ...] "arg" ...), strings quoted like Go's
// strconv.Quote. ENV and LABEL list key, value, ... (as in the stored `result` files).
std::string GoQuote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string Dump(const DockerfileNode& n) {
  std::string out = "(" + n.keyword;
  if (!n.flags.empty()) {
    out += " [";
    for (size_t i = 0; i < n.flags.size(); ++i) out += (i ? " " : "") + GoQuote(n.flags[i]);
    out += "]";
  }
  if (n.trigger) out += " (" + Dump(*n.trigger).substr(1);
  for (const auto& kv : n.key_values) out += " " + GoQuote(kv.key) + " " + GoQuote(kv.value);
  for (const auto& a : n.args) out += " " + GoQuote(a);
  return out + ")";
}

std::string DumpAll(const Dockerfile& df) {
  std::string out;
  for (const auto& n : df.nodes) out += Dump(n) + "\n";
  return out;
}

std::string UpstreamFile(const std::string& name) {
  return ReadFile(fs::path(LAYERLAB_TEST_DATA) / "dockerfile-parser-upstream" / name);
}

// parser_test.go TestParseCases on testfiles/docker and testfiles/influxdb.
TEST(DockerfileUpstreamTest, TestfilesMatchTheirResultDump) {
  for (const std::string name : {"docker", "influxdb"}) {
    Dockerfile df = Parse(UpstreamFile(name + "/Dockerfile"));
    EXPECT_EQ(DumpAll(df), UpstreamFile(name + "/result")) << name;
  }
}

// testfiles/health: BuildKit's parser accepts every line; its instruction layer rejects four of
// them, and so does ParseDockerfile. The other lines must dump as `result` says.
TEST(DockerfileUpstreamTest, HealthTestfile) {
  const std::string dockerfile = UpstreamFile("health/Dockerfile");
  const std::string result = UpstreamFile("health/result");
  auto split = [](const std::string& s) {
    Strings lines;
    std::stringstream ss(s);
    for (std::string line; std::getline(ss, line);) lines.push_back(line);
    return lines;
  };
  const Strings lines = split(dockerfile);
  const Strings dumps = split(result);
  ASSERT_EQ(lines.size(), 11u);
  ASSERT_EQ(dumps.size(), 10u);
  // Physical lines (0-based) that BuildKit's instructions.Parse rejects, and their dump lines.
  const std::vector<size_t> rejected_lines = {3, 6, 9};
  const std::vector<size_t> rejected_dumps = {3, 5, 8};
  std::string kept_text, kept_result;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (std::find(rejected_lines.begin(), rejected_lines.end(), i) == rejected_lines.end() &&
        i != 10) {
      kept_text += lines[i] + "\n";
    }
  }
  for (size_t i = 0; i < dumps.size(); ++i) {
    if (std::find(rejected_dumps.begin(), rejected_dumps.end(), i) == rejected_dumps.end() &&
        i != 9) {
      kept_result += dumps[i] + "\n";
    }
  }
  EXPECT_EQ(DumpAll(Parse(kept_text)), kept_result);
  // The last line splits as `result` says once its --retries=0, which the instruction layer
  // refuses (see DockerfileBuildKitParityTest.HealthcheckChecks), is made valid.
  auto retries1 = [](std::string s) {
    const std::string from = "--retries=0";
    s.replace(s.find(from), from.size(), "--retries=1");
    return s;
  };
  Dockerfile df = Parse("FROM a\n" + retries1(lines[10]));
  ASSERT_EQ(df.nodes.size(), 2u);
  EXPECT_EQ(Dump(df.nodes[1]), retries1(dumps[9]));
  EXPECT_EQ(Error("FROM a\n" + lines[3]),
            AtLine2(lines[3], "HEALTHCHECK requires at least one argument"));
  EXPECT_EQ(Error("FROM a\n" + lines[6]),
            AtLine2(lines[6], "Missing command after HEALTHCHECK CMD"));
  EXPECT_EQ(Error("FROM a\n" + lines[9]),
            AtLine2(lines[9], "Unknown type \"CONNECT\" in HEALTHCHECK (try CMD)"));
}

}  // namespace
}  // namespace layerlab
