// Dockerfile parser tests, part 2: heredocs, ONBUILD, ENV/LABEL/ARG/FROM/HEALTHCHECK, each
// instruction's checks with whole error messages.
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
// Heredocs

TEST(DockerfileHeredocTest, RunHeredoc) {
  Dockerfile df = Parse("FROM a\nRUN <<EOF\nset -e\necho \"$HOME\"\nEOF\nCMD x\n");
  ASSERT_EQ(df.nodes.size(), 3u);
  const DockerfileNode& run = df.nodes[1];
  EXPECT_EQ(run.args, Strings{"<<EOF"});
  EXPECT_EQ(run.original, "RUN <<EOF");
  ASSERT_EQ(run.heredocs.size(), 1u);
  EXPECT_EQ(run.heredocs[0].name, "EOF");
  EXPECT_EQ(run.heredocs[0].content, "set -e\necho \"$HOME\"\n");
  EXPECT_TRUE(run.heredocs[0].expand);
  EXPECT_FALSE(run.heredocs[0].chomp);
  EXPECT_EQ(run.heredocs[0].fd, 0u);
  EXPECT_EQ(run.start_line, 2);
  EXPECT_EQ(run.end_line, 5);
  EXPECT_EQ(df.nodes[2].start_line, 6);
}

TEST(DockerfileHeredocTest, BodyIsTakenVerbatim) {
  // Comments, blank lines, escapes and things that look like instructions are content.
  Dockerfile df = Parse("FROM a\nRUN <<EOF\n# comment\n\nRUN not an instruction \\\n  x\nEOF\n");
  ASSERT_EQ(df.nodes.size(), 2u);
  EXPECT_EQ(df.nodes[1].heredocs.at(0).content, "# comment\n\nRUN not an instruction \\\n  x\n");
  EXPECT_TRUE(df.warnings.empty());
}

TEST(DockerfileHeredocTest, DashHeredocStripsTabsFromTheTerminatorOnly) {
  Dockerfile df =
      Parse("FROM a\nRUN <<-EOT bash\n\tfor i in 1 2; do\n\t\techo $i\n\tdone\n\tEOT\n");
  ASSERT_EQ(df.nodes.size(), 2u);
  const Heredoc& h = df.nodes[1].heredocs.at(0);
  EXPECT_EQ(h.name, "EOT");
  EXPECT_TRUE(h.chomp);
  // The parser keeps the tabs; ChompHeredoc removes them when the content is used.
  EXPECT_EQ(h.content, "\tfor i in 1 2; do\n\t\techo $i\n\tdone\n");
  EXPECT_EQ(ChompHeredoc(h.content), "for i in 1 2; do\necho $i\ndone\n");
  EXPECT_EQ(df.nodes[1].end_line, 6);
}

TEST(DockerfileHeredocTest, WithoutDashAnIndentedTerminatorIsContent) {
  Dockerfile df = Parse("FROM a\nRUN <<EOF\n\tEOF\nEOF\n");
  EXPECT_EQ(df.nodes.at(1).heredocs.at(0).content, "\tEOF\n");
  // Trailing blanks make a line content too.
  df = Parse("FROM a\nRUN <<EOF\nEOF \nEOF\n");
  EXPECT_EQ(df.nodes.at(1).heredocs.at(0).content, "EOF \n");
}

TEST(DockerfileHeredocTest, ChompHeredocRemovesLeadingTabsOfEveryLine) {
  EXPECT_EQ(ChompHeredoc("\thello\n\tworld\n"), "hello\nworld\n");
  EXPECT_EQ(ChompHeredoc("\t\ta\n  b\n\t c\n\t"), "a\n  b\n c\n");
  EXPECT_EQ(ChompHeredoc(""), "");
}

TEST(DockerfileHeredocTest, QuotedDelimiterMeansNoExpansion) {
  Dockerfile df = Parse(
      "FROM a\n"
      "RUN <<'EOF'\necho $HOME\nEOF\n"
      "RUN <<\"EOF\"\necho $HOME\nEOF\n"
      "RUN <<E\"O\"F\necho $HOME\nEOF\n"
      "RUN <<EOF\necho $HOME\nEOF\n");
  ASSERT_EQ(df.nodes.size(), 5u);
  for (size_t i = 1; i <= 3; ++i) {
    ASSERT_EQ(df.nodes[i].heredocs.size(), 1u) << i;
    EXPECT_EQ(df.nodes[i].heredocs[0].name, "EOF") << i;
    EXPECT_FALSE(df.nodes[i].heredocs[0].expand) << i;
  }
  EXPECT_TRUE(df.nodes[4].heredocs.at(0).expand);
}

TEST(DockerfileHeredocTest, SeveralHeredocsOnOneLineAreReadInOrder) {
  Dockerfile df = Parse("FROM a\nCOPY <<one.txt <<two.txt /data/\n1\none.txt\n2\ntwo.txt\nRUN x\n");
  ASSERT_EQ(df.nodes.size(), 3u);
  const DockerfileNode& copy = df.nodes[1];
  EXPECT_EQ(copy.args, (Strings{"<<one.txt", "<<two.txt", "/data/"}));
  ASSERT_EQ(copy.heredocs.size(), 2u);
  EXPECT_EQ(copy.heredocs[0].name, "one.txt");
  EXPECT_EQ(copy.heredocs[0].content, "1\n");
  EXPECT_EQ(copy.heredocs[1].name, "two.txt");
  EXPECT_EQ(copy.heredocs[1].content, "2\n");
  EXPECT_EQ(copy.start_line, 2);
  EXPECT_EQ(copy.end_line, 6);
  // Each body ends at its own terminator only.
  df = Parse("FROM a\nRUN <<A cat && <<B cat\nB\nA\nA\nB\n");
  ASSERT_EQ(df.nodes.at(1).heredocs.size(), 2u);
  EXPECT_EQ(df.nodes[1].heredocs[0].content, "B\n");
  EXPECT_EQ(df.nodes[1].heredocs[1].content, "A\n");
}

TEST(DockerfileHeredocTest, CopyHeredocToAPath) {
  DockerfileNode n = Second("COPY --chmod=644 <<EOF /etc/motd\nWelcome\nEOF\n");
  EXPECT_EQ(n.flags, Strings{"--chmod=644"});
  EXPECT_EQ(n.args, (Strings{"<<EOF", "/etc/motd"}));
  ASSERT_EQ(n.heredocs.size(), 1u);
  EXPECT_EQ(n.heredocs[0].content, "Welcome\n");
  n = Second("ADD <<EOF /x\ny\nEOF\n");
  EXPECT_EQ(n.heredocs.at(0).content, "y\n");
}

TEST(DockerfileHeredocTest, FileDescriptorPrefix) {
  DockerfileNode n = Second("RUN cat /proc/self/fd/3 3<<CONFIG\nkey=value\nCONFIG\n");
  ASSERT_EQ(n.heredocs.size(), 1u);
  EXPECT_EQ(n.heredocs[0].name, "CONFIG");
  EXPECT_EQ(n.heredocs[0].fd, 3u);
  EXPECT_EQ(n.heredocs[0].content, "key=value\n");
}

TEST(DockerfileHeredocTest, EmptyBody) {
  DockerfileNode n = Second("RUN <<EMPTY\nEMPTY\n");
  ASSERT_EQ(n.heredocs.size(), 1u);
  EXPECT_EQ(n.heredocs[0].content, "");
  EXPECT_EQ(n.end_line, 3);
}

TEST(DockerfileHeredocTest, FlagsBeforeAHeredoc) {
  DockerfileNode n = Second("RUN --mount=type=cache,target=/foo <<MOUNT\necho hello\nMOUNT\n");
  EXPECT_EQ(n.flags, Strings{"--mount=type=cache,target=/foo"});
  EXPECT_EQ(n.args, Strings{"<<MOUNT"});
  EXPECT_EQ(n.heredocs.at(0).content, "echo hello\n");
}

TEST(DockerfileHeredocTest, NotAHeredoc) {
  // Quoted, inside JSON, or in an instruction that takes no heredocs.
  EXPECT_TRUE(Second("RUN echo \"<<EOF\"").heredocs.empty());
  EXPECT_TRUE(Second("RUN echo '<<EOF'").heredocs.empty());
  EXPECT_TRUE(Second("RUN [\"<<EOF\"]").heredocs.empty());
  EXPECT_TRUE(Second("RUN [\"<<'EOF'\"]").heredocs.empty());
  EXPECT_TRUE(Second("RUN cat <EOF").heredocs.empty());
  EXPECT_TRUE(Second("RUN cat <<<EOF").heredocs.empty());
  EXPECT_TRUE(Second("RUN echo a<<EOF").heredocs.empty());
  Dockerfile df = Parse("FROM a\nWORKDIR <<EOF\nRUN true\n");
  ASSERT_EQ(df.nodes.size(), 3u);
  EXPECT_TRUE(df.nodes[1].heredocs.empty());
  EXPECT_EQ(df.nodes[2].keyword, "run");
}

TEST(DockerfileHeredocTest, UnterminatedHeredocIsAnError) {
  EXPECT_EQ(Error("FROM a\nRUN <<EOF\necho hi\n"),
            "Dockerfile:2: unterminated heredoc\n"
            " 2 | RUN <<EOF\n"
            "   | ^^^");
  // The second of two heredocs is missing its terminator.
  EXPECT_EQ(Error("FROM a\nCOPY <<A <<B /d\na\nA\nb\n"),
            AtLine2("COPY <<A <<B /d", "unterminated heredoc"));
}

TEST(DockerfileHeredocTest, CopyWithOnlyAHeredocNeedsADestination) {
  EXPECT_EQ(Error("FROM a\nCOPY <<EOF\nx\nEOF\n"),
            AtLine2("COPY <<EOF",
                    "COPY requires at least two arguments, but only one was provided. "
                    "Destination could not be determined"));
}

// ---------------------------------------------------------------------------------------------
// ONBUILD

TEST(DockerfileOnbuildTest, TriggerIsANestedInstruction) {
  Dockerfile df = Parse(
      "FROM a\n"
      "ONBUILD RUN --mount=type=cache,target=/root/.m2 mvn package\n"
      "onbuild copy . /src\n"
      "ONBUILD CMD [\"java\", \"-jar\", \"app.jar\"]\n");
  ASSERT_EQ(df.nodes.size(), 4u);
  const DockerfileNode& ob = df.nodes[1];
  EXPECT_EQ(ob.keyword, "onbuild");
  EXPECT_TRUE(ob.flags.empty());
  ASSERT_NE(ob.trigger, nullptr);
  EXPECT_EQ(ob.trigger->keyword, "run");
  EXPECT_EQ(ob.trigger->flags, Strings{"--mount=type=cache,target=/root/.m2"});
  EXPECT_EQ(ob.trigger->args, Strings{"mvn package"});
  EXPECT_EQ(ob.trigger->original, "RUN --mount=type=cache,target=/root/.m2 mvn package");
  EXPECT_EQ(ob.original, "ONBUILD RUN --mount=type=cache,target=/root/.m2 mvn package");
  ASSERT_NE(df.nodes[2].trigger, nullptr);
  EXPECT_EQ(df.nodes[2].trigger->keyword, "copy");
  EXPECT_EQ(df.nodes[2].trigger->args, (Strings{".", "/src"}));
  ASSERT_NE(df.nodes[3].trigger, nullptr);
  EXPECT_TRUE(df.nodes[3].trigger->json);
  EXPECT_EQ(df.nodes[3].trigger->args, (Strings{"java", "-jar", "app.jar"}));
}

TEST(DockerfileOnbuildTest, TriggerWithAHeredoc) {
  Dockerfile df = Parse("FROM a\nONBUILD RUN <<EOF\necho child build\nEOF\nCMD x\n");
  ASSERT_EQ(df.nodes.size(), 3u);
  const DockerfileNode& ob = df.nodes[1];
  ASSERT_NE(ob.trigger, nullptr);
  ASSERT_EQ(ob.trigger->heredocs.size(), 1u);
  EXPECT_EQ(ob.trigger->heredocs[0].content, "echo child build\n");
  EXPECT_EQ(ob.start_line, 2);
  EXPECT_EQ(ob.end_line, 4);
  EXPECT_EQ(ob.trigger->start_line, 2);
  EXPECT_EQ(ob.trigger->end_line, 4);
}

TEST(DockerfileOnbuildTest, ChainedOnbuildIsAnError) {
  EXPECT_EQ(Error("FROM a\nONBUILD ONBUILD RUN touch foobar\n"),
            "Dockerfile:2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed\n"
            " 2 | ONBUILD ONBUILD RUN touch foobar\n"
            "   | ^^^^^^^");
  EXPECT_EQ(
      Error("FROM a\nonbuild onbuild run x\n"),
      AtLine2("onbuild onbuild run x", "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"));
}

TEST(DockerfileOnbuildTest, FromAndMaintainerAreNotTriggers) {
  EXPECT_EQ(Error("FROM a\nONBUILD FROM scratch\n"),
            "Dockerfile:2: FROM isn't allowed as an ONBUILD trigger\n"
            " 2 | ONBUILD FROM scratch\n"
            "   | ^^^^^^^");
  EXPECT_EQ(Error("FROM a\nONBUILD maintainer me\n"),
            AtLine2("ONBUILD maintainer me", "MAINTAINER isn't allowed as an ONBUILD trigger"));
}

TEST(DockerfileOnbuildTest, OnbuildAloneIsAnError) {
  EXPECT_EQ(Error("FROM a\nONBUILD\n"),
            AtLine2("ONBUILD", "ONBUILD requires at least one argument"));
}

// ---------------------------------------------------------------------------------------------
// ENV and LABEL

TEST(DockerfileEnvTest, KeyValuePairsKeepQuotesAndEscapes) {
  DockerfileNode n =
      Second("ENV A=1 B=\"two words\" C='single $X' D=one\\ two E= F=\"\" G=a\"b c\"d");
  ASSERT_EQ(n.key_values.size(), 7u);
  const std::vector<std::pair<std::string, std::string>> want = {
      {"A", "1"}, {"B", "\"two words\""}, {"C", "'single $X'"}, {"D", "one\\ two"},
      {"E", ""},  {"F", "\"\""},          {"G", "a\"b c\"d"}};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(n.key_values[i].key, want[i].first) << i;
    EXPECT_EQ(n.key_values[i].value, want[i].second) << i;
    EXPECT_TRUE(n.key_values[i].has_equals) << i;
  }
}

TEST(DockerfileEnvTest, PairsAcrossContinuations) {
  Dockerfile df = Parse("FROM a\nENV PATH=/opt/bin:$PATH \\\n    LANG=C.UTF-8\n");
  ASSERT_EQ(df.nodes.at(1).key_values.size(), 2u);
  EXPECT_EQ(df.nodes[1].key_values[1].key, "LANG");
  EXPECT_EQ(df.nodes[1].key_values[1].value, "C.UTF-8");
}

TEST(DockerfileEnvTest, LegacyFormTakesTheRestOfTheLine) {
  DockerfileNode n = Second("ENV PATH   /usr/local/bin:$PATH  and   more  ");
  ASSERT_EQ(n.key_values.size(), 1u);
  EXPECT_EQ(n.key_values[0].key, "PATH");
  EXPECT_EQ(n.key_values[0].value, "/usr/local/bin:$PATH  and   more");
  EXPECT_FALSE(n.key_values[0].has_equals);
  n = Second("LABEL maintainer \"Jane <jane@example.com>\"");
  ASSERT_EQ(n.key_values.size(), 1u);
  EXPECT_EQ(n.key_values[0].value, "\"Jane <jane@example.com>\"");
  EXPECT_FALSE(n.key_values[0].has_equals);
}

TEST(DockerfileEnvTest, LabelKeysMayBeQuoted) {
  DockerfileNode n = Second("LABEL \"com.example.key\"=\"v\" org.example=x");
  ASSERT_EQ(n.key_values.size(), 2u);
  EXPECT_EQ(n.key_values[0].key, "\"com.example.key\"");
  EXPECT_EQ(n.key_values[0].value, "\"v\"");
}

TEST(DockerfileEnvTest, EnvWithOnlyANameIsAnError) {
  EXPECT_EQ(Error("FROM a\nENV K\n"),
            "Dockerfile:2: ENV must have two arguments\n"
            " 2 | ENV K\n"
            "   | ^^^");
  EXPECT_EQ(Error("FROM a\nLABEL k\n"), AtLine2("LABEL k", "LABEL must have two arguments"));
}

TEST(DockerfileEnvTest, EnvAloneIsAnError) {
  EXPECT_EQ(Error("FROM a\nENV\n"),
            "Dockerfile:2: ENV requires at least one argument\n"
            " 2 | ENV\n"
            "   | ^^^");
  EXPECT_EQ(Error("FROM a\nLABEL   \n"),
            "Dockerfile:2: LABEL requires at least one argument\n"
            " 2 | LABEL   \n"
            "   | ^^^^^");
}

TEST(DockerfileEnvTest, PairWithoutEqualsIsAnError) {
  EXPECT_EQ(Error("FROM a\nENV a=1 b\n"),
            AtLine2("ENV a=1 b",
                    "Syntax error - can't find = in \"b\". Must be of the form: name=value"));
}

TEST(DockerfileEnvTest, BlankNameIsAnError) {
  EXPECT_EQ(Error("FROM a\nENV =x\n"), AtLine2("ENV =x", "ENV names can not be blank"));
  EXPECT_EQ(Error("FROM a\nLABEL a=1 =2\n"),
            AtLine2("LABEL a=1 =2", "LABEL names can not be blank"));
}

// ---------------------------------------------------------------------------------------------
// ARG, FROM

TEST(DockerfileArgTest, ArgsBeforeFromAndSeveralPerLine) {
  Dockerfile df = Parse("ARG BASE=alpine\nARG TAG\nFROM ${BASE}:${TAG:-3.20}\nARG A=1 B\n");
  ASSERT_EQ(df.nodes.size(), 4u);
  EXPECT_EQ(df.nodes[0].keyword, "arg");
  EXPECT_EQ(df.nodes[0].args, Strings{"BASE=alpine"});
  EXPECT_EQ(df.nodes[1].args, Strings{"TAG"});
  EXPECT_EQ(df.nodes[2].args, Strings{"${BASE}:${TAG:-3.20}"});
  EXPECT_EQ(df.nodes[3].args, (Strings{"A=1", "B"}));
}

TEST(DockerfileArgTest, ArgAloneIsAnError) {
  EXPECT_EQ(Error("FROM a\nARG\n"), AtLine2("ARG", "ARG requires at least one argument"));
}

TEST(DockerfileFromTest, StageNames) {
  Dockerfile df = Parse(
      "FROM alpine AS build\n"
      "FROM alpine as Build-Stage.1_x\n"
      "FROM build\n");
  ASSERT_EQ(df.nodes.size(), 3u);
  EXPECT_EQ(df.nodes[0].args, (Strings{"alpine", "AS", "build"}));
  // Names are checked lowercased, and kept as written.
  EXPECT_EQ(df.nodes[1].args, (Strings{"alpine", "as", "Build-Stage.1_x"}));
  EXPECT_EQ(df.nodes[2].args, Strings{"build"});
}

TEST(DockerfileFromTest, InvalidStageNameIsAnError) {
  EXPECT_EQ(Error("FROM alpine AS 1st\n"),
            "Dockerfile:1: invalid name for build stage: \"1st\", name can't start with a number "
            "or contain symbols\n"
            " 1 | FROM alpine AS 1st\n"
            "   | ^^^^");
  EXPECT_EQ(Error("FROM a\nFROM alpine AS my@stage\n"),
            AtLine2("FROM alpine AS my@stage",
                    "invalid name for build stage: \"my@stage\", name can't start with a number or "
                    "contain symbols"));
  EXPECT_EQ(Error("FROM a\nFROM alpine AS _x\n"),
            AtLine2("FROM alpine AS _x",
                    "invalid name for build stage: \"_x\", name can't start with a number or "
                    "contain symbols"));
}

TEST(DockerfileFromTest, WrongArgumentCountIsAnError) {
  const std::string msg = "FROM requires either one or three arguments";
  EXPECT_EQ(Error("FROM a\nFROM alpine AS\n"), AtLine2("FROM alpine AS", msg));
  EXPECT_EQ(Error("FROM a\nFROM alpine base\n"), AtLine2("FROM alpine base", msg));
  EXPECT_EQ(Error("FROM a\nFROM alpine FOR base\n"), AtLine2("FROM alpine FOR base", msg));
  EXPECT_EQ(Error("FROM a\nFROM alpine AS b c\n"), AtLine2("FROM alpine AS b c", msg));
  EXPECT_EQ(Error("FROM a\nFROM\n"), AtLine2("FROM", msg));
}

// ---------------------------------------------------------------------------------------------
// HEALTHCHECK

TEST(DockerfileHealthcheckTest, NoneAndCmdForms) {
  Dockerfile df = Parse(
      "FROM a\n"
      "HEALTHCHECK NONE\n"
      "HEALTHCHECK --interval=5s --retries=3 CMD curl -f http://localhost/ || exit 1\n"
      "HEALTHCHECK CMD [\"redis-cli\", \"ping\"]\n"
      "HEALTHCHECK   CMD   a b\n");
  ASSERT_EQ(df.nodes.size(), 5u);
  EXPECT_EQ(df.nodes[1].args, Strings{"NONE"});
  EXPECT_FALSE(df.nodes[1].json);
  EXPECT_EQ(df.nodes[2].flags, (Strings{"--interval=5s", "--retries=3"}));
  EXPECT_EQ(df.nodes[2].args, (Strings{"CMD", "curl -f http://localhost/ || exit 1"}));
  EXPECT_FALSE(df.nodes[2].json);
  EXPECT_EQ(df.nodes[3].args, (Strings{"CMD", "redis-cli", "ping"}));
  EXPECT_TRUE(df.nodes[3].json);
  EXPECT_EQ(df.nodes[4].args, (Strings{"CMD", "a b"}));
}

TEST(DockerfileHealthcheckTest, Errors) {
  EXPECT_EQ(Error("FROM a\nHEALTHCHECK\n"),
            AtLine2("HEALTHCHECK", "HEALTHCHECK requires at least one argument"));
  EXPECT_EQ(Error("FROM a\nHEALTHCHECK CMD\n"),
            AtLine2("HEALTHCHECK CMD", "Missing command after HEALTHCHECK CMD"));
  EXPECT_EQ(Error("FROM a\nHEALTHCHECK NONE now\n"),
            AtLine2("HEALTHCHECK NONE now", "HEALTHCHECK NONE takes no arguments"));
  EXPECT_EQ(
      Error("FROM a\nHEALTHCHECK CONNECT TCP 7000\n"),
      AtLine2("HEALTHCHECK CONNECT TCP 7000", "Unknown type \"CONNECT\" in HEALTHCHECK (try CMD)"));
}

// ---------------------------------------------------------------------------------------------
// Argument counts and instruction-specific checks

TEST(DockerfileInstructionTest, ExactlyOneArgument) {
  for (const std::string kw : {"WORKDIR", "USER", "STOPSIGNAL", "MAINTAINER"}) {
    EXPECT_EQ(Error("FROM a\n" + kw + "\n"), AtLine2(kw, kw + " requires exactly one argument"));
  }
  // One argument is the rest of the line, spaces and all.
  EXPECT_EQ(Second("WORKDIR /my dir").args, Strings{"/my dir"});
  EXPECT_EQ(Second("MAINTAINER Jane Doe <jane@example.com>").args,
            Strings{"Jane Doe <jane@example.com>"});
  EXPECT_EQ(Second("STOPSIGNAL SIGQUIT").args, Strings{"SIGQUIT"});
  EXPECT_EQ(Second("USER 1000:1000").args, Strings{"1000:1000"});
}

TEST(DockerfileInstructionTest, AtLeastOneArgument) {
  for (const std::string kw : {"EXPOSE", "VOLUME", "LABEL", "ENV", "ONBUILD", "HEALTHCHECK"}) {
    EXPECT_EQ(Error("FROM a\n" + kw + "\n"), AtLine2(kw, kw + " requires at least one argument"));
  }
  EXPECT_EQ(Error("FROM a\nVOLUME []\n"),
            AtLine2("VOLUME []", "VOLUME requires at least one argument"));
}

TEST(DockerfileInstructionTest, CopyAndAddNeedADestination) {
  EXPECT_EQ(Error("FROM a\nCOPY onlyone\n"),
            "Dockerfile:2: COPY requires at least two arguments, but only one was provided. "
            "Destination could not be determined\n"
            " 2 | COPY onlyone\n"
            "   | ^^^^");
  EXPECT_EQ(Error("FROM a\nADD x\n"),
            AtLine2("ADD x",
                    "ADD requires at least two arguments, but only one was provided. Destination "
                    "could not be determined"));
  EXPECT_EQ(Error("FROM a\nCOPY [\"x\"]\n"),
            AtLine2("COPY [\"x\"]",
                    "COPY requires at least two arguments, but only one was provided. Destination "
                    "could not be determined"));
}

TEST(DockerfileInstructionTest, ShellMustBeJson) {
  EXPECT_EQ(Error("FROM a\nSHELL /bin/sh -c\n"),
            AtLine2("SHELL /bin/sh -c", "SHELL requires the arguments to be in JSON form"));
  EXPECT_EQ(Error("FROM a\nSHELL []\n"),
            AtLine2("SHELL []", "SHELL requires at least one argument"));
}

TEST(DockerfileInstructionTest, CmdAndEntrypointMayBeEmpty) {
  Dockerfile df = Parse("FROM a\nCMD\nENTRYPOINT\n");
  ASSERT_EQ(df.nodes.size(), 3u);
  EXPECT_TRUE(df.nodes[1].args.empty());
  EXPECT_TRUE(df.nodes[2].args.empty());
}

TEST(DockerfileInstructionTest, EveryKnownInstructionParses) {
  EXPECT_EQ(DockerfileInstructions(),
            (Strings{"ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM",
                     "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL",
                     "USER", "VOLUME", "WORKDIR"}));
  Dockerfile df = Parse(
      "ARG V=1\nFROM a\nADD a b\nCMD c\nCOPY a b\nENTRYPOINT e\nENV K=V\nEXPOSE 80\n"
      "HEALTHCHECK NONE\nLABEL k=v\nMAINTAINER me\nONBUILD RUN x\nRUN r\nSHELL [\"sh\"]\n"
      "STOPSIGNAL 9\nUSER u\nVOLUME /v\nWORKDIR /w\n");
  Strings keywords;
  for (const auto& n : df.nodes) keywords.push_back(n.keyword);
  EXPECT_EQ(keywords, (Strings{"arg", "from", "add", "cmd", "copy", "entrypoint", "env", "expose",
                               "healthcheck", "label", "maintainer", "onbuild", "run", "shell",
                               "stopsignal", "user", "volume", "workdir"}));
}

// ---------------------------------------------------------------------------------------------
// Empty files, unknown instructions

TEST(DockerfileErrorTest, EmptyFileIsAnError) {
  EXPECT_EQ(Error(""), "Dockerfile: the Dockerfile cannot be empty");
}

TEST(DockerfileErrorTest, FileWithOnlyCommentsIsAnError) {
  EXPECT_EQ(Error("# just a comment\n\n# and another\n"), "Dockerfile: file with no instructions");
  EXPECT_EQ(Error("# syntax=docker/dockerfile:1\n"), "Dockerfile: file with no instructions");
}

TEST(DockerfileErrorTest, ErrorsNameTheGivenFile) {
  Result<Dockerfile> df = ParseDockerfile("FROM a\nRUNN x\n", "app/Containerfile");
  ASSERT_FALSE(df.has_value());
  EXPECT_EQ(df.error().message(),
            "app/Containerfile:2: unknown instruction: RUNN (did you mean RUN?)\n"
            " 2 | RUNN x\n"
            "   | ^^^^");
  EXPECT_EQ(ParseDockerfile("", "x/Dockerfile.dev").error().message(),
            "x/Dockerfile.dev: the Dockerfile cannot be empty");
}

TEST(DockerfileErrorTest, UnknownInstructionWithSuggestion) {
  EXPECT_EQ(Error("FROM alpine\nRUNN make\n"),
            "Dockerfile:2: unknown instruction: RUNN (did you mean RUN?)\n"
            " 2 | RUNN make\n"
            "   | ^^^^");
  EXPECT_EQ(Error("FROM a\nEXPOSED 80\n"),
            AtLine2("EXPOSED 80", "unknown instruction: EXPOSED (did you mean EXPOSE?)"));
  EXPECT_EQ(Error("FROM a\nWORKDIRR /x\n"),
            AtLine2("WORKDIRR /x", "unknown instruction: WORKDIRR (did you mean WORKDIR?)"));
}

TEST(DockerfileErrorTest, UnknownInstructionWithoutSuggestion) {
  EXPECT_EQ(Error("FROM a\nFROBNICATE x\n"),
            AtLine2("FROBNICATE x", "unknown instruction: FROBNICATE"));
}

TEST(DockerfileErrorTest, CaretPointsAtTheIndentedKeyword) {
  EXPECT_EQ(Error("FROM a\n  \tRUNN make\n"),
            "Dockerfile:2: unknown instruction: RUNN (did you mean RUN?)\n"
            " 2 |   \tRUNN make\n"
            "   |    ^^^^");
}

TEST(DockerfileErrorTest, ErrorInAContinuedInstructionPointsAtItsFirstLine) {
  EXPECT_EQ(Error("FROM a\nENV A=1 \\\n    B\n"),
            "Dockerfile:2: Syntax error - can't find = in \"B\". Must be of the form: name=value\n"
            " 2 | ENV A=1 \\\n"
            "   | ^^^");
}

TEST(DockerfileErrorTest, LineNumbersWiderThanOneDigit) {
  std::string text = "FROM a\n";
  for (int i = 2; i < 12; ++i) text += "RUN echo " + std::to_string(i) + "\n";
  text += "RUNN x\n";
  EXPECT_EQ(Error(text),
            "Dockerfile:12: unknown instruction: RUNN (did you mean RUN?)\n"
            " 12 | RUNN x\n"
            "    | ^^^^");
}

TEST(DockerfileErrorTest, DockerfileErrorFormat) {
  Dockerfile df;
  df.filename = "ctx/Dockerfile";
  df.lines = {"FROM a", "RUN  --bad x"};
  EXPECT_EQ(DockerfileError(df, 2, 5, 5, "unknown flag: --bad"),
            "ctx/Dockerfile:2: unknown flag: --bad\n"
            " 2 | RUN  --bad x\n"
            "   |      ^^^^^");
  // A zero length still shows one caret; a line outside the file shows no source.
  EXPECT_EQ(DockerfileError(df, 1, 0, 0, "m"), "ctx/Dockerfile:1: m\n 1 | FROM a\n   | ^");
  EXPECT_EQ(DockerfileError(df, 3, 0, 1, "m"), "ctx/Dockerfile:3: m");
  EXPECT_EQ(DockerfileError(df, 0, 0, 1, "m"), "ctx/Dockerfile:0: m");
}

}  // namespace
}  // namespace layerlab
