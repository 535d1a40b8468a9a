// Dockerfile parser tests, part 4: cases where an earlier parser differed from BuildKit (each test
// says what BuildKit does), and the corpus of Dockerfiles compared with their expected trees
// (tests/data/dockerfiles/*).
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
// Cases where the parser once differed from BuildKit; each test states what BuildKit does.
// (Found by comparing with BuildKit's sources; kept as regression tests.)

// BuildKit trims leading white space before it looks for a directive
// (processLine(..., stripLeftWhitespace=true) runs before possibleParserDirective).
TEST(DockerfileBuildKitParityTest, DirectiveMayBeIndented) {
  Result<Dockerfile> df =
      ParseDockerfile("  # escape=`\nFROM a\nRUN echo a `\n  b\n", "Dockerfile");
  ASSERT_TRUE(df.has_value()) << df.error().message();
  EXPECT_EQ(df->escape, '`');
  EXPECT_EQ(df->directives.at("escape"), "`");
  ASSERT_EQ(df->nodes.size(), 2u);
  EXPECT_EQ(df->nodes[1].args, Strings{"echo a   b"});
}

// BuildKit's continuation regex is `([^\\])\\[ \t]*$|^\\[ \t]*$`: an escape preceded by another
// escape does not continue the line.
TEST(DockerfileBuildKitParityTest, EscapedEscapeAtEndOfLineDoesNotContinue) {
  Result<Dockerfile> df = ParseDockerfile("FROM a\nRUN echo foo\\\\\nRUN echo bar\n", "Dockerfile");
  ASSERT_TRUE(df.has_value()) << df.error().message();
  ASSERT_EQ(df->nodes.size(), 3u);
  EXPECT_EQ(df->nodes[1].args, Strings{"echo foo\\\\"});
  EXPECT_EQ(df->nodes[2].args, Strings{"echo bar"});
}

// splitCommand returns strings.TrimSpace(args): the blank after a lone `--` is not kept.
TEST(DockerfileBuildKitParityTest, DoubleDashEndsFlagsAndIsDropped) {
  DockerfileNode n = Second("RUN -- echo hi");
  EXPECT_TRUE(n.flags.empty());
  EXPECT_EQ(n.args, Strings{"echo hi"});
  n = Second("RUN --network=none -- --weird");
  EXPECT_EQ(n.flags, Strings{"--network=none"});
  EXPECT_EQ(n.args, Strings{"--weird"});
}

// bflag.go: errors.Errorf("unknown flag: %s", flagName) where flagName keeps its "--", and
// instructions/parse_test.go expects "unknown flag: --boo" for `MAINTAINER --boo joe@example.com`.
TEST(DockerfileBuildKitParityTest, UnknownFlagMessageKeepsTheDashes) {
  EXPECT_EQ(Error("FROM a\nMAINTAINER --boo joe@example.com\n"),
            AtLine2("MAINTAINER --boo joe@example.com", "unknown flag: --boo"));
  EXPECT_EQ(Error("FROM a\nRUN --privileged make\n"),
            AtLine2("RUN --privileged make", "unknown flag: --privileged"));
}

// bflag.go wraps the unknown-flag error with suggest.WrapError over the instruction's flags.
TEST(DockerfileBuildKitParityTest, UnknownFlagSuggestsAClosePeer) {
  EXPECT_EQ(Error("FROM a\nCOPY --form=build a b\n"),
            AtLine2("COPY --form=build a b", "unknown flag: --form (did you mean from?)"));
}

// bflag.go: duplicate, valueless and non-boolean flags are errors.
TEST(DockerfileBuildKitParityTest, FlagValuesAreChecked) {
  EXPECT_EQ(Error("FROM a\nCOPY --from=a --from=b x y\n"),
            AtLine2("COPY --from=a --from=b x y", "duplicate flag specified: --from"));
  EXPECT_EQ(Error("FROM a\nCOPY --from x y\n"),
            AtLine2("COPY --from x y", "missing a value on flag: --from"));
  EXPECT_EQ(
      Error("FROM a\nCOPY --link=maybe x y\n"),
      AtLine2("COPY --link=maybe x y", "expecting boolean value for flag --link, not: maybe"));
  EXPECT_EQ(Error("FROM a\nCOPY --link= x y\n"),
            AtLine2("COPY --link= x y", "missing a value on flag: --link"));
}

// suggest.WrapError matches the case of what was written ("runn" -> "run").
TEST(DockerfileBuildKitParityTest, SuggestionFollowsTheCaseOfTheInstruction) {
  EXPECT_EQ(Error("FROM a\nrunn make\n"),
            AtLine2("runn make", "unknown instruction: runn (did you mean run?)"));
}

// suggest.WrapError suggests any instruction within two edits (Levenshtein distance < 3).
TEST(DockerfileBuildKitParityTest, SuggestionForShortWords) {
  EXPECT_EQ(Error("FROM a\nFOO bar\n"),
            AtLine2("FOO bar", "unknown instruction: FOO (did you mean FROM?)"));
}

// A file of white space only is not empty to BuildKit (only a 0-byte file is): "file with no
// instructions" (moby/moby#38487).
TEST(DockerfileBuildKitParityTest, WhitespaceOnlyFileHasNoInstructions) {
  EXPECT_EQ(Error("  \n\n\t\n"), "Dockerfile: file with no instructions");
}

// BuildKit keeps the heredoc lines' bytes, line endings included (scanLines keeps "\r\n").
TEST(DockerfileBuildKitParityTest, CrLfHeredocKeepsCarriageReturns) {
  Dockerfile df = Parse("FROM a\r\nRUN <<EOF\r\nhello\r\nworld\r\nEOF\r\n");
  ASSERT_EQ(df.nodes.size(), 2u);
  ASSERT_EQ(df.nodes[1].heredocs.size(), 1u);
  EXPECT_EQ(df.nodes[1].heredocs[0].content, "hello\r\nworld\r\n");
}

// heredocsFromLine lexes with SkipUnsetEnv, so `$EOF` stays in the word
// (parser_heredoc_test.go expects Name "$EOF").
TEST(DockerfileBuildKitParityTest, HeredocNameWithDollar) {
  Result<Dockerfile> df = ParseDockerfile("FROM a\nRUN <<$EOF\n$EOF\n", "Dockerfile");
  ASSERT_TRUE(df.has_value()) << df.error().message();
  ASSERT_EQ(df->nodes.size(), 2u);
  ASSERT_EQ(df->nodes[1].heredocs.size(), 1u);
  EXPECT_EQ(df->nodes[1].heredocs[0].name, "$EOF");
  EXPECT_EQ(df->nodes[1].heredocs[0].content, "");
}

// BuildKit's lexer keeps blanks after `<<` in the word (processPossibleHeredoc) and reHeredoc is
// `^(\d*)<<(-?)\s*([^<]*)$` (parser_heredoc_test.go: `RUN <<  EOF` and `RUN <<  EOF  > foo`).
TEST(DockerfileBuildKitParityTest, HeredocWithBlanksAfterTheRedirect) {
  Result<Dockerfile> df =
      ParseDockerfile("FROM a\nRUN <<  EOF\nhello\nEOF\nRUN <<  EOF  > foo\nEOF\n", "Dockerfile");
  ASSERT_TRUE(df.has_value()) << df.error().message();
  ASSERT_EQ(df->nodes.size(), 3u);
  ASSERT_EQ(df->nodes[1].heredocs.size(), 1u);
  EXPECT_EQ(df->nodes[1].heredocs[0].name, "EOF");
  EXPECT_EQ(df->nodes[1].heredocs[0].content, "hello\n");
  ASSERT_EQ(df->nodes[2].heredocs.size(), 1u);
  EXPECT_EQ(df->nodes[2].heredocs[0].content, "");
}

// parseSourcesAndDest: errBadHeredoc(command, "a destination").
TEST(DockerfileBuildKitParityTest, HeredocAsCopyDestinationIsAnError) {
  EXPECT_EQ(Error("FROM a\nCOPY <<EOF <<EOG\nx\nEOF\ny\nEOG\n"),
            AtLine2("COPY <<EOF <<EOG", "COPY cannot accept a heredoc as a destination"));
}

// parseCopy/parseAdd: fewer than two arguments (none included) is errNoDestinationArgument.
TEST(DockerfileBuildKitParityTest, CopyWithoutArgumentsHasTheDestinationMessage) {
  EXPECT_EQ(Error("FROM a\nCOPY\n"),
            AtLine2("COPY",
                    "COPY requires at least two arguments, but only one was provided. Destination "
                    "could not be determined"));
}

// parseArg: errBlankCommandNames("ARG").
TEST(DockerfileBuildKitParityTest, ArgBlankNameIsAnError) {
  EXPECT_EQ(Error("FROM a\nARG =x\n"), AtLine2("ARG =x", "ARG names can not be blank"));
}

// parseShell checks for an empty list before the JSON form.
TEST(DockerfileBuildKitParityTest, ShellAloneNeedsAnArgument) {
  EXPECT_EQ(Error("FROM a\nSHELL\n"), AtLine2("SHELL", "SHELL requires at least one argument"));
}

// parseRun has no argument check (a bare RUN builds, see rcjsuen/dockerfile-utils#102).
TEST(DockerfileBuildKitParityTest, RunWithoutArgumentsParses) {
  Result<Dockerfile> df =
      ParseDockerfile("FROM a\nRUN\nRUN --mount=type=cache,target=/x\n", "Dockerfile");
  ASSERT_TRUE(df.has_value()) << df.error().message();
  EXPECT_EQ(df->nodes.size(), 3u);
}

// parseVolume: errors.New("VOLUME specified can not be an empty string").
TEST(DockerfileBuildKitParityTest, VolumeEmptyStringIsAnError) {
  EXPECT_EQ(Error("FROM a\nVOLUME [\"\"]\n"),
            AtLine2("VOLUME [\"\"]", "VOLUME specified can not be an empty string"));
}

// parseHealthcheck: the type is uppercased before the message; NONE never parses the flags;
// --retries below 1 is refused (testfiles/health line 11).
TEST(DockerfileBuildKitParityTest, HealthcheckChecks) {
  EXPECT_EQ(
      Error("FROM a\nHEALTHCHECK connect tcp\n"),
      AtLine2("HEALTHCHECK connect tcp", "Unknown type \"CONNECT\" in HEALTHCHECK (try CMD)"));
  EXPECT_EQ(Error("FROM a\nHEALTHCHECK --interval=5s NONE\n"), "(parsed)");
  EXPECT_EQ(Error("FROM a\nHEALTHCHECK --start-period=0s --interval=5s --timeout=0s --retries=0 "
                  "CMD [\"foo\"]\n"),
            AtLine2("HEALTHCHECK --start-period=0s --interval=5s --timeout=0s --retries=0 CMD "
                    "[\"foo\"]",
                    "--retries must be at least 1 (not 0)"));
}

// parseOnBuild checks only ONBUILD/FROM/MAINTAINER: the trigger is parsed when a child image
// builds, so an unknown or incomplete trigger is accepted here.
TEST(DockerfileBuildKitParityTest, OnbuildTriggerIsCheckedOnlyWhenItRuns) {
  EXPECT_EQ(Error("FROM a\nONBUILD RUNN x\n"), "(parsed)");
  EXPECT_EQ(Error("FROM a\nONBUILD COPY onlyone\n"), "(parsed)");
}

// ---------------------------------------------------------------------------------------------
// The corpus: tests/data/dockerfiles/NAME/{Dockerfile,expected.json}. expected.json is
// DockerfileToJson for a file named "Dockerfile", reviewed by hand against BuildKit's parser.

fs::path CorpusDir() { return fs::path(LAYERLAB_TEST_DATA) / "dockerfiles"; }

Strings CorpusNames() {
  Strings names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(CorpusDir(), ec)) {
    if (e.is_directory() && fs::exists(e.path() / "Dockerfile")) {
      names.push_back(e.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

class DockerfileCorpusTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DockerfileCorpusTest, MatchesExpectedJson) {
  const fs::path dir = CorpusDir() / GetParam();
  Result<Dockerfile> df = ParseDockerfile(ReadFile(dir / "Dockerfile"), "Dockerfile");
  ASSERT_TRUE(df.has_value()) << df.error().message();
  const nlohmann::json got = nlohmann::json::parse(DockerfileToJson(*df));
  const nlohmann::json want = nlohmann::json::parse(ReadFile(dir / "expected.json"));
  // A JSON patch from expected to actual says what differs without printing both trees.
  EXPECT_TRUE(got == want) << GetParam() << ": JSON patch from expected.json to the parse:\n"
                           << nlohmann::json::diff(want, got).dump(2);
  // Every instruction lies within the file, in order, and the text renderer copes.
  int prev_end = 0;
  for (const auto& n : df->nodes) {
    EXPECT_GT(n.start_line, prev_end) << n.original;
    EXPECT_LE(n.start_line, n.end_line) << n.original;
    EXPECT_LE(n.end_line, static_cast<int>(df->lines.size())) << n.original;
    prev_end = n.end_line;
  }
  EXPECT_FALSE(DockerfileToText(*df).empty());
}

INSTANTIATE_TEST_SUITE_P(DockerfileCorpus, DockerfileCorpusTest, ::testing::ValuesIn(CorpusNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(DockerfileCorpusSizeTest, HasAtLeastTwentyFiles) {
  const Strings names = CorpusNames();
  EXPECT_GE(names.size(), 20u);
  for (const auto& name : names) {
    EXPECT_TRUE(fs::exists(CorpusDir() / name / "expected.json")) << name;
  }
}

}  // namespace
}  // namespace layerlab
