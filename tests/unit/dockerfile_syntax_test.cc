// Dockerfile parser tests, part 1: parser directives, comments, continuations, exec and shell
// forms, flags, line numbers, the JSON and text renderers. Expected values are BuildKit's.
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
// Parser directives

TEST(DockerfileDirectiveTest, SyntaxDirectiveAtTheTop) {
  Dockerfile df = Parse("# syntax=docker/dockerfile:1\nFROM alpine\n");
  EXPECT_EQ(df.directives, (std::map<std::string, std::string>{{"syntax", "docker/dockerfile:1"}}));
  EXPECT_EQ(df.escape, '\\');
  ASSERT_EQ(df.nodes.size(), 1u);
  EXPECT_EQ(df.nodes[0].keyword, "from");
  EXPECT_EQ(df.nodes[0].start_line, 2);
}

TEST(DockerfileDirectiveTest, KeysAreCaseInsensitiveAndBlanksAroundEqualsAreAllowed) {
  Dockerfile df = Parse(
      "#  SYNTAX =  docker/dockerfile:1.7 \n"
      "#\tCheck=skip=JSONArgsRecommended;error=true\n"
      "#escape=\\\n"
      "FROM alpine\n");
  EXPECT_EQ(df.directives,
            (std::map<std::string, std::string>{{"syntax", "docker/dockerfile:1.7"},
                                                {"check", "skip=JSONArgsRecommended;error=true"},
                                                {"escape", "\\"}}));
  EXPECT_EQ(df.escape, '\\');
}

TEST(DockerfileDirectiveTest, CheckDirective) {
  Dockerfile df = Parse("# check=skip=all\nFROM alpine\n");
  EXPECT_EQ(df.directives.at("check"), "skip=all");
}

TEST(DockerfileDirectiveTest, EscapeBacktickMakesBacktickTheContinuationAndBackslashLiteral) {
  Dockerfile df = Parse(
      "# escape=`\n"
      "FROM mcr.microsoft.com/windows/servercore\n"
      "RUN dir C:\\ `\n"
      "    && echo done\n"
      "COPY C:\\src\\ C:\\dst\\\n"
      "WORKDIR C:\\app\n");
  EXPECT_EQ(df.escape, '`');
  EXPECT_EQ(df.directives.at("escape"), "`");
  ASSERT_EQ(df.nodes.size(), 4u);
  EXPECT_EQ(df.nodes[1].args, Strings{"dir C:\\     && echo done"});
  EXPECT_EQ(df.nodes[1].start_line, 3);
  EXPECT_EQ(df.nodes[1].end_line, 4);
  // A trailing backslash is an ordinary character now, not a continuation.
  EXPECT_EQ(df.nodes[2].args, (Strings{"C:\\src\\", "C:\\dst\\"}));
  EXPECT_EQ(df.nodes[2].end_line, 5);
  EXPECT_EQ(df.nodes[3].args, Strings{"C:\\app"});
}

TEST(DockerfileDirectiveTest, EscapeBacktickAppliesToWordSplitting) {
  Dockerfile df = Parse("# escape=`\nFROM a\nENV A=one` two B=\"x`\"y\"\n");
  ASSERT_EQ(df.nodes.size(), 2u);
  ASSERT_EQ(df.nodes[1].key_values.size(), 2u);
  EXPECT_EQ(df.nodes[1].key_values[0].key, "A");
  EXPECT_EQ(df.nodes[1].key_values[0].value, "one` two");
  EXPECT_EQ(df.nodes[1].key_values[1].key, "B");
  EXPECT_EQ(df.nodes[1].key_values[1].value, "\"x`\"y\"");
}

TEST(DockerfileDirectiveTest, DirectiveAfterAnInstructionIsAComment) {
  Dockerfile df = Parse("FROM a\n# escape=`\nRUN echo `\n");
  EXPECT_TRUE(df.directives.empty());
  EXPECT_EQ(df.escape, '\\');
  ASSERT_EQ(df.nodes.size(), 2u);
  EXPECT_EQ(df.nodes[1].args, Strings{"echo `"});
}

TEST(DockerfileDirectiveTest, DirectiveAfterABlankLineOrACommentIsAComment) {
  EXPECT_TRUE(Parse("\n# syntax=foo\nFROM a\n").directives.empty());
  EXPECT_TRUE(Parse("# hello\n# syntax=foo\nFROM a\n").directives.empty());
  // An unknown key=value comment also ends the directives.
  Dockerfile df = Parse("# foo=bar\n# escape=`\nFROM a\n");
  EXPECT_TRUE(df.directives.empty());
  EXPECT_EQ(df.escape, '\\');
}

TEST(DockerfileDirectiveTest, DuplicateDirectiveIsAnError) {
  EXPECT_EQ(Error("# escape=\\\n# escape=`\nFROM a\n"),
            "Dockerfile:2: only one escape parser directive can be used\n"
            " 2 | # escape=`\n"
            "   | ^^^^^^^^^^");
  EXPECT_EQ(Error("# syntax=a\n# SYNTAX=b\nFROM a\n"),
            "Dockerfile:2: only one syntax parser directive can be used\n"
            " 2 | # SYNTAX=b\n"
            "   | ^^^^^^^^^^");
  EXPECT_EQ(Error("# check=skip=all\n# syntax=a\n# check=error=true\nFROM a\n"),
            "Dockerfile:3: only one check parser directive can be used\n"
            " 3 | # check=error=true\n"
            "   | ^^^^^^^^^^^^^^^^^^");
}

TEST(DockerfileDirectiveTest, InvalidEscapeTokenIsAnError) {
  EXPECT_EQ(Error("# escape=x\nFROM a\n"),
            "Dockerfile:1: invalid escape token 'x' does not match ` or \\\n"
            " 1 | # escape=x\n"
            "   | ^^^^^^^^^^");
  EXPECT_EQ(Error("# syntax=a\n# escape=\\\\\nFROM a\n"),
            "Dockerfile:2: invalid escape token '\\\\' does not match ` or \\\n"
            " 2 | # escape=\\\\\n"
            "   | ^^^^^^^^^^^");
}

TEST(DockerfileDirectiveTest, DirectiveWithoutValueIsAComment) {
  Dockerfile df = Parse("# escape=\nFROM a\n");
  EXPECT_TRUE(df.directives.empty());
  EXPECT_EQ(df.escape, '\\');
}

// ---------------------------------------------------------------------------------------------
// Comments, blank lines, line endings

TEST(DockerfileParserTest, CommentsAndBlankLinesAreSkipped) {
  Dockerfile df = Parse(
      "# a comment\n"
      "\n"
      "   # an indented comment\n"
      "FROM alpine\n"
      "\t\n"
      "#RUN echo disabled\n"
      "RUN echo hi\n");
  ASSERT_EQ(df.nodes.size(), 2u);
  EXPECT_EQ(df.nodes[0].start_line, 4);
  EXPECT_EQ(df.nodes[1].args, Strings{"echo hi"});
  EXPECT_EQ(df.nodes[1].start_line, 7);
}

TEST(DockerfileParserTest, HashInsideAnInstructionIsNotAComment) {
  Dockerfile df = Parse("FROM a\nRUN echo hi # passed to the shell\nWORKDIR /a#b\n");
  ASSERT_EQ(df.nodes.size(), 3u);
  EXPECT_EQ(df.nodes[1].args, Strings{"echo hi # passed to the shell"});
  EXPECT_EQ(df.nodes[2].args, Strings{"/a#b"});
}

TEST(DockerfileParserTest, KeywordsAreCaseInsensitive) {
  Dockerfile df = Parse("from alpine\nRun echo a\ncOpY a b\nHealthCheck none\n");
  ASSERT_EQ(df.nodes.size(), 4u);
  EXPECT_EQ(df.nodes[0].keyword, "from");
  EXPECT_EQ(df.nodes[1].keyword, "run");
  EXPECT_EQ(df.nodes[2].keyword, "copy");
  EXPECT_EQ(df.nodes[3].keyword, "healthcheck");
  // The original text keeps the spelling.
  EXPECT_EQ(df.nodes[2].original, "cOpY a b");
}

TEST(DockerfileParserTest, LeadingWhitespaceIsTrimmedTrailingWhitespaceKeptInOriginal) {
  Dockerfile df = Parse("  \tFROM\talpine  \n   RUN   echo   a  \n");
  ASSERT_EQ(df.nodes.size(), 2u);
  EXPECT_EQ(df.nodes[0].original, "FROM\talpine  ");
  EXPECT_EQ(df.nodes[0].args, Strings{"alpine"});
  EXPECT_EQ(df.nodes[1].original, "RUN   echo   a  ");
  EXPECT_EQ(df.nodes[1].args, Strings{"echo   a"});
}

TEST(DockerfileParserTest, CrLfLineEndings) {
  Dockerfile df = Parse("# escape=`\r\nFROM a\r\nRUN echo a `\r\n  b\r\nCMD [\"x\"]\r\n");
  EXPECT_EQ(df.escape, '`');
  ASSERT_EQ(df.nodes.size(), 3u);
  EXPECT_EQ(df.nodes[1].original, "RUN echo a   b");
  EXPECT_EQ(df.nodes[1].end_line, 4);
  EXPECT_TRUE(df.nodes[2].json);
  EXPECT_EQ(df.nodes[2].args, Strings{"x"});
}

TEST(DockerfileParserTest, ByteOrderMarkIsIgnored) {
  Dockerfile df = Parse("\xEF\xBB\xBF# syntax=docker/dockerfile:1\nFROM a\n");
  EXPECT_EQ(df.directives.at("syntax"), "docker/dockerfile:1");
  ASSERT_EQ(df.nodes.size(), 1u);
  EXPECT_EQ(Parse("\xEF\xBB\xBF"
                  "FROM a\n")
                .nodes.at(0)
                .args,
            Strings{"a"});
}

TEST(DockerfileParserTest, LastLineWithoutNewline) {
  Dockerfile df = Parse("FROM a\nCMD x");
  ASSERT_EQ(df.nodes.size(), 2u);
  EXPECT_EQ(df.nodes[1].args, Strings{"x"});
  EXPECT_EQ(df.nodes[1].end_line, 2);
}

// ---------------------------------------------------------------------------------------------
// Line continuations

TEST(DockerfileContinuationTest, BackslashJoinsLinesKeepingTheirIndentation) {
  Dockerfile df = Parse("FROM a\nRUN apt-get update \\\n    && apt-get install -y \\\n\tcurl\n");
  ASSERT_EQ(df.nodes.size(), 2u);
  const DockerfileNode& run = df.nodes[1];
  // The escape is removed; the next line is appended as is (only the first line is trimmed).
  EXPECT_EQ(run.original, "RUN apt-get update     && apt-get install -y \tcurl");
  EXPECT_EQ(run.args, Strings{"apt-get update     && apt-get install -y \tcurl"});
  EXPECT_EQ(run.start_line, 2);
  EXPECT_EQ(run.end_line, 4);
}

TEST(DockerfileContinuationTest, BlanksAfterTheEscapeStillContinue) {
  Dockerfile df = Parse("FROM a\nRUN a \\ \t \nb\n");
  ASSERT_EQ(df.nodes.size(), 2u);
  EXPECT_EQ(df.nodes[1].args, Strings{"a b"});
}

TEST(DockerfileContinuationTest, EscapeGluesWordsWithoutASpace) {
  Dockerfile df = Parse("FROM a\nRUN echo one\\\ntwo\n");
  EXPECT_EQ(df.nodes.at(1).args, Strings{"echo onetwo"});
}

TEST(DockerfileContinuationTest, ALineOfOnlyTheEscapeContinues) {
  Dockerfile df = Parse("FROM a\nRUN a \\\n\\\n  b\n");
  ASSERT_EQ(df.nodes.size(), 2u);
  EXPECT_EQ(df.nodes[1].args, Strings{"a   b"});
  EXPECT_EQ(df.nodes[1].end_line, 4);
  EXPECT_TRUE(df.warnings.empty());
}

TEST(DockerfileContinuationTest, BacktickContinuationAfterEscapeDirective) {
  Dockerfile df = Parse("# escape=`\nFROM a\nRUN echo a `\n    b `\n    c\n");
  ASSERT_EQ(df.nodes.size(), 2u);
  EXPECT_EQ(df.nodes[1].args, Strings{"echo a     b     c"});
  EXPECT_EQ(df.nodes[1].start_line, 3);
  EXPECT_EQ(df.nodes[1].end_line, 5);
}

TEST(DockerfileContinuationTest, CommentLinesInsideAContinuationAreDropped) {
  Dockerfile df = Parse(
      "FROM a\n"
      "RUN one \\\n"
      "# a comment\n"
      "    two \\\n"
      "        # an indented comment\n"
      "    three\n");
  ASSERT_EQ(df.nodes.size(), 2u);
  EXPECT_EQ(df.nodes[1].args, Strings{"one     two     three"});
  EXPECT_EQ(df.nodes[1].end_line, 6);
  EXPECT_TRUE(df.warnings.empty());
}

TEST(DockerfileContinuationTest, EmptyContinuationLinesAreSkippedWithAWarning) {
  Dockerfile df = Parse(
      "FROM a\n"
      "RUN one \\\n"
      "\n"
      "    two \\\n"
      "   \t\n"
      "    three\n"
      "EXPOSE \\\n"
      "\n"
      "80\n");
  ASSERT_EQ(df.nodes.size(), 3u);
  EXPECT_EQ(df.nodes[1].args, Strings{"one     two     three"});
  EXPECT_EQ(df.nodes[1].start_line, 2);
  EXPECT_EQ(df.nodes[1].end_line, 6);
  EXPECT_EQ(df.nodes[2].args, Strings{"80"});
  // One warning per instruction, however many empty lines it has.
  EXPECT_EQ(df.warnings,
            (Strings{"Dockerfile:6: Empty continuation line found in: RUN one     two     three",
                     "Dockerfile:9: Empty continuation line found in: EXPOSE 80"}));
}

TEST(DockerfileContinuationTest, ContinuationAtEndOfFile) {
  Dockerfile df = Parse("FROM a\nLABEL a=b \\\n      c=d \\");
  ASSERT_EQ(df.nodes.size(), 2u);
  EXPECT_EQ(df.nodes[1].original, "LABEL a=b       c=d ");
  ASSERT_EQ(df.nodes[1].key_values.size(), 2u);
  EXPECT_EQ(df.nodes[1].key_values[1].key, "c");
  EXPECT_EQ(df.nodes[1].end_line, 3);
}

TEST(DockerfileContinuationTest, BackslashIsLiteralWhenNotAtTheEnd) {
  Dockerfile df = Parse("FROM a\nRUN printf 'a\\nb\\tc' \\\n && echo \\$HOME\n");
  EXPECT_EQ(df.nodes.at(1).args, Strings{"printf 'a\\nb\\tc'  && echo \\$HOME"});
}

// ---------------------------------------------------------------------------------------------
// Exec (JSON) form and shell form

TEST(DockerfileFormTest, ExecFormIsAJsonArrayOfStrings) {
  Dockerfile df = Parse(
      "FROM a\n"
      "RUN [\"/bin/sh\", \"-c\", \"echo hi\"]\n"
      "CMD [ \"nginx\" , \"-g\" , \"daemon off;\" ]  \n"
      "ENTRYPOINT [\"tini\", \"--\"]\n"
      "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n");
  ASSERT_EQ(df.nodes.size(), 5u);
  for (size_t i = 1; i < 5; ++i) EXPECT_TRUE(df.nodes[i].json) << i;
  EXPECT_EQ(df.nodes[1].args, (Strings{"/bin/sh", "-c", "echo hi"}));
  EXPECT_EQ(df.nodes[2].args, (Strings{"nginx", "-g", "daemon off;"}));
  EXPECT_EQ(df.nodes[3].args, (Strings{"tini", "--"}));
  EXPECT_EQ(df.nodes[4].args, (Strings{"/bin/bash", "-o", "pipefail", "-c"}));
}

TEST(DockerfileFormTest, JsonEscapesAreDecoded) {
  DockerfileNode n = Second(R"(CMD ["a\tb", "\u00e9\"\\", "x\ny"])");
  EXPECT_TRUE(n.json);
  EXPECT_EQ(n.args, (Strings{"a\tb", "\xC3\xA9\"\\", "x\ny"}));
}

TEST(DockerfileFormTest, ShellFormIsOneStringAsWritten) {
  DockerfileNode n = Second("RUN   echo \"a  b\" |  tr a-z A-Z   ");
  EXPECT_FALSE(n.json);
  EXPECT_EQ(n.args, Strings{"echo \"a  b\" |  tr a-z A-Z"});
  EXPECT_EQ(Second("CMD exec nginx -g 'daemon off;'").args, Strings{"exec nginx -g 'daemon off;'"});
  EXPECT_EQ(Second("ENTRYPOINT [\"a\"] extra").args, Strings{"[\"a\"] extra"});
}

TEST(DockerfileFormTest, InvalidJsonFallsBackToTheShellForm) {
  DockerfileNode n = Second(R"(RUN [ "a", ])");
  EXPECT_FALSE(n.json);
  EXPECT_EQ(n.args, Strings{R"([ "a", ])"});
  n = Second("CMD ['single', 'quotes']");
  EXPECT_FALSE(n.json);
  EXPECT_EQ(n.args, Strings{"['single', 'quotes']"});
  n = Second("ENTRYPOINT [\"unterminated\"");
  EXPECT_FALSE(n.json);
  EXPECT_EQ(n.args, Strings{"[\"unterminated\""});
  // COPY falls back to whitespace words, quotes and all.
  n = Second("COPY [\"a b\", /dst ]");
  EXPECT_FALSE(n.json);
  EXPECT_EQ(n.args, (Strings{"[\"a", "b\",", "/dst", "]"}));
}

TEST(DockerfileFormTest, EmptyJsonArrayIsTheExecForm) {
  DockerfileNode n = Second("CMD []");
  EXPECT_TRUE(n.json);
  EXPECT_TRUE(n.args.empty());
  n = Second("ENTRYPOINT []");
  EXPECT_TRUE(n.json);
  EXPECT_TRUE(n.args.empty());
}

TEST(DockerfileFormTest, JsonArrayOfNonStringsIsAnError) {
  const std::string msg = "when using JSON array syntax, arrays must be comprised of strings only";
  EXPECT_EQ(Error("FROM a\nCMD [[\"a\"]]\n"),
            "Dockerfile:2: when using JSON array syntax, arrays must be comprised of strings only\n"
            " 2 | CMD [[\"a\"]]\n"
            "   | ^^^");
  EXPECT_EQ(Error("FROM a\nRUN [\"echo\", 1]\n"), AtLine2("RUN [\"echo\", 1]", msg));
  EXPECT_EQ(Error("FROM a\nENTRYPOINT [\"a\", null]\n"), AtLine2("ENTRYPOINT [\"a\", null]", msg));
  EXPECT_EQ(Error("FROM a\nCOPY [\"a\", true]\n"), AtLine2("COPY [\"a\", true]", msg));
  EXPECT_EQ(Error("FROM a\nVOLUME [{\"a\": 1}]\n"), AtLine2("VOLUME [{\"a\": 1}]", msg));
}

TEST(DockerfileFormTest, CopyAddVolumeHaveJsonAndWordForms) {
  Dockerfile df = Parse(
      "FROM a\n"
      "COPY [\"file with spaces\", \"/dst dir/\"]\n"
      "COPY  a.txt\tb.txt   /dst/\n"
      "ADD [\"https://example.com/x.tgz\", \"/tmp/\"]\n"
      "VOLUME [\"/data\", \"/logs\"]\n"
      "VOLUME /data /logs\n");
  ASSERT_EQ(df.nodes.size(), 6u);
  EXPECT_TRUE(df.nodes[1].json);
  EXPECT_EQ(df.nodes[1].args, (Strings{"file with spaces", "/dst dir/"}));
  EXPECT_FALSE(df.nodes[2].json);
  EXPECT_EQ(df.nodes[2].args, (Strings{"a.txt", "b.txt", "/dst/"}));
  EXPECT_TRUE(df.nodes[3].json);
  EXPECT_TRUE(df.nodes[4].json);
  EXPECT_EQ(df.nodes[4].args, (Strings{"/data", "/logs"}));
  EXPECT_FALSE(df.nodes[5].json);
  EXPECT_EQ(df.nodes[5].args, (Strings{"/data", "/logs"}));
}

TEST(DockerfileFormTest, WordsKeepQuotesForTheExpander) {
  // COPY and FROM split on whitespace only, so quotes do not group words.
  EXPECT_EQ(Second("COPY \"a b\" /dst").args, (Strings{"\"a", "b\"", "/dst"}));
  // ARG splits like a shell but keeps quotes and escapes for the expander.
  EXPECT_EQ(Second("ARG A=\"x y\" B='p q' C=one\\ two D").args,
            (Strings{"A=\"x y\"", "B='p q'", "C=one\\ two", "D"}));
}

// ---------------------------------------------------------------------------------------------
// --flags

TEST(DockerfileFlagTest, FlagsComeBeforeTheArguments) {
  DockerfileNode n = Second(
      "RUN --mount=type=cache,target=/root/.cache --network=none --security=sandbox "
      "pip install --no-cache-dir -r requirements.txt");
  EXPECT_EQ(n.flags, (Strings{"--mount=type=cache,target=/root/.cache", "--network=none",
                              "--security=sandbox"}));
  EXPECT_EQ(n.args, Strings{"pip install --no-cache-dir -r requirements.txt"});
  n = Second("COPY --from=build --chown=app:app --chmod=0755 --link /out/app /usr/bin/");
  EXPECT_EQ(n.flags, (Strings{"--from=build", "--chown=app:app", "--chmod=0755", "--link"}));
  EXPECT_EQ(n.args, (Strings{"/out/app", "/usr/bin/"}));
  n = Second("ADD --checksum=sha256:abc --keep-git-dir=true https://x/y.git /src");
  EXPECT_EQ(n.flags, (Strings{"--checksum=sha256:abc", "--keep-git-dir=true"}));
  n = Second(
      "HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --start-interval=1s "
      "--retries=3 CMD true");
  EXPECT_EQ(n.flags.size(), 5u);
  Dockerfile df = Parse("FROM --platform=$BUILDPLATFORM golang AS build\n");
  EXPECT_EQ(df.nodes.at(0).flags, Strings{"--platform=$BUILDPLATFORM"});
  EXPECT_EQ(df.nodes.at(0).args, (Strings{"golang", "AS", "build"}));
}

TEST(DockerfileFlagTest, QuotesInFlagsAreRemoved) {
  DockerfileNode n = Second("RUN --mount=type=secret,id=\"my id\" --network='none' cat /x");
  EXPECT_EQ(n.flags, (Strings{"--mount=type=secret,id=my id", "--network=none"}));
  EXPECT_EQ(n.args, Strings{"cat /x"});
  EXPECT_EQ(n.original, "RUN --mount=type=secret,id=\"my id\" --network='none' cat /x");
}

TEST(DockerfileFlagTest, OnlyLeadingDoubleDashWordsAreFlags) {
  DockerfileNode n = Second("RUN echo --not-a-flag");
  EXPECT_TRUE(n.flags.empty());
  EXPECT_EQ(n.args, Strings{"echo --not-a-flag"});
  n = Second("RUN -x --y");
  EXPECT_TRUE(n.flags.empty());
  EXPECT_EQ(n.args, Strings{"-x --y"});
}

TEST(DockerfileFlagTest, FlagsContinueAcrossLines) {
  Dockerfile df = Parse(
      "FROM a\nRUN --mount=type=cache,target=/a \\\n    --mount=type=tmpfs,target=/b \\\n    "
      "make\n");
  ASSERT_EQ(df.nodes.size(), 2u);
  EXPECT_EQ(df.nodes[1].flags,
            (Strings{"--mount=type=cache,target=/a", "--mount=type=tmpfs,target=/b"}));
  EXPECT_EQ(df.nodes[1].args, Strings{"make"});
}

// ---------------------------------------------------------------------------------------------
// Lines of instructions

TEST(DockerfileLinesTest, StartAndEndLines) {
  Dockerfile df = Parse(
      "# syntax=docker/dockerfile:1\n"  // 1
      "FROM alpine\n"                   // 2
      "\n"                              // 3
      "RUN apk add \\\n"                // 4
      "# a comment\n"                   // 5
      "    curl \\\n"                   // 6
      "\n"                              // 7
      "    jq\n"                        // 8
      "COPY <<EOF /etc/motd\n"          // 9
      "hello\n"                         // 10
      "EOF\n"                           // 11
      "  ONBUILD RUN <<-X\n"            // 12
      "\tbody\n"                        // 13
      "\tX\n"                           // 14
      "CMD [\"sh\"]\n");                // 15
  ASSERT_EQ(df.nodes.size(), 5u);
  const std::vector<std::pair<int, int>> want = {{2, 2}, {4, 8}, {9, 11}, {12, 14}, {15, 15}};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(df.nodes[i].start_line, want[i].first) << i;
    EXPECT_EQ(df.nodes[i].end_line, want[i].second) << i;
  }
  EXPECT_EQ(df.lines.size(), 15u);
  EXPECT_EQ(df.lines[12], "\tbody");
}

// ---------------------------------------------------------------------------------------------
// Renderers

TEST(DockerfilePrintTest, JsonShape) {
  Dockerfile df = Parse("# escape=`\nFROM a\nONBUILD RUN --network=none <<EOF\nx\nEOF\n");
  nlohmann::json got = nlohmann::json::parse(DockerfileToJson(df));
  nlohmann::json want = nlohmann::json::parse(R"({
    "file": "Dockerfile",
    "directives": {"escape": "`"},
    "escape": "`",
    "instructions": [
      {"keyword": "from", "flags": [], "form": "words", "args": ["a"],
       "start_line": 2, "end_line": 2, "original": "FROM a"},
      {"keyword": "onbuild", "flags": [], "form": "instruction",
       "trigger": {"keyword": "run", "flags": ["--network=none"], "form": "shell", "args": "<<EOF",
                   "heredocs": [{"name": "EOF", "content": "x\n", "expand": true, "chomp": false,
                                 "fd": 0}],
                   "start_line": 3, "end_line": 5, "original": "RUN --network=none <<EOF"},
       "start_line": 3, "end_line": 5, "original": "ONBUILD RUN --network=none <<EOF"}
    ],
    "warnings": []
  })");
  EXPECT_EQ(got, want) << nlohmann::json::diff(want, got).dump(2);
}

TEST(DockerfilePrintTest, Text) {
  Dockerfile df = Parse(
      "FROM a AS b\nRUN --mount=type=cache,target=/x make && \\\n    echo hi\nHEALTHCHECK NONE\n"
      "ONBUILD COPY --chown=1:1 a b\nENV A=1 B=\"x y\"\nCOPY <<EOF /motd\nhi\nEOF\n");
  EXPECT_EQ(DockerfileToText(df),
            "      1  from        words [\"a\",\"AS\",\"b\"]\n"
            "    2-3  run         shell --mount=type=cache,target=/x make &&     echo hi\n"
            "      4  healthcheck NONE\n"
            "      5  onbuild     -> copy --chown=1:1 words [\"a\",\"b\"]\n"
            "      6  env         A=1 B=\"x y\"\n"
            "    7-9  copy        words [\"<<EOF\",\"/motd\"]\n"
            "         heredoc     <<EOF (1 lines)\n");
}

}  // namespace
}  // namespace layerlab
