// `layerlab layers` and `layerlab dockerfile parse` through the CLI: each layer's files with the
// instruction that made them, wasted bytes (a chmod doubles a file), provenance of one path,
// and the parse tree a teacher prints.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e/build_fixture.h"

namespace layerlab::testing {
namespace {

using json = nlohmann::json;
using namespace build;  // NOLINT: the build fixture's helpers

class E2ELayersTest : public BuildFixture {
 protected:
  // busybox + COPY (a 3000-byte file and a small one) + chmod (a copy-up of the big one) +
  // a delete (a whiteout) + a directory replaced (an opaque dir).
  void BuildWaste() {
    std::string ctx = Context();
    Put(ctx, "big.bin", std::string(3000, 'x'));
    Put(ctx, "small.txt", "small\n");
    Put(ctx, "Dockerfile",
        "FROM busybox\n"
        "COPY big.bin small.txt /app/\n"
        "RUN chmod 600 /app/big.bin\n"
        "RUN rm /app/small.txt\n"
        "RUN rm -rf /home && mkdir -p /home && echo new > /home/n\n");
    BuildOk(ctx, {"-t", "waste:1"});
  }
};

TEST_F(E2ELayersTest, JsonListsEachLayersFilesWithTheInstructionThatMadeThem) {
  BuildWaste();
  json r = json::parse(Ok({"layers", "--json", "waste:1"}));
  ASSERT_EQ(r["layers"].size(), 5u);  // busybox + COPY + 3 RUN
  const json& copy = r["layers"][1];
  EXPECT_EQ(copy["created_by"], "COPY big.bin small.txt /app/ # buildkit");
  std::map<std::string, std::string> files;
  for (const auto& f : copy["files"]) files[f["path"]] = f["change"];
  EXPECT_EQ(files, (std::map<std::string, std::string>{
                       {"/app", "A"}, {"/app/big.bin", "A"}, {"/app/small.txt", "A"}}));
  // The chmod copied the whole file up: a second 3000-byte version.
  const json& chmod = r["layers"][2];
  EXPECT_EQ(chmod["created_by"], "RUN /bin/sh -c chmod 600 /app/big.bin # buildkit");
  bool big_changed = false;
  for (const auto& f : chmod["files"]) {
    if (f["path"] == "/app/big.bin") big_changed = f["change"] == "C" && f["size"] == 3000;
  }
  EXPECT_TRUE(big_changed) << chmod.dump();
  // The rm left a whiteout: a deletion that hides 6 bytes.
  bool deleted = false;
  for (const auto& f : r["layers"][3]["files"]) {
    if (f["path"] == "/app/small.txt") deleted = f["change"] == "D" && f["size"] == 6;
  }
  EXPECT_TRUE(deleted) << r["layers"][3].dump();
  // dive's numbers: both versions of big.bin and small.txt's two entries are waste.
  EXPECT_EQ(r["wasted_bytes"], 3000 + 3000 + 6 + 6);
  EXPECT_LT(r["efficiency"].get<double>(), 1.0);
  EXPECT_EQ(r["inefficient"][0]["path"], "/app/big.bin");
  EXPECT_EQ(r["inefficient"][0]["count"], 2);
}

TEST_F(E2ELayersTest, PathTellsWhichInstructionAddedChangedOrDeletedAFile) {
  BuildWaste();
  std::string out = Ok({"layers", "waste:1", "--path", "/app/big.bin"});
  std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 3u) << out;
  EXPECT_EQ(lines[0], "/app/big.bin:");
  EXPECT_NE(lines[1].find("added"), std::string::npos) << out;
  EXPECT_NE(lines[1].find("COPY big.bin small.txt /app/"), std::string::npos) << out;
  EXPECT_NE(lines[2].find("changed"), std::string::npos) << out;
  EXPECT_NE(lines[2].find("chmod 600"), std::string::npos) << out;
  // A path that no layer holds is an error (exit 1) with a message.
  CliResult none = Run({"layers", "waste:1", "--path", "/nowhere"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_EQ(none.out, "/nowhere: in no layer of waste:1\n");
}

TEST_F(E2ELayersTest, TextShowsEfficiencyAndTheOpaqueDirectory) {
  BuildWaste();
  std::string out = Ok({"layers", "waste:1"});
  EXPECT_NE(out.find("Image efficiency score: "), std::string::npos) << out;
  EXPECT_NE(out.find("Potential wasted space: 6.01kB"), std::string::npos) << out;
  EXPECT_NE(out.find("(opaque: hides lower layers)"), std::string::npos) << out;
  CliResult missing = Run({"layers", "nosuch"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "Error: No such image: nosuch:latest\n");
}

TEST_F(E2ELayersTest, DockerfileParsePrintsTheTree) {
  std::string df = WriteFile("Dockerfile",
                             "# escape=\\\n"
                             "FROM busybox AS base\n"
                             "ENV A=1 \\\n"
                             "    B=\"two words\"\n"
                             "COPY --chown=1:1 a b /dst/\n"
                             "RUN <<EOF\n"
                             "echo hi\n"
                             "EOF\n"
                             "CMD [\"sh\"]\n");
  json tree = json::parse(Ok({"dockerfile", "parse", "--json", df}));
  EXPECT_EQ(tree["directives"]["escape"], "\\");
  ASSERT_EQ(tree["instructions"].size(), 5u);
  EXPECT_EQ(tree["instructions"][0]["args"], json({"busybox", "AS", "base"}));
  EXPECT_EQ(tree["instructions"][1]["key_values"][1]["value"], "\"two words\"");
  EXPECT_EQ(tree["instructions"][1]["start_line"], 3);
  EXPECT_EQ(tree["instructions"][1]["end_line"], 4);
  EXPECT_EQ(tree["instructions"][2]["flags"], json({"--chown=1:1"}));
  EXPECT_EQ(tree["instructions"][3]["heredocs"][0]["content"], "echo hi\n");
  EXPECT_EQ(tree["instructions"][4]["form"], "exec");
  std::string text = Ok({"dockerfile", "parse", df});
  EXPECT_NE(text.find("    3-4  env         A=1 B=\"two words\""), std::string::npos) << text;
  // A broken file: the error names the file and line, with a caret.
  std::string bad = WriteFile("Bad", "FROM busybox\nRUNN x\n");
  CliResult r = Run({"dockerfile", "parse", bad});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: " + bad + ":2: unknown instruction: RUNN (did you mean RUN?)\n"
                   " 2 | RUNN x\n   | ^^^^\n");
}

}  // namespace
}  // namespace layerlab::testing
