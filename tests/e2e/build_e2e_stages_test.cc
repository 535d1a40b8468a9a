// End-to-end tests of multi-stage builds: COPY --from (a stage by name or index), --target,
// stages built only when needed, FROM an earlier stage. The fixture is build_fixture.h.
#include "e2e/build_fixture.h"

namespace layerlab::testing::build {

class E2EBuildStagesTest : public BuildFixture {
 protected:
  // build -> test (FROM build), an unused broken stage, and a final stage that copies from
  // build (by name and by index) and from test.
  std::string StagesContext() {
    std::string ctx = Context();
    Put(ctx, "main.c", "src\n");
    Put(ctx, "Dockerfile",
        "FROM busybox AS build\n"
        "WORKDIR /src\n"
        "COPY main.c .\n"
        "RUN mkdir -p /out && cat main.c > /out/app && echo compiled >> /out/app\n"
        "\n"
        "FROM busybox AS broken\n"
        "RUN echo broken-stage-ran && exit 7\n"
        "\n"
        "FROM build AS test\n"
        "RUN echo tested > /out/tested.txt\n"
        "\n"
        "FROM busybox\n"
        "COPY --from=build /out/app /app/from-name\n"
        "COPY --from=0 /out/app /app/from-index\n"
        "COPY --from=test /out/tested.txt /app/\n"
        "CMD [\"cat\", \"/app/from-name\"]\n");
    return ctx;
  }
};

TEST_F(E2EBuildStagesTest, CopyFromTakesFilesOfAStageByNameOrIndex) {
  std::string ctx = StagesContext();
  CliResult r = BuildOk(ctx, {"-t", "ms:final"});
  EXPECT_EQ(Sh("ms:final", "cat /app/from-name /app/from-index /app/tested.txt"),
            "src\ncompiled\nsrc\ncompiled\ntested\n");
  EXPECT_EQ(Ok({"run", "--rm", "ms:final"}), "src\ncompiled\n");
  // The final image holds only its own stage: busybox and three COPY layers, no /src or /out.
  EXPECT_EQ(LayerCount("ms:final"), 4u);
  EXPECT_EQ(Sh("ms:final", "ls /src /out 2>/dev/null; echo end"), "end\n");
  json c = Inspect("ms:final")["Config"];
  EXPECT_EQ(c["Cmd"], json({"cat", "/app/from-name"}));
  EXPECT_TRUE(!c.contains("WorkingDir") || c["WorkingDir"] == "") << c.dump();
  // A stage nothing needs is not built.
  EXPECT_EQ(r.err.find("broken-stage-ran"), std::string::npos) << r.err;
  EXPECT_EQ(LinesWith(r.err, "[broken "), std::vector<std::string>{}) << r.err;
}

TEST_F(E2EBuildStagesTest, ProgressNamesEachStage) {
  CliResult r = BuildOk(StagesContext());
  std::vector<std::string> names = StepNames(r.err), others;
  // The stage FROM another stage ("test") pulls no image: only its RUN is checked here.
  EXPECT_EQ(LinesWith(r.err, "] RUN echo tested > /out/tested.txt").size(), 1u) << r.err;
  for (const auto& n : names) {
    if (n.rfind("[test ", 0) != 0) others.push_back(n);
  }
  EXPECT_EQ(others,
            (std::vector<std::string>{
                "[build 1/4] FROM docker.io/library/busybox:latest", "[build 2/4] WORKDIR /src",
                "[build 3/4] COPY main.c .",
                "[build 4/4] RUN mkdir -p /out && cat main.c > /out/app && echo compiled >> "
                "/out/app",
                "[stage-3 1/4] FROM docker.io/library/busybox:latest",
                "[stage-3 2/4] COPY --from=build /out/app /app/from-name",
                "[stage-3 3/4] COPY --from=0 /out/app /app/from-index",
                "[stage-3 4/4] COPY --from=test /out/tested.txt /app/"}))
      << r.err;
}

TEST_F(E2EBuildStagesTest, TargetBuildsOnlyTheStagesItNeeds) {
  std::string ctx = StagesContext();
  CliResult r = BuildOk(ctx, {"--target", "build", "-t", "ms:build"});
  // The broken stage, and every stage after the target, never ran.
  EXPECT_EQ(r.err.find("broken-stage-ran"), std::string::npos) << r.err;
  for (const auto& name : StepNames(r.err)) {
    EXPECT_EQ(name.rfind("[build ", 0), 0u) << name;
  }
  EXPECT_EQ(Sh("ms:build", "pwd; cat /out/app; ls /out"), "/src\nsrc\ncompiled\napp\n");
  EXPECT_EQ(LayerCount("ms:build"), 4u);  // busybox, WORKDIR, COPY, RUN
  EXPECT_EQ(Inspect("ms:build")["Config"]["WorkingDir"], "/src");
}

TEST_F(E2EBuildStagesTest, FromAnEarlierStageStartsFromItsFilesAndConfig) {
  std::string ctx = StagesContext();
  CliResult r = BuildOk(ctx, {"--target", "test", "-t", "ms:test"});
  EXPECT_EQ(r.err.find("broken-stage-ran"), std::string::npos) << r.err;
  EXPECT_EQ(Sh("ms:test", "pwd; cat /src/main.c /out/app /out/tested.txt"),
            "/src\nsrc\nsrc\ncompiled\ntested\n");
  // Its layers are the build stage's plus its own RUN, and its parent is the build stage.
  EXPECT_EQ(LayerCount("ms:test"), 5u);
  BuildOk(ctx, {"--target", "build", "-t", "ms:build"});
  EXPECT_EQ(Inspect("ms:test")["Parent"], IdOf("ms:build"));
}

TEST_F(E2EBuildStagesTest, ABrokenStageFailsTheBuildWhenItIsTheTarget) {
  std::string ctx = StagesContext();
  CliResult r = Build(ctx, {"--target", "broken"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("broken-stage-ran"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did not complete successfully: exit code: 7"), std::string::npos);
}

TEST_F(E2EBuildStagesTest, AnUnknownTargetIsAnError) {
  CliResult r = Build(StagesContext(), {"--target", "nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("target stage \"nope\" could not be found"), std::string::npos) << r.err;
}

TEST_F(E2EBuildStagesTest, ASecondBuildReusesEveryStage) {
  std::string ctx = StagesContext();
  std::string id = BuildId(ctx);
  CliResult r = BuildOk(ctx);
  for (const auto& name : StepNames(r.err)) {
    if (name.find("] FROM ") != std::string::npos) continue;
    std::string text = name.substr(name.find("] ") + 2);
    EXPECT_EQ(StepStatus(r.err, text), "CACHED") << name;
  }
  EXPECT_EQ(BuildId(ctx), id);
  // A change in the build stage reaches the final image through COPY --from.
  Put(ctx, "main.c", "src2\n");
  BuildOk(ctx, {"-t", "ms:2"});
  EXPECT_EQ(Sh("ms:2", "cat /app/from-index"), "src2\ncompiled\n");
}

TEST_F(E2EBuildStagesTest, CopyFromHistoryLeavesOutTheFromFlag) {
  // BuildKit's dispatchCopy writes --chown/--chmod into the history, not --from.
  std::string ctx = StagesContext();
  BuildOk(ctx, {"-t", "ms:final"});
  EXPECT_EQ(BuiltHistory("ms:final"),
            (std::vector<HistoryEntry>{Layer("COPY /out/app /app/from-name # buildkit"),
                                       Layer("COPY /out/app /app/from-index # buildkit"),
                                       Layer("COPY /out/tested.txt /app/ # buildkit"),
                                       Empty("CMD [\"cat\" \"/app/from-name\"]")}));
}

}  // namespace layerlab::testing::build
